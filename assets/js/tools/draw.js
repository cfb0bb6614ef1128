// @ts-check
// The pen and the highlighter: freehand strokes. Points are kept as the pointer sends
// them, shown at once on this page and to others as a preview, then smoothed, simplified
// and stored when the pointer lifts.

import { drawElement } from '../render.js';
import { keysBetween } from '../fracindex.js';
import { randomId } from '../ids.js';
import { smoothPoints, simplify, splitPoints } from '../smooth.js';
import { strokeElement } from '../shapes.js';
import { applyCamera } from '../canvas.js';

/** @typedef {import('../editor.js').Editor} Editor */

/** Screen pixels a pointer must move before another sample is kept. */
const MIN_STEP = 0.75;

/**
 * @param {Editor} ed @param {{highlighter?: boolean}} [opts]
 * @returns {import('../editor.js').Tool}
 */
export function drawTool(ed, { highlighter = false } = {}) {
  /** @type {{id: string, z: string, points: number[][]} | null} */
  let drawing = null;

  const look = () => (highlighter ? ed.highlight : {});
  /** @param {number[][]} points @param {string} id @param {string} z */
  const element = (points, id, z) => strokeElement(id, points, ed.style, z, look());

  /** @param {import('../input.js').PointerInfo} e */
  const point = (e) => (e.p !== undefined ? [e.x, e.y, e.p] : [e.x, e.y]);

  return {
    down(e) {
      if (!ed.canEdit) return;
      const top = ed.doc.topZ();
      drawing = { id: randomId(), z: keysBetween(top, null, 1)[0], points: [point(e)] };
      // Others see the stroke begin with the pen's touch, not with its first move.
      ed.sync.preview(element(drawing.points, drawing.id, drawing.z));
      ed.invalidate();
    },
    move(e, samples) {
      const d = drawing;
      if (!d) return;
      for (const s of samples) {
        const p = point(s);
        const last = d.points[d.points.length - 1];
        if (Math.hypot(p[0] - last[0], p[1] - last[1]) * ed.camera.zoom >= MIN_STEP) d.points.push(p);
      }
      // Others see the newest part of a stroke that outgrew the limit; the put splits it.
      ed.sync.preview(element(d.points.slice(-ed.sync.limits.maxPoints), d.id, d.z));
      ed.invalidate();
    },
    up() {
      const d = drawing;
      if (!d) return;
      drawing = null;
      // Half a screen pixel of tolerance: invisible at the zoom it was drawn at.
      const points = simplify(smoothPoints(d.points), 0.5 / ed.camera.zoom);
      const pieces = splitPoints(points, ed.sync.limits.maxPoints);
      const zs = keysBetween(ed.doc.topZ(), null, pieces.length);
      ed.commit(pieces.map((piece, i) => ({ o: /** @type {const} */ ('put'), el: element(piece, i === 0 ? d.id : randomId(), zs[i]) })));
      ed.sync.previewEnd(d.id);
      ed.invalidate();
    },
    cancel() {
      if (!drawing) return;
      ed.sync.previewEnd(drawing.id);
      drawing = null;
      ed.invalidate();
    },
    overlay(ctx, dpr) {
      if (!drawing) return;
      applyCamera(ctx, ed.camera, dpr);
      drawElement(ctx, element(drawing.points, drawing.id, drawing.z));
    },
  };
}
