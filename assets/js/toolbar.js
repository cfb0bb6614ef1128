// @ts-check
// The tool bar (editors) and the small pointer bar (viewers: hand and laser), built from
// the tool table in shortcuts.js so that each button's tooltip names its keys.

import { TOOLS } from './shortcuts.js';
import { icon } from './icons.js';

/** @typedef {import('./editor.js').Editor} Editor */

/**
 * A tool button.
 * @param {string} id @param {string} label @param {string[]} keys @param {string} [hint]
 * @param {string} [attr] the data attribute naming the tool
 */
function toolButton(id, label, keys, hint, attr = 'tool') {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'tool';
  b.dataset[attr] = id;
  b.setAttribute('aria-pressed', 'false');
  const shown = keys.map((k) => k.toUpperCase()).join(' or ');
  b.title = `${label}${shown ? ` — ${shown}` : ''}${hint ? `, ${hint}` : ''}`;
  b.setAttribute('aria-label', label);
  if (keys.length) b.setAttribute('aria-keyshortcuts', keys.join(' '));
  b.append(icon(id));
  if (keys[0]) {
    const k = document.createElement('span');
    k.className = 'key';
    k.textContent = keys[0].toUpperCase();
    k.setAttribute('aria-hidden', 'true');
    b.append(k);
  }
  return b;
}

/**
 * Fills the tool bar (`nav.toolbar`) and the viewers' pointer bar, and keeps the
 * pressed button in step with the editor's tool.
 * @param {Editor} ed
 * @param {() => void} pickImage opens the image file picker
 */
export function bindToolbar(ed, pickImage) {
  const bar = /** @type {HTMLElement} */ (document.querySelector('.toolbar'));
  const groups = [['select', 'hand'], ['rect', 'diamond', 'ellipse', 'arrow', 'line'], ['pen', 'highlighter', 'text', 'note'], ['eraser', 'laser']];
  const parts = [];
  for (const [i, ids] of groups.entries()) {
    if (i) {
      const sep = document.createElement('span');
      sep.className = 'separator';
      sep.setAttribute('aria-hidden', 'true');
      parts.push(sep);
    }
    for (const id of ids) {
      const t = /** @type {import('./shortcuts.js').ToolInfo} */ (TOOLS.find((x) => x.id === id));
      parts.push(toolButton(t.id, t.label, t.keys, t.hint));
    }
    if (i === 2) {
      const img = toolButton('image', 'Insert image', ['9'], 'or paste or drop one', 'action');
      img.removeAttribute('aria-pressed');
      parts.push(img);
    }
  }
  bar.replaceChildren(...parts);
  bar.addEventListener('click', (e) => {
    const b = /** @type {HTMLElement | null} */ (e.target instanceof Element ? e.target.closest('button') : null);
    if (!b) return;
    if (b.dataset.tool) ed.setTool(b.dataset.tool);
    if (b.dataset.action === 'image') pickImage();
  });

  // Viewers point with the laser and move with the hand; nothing else.
  const pointers = document.createElement('div');
  pointers.className = 'pointer-bar panel viewer-only';
  pointers.setAttribute('role', 'group');
  pointers.setAttribute('aria-label', 'Pointer');
  for (const id of ['hand', 'laser']) {
    const t = /** @type {import('./shortcuts.js').ToolInfo} */ (TOOLS.find((x) => x.id === id));
    pointers.append(toolButton(t.id, t.label, t.keys, t.hint, 'pointer'));
  }
  pointers.addEventListener('click', (e) => {
    const b = /** @type {HTMLElement | null} */ (e.target instanceof Element ? e.target.closest('button') : null);
    if (b?.dataset.pointer) ed.setTool(b.dataset.pointer);
  });
  bar.after(pointers);

  placeBars(bar);

  const mark = () => {
    for (const b of document.querySelectorAll('button[data-tool], button[data-pointer]')) {
      if (!(b instanceof HTMLElement)) continue;
      b.setAttribute('aria-pressed', String((b.dataset.tool ?? b.dataset.pointer) === ed.tool));
    }
  };
  ed.subscribe(mark);
  mark();
}

/**
 * Keeps the tool bar between the title (top left) and the people and buttons (top
 * right); where they leave no room it takes a row of its own below them
 * (body.tools-low). The corners change size as people come and go, so they are watched.
 * @param {HTMLElement} bar
 */
function placeBars(bar) {
  const corners = [...document.querySelectorAll('.top-left, .top-right')];
  const place = () => {
    const w = bar.offsetWidth;
    if (!w) return;
    const left = (window.innerWidth - w) / 2;
    const right = left + w;
    const low = corners.some((c) => {
      const r = c.getBoundingClientRect();
      return r.width > 0 && r.left < right + 12 && r.right > left - 12;
    });
    document.body.classList.toggle('tools-low', low);
  };
  new ResizeObserver(place).observe(bar);
  for (const c of corners) new ResizeObserver(place).observe(c);
  window.addEventListener('resize', place);
  place();
}
