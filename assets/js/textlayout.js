// @ts-check
// Laying out the text of text elements and notes: lines, wrapping, and the box they
// need. The width of a piece of text is asked of a `measure` function (a canvas in the
// browser, a stand-in in tests), so this module has no DOM of its own.

import { LINE_HEIGHT, NOTE_PADDING } from './shapes.js';

/** @typedef {(text: string) => number} Measure width of text in the element's font */

export const FONTS = {
  sans: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  serif: 'Georgia, "Times New Roman", serif',
  mono: 'ui-monospace, "SF Mono", Menlo, Consolas, monospace',
  hand: '"Segoe Print", "Bradley Hand", "Comic Sans MS", cursive',
};

/** Font sizes when unset: text elements and notes. */
export const TEXT_SIZE = 20;
export const NOTE_TEXT_SIZE = 20;

/**
 * The CSS font of an element.
 * @param {{font?: string, size?: number, type?: string}} el
 */
export function cssFont(el) {
  const size = el.size || (el.type === 'note' ? NOTE_TEXT_SIZE : TEXT_SIZE);
  return `${size}px ${FONTS[/** @type {keyof FONTS} */ (el.font)] ?? FONTS.sans}`;
}

/**
 * Breaks text into lines no wider than maxWidth, at spaces; a word wider than the line
 * is broken between characters. Newlines always break.
 * @param {string} text @param {number} maxWidth @param {Measure} measure
 * @returns {string[]}
 */
export function wrapLines(text, maxWidth, measure) {
  const out = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      const next = line ? `${line} ${word}` : word;
      if (measure(next) <= maxWidth) {
        line = next;
        continue;
      }
      if (line) out.push(line);
      // The word alone: break it if it does not fit on a line of its own.
      line = '';
      for (const ch of word) {
        if (line && measure(line + ch) > maxWidth) {
          out.push(line);
          line = ch;
        } else line += ch;
      }
    }
    out.push(line);
  }
  return out;
}

/**
 * The box a text element needs: as wide as its longest line, as high as its lines.
 * @param {string} text @param {number} size @param {Measure} measure
 */
export function textBox(text, size, measure) {
  const lines = text.split('\n');
  const w = Math.max(size / 2, ...lines.map(measure));
  return { w: Math.ceil(w), h: Math.ceil(lines.length * size * LINE_HEIGHT) };
}

/**
 * The height a note of width w needs for its text (never less than minH): notes grow
 * downwards as their text gets longer.
 * @param {string} text @param {number} w @param {number} size @param {number} minH @param {Measure} measure
 */
export function noteHeight(text, w, size, minH, measure) {
  const pad = Math.min(NOTE_PADDING, w / 8);
  const lines = text ? wrapLines(text, w - pad * 2, measure) : [];
  return Math.max(minH, Math.ceil(lines.length * size * LINE_HEIGHT + pad * 2));
}
