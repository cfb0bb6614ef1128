// @ts-check
// Frames: named rectangles that hold the elements inside them (docs/protocol.md,
// "Frames"). An element's `frame` field names its frame. Pure rules here, shared by the
// editor (membership as elements are drawn and moved, members moved and deleted with
// their frame), the scene (clipping, labels), the frames list (order) and links; node
// tests check them (assets/test/frames.test.js) against the same rules as
// collab/board/frames.go and collab/render/frames.go.

import { elementBounds } from './geometry.js';
import { pageOf } from './pages.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {import('./doc.js').Op} Op */
/** @typedef {{minX: number, minY: number, maxX: number, maxY: number}} Rect */

/** A frame's name is drawn this size (world units) with its top this far above the frame
 * (as collab/render draws it in exports). */
export const LABEL_SIZE = 14;
export const LABEL_GAP = 20;
/** The longest frame name, in characters (wire.MaxFrameName). */
export const MAX_NAME = 200;

/** @param {Element | undefined} el */
export const isFrame = (el) => !!el && el.type === 'frame' && !el.deleted;

/** The name a frame shows. @param {Element} f */
export const frameName = (f) => f.text || 'Frame';

/**
 * The area a frame covers: what its members are clipped to.
 * @param {Element} f @returns {Rect}
 */
export function frameRect(f) {
  const x = f.x || 0;
  const y = f.y || 0;
  return { minX: x, minY: y, maxX: x + Math.max(1, f.w || 0), maxY: y + Math.max(1, f.h || 0) };
}

/**
 * Where a frame's name is, for hit tests: above its top-left corner, as wide as the
 * name's estimated width but no wider than the frame (at least 40 units, to click).
 * @param {Element} f @returns {Rect}
 */
export function labelRect(f) {
  const r = frameRect(f);
  const w = Math.min(Math.max(40, frameName(f).length * LABEL_SIZE * 0.6), Math.max(40, r.maxX - r.minX));
  return { minX: r.minX, minY: r.minY - LABEL_GAP, maxX: r.minX + w, maxY: r.minY - 2 };
}

/**
 * Frames in frame order (the frames list, a deck's pages): ascending z, ties by id.
 * @param {readonly Element[]} els @returns {Element[]}
 */
export function frameOrder(els) {
  return els.filter(isFrame).sort((a, b) => (a.z < b.z ? -1 : a.z > b.z ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The name for a new frame: "Frame n", n one more than the highest such name in use
 * (or than the count of frames).
 * @param {readonly Element[]} els
 */
export function nextFrameName(els) {
  const frames = els.filter(isFrame);
  let n = frames.length;
  for (const f of frames) {
    const m = /^Frame (\d+)$/.exec(f.text ?? '');
    if (m) n = Math.max(n, Number(m[1]));
  }
  return `Frame ${n + 1}`;
}

/**
 * The frame an element belongs in by where it is: the topmost frame (last in frame
 * order) on its page whose area holds the centre of the element's bounds; undefined for none.
 * Frames are never in frames.
 * @param {Element} el @param {readonly Element[]} frames in frame order
 */
export function frameAt(el, frames) {
  if (el.type === 'frame') return undefined;
  const b = elementBounds(el);
  const cx = (b.minX + b.maxX) / 2;
  const cy = (b.minY + b.maxY) / 2;
  for (let i = frames.length - 1; i >= 0; i--) {
    const r = frameRect(frames[i]);
    if (frames[i].id !== el.id && pageOf(frames[i]) === pageOf(el) && cx >= r.minX && cx <= r.maxX && cy >= r.minY && cy <= r.maxY) return frames[i];
  }
  return undefined;
}

/** Whether b lies wholly inside a. @param {Rect} a @param {Rect} b */
const holds = (a, b) => b.minX >= a.minX && b.maxX <= a.maxX && b.minY >= a.minY && b.maxY <= a.maxY;

/** Fields whose change moves an element, so its frame is looked at again. */
const PLACE = ['x', 'y', 'w', 'h', 'points', 'angle'];

/**
 * A change with the frame rules applied, as one batch:
 *  - an element put or moved (not a frame) goes into the frame its centre is in, or out
 *    of its frame when it leaves it (an op that sets `frame` itself is left alone);
 *  - a new frame takes in the elements in no frame that lie wholly inside it;
 *  - a resized frame keeps its contents in place and holds what its new edges hold
 *    (resized, below);
 *  - deleting a frame deletes its members.
 * Moving a frame needs no ops for its members: the frame's patch moves them wherever it
 * is applied (doc.js applyBatch, carriedBy below).
 * `get` returns an element as committed (before ops); `list` is every live element.
 * @param {Op[]} ops @param {(id: string) => Element | undefined} get @param {readonly Element[]} list
 * @returns {Op[]}
 */
export function withFrames(ops, get, list) {
  if (!ops.length) return ops;
  /** @type {Map<string, Op>} */
  const touched = new Map();
  for (const op of ops) touched.set(op.o === 'put' ? op.el.id : op.id, op);
  // The frames as the change leaves them.
  /** @type {Map<string, Element | undefined>} */
  const after = new Map();
  for (const op of ops) {
    const id = op.o === 'put' ? op.el.id : op.id;
    const cur = after.has(id) ? after.get(id) : get(id);
    if (op.o === 'put') after.set(id, op.el);
    else if (op.o === 'del') after.set(id, undefined);
    else if (cur) after.set(id, { ...cur, ...op.set });
  }
  const frames = frameOrder([...list.filter((el) => !after.has(el.id)), .../** @type {Element[]} */ ([...after.values()].filter(Boolean))]);
  if (!frames.length && !list.some((el) => el.frame)) return ops;
  /** @type {Op[]} */
  const out = ops.map((op) => {
    if (op.o === 'del') return op;
    const el = after.get(op.o === 'put' ? op.el.id : op.id);
    if (!el || el.type === 'frame') return op;
    if (op.o === 'patch' && ('frame' in op.set || !PLACE.some((k) => k in op.set))) return op;
    const f = frameAt(el, frames)?.id ?? '';
    if (f === (el.frame ?? '')) return op;
    if (op.o === 'put') return { o: 'put', el: f ? { ...op.el, frame: f } : withoutFrame(op.el) };
    return { o: 'patch', id: op.id, set: { ...op.set, frame: f } };
  });
  for (const op of ops) {
    const id = op.o === 'put' ? op.el.id : op.id;
    const before = get(id);
    if (op.o === 'del') {
      if (before?.type !== 'frame') continue;
      for (const m of list) if (m.frame === id && !touched.has(m.id)) out.push({ o: 'del', id: m.id }), touched.set(m.id, op);
      continue;
    }
    const f = after.get(id);
    if (!f || f.type !== 'frame') continue;
    if (!before) {
      // A new frame takes in what it was drawn around.
      const r = frameRect(f);
      for (const m of list) {
        if (m.frame || m.type === 'frame' || touched.has(m.id) || pageOf(m) !== pageOf(f) || !holds(r, elementBounds(m))) continue;
        out.push({ o: 'patch', id: m.id, set: { frame: id } });
        touched.set(m.id, op);
      }
    } else if (op.o === 'patch' && ('w' in op.set || 'h' in op.set)) {
      resized(out, touched, op, before, f, list);
    }
  }
  return out;
}

/**
 * A frame resized (its w or h set): its contents stay where they are, and what it holds
 * follows its new edges, as when it was drawn. Resizing by a left or top handle also
 * sets the frame's x or y, which would carry its members along (doc.js applyBatch), so
 * each member is pinned with its own x and y (an element the batch places is not
 * carried). A member whose centre the new edges leave out leaves the frame, as when it
 * is dragged out (frameAt); elements in no frame wholly inside them join it, as when a
 * frame is drawn around them.
 * @param {Op[]} out @param {Map<string, Op>} touched @param {Op} op
 * @param {Element} before @param {Element} f the frame before and after the op
 * @param {readonly Element[]} list
 */
function resized(out, touched, op, before, f, list) {
  const r = frameRect(f);
  const shifted = (f.x || 0) !== (before.x || 0) || (f.y || 0) !== (before.y || 0);
  for (const m of list) {
    if (touched.has(m.id) || m.type === 'frame') continue;
    /** @type {Record<string, any> | null} */
    let set = null;
    if (m.frame === f.id) {
      const b = elementBounds(m);
      const cx = (b.minX + b.maxX) / 2;
      const cy = (b.minY + b.maxY) / 2;
      const outside = cx < r.minX || cx > r.maxX || cy < r.minY || cy > r.maxY;
      if (shifted) set = { x: m.x || 0, y: m.y || 0 };
      if (outside) set = { ...set, frame: '' };
    } else if (!m.frame && pageOf(m) === pageOf(f) && holds(r, elementBounds(m))) {
      set = { frame: f.id };
    }
    if (!set) continue;
    out.push({ o: 'patch', id: m.id, set });
    touched.set(m.id, op);
  }
}

/**
 * The members a change moves by moving their frames (the rule of doc.js applyBatch), as
 * the change leaves them: id → element. Members the change puts or places itself are
 * not in it. For what reacts to the members' new places in the same batch (bound
 * arrows). `get` returns an element as committed; `list` is every live element.
 * @param {Op[]} ops @param {(id: string) => Element | undefined} get @param {readonly Element[]} list
 * @returns {Map<string, Element>}
 */
export function carriedBy(ops, get, list) {
  /** @type {Map<string, Element>} */
  const out = new Map();
  /** @type {Map<string, Element>} */
  const frames = new Map(); // the moved frames as the ops leave them
  /** @type {Map<string, [number, number]>} */
  const moves = new Map();
  /** @type {Set<string>} */
  const placed = new Set();
  for (const op of ops) {
    if (op.o === 'put') placed.add(op.el.id);
    if (op.o !== 'patch' || !('x' in op.set || 'y' in op.set)) continue;
    placed.add(op.id);
    const before = frames.get(op.id) ?? get(op.id);
    if (!before || before.type !== 'frame' || before.deleted) continue;
    const after = { ...before, ...op.set };
    frames.set(op.id, after);
    const [dx, dy] = moves.get(op.id) ?? [0, 0];
    moves.set(op.id, [dx + (after.x || 0) - (before.x || 0), dy + (after.y || 0) - (before.y || 0)]);
  }
  if (!moves.size) return out;
  for (const el of list) {
    const d = el.frame ? moves.get(el.frame) : undefined;
    if (!d || (!d[0] && !d[1]) || placed.has(el.id)) continue;
    const base = get(el.id) ?? el;
    out.set(el.id, { ...base, x: (base.x || 0) + d[0], y: (base.y || 0) + d[1] });
  }
  return out;
}

/** @param {Element} el */
function withoutFrame(el) {
  const { frame, ...rest } = el;
  return rest;
}

/**
 * The frame id a link's fragment names (`#frame=<id>`), or ''.
 * @param {string} hash location.hash
 */
export function frameFromHash(hash) {
  const m = /(?:^#|&)frame=([A-Za-z0-9_-]{1,32})(?:&|$)/.exec(hash);
  return m ? m[1] : '';
}

/**
 * A link to a frame: the page's address with `#frame=<id>`.
 * @param {string} href @param {string} id
 */
export function frameLink(href, id) {
  return `${href.split('#')[0]}#frame=${encodeURIComponent(id)}`;
}
