// @ts-check
// The board's right-click menu (a long press on touch screens). Over an element it acts
// on the selection (the element is selected first, as in Excalidraw): clipboard, styles,
// duplicate, delete, stacking order, align, distribute, flip, group, lock, export. Over
// empty board it offers paste, select all, zoom to fit and the view toggles. The
// commands it runs are the editor's (editor.js, arrange-commands.js and others).
//
// The menu is a list of buttons with role="menuitem": arrows, Home and End move between
// them, Enter or Space runs one, Escape, Tab, a click elsewhere or scrolling closes it.
// menuFor and placeMenu decide what it shows and where, without the DOM.

import { pieces } from './arrange.js';
import { topHit, unionBounds } from './hit.js';
import { screenToWorld } from './camera.js';
import { keyLabel } from './shortcuts.js';

/** @typedef {import('./editor.js').Editor} Editor */
/** @typedef {import('./doc.js').Element} Element */
/**
 * One entry of the menu: a command, a row of icon buttons, or a separator.
 * @typedef {{cmd: string, arg?: any, label: string, keys?: string, checked?: boolean, disabled?: boolean, icon?: string}} Item
 * @typedef {Item | {row: string, items: Item[]} | 'separator'} Entry
 */

/** How long a finger must rest, in ms, to open the menu (iOS and Android use about this). */
export const LONG_PRESS = 500;
/** How far a resting finger may wander, in CSS px, before it is a drag instead. */
const LONG_PRESS_SLOP = 10;
/** Space kept between the menu and the edges of the window, in CSS px. */
const EDGE = 8;
/** Whether shortcuts are written the Mac way. */
const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
/** How near the pointer an element counts as under it, in screen px. */
const PICK = 6;

/**
 * Where the menu goes for a click at (x, y): its top-left corner there; where it would
 * cross the right or bottom edge, flipped to the left of or above the point; where it
 * fits neither way, as near the point as the window allows (a menu taller than the
 * window starts at its top and scrolls).
 * @param {number} x @param {number} y the click, in CSS px
 * @param {number} w @param {number} h the menu's size
 * @param {number} vw @param {number} vh the window's size
 * @returns {{left: number, top: number}}
 */
export function placeMenu(x, y, w, h, vw, vh) {
  return { left: along(x, w, vw), top: along(y, h, vh) };
}

/**
 * One axis of placeMenu: the start of a length `size` for a click at `at` in `room`.
 * @param {number} at @param {number} size @param {number} room
 */
function along(at, size, room) {
  if (at + size + EDGE <= room) return at;
  if (at - size >= EDGE) return at - size;
  return Math.max(EDGE, room - size - EDGE);
}

/**
 * What the menu offers. `selected` is the selection (empty: the board's menu).
 * @param {{
 *   canEdit: boolean, selected: readonly Element[], styleCopied: boolean,
 *   grid: boolean, snap: boolean, toolLocked: boolean,
 * }} s
 * @returns {Entry[]}
 */
export function menuFor(s) {
  /** @type {Entry[]} */
  const out = [];
  const els = s.selected;
  if (!els.length) {
    if (s.canEdit) out.push({ cmd: 'paste', label: 'Paste', keys: 'Mod+V' }, { cmd: 'selectAll', label: 'Select all', keys: 'Mod+A' }, 'separator');
    out.push({ cmd: 'zoomFit', label: 'Zoom to fit', keys: 'Shift+1' });
    out.push({ cmd: 'grid', label: 'Show grid', keys: "Mod+'", checked: s.grid });
    if (s.canEdit) {
      out.push({ cmd: 'snap', label: 'Snap to grid', keys: 'Alt+S', checked: s.snap });
      out.push({ cmd: 'toolLock', label: 'Keep tool after drawing', keys: 'Q', checked: s.toolLocked });
    }
    out.push('separator', { cmd: 'exportBoard', label: 'Export board…' });
    return out;
  }
  const locked = els.every((el) => el.locked);
  const free = els.filter((el) => !el.locked);
  const n = pieces(free).length;
  if (!s.canEdit) return [{ cmd: 'exportSelection', label: 'Export selection…' }];
  out.push({ cmd: 'copy', label: 'Copy', keys: 'Mod+C' });
  if (!locked) out.push({ cmd: 'cut', label: 'Cut', keys: 'Mod+X' });
  out.push({ cmd: 'paste', label: 'Paste', keys: 'Mod+V' }, 'separator');
  out.push({ cmd: 'copyStyle', label: 'Copy styles', keys: 'Mod+Alt+C', disabled: els.length !== 1 });
  if (!locked) out.push({ cmd: 'pasteStyle', label: 'Paste styles', keys: 'Mod+Alt+V', disabled: !s.styleCopied });
  out.push('separator');
  if (!locked) {
    out.push({ cmd: 'duplicate', label: 'Duplicate', keys: 'Mod+D' }, { cmd: 'delete', label: 'Delete', keys: 'Delete' }, 'separator');
    out.push(
      { cmd: 'zorder', arg: 'forward', label: 'Bring forward', keys: 'Mod+]' },
      { cmd: 'zorder', arg: 'front', label: 'Bring to front', keys: 'Mod+Shift+]' },
      { cmd: 'zorder', arg: 'backward', label: 'Send backward', keys: 'Mod+[' },
      { cmd: 'zorder', arg: 'back', label: 'Send to back', keys: 'Mod+Shift+[' },
      'separator',
    );
    if (n >= 2) {
      out.push({
        row: 'Align',
        items: [
          { cmd: 'align', arg: 'left', label: 'Align left', keys: 'Mod+Shift+←', icon: 'alignLeft' },
          { cmd: 'align', arg: 'centre', label: 'Align centres horizontally', icon: 'alignCentre' },
          { cmd: 'align', arg: 'right', label: 'Align right', keys: 'Mod+Shift+→', icon: 'alignRight' },
          { cmd: 'align', arg: 'top', label: 'Align top', keys: 'Mod+Shift+↑', icon: 'alignTop' },
          { cmd: 'align', arg: 'middle', label: 'Align centres vertically', icon: 'alignMiddle' },
          { cmd: 'align', arg: 'bottom', label: 'Align bottom', keys: 'Mod+Shift+↓', icon: 'alignBottom' },
        ],
      });
    }
    if (n >= 3) {
      out.push({
        row: 'Distribute',
        items: [
          { cmd: 'distribute', arg: 'horizontal', label: 'Distribute horizontally', keys: 'Alt+H', icon: 'spaceX' },
          { cmd: 'distribute', arg: 'vertical', label: 'Distribute vertically', keys: 'Alt+V', icon: 'spaceY' },
        ],
      });
    }
    out.push({ cmd: 'flip', arg: 'horizontal', label: 'Flip horizontal', keys: 'Shift+H' }, { cmd: 'flip', arg: 'vertical', label: 'Flip vertical', keys: 'Shift+V' }, 'separator');
    const groups = new Set(free.map((el) => el.group || `-${el.id}`));
    if (groups.size >= 2) out.push({ cmd: 'group', label: 'Group', keys: 'Mod+G' });
    if (free.some((el) => el.group)) out.push({ cmd: 'ungroup', label: 'Ungroup', keys: 'Mod+Shift+G' });
  }
  out.push({ cmd: 'lock', label: locked ? 'Unlock' : 'Lock', keys: 'Mod+Shift+L' }, 'separator');
  out.push({ cmd: 'exportSelection', label: 'Export selection…' });
  return out;
}

/** Icons of the align and distribute buttons: SVG path data on a 24 × 24 grid. */
const ICONS = /** @type {Record<string, string[]>} */ ({
  alignLeft: ['M4 3v18', 'M8 7h11v4H8z', 'M8 14h7v4H8z'],
  alignCentre: ['M12 3v18', 'M6 7h12v4H6z', 'M8 14h8v4H8z'],
  alignRight: ['M20 3v18', 'M5 7h11v4H5z', 'M9 14h7v4H9z'],
  alignTop: ['M3 4h18', 'M7 8h4v11H7z', 'M14 8h4v7h-4z'],
  alignMiddle: ['M3 12h18', 'M7 6h4v12H7z', 'M14 8h4v8h-4z'],
  alignBottom: ['M3 20h18', 'M7 5h4v11H7z', 'M14 9h4v7h-4z'],
  spaceX: ['M3 4v16', 'M21 4v16', 'M9 7h6v10H9z'],
  spaceY: ['M4 3h16', 'M4 21h16', 'M7 9h10v6H7z'],
});

/** @param {string} name */
function svgIcon(name) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  for (const d of ICONS[name] ?? []) {
    const p = document.createElementNS(NS, 'path');
    p.setAttribute('d', d);
    svg.append(p);
  }
  return svg;
}

/**
 * Wires the menu to the board canvas: right click, the context-menu key, and a long
 * press on touch screens.
 * @param {Editor} ed
 * @param {{canvas: HTMLElement, styleCopied: () => boolean}} opts
 */
export function bindContextMenu(ed, { canvas, styleCopied }) {
  const menu = document.createElement('div');
  menu.id = 'context-menu';
  menu.className = 'context-menu panel';
  menu.setAttribute('role', 'menu');
  menu.hidden = true;
  document.body.append(menu);
  /** What had focus before the menu opened, to give it back. @type {Element | null} */
  let before = null;
  let openedByPress = 0;

  /** @param {Item} item @param {boolean} iconOnly */
  const button = (item, iconOnly) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = iconOnly ? 'menu-icon' : 'menu-item';
    b.setAttribute('role', item.checked === undefined ? 'menuitem' : 'menuitemcheckbox');
    if (item.checked !== undefined) b.setAttribute('aria-checked', String(item.checked));
    b.dataset.cmd = item.cmd;
    if (item.arg !== undefined) b.dataset.arg = String(item.arg);
    b.disabled = !!item.disabled;
    const keys = item.keys ? keyLabel(item.keys, isMac()) : '';
    if (iconOnly) {
      b.append(svgIcon(item.icon ?? ''));
      b.setAttribute('aria-label', item.label);
      b.title = keys ? `${item.label} — ${keys}` : item.label;
    } else {
      const label = document.createElement('span');
      label.className = 'menu-label';
      label.textContent = item.label;
      b.append(label);
      if (keys) {
        const k = document.createElement('kbd');
        k.textContent = keys;
        k.setAttribute('aria-hidden', 'true');
        b.append(k);
        b.setAttribute('aria-keyshortcuts', item.keys ?? '');
      }
    }
    b.addEventListener('click', () => {
      close(false);
      ed.run(item.cmd, item.arg);
    });
    return b;
  };

  /** @param {Entry[]} entries */
  const fill = (entries) => {
    const parts = [];
    for (const [i, e] of entries.entries()) {
      if (e === 'separator') {
        if (i > 0 && i < entries.length - 1 && entries[i - 1] !== 'separator') {
          const sep = document.createElement('div');
          sep.className = 'menu-separator';
          sep.setAttribute('role', 'separator');
          parts.push(sep);
        }
      } else if ('row' in e) {
        const row = document.createElement('div');
        row.className = 'menu-row';
        row.setAttribute('role', 'group');
        row.setAttribute('aria-label', e.row);
        const label = document.createElement('span');
        label.className = 'menu-row-label';
        label.textContent = e.row;
        label.setAttribute('aria-hidden', 'true');
        row.append(label, ...e.items.map((it) => button(it, true)));
        parts.push(row);
      } else {
        parts.push(button(e, false));
      }
    }
    menu.replaceChildren(...parts);
  };

  const items = () => /** @type {HTMLButtonElement[]} */ ([...menu.querySelectorAll('button:not(:disabled)')]);

  /**
   * Opens the menu for a click at client point (x, y).
   * @param {number} x @param {number} y
   */
  function open(x, y) {
    ed.settle();
    const rect = canvas.getBoundingClientRect();
    const [wx, wy] = screenToWorld(ed.camera, x - rect.left, y - rect.top);
    ed.pointer = [wx, wy];
    if (ed.canEdit) {
      const sel = ed.selected();
      const box = unionBounds(sel);
      const inSelection = !!box && wx >= box.minX && wx <= box.maxX && wy >= box.minY && wy <= box.maxY;
      const hit = topHit(ed.elements(), wx, wy, ed.tol(PICK));
      if (hit && !ed.selection.has(hit.id)) {
        if (ed.tool !== 'select') ed.setTool('select');
        ed.select([hit.id], { exact: !!hit.locked });
      } else if (!hit && !inSelection && ed.selection.size) {
        ed.select([]);
      }
    }
    fill(menuFor({ canEdit: ed.canEdit, selected: ed.selected(), styleCopied: styleCopied(), grid: ed.prefs.grid, snap: ed.prefs.snap, toolLocked: ed.toolLocked }));
    before = document.activeElement;
    menu.hidden = false;
    place(x, y);
    items()[0]?.focus({ preventScroll: true });
  }

  /** Where the menu was opened, in client px. */
  let at = [0, 0];
  /** @param {number} x @param {number} y */
  function place(x, y) {
    at = [x, y];
    menu.style.left = '0px';
    menu.style.top = '0px';
    const { left, top } = placeMenu(x, y, menu.offsetWidth, menu.offsetHeight, window.innerWidth, window.innerHeight);
    menu.style.left = `${left}px`;
    menu.style.top = `${top}px`;
  }

  /** @param {boolean} restoreFocus */
  function close(restoreFocus) {
    if (menu.hidden) return;
    menu.hidden = true;
    if (restoreFocus && before instanceof HTMLElement) before.focus({ preventScroll: true });
    else if (document.activeElement instanceof HTMLElement && menu.contains(document.activeElement)) document.activeElement.blur();
  }

  canvas.addEventListener('contextmenu', (e) => {
    e.preventDefault();
    // A long press already opened it; touch browsers follow with a contextmenu of their own.
    if (!menu.hidden && performance.now() - openedByPress < 1500) return;
    open(e.clientX, e.clientY);
  });
  // The key for menus (and Shift+F10) over the board: the menu at the selection, or the middle.
  window.addEventListener('keydown', (e) => {
    if (!(e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) || !menu.hidden) return;
    const t = e.target;
    if (t instanceof HTMLElement && t !== document.body && t !== canvas) return;
    e.preventDefault();
    const rect = canvas.getBoundingClientRect();
    open(rect.left + rect.width / 2, rect.top + rect.height / 2);
  });

  menu.addEventListener('keydown', (e) => {
    // Keys in the menu are the menu's: the board's shortcuts (arrows nudge) must not run.
    e.stopPropagation();
    const list = items();
    const at = list.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    const go = (/** @type {number} */ i) => {
      e.preventDefault();
      list[(i + list.length) % list.length]?.focus();
    };
    if (e.key === 'ArrowDown' || e.key === 'ArrowRight') go(at + 1);
    else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') go(at - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(list.length - 1);
    else if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      close(true);
    }
  });
  document.addEventListener(
    'pointerdown',
    (e) => {
      if (!menu.hidden && !(e.target instanceof Node && menu.contains(e.target))) close(false);
    },
    { capture: true },
  );
  // A window that changes size (a phone turned, its address bar hiding) keeps the menu
  // inside it.
  window.addEventListener('resize', () => {
    if (!menu.hidden) place(at[0], at[1]);
  });
  canvas.addEventListener('wheel', () => close(false), { passive: true });

  // A long press: a finger that rests LONG_PRESS ms without moving, with the selection
  // tool or the hand (with a drawing tool, a resting finger is a stroke that pauses).
  // What it started (a drag, a marquee) is called off by letting go of the pointer
  // capture, which input.js treats as a cancel, and the menu opens under the finger.
  /** @type {{id: number, x: number, y: number, timer: any} | null} */
  let press = null;
  const stop = () => {
    if (press) clearTimeout(press.timer);
    press = null;
  };
  canvas.addEventListener('pointerdown', (e) => {
    if (e.pointerType !== 'touch') return;
    if (press || (ed.tool !== 'select' && ed.tool !== 'hand')) {
      stop(); // a second finger (a pinch), or a drawing tool
      return;
    }
    const p = { id: e.pointerId, x: e.clientX, y: e.clientY, timer: /** @type {any} */ (0) };
    p.timer = setTimeout(() => {
      press = null;
      if (canvas.hasPointerCapture(p.id)) canvas.releasePointerCapture(p.id);
      openedByPress = performance.now();
      open(p.x, p.y);
    }, LONG_PRESS);
    press = p;
  });
  canvas.addEventListener('pointermove', (e) => {
    if (press && e.pointerId === press.id && Math.hypot(e.clientX - press.x, e.clientY - press.y) > LONG_PRESS_SLOP) stop();
  });
  for (const type of ['pointerup', 'pointercancel']) {
    canvas.addEventListener(type, (e) => {
      if (press && /** @type {PointerEvent} */ (e).pointerId === press.id) stop();
    });
  }

  return { open, close, element: menu };
}
