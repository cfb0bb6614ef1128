// @ts-check
// Presenting: one person walks everyone on the board through its frames
// (docs/protocol.md, "Presenting"). The server says who presents and which frame they
// show (`present` messages, the welcome's `present`); this module shows the presenter
// their bar (previous, next, "n / N", the laser, "Bring everyone here", Stop) and the
// others a prompt to follow, then fits each frame the presenter shows to this screen.
// Your own pan or zoom, Escape or Stop ends following; "Follow presenter" rejoins.
//
// For browser tests: body[data-presenting] is "me", "other" or absent, and
// body[data-present-follow] "on" while this page follows the presenter.

import { glide } from './camera.js';
import { frameCamera, screenInsets, stepFrame, framePosition, deckOrder } from './deck.js';
import { frameName, isFrame } from './frames.js';
import { pageOf, pageOrder } from './pages.js';
import { displayName } from './presence.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {{sid: string, name: string, id: string}} Presenting */

const SVG = 'http://www.w3.org/2000/svg';
const PATHS = {
  present: ['M4 4h16v11H4z', 'M12 15v5', 'M8 20h8', 'M10 7.5v4.5l4-2.25z'],
  prev: ['M15 5l-7 7 7 7'],
  next: ['M9 5l7 7-7 7'],
  laser: ['M4 20l7.5-7.5', 'M15 3.5l1.2 3.3 3.3 1.2-3.3 1.2L15 12.5l-1.2-3.3L10.5 8l3.3-1.2z'],
  gather: ['M12 3v6M12 15v6M3 12h6M15 12h6', 'M9 6l3 3 3-3M9 18l3-3 3 3M6 9l3 3-3 3M18 9l-3 3 3 3'],
  stop: ['M7 7h10v10H7z'],
  mic: ['M12 3a3 3 0 0 0-3 3v5a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z', 'M18.5 11a6.5 6.5 0 0 1-13 0', 'M12 17.5V21'],
};

/** @param {keyof PATHS} name */
function svg(name) {
  const s = document.createElementNS(SVG, 'svg');
  s.setAttribute('viewBox', '0 0 24 24');
  s.setAttribute('aria-hidden', 'true');
  for (const d of PATHS[name]) {
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    s.append(p);
  }
  return s;
}

/**
 * A button with an icon and a label (the label hides on a phone where `short` is set).
 * @param {string} id @param {keyof PATHS | null} ic @param {string} label @param {string} [title]
 */
function button(id, ic, label, title = label) {
  const b = document.createElement('button');
  b.type = 'button';
  b.id = id;
  b.title = title;
  if (ic) b.append(svg(ic));
  const span = document.createElement('span');
  span.className = 'label';
  span.textContent = label;
  b.append(span);
  return b;
}

/** Whether a key press belongs to a text field rather than the board. @param {EventTarget | null} t */
const typing = (t) => t instanceof HTMLElement && (t.isContentEditable || t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement);

/**
 * @param {{
 *   ed: import('./editor.js').Editor, sync: import('./sync.js').Sync,
 *   canvas: HTMLElement, redraw: () => void, stopFollowingPerson: () => void,
 *   canEdit: boolean, toast: (msg: string) => void, showPage: (id: string) => void,
 * }} opts
 */
export function bindPresenting({ ed, sync, canvas, redraw, stopFollowingPerson, canEdit, toast, showPage }) {
  const cam = ed.camera;
  const root = /** @type {HTMLElement} */ (document.getElementById('board'));

  /** Who presents, from the server. @type {Presenting} */
  let now = { sid: '', name: '', id: '' };
  /** This page follows the presenter. */
  let following = false;
  /** The prompt was answered ("Not now"): only the small rejoin button shows. */
  let asked = false;
  /** Asking to take over from the current presenter. */
  let takingOver = false;
  /** The presenter is speaking (presence). */
  let speaking = false;
  /** The frame this presenter shows, as they step (ahead of the server's echo). */
  let mine = '';

  /** The frames of the board, every page, in the order they are presented (deck.js). */
  const deck = () => {
    const all = ed.doc.all();
    /** @type {Element[]} */
    const live = [];
    for (const el of all) {
      const cur = ed.doc.get(el.id);
      if (cur) live.push(cur);
    }
    return deckOrder(live, pageOrder(all).map((p) => p.id));
  };

  /** Shows the page frame f is on, keeping the camera (it is fitted next). @param {Element} f */
  function toPage(f) {
    if (pageOf(f) !== ed.doc.page) showPage(pageOf(f));
  }

  // --- the top bar button and the frames list's button ---------------------
  const start = button('present-button', 'present', 'Present', 'Present frames — Shift+P');
  start.className = 'button present-button editor-only';
  document.getElementById('share')?.before(start);
  start.addEventListener('click', () => toggle());

  // --- the presenter's bar ---------------------------------------------------
  const bar = document.createElement('div');
  bar.id = 'present-bar';
  bar.className = 'present-bar panel';
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', 'Presenting');
  bar.hidden = true;
  const mic = document.createElement('span');
  mic.className = 'present-mic';
  mic.append(svg('mic'));
  mic.title = 'Speaking';
  const prev = button('present-prev', 'prev', 'Previous', 'Previous frame — ← or PageUp');
  const count = document.createElement('span');
  count.id = 'present-count';
  count.className = 'present-count';
  count.setAttribute('aria-live', 'polite');
  const next = button('present-next', 'next', 'Next', 'Next frame — →, Space or PageDown');
  const laser = button('present-laser', 'laser', 'Laser', 'Laser pointer — K');
  laser.setAttribute('aria-pressed', 'false');
  const gather = button('present-gather', 'gather', 'Bring everyone here', 'Bring everyone here: everyone follows again');
  const stop = button('present-stop', 'stop', 'Stop', 'Stop presenting — Shift+P');
  stop.classList.add('danger');
  for (const b of [prev, next, laser, gather]) b.classList.add('icon-first');
  prev.classList.add('short');
  next.classList.add('short');
  laser.classList.add('short');
  gather.classList.add('short');
  bar.append(mic, prev, count, next, laser, gather, stop);
  root.append(bar);

  prev.addEventListener('click', () => step(-1));
  next.addEventListener('click', () => step(1));
  laser.addEventListener('click', () => ed.setTool(ed.tool === 'laser' ? 'select' : 'laser'));
  gather.addEventListener('click', () => {
    sync.transmit({ t: 'present', op: 'summon' });
    toast('Everyone is following you again');
  });
  stop.addEventListener('click', () => sync.transmit({ t: 'present', op: 'stop' }));
  ed.subscribe(() => laser.setAttribute('aria-pressed', String(ed.tool === 'laser')));

  // --- the others' prompt -----------------------------------------------------
  const prompt = document.createElement('div');
  prompt.id = 'present-prompt';
  prompt.className = 'present-prompt panel';
  prompt.setAttribute('role', 'status');
  prompt.hidden = true;
  const who = document.createElement('span');
  who.className = 'present-who';
  const pmic = document.createElement('span');
  pmic.className = 'present-mic';
  pmic.title = 'Speaking';
  pmic.append(svg('mic'));
  const text = document.createElement('span');
  text.className = 'present-text';
  who.append(pmic, text);
  const followB = button('present-follow', null, 'Follow');
  followB.className = 'button primary';
  const notNow = button('present-dismiss', null, 'Not now');
  notNow.className = 'button';
  const stopFollow = button('present-unfollow', null, 'Stop following');
  stopFollow.className = 'button';
  const take = button('present-take', null, 'Take over');
  take.className = 'button primary';
  const cancel = button('present-cancel', null, 'Cancel');
  cancel.className = 'button';
  prompt.append(who, followB, notNow, stopFollow, take, cancel);
  // Under the tool bar with the other notices (overlays.css places the stack).
  (document.querySelector('.status-stack') ?? root).append(prompt);

  followB.addEventListener('click', () => setFollowing(true));
  notNow.addEventListener('click', () => {
    asked = true;
    render();
  });
  stopFollow.addEventListener('click', () => setFollowing(false));
  take.addEventListener('click', () => {
    takingOver = false;
    begin('take');
  });
  cancel.addEventListener('click', () => {
    takingOver = false;
    render();
  });

  /** Shows what fits the state. */
  function render() {
    const me = !!now.sid && now.sid === sync.sid;
    const other = !!now.sid && !me;
    if (me) document.body.dataset.presenting = 'me';
    else if (other) document.body.dataset.presenting = 'other';
    else delete document.body.dataset.presenting;
    if (following && other) document.body.dataset.presentFollow = 'on';
    else delete document.body.dataset.presentFollow;
    start.hidden = me;
    start.setAttribute('aria-pressed', String(me));

    bar.hidden = !me;
    bar.dataset.speaking = String(me && speaking);
    if (me) {
      const pos = framePosition(deck(), mine);
      count.textContent = pos.of ? `${pos.n || '–'} / ${pos.of}` : '0 / 0';
      prev.disabled = pos.n <= 1;
      next.disabled = !pos.of || pos.n >= pos.of;
    }

    prompt.hidden = !other && !takingOver;
    prompt.dataset.speaking = String(other && speaking);
    const name = displayName(now.name);
    const state = takingOver ? 'take' : following ? 'following' : asked ? 'away' : 'ask';
    prompt.dataset.state = state;
    const f = ed.get(now.id);
    const pos = framePosition(deck(), now.id);
    const where = isFrame(f) && pos.n ? ` · ${frameName(/** @type {Element} */ (f))} (${pos.n} / ${pos.of})` : '';
    text.textContent =
      state === 'take'
        ? `${name} is presenting. Take over?`
        : state === 'following'
          ? `Following ${name}`
          : state === 'away'
            ? ''
            : `${name} is presenting`;
    if (state === 'following' && where) {
      const w = document.createElement('span');
      w.className = 'where';
      w.textContent = where;
      text.append(w);
    }
    followB.querySelector('.label').textContent = state === 'away' ? `Follow ${name}` : 'Follow';
    followB.title = state === 'away' ? 'Follow presenter' : `Follow ${name}`;
    followB.setAttribute('aria-label', `Follow presenter ${name}`);
    followB.hidden = state === 'following' || state === 'take';
    notNow.hidden = state !== 'ask';
    stopFollow.hidden = state !== 'following';
    take.hidden = cancel.hidden = state !== 'take';
    who.hidden = state === 'away';
  }

  // --- following the presenter -------------------------------------------------
  const glider = { to: /** @type {import('./camera.js').Camera | null} */ (null), raf: 0, at: 0 };

  /** @param {boolean} on */
  function setFollowing(on) {
    following = on && !!now.sid && now.sid !== sync.sid;
    asked = true;
    if (following) {
      stopFollowingPerson();
      aim();
    } else {
      glider.to = null;
    }
    render();
  }

  /** The screen edges a fitted frame keeps clear of: the bars, and the presenter's bar
   * below it or the follower's prompt above it. @param {boolean} presenter */
  function insets(presenter) {
    const phone = matchMedia('(max-width: 720px)').matches;
    const ins = screenInsets(phone);
    if (presenter) ins.bottom += phone ? 30 : 56;
    if (!presenter) ins.top += 48;
    return ins;
  }

  /** Fits frame id on the presenter's own screen. @param {string} id */
  function fitMine(id) {
    const f = ed.get(id);
    if (!isFrame(f)) return;
    toPage(/** @type {Element} */ (f));
    Object.assign(cam, frameCamera(/** @type {Element} */ (f), canvas.clientWidth, canvas.clientHeight, insets(true)));
    redraw();
  }

  /** Glides to the presenter's frame, fitted to this screen. */
  function aim() {
    if (!following) return;
    const f = ed.get(now.id);
    if (!isFrame(f)) return; // not here yet: the doc subscription tries again
    toPage(/** @type {Element} */ (f));
    glider.to = frameCamera(/** @type {Element} */ (f), canvas.clientWidth, canvas.clientHeight, insets(false));
    if (glider.raf) return;
    glider.at = performance.now();
    glider.raf = requestAnimationFrame(tick);
  }

  /** @param {number} t */
  function tick(t) {
    glider.raf = 0;
    if (!glider.to || !following) return;
    const arrived = glide(cam, glider.to, canvas.clientWidth, canvas.clientHeight, t - glider.at, { tau: 90, jump: 2500 });
    glider.at = t;
    redraw();
    if (!arrived) glider.raf = requestAnimationFrame(tick);
  }

  // --- presenting ---------------------------------------------------------------

  /** Starts presenting (op start or take) at the first frame. @param {'start' | 'take'} op */
  function begin(op) {
    const first = stepFrame(deck(), '', 0);
    if (!first) {
      toast('Draw a frame first (F): presenting steps through the frames');
      return;
    }
    sync.transmit({ t: 'present', op });
    go(first.id);
  }

  /** Starts or stops presenting. */
  function toggle() {
    if (!canEdit) return;
    if (now.sid === sync.sid) {
      sync.transmit({ t: 'present', op: 'stop' });
      return;
    }
    if (now.sid) {
      takingOver = true;
      render();
      take.focus();
      return;
    }
    begin('start');
  }

  /** Shows frame id: fits it here and tells the followers. @param {string} id */
  function go(id) {
    mine = id;
    sync.transmit({ t: 'present', op: 'go', id });
    fitMine(id);
    render();
  }

  /** @param {number} delta */
  function step(delta) {
    if (now.sid !== sync.sid) return;
    const f = stepFrame(deck(), mine, delta);
    if (f && f.id !== mine) go(f.id);
    else if (f) fitMine(f.id);
  }

  /** A present message or the welcome's present field. @param {any} m @param {boolean} summon */
  function receive(m, summon) {
    const was = now;
    now = { sid: typeof m?.sid === 'string' ? m.sid : '', name: typeof m?.name === 'string' ? m.name : '', id: typeof m?.id === 'string' ? m.id : '' };
    if (was.sid !== now.sid) {
      if (was.sid && was.sid === sync.sid && now.sid) toast(`${displayName(now.name)} took over presenting`);
      else if (was.sid && !now.sid && following) toast(`${displayName(was.name)} stopped presenting`);
      following = false;
      asked = false;
      takingOver = false;
      glider.to = null;
      if (now.sid === sync.sid) mine = now.id || mine;
    }
    if (summon && now.sid && now.sid !== sync.sid) {
      following = true;
      stopFollowingPerson();
    }
    if (following) aim();
    render();
  }

  sync.on('present', (m) => receive(m, m.summon === true));
  sync.on('welcome', (m) => {
    const p = m.present;
    // A reconnect may bring a different presenter, or none.
    if ((p?.sid ?? '') !== now.sid || (p?.id ?? '') !== now.id) receive(p, false);
  });
  sync.on('state', (s) => {
    if (s !== 'online' && now.sid) receive(null, false);
  });
  ed.doc.subscribe(() => {
    if (following && glider.to === null) aim();
    if (now.sid) render();
  });

  // Keys: the presenter steps with the arrows (when nothing is selected, which they
  // would nudge), PageUp/PageDown and Space; Shift+P starts and stops; Escape stops
  // following.
  window.addEventListener(
    'keydown',
    (e) => {
      if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.shiftKey && e.code === 'KeyP') {
        if (!canEdit) return;
        e.preventDefault();
        e.stopPropagation();
        toggle();
        return;
      }
      if (now.sid === sync.sid) {
        const free = ed.selected().length === 0;
        const fwd = e.key === 'PageDown' || (e.key === ' ' && !e.shiftKey) || (free && (e.key === 'ArrowRight' || e.key === 'ArrowDown'));
        const back = e.key === 'PageUp' || (free && (e.key === 'ArrowLeft' || e.key === 'ArrowUp'));
        if (fwd || back) {
          e.preventDefault();
          e.stopPropagation();
          if (!e.repeat || e.key !== ' ') step(fwd ? 1 : -1);
        }
        return;
      }
      if (e.key === 'Escape' && following) setFollowing(false);
    },
    true,
  );

  ed.commands.present = toggle;
  render();
  return {
    /** The person moved the camera themselves: that ends following the presenter. */
    userMoved() {
      if (following) setFollowing(false);
    },
    /** The screen changed size: fit the frame again. */
    resize() {
      if (following) aim();
      else if (now.sid && now.sid === sync.sid && mine) fitMine(mine);
    },
    /** Presence changed: the presenter's speaking indicator. @param {Map<string, {voice: string}>} everyone */
    people(everyone) {
      const on = !!now.sid && everyone.get(now.sid)?.voice === 'speaking';
      if (on !== speaking) {
        speaking = on;
        render();
      }
    },
    /** Follows the presenter (the people list, a link). */
    follow: () => setFollowing(true),
    state: () => ({ ...now, following, mine }),
  };
}
