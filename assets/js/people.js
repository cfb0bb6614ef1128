// @ts-check
// The people on the board, in the top-right corner: a row of avatars (the others, then
// you), "+N" when there are too many, the full list in a popover, and your own name and
// colour in another. What is shown comes from presence.js; this module only builds the
// DOM. Names are user text: they go in through textContent and attributes only.

import { cleanName, collapse, describe, displayName, initials, voiceWord, MAX_SHOWN } from './presence.js';
import { textOn } from './render.js';
import { bindPopover } from './ui.js';

/** @typedef {import('./presence.js').Person} Person */

/** Icons as SVG path data (24×24, stroked). */
const ICONS = {
  mic: ['M12 3a3 3 0 0 0-3 3v5a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z', 'M18.5 11a6.5 6.5 0 0 1-13 0', 'M12 17.5V21'],
  micOff: ['M15 9.3V6a3 3 0 0 0-5.9-.8', 'M9 9v2a3 3 0 0 0 5 2.2', 'M18.5 11a6.5 6.5 0 0 1-1.1 3.6M16 16.4A6.5 6.5 0 0 1 5.5 11', 'M12 17.5V21', 'M4 4l16 16'],
  speaking: ['M12 3a3 3 0 0 0-3 3v5a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z', 'M18.5 11a6.5 6.5 0 0 1-13 0', 'M12 17.5V21', 'M21 8.5v5M3 8.5v5'],
  eye: ['M2 12s3.6-6.5 10-6.5S22 12 22 12s-3.6 6.5-10 6.5S2 12 2 12z', 'M12 9.2a2.8 2.8 0 1 0 0 5.6 2.8 2.8 0 0 0 0-5.6z'],
};

const SVG = 'http://www.w3.org/2000/svg';

/** @param {keyof typeof ICONS} name */
function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  for (const d of ICONS[name]) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/** @type {Record<string, keyof typeof ICONS>} */
const VOICE_ICON = { in: 'mic', muted: 'micOff', speaking: 'speaking' };

/**
 * @param {string} tag @param {string} className @param {string} [text]
 */
function el(tag, className, text) {
  const e = document.createElement(tag);
  e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Fills an avatar (a button or a span) for p: initials on their colour, the viewer and
 * voice badges, and data attributes the stylesheet dims and rings by.
 * @param {HTMLElement} a @param {Person} p
 */
function fillAvatar(a, p) {
  a.style.setProperty('--person', p.color);
  a.style.setProperty('--person-ink', textOn(p.color));
  a.dataset.idle = String(p.idle);
  a.dataset.voice = p.voice;
  a.dataset.role = p.role;
  const parts = [el('span', 'initials', initials(p.name))];
  if (p.role === 'viewer') {
    const b = el('span', 'badge-role');
    b.append(icon('eye'));
    parts.push(b);
  }
  if (p.voice) {
    const b = el('span', 'badge-voice');
    b.append(icon(VOICE_ICON[p.voice]));
    parts.push(b);
  }
  a.replaceChildren(...parts);
}

/**
 * Puts `items` in `list` in order, moving only what is out of place, so that a focused
 * or hovered avatar that stays does not lose its focus or hover on every update.
 * @param {HTMLElement} list @param {HTMLElement[]} items
 */
function place(list, items) {
  items.forEach((item, i) => {
    if (list.children[i] !== item) list.insertBefore(item, list.children[i] ?? null);
  });
  while (list.children.length > items.length) list.lastElementChild?.remove();
}

/**
 * @typedef {{
 *   me: Person,
 *   others: Person[],
 *   following: string,
 *   pageOf?: (sid: string) => string,
 * }} PeopleView
 * pageOf: the name of the page someone is on, '' when unknown or the board has one page.
 */

/**
 * Wires the avatar row and the people list. `pick` is called with the sid of another
 * person whose avatar or row was clicked (to follow them, or stop); clicking your own
 * opens the profile popover. Returns `render`, to call whenever the people change.
 * @param {{pick: (sid: string) => void, profile: {open: (on: boolean) => void, isOpen: () => boolean}}} opts
 * @returns {(view: PeopleView) => void}
 */
export function bindPeople({ pick, profile }) {
  const row = /** @type {HTMLElement} */ (document.getElementById('peers'));
  const panel = /** @type {HTMLElement} */ (document.getElementById('people-panel'));
  const list = /** @type {HTMLElement} */ (document.getElementById('people-list'));
  const count = /** @type {HTMLElement} */ (document.getElementById('people-count'));
  /** What the row must not cover; the toolbar is hidden (no box) for viewers. */
  const obstacles = [...document.querySelectorAll('.toolbar, .top-left')];

  /** Avatar items by sid, reused across renders. @type {Map<string, HTMLLIElement>} */
  const items = new Map();
  const more = el('li', 'person more');
  const moreButton = /** @type {HTMLButtonElement} */ (el('button', 'avatar more-button'));
  moreButton.type = 'button';
  moreButton.setAttribute('aria-controls', 'people-panel');
  more.append(moreButton);

  const listPopover = bindPopover(panel, (t) => more.contains(t), () => last && renderList(last));
  moreButton.addEventListener('click', () => listPopover.toggle());

  /** @type {PeopleView | null} */
  let last = null;

  /** @param {string} sid */
  const clicked = (sid) => {
    if (!last) return;
    if (sid === last.me.sid) profile.open(!profile.isOpen());
    else pick(sid);
  };

  /** @param {Person} p */
  const avatarItem = (p) => {
    let li = items.get(p.sid);
    if (!li) {
      li = document.createElement('li');
      li.dataset.sid = p.sid;
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'avatar';
      b.addEventListener('click', () => clicked(p.sid));
      li.append(b);
      items.set(p.sid, li);
    }
    return li;
  };

  /**
   * @param {Person} p @param {PeopleView} view
   */
  function renderAvatar(p, view) {
    const li = avatarItem(p);
    const mine = p.sid === view.me.sid;
    const followed = view.following === p.sid;
    li.className = mine ? 'person me' : 'person';
    const b = /** @type {HTMLButtonElement} */ (li.firstElementChild);
    fillAvatar(b, p);
    const page = view.pageOf?.(p.sid) ?? '';
    const what = describe(p, view.me.sid) + (page ? `, on ${page}` : '');
    const action = mine ? 'click to change your name and colour' : followed ? 'following — click to stop' : 'click to follow';
    b.dataset.tip = (mine ? `You (${displayName(p.name)})` : displayName(p.name)) + (page ? ` · on ${page}` : '');
    if (page) li.dataset.page = page;
    else delete li.dataset.page;
    b.setAttribute('aria-label', `${what} — ${action}`);
    if (mine) {
      b.setAttribute('aria-haspopup', 'dialog');
      b.setAttribute('aria-controls', 'profile-panel');
      b.setAttribute('aria-expanded', String(profile.isOpen()));
    } else {
      b.setAttribute('aria-pressed', String(followed));
    }
    return li;
  }

  /** Rows of the full list by sid, reused like the avatars. @type {Map<string, HTMLLIElement>} */
  const rows = new Map();

  /**
   * A row of the full list.
   * @param {Person} p @param {PeopleView} view
   */
  function renderRow(p, view) {
    let li = rows.get(p.sid);
    if (!li) {
      li = /** @type {HTMLLIElement} */ (el('li', 'person-row'));
      li.dataset.sid = p.sid;
      const button = el('button', 'row-button');
      button.setAttribute('type', 'button');
      button.addEventListener('click', () => {
        listPopover.toggle(false);
        clicked(p.sid);
      });
      li.append(button);
      rows.set(p.sid, li);
    }
    const b = /** @type {HTMLButtonElement} */ (li.firstElementChild);
    const mine = p.sid === view.me.sid;
    const followed = view.following === p.sid;
    const avatar = el('span', 'avatar small');
    fillAvatar(avatar, p);
    const name = el('span', 'row-name', displayName(p.name));
    const tags = el('span', 'row-tags');
    if (mine) tags.append(el('span', 'tag you', 'you'));
    if (p.role === 'viewer') tags.append(el('span', 'tag', 'viewer'));
    if (p.idle) tags.append(el('span', 'tag idle', 'idle'));
    const page = view.pageOf?.(p.sid) ?? '';
    if (page) tags.append(el('span', 'tag page', page));
    const voice = el('span', 'row-voice');
    voice.dataset.voice = p.voice;
    if (p.voice) {
      voice.append(icon(VOICE_ICON[p.voice]));
      voice.title = voiceWord(p.voice);
    }
    const action = el('span', 'row-action', mine ? 'Rename' : followed ? 'Stop' : 'Follow');
    b.replaceChildren(avatar, name, tags, voice, action);
    b.setAttribute('aria-label', `${describe(p, view.me.sid)} — ${mine ? 'change your name' : followed ? 'stop following' : 'follow'}`);
    if (mine) b.removeAttribute('aria-pressed');
    else b.setAttribute('aria-pressed', String(followed));
    return li;
  }

  /**
   * Lays the row out with at most `max` avatars of others.
   * @param {PeopleView} view @param {number} max
   */
  function draw(view, max) {
    const { shown, more: hidden } = collapse(view.others, max, view.following);
    const out = shown.map((p) => renderAvatar(p, view));
    if (hidden) {
      moreButton.textContent = `+${hidden}`;
      const names = view.others.filter((p) => !shown.includes(p)).map((p) => displayName(p.name));
      moreButton.dataset.tip = `${names.slice(0, 3).join(', ')}${names.length > 3 ? '…' : ''}`;
      moreButton.setAttribute('aria-label', `${hidden} more people — show everyone`);
      out.push(more);
    }
    out.push(renderAvatar(view.me, view));
    out.forEach((li, i) => li.style.setProperty('--stack', String(out.length - i)));
    place(row, out);
  }

  /** Whether the row runs into the toolbar or the title, or off the screen. */
  function crowded() {
    const r = row.getBoundingClientRect();
    if (r.left < 4) return true;
    return obstacles.some((o) => {
      const b = o.getBoundingClientRect();
      return b.width > 0 && r.left < b.right + 16 && r.right > b.left && r.top < b.bottom && r.bottom > b.top;
    });
  }

  /**
   * Shows the people: as many avatars as fit beside the toolbar and the title (at most
   * MAX_SHOWN), the rest as "+N".
   * @param {PeopleView} view
   */
  function render(view) {
    last = view;
    let max = MAX_SHOWN;
    draw(view, max);
    while (max > 1 && view.others.length > max - 1 && crowded()) draw(view, --max);
    for (const [sid, li] of items) if (!li.isConnected) items.delete(sid);
    if (!panel.hidden) renderList(view);
  }
  window.addEventListener('resize', () => last && render(last));

  /** @param {PeopleView} view */
  function renderList(view) {
    count.textContent = String(view.others.length + 1);
    place(list, [renderRow(view.me, view), ...view.others.map((p) => renderRow(p, view))]);
    for (const [sid, li] of rows) if (!li.isConnected) rows.delete(sid);
  }

  return render;
}

/** Names of the palette's colours, for screen readers and tooltips. */
const COLOR_NAMES = /** @type {Record<string, string>} */ ({
  '#e03131': 'Red',
  '#c2255c': 'Pink',
  '#9c36b5': 'Grape',
  '#6741d9': 'Violet',
  '#3b5bdb': 'Indigo',
  '#1971c2': 'Blue',
  '#0c8599': 'Cyan',
  '#099268': 'Teal',
  '#2f9e44': 'Green',
  '#e8590c': 'Orange',
});

/**
 * The profile popover: your name and cursor colour. `change` is called with the cleaned
 * values after an edit (Enter, leaving the field, or picking a colour); Escape puts the
 * name back as it was.
 * @param {{name: string, color: string}} user
 * @param {readonly string[]} palette
 * @param {(name: string, color: string) => void} change
 */
export function bindProfile(user, palette, change) {
  const panel = /** @type {HTMLElement} */ (document.getElementById('profile-panel'));
  const input = /** @type {HTMLInputElement} */ (document.getElementById('name'));
  const colors = /** @type {HTMLElement} */ (document.getElementById('my-colors'));
  let color = user.color;
  const popover = bindPopover(panel, (t) => t instanceof Element && !!t.closest('#peers .me'));

  const swatches = palette.map((c) => {
    const b = /** @type {HTMLButtonElement} */ (el('button', 'color-choice'));
    b.type = 'button';
    b.style.setProperty('--swatch', c);
    b.dataset.color = c;
    b.title = COLOR_NAMES[c] ?? c;
    b.setAttribute('aria-label', b.title);
    b.addEventListener('click', () => {
      color = c;
      mark();
      commit();
    });
    return b;
  });
  colors.replaceChildren(...swatches);
  const mark = () => {
    for (const b of swatches) b.setAttribute('aria-pressed', String(b.dataset.color?.toLowerCase() === color.toLowerCase()));
  };
  mark();
  input.value = user.name;

  let sent = { name: user.name, color };
  const commit = () => {
    const name = cleanName(input.value);
    input.value = name;
    if (name === sent.name && color === sent.color) return;
    sent = { name, color };
    change(name, color);
  };
  input.addEventListener('change', commit);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      commit();
      popover.toggle(false);
    }
    if (e.key === 'Escape') input.value = sent.name;
  });

  return {
    /** @param {boolean} on */
    open(on) {
      // The name may have changed since (a made-up name someone here already had).
      if (on && panel.hidden && input.value === sent.name) {
        input.value = user.name;
        sent = { ...sent, name: user.name };
      }
      popover.toggle(on);
      if (on) {
        input.focus();
        input.select();
      }
    },
    isOpen: () => !panel.hidden,
  };
}
