// @ts-check
// Rectangles, ellipses, diamonds, lines and arrows, drawn by dragging. Shift makes a
// square or circle (or a 45° line), Alt draws from the centre. Others see the shape as a
// preview while it is drawn. An arrow that starts or ends on a shape binds to it.

import { drawElement } from '../render.js';
import { keysBetween } from '../fracindex.js';
import { randomId } from '../ids.js';
import { dragBox, snapAngle, shapeElement, linearElement } from '../shapes.js';
import { bindTarget, routeArrow } from '../arrows.js';
import { applyCamera } from '../canvas.js';
import { snap } from '../transform.js';
import { GRID } from '../editor.js';
import { drawOutline } from '../overlay.js';

/** @typedef {import('../editor.js').Editor} Editor */
/** @typedef {import('../doc.js').Element} Element */
/** @typedef {[number, number]} Vec */

/** A drag shorter than this many screen pixels is a click, and draws nothing. */
const MIN_DRAG = 3;
/** How near (screen pixels) to a shape's outline an arrow end binds to it. */
const BIND_PIXELS = 12;

/**
 * @param {Editor} ed @param {'rect' | 'ellipse' | 'diamond' | 'line' | 'arrow'} type
 * @returns {import('../editor.js').Tool}
 */
export function shapeTool(ed, type) {
  const linear = type === 'line' || type === 'arrow';
  /** @type {{id: string, z: string, start: Vec, screen: Vec, el: Element | null, startBind: string, endBind: string} | null} */
  let drawing = null;
  /** The shape an arrow end would bind to, outlined while drawing or hovering. @type {Element | undefined} */
  let target;

  /** @param {import('../input.js').PointerInfo} e @returns {Vec} */
  const at = (e) => (ed.prefs.snap ? [snap(e.x, GRID), snap(e.y, GRID)] : [e.x, e.y]);
  /** @param {number} x @param {number} y */
  const bindAt = (x, y) => (type === 'arrow' ? bindTarget(ed.elements(), x, y, ed.tol(BIND_PIXELS)) : undefined);

  /** @param {import('../input.js').PointerInfo} e */
  function build(e) {
    const d = /** @type {NonNullable<typeof drawing>} */ (drawing);
    let end = at(e);
    if (!linear) {
      return shapeElement(/** @type {'rect' | 'ellipse' | 'diamond'} */ (type), dragBox(d.start, end, { square: e.shift, fromCentre: e.alt }), ed.style, d.id, d.z);
    }
    if (e.shift) end = snapAngle(d.start, end);
    target = bindAt(end[0], end[1]);
    d.endBind = target && target.id !== d.startBind ? target.id : '';
    /** @type {Element} */
    let el = linearElement(type, [d.start, end], ed.style, d.id, d.z, { startBind: d.startBind, endBind: d.endBind });
    const routed = routeArrow(el, (id) => ed.get(id));
    if (routed) el = { ...el, ...routed };
    if (!el.angle) delete el.angle;
    return el;
  }

  return {
    down(e) {
      if (!ed.canEdit) return;
      ed.select([]);
      const start = at(e);
      const bound = bindAt(start[0], start[1]);
      drawing = { id: randomId(), z: keysBetween(ed.doc.topZ(), null, 1)[0], start, screen: [e.sx, e.sy], el: null, startBind: bound?.id ?? '', endBind: '' };
    },
    move(e) {
      const d = drawing;
      if (!d) return;
      if (!d.el && Math.hypot(e.sx - d.screen[0], e.sy - d.screen[1]) < MIN_DRAG) return;
      d.el = build(e);
      ed.sync.preview(d.el);
      ed.invalidate();
    },
    up(e) {
      const d = drawing;
      if (!d) return;
      const el = d.el ? build(e) : null;
      drawing = null;
      target = undefined;
      if (!el) {
        ed.invalidate();
        return;
      }
      ed.commit([{ o: 'put', el }]);
      ed.sync.previewEnd(d.id);
      ed.setTool('select');
      ed.select([el.id], { exact: true });
    },
    cancel() {
      if (drawing?.el) ed.sync.previewEnd(drawing.id);
      drawing = null;
      target = undefined;
      ed.invalidate();
    },
    hover(e) {
      if (type !== 'arrow') return;
      const t = bindAt(e.x, e.y);
      if (t !== target) {
        target = t;
        ed.invalidate();
      }
    },
    leave() {
      target = undefined;
    },
    overlay(ctx, dpr) {
      if (target) drawOutline(ctx, ed.camera, dpr, target);
      if (!drawing?.el) return;
      applyCamera(ctx, ed.camera, dpr);
      drawElement(ctx, drawing.el);
    },
  };
}
