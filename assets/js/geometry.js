// @ts-check
// World-space bounds of elements, for skipping what is off screen. Nothing is cached per
// element object: a moved element (a drag, a frame carrying 500 members) is a new object
// on every screen, and a WeakMap entry for each cost more than the sums it saved (500
// entries: 0.08–0.28 ms, p99 ~1 ms of ephemeron work, against 0.002 ms to add the
// numbers again). What is dear to measure, a box from points, is cached by the points
// array, which a moved element shares with the one it was moved from; points are never
// modified in place.

import { bounds } from './smooth.js';
import { isCurved, curveBounds } from './curve.js';

/** @typedef {{minX: number, minY: number, maxX: number, maxY: number}} Rect */
/** @typedef {import('./doc.js').Element} Element */

/** Types whose shape is `points` rather than the w × h box. */
const POINT_TYPES = new Set(['stroke', 'line', 'arrow']);

/** Boxes of straight points, by their points array. @type {WeakMap<readonly number[][], Rect>} */
const pointsBox = new WeakMap();
/** Boxes of round curves through points, by their points array. @type {WeakMap<readonly number[][], Rect>} */
const curveBox = new WeakMap();

/**
 * The element's box in its own coordinates (before x, y and rotation), with points-based
 * types measured from their points (a round line from its curve, which may swing outside
 * them). Text without a size is estimated from its length.
 * @param {Element} el
 * @returns {Rect}
 */
export function localBox(el) {
  if (isCurved(el)) {
    let r = curveBox.get(el.points);
    if (!r) curveBox.set(el.points, (r = curveBounds(el.points)));
    return r;
  }
  if (POINT_TYPES.has(el.type) && el.points?.length) {
    let r = pointsBox.get(el.points);
    if (!r) pointsBox.set(el.points, (r = /** @type {Rect} */ (bounds(el.points))));
    return r;
  }
  let w = el.w || 0;
  let h = el.h || 0;
  if (el.type === 'text' && (!w || !h)) {
    const size = el.size || 20;
    const lines = String(el.text ?? '').split('\n');
    w = w || Math.max(...lines.map((l) => l.length)) * size * 0.6;
    h = h || lines.length * size * 1.25;
  }
  return { minX: Math.min(0, w), minY: Math.min(0, h), maxX: Math.max(0, w), maxY: Math.max(0, h) };
}

/**
 * The axis-aligned world rectangle that contains everything drawn for el: stroke width,
 * arrowheads and rotation included.
 * @param {Element} el
 * @returns {Rect}
 */
export function elementBounds(el) {
  const box = localBox(el);
  const width = el.width || 1;
  // Pressure strokes reach 0.85 × width from the centre line; arrowheads reach further.
  const margin = el.type === 'arrow' || el.type === 'line' ? width * 4 + 12 : width + 1;
  const x = el.x || 0;
  const y = el.y || 0;
  let r = { minX: x + box.minX - margin, minY: y + box.minY - margin, maxX: x + box.maxX + margin, maxY: y + box.maxY + margin };
  if (el.angle) r = rotatedBounds(r, el.angle);
  // A frame's name sits above it (frames.js LABEL_GAP, and a little more).
  if (el.type === 'frame') r.minY -= 24;
  return r;
}

/**
 * Bounds of rectangle r rotated by angle about its centre.
 * @param {Rect} r @param {number} angle
 * @returns {Rect}
 */
function rotatedBounds(r, angle) {
  const cx = (r.minX + r.maxX) / 2;
  const cy = (r.minY + r.maxY) / 2;
  const hw = (r.maxX - r.minX) / 2;
  const hh = (r.maxY - r.minY) / 2;
  const c = Math.abs(Math.cos(angle));
  const s = Math.abs(Math.sin(angle));
  const ex = hw * c + hh * s;
  const ey = hw * s + hh * c;
  return { minX: cx - ex, minY: cy - ey, maxX: cx + ex, maxY: cy + ey };
}

/** @param {Rect} a @param {Rect} b */
export const intersects = (a, b) => a.minX <= b.maxX && a.maxX >= b.minX && a.minY <= b.maxY && a.maxY >= b.minY;
