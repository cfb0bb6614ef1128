// @ts-check
// Undo and redo of this client's own changes, on a board others edit at the same time.
//
// An entry remembers, for each element a local change touched, only the fields it
// changed: their values before and after. Undoing sends a new batch that sets those
// fields back, so it never reverts a field someone else changed. And a field whose value
// is no longer what we set (someone changed it since) is left alone too: their edit is
// newer than ours, so there is nothing of ours left there to undo. Creation and deletion
// are the `deleted` field going from true to false or back. No DOM here.

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {import('./doc.js').Op} Op */
/** @typedef {(id: string) => Element | undefined} Lookup */
/**
 * What one change did to one element: the changed fields' values before and after.
 * @typedef {{id: string, before: Record<string, any>, after: Record<string, any>}} Change
 * @typedef {{changes: Change[], cids: string[]}} Entry
 */

/** Fields a client never sets: they do not take part in undo. */
const BOOKKEEPING = new Set(['id', 'type', 'v', 'by', 'at']);
const STRINGS = new Set(['stroke', 'fill', 'fillStyle', 'dash', 'font', 'align', 'text', 'startArrow', 'endArrow', 'curve', 'startBind', 'endBind', 'src', 'group', 'z']);
const BOOLS = new Set(['locked', 'deleted']);

/** Most entries kept; the oldest fall off. */
export const MAX_ENTRIES = 200;

/**
 * The value field k has on el, with an absent field read as the protocol's zero value
 * (opacity: 1). Undo sends these values, so they must be ones the server accepts.
 * @param {Element | undefined} el @param {string} k
 */
export function fieldValue(el, k) {
  if (k === 'deleted') return !el || el.deleted === true;
  const v = el?.[k];
  if (v !== undefined && v !== null) return v;
  if (k === 'opacity') return 1;
  if (STRINGS.has(k)) return '';
  if (BOOLS.has(k)) return false;
  if (k === 'points') return [];
  return 0;
}

/**
 * Whether two field values are the same. Numbers compare with a little slack (and
 * inside point arrays too): the server stores points as float32, so what comes back is
 * not bit-for-bit what we sent.
 * @param {any} a @param {any} b
 */
export function sameValue(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  return a === b;
}

/**
 * The change from element state `a` to state `b` (either may be undefined: no such
 * element), or null when nothing changed.
 * @param {string} id @param {Element | undefined} a @param {Element | undefined} b
 * @returns {Change | null}
 */
export function diff(id, a, b) {
  const aLive = !!a && !a.deleted;
  const bLive = !!b && !b.deleted;
  /** @type {Change} */
  const change = { id, before: {}, after: {} };
  if (aLive !== bLive) {
    change.before.deleted = !aLive;
    change.after.deleted = !bLive;
  }
  // A created or deleted element is restored by its tombstone; only an element that
  // lived on both sides has fields worth comparing.
  if (aLive && bLive) {
    for (const k of new Set([...Object.keys(/** @type {Element} */ (a)), ...Object.keys(/** @type {Element} */ (b))])) {
      if (BOOKKEEPING.has(k) || k === 'deleted') continue;
      const va = fieldValue(a, k);
      const vb = fieldValue(b, k);
      if (!sameValue(va, vb)) {
        change.before[k] = va;
        change.after[k] = vb;
      }
    }
  }
  return Object.keys(change.after).length ? change : null;
}

/**
 * The ops that take the changes back to their `before` values, for the fields that
 * still hold the `after` value we gave them; fields someone changed since are skipped.
 * @param {readonly Change[]} changes @param {Lookup} get
 * @returns {Op[]}
 */
export function revert(changes, get) {
  /** @type {Op[]} */
  const ops = [];
  for (const c of changes) {
    const cur = get(c.id);
    /** @type {Record<string, any>} */
    const set = {};
    for (const [k, after] of Object.entries(c.after)) {
      if (sameValue(fieldValue(cur, k), after)) set[k] = c.before[k];
    }
    if (!Object.keys(set).length) continue;
    const keys = Object.keys(set);
    if (keys.length === 1 && set.deleted === true) ops.push({ o: 'del', id: c.id });
    else ops.push({ o: 'patch', id: c.id, set });
  }
  return ops;
}

/**
 * Collects what a gesture changes across one or more batches: call touch() with each
 * batch's ops before applying it, then entry() at the end.
 */
export class Capture {
  /** @param {Lookup} get */
  constructor(get) {
    this.get = get;
    /** The first state seen of every element touched. @type {Map<string, Element | undefined>} */
    this.before = new Map();
    /** @type {string[]} */
    this.cids = [];
  }

  /** @param {readonly Op[]} ops */
  touch(ops) {
    for (const op of ops) {
      const id = op.o === 'put' ? op.el.id : op.id;
      if (!this.before.has(id)) this.before.set(id, this.get(id));
    }
  }

  /** @returns {Entry | null} the changes from the first state to now, if any */
  entry() {
    /** @type {Change[]} */
    const changes = [];
    for (const [id, was] of this.before) {
      const c = diff(id, was, this.get(id));
      if (c) changes.push(c);
    }
    return changes.length ? { changes, cids: this.cids } : null;
  }
}

/**
 * The undo and redo stacks of one client.
 */
export class History {
  constructor(limit = MAX_ENTRIES) {
    this.limit = limit;
    /** @type {Entry[]} */
    this.done = [];
    /** @type {Entry[]} */
    this.undone = [];
  }

  /**
   * Records a local change (from a Capture); a new change ends what redo could do.
   * @param {Entry | null} entry
   */
  push(entry) {
    if (!entry) return;
    this.done.push(entry);
    if (this.done.length > this.limit) this.done.shift();
    this.undone = [];
  }

  /**
   * Applies ops with `apply` (which sends them and returns their batch ids), capturing
   * what they change, and records it as one entry.
   * @param {readonly Op[]} ops @param {Lookup} get @param {(ops: readonly Op[]) => string[]} apply
   */
  record(ops, get, apply) {
    const cap = new Capture(get);
    cap.touch(ops);
    cap.cids.push(...apply(ops));
    this.push(cap.entry());
  }

  get canUndo() {
    return this.done.length > 0;
  }

  get canRedo() {
    return this.undone.length > 0;
  }

  /**
   * Undoes the latest entry that still has something of ours to undo (entries fully
   * overtaken by other people's edits are dropped on the way). Returns the ops sent,
   * or null when there was nothing to undo.
   * @param {Lookup} get @param {(ops: readonly Op[]) => string[]} apply
   */
  undo(get, apply) {
    return this.step(this.done, this.undone, get, apply);
  }

  /**
   * Redoes the latest undone entry; same rules as undo.
   * @param {Lookup} get @param {(ops: readonly Op[]) => string[]} apply
   */
  redo(get, apply) {
    return this.step(this.undone, this.done, get, apply);
  }

  /**
   * @param {Entry[]} from @param {Entry[]} to @param {Lookup} get
   * @param {(ops: readonly Op[]) => string[]} apply
   */
  step(from, to, get, apply) {
    for (let entry = from.pop(); entry; entry = from.pop()) {
      const ops = revert(entry.changes, get);
      if (!ops.length) continue;
      const cap = new Capture(get);
      cap.touch(ops);
      cap.cids.push(...apply(ops));
      const back = cap.entry();
      if (back) to.push(back);
      return ops;
    }
    return null;
  }

  /**
   * Forgets entries made by batch `cid`, which the server refused: their `after` never
   * happened, and undoing it could revert other fields.
   * @param {string} cid
   */
  forget(cid) {
    const keep = (/** @type {Entry} */ e) => !e.cids.includes(cid);
    this.done = this.done.filter(keep);
    this.undone = this.undone.filter(keep);
  }
}
