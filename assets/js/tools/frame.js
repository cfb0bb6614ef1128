// @ts-check
// The frame tool (F): drag a rectangle to make a frame named "Frame n". What lies wholly
// inside it when it is drawn goes into it (frames.js withFrames, in the editor's commit).

import { keysBetween } from '../fracindex.js';
import { randomId } from '../ids.js';
import { dragBox } from '../shapes.js';
import { applyCamera } from '../canvas.js';
import { drawElement } from '../render.js';
import { snap } from '../transform.js';
import { GRID } from '../editor.js';
import { nextFrameName } from '../frames.js';

/** @typedef {import('../editor.js').Editor} Editor */
/** @typedef {import('../doc.js').Element} Element */
/** @typedef {import('../input.js').PointerInfo} PointerInfo */

/** A drag shorter than this many screen pixels is a click, and draws nothing. */
const MIN_DRAG = 3;

/** @param {Editor} ed @returns {import('../editor.js').Tool} */
export function frameTool(ed) {
  /** @type {{id: string, z: string, name: string, start: [number, number], screen: [number, number], el: Element | null} | null} */
  let drawing = null;
  /** @param {PointerInfo} e @returns {[number, number]} */
  const at = (e) => (ed.prefs.snap ? [snap(e.x, GRID), snap(e.y, GRID)] : [e.x, e.y]);
  /** @param {PointerInfo} e @returns {Element} */
  function build(e) {
    const d = /** @type {NonNullable<typeof drawing>} */ (drawing);
    const b = dragBox(d.start, at(e), { square: e.shift, fromCentre: e.alt });
    return { id: d.id, type: 'frame', x: b.x, y: b.y, w: Math.max(1, b.w), h: Math.max(1, b.h), text: d.name, z: d.z };
  }
  return {
    down(e) {
      if (!ed.canEdit) return;
      ed.select([]);
      drawing = { id: randomId(), z: keysBetween(ed.doc.topZ(), null, 1)[0], name: nextFrameName(ed.elements()), start: at(e), screen: [e.sx, e.sy], el: null };
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
      if (!d.el) {
        drawing = null;
        ed.invalidate();
        return;
      }
      const el = build(e);
      drawing = null;
      ed.commit([{ o: 'put', el }]);
      ed.sync.previewEnd(d.id);
      ed.drawn([el.id]);
    },
    cancel() {
      if (drawing?.el) ed.sync.previewEnd(drawing.id);
      drawing = null;
      ed.invalidate();
    },
    overlay(ctx, dpr) {
      if (!drawing?.el) return;
      applyCamera(ctx, ed.camera, dpr);
      drawElement(ctx, drawing.el, ed.camera.zoom);
    },
  };
}
