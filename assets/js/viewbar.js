// @ts-check
// The controls around the zoom buttons: undo and redo, zoom to fit, the grid and
// snapping toggles, and the help button; and the zoom commands behind their keys.

import { zoomAt, fitRect } from './camera.js';
import { unionBounds } from './hit.js';
import { icon } from './icons.js';
import { keyHint } from './editor.js';
import { bindHelp } from './help.js';

/** @typedef {import('./editor.js').Editor} Editor */

/** The largest zoom "fit" picks: a small drawing is not blown up to fill the screen. */
const FIT_MAX_ZOOM = 2;
/** Room around what "fit" shows, in screen pixels. */
const FIT_MARGIN = 64;

/**
 * @param {string} name @param {string} label @param {string} [keys]
 */
function button(name, label, keys) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'icon-only';
  b.dataset.cmd = name;
  b.title = keys ? `${label} — ${keys}` : label;
  b.setAttribute('aria-label', label);
  b.append(icon(name));
  return b;
}

/**
 * @param {Editor} ed
 * @param {{canvas: HTMLElement, cameraChanged: () => void}} opts
 */
export function bindViewBar(ed, { canvas, cameraChanged }) {
  const cam = ed.camera;
  /** @param {number} z */
  const zoomTo = (z) => {
    zoomAt(cam, canvas.clientWidth / 2, canvas.clientHeight / 2, z);
    cameraChanged();
  };
  Object.assign(ed.commands, {
    zoomIn: () => zoomTo(cam.zoom * 1.2),
    zoomOut: () => zoomTo(cam.zoom / 1.2),
    zoomReset: () => zoomTo(1),
    zoomFit() {
      const els = ed.selection.size ? ed.selected() : ed.elements();
      const b = unionBounds(els);
      if (!b) {
        zoomTo(1);
        return;
      }
      const w = canvas.clientWidth;
      const h = canvas.clientHeight;
      const rect = { x: b.minX, y: b.minY, w: Math.max(1, b.maxX - b.minX), h: Math.max(1, b.maxY - b.minY) };
      const fit = fitRect(rect, Math.max(1, w - FIT_MARGIN * 2), Math.max(1, h - FIT_MARGIN * 2));
      const zoom = Math.min(fit.zoom, FIT_MAX_ZOOM);
      Object.assign(cam, { zoom, x: rect.x + rect.w / 2 - w / 2 / zoom, y: rect.y + rect.h / 2 - h / 2 / zoom });
      cameraChanged();
    },
  });

  const zoomBar = /** @type {HTMLElement} */ (document.querySelector('.zoom'));
  const history = document.createElement('div');
  history.className = 'history-bar panel editor-only';
  history.setAttribute('role', 'group');
  history.setAttribute('aria-label', 'History');
  const undo = button('undo', 'Undo', keyHint('Mod+Z'));
  const redo = button('redo', 'Redo', keyHint('Mod+Shift+Z'));
  history.append(undo, redo);

  const view = document.createElement('div');
  view.className = 'view-bar panel';
  view.setAttribute('role', 'group');
  view.setAttribute('aria-label', 'View');
  const fit = button('fit', 'Zoom to fit', 'Shift+1');
  fit.dataset.cmd = 'zoomFit';
  const grid = button('grid', 'Show grid', keyHint("Mod+'"));
  const snap = button('magnet', 'Snap to grid', 'Alt+S');
  snap.dataset.cmd = 'snap';
  snap.classList.add('editor-only');
  view.append(fit, grid, snap);
  zoomBar.after(view, history);

  const help = button('help', 'Keyboard shortcuts', '?');
  help.classList.add('help-button', 'panel');
  help.setAttribute('aria-haspopup', 'dialog');
  help.setAttribute('aria-controls', 'help-panel');
  help.setAttribute('aria-expanded', 'false');
  /** @type {HTMLElement} */ (document.getElementById('board')).append(help);
  const helpPanel = bindHelp(ed.canEdit, (t) => t instanceof Node && help.contains(t));
  ed.commands.help = () => helpPanel.toggle();

  for (const bar of [history, view, help]) {
    bar.addEventListener('click', (e) => {
      const b = e.target instanceof Element ? e.target.closest('button') : null;
      if (b instanceof HTMLElement && b.dataset.cmd) ed.run(b.dataset.cmd);
    });
  }

  const render = () => {
    undo.disabled = !ed.history.canUndo;
    redo.disabled = !ed.history.canRedo;
    grid.setAttribute('aria-pressed', String(ed.prefs.grid));
    snap.setAttribute('aria-pressed', String(ed.prefs.snap));
  };
  ed.subscribe(render);
  // Undo becomes possible after a commit, which need not change the tool or selection.
  ed.doc.subscribe(render);
  render();
}
