// @ts-check
// How the page looks on this screen: the colour theme (the system's, light or dark;
// theme.js applies it before the first paint) and, on a board, the canvas colour. Both
// are this browser's: the theme for every page, the canvas colour per board. (Boards
// have no settings shared through the server yet besides voice; a canvas colour everyone
// sees would need one.) Fills every [data-theme-switch] and [data-canvas-switch] on the
// page.

import { browserStorage } from './storage.js';
import { CANVAS_COLORS, canvasKey, readCanvas } from './canvascolor.js';

/** @type {{choice: () => string, set: (c: string) => void} | undefined} */
const theme = /** @type {any} */ (window).tabulaTheme;
const storage = browserStorage();

const THEMES = [
  ['system', 'System'],
  ['light', 'Light'],
  ['dark', 'Dark'],
];

/**
 * A row of radio buttons that read as one segmented control; `attr` names a data
 * attribute each option's label carries with its value (for its swatch).
 * @param {string} name @param {string} label @param {string[][]} options [value, text]
 * @param {string} current @param {(v: string) => void} pick @param {string} [attr]
 */
function segmented(name, label, options, current, pick, attr) {
  const set = document.createElement('fieldset');
  set.className = 'segmented appearance-choice';
  const legend = document.createElement('legend');
  legend.textContent = label;
  set.append(legend);
  for (const [value, text] of options) {
    const l = document.createElement('label');
    if (attr) l.dataset[attr] = value;
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = name;
    input.value = value;
    input.checked = value === current;
    input.addEventListener('change', () => input.checked && pick(value));
    l.append(input, ` ${text}`);
    set.append(l);
  }
  return set;
}

for (const box of document.querySelectorAll('[data-theme-switch]')) {
  box.append(segmented('theme', 'Theme', THEMES, theme?.choice() ?? 'system', (c) => theme?.set(c)));
}

const board = document.getElementById('board');
const boardId = board?.dataset.id ?? '';
/** @param {string} id */
const showCanvas = (id) => {
  if (id === 'plain') delete document.body.dataset.canvas;
  else document.body.dataset.canvas = id;
};
if (board) showCanvas(readCanvas(storage, boardId));
for (const box of document.querySelectorAll('[data-canvas-switch]')) {
  const pick = (/** @type {string} */ id) => {
    try {
      if (id === 'plain') storage.removeItem(canvasKey(boardId));
      else storage.setItem(canvasKey(boardId), id);
    } catch {
      // A full or disabled storage: the colour lasts as long as the page.
    }
    showCanvas(id);
  };
  box.append(segmented('canvas', 'Canvas colour — this browser, this board', CANVAS_COLORS.map((c) => [c.id, c.name]), readCanvas(storage, boardId), pick, 'canvas'));
}
