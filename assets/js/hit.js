// @ts-check
// Hit-testing: which element is under a point, which lie inside a marquee, which the
// eraser touches. Pure geometry on element data, no DOM, so node tests run it.
//
// An element is drawn translated to (x, y) and then rotated by `angle` about the centre of
// its local box (see render.js). To test a point we undo both: the point goes into the
// element's local coordinates, where every shape is axis-aligned.

import { localBox, elementBounds } from './geometry.js';
import { isCurved, flattenCurve } from './curve.js';
import { labelRect } from './frames.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {import('./geometry.js').Rect} Rect */
/** @typedef {[number, number]} Vec */

/** Types drawn from `points` rather than the w × h box. */
export const LINEAR = new Set(['stroke', 'line', 'arrow']);
/** Types that are a box: a point inside them hits, whatever their fill. */
const SOLID = new Set(['text', 'note', 'image']);

/**
 * The element's centre in world coordinates: the point it rotates about.
 * @param {Element} el
 * @returns {Vec}
 */
export function centre(el) {
  const b = localBox(el);
  return [(el.x || 0) + (b.minX + b.maxX) / 2, (el.y || 0) + (b.minY + b.maxY) / 2];
}

/**
 * Rotates (x, y) by angle about (cx, cy).
 * @param {number} x @param {number} y @param {number} cx @param {number} cy @param {number} angle
 * @returns {Vec}
 */
export function rotate(x, y, cx, cy, angle) {
  if (!angle) return [x, y];
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const dx = x - cx;
  const dy = y - cy;
  return [cx + dx * c - dy * s, cy + dx * s + dy * c];
}

/**
 * A world point in the element's local coordinates (those of its points and local box).
 * @param {Element} el @param {number} x @param {number} y
 * @returns {Vec}
 */
export function toLocal(el, x, y) {
  const [cx, cy] = centre(el);
  const [rx, ry] = rotate(x, y, cx, cy, -(el.angle || 0));
  return [rx - (el.x || 0), ry - (el.y || 0)];
}

/**
 * A local point of the element in world coordinates.
 * @param {Element} el @param {number} lx @param {number} ly
 * @returns {Vec}
 */
export function toWorld(el, lx, ly) {
  const [cx, cy] = centre(el);
  return rotate(lx + (el.x || 0), ly + (el.y || 0), cx, cy, el.angle || 0);
}

/**
 * Distance from p to the segment a-b.
 * @param {number} px @param {number} py @param {number} ax @param {number} ay @param {number} bx @param {number} by
 */
export function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  return Math.hypot(ax + t * dx - px, ay + t * dy - py);
}

/**
 * Distance from p to the polyline through points (a single point: the distance to it).
 * @param {readonly number[][]} points @param {number} px @param {number} py @param {boolean} [closed]
 */
export function polylineDistance(points, px, py, closed = false) {
  if (points.length === 0) return Infinity;
  if (points.length === 1) return Math.hypot(points[0][0] - px, points[0][1] - py);
  let best = Infinity;
  const n = points.length;
  for (let i = 1; i < n + (closed ? 1 : 0); i++) {
    const a = points[i - 1];
    const b = points[i % n];
    const d = segmentDistance(px, py, a[0], a[1], b[0], b[1]);
    if (d < best) best = d;
  }
  return best;
}

/**
 * The points a linear element is drawn through, in local coordinates.
 * @param {Element} el
 * @returns {number[][]}
 */
export function linearPoints(el) {
  return el.points?.length ? el.points : [[0, 0], [el.w || 0, el.h || 0]];
}

/** @type {WeakMap<Element, number[][]>} */
const pathCache = new WeakMap();

/**
 * The line as drawn, in local coordinates: its points, or for a round line its curve
 * as a fine polyline. What hit-testing and outlines follow.
 * @param {Element} el
 * @returns {number[][]}
 */
export function linearPath(el) {
  if (!isCurved(el)) return linearPoints(el);
  let p = pathCache.get(el);
  if (!p) pathCache.set(el, (p = flattenCurve(el.points)));
  return p;
}

/**
 * The corners of a box type's outline (a diamond's are the edge midpoints), local.
 * @param {Element} el
 */
function outline(el) {
  const b = localBox(el);
  if (el.type === 'diamond') {
    const cx = (b.minX + b.maxX) / 2;
    const cy = (b.minY + b.maxY) / 2;
    return [[cx, b.minY], [b.maxX, cy], [cx, b.maxY], [b.minX, cy]];
  }
  return [[b.minX, b.minY], [b.maxX, b.minY], [b.maxX, b.maxY], [b.minX, b.maxY]];
}

/**
 * Whether the local point is inside the element's shape (not just its box).
 * @param {Element} el @param {number} lx @param {number} ly
 */
function inside(el, lx, ly) {
  const b = localBox(el);
  if (lx < b.minX || lx > b.maxX || ly < b.minY || ly > b.maxY) return false;
  const hw = (b.maxX - b.minX) / 2;
  const hh = (b.maxY - b.minY) / 2;
  const dx = lx - (b.minX + hw);
  const dy = ly - (b.minY + hh);
  if (el.type === 'ellipse') return hw > 0 && hh > 0 && (dx / hw) ** 2 + (dy / hh) ** 2 <= 1;
  if (el.type === 'diamond') return hw > 0 && hh > 0 && Math.abs(dx) / hw + Math.abs(dy) / hh <= 1;
  return true;
}

/**
 * Distance from a local point to an ellipse's outline, measured along the ray from the
 * centre (exact for circles, close enough to pick an ellipse by its edge).
 * @param {Element} el @param {number} lx @param {number} ly
 */
function ellipseDistance(el, lx, ly) {
  const b = localBox(el);
  const rx = (b.maxX - b.minX) / 2;
  const ry = (b.maxY - b.minY) / 2;
  const dx = lx - (b.minX + rx);
  const dy = ly - (b.minY + ry);
  if (rx === 0 || ry === 0) return polylineDistance(outline(el), lx, ly, true);
  const r = Math.hypot(dx / rx, dy / ry);
  const len = Math.hypot(dx, dy);
  if (r === 0) return Math.min(rx, ry);
  return Math.abs(len - len / r);
}

/** Whether a box shape is filled, so that its inside is part of it. @param {Element} el */
export const filled = (el) => !!el.fill && el.fillStyle !== 'none';

/**
 * Whether world point (x, y) hits the element, with `tol` world units of slack: strokes,
 * lines and arrows by their distance to the line as drawn (a round one's curve, plus
 * half their width); filled
 * shapes, text, notes and images anywhere inside; unfilled shapes near their outline.
 * @param {Element} el @param {number} x @param {number} y @param {number} tol
 */
export function hitElement(el, x, y, tol) {
  const [lx, ly] = toLocal(el, x, y);
  const reach = tol + (el.width || 1) / 2;
  if (LINEAR.has(el.type)) return polylineDistance(linearPath(el), lx, ly) <= reach;
  if (el.type === 'frame') {
    // A frame is picked by its name or its edge; inside it, its members are.
    const l = labelRect(el);
    if (x >= l.minX - tol && x <= l.maxX + tol && y >= l.minY - tol && y <= l.maxY + tol) return true;
  }
  if (SOLID.has(el.type) || filled(el)) {
    if (inside(el, lx, ly)) return true;
  }
  if (el.type === 'ellipse') return ellipseDistance(el, lx, ly) <= reach;
  return polylineDistance(outline(el), lx, ly, true) <= reach;
}

/**
 * The topmost element (last in draw order) hit at (x, y) for which `accept` is true.
 * @param {readonly Element[]} list in draw order
 * @param {number} x @param {number} y @param {number} tol
 * @param {(el: Element) => boolean} [accept]
 */
export function topHit(list, x, y, tol, accept = () => true) {
  for (let i = list.length - 1; i >= 0; i--) {
    const el = list[i];
    if (near(el, x, y, tol) && accept(el) && hitElement(el, x, y, tol)) return el;
  }
  return undefined;
}

/**
 * Every element hit at (x, y), in draw order (the eraser takes all it touches).
 * @param {readonly Element[]} list @param {number} x @param {number} y @param {number} tol
 */
export function allHits(list, x, y, tol) {
  return list.filter((el) => near(el, x, y, tol) && hitElement(el, x, y, tol));
}

/**
 * A cheap first test: whether (x, y) is within tol of the element's cached bounds.
 * @param {Element} el @param {number} x @param {number} y @param {number} tol
 */
function near(el, x, y, tol) {
  const b = elementBounds(el);
  return x >= b.minX - tol && x <= b.maxX + tol && y >= b.minY - tol && y <= b.maxY + tol;
}

/**
 * The four corners of the element's local box, in world coordinates (rotation applied).
 * @param {Element} el
 * @returns {Vec[]}
 */
export function corners(el) {
  const b = localBox(el);
  return [
    toWorld(el, b.minX, b.minY),
    toWorld(el, b.maxX, b.minY),
    toWorld(el, b.maxX, b.maxY),
    toWorld(el, b.minX, b.maxY),
  ];
}

/**
 * The axis-aligned world box of the element's shape, without stroke width: what
 * selection boxes and marquees measure.
 * @param {Element} el
 * @returns {Rect}
 */
export function frameBounds(el) {
  const pts = el.angle || !LINEAR.has(el.type) || isCurved(el) ? corners(el) : linearPoints(el).map((p) => [p[0] + (el.x || 0), p[1] + (el.y || 0)]);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [px, py] of pts) {
    if (px < minX) minX = px;
    if (px > maxX) maxX = px;
    if (py < minY) minY = py;
    if (py > maxY) maxY = py;
  }
  return { minX, minY, maxX, maxY };
}

/**
 * The box around several elements, or null for none.
 * @param {readonly Element[]} els
 * @returns {Rect | null}
 */
export function unionBounds(els) {
  if (!els.length) return null;
  const r = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const el of els) {
    const b = frameBounds(el);
    r.minX = Math.min(r.minX, b.minX);
    r.minY = Math.min(r.minY, b.minY);
    r.maxX = Math.max(r.maxX, b.maxX);
    r.maxY = Math.max(r.maxY, b.maxY);
  }
  return r;
}

/**
 * Whether the element lies entirely inside rect (a marquee selects what it encloses).
 * @param {Element} el @param {Rect} rect
 */
export function within(el, rect) {
  const b = frameBounds(el);
  return b.minX >= rect.minX && b.maxX <= rect.maxX && b.minY >= rect.minY && b.maxY <= rect.maxY;
}

/**
 * A rectangle from two corner points in any order.
 * @param {number} ax @param {number} ay @param {number} bx @param {number} by
 * @returns {Rect}
 */
export const rectFrom = (ax, ay, bx, by) => ({ minX: Math.min(ax, bx), minY: Math.min(ay, by), maxX: Math.max(ax, bx), maxY: Math.max(ay, by) });

/**
 * Points every `step` world units along the segment a-b (a and b included), so that a
 * fast eraser or a long move between two pointer events still tests everything it passed.
 * @param {Vec} a @param {Vec} b @param {number} step
 * @returns {Vec[]}
 */
export function sampleSegment(a, b, step) {
  const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / Math.max(step, 1e-9)));
  return Array.from({ length: n + 1 }, (_, i) => /** @type {Vec} */ ([a[0] + ((b[0] - a[0]) * i) / n, a[1] + ((b[1] - a[1]) * i) / n]));
}
