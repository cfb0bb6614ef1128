// @ts-check
// What this browser remembers between visits, in localStorage: the boards it opened (for
// the home page) and the user's name and colour. Storage can be full, disabled or hold
// anything another version wrote, so reads validate and every failure falls back quietly:
// losing the recent-boards list must never break a board.

import { friendlyName } from './identity.js';
import { cleanName } from './presence.js';

/**
 * @typedef {{id: string, role: 'editor' | 'viewer', title: string, at: number}} BoardEntry
 * @typedef {{name: string, color: string, chosen: boolean}} User
 *   chosen: whether the person typed the name, rather than keeping the one made up for them
 * @typedef {Pick<Storage, 'getItem' | 'setItem'>} StorageLike
 */

export const BOARDS_KEY = 'tabula.boards';
export const USER_KEY = 'tabula.user';
/** Enough to find last month's boards; old entries fall off the end. */
export const MAX_BOARDS = 50;

/** Cursor colours people can be given; dark enough to read white text on. The server hands
 * out the same ten (collab/colors.go), so that nobody on a board wears someone else's. */
export const PALETTE = ['#e03131', '#c2255c', '#9c36b5', '#6741d9', '#3b5bdb', '#1971c2', '#0c8599', '#099268', '#2f9e44', '#e8590c'];

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const COLOR = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** @param {StorageLike} storage @param {string} key */
function read(storage, key) {
  try {
    return JSON.parse(storage.getItem(key) ?? 'null');
  } catch {
    return null;
  }
}

/** @param {StorageLike} storage @param {string} key @param {unknown} value */
function write(storage, key, value) {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch (err) {
    console.warn(`tabula: cannot save ${key}`, err);
  }
}

/**
 * The remembered boards, most recently opened first. Malformed entries are skipped.
 * @param {StorageLike} storage
 * @returns {BoardEntry[]}
 */
export function loadBoards(storage) {
  const raw = read(storage, BOARDS_KEY);
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((b) => b && typeof b.id === 'string' && ID.test(b.id) && (b.role === 'editor' || b.role === 'viewer'))
    .map((b) => ({ id: b.id, role: b.role, title: typeof b.title === 'string' ? b.title : '', at: Number(b.at) || 0 }))
    .sort((a, b) => b.at - a.at);
}

/**
 * Records that a board was opened (or renamed) now, moving it to the top.
 * @param {StorageLike} storage
 * @param {{id: string, role: 'editor' | 'viewer', title: string}} board
 * @param {number} [now=Date.now()]
 */
export function rememberBoard(storage, board, now = Date.now()) {
  const rest = loadBoards(storage).filter((b) => b.id !== board.id);
  write(storage, BOARDS_KEY, [{ id: board.id, role: board.role, title: board.title, at: now }, ...rest].slice(0, MAX_BOARDS));
}

/**
 * Removes a board from the list (the board itself is not touched).
 * @param {StorageLike} storage @param {string} id
 */
export function forgetBoard(storage, id) {
  write(storage, BOARDS_KEY, loadBoards(storage).filter((b) => b.id !== id));
}

/**
 * The saved name and colour, or a new user with a made-up friendly name (identity.js)
 * and a random palette colour. A saved empty name (from before names were made up) gets
 * a made-up one too.
 * @param {StorageLike} storage
 * @param {() => number} [random=Math.random]
 * @returns {User}
 */
export function loadUser(storage, random = Math.random) {
  const raw = read(storage, USER_KEY);
  const saved = typeof raw?.name === 'string' ? cleanName(raw.name) : '';
  const color = typeof raw?.color === 'string' && COLOR.test(raw.color) ? raw.color : PALETTE[Math.floor(random() * PALETTE.length)];
  if (!saved) return { name: friendlyName(random), color, chosen: false };
  return { name: saved, color, chosen: raw?.chosen !== false };
}

/** @param {StorageLike} storage @param {User} user */
export function saveUser(storage, user) {
  write(storage, USER_KEY, { name: user.name, color: user.color, chosen: user.chosen });
}

/**
 * localStorage, or a throwaway in-memory stand-in where the browser refuses access
 * (some privacy modes throw on the mere property read).
 * @returns {StorageLike}
 */
export function browserStorage() {
  try {
    if (window.localStorage) return window.localStorage;
  } catch {
    // fall through
  }
  const m = new Map();
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, String(v)) };
}
