// @ts-check
// The tool bar (editors) and the small pointer bar (viewers: hand and laser), built from
// the tool table in shortcuts.js so that each button's tooltip names its keys.
//
// On a phone held upright fourteen buttons would be 25 px wide, too small for a finger.
// There the bar keeps the tools used most and a "More tools" button that opens the others
// in a row above it, as tldraw does on phones; every button stays at least 42 px wide.

import { TOOLS } from './shortcuts.js';
import { icon } from './icons.js';
import { closeOnBoardTouch } from './dismiss.js';

/** @typedef {import('./editor.js').Editor} Editor */

/** Screens where draw.css lays the tool bar along the bottom edge, sharing its width. */
const PHONE = '(max-width: 720px)';

/** The narrowest a button of that bar may be, in CSS pixels: a fingertip (44) less a
 * little, so that eight buttons share a 375 px screen (43.9 px each). */
const TARGET = 42;

/** The bar's buttons in the order a narrow bar keeps them, the most used first. */
const KEEP_ORDER = ['select', 'pen', 'eraser', 'hand', 'rect', 'arrow', 'text', 'ellipse', 'note', 'line', 'diamond', 'highlighter', 'frame', 'image', 'laser', 'toollock'];

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
  const groups = [['select', 'hand'], ['rect', 'diamond', 'ellipse', 'arrow', 'line'], ['pen', 'highlighter', 'text', 'note', 'frame'], ['eraser', 'laser']];
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
  // Tool lock, first as in Excalidraw: the tool stays after drawing.
  const lock = toolButton('toollock', 'Keep the tool after drawing', ['q'], undefined, 'action');
  lock.querySelector('svg')?.replaceWith(icon('unlock'));
  const lockSep = document.createElement('span');
  lockSep.className = 'separator';
  lockSep.setAttribute('aria-hidden', 'true');
  parts.unshift(lock, lockSep);
  const more = bindMore(bar, parts, ed);
  bar.addEventListener('click', (e) => {
    const b = /** @type {HTMLElement | null} */ (e.target instanceof Element ? e.target.closest('button') : null);
    if (!b) return;
    if (b.dataset.tool) ed.setTool(b.dataset.tool);
    if (b.dataset.action === 'image') pickImage();
    if (b.dataset.action === 'toollock') ed.run('toolLock');
    if (b.dataset.tool || b.dataset.action) more.close();
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
    if (lock.getAttribute('aria-pressed') !== String(ed.toolLocked)) {
      lock.setAttribute('aria-pressed', String(ed.toolLocked));
      lock.querySelector('svg')?.replaceWith(icon(ed.toolLocked ? 'lock' : 'unlock'));
    }
    more.mark();
  };
  ed.subscribe(mark);
  mark();
}

/**
 * The "More tools" button of a bar too narrow for every tool, and the row of tools it
 * opens. The bar keeps as many buttons as fit at TARGET px, More tools included, the
 * most used first (KEEP_ORDER) in their usual order. The buttons are moved, not copied,
 * so each tool has one button and the document order is the order on screen. While a
 * folded tool is the current one, More tools shows its icon.
 * @param {HTMLElement} bar @param {HTMLElement[]} parts the unfolded bar's children
 * @param {Editor} ed
 */
function bindMore(bar, parts, ed) {
  const drawer = document.createElement('div');
  drawer.id = 'tools-more';
  drawer.className = 'tools-more panel';
  drawer.setAttribute('role', 'group');
  drawer.setAttribute('aria-label', 'More tools');
  drawer.hidden = true;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'tool more-tools';
  button.title = 'More tools';
  button.setAttribute('aria-label', 'More tools');
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-controls', drawer.id);
  const buttons = parts.filter((p) => !p.classList.contains('separator'));
  const name = (/** @type {HTMLElement} */ b) => b.dataset.tool ?? b.dataset.action ?? '';
  const phone = matchMedia(PHONE);
  /** What the bar keeps when it is folded; null when it shows everything. @type {Set<string> | null} */
  let kept = null;

  /** What the bar should keep at its current width. */
  const fit = () => {
    if (!phone.matches) return null;
    const cs = getComputedStyle(bar);
    const gap = parseFloat(cs.columnGap) || 0;
    const inner = bar.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    const slots = Math.floor((inner + gap) / (TARGET + gap));
    return slots >= buttons.length ? null : new Set(KEEP_ORDER.slice(0, Math.max(1, slots - 1)));
  };
  const open = (/** @type {boolean} */ on) => {
    drawer.hidden = !on;
    button.setAttribute('aria-expanded', String(on));
  };
  const mark = () => {
    const t = kept ? buttons.find((b) => !kept?.has(name(b)) && b.dataset.tool === ed.tool) : undefined;
    button.replaceChildren(icon(t ? name(t) : 'more'));
    button.classList.toggle('current', !!t);
  };
  const layout = () => {
    const want = fit();
    if (want && kept && [...want].join() === [...kept].join()) return;
    if (!want && !kept && bar.childElementCount) return;
    kept = want;
    open(false);
    if (kept) {
      drawer.replaceChildren(...buttons.filter((b) => !kept?.has(name(b))));
      bar.replaceChildren(...buttons.filter((b) => kept?.has(name(b))), button, drawer);
    } else {
      bar.replaceChildren(...parts);
    }
    mark();
  };
  button.addEventListener('click', () => open(drawer.hidden));
  // A tap anywhere else, or Escape, closes it, as any popover; on the board, the tap
  // does nothing else.
  const board = document.getElementById('live');
  if (board) closeOnBoardTouch(board, () => !drawer.hidden, () => open(false));
  document.addEventListener(
    'pointerdown',
    (e) => {
      if (!drawer.hidden && e.target !== board && !(e.target instanceof Node && bar.contains(e.target))) open(false);
    },
    { capture: true },
  );
  window.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !drawer.hidden) open(false);
  });
  // Phones resize the page as their address bar comes and goes: layout changes the bar
  // only when what fits changes.
  window.addEventListener('resize', layout);
  layout();
  return { close: () => open(false), mark };
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
