// @ts-check
// The document model: the board as the server has confirmed it, plus this client's
// unacknowledged changes shown on top. No DOM here, so node tests can run it.
//
// Elements are plain JSON objects and are never modified in place: every change makes a
// new object. That lets renderers cache derived data (paths, bounds) per object in a
// WeakMap, and lets the pending overlay share untouched elements with the confirmed map.

import { DEFAULT_PAGE, pageOf, pageOrder } from './pages.js';

/**
 * @typedef {Record<string, any> & {id: string, type: string, z?: string, deleted?: boolean}} Element
 * @typedef {{o: 'put', el: Element} | {o: 'patch', id: string, set: Record<string, any>, v?: number}
 *   | {o: 'del', id: string, v?: number}} Op
 * @typedef {{t: 'ops', seq: number, cid?: string, by?: string, at?: number, ops: Op[]}} Broadcast
 * @typedef {{cid: string, ops: Op[]}} Batch
 */

/** @param {Element} el @returns {Op} */
export const putOp = (el) => ({ o: 'put', el });

/** @param {string} id @param {Record<string, any>} set @returns {Op} */
export const patchOp = (id, set) => ({ o: 'patch', id, set });

/** @param {string} id @returns {Op} */
export const delOp = (id) => ({ o: 'del', id });

/**
 * Sorts elements the way they are drawn: ascending z, ties broken by id.
 * @param {Element} a @param {Element} b
 */
export function drawOrder(a, b) {
  const za = a.z ?? '';
  const zb = b.z ?? '';
  if (za !== zb) return za < zb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Applies one op to the elements in `m` the way the protocol defines it. `stamp` holds
 * the bookkeeping fields a server broadcast adds (v, by, at); local pending ops have none.
 * Ops on ids `m` has never had are ignored.
 * @param {Map<string, Element>} m
 * @param {Op} op
 * @param {{by?: string, at?: number}} stamp
 */
function applyOp(m, op, stamp) {
  if (op.o === 'put') {
    m.set(op.el.id, op.el);
    return;
  }
  const old = m.get(op.id);
  if (!old) return;
  const next = op.o === 'patch' ? { ...old, ...op.set } : { ...old, deleted: true };
  if (op.v !== undefined) next.v = op.v;
  if (stamp.by !== undefined) next.by = stamp.by;
  if (stamp.at !== undefined) next.at = stamp.at;
  m.set(op.id, next);
}

/**
 * Applies one batch to `m` in order (applyOp), with the frame rule the server applies
 * too (collab/board/carry.go, docs/protocol.md "Frames"): a patch that moves a live
 * frame moves each live element in it by the same distance, except elements the batch
 * puts or places itself (patches their x or y). So a frame of 500 elements moves with one
 * op. A carried element's v goes up by one and takes the batch's stamp, as on the server.
 * @param {Map<string, Element>} m
 * @param {Op[]} ops
 * @param {{by?: string, at?: number}} stamp
 */
export function applyBatch(m, ops, stamp) {
  /** @type {Set<string> | null} */
  let placed = null;
  for (const op of ops) {
    if (op.o === 'put') (placed ??= new Set()).add(op.el.id);
    else if (op.o === 'patch' && ('x' in op.set || 'y' in op.set)) (placed ??= new Set()).add(op.id);
  }
  for (const op of ops) {
    const prev = op.o === 'patch' ? m.get(op.id) : undefined;
    applyOp(m, op, stamp);
    if (prev) carry(m, prev, /** @type {Element} */ (m.get(op.id)), placed, stamp);
  }
}

/**
 * Moves the members of frame f, which an op just moved from prev (applyBatch).
 * @param {Map<string, Element>} m @param {Element} prev @param {Element} f
 * @param {Set<string> | null} placed @param {{by?: string, at?: number}} stamp
 */
function carry(m, prev, f, placed, stamp) {
  const dx = (f.x || 0) - (prev.x || 0);
  const dy = (f.y || 0) - (prev.y || 0);
  if ((!dx && !dy) || prev.deleted || f.deleted || f.type !== 'frame') return;
  const { by, at } = stamp;
  // Replacing a key's value while iterating a Map visits each key once. The copy takes
  // the same property order as el, so 500 members stay one object shape for V8 (a
  // spread with overrides made a frame of 500 twice as dear to carry: 0.25–0.28 ms against
  // 0.12–0.13 in node: bench/js/framemove.mjs).
  for (const el of m.values()) {
    if (el.frame !== f.id || el.deleted || placed?.has(el.id)) continue;
    const next = { ...el };
    next.x = (el.x || 0) + dx;
    next.y = (el.y || 0) + dy;
    next.v = (el.v || 0) + 1;
    if (by !== undefined) next.by = by;
    if (at !== undefined) next.at = at;
    m.set(el.id, next);
  }
}

export class Doc {
  constructor() {
    /** Confirmed elements, tombstones included. @type {Map<string, Element>} */
    this.confirmed = new Map();
    /** The last server seq applied to `confirmed`. */
    this.seq = 0;
    /** Unacknowledged local batches, oldest first. @type {Batch[]} */
    this.pending = [];
    /** @type {Set<() => void>} */
    this.listeners = new Set();
    /** @type {{list: Element[], byId: Map<string, Element>, pages: Element[]} | null} */
    this.cache = null;
    /** confirmed with the pending batches applied, until either changes (committedMap). @type {Map<string, Element> | null} */
    this.committedCache = null;
    /**
     * Local-only ops shown on top of the pending batches and never sent: a drag in
     * progress, redrawn every frame while only some of its states go to the server.
     * @type {Op[] | null}
     */
    this.draft = null;
    /** The page shown: view() holds only its elements (pages.js). */
    this.page = DEFAULT_PAGE;
  }

  /**
   * Shows page `id`: view() holds its elements only; get() still finds every element.
   * @param {string} id
   */
  setPage(id) {
    if (id === this.page) return;
    this.page = id;
    this.changed(false); // the same elements, another page of them
  }

  /** The board's pages in page order (pages.js pageOrder). @returns {readonly Element[]} */
  pages() {
    return this.build().pages;
  }

  /**
   * Shows ops on top of everything without sending them; null clears.
   * @param {Op[] | null} ops
   */
  setDraft(ops) {
    if (!ops && !this.draft) return;
    this.draft = ops && ops.length ? ops : null;
    this.changed(false); // what is committed stays as it is
  }

  /**
   * Calls fn after every change to what view() returns. Returns a function that stops it.
   * @param {() => void} fn
   */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** @param {boolean} [committed] whether confirmed or pending changed (committedMap) */
  changed(committed = true) {
    this.cache = null;
    if (committed) this.committedCache = null;
    for (const fn of this.listeners) fn();
  }

  /**
   * Replaces the confirmed state (a welcome with reset). Pending batches stay on top.
   * @param {Element[]} elements
   * @param {number} seq
   */
  reset(elements, seq) {
    this.confirmed = new Map(elements.map((el) => [el.id, el]));
    this.seq = seq;
    this.changed();
  }

  /**
   * Applies a server `ops` broadcast to the confirmed state. A broadcast at or below the
   * current seq was already applied and is ignored; returns whether it was applied.
   * A broadcast of one of our pending batches (same cid) confirms it, so the batch is
   * dropped at once: after a reconnect, batches found in welcome.ops need no resend.
   * @param {Broadcast} msg
   */
  applyBroadcast(msg) {
    if (msg.seq <= this.seq) return false;
    const stamp = { by: msg.by, at: msg.at };
    applyBatch(this.confirmed, msg.ops, stamp);
    this.seq = msg.seq;
    if (msg.cid) this.pending = this.pending.filter((b) => b.cid !== msg.cid);
    this.changed();
    return true;
  }

  /**
   * Adds a local batch, shown optimistically until ack or reject drops it.
   * @param {string} cid
   * @param {Op[]} ops
   */
  addPending(cid, ops) {
    this.pending.push({ cid, ops });
    this.changed();
  }

  /**
   * Drops the pending batch `cid` once the server has acknowledged it: its effect is
   * in the confirmed state by then, because the broadcast comes before the ack. (Usually
   * the broadcast has dropped it already; this is for servers that do not echo the cid.)
   * @param {string} cid
   */
  ack(cid) {
    return this.dropPending(cid);
  }

  /**
   * Drops the pending batch `cid` because the server refused it.
   * @param {string} cid
   */
  reject(cid) {
    return this.dropPending(cid);
  }

  /** @param {string} cid */
  dropPending(cid) {
    const i = this.pending.findIndex((b) => b.cid === cid);
    if (i < 0) return false;
    this.pending.splice(i, 1);
    this.changed();
    return true;
  }

  /** Builds (or returns the cached) live view. */
  build() {
    if (this.cache) return this.cache;
    let all = this.committedMap();
    if (this.draft) {
      // Building the list is O(n) anyway, so one copy of the map costs nothing extra.
      all = new Map(all);
      applyBatch(all, this.draft, {});
    }
    const live = [...all.values()].filter((el) => !el.deleted);
    const list = live.filter((el) => el.type !== 'page' && pageOf(el) === this.page).sort(drawOrder);
    this.cache = { list, byId: new Map(live.map((el) => [el.id, el])), pages: pageOrder(all.values()) };
    return this.cache;
  }

  /**
   * Live elements of the current page (confirmed with pending applied, tombstones and
   * pages left out) in draw order.
   * The array is cached until the next change: do not modify it.
   * @returns {readonly Element[]}
   */
  view() {
    return this.build().list;
  }

  /**
   * The live element with this id, on any page, pending changes included, or undefined.
   * @param {string} id
   */
  get(id) {
    return this.build().byId.get(id);
  }

  /**
   * The live element with this id as confirmed and pending make it, without the draft:
   * what a drag started from. O(pending ops), no rebuild.
   * @param {string} id
   */
  committed(id) {
    const out = this.committedMap().get(id);
    return out && !out.deleted ? out : undefined;
  }

  /**
   * Every element as confirmed and pending make it (tombstones included), without the
   * draft. Built once per change of either: a pending move of a frame moves its members,
   * so one element's committed state can depend on other elements' ops.
   * @returns {Map<string, Element>}
   */
  committedMap() {
    if (this.committedCache) return this.committedCache;
    let m = this.confirmed;
    if (this.pending.length) {
      m = new Map(m);
      for (const b of this.pending) applyBatch(m, b.ops, {});
    }
    this.committedCache = m;
    return m;
  }

  /** The highest z of any live element, or null on an empty board. */
  topZ() {
    const list = this.view();
    return list.length ? list[list.length - 1].z || null : null;
  }

  /**
   * Every confirmed element, tombstones included, sorted by id (the order of the shared
   * test fixtures and of JSON export).
   */
  all() {
    return [...this.confirmed.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
