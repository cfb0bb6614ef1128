// @ts-check
// The board's history as people read it: batches from the server's log grouped into
// sessions (one person working without a long pause), each summed up in a sentence.
// No DOM here; boardmenu.js shows it.

/**
 * @typedef {{seq: number, by: string, name: string, color: string, at: number, put: number, patch: number, del: number}} Entry
 * @typedef {{by: string, name: string, color: string, from: number, to: number, start: number, end: number,
 *   put: number, patch: number, del: number, count: number}} Session
 */

/** A pause this long (or another person) starts a new session. */
export const SESSION_GAP = 30 * 60 * 1000;

/**
 * Groups entries (newest first, as the server sends them) into sessions, newest first.
 * Consecutive batches by the same person with less than `gap` between them are one
 * session.
 * @param {readonly Entry[]} entries
 * @param {number} [gap]
 * @returns {Session[]}
 */
export function groupSessions(entries, gap = SESSION_GAP) {
  /** @type {Session[]} */
  const out = [];
  for (const e of entries) {
    const s = out[out.length - 1];
    if (s && s.by === e.by && s.start - e.at < gap) {
      s.from = e.seq;
      s.start = e.at;
      s.put += e.put;
      s.patch += e.patch;
      s.del += e.del;
      s.count++;
      continue;
    }
    out.push({ by: e.by, name: e.name, color: e.color, from: e.seq, to: e.seq, start: e.at, end: e.at, put: e.put, patch: e.patch, del: e.del, count: 1 });
  }
  return out;
}

/** @param {number} n @param {string} one @param {string} many */
const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/**
 * "Ana added 3 elements, changed 5 and deleted 1".
 * @param {{name: string, put: number, patch: number, del: number}} s
 */
export function describe(s) {
  const parts = [];
  if (s.put) parts.push(`added ${count(s.put, 'element', 'elements')}`);
  if (s.patch) parts.push(`changed ${s.patch}`);
  if (s.del) parts.push(`deleted ${s.del}`);
  const what = parts.length ? parts.join(', ').replace(/, ([^,]*)$/, ' and $1') : 'made no visible change';
  return `${s.name || 'Someone'} ${what}`;
}
