// @ts-check
// Arranging a selection: aligning its elements to one edge or centre line of the box
// around them, spacing them evenly, flipping them, and copying one element's style onto
// others. Pure functions from elements to the fields that change (one patch each), so
// that a command is one batch, one undo step, like every other edit.
//
// A group moves as one piece: aligning or spacing never pulls a group apart. Positions
// are measured on the elements' outlines (hit.js frameBounds), not on their stroke
// widths, as the selection box shows them.

import { localBox } from './geometry.js';
import { unionBounds, centre } from './hit.js';
import { normalizeAngle } from './transform.js';
import { APPLIES, styleValue } from './style.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {import('./geometry.js').Rect} Rect */
/** @typedef {Record<string, any>} Fields */
/** @typedef {'left' | 'centre' | 'right' | 'top' | 'middle' | 'bottom'} Alignment */
/** @typedef {'horizontal' | 'vertical'} Axis */

/** Types whose shape is their points: a flip mirrors the points. */
const POINTS = new Set(['stroke', 'line', 'arrow']);

/** Rounds to 0.01, as stored coordinates are. @param {number} v */
const r2 = (v) => Math.round(v * 100) / 100;

/**
 * The pieces that move together: each group is one piece, each ungrouped element another,
 * in the order they first appear in els.
 * @param {readonly Element[]} els
 * @returns {{els: Element[], box: Rect}[]}
 */
export function pieces(els) {
  /** @type {Map<string, Element[]>} */
  const byKey = new Map();
  for (const el of els) {
    const key = el.group ? `g:${el.group}` : `e:${el.id}`;
    const list = byKey.get(key);
    if (list) list.push(el);
    else byKey.set(key, [el]);
  }
  return [...byKey.values()].map((list) => ({ els: list, box: /** @type {Rect} */ (unionBounds(list)) }));
}

/**
 * Moves every element of a piece by (dx, dy) into out (nothing for a zero move).
 * @param {Map<string, Fields>} out @param {readonly Element[]} els @param {number} dx @param {number} dy
 */
function shift(out, els, dx, dy) {
  if (Math.abs(dx) < 0.005 && Math.abs(dy) < 0.005) return;
  for (const el of els) out.set(el.id, { x: r2((el.x || 0) + dx), y: r2((el.y || 0) + dy) });
}

/**
 * Aligns the pieces of a selection of two or more to one edge or centre line of the box
 * around them all: `left` puts every piece's left edge on the box's left edge, `centre`
 * every piece's centre on the box's vertical centre line, `middle` on its horizontal one.
 * Returns the fields that change, by id (empty for fewer than two pieces).
 * @param {readonly Element[]} els
 * @param {Alignment} how
 * @returns {Map<string, Fields>}
 */
export function align(els, how) {
  /** @type {Map<string, Fields>} */
  const out = new Map();
  const ps = pieces(els);
  if (ps.length < 2) return out;
  const all = /** @type {Rect} */ (unionBounds(els));
  for (const p of ps) {
    const b = p.box;
    let dx = 0;
    let dy = 0;
    if (how === 'left') dx = all.minX - b.minX;
    else if (how === 'right') dx = all.maxX - b.maxX;
    else if (how === 'centre') dx = (all.minX + all.maxX) / 2 - (b.minX + b.maxX) / 2;
    else if (how === 'top') dy = all.minY - b.minY;
    else if (how === 'bottom') dy = all.maxY - b.maxY;
    else if (how === 'middle') dy = (all.minY + all.maxY) / 2 - (b.minY + b.maxY) / 2;
    shift(out, p.els, dx, dy);
  }
  return out;
}

/**
 * Spaces the pieces of a selection of three or more evenly along an axis: the first and
 * last (by centre) stay, the others move so that the gaps between neighbours are equal.
 * Where the pieces overlap too much for gaps, their centres are spaced evenly instead.
 * Returns the fields that change, by id (empty for fewer than three pieces).
 * @param {readonly Element[]} els
 * @param {Axis} axis
 * @returns {Map<string, Fields>}
 */
export function distribute(els, axis) {
  /** @type {Map<string, Fields>} */
  const out = new Map();
  const ps = pieces(els);
  if (ps.length < 3) return out;
  const h = axis === 'horizontal';
  const lo = (/** @type {Rect} */ b) => (h ? b.minX : b.minY);
  const hi = (/** @type {Rect} */ b) => (h ? b.maxX : b.maxY);
  const mid = (/** @type {Rect} */ b) => (lo(b) + hi(b)) / 2;
  ps.sort((a, b) => mid(a.box) - mid(b.box));
  const first = ps[0].box;
  const last = ps[ps.length - 1].box;
  const sizes = ps.reduce((s, p) => s + hi(p.box) - lo(p.box), 0);
  const gap = (hi(last) - lo(first) - sizes) / (ps.length - 1);
  if (gap >= 0) {
    let at = hi(first) + gap;
    for (const p of ps.slice(1, -1)) {
      const d = at - lo(p.box);
      shift(out, p.els, h ? d : 0, h ? 0 : d);
      at += hi(p.box) - lo(p.box) + gap;
    }
  } else {
    const step = (mid(last) - mid(first)) / (ps.length - 1);
    ps.slice(1, -1).forEach((p, i) => {
      const d = mid(first) + step * (i + 1) - mid(p.box);
      shift(out, p.els, h ? d : 0, h ? 0 : d);
    });
  }
  return out;
}

/**
 * Mirrors elements across the vertical (`horizontal` flip) or horizontal (`vertical`)
 * centre line of the box around them all. Each element's centre is mirrored; its shape
 * is mirrored in its own frame — points about its centre, so lines, arrows (heads and
 * all) and strokes turn round — and its rotation is negated, since a mirror turns a
 * clockwise rotation into an anticlockwise one. Boxes (shapes, text, notes, images) keep
 * their contents the right way round, as in Excalidraw. Returns the changed fields by id.
 * @param {readonly Element[]} els
 * @param {Axis} axis
 * @returns {Map<string, Fields>}
 */
export function flip(els, axis) {
  /** @type {Map<string, Fields>} */
  const out = new Map();
  const all = unionBounds(els);
  if (!all) return out;
  const h = axis === 'horizontal';
  const cx = (all.minX + all.maxX) / 2;
  const cy = (all.minY + all.maxY) / 2;
  for (const el of els) {
    const [ex, ey] = centre(el);
    /** @type {Fields} */
    const f = {
      x: r2((el.x || 0) + (h ? 2 * (cx - ex) : 0)),
      y: r2((el.y || 0) + (h ? 0 : 2 * (cy - ey))),
    };
    if (el.angle) f.angle = normalizeAngle(-el.angle);
    if (POINTS.has(el.type) && el.points?.length) {
      const b = localBox(el);
      const mx = b.minX + b.maxX;
      const my = b.minY + b.maxY;
      f.points = el.points.map((p) => {
        const q = h ? [r2(mx - p[0]), p[1]] : [p[0], r2(my - p[1])];
        if (p.length > 2) q.push(p[2]);
        return q;
      });
    }
    out.set(el.id, f);
  }
  return out;
}

/**
 * The style of an element, for "Copy styles": every style property it has (APPLIES),
 * as the renderer reads it.
 * @param {Element} el
 * @returns {{type: string, style: Fields}}
 */
export function styleOf(el) {
  /** @type {Fields} */
  const style = {};
  for (const [prop, types] of Object.entries(APPLIES)) {
    if (types.has(el.type)) style[prop] = styleValue(el, /** @type {any} */ (prop));
  }
  return { type: el.type, style };
}

/**
 * The patches "Paste styles" makes: each element takes the copied properties that apply
 * to its type and differ from what it has. A note's background and other fills are not
 * swapped for each other (a note with a shape's "no fill" would vanish), so fill passes
 * only between notes or only between non-notes.
 * @param {readonly Element[]} els
 * @param {{type: string, style: Fields}} copied
 * @returns {{o: 'patch', id: string, set: Fields}[]}
 */
export function pasteStyleOps(els, copied) {
  const ops = [];
  for (const el of els) {
    /** @type {Fields} */
    const set = {};
    for (const [prop, value] of Object.entries(copied.style)) {
      const types = APPLIES[/** @type {keyof typeof APPLIES} */ (prop)];
      if (!types?.has(el.type)) continue;
      if (prop === 'fill' && (el.type === 'note') !== (copied.type === 'note')) continue;
      if (styleValue(el, /** @type {any} */ (prop)) !== value) set[prop] = value;
    }
    if (Object.keys(set).length) ops.push({ o: /** @type {const} */ ('patch'), id: el.id, set });
  }
  return ops;
}

/**
 * The patches of a Map of changed fields, in the order of els.
 * @param {readonly Element[]} els @param {Map<string, Fields>} fields
 * @returns {{o: 'patch', id: string, set: Fields}[]}
 */
export function patches(els, fields) {
  return els.filter((el) => fields.has(el.id)).map((el) => ({ o: /** @type {const} */ ('patch'), id: el.id, set: /** @type {Fields} */ (fields.get(el.id)) }));
}
