// @ts-check
// Arrows bound to shapes. An arrow end that starts or ends on a shape names it
// (startBind/endBind) and sits on the shape's outline, a small gap away, aimed along the
// arrow. When a bound shape moves, the client that moves it recomputes the arrow's points
// and sends them in the same batch, so every collaborator sees the two move together.
// Pure geometry, no DOM.

import { LINEAR, centre, hitElement, linearPoints, rotate, toWorld } from './hit.js';
import { localBox } from './geometry.js';
import { toRelative } from './smooth.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {[number, number]} Vec */

/** World units between a bound arrow's tip and the shape's outline. */
export const GAP = 6;

/** Whether an arrow end can bind to el. @param {Element} el */
export const bindable = (el) => !LINEAR.has(el.type) && !el.deleted;

/**
 * The shape an arrow end at (x, y) binds to: the topmost bindable element under the
 * point, or within `tol` of its outline.
 * @param {readonly Element[]} list in draw order
 * @param {number} x @param {number} y @param {number} tol
 * @param {string} [except] an id that may not be bound (the arrow itself)
 */
export function bindTarget(list, x, y, tol, except = '') {
  for (let i = list.length - 1; i >= 0; i--) {
    const el = list[i];
    if (el.id === except || !bindable(el)) continue;
    if (hitElement({ ...el, fill: el.fill || '#000000', fillStyle: 'solid' }, x, y, tol)) return el;
  }
  return undefined;
}

/**
 * Where the ray from the centre of `el` toward world point `toward` leaves its outline,
 * pushed out by `gap`. A point at the centre gives the centre.
 * @param {Element} el @param {Vec} toward @param {number} [gap]
 * @returns {Vec}
 */
export function outlinePoint(el, toward, gap = GAP) {
  const [cx, cy] = centre(el);
  const angle = el.angle || 0;
  // Work in the shape's unrotated frame, centred on it.
  const [px, py] = rotate(toward[0], toward[1], cx, cy, -angle);
  const dx = px - cx;
  const dy = py - cy;
  const len = Math.hypot(dx, dy);
  if (len === 0) return [cx, cy];
  const b = localBox(el);
  const hw = (b.maxX - b.minX) / 2;
  const hh = (b.maxY - b.minY) / 2;
  const ux = dx / len;
  const uy = dy / len;
  let t;
  if (el.type === 'ellipse') t = hw && hh ? 1 / Math.hypot(ux / hw, uy / hh) : 0;
  else if (el.type === 'diamond') t = hw && hh ? 1 / (Math.abs(ux) / hw + Math.abs(uy) / hh) : 0;
  else t = Math.min(ux ? hw / Math.abs(ux) : Infinity, uy ? hh / Math.abs(uy) : Infinity);
  const r = t + gap;
  return rotate(cx + ux * r, cy + uy * r, cx, cy, angle);
}

/**
 * The absolute points of a linear element.
 * @param {Element} el
 * @returns {Vec[]}
 */
export function absolutePoints(el) {
  return linearPoints(el).map((p) => toWorld(el, p[0], p[1]));
}

/**
 * The fields that put an arrow's ends on the shapes it is bound to, as those shapes are
 * in `get`. An end whose shape is gone stays where it is. Returns null when neither end
 * is bound to a shape that exists.
 * @param {Element} arrow
 * @param {(id: string) => Element | undefined} get
 * @returns {Record<string, any> | null}
 */
export function routeArrow(arrow, get) {
  const start = arrow.startBind ? get(arrow.startBind) : undefined;
  const end = arrow.endBind ? get(arrow.endBind) : undefined;
  if (!start && !end) return null;
  const pts = absolutePoints(arrow);
  if (pts.length < 2) return null;
  const first = pts[0];
  const last = pts[pts.length - 1];
  // Each bound end aims at the other end: its inner neighbour, or the other shape's
  // centre when both ends are bound and the arrow is straight.
  const aimFromStart = end && pts.length === 2 ? centre(end) : pts[1];
  const aimFromEnd = start && pts.length === 2 ? centre(start) : pts[pts.length - 2];
  const a = start ? outlinePoint(start, aimFromStart) : first;
  const b = end ? outlinePoint(end, aimFromEnd) : last;
  const next = [a, ...pts.slice(1, -1), b];
  return { ...toRelative(next), angle: 0 };
}

/**
 * Patches for every arrow bound to one of the elements in `changed`, recomputed from
 * their state in `get` (which already holds the change). Arrows that are themselves in
 * `skip` are left alone.
 * @param {readonly Element[]} list every live element
 * @param {ReadonlySet<string>} changed ids of moved, resized, rotated or deleted elements
 * @param {(id: string) => Element | undefined} get live elements after the change
 * @returns {{o: 'patch', id: string, set: Record<string, any>}[]}
 */
export function rerouteBound(list, changed, get) {
  const ops = [];
  for (const el of list) {
    if (el.type !== 'arrow' && el.type !== 'line') continue;
    if (!changed.has(el.startBind) && !changed.has(el.endBind)) continue;
    const arrow = get(el.id) ?? el;
    /** @type {Record<string, any>} */
    const set = {};
    // A deleted shape lets its arrows go.
    if (arrow.startBind && !get(arrow.startBind)) set.startBind = '';
    if (arrow.endBind && !get(arrow.endBind)) set.endBind = '';
    const routed = routeArrow({ ...arrow, ...set }, get);
    if (routed) Object.assign(set, routed);
    if (Object.keys(set).length) ops.push({ o: /** @type {const} */ ('patch'), id: el.id, set });
  }
  return ops;
}
