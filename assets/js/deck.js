// @ts-check
// The board as a deck: the pure rules behind presenting and the frames list — which frame
// comes next, the view that fits a frame on a given screen, and the op that moves a frame
// to another place in frame order. node tests: assets/test/deck.test.js.

import { openingCamera } from './camera.js';
import { keyBetween } from './fracindex.js';
import { frameOrder, frameRect, LABEL_GAP } from './frames.js';
import { pageOf } from './pages.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {import('./doc.js').Op} Op */
/** @typedef {{top: number, right: number, bottom: number, left: number}} Insets */

/** The largest zoom a fitted frame gets: a small frame is not blown up past this. */
export const FIT_MAX_ZOOM = 4;

/**
 * The screen edges the board's controls cover, which a fitted frame keeps clear of: on a
 * phone the bars take the top and a deep band at the bottom (as board.js opens a board).
 * @param {boolean} phone @param {number} [margin] extra room on a wide screen
 * @returns {Insets}
 */
export function screenInsets(phone, margin = 40) {
  return phone ? { top: 124, right: 16, bottom: 200, left: 16 } : { top: 72 + margin / 2, right: margin, bottom: 72 + margin / 2, left: margin };
}

/**
 * The camera that fits frame f, its name included, into the part of a width × height
 * screen that `insets` leave free, centred, at most FIT_MAX_ZOOM. Each follower calls it
 * with their own screen: a presentation fits every screen, it does not copy the
 * presenter's zoom.
 * @param {Element} f @param {number} width @param {number} height @param {Insets} insets
 * @returns {import('./camera.js').Camera}
 */
export function frameCamera(f, width, height, insets) {
  const r = frameRect(f);
  return openingCamera({ ...r, minY: r.minY - LABEL_GAP }, width, height, { ...insets, maxZoom: FIT_MAX_ZOOM });
}

/**
 * The frames of a presentation, a deck's pages: page by page in page order, and on each
 * page in frame order (as export.pdf?frames=all orders them). Frames on a page that is
 * not in `pages` (it was deleted) are left out.
 * @param {readonly Element[]} els live elements of every page @param {readonly string[]} pages page ids in page order
 * @returns {Element[]}
 */
export function deckOrder(els, pages) {
  const frames = frameOrder(els);
  return pages.flatMap((p) => frames.filter((f) => pageOf(f) === p));
}

/**
 * The frame `delta` steps from frame id in the deck (frames in order, deckOrder), kept
 * within it; the first frame when id is not one of them (or for an empty id). undefined
 * when there are no frames.
 * @param {readonly Element[]} frames @param {string} id @param {number} delta
 * @returns {Element | undefined}
 */
export function stepFrame(frames, id, delta) {
  if (!frames.length) return undefined;
  const i = frames.findIndex((f) => f.id === id);
  if (i < 0) return frames[0];
  return frames[Math.max(0, Math.min(frames.length - 1, i + delta))];
}

/**
 * Where frame id is in the deck (frames in order): its 1-based number and how many frames
 * there are (n 0 when it is not one of them).
 * @param {readonly Element[]} frames @param {string} id
 */
export function framePosition(frames, id) {
  return { n: frames.findIndex((f) => f.id === id) + 1, of: frames.length };
}

/**
 * The op that moves frame id to position `to` (0-based) in frame order, between the
 * frames that will be its neighbours: a new z, so the change goes through the op log and
 * is undone like any other. null when nothing moves (or id is not a frame). When two
 * neighbours share a z (ties are ordered by id), the frames after it are given keys too.
 * @param {readonly Element[]} els @param {string} id @param {number} to
 * @returns {Op[] | null}
 */
export function moveFrame(els, id, to) {
  const frames = frameOrder(els);
  const from = frames.findIndex((f) => f.id === id);
  if (from < 0) return null;
  to = Math.max(0, Math.min(frames.length - 1, to));
  if (to === from) return null;
  const rest = frames.filter((f) => f.id !== id);
  const before = to > 0 ? rest[to - 1] : undefined;
  const after = rest[to];
  const lo = before?.z ?? null;
  if (!after || lo === null || lo < after.z) {
    return [{ o: 'patch', id, set: { z: keyBetween(lo, after?.z ?? null) } }];
  }
  // Neighbours with the same z: renumber this frame and the ones after it.
  /** @type {Op[]} */
  const ops = [];
  let prev = lo;
  for (const f of [frames[from], ...rest.slice(to)]) {
    prev = keyBetween(prev, null);
    ops.push({ o: 'patch', id: f.id, set: { z: prev } });
  }
  return ops;
}
