// @ts-check
// Moving, resizing and rotating elements: pure functions from the elements as they were
// when a gesture began (and where the pointer is now) to the fields that change. The
// select tool recomputes from the start on every pointer move, so errors never add up.

import { localBox } from './geometry.js';
import { LINEAR, centre, rotate, unionBounds } from './hit.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {import('./geometry.js').Rect} Rect */
/** @typedef {Record<string, any>} Fields */
/** @typedef {'nw' | 'n' | 'ne' | 'e' | 'se' | 's' | 'sw' | 'w'} Handle */

/** Resize handles and which way each moves the box's edges (x, y in -1, 0, 1). */
export const HANDLES = /** @type {Record<Handle, [number, number]>} */ ({
  nw: [-1, -1], n: [0, -1], ne: [1, -1], e: [1, 0], se: [1, 1], s: [0, 1], sw: [-1, 1], w: [-1, 0],
});

/** Types whose aspect ratio a resize keeps unless told otherwise. */
const KEEP_RATIO = new Set(['image', 'text']);
/** Smallest box a resize makes, in world units: a zero-sized box cannot be grabbed again. */
const MIN_SIZE = 1;

/** Rounds to 0.01, as stored coordinates are. @param {number} v */
const r2 = (v) => Math.round(v * 100) / 100;

/**
 * An angle in (-π, π]: the server accepts |angle| ≤ 2π, and a canonical form keeps
 * repeated rotations from drifting out of range.
 * @param {number} a
 */
export function normalizeAngle(a) {
  let v = a % (2 * Math.PI);
  if (v <= -Math.PI) v += 2 * Math.PI;
  if (v > Math.PI) v -= 2 * Math.PI;
  return Math.abs(v) < 1e-9 ? 0 : v;
}

/**
 * The fields that move an element by (dx, dy).
 * @param {Element} el @param {number} dx @param {number} dy
 * @returns {Fields}
 */
export function moved(el, dx, dy) {
  return { x: r2((el.x || 0) + dx), y: r2((el.y || 0) + dy) };
}

/**
 * The fields of `el` scaled by (sx, sy) in its own (unrotated) frame and re-centred at
 * world point `to`. Negative factors mirror points; boxes keep positive sizes. Line
 * widths stay as they are; text scales its font size with the height.
 * @param {Element} el @param {number} sx @param {number} sy @param {[number, number]} to
 * @returns {Fields}
 */
export function scaled(el, sx, sy, to) {
  const b = localBox(el);
  const w = b.maxX - b.minX;
  const h = b.maxY - b.minY;
  const nw = Math.max(LINEAR.has(el.type) && w === 0 ? 0 : MIN_SIZE, Math.abs(w * sx));
  const nh = Math.max(LINEAR.has(el.type) && h === 0 ? 0 : MIN_SIZE, Math.abs(h * sy));
  /** @type {Fields} */
  const out = { x: r2(to[0] - nw / 2), y: r2(to[1] - nh / 2), w: r2(nw), h: r2(nh) };
  if (LINEAR.has(el.type) && el.points?.length) {
    const cx = (b.minX + b.maxX) / 2;
    const cy = (b.minY + b.maxY) / 2;
    // Scale about the centre, then shift so the points start at (0, 0) like new ones.
    out.points = el.points.map((p) => {
      const q = [r2((p[0] - cx) * sx + nw / 2), r2((p[1] - cy) * sy + nh / 2)];
      if (p.length > 2) q.push(p[2]);
      return q;
    });
  }
  if (el.type === 'text') out.size = Math.min(1000, Math.max(1, r2((el.size || 20) * Math.abs(h ? nh / h : sy))));
  return out;
}

/**
 * Resizes one element by dragging `handle` to world point p. The opposite edge or corner
 * stays where it is, in the element's rotated frame. Options: keepRatio (Shift; images
 * and text always keep it unless Shift is held), fromCentre (Alt: both sides move).
 * @param {Element} el the element when the drag began
 * @param {Handle} handle
 * @param {[number, number]} p
 * @param {{keepRatio?: boolean, fromCentre?: boolean}} [opts]
 * @returns {Fields}
 */
export function resizeOne(el, handle, p, { keepRatio = false, fromCentre = false } = {}) {
  const b = localBox(el);
  const w = b.maxX - b.minX;
  const h = b.maxY - b.minY;
  const c = centre(el);
  const angle = el.angle || 0;
  const [hx, hy] = HANDLES[handle];
  // The pointer in a frame centred on the element and turned with it.
  const [qx, qy] = rotate(p[0], p[1], c[0], c[1], -angle).map((v, i) => v - c[i]);
  const ratio = KEEP_RATIO.has(el.type) ? !keepRatio : keepRatio;
  let sx = 1;
  let sy = 1;
  if (hx && w) sx = fromCentre ? (2 * qx * hx) / w : (qx * hx + w / 2) / w;
  if (hy && h) sy = fromCentre ? (2 * qy * hy) / h : (qy * hy + h / 2) / h;
  if (ratio) {
    if (hx && hy) {
      const s = Math.max(Math.abs(sx), Math.abs(sy));
      sx = Math.sign(sx || 1) * s;
      sy = Math.sign(sy || 1) * s;
    } else if (hx) sy = Math.abs(sx);
    else sx = Math.abs(sy);
  }
  // The new centre in the turned frame: the anchor (opposite side) stays put.
  const ncx = fromCentre || !hx ? 0 : (-hx * w) / 2 + (hx * w * sx) / 2;
  const ncy = fromCentre || !hy ? 0 : (-hy * h) / 2 + (hy * h * sy) / 2;
  const to = rotate(c[0] + ncx, c[1] + ncy, c[0], c[1], angle);
  return scaled(el, sx, sy, to);
}

/**
 * Resizes several elements together by dragging a handle of the box around them. Every
 * element's centre scales about the anchor; its size scales too. Rotated elements cannot
 * be stretched in a straight line, so a selection holding any is scaled proportionally.
 * @param {readonly Element[]} els the elements when the drag began
 * @param {Handle} handle
 * @param {[number, number]} p
 * @param {{keepRatio?: boolean, fromCentre?: boolean}} [opts]
 * @returns {Map<string, Fields>}
 */
export function resizeMany(els, handle, p, { keepRatio = false, fromCentre = false } = {}) {
  const out = new Map();
  const box = unionBounds(els);
  if (!box) return out;
  const [hx, hy] = HANDLES[handle];
  const w = box.maxX - box.minX;
  const h = box.maxY - box.minY;
  const cx = (box.minX + box.maxX) / 2;
  const cy = (box.minY + box.maxY) / 2;
  const ax = fromCentre ? cx : hx < 0 ? box.maxX : box.minX;
  const ay = fromCentre ? cy : hy < 0 ? box.maxY : box.minY;
  let sx = 1;
  let sy = 1;
  if (fromCentre) {
    if (hx && w) sx = (2 * (p[0] - cx) * hx) / w;
    if (hy && h) sy = (2 * (p[1] - cy) * hy) / h;
  } else {
    if (hx && w) sx = ((p[0] - ax) * hx) / w;
    if (hy && h) sy = ((p[1] - ay) * hy) / h;
  }
  if (keepRatio || els.some((el) => el.angle)) {
    if (hx && hy) {
      const s = Math.max(Math.abs(sx), Math.abs(sy));
      sx = Math.sign(sx || 1) * s;
      sy = Math.sign(sy || 1) * s;
    } else if (hx) sy = Math.abs(sx);
    else sx = Math.abs(sy);
  }
  // Edge handles leave the other axis alone, about the box's centre.
  const bx = hx ? ax : cx;
  const by = hy ? ay : cy;
  for (const el of els) {
    const [ex, ey] = centre(el);
    const to = /** @type {[number, number]} */ ([bx + (ex - bx) * sx, by + (ey - by) * sy]);
    const uniform = Math.sqrt(Math.abs(sx * sy));
    out.set(el.id, el.angle ? scaled(el, uniform, uniform, to) : scaled(el, sx, sy, to));
  }
  return out;
}

/**
 * Rotates elements by `delta` radians about world point c: each centre turns about c
 * and each element turns by delta about its own centre.
 * @param {readonly Element[]} els @param {[number, number]} c @param {number} delta
 * @returns {Map<string, Fields>}
 */
export function rotateMany(els, c, delta) {
  const out = new Map();
  for (const el of els) {
    const [ex, ey] = centre(el);
    const [nx, ny] = rotate(ex, ey, c[0], c[1], delta);
    out.set(el.id, { x: r2((el.x || 0) + nx - ex), y: r2((el.y || 0) + ny - ey), angle: normalizeAngle((el.angle || 0) + delta) });
  }
  return out;
}

/**
 * The rotation of a drag of the rotate handle: the angle from the centre to the pointer,
 * measured from straight up (where the handle sits), snapped to 15° steps with Shift.
 * @param {[number, number]} c @param {[number, number]} p @param {boolean} snap
 */
export function pointerAngle(c, p, snap) {
  const a = Math.atan2(p[1] - c[1], p[0] - c[0]) + Math.PI / 2;
  const step = Math.PI / 12;
  return normalizeAngle(snap ? Math.round(a / step) * step : a);
}

/**
 * Where the handles of a selection box are, in world coordinates: one element's own
 * rotated box, or the axis-aligned box around several. The rotate handle sits `lift`
 * world units above the top edge.
 * @param {Rect} box the unrotated box
 * @param {number} angle
 * @param {number} lift
 * @returns {{handles: Record<Handle, [number, number]>, rotate: [number, number], corners: [number, number][]}}
 */
export function handlePositions(box, angle, lift) {
  const cx = (box.minX + box.maxX) / 2;
  const cy = (box.minY + box.maxY) / 2;
  const hw = (box.maxX - box.minX) / 2;
  const hh = (box.maxY - box.minY) / 2;
  /** @param {number} x @param {number} y */
  const at = (x, y) => rotate(cx + x, cy + y, cx, cy, angle);
  const handles = /** @type {Record<Handle, [number, number]>} */ ({});
  for (const [name, [hx, hy]] of Object.entries(HANDLES)) handles[/** @type {Handle} */ (name)] = at(hx * hw, hy * hh);
  return {
    handles,
    rotate: at(0, -hh - lift),
    corners: [at(-hw, -hh), at(hw, -hh), at(hw, hh), at(-hw, hh)],
  };
}

/**
 * The resize cursor for a handle on a box turned by angle: the nearest of the four
 * two-way arrows.
 * @param {Handle} handle @param {number} angle
 */
export function handleCursor(handle, angle) {
  const base = { e: 0, se: 45, s: 90, sw: 135, w: 180, nw: 225, n: 270, ne: 315 }[handle];
  const deg = (((base + (angle * 180) / Math.PI) % 180) + 180) % 180;
  const names = ['ew-resize', 'nwse-resize', 'ns-resize', 'nesw-resize'];
  return names[Math.round(deg / 45) % 4];
}

/**
 * Rounds v to the nearest multiple of step.
 * @param {number} v @param {number} step
 */
export const snap = (v, step) => Math.round(v / step) * step;
