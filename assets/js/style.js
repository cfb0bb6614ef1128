// @ts-check
// Style properties: which element types each applies to, what the selection has in
// common (for the style panel to show), and the patches that change it. Pure.

import { NOTE_COLORS } from './shapes.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {import('./shapes.js').Style} Style */

export const STROKE_COLORS = ['#1e1e1e', '#e03131', '#2f9e44', '#1971c2', '#f08c00', '#9c36b5'];
export const FILL_COLORS = ['#ffc9c9', '#b2f2bb', '#a5d8ff', '#ffec99', '#eebefa'];
export { NOTE_COLORS };
export const WIDTHS = [1, 2, 4, 8];
export const SIZES = [16, 20, 28, 40];

/** Colour names for tooltips and screen readers. */
export const COLOR_NAMES = /** @type {Record<string, string>} */ ({
  '#1e1e1e': 'Black',
  '#e03131': 'Red',
  '#2f9e44': 'Green',
  '#1971c2': 'Blue',
  '#f08c00': 'Orange',
  '#9c36b5': 'Violet',
  '#ffc9c9': 'Light red',
  '#b2f2bb': 'Light green',
  '#a5d8ff': 'Light blue',
  '#ffec99': 'Light yellow',
  '#eebefa': 'Light violet',
  '#fff3bf': 'Yellow',
  '#ffd8a8': 'Orange',
  '#ffd43b': 'Yellow',
});

const SHAPES = ['rect', 'ellipse', 'diamond'];
const LINES = ['line', 'arrow'];

/** The element types each style property applies to. */
export const APPLIES = /** @type {Record<keyof Style, Set<string>>} */ ({
  stroke: new Set(['stroke', ...LINES, ...SHAPES, 'text', 'note']),
  fill: new Set([...SHAPES, 'note']),
  fillStyle: new Set(SHAPES),
  width: new Set(['stroke', ...LINES, ...SHAPES]),
  dash: new Set([...LINES, ...SHAPES]),
  opacity: new Set(['stroke', ...LINES, ...SHAPES, 'text', 'note', 'image']),
  size: new Set(['text', 'note']),
  font: new Set(['text', 'note']),
  align: new Set(['text', 'note']),
  startArrow: new Set(LINES),
  endArrow: new Set(LINES),
  curve: new Set(LINES),
});

/** The style properties the panel shows for a tool that draws `types`. */
export const TOOL_TYPES = /** @type {Record<string, string[]>} */ ({
  pen: ['stroke'],
  highlighter: ['stroke'],
  rect: ['rect'],
  ellipse: ['ellipse'],
  diamond: ['diamond'],
  line: ['line'],
  arrow: ['arrow'],
  text: ['text'],
  note: ['note'],
});

/**
 * The properties that apply to all of some element types (or to any, with `any`).
 * @param {readonly string[]} types @param {boolean} [any]
 * @returns {(keyof Style)[]}
 */
export function propsFor(types, any = true) {
  const props = /** @type {(keyof Style)[]} */ (Object.keys(APPLIES));
  return props.filter((p) => (any ? types.some((t) => APPLIES[p].has(t)) : types.every((t) => APPLIES[p].has(t))));
}

/**
 * The value elements read for a style property (unset fields as the renderer reads them).
 * @param {Element} el @param {keyof Style} prop
 */
export function styleValue(el, prop) {
  const v = el[prop];
  switch (prop) {
    case 'opacity':
      return v ?? 1;
    case 'fillStyle':
      return v === 'hatch' ? 'hatch' : v === 'none' ? 'none' : 'solid';
    case 'dash':
      return v || 'solid';
    case 'font':
      return v || 'sans';
    case 'align':
      return v || 'left';
    case 'startArrow':
      return v || 'none';
    case 'endArrow':
      return v || (el.type === 'arrow' ? 'arrow' : 'none');
    case 'curve':
      return v === 'round' ? 'round' : 'sharp';
    case 'size':
      return v || 20;
    case 'width':
      return v || 1;
    default:
      return v ?? '';
  }
}

/**
 * The value of prop shared by every element it applies to, or undefined when they
 * differ (or none has it).
 * @param {readonly Element[]} els @param {keyof Style} prop
 */
export function commonValue(els, prop) {
  let out;
  let seen = false;
  for (const el of els) {
    if (!APPLIES[prop].has(el.type)) continue;
    const v = styleValue(el, prop);
    if (seen && v !== out) return undefined;
    out = v;
    seen = true;
  }
  return out;
}

/**
 * Patches setting prop to value on the elements it applies to (locked ones excepted).
 * A fill colour on a shape whose fill style is "none" also makes it solid, or the
 * colour would not show.
 * @param {readonly Element[]} els @param {keyof Style} prop @param {any} value
 */
export function styleOps(els, prop, value) {
  const ops = [];
  for (const el of els) {
    if (el.locked || !APPLIES[prop].has(el.type)) continue;
    if (styleValue(el, prop) === value) continue;
    /** @type {Record<string, any>} */
    const set = { [prop]: wire(prop, value, el.type) };
    if (prop === 'fill' && value && el.fillStyle === 'none') set.fillStyle = '';
    ops.push({ o: /** @type {const} */ ('patch'), id: el.id, set });
  }
  return ops;
}

/**
 * The value as the protocol stores it: defaults as "" where "" means the same.
 * @param {keyof Style} prop @param {any} value @param {string} type
 */
function wire(prop, value, type) {
  if (prop === 'fillStyle' && value === 'solid') return '';
  if (prop === 'dash' && value === 'solid') return '';
  if (prop === 'font' && value === 'sans') return '';
  if (prop === 'align' && value === 'left') return '';
  if (prop === 'startArrow' && value === 'none') return '';
  if (prop === 'curve' && value === 'sharp') return '';
  // An arrow with endArrow "" gets the default head: "none" must be said outright.
  if (prop === 'endArrow' && value === 'none') return type === 'arrow' ? 'none' : '';
  return value;
}
