// @ts-check
// Copy and paste as text: elements travel through the system clipboard as JSON, so they
// paste within a board, across boards and across browsers. Pure functions: what to put
// on the clipboard, what a pasted text holds, and the new elements a paste adds.

import { checkElement } from './elements.js';
import { drawOrder } from './doc.js';
import { unionBounds } from './hit.js';

/** @typedef {import('./doc.js').Element} Element */
/**
 * What a pasted text holds.
 * @typedef {{kind: 'elements', elements: Element[], skipped: number, files: Record<string, string>}
 *   | {kind: 'text', text: string}
 *   | {kind: 'error', message: string}} Pasted
 */

/** The `type` of our clipboard JSON. */
export const CLIP_TYPE = 'tabula/elements';

/**
 * The clipboard text for elements. `files` maps an image src to its bytes as a data:
 * URL, so that images paste into boards that do not have them yet.
 * @param {readonly Element[]} elements @param {Record<string, string>} [files]
 */
export function serialize(elements, files = {}) {
  const clean = elements.map((el) => Object.fromEntries(Object.entries(el).filter(([k]) => k !== 'v' && k !== 'by' && k !== 'at')));
  /** @type {Record<string, any>} */
  const out = { type: CLIP_TYPE, version: 1, elements: clean };
  if (Object.keys(files).length) out.files = files;
  return JSON.stringify(out);
}

/**
 * Reads a pasted text: our JSON gives elements (checked one by one against the
 * protocol; bad ones are counted in `skipped`), other JSON objects or arrays are an
 * error, and anything else is plain text to paste as a text element.
 * @param {string} text
 * @param {{maxPoints?: number, maxText?: number}} [limits]
 * @returns {Pasted}
 */
export function parsePaste(text, limits) {
  const t = text.trim();
  if (!t) return { kind: 'error', message: 'The clipboard is empty.' };
  let data;
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      data = JSON.parse(t);
    } catch {
      return { kind: 'text', text };
    }
  } else {
    return { kind: 'text', text };
  }
  if (!data || typeof data !== 'object' || Array.isArray(data) || data.type !== CLIP_TYPE || !Array.isArray(data.elements)) {
    return { kind: 'error', message: 'The pasted JSON is not Tabula drawing data, so nothing was pasted.' };
  }
  const elements = [];
  let skipped = 0;
  let problem = '';
  for (const raw of data.elements) {
    const el = checkElement(raw, limits);
    if (typeof el === 'string') {
      skipped++;
      problem ||= el;
    } else if (!el.deleted) elements.push(el);
  }
  if (!elements.length) {
    return {
      kind: 'error',
      message: skipped ? `None of the ${skipped} pasted elements could be used (${problem}), so nothing was pasted.` : 'The pasted data holds no elements.',
    };
  }
  /** @type {Record<string, string>} */
  const files = {};
  if (data.files && typeof data.files === 'object' && !Array.isArray(data.files)) {
    for (const [src, url] of Object.entries(data.files)) {
      if (/^sha256:[0-9a-f]{64}$/.test(src) && typeof url === 'string' && url.startsWith('data:image/')) files[src] = url;
    }
  }
  return { kind: 'elements', elements, skipped, files };
}

/**
 * Copies of elements ready to add: new ids (and group ids), bindings kept only between
 * copied elements, moved by (dx, dy), and z keys from `zs` in their drawing order.
 * @param {readonly Element[]} elements
 * @param {{dx: number, dy: number, zs: readonly string[], newId: () => string}} opts
 * @returns {Element[]}
 */
export function cloneElements(elements, { dx, dy, zs, newId }) {
  const ids = new Map(elements.map((el) => [el.id, newId()]));
  const groups = new Map();
  const group = (/** @type {string} */ g) => {
    if (!groups.has(g)) groups.set(g, newId());
    return groups.get(g);
  };
  return [...elements].sort(drawOrder).map((el, i) => {
    /** @type {Element} */
    const copy = { ...el, id: /** @type {string} */ (ids.get(el.id)), z: zs[i] };
    delete copy.deleted;
    // A copy goes on the page it is pasted on (the editor puts it there), not its source's.
    delete copy.page;
    copy.x = Math.round(((el.x || 0) + dx) * 100) / 100;
    copy.y = Math.round(((el.y || 0) + dy) * 100) / 100;
    if (el.group) copy.group = group(el.group);
    for (const k of /** @type {const} */ (['startBind', 'endBind'])) {
      if (!el[k]) continue;
      if (ids.has(el[k])) copy[k] = ids.get(el[k]);
      else delete copy[k];
    }
    return copy;
  });
}

/**
 * The move that puts the centre of elements' bounds at point `at`.
 * @param {readonly Element[]} elements @param {[number, number]} at
 */
export function offsetTo(elements, at) {
  const b = unionBounds(elements);
  if (!b) return { dx: 0, dy: 0 };
  return { dx: at[0] - (b.minX + b.maxX) / 2, dy: at[1] - (b.minY + b.maxY) / 2 };
}
