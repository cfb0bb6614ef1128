// @ts-check
// The keyboard help: every tool and shortcut, from the same tables the key handler
// uses (shortcuts.js). Opened with "?" or the help button; Escape or a click outside
// closes it.

import { TOOLS, HELP, keyLabel } from './shortcuts.js';
import { bindPopover } from './ui.js';

/**
 * @param {string} tag @param {string} [className] @param {string} [text]
 */
function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** @param {string[]} combos @param {boolean} mac */
function keys(combos, mac) {
  const span = el('span', 'keys');
  combos.forEach((c, i) => {
    if (i) span.append(' ');
    span.append(el('kbd', '', keyLabel(c, mac)));
  });
  return span;
}

/**
 * Builds the help panel; returns its toggle.
 * @param {boolean} canEdit
 * @param {(target: EventTarget | null) => boolean} isTrigger
 */
export function bindHelp(canEdit, isTrigger) {
  const mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
  const panel = el('section', 'popover panel help-panel');
  panel.id = 'help-panel';
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-labelledby', 'help-heading');
  const h = el('h2', '', 'Keyboard shortcuts');
  h.id = 'help-heading';
  const cols = el('div', 'help-columns');

  /** @param {string} title @param {[string, HTMLElement][]} items */
  const section = (title, items) => {
    const s = el('div', 'help-section');
    s.append(el('h3', '', title));
    const dl = el('dl');
    for (const [label, k] of items) {
      const dd = el('dd');
      dd.append(k);
      dl.append(el('dt', '', label), dd);
    }
    s.append(dl);
    return s;
  };

  const tools = TOOLS.filter((t) => canEdit || !t.editor).map((t) => /** @type {[string, HTMLElement]} */ ([t.label, keys(t.keys.map((k) => k.toUpperCase()), mac)]));
  cols.append(section('Tools', tools));
  const bySection = new Map();
  for (const [sec, label, combos] of HELP) {
    if (!canEdit && sec !== 'View' && sec !== 'Voice') continue;
    if (!canEdit && label === 'Insert image') continue;
    if (!bySection.has(sec)) bySection.set(sec, []);
    bySection.get(sec).push([label, keys(combos, mac)]);
  }
  for (const [sec, items] of bySection) cols.append(section(sec, items));
  const tip = el('p', 'hint', canEdit ? 'Shift while drawing makes squares, circles and 45° lines; Alt draws from the centre. A click with the line or arrow tool starts a line of several points. Double-click a text or note to edit it, a shape to label it, a line to edit its points, or empty space to write.' : 'This is a view-only link: you can look around and point with the laser.');
  panel.append(h, cols, tip);
  /** @type {HTMLElement} */ (document.getElementById('board')).append(panel);
  return bindPopover(panel, isTrigger);
}
