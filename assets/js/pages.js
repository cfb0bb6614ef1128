// @ts-check
// Pages: a board holds several canvases (docs/protocol.md, "Pages"). A page is an
// element of type "page" (its name in `text`, its place in the list by `z`); every other
// element's `page` field names its page, "" meaning the first page, whose id is fixed
// (DEFAULT_PAGE) so that a board made before pages has it without writing anything.
// Pure rules here, shared by the doc (what the current page shows), the pages menu and
// links; node tests check them (assets/test/pages.test.js) with fixtures the Go side
// (collab/board/pages_test.go) checks too.

import { keyBetween } from './fracindex.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {import('./doc.js').Op} Op */

/** The first page's id (wire.DefaultPage). */
export const DEFAULT_PAGE = 'page1';
/** How many pages a board may hold (wire.MaxPages). */
export const MAX_PAGES = 100;
/** The longest page name, in characters (wire.MaxPageName). */
export const MAX_NAME = 200;

/** The page an element is on. @param {Element} el */
export const pageOf = (el) => el.page || DEFAULT_PAGE;

/** @param {Element | undefined} el */
export const isPage = (el) => !!el && el.type === 'page' && !el.deleted;

/** The name a page shows: its own, or "Page n" by its place. @param {Element} p @param {number} i */
export const pageName = (p, i) => p.text || `Page ${i + 1}`;

/** @param {Element} a @param {Element} b */
const byZ = (a, b) => ((a.z ?? '') < (b.z ?? '') ? -1 : (a.z ?? '') > (b.z ?? '') ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The board's pages in page order (ascending z, ties by id). The first page is there
 * until its element is deleted: before its element is written it is an implicit page
 * with z "" (before every other).
 * @param {Iterable<Element>} els every element, tombstones included (a deleted first page stays deleted)
 * @returns {Element[]}
 */
export function pageOrder(els) {
  /** @type {Element[]} */
  const pages = [];
  let first = false;
  for (const el of els) {
    if (el.id === DEFAULT_PAGE) first = true;
    if (isPage(el)) pages.push(el);
  }
  if (!first) pages.push({ id: DEFAULT_PAGE, type: 'page', z: '' });
  return pages.sort(byZ);
}

/**
 * The elements on page `id`, pages themselves left out.
 * @param {readonly Element[]} els @param {string} id
 */
export function onPage(els, id) {
  return els.filter((el) => el.type !== 'page' && pageOf(el) === id);
}

/**
 * The page to show: `want` if it is one of the pages, else the first.
 * @param {readonly Element[]} pages in page order @param {string} want
 */
export function pickPage(pages, want) {
  return pages.some((p) => p.id === want) ? want : pages[0]?.id ?? DEFAULT_PAGE;
}

/**
 * The name for a new page: "Page n", n one more than the highest such name in use (or
 * than the count of pages).
 * @param {readonly Element[]} pages
 */
export function nextPageName(pages) {
  let n = pages.length;
  pages.forEach((p, i) => {
    const m = /^Page (\d+)$/.exec(pageName(p, i));
    if (m) n = Math.max(n, Number(m[1]));
  });
  return `Page ${n + 1}`;
}

/**
 * The page element with fields set, as a put when it is the implicit first page (its
 * element is written the first time it changes) and a patch otherwise.
 * @param {readonly Element[]} pages @param {string} id @param {Record<string, any>} set
 * @returns {Op}
 */
function changePage(pages, id, set) {
  const i = pages.findIndex((p) => p.id === id);
  const p = pages[i];
  if (p.z) return { o: 'patch', id, set };
  return { o: 'put', el: { id, type: 'page', text: pageName(p, i), z: keyBetween(null, pages[i + 1]?.z || null), ...set } };
}

/**
 * A new page at the end of the list (or after page `after`).
 * @param {readonly Element[]} pages @param {string} id @param {string} [name] @param {string} [after]
 * @returns {Op[]}
 */
export function addPageOps(pages, id, name = nextPageName(pages), after = pages.at(-1)?.id) {
  const ops = [];
  let list = [...pages];
  const i = list.findIndex((p) => p.id === after);
  // A page goes after a page with a z: the implicit first page gets its element first.
  if (i >= 0 && !list[i].z) {
    const op = changePage(list, list[i].id, {});
    ops.push(op);
    if (op.o === 'put') list[i] = op.el;
  }
  const lo = i >= 0 ? list[i].z || null : null;
  const hi = i >= 0 ? list[i + 1]?.z || null : list[0]?.z || null;
  ops.push({ o: 'put', el: { id, type: 'page', text: name, z: keyBetween(lo, hi) } });
  return ops;
}

/** @param {readonly Element[]} pages @param {string} id @param {string} name @returns {Op[]} */
export function renamePageOps(pages, id, name) {
  const i = pages.findIndex((p) => p.id === id);
  if (i < 0) return [];
  const text = [...name.trim()].slice(0, MAX_NAME).join('');
  if (text === pageName(pages[i], i) || !text) return [];
  return [changePage(pages, id, { text })];
}

/**
 * Moves page `id` to place `to` in the list (its z between its new neighbours).
 * @param {readonly Element[]} pages @param {string} id @param {number} to
 * @returns {Op[]}
 */
export function movePageOps(pages, id, to) {
  const from = pages.findIndex((p) => p.id === id);
  if (from < 0 || to < 0 || to >= pages.length || to === from) return [];
  /** @type {Op[]} */
  const ops = [];
  const rest = pages.filter((p) => p.id !== id).map((p, i, a) => {
    // The implicit first page gets a z of its own before anything goes in front of it.
    if (p.z) return p;
    const z = keyBetween(null, a[i + 1]?.z || null);
    const j = pages.indexOf(p);
    ops.push({ o: 'put', el: { id: p.id, type: 'page', text: pageName(p, j), z } });
    return { ...p, z };
  });
  const lo = rest[to - 1]?.z || null;
  const hi = rest[to]?.z || null;
  ops.push(changePage(pages, id, { z: keyBetween(lo, hi) }));
  return ops;
}

/**
 * Deletes page `id` with everything on it, in one batch (the server refuses a page
 * deleted without its elements). The last page is never deleted: [] then.
 * @param {readonly Element[]} pages @param {string} id @param {readonly Element[]} els live elements, every page
 * @returns {Op[]}
 */
export function deletePageOps(pages, id, els) {
  const i = pages.findIndex((p) => p.id === id);
  if (i < 0 || pages.length < 2) return [];
  /** @type {Op[]} */
  const ops = onPage(els, id).map((el) => ({ o: 'del', id: el.id }));
  // The implicit first page is written, then deleted, so that it stays deleted.
  if (!pages[i].z) ops.push(changePage(pages, id, {}));
  ops.push({ o: 'del', id });
  return ops;
}

/**
 * A copy of page `id` right after it, named "<name> copy", with copies of everything on
 * it under fresh ids: frames, groups and arrow bindings point at the copies.
 * @param {readonly Element[]} pages @param {string} id @param {readonly Element[]} els live elements, every page
 * @param {() => string} newId
 * @returns {Op[]}
 */
export function duplicatePageOps(pages, id, els, newId) {
  const i = pages.findIndex((p) => p.id === id);
  if (i < 0) return [];
  const pid = newId();
  const ops = addPageOps(pages, pid, [...`${pageName(pages[i], i)} copy`].slice(0, MAX_NAME).join(''), id);
  const src = onPage(els, id).sort(byZ);
  const ids = new Map(src.map((el) => [el.id, newId()]));
  /** @type {Map<string, string>} */
  const groups = new Map();
  for (const el of src) {
    /** @type {Element} */
    const copy = { ...el, id: /** @type {string} */ (ids.get(el.id)), page: pid };
    for (const k of ['v', 'by', 'at', 'deleted']) delete copy[k];
    for (const k of ['frame', 'startBind', 'endBind']) {
      if (!el[k]) continue;
      if (ids.has(el[k])) copy[k] = ids.get(el[k]);
      else delete copy[k];
    }
    if (el.group) {
      if (!groups.has(el.group)) groups.set(el.group, newId());
      copy.group = groups.get(el.group);
    }
    ops.push({ o: 'put', el: copy });
  }
  return ops;
}

/**
 * The page id a link's fragment names (`#page=<id>`), or ''.
 * @param {string} hash location.hash
 */
export function pageFromHash(hash) {
  const m = /(?:^#|&)page=([A-Za-z0-9_-]{1,32})(?:&|$)/.exec(hash);
  return m ? m[1] : '';
}

/**
 * The fragment for page `page` (and frame `frame`, if any): `#page=<id>&frame=<id>`.
 * @param {string} page @param {string} [frame]
 */
export function pageHash(page, frame = '') {
  return `#page=${encodeURIComponent(page)}${frame ? `&frame=${encodeURIComponent(frame)}` : ''}`;
}
