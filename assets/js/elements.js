// @ts-check
// The element model of docs/protocol.md as data: which fields exist, what values each
// accepts. Used to check elements that come from outside (the clipboard) before they are
// sent, so a bad paste gets a clear message here instead of a refused batch.

/** @typedef {import('./doc.js').Element} Element */

export const TYPES = new Set(['stroke', 'line', 'arrow', 'rect', 'ellipse', 'diamond', 'text', 'note', 'image']);
export const MAX_COORD = 1e7;
const ID = /^[A-Za-z0-9_-]{1,32}$/;
const Z = /^[0-9A-Za-z]{1,64}$/;
const COLOR = /^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;
/** Colours the style panel accepts: the server takes #rgb and #rrggbbaa too, we make #rrggbb. */
export const HEX6 = /^#[0-9a-fA-F]{6}$/;
const SRC = /^sha256:[0-9a-fA-F]{64}$/;

/** @param {...string} ws */
const words = (...ws) => new Set(['', ...ws]);
const WORDS = {
  fillStyle: words('none', 'solid', 'hatch'),
  dash: words('solid', 'dashed', 'dotted'),
  font: words('sans', 'serif', 'mono', 'hand'),
  align: words('left', 'center', 'right'),
  startArrow: words('none', 'arrow', 'triangle', 'dot', 'bar'),
  endArrow: words('none', 'arrow', 'triangle', 'dot', 'bar'),
  curve: words('sharp', 'round'),
};

/** @param {unknown} v @param {number} lo @param {number} hi */
const num = (v, lo, hi) => typeof v === 'number' && v >= lo && v <= hi;

/**
 * Checks of each field a client may send. Bookkeeping fields (v, by, at) are not here:
 * they are dropped from outside elements rather than checked.
 * @type {Record<string, (v: any) => boolean>}
 */
const FIELDS = {
  id: (v) => typeof v === 'string' && ID.test(v),
  type: (v) => TYPES.has(v),
  x: (v) => num(v, -MAX_COORD, MAX_COORD),
  y: (v) => num(v, -MAX_COORD, MAX_COORD),
  w: (v) => num(v, -MAX_COORD, MAX_COORD),
  h: (v) => num(v, -MAX_COORD, MAX_COORD),
  angle: (v) => num(v, -2 * Math.PI, 2 * Math.PI),
  points: (v) =>
    Array.isArray(v) &&
    v.every((p) => Array.isArray(p) && (p.length === 2 || p.length === 3) && num(p[0], -MAX_COORD, MAX_COORD) && num(p[1], -MAX_COORD, MAX_COORD) && (p.length === 2 || num(p[2], 0, 1))),
  stroke: (v) => v === '' || (typeof v === 'string' && COLOR.test(v)),
  fill: (v) => v === '' || (typeof v === 'string' && COLOR.test(v)),
  fillStyle: (v) => WORDS.fillStyle.has(v),
  width: (v) => num(v, 0, 100),
  opacity: (v) => num(v, 0, 1),
  dash: (v) => WORDS.dash.has(v),
  font: (v) => WORDS.font.has(v),
  size: (v) => num(v, 0, 1000),
  align: (v) => WORDS.align.has(v),
  text: (v) => typeof v === 'string',
  startArrow: (v) => WORDS.startArrow.has(v),
  endArrow: (v) => WORDS.endArrow.has(v),
  curve: (v) => WORDS.curve.has(v),
  startBind: (v) => v === '' || (typeof v === 'string' && ID.test(v)),
  endBind: (v) => v === '' || (typeof v === 'string' && ID.test(v)),
  src: (v) => v === '' || (typeof v === 'string' && SRC.test(v)),
  group: (v) => v === '' || (typeof v === 'string' && ID.test(v)),
  locked: (v) => typeof v === 'boolean',
  z: (v) => typeof v === 'string' && Z.test(v),
  deleted: (v) => typeof v === 'boolean',
};

const SERVER_SET = new Set(['v', 'by', 'at']);

/**
 * The element if every field is one the protocol knows with a value it accepts, with
 * the server's bookkeeping fields dropped; otherwise a string saying what is wrong.
 * @param {unknown} raw
 * @param {{maxPoints?: number, maxText?: number}} [limits]
 * @returns {Element | string}
 */
export function checkElement(raw, { maxPoints = 10000, maxText = 20000 } = {}) {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return 'not an object';
  /** @type {Record<string, any>} */
  const el = {};
  for (const [k, v] of Object.entries(raw)) {
    if (SERVER_SET.has(k)) continue;
    const check = FIELDS[k];
    if (!check) return `unknown field "${k.slice(0, 20)}"`;
    if (!check(v)) return `bad value for "${k}"`;
    el[k] = v;
  }
  if (!FIELDS.id(el.id)) return 'no id';
  if (!TYPES.has(el.type)) return 'no type';
  if (el.points && el.points.length > maxPoints) return `more than ${maxPoints} points`;
  if (el.text && new TextEncoder().encode(el.text).length > maxText) return `text over ${maxText} bytes`;
  return /** @type {Element} */ (el);
}

/**
 * A #rrggbb colour from user input ("#AbC123", "abc123", "#abc"), lower-cased, or null.
 * @param {string} s
 */
export function parseHex(s) {
  const t = s.trim().replace(/^#?/, '#').toLowerCase();
  if (/^#[0-9a-f]{3}$/.test(t)) return '#' + [...t.slice(1)].map((c) => c + c).join('');
  return HEX6.test(t) ? t : null;
}
