// @ts-check
// The board's canvas colour: a setting of the board, not of this browser. An editor's
// choice is sent to the server, which keeps it and tells everyone on the board (sync.js,
// `canvas`); viewers see the switch but cannot change it. Fills [data-canvas-switch].

import { CANVAS_COLORS, canvasId } from './canvascolor.js';
import { segmented } from './appearance.js';

/** @typedef {import('./sync.js').Sync} Sync */

/** @param {Sync} sync @param {boolean} canEdit */
export function bindCanvas(sync, canEdit) {
  const show = () => {
    const id = canvasId(sync.canvas);
    document.body.dataset.canvas = id;
    for (const input of document.querySelectorAll('[data-canvas-switch] input')) {
      /** @type {HTMLInputElement} */ (input).checked = /** @type {HTMLInputElement} */ (input).value === id;
    }
  };
  const label = canEdit ? 'Canvas colour — for everyone on this board' : "Canvas colour — chosen by the board's editors";
  const options = CANVAS_COLORS.map((c) => [c.id, c.name]);
  const pick = (/** @type {string} */ id) => {
    sync.setCanvas(id);
    show();
  };
  for (const box of document.querySelectorAll('[data-canvas-switch]')) {
    const set = segmented('canvas', label, options, canvasId(sync.canvas), pick, 'canvas');
    set.disabled = !canEdit;
    box.append(set);
  }
  sync.on('canvas', show);
  sync.on('welcome', show);
  show();
}
