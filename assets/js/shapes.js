// @ts-check
// New elements from the drawing tools: the box or segment a drag describes, and the
// element (plain protocol JSON) a tool puts with the current style. Pure functions.

import { toRelative } from './smooth.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {[number, number]} Vec */
/**
 * The style new elements get, and that the style panel edits.
 * @typedef {{
 *   stroke: string, fill: string, fillStyle: string, width: number, dash: string,
 *   opacity: number, size: number, font: string, align: string,
 *   startArrow: string, endArrow: string, curve: string,
 * }} Style
 */

/** @type {Style} */
export const DEFAULT_STYLE = Object.freeze({
  stroke: '#1e1e1e',
  fill: '',
  fillStyle: 'none',
  width: 2,
  dash: 'solid',
  opacity: 1,
  size: 20,
  font: 'sans',
  align: 'left',
  startArrow: 'none',
  endArrow: 'arrow',
  curve: 'sharp',
});

/** Sticky notes: the card colour is their fill. */
export const NOTE_COLORS = ['#fff3bf', '#ffd8a8', '#ffc9c9', '#eebefa', '#a5d8ff', '#b2f2bb'];
export const NOTE_SIZE = 200;
export const NOTE_PADDING = 12;
/** Line height of text, as a multiple of the font size (render.js draws with the same). */
export const LINE_HEIGHT = 1.25;

/** The highlighter: a wide translucent stroke. */
export const HIGHLIGHTER = Object.freeze({ stroke: '#ffd43b', width: 16, opacity: 0.45 });

/** Rounds to 0.01, as stored coordinates are. @param {number} v */
const r2 = (v) => Math.round(v * 100) / 100;

/**
 * The box a drag from a to b draws: with `square` (Shift) as wide as it is high, with
 * `fromCentre` (Alt) centred on a.
 * @param {Vec} a @param {Vec} b @param {{square?: boolean, fromCentre?: boolean}} [opts]
 * @returns {{x: number, y: number, w: number, h: number}}
 */
export function dragBox(a, b, { square = false, fromCentre = false } = {}) {
  let dx = b[0] - a[0];
  let dy = b[1] - a[1];
  if (square) {
    const s = Math.max(Math.abs(dx), Math.abs(dy));
    dx = Math.sign(dx || 1) * s;
    dy = Math.sign(dy || 1) * s;
  }
  const x0 = fromCentre ? a[0] - dx : a[0];
  const y0 = fromCentre ? a[1] - dy : a[1];
  const x1 = a[0] + dx;
  const y1 = a[1] + dy;
  return { x: r2(Math.min(x0, x1)), y: r2(Math.min(y0, y1)), w: r2(Math.abs(x1 - x0)), h: r2(Math.abs(y1 - y0)) };
}

/**
 * The end of a segment from a toward b, turned to the nearest multiple of `step`
 * radians (45° by default) and as long as the drag.
 * @param {Vec} a @param {Vec} b @param {number} [step]
 * @returns {Vec}
 */
export function snapAngle(a, b, step = Math.PI / 4) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len = Math.hypot(dx, dy);
  const angle = Math.round(Math.atan2(dy, dx) / step) * step;
  return [r2(a[0] + Math.cos(angle) * len), r2(a[1] + Math.sin(angle) * len)];
}

/**
 * Style fields for an element of the given type: only those the type uses, and none
 * that equal the protocol's zero value (the server would drop them anyway).
 * @param {string} type @param {Style} s
 * @returns {Record<string, any>}
 */
export function styleFields(type, s) {
  /** @type {Record<string, any>} */
  const out = { opacity: s.opacity };
  // "none" and "solid" are what an unset fillStyle, dash or arrowhead means.
  const set = (/** @type {string} */ k, /** @type {any} */ v) => {
    if (v !== '' && v !== 0 && v !== 'none' && v !== 'solid' && v !== undefined) out[k] = v;
  };
  if (type === 'note') {
    set('fill', s.fill || NOTE_COLORS[0]);
    set('size', s.size);
    set('font', s.font === 'sans' ? '' : s.font);
    set('align', s.align === 'left' ? '' : s.align);
    return out;
  }
  if (type === 'text') {
    set('stroke', s.stroke);
    set('size', s.size);
    set('font', s.font === 'sans' ? '' : s.font);
    set('align', s.align === 'left' ? '' : s.align);
    return out;
  }
  if (type === 'image') return out;
  set('stroke', s.stroke);
  set('width', s.width);
  set('dash', s.dash);
  if (type === 'rect' || type === 'ellipse' || type === 'diamond') {
    if (s.fillStyle !== 'none' && s.fill) {
      set('fill', s.fill);
      set('fillStyle', s.fillStyle);
    }
  }
  if (type === 'arrow' || type === 'line') {
    // The renderer gives an arrow an arrowhead when endArrow is unset: say "none" outright.
    const end = type === 'arrow' ? s.endArrow : s.endArrow === 'arrow' ? 'none' : s.endArrow;
    if (type === 'arrow' && end === 'none') out.endArrow = 'none';
    else set('endArrow', end);
    set('startArrow', s.startArrow);
    if (s.curve === 'round') out.curve = 'round';
  }
  return out;
}

/**
 * A rectangle, ellipse or diamond.
 * @param {'rect' | 'ellipse' | 'diamond'} type
 * @param {{x: number, y: number, w: number, h: number}} box
 * @param {Style} style @param {string} id @param {string} z
 * @returns {Element}
 */
export function shapeElement(type, box, style, id, z) {
  return { id, type, x: box.x, y: box.y, w: box.w, h: box.h, ...styleFields(type, style), z };
}

/**
 * A line or an arrow through absolute points (two for a drag).
 * @param {'line' | 'arrow'} type
 * @param {Vec[]} points
 * @param {Style} style @param {string} id @param {string} z
 * @param {{startBind?: string, endBind?: string}} [binds]
 * @returns {Element}
 */
export function linearElement(type, points, style, id, z, binds = {}) {
  /** @type {Element} */
  const el = { id, type, ...toRelative(points), ...styleFields(type, style), z };
  if (binds.startBind) el.startBind = binds.startBind;
  if (binds.endBind) el.endBind = binds.endBind;
  return el;
}

/**
 * A freehand stroke through absolute points (pressure kept). `look` overrides the
 * style's colour, width and opacity (the highlighter).
 * @param {string} id @param {number[][]} points @param {Style} style @param {string} z
 * @param {{stroke?: string, width?: number, opacity?: number}} [look]
 * @returns {Element}
 */
export function strokeElement(id, points, style, z, look = {}) {
  return {
    id,
    type: 'stroke',
    ...toRelative(points),
    stroke: look.stroke ?? style.stroke,
    width: look.width ?? style.width,
    opacity: look.opacity ?? style.opacity,
    z,
  };
}

/**
 * A text element at (x, y), its top-left corner. w and h come from measuring (textlayout.js).
 * @param {string} id @param {number} x @param {number} y @param {string} text
 * @param {Style} style @param {string} z
 * @returns {Element}
 */
export function textElement(id, x, y, text, style, z) {
  return { id, type: 'text', x: r2(x), y: r2(y), text, ...styleFields('text', style), z };
}

/**
 * A sticky note centred on (x, y).
 * @param {string} id @param {number} x @param {number} y @param {string} fill
 * @param {Style} style @param {string} z
 * @returns {Element}
 */
export function noteElement(id, x, y, fill, style, z) {
  return {
    id,
    type: 'note',
    x: r2(x - NOTE_SIZE / 2),
    y: r2(y - NOTE_SIZE / 2),
    w: NOTE_SIZE,
    h: NOTE_SIZE,
    ...styleFields('note', { ...style, fill }),
    z,
  };
}

/**
 * An image of natural size w × h centred on (x, y), scaled down to fit within `fit`
 * world units on its longer side.
 * @param {string} id @param {string} src @param {number} x @param {number} y
 * @param {number} w @param {number} h @param {number} fit @param {string} z
 * @returns {Element}
 */
export function imageElement(id, src, x, y, w, h, fit, z) {
  const k = Math.min(1, fit / Math.max(w, h, 1));
  const iw = r2(Math.max(1, w * k));
  const ih = r2(Math.max(1, h * k));
  return { id, type: 'image', x: r2(x - iw / 2), y: r2(y - ih / 2), w: iw, h: ih, src, opacity: 1, z };
}
