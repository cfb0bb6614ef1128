// @ts-check
// The board page's controls around the canvas. Each bind function wires one control to
// the state it shows. User-supplied text (titles, names) is only ever set as textContent
// or an input's value, never parsed as HTML.

import { textOn } from './render.js';

/** @typedef {import('./sync.js').Sync} Sync */
/** @typedef {import('./sync.js').State} State */

/**
 * @param {string} id
 * @returns {any} the element; the board template guarantees it exists
 */
const $ = (id) => document.getElementById(id);

/** Removes control characters, which the server refuses in titles. @param {string} s */
const clean = (s) => s.replace(/[\u0000-\u001f\u007f]/g, '').trim();

/**
 * The title field: editors rename on Enter or blur, Escape reverts. Titles from the
 * server replace the field unless someone is typing in it.
 * @param {Sync} sync @param {boolean} canEdit @param {(title: string) => void} shown
 */
export function bindTitle(sync, canEdit, shown) {
  /** @type {HTMLInputElement} */
  const input = $('title');
  input.readOnly = !canEdit;
  const commit = () => {
    const t = clean(input.value).slice(0, 200);
    if (!t || t === sync.title) {
      input.value = sync.title;
      return;
    }
    input.value = t;
    sync.setTitle(t);
    shown(t);
  };
  input.addEventListener('change', commit);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') input.blur();
    if (e.key === 'Escape') {
      input.value = sync.title;
      input.blur();
    }
  });
  const update = () => {
    if (document.activeElement !== input) input.value = sync.title;
    shown(sync.title);
  };
  sync.on('title', update);
  sync.on('welcome', update);
}

const STATE_LABELS = { connecting: 'Connecting…', online: 'Online', offline: 'Offline' };

/**
 * The connection indicator, the offline banner, and body[data-state] for tests and CSS.
 * The banner waits for the first lost connection so a normal page load does not flash it.
 * When the server refused the connection (1008, 1013) the banner says why and counts
 * down to the next attempt, until the page is back online.
 * @param {Sync} sync
 */
export function bindStatus(sync) {
  const status = $('status');
  const label = status.querySelector('.label');
  const banner = $('offline');
  const usual = banner.textContent;
  let cut = false;
  let countdown = 0;
  sync.on('state', (/** @type {State} */ s) => {
    if (s === 'offline') cut = true;
    if (s === 'online') {
      cut = false;
      clearInterval(countdown);
      banner.textContent = usual;
      delete banner.dataset.refused;
    }
    status.dataset.state = s;
    label.textContent = s === 'connecting' && cut ? 'Reconnecting…' : STATE_LABELS[s];
    document.body.dataset.state = s;
    banner.hidden = !cut;
  });
  sync.on('refused', (/** @type {{code: number, reason: string, wait: number}} */ r) => {
    const why = r.code === 1008 && r.reason ? r.reason : 'The server asked this page to come back a little later.';
    const until = Date.now() + r.wait;
    const show = () => {
      const secs = Math.max(0, Math.ceil((until - Date.now()) / 1000));
      banner.textContent = secs > 0 ? `${why} Reconnecting in ${secs}\u00a0s; your changes are kept and will be sent then.` : `${why} Reconnecting…`;
    };
    clearInterval(countdown);
    show();
    countdown = setInterval(show, 1000);
    banner.dataset.refused = String(r.code);
    banner.hidden = false;
  });
}

/**
 * Shows and hides a popover: `toggle()` flips it, `toggle(on)` sets it. A click outside
 * it (other than on its trigger, which toggles it itself) or Escape closes it. `opened`
 * runs each time it opens, to fill it. The trigger's aria-expanded follows.
 * @param {HTMLElement} panel
 * @param {(target: EventTarget | null) => boolean} isTrigger
 * @param {() => void} [opened]
 */
export function bindPopover(panel, isTrigger, opened) {
  /** @param {boolean} [on] */
  const toggle = (on = panel.hidden) => {
    if (on === !panel.hidden) return;
    if (on) opened?.();
    panel.hidden = !on;
    for (const b of document.querySelectorAll(`[aria-controls="${panel.id}"]`)) b.setAttribute('aria-expanded', String(on));
  };
  document.addEventListener('pointerdown', (e) => {
    if (!panel.hidden && e.target instanceof Node && !panel.contains(e.target) && !isTrigger(e.target)) toggle(false);
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !panel.hidden) toggle(false);
  });
  return { toggle };
}

/**
 * The share popover: the edit and view links with copy buttons.
 * @param {{id: string, role: string, viewId: string}} board
 * @param {(msg: string) => void} toast
 */
export function bindShare(board, toast) {
  const button = $('share');
  const panel = $('share-panel');
  const origin = location.origin;
  $('edit-link').value = board.role === 'editor' ? `${origin}/b/${board.id}` : '';
  $('view-link').value = `${origin}/v/${board.role === 'editor' ? board.viewId : board.id}`;

  const popover = bindPopover(panel, (t) => t instanceof Node && button.contains(t));
  button.addEventListener('click', () => popover.toggle());

  for (const b of panel.querySelectorAll('[data-copy]')) {
    if (!(b instanceof HTMLElement)) continue;
    /** @type {HTMLInputElement} */
    const field = $(b.dataset.copy ?? '');
    b.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        b.textContent = 'Copied';
        setTimeout(() => (b.textContent = 'Copy'), 1500);
      } catch {
        // The clipboard API needs a secure context and permission; selecting the text
        // still lets the user copy it with one keystroke.
        field.select();
        toast('Press Ctrl+C (⌘C) to copy the selected link');
      }
    });
  }
}

/**
 * The "Following Ana — click to stop" pill and the frame in their colour around the
 * screen. `show(null)` hides both; `stop` is called when the pill is clicked.
 * @param {() => void} stop
 * @returns {(who: {name: string, color: string} | null) => void}
 */
export function bindFollowing(stop) {
  const pill = $('follow-pill');
  const frame = $('follow-frame');
  const name = $('follow-name');
  pill.addEventListener('click', stop);
  return (who) => {
    pill.hidden = frame.hidden = !who;
    if (!who) return;
    name.textContent = who.name;
    pill.style.setProperty('--person', who.color);
    pill.style.setProperty('--person-ink', textOn(who.color));
    frame.style.setProperty('--person', who.color);
    pill.setAttribute('aria-label', `Following ${who.name}. Click to stop.`);
  };
}

/**
 * Zoom buttons. `zoomTo` applies a new zoom about the screen centre; call the returned
 * function whenever the camera changes to update the percentage.
 * @param {() => number} zoom @param {(z: number) => void} zoomTo
 */
export function bindZoom(zoom, zoomTo) {
  const reset = $('zoom-reset');
  $('zoom-in').addEventListener('click', () => zoomTo(zoom() * 1.2));
  $('zoom-out').addEventListener('click', () => zoomTo(zoom() / 1.2));
  reset.addEventListener('click', () => zoomTo(1));
  return () => {
    reset.textContent = `${Math.round(zoom() * 100)}%`;
  };
}

let toastTimer = 0;

/**
 * Shows a short message at the bottom of the screen for a few seconds.
 * @param {string} msg
 */
export function toast(msg) {
  const el = $('toast');
  el.textContent = msg;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 4000);
}
