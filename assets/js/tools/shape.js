// @ts-check
// Rectangles, ellipses, diamonds, lines and arrows. Shapes are drawn by dragging; Shift
// makes a square or circle, Alt draws from the centre. Lines and arrows are dragged too
// (two points), or placed point by point: a click without a drag starts a line that
// every further click adds a point to, with a segment following the pointer; Enter,
// Escape, a double click or a click on the last point finishes it. Shift turns a
// segment to a multiple of 45°. Others see the shape as a preview while it is drawn. An
// arrow that starts or ends on a shape binds to it.

import { drawElement } from '../render.js';
import { keysBetween } from '../fracindex.js';
import { randomId } from '../ids.js';
import { dragBox, snapAngle, shapeElement, linearElement } from '../shapes.js';
import { bindTarget, routeArrow } from '../arrows.js';
import { cleanPoints } from '../linepoints.js';
import { applyCamera } from '../canvas.js';
import { worldToScreen } from '../camera.js';
import { snap } from '../transform.js';
import { GRID } from '../editor.js';
import { drawOutline, drawEndHandles } from '../overlay.js';

/** @typedef {import('../editor.js').Editor} Editor */
/** @typedef {import('../doc.js').Element} Element */
/** @typedef {import('../input.js').PointerInfo} PointerInfo */
/** @typedef {[number, number]} Vec */

/** A drag shorter than this many screen pixels is a click, and draws nothing. */
const MIN_DRAG = 3;
/** How near (screen pixels) to a shape's outline an arrow end binds to it. */
const BIND_PIXELS = 12;
/** A click this near (screen pixels) to the last point placed finishes the line. */
const SAME_POINT = 8;

/**
 * @param {Editor} ed @param {'rect' | 'ellipse' | 'diamond' | 'line' | 'arrow'} type
 * @returns {import('../editor.js').Tool}
 */
export function shapeTool(ed, type) {
  const linear = type === 'line' || type === 'arrow';
  /** A drag in progress. @type {{id: string, z: string, start: Vec, screen: Vec, el: Element | null, startBind: string, endBind: string} | null} */
  let drawing = null;
  /**
   * A line placed point by point: the points clicked so far, where the pointer is (the
   * end of the segment that follows it), and whether the button is down (the point just
   * placed follows the pointer until it is released).
   * @type {{id: string, z: string, points: Vec[], pointer: Vec | null, pressed: boolean, startBind: string, el: Element | null} | null}
   */
  let placing = null;
  /** The shape an arrow end would bind to, outlined while drawing or hovering. @type {Element | undefined} */
  let target;

  /** @param {PointerInfo} e @returns {Vec} */
  const at = (e) => (ed.prefs.snap ? [snap(e.x, GRID), snap(e.y, GRID)] : [e.x, e.y]);
  /** @param {number} x @param {number} y */
  const bindAt = (x, y) => (type === 'arrow' ? bindTarget(ed.elements(), x, y, ed.tol(BIND_PIXELS)) : undefined);

  /**
   * A line or arrow through points, bound at its start to startBind and at its end to
   * the shape under its last point, with its bound ends put on the shapes' outlines.
   * @param {{id: string, z: string}} d @param {Vec[]} points @param {string} startBind
   */
  function lineThrough(d, points, startBind) {
    const end = points[points.length - 1];
    target = bindAt(end[0], end[1]);
    // Both ends of a straight arrow on one shape would be a dot; a bent one may loop back.
    const endBind = target && (target.id !== startBind || points.length > 2) ? target.id : '';
    /** @type {Element} */
    let el = linearElement(/** @type {'line' | 'arrow'} */ (type), points, ed.style, d.id, d.z, { startBind, endBind });
    const routed = routeArrow(el, (id) => ed.get(id));
    if (routed) el = { ...el, ...routed };
    if (!el.angle) delete el.angle;
    return el;
  }

  /** @param {PointerInfo} e */
  function build(e) {
    const d = /** @type {NonNullable<typeof drawing>} */ (drawing);
    let end = at(e);
    if (!linear) {
      return shapeElement(/** @type {'rect' | 'ellipse' | 'diamond'} */ (type), dragBox(d.start, end, { square: e.shift, fromCentre: e.alt }), ed.style, d.id, d.z);
    }
    if (e.shift) end = snapAngle(d.start, end);
    const el = lineThrough(d, [d.start, end], d.startBind);
    d.endBind = el.endBind ?? '';
    return el;
  }

  /** Where the pointer puts the next point: Shift turns its segment to 45° steps. @param {PointerInfo} e @param {Vec} from @returns {Vec} */
  const next = (e, from) => (e.shift ? snapAngle(from, at(e)) : at(e));

  /** Shows the line being placed, with the segment to the pointer, here and to others. */
  function showPlacing() {
    const p = /** @type {NonNullable<typeof placing>} */ (placing);
    const pts = [...p.points];
    const last = pts[pts.length - 1];
    if (p.pointer && (p.pointer[0] !== last[0] || p.pointer[1] !== last[1])) pts.push(p.pointer);
    p.el = pts.length >= 2 ? lineThrough(p, pts, p.startBind) : null;
    if (p.el) ed.sync.preview(p.el);
    ed.invalidate();
  }

  /**
   * Ends placing points: the line is stored if it has two distinct points, then selected
   * with the select tool unless another tool is being picked (leaving).
   * @param {boolean} [leaving]
   */
  function finish(leaving = false) {
    const p = placing;
    if (!p) return;
    placing = null;
    target = undefined;
    const pts = cleanPoints(p.points, ed.tol(SAME_POINT / 2));
    if (pts.length < 2) {
      if (p.el) ed.sync.previewEnd(p.id);
      ed.invalidate();
      return;
    }
    const el = lineThrough(p, pts, p.startBind);
    target = undefined;
    ed.commit([{ o: 'put', el }]);
    if (p.el) ed.sync.previewEnd(p.id);
    if (leaving) return;
    ed.drawn([el.id]);
  }

  /** Drops the line being placed. */
  function drop() {
    if (placing?.el) ed.sync.previewEnd(placing.id);
    placing = null;
  }

  return {
    down(e) {
      if (!ed.canEdit) return;
      if (placing) {
        const pts = placing.points;
        const last = pts[pts.length - 1];
        const [sx, sy] = worldToScreen(ed.camera, last[0], last[1]);
        if (Math.hypot(sx - e.sx, sy - e.sy) <= SAME_POINT) {
          finish();
          return;
        }
        pts.push(next(e, last));
        placing.pointer = pts[pts.length - 1];
        placing.pressed = true;
        showPlacing();
        return;
      }
      ed.select([]);
      const start = at(e);
      const bound = bindAt(start[0], start[1]);
      drawing = { id: randomId(), z: keysBetween(ed.doc.topZ(), null, 1)[0], start, screen: [e.sx, e.sy], el: null, startBind: bound?.id ?? '', endBind: '' };
    },
    move(e) {
      if (placing) {
        const pts = placing.points;
        if (placing.pressed && pts.length > 1) pts[pts.length - 1] = next(e, pts[pts.length - 2]);
        placing.pointer = placing.pressed ? pts[pts.length - 1] : next(e, pts[pts.length - 1]);
        showPlacing();
        return;
      }
      const d = drawing;
      if (!d) return;
      if (!d.el && Math.hypot(e.sx - d.screen[0], e.sy - d.screen[1]) < MIN_DRAG) return;
      d.el = build(e);
      ed.sync.preview(d.el);
      ed.invalidate();
    },
    up(e) {
      if (placing) {
        placing.pressed = false;
        return;
      }
      const d = drawing;
      if (!d) return;
      const el = d.el ? build(e) : null;
      drawing = null;
      target = undefined;
      if (!el) {
        // A click: a line or arrow goes on point by point from here.
        if (linear) {
          placing = { id: d.id, z: d.z, points: [d.start], pointer: null, pressed: false, startBind: d.startBind, el: null };
        }
        ed.invalidate();
        return;
      }
      ed.commit([{ o: 'put', el }]);
      ed.sync.previewEnd(d.id);
      ed.drawn([el.id]);
    },
    switchAway() {
      // Picking another tool keeps the points placed so far, as Excalidraw does.
      finish(true);
    },
    cancel() {
      if (drawing?.el) ed.sync.previewEnd(drawing.id);
      drawing = null;
      drop();
      target = undefined;
      ed.invalidate();
    },
    hover(e) {
      if (placing) {
        placing.pointer = next(e, placing.points[placing.points.length - 1]);
        showPlacing();
        return;
      }
      if (type !== 'arrow') return;
      const t = bindAt(e.x, e.y);
      if (t !== target) {
        target = t;
        ed.invalidate();
      }
    },
    leave() {
      if (!placing) target = undefined;
    },
    dblclick() {
      finish();
    },
    command(cmd) {
      if (!placing || (cmd !== 'edit' && cmd !== 'escape')) return false;
      finish();
      return true;
    },
    overlay(ctx, dpr) {
      if (target) drawOutline(ctx, ed.camera, dpr, target);
      if (placing) {
        if (placing.el) {
          applyCamera(ctx, ed.camera, dpr);
          drawElement(ctx, placing.el);
        }
        drawEndHandles(ctx, ed.camera, dpr, placing.points.slice(-1));
        return;
      }
      if (!drawing?.el) return;
      applyCamera(ctx, ed.camera, dpr);
      drawElement(ctx, drawing.el);
    },
  };
}
