// @ts-check
// What the select and shape tools draw over the board on the live layer: selection boxes
// with their handles, the marquee, the outline of a shape an arrow would bind to. World
// positions go through the camera; sizes are screen pixels, so handles stay the same size
// at any zoom.

import { worldToScreen } from './camera.js';
import { handlePositions } from './transform.js';
import { corners, linearPath, toWorld, LINEAR } from './hit.js';
import { localBox } from './geometry.js';

/** @typedef {import('./camera.js').Camera} Camera */
/** @typedef {import('./doc.js').Element} Element */
/** @typedef {import('./geometry.js').Rect} Rect */
/** @typedef {CanvasRenderingContext2D} Ctx */

export const ACCENT = '#5b57d1';
/** Handle size, and how far the rotate handle sits above the box, in screen pixels. */
export const HANDLE = 9;
export const ROTATE_LIFT = 24;

/** @param {Ctx} ctx @param {number} dpr */
const screenSpace = (ctx, dpr) => ctx.setTransform(dpr, 0, 0, dpr, 0, 0);

/**
 * A closed polygon through world points.
 * @param {Ctx} ctx @param {Camera} cam @param {[number, number][]} pts
 */
function polygon(ctx, cam, pts) {
  ctx.beginPath();
  pts.forEach(([x, y], i) => {
    const [sx, sy] = worldToScreen(cam, x, y);
    if (i === 0) ctx.moveTo(sx, sy);
    else ctx.lineTo(sx, sy);
  });
  ctx.closePath();
}

/**
 * The selection box: one element's rotated box, or the box around several; with resize
 * handles and the rotate handle unless `locked`.
 * @param {Ctx} ctx @param {Camera} cam @param {number} dpr
 * @param {{box: Rect, angle: number, handles: boolean, locked: boolean}} sel
 */
export function drawSelectionBox(ctx, cam, dpr, sel) {
  screenSpace(ctx, dpr);
  const pad = 4 / cam.zoom;
  const box = { minX: sel.box.minX - pad, minY: sel.box.minY - pad, maxX: sel.box.maxX + pad, maxY: sel.box.maxY + pad };
  const pos = handlePositions(box, sel.angle, ROTATE_LIFT / cam.zoom);
  ctx.strokeStyle = ACCENT;
  ctx.lineWidth = 1.5;
  if (sel.locked) ctx.setLineDash([5, 4]);
  polygon(ctx, cam, pos.corners);
  ctx.stroke();
  ctx.setLineDash([]);
  if (!sel.handles || sel.locked) return;
  const [tx, ty] = worldToScreen(cam, ...pos.handles.n);
  const [rx, ry] = worldToScreen(cam, ...pos.rotate);
  ctx.beginPath();
  ctx.moveTo(tx, ty);
  ctx.lineTo(rx, ry);
  ctx.stroke();
  ctx.fillStyle = '#ffffff';
  ctx.beginPath();
  ctx.arc(rx, ry, HANDLE / 2 + 1, 0, Math.PI * 2);
  ctx.fill();
  ctx.stroke();
  // Edge handles only where the box is big enough to hold them apart from the corners.
  const [w, h] = [(box.maxX - box.minX) * cam.zoom, (box.maxY - box.minY) * cam.zoom];
  for (const [name, p] of Object.entries(pos.handles)) {
    const edge = name.length === 1;
    if (edge && ((name === 'n' || name === 's') ? w : h) < HANDLE * 4) continue;
    const [sx, sy] = worldToScreen(cam, p[0], p[1]);
    ctx.save();
    ctx.translate(sx, sy);
    ctx.rotate(sel.angle);
    ctx.beginPath();
    ctx.roundRect(-HANDLE / 2, -HANDLE / 2, HANDLE, HANDLE, 2);
    ctx.fill();
    ctx.stroke();
    ctx.restore();
  }
}

/**
 * A thin outline of one element, as part of a larger selection or a hover.
 * @param {Ctx} ctx @param {Camera} cam @param {number} dpr @param {Element} el @param {string} [color]
 */
export function drawOutline(ctx, cam, dpr, el, color = ACCENT) {
  screenSpace(ctx, dpr);
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  if (LINEAR.has(el.type)) {
    const pts = linearPath(el).map((p) => toWorld(el, p[0], p[1]));
    ctx.globalAlpha = 0.5;
    ctx.lineWidth = 4;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    pts.forEach(([x, y], i) => {
      const [sx, sy] = worldToScreen(cam, x, y);
      if (i === 0) ctx.moveTo(sx, sy);
      else ctx.lineTo(sx, sy);
    });
    ctx.stroke();
    ctx.globalAlpha = 1;
    return;
  }
  if (el.type === 'ellipse' || el.type === 'diamond') {
    const b = localBox(el);
    const cx = (b.minX + b.maxX) / 2;
    const cy = (b.minY + b.maxY) / 2;
    const n = el.type === 'diamond' ? 4 : 48;
    /** @type {[number, number][]} */
    const pts = [];
    for (let i = 0; i < n; i++) {
      const a = (i / n) * Math.PI * 2 - Math.PI / 2;
      pts.push(toWorld(el, cx + Math.cos(a) * (b.maxX - cx), cy + Math.sin(a) * (b.maxY - cy)));
    }
    polygon(ctx, cam, pts);
  } else {
    polygon(ctx, cam, corners(el));
  }
  ctx.stroke();
}

/**
 * Round handles at the ends of a line or an arrow.
 * @param {Ctx} ctx @param {Camera} cam @param {number} dpr @param {[number, number][]} ends
 */
export function drawEndHandles(ctx, cam, dpr, ends) {
  screenSpace(ctx, dpr);
  ctx.strokeStyle = ACCENT;
  ctx.fillStyle = '#ffffff';
  ctx.lineWidth = 1.5;
  for (const [x, y] of ends) {
    const [sx, sy] = worldToScreen(cam, x, y);
    ctx.beginPath();
    ctx.arc(sx, sy, HANDLE / 2 + 1, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
  }
}

/**
 * The marquee of a drag-select.
 * @param {Ctx} ctx @param {Camera} cam @param {number} dpr @param {Rect} r
 */
export function drawMarquee(ctx, cam, dpr, r) {
  screenSpace(ctx, dpr);
  const [x0, y0] = worldToScreen(cam, r.minX, r.minY);
  const [x1, y1] = worldToScreen(cam, r.maxX, r.maxY);
  ctx.fillStyle = 'rgba(91, 87, 209, 0.08)';
  ctx.strokeStyle = ACCENT;
  ctx.lineWidth = 1;
  ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
  ctx.strokeRect(x0 + 0.5, y0 + 0.5, x1 - x0, y1 - y0);
}

/**
 * Point editing's handles: a round one on every point of a line (the one last touched
 * filled), and smaller, fainter ones in the middle of its parts to drag new points out of.
 * @param {Ctx} ctx @param {Camera} cam @param {number} dpr
 * @param {[number, number][]} points @param {[number, number][]} mids @param {number} selected
 */
export function drawPointHandles(ctx, cam, dpr, points, mids, selected) {
  screenSpace(ctx, dpr);
  ctx.strokeStyle = ACCENT;
  ctx.lineWidth = 1.5;
  for (const [x, y] of mids) {
    const [sx, sy] = worldToScreen(cam, x, y);
    ctx.globalAlpha = 0.6;
    ctx.fillStyle = '#ffffff';
    ctx.beginPath();
    ctx.arc(sx, sy, HANDLE / 2 - 1, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
  points.forEach(([x, y], i) => {
    const [sx, sy] = worldToScreen(cam, x, y);
    ctx.fillStyle = i === selected ? ACCENT : '#ffffff';
    ctx.beginPath();
    ctx.arc(sx, sy, HANDLE / 2 + 1, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
  });
}
