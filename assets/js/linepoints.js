// @ts-check
// The points of lines and arrows, as the line tools place them and point editing changes
// them: pure functions on lists of absolute (world) points, and the handles point
// editing shows. The element fields a list of points becomes come from toRelative.

import { absolutePoints } from './arrows.js';
import { isCurved, spanMidpoint } from './curve.js';
import { toWorld } from './hit.js';
import { toRelative } from './smooth.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {[number, number]} Vec */

/** The types whose points can be edited. */
export const EDITABLE = new Set(['line', 'arrow']);

/**
 * The points a line placed click by click keeps: each point closer than `tol` to the
 * one kept before it is dropped (a double click lands twice on the same spot). Fewer
 * than two points left make no line: the caller discards it.
 * @param {readonly Vec[]} points @param {number} tol
 * @returns {Vec[]}
 */
export function cleanPoints(points, tol) {
  /** @type {Vec[]} */
  const out = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (!last || Math.hypot(p[0] - last[0], p[1] - last[1]) > tol) out.push([p[0], p[1]]);
  }
  return out;
}

/**
 * The points with point i moved to p.
 * @param {readonly Vec[]} points @param {number} i @param {Vec} p
 * @returns {Vec[]}
 */
export function movePoint(points, i, p) {
  return points.map((q, j) => (j === i ? [p[0], p[1]] : [q[0], q[1]]));
}

/**
 * The points with p inserted so that it becomes point i (between the old i - 1 and i).
 * @param {readonly Vec[]} points @param {number} i @param {Vec} p
 * @returns {Vec[]}
 */
export function insertPoint(points, i, p) {
  const out = points.map((q) => /** @type {Vec} */ ([q[0], q[1]]));
  out.splice(Math.max(0, Math.min(points.length, i)), 0, [p[0], p[1]]);
  return out;
}

/**
 * The points without point i, or null when that would leave fewer than two: a line
 * keeps at least its two ends.
 * @param {readonly Vec[]} points @param {number} i
 * @returns {Vec[] | null}
 */
export function removePoint(points, i) {
  if (points.length <= 2 || i < 0 || i >= points.length) return null;
  return points.filter((_, j) => j !== i).map((q) => /** @type {Vec} */ ([q[0], q[1]]));
}

/**
 * The fields that give a line these absolute points. A rotated line is straightened
 * into its points, so its angle goes back to 0.
 * @param {readonly Vec[]} points
 */
export function pointFields(points) {
  return { ...toRelative(/** @type {Vec[]} */ (points)), angle: 0 };
}

/**
 * Where point editing shows handles, in world coordinates: one on every point, and one
 * on the middle of every part between two points (on the curve of a round line) that is
 * at least `minSpan` world units long, to drag a new point out of.
 * @param {Element} el @param {number} minSpan
 * @returns {{points: Vec[], mids: {index: number, at: Vec}[]}}
 */
export function editHandles(el, minSpan) {
  const points = absolutePoints(el);
  const local = el.points?.length ? el.points : [[0, 0], [el.w || 0, el.h || 0]];
  const curved = isCurved(el);
  const mids = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    if (Math.hypot(b[0] - a[0], b[1] - a[1]) < minSpan) continue;
    const m = spanMidpoint(local, i, curved);
    mids.push({ index: i, at: toWorld(el, m[0], m[1]) });
  }
  return { points, mids };
}
