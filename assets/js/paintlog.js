// @ts-check
// When this page first drew what someone else drew: the first frame showing the preview
// of their element in progress (live layer), the first frame showing the element the
// server stored (scene layer), and the first scene frame after each of their batches
// (by seq: a move or other change of elements already here). Times are epoch milliseconds with sub-millisecond
// resolution (performance.timeOrigin + performance.now()), so two pages on one machine
// can be compared. The browser benchmark of stroke latency reads this as
// window.tabula.painted. No DOM here; it keeps only the newest entries, so a long session
// costs nothing, and a frame with nothing new costs one size check.

/** How many entries each map keeps. */
export const PAINT_LOG_SIZE = 64;

/**
 * Adds key to m (a Map with value, or a Set) and drops the oldest entries beyond limit.
 * @template K
 * @param {Map<K, number> | Set<K>} m @param {K} key @param {number} value @param {number} limit
 */
function remember(m, key, value, limit) {
  if (m instanceof Set) m.add(key);
  else m.set(key, value);
  if (m.size > limit) m.delete(/** @type {K} */ (m.keys().next().value));
}

export class PaintLog {
  /**
   * @param {() => number} now epoch milliseconds
   * @param {number} [limit] entries kept per map
   */
  constructor(now, limit = PAINT_LOG_SIZE) {
    this.now = now;
    this.limit = limit;
    /** Element id → when its preview was first drawn. @type {Map<string, number>} */
    this.preview = new Map();
    /** Element id → when the stored element was first drawn. @type {Map<string, number>} */
    this.element = new Map();
    /** Ids others put, waiting for the next scene frame. @type {Set<string>} */
    this.arrived = new Set();
    /** Seq of others' batch → when the first scene frame after it was drawn. @type {Map<number, number>} */
    this.batch = new Map();
    /** Seqs of others' batches waiting for the next scene frame. @type {Set<number>} */
    this.batches = new Set();
  }

  /**
   * Notes a batch someone else made (a broadcast): the next scene frame stamps its seq.
   * @param {number} seq
   */
  arriveBatch(seq) {
    remember(this.batches, seq, 0, this.limit);
  }

  /**
   * Notes an element someone else put (a broadcast `put`): the next scene frame stamps it.
   * @param {string} id
   */
  arrive(id) {
    remember(this.arrived, id, 0, this.limit);
  }

  /**
   * Call after a scene frame: stamps the batches that arrived since the last one, and
   * the elements that arrived and that this frame drew. Ones it did not draw (off
   * screen) are forgotten.
   * @param {(id: string) => boolean} drawn
   */
  sceneDrawn(drawn) {
    if (!this.arrived.size && !this.batches.size) return;
    const t = this.now();
    for (const seq of this.batches) remember(this.batch, seq, t, this.limit);
    this.batches.clear();
    for (const id of this.arrived) if (!this.element.has(id) && drawn(id)) remember(this.element, id, t, this.limit);
    this.arrived.clear();
  }

  /**
   * Call when a live frame has drawn someone's preview of element id: stamps the first.
   * @param {string} id
   */
  previewDrawn(id) {
    if (!this.preview.has(id)) remember(this.preview, id, this.now(), this.limit);
  }
}

/** Epoch milliseconds, comparable between pages on one machine. */
export const epochNow = () => performance.timeOrigin + performance.now();
