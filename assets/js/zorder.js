// @ts-check
// Changing the stacking order: bring forward, send backward, to front, to back. Elements
// draw in ascending `z` (fractional index keys, ties by id), so moving one means giving it
// a new key between its new neighbours; nothing else is renumbered, which keeps the batch
// small and concurrent edits of other elements intact. Pure functions returning patches.

import { keysBetween } from './fracindex.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {'forward' | 'backward' | 'front' | 'back'} Move */

/**
 * The ids in `order` with the selected ones moved: one place past the next unselected
 * element (forward/backward), or all the way (front/back). Selected elements keep their
 * order among themselves.
 * @param {readonly string[]} order ids in draw order
 * @param {ReadonlySet<string>} selected
 * @param {Move} move
 * @returns {string[]}
 */
export function reorder(order, selected, move) {
  const rest = order.filter((id) => !selected.has(id));
  const sel = order.filter((id) => selected.has(id));
  if (move === 'front') return [...rest, ...sel];
  if (move === 'back') return [...sel, ...rest];
  const out = [...order];
  if (move === 'forward') {
    // From the top down: each selected element swaps with the unselected one above it,
    // unless a selected element already sits above that (they move as a block).
    for (let i = out.length - 2; i >= 0; i--) {
      if (!selected.has(out[i])) continue;
      let j = i + 1;
      while (j < out.length && selected.has(out[j])) j++;
      if (j >= out.length) continue;
      const [id] = out.splice(i, 1);
      out.splice(j, 0, id);
    }
  } else {
    for (let i = 1; i < out.length; i++) {
      if (!selected.has(out[i])) continue;
      let j = i - 1;
      while (j >= 0 && selected.has(out[j])) j--;
      if (j < 0) continue;
      const [id] = out.splice(i, 1);
      out.splice(j, 0, id);
    }
  }
  return out;
}

/**
 * New z keys that put elements in the order `ids`, changing only those in `moving`
 * where possible. An element whose neighbours leave no room (equal keys, which two
 * clients adding at the same moment can make) is re-keyed too.
 * @param {readonly string[]} ids the wanted draw order
 * @param {ReadonlyMap<string, string>} zOf current keys
 * @param {ReadonlySet<string>} moving
 * @returns {Map<string, string>} id → new key, for the elements that need one
 */
export function assignKeys(ids, zOf, moving) {
  const out = new Map();
  const z = (/** @type {string} */ id) => out.get(id) ?? zOf.get(id) ?? null;
  let i = 0;
  while (i < ids.length) {
    if (!moving.has(ids[i])) {
      i++;
      continue;
    }
    // A run of elements needing keys, between the kept neighbours lo and hi.
    let j = i;
    while (j < ids.length && moving.has(ids[j])) j++;
    const lo = i > 0 ? z(ids[i - 1]) : null;
    // Widen the run past kept elements until its upper bound is above the lower one.
    while (j < ids.length && lo !== null && /** @type {string} */ (z(ids[j])) <= lo) j++;
    const hi = j < ids.length ? z(ids[j]) : null;
    const keys = keysBetween(lo, hi, j - i);
    for (let k = i; k < j; k++) out.set(ids[k], keys[k - i]);
    i = j;
  }
  return out;
}

/**
 * Patches that move the selected elements. Returns [] when nothing would change.
 * @param {readonly Element[]} list every live element, in draw order
 * @param {ReadonlySet<string>} selected
 * @param {Move} move
 * @returns {{o: 'patch', id: string, set: {z: string}}[]}
 */
export function zOrderOps(list, selected, move) {
  const order = list.map((el) => el.id);
  const next = reorder(order, selected, move);
  if (next.every((id, i) => id === order[i])) return [];
  const zOf = new Map(list.map((el) => [el.id, el.z ?? '']));
  // Only what changed place needs a key: for forward/back that is the selection.
  const moving = new Set(next.filter((id, i) => id !== order[i] && selected.has(id)));
  if (!moving.size) for (const id of selected) moving.add(id);
  const keys = assignKeys(next, zOf, moving);
  return [...keys].filter(([id, z]) => zOf.get(id) !== z).map(([id, z]) => ({ o: 'patch', id, set: { z } }));
}

/**
 * n keys above everything in list, for new or pasted elements.
 * @param {readonly Element[]} list in draw order @param {number} n
 */
export function keysOnTop(list, n) {
  const top = list.length ? list[list.length - 1].z || null : null;
  return keysBetween(top, null, n);
}

