// @ts-check
// Frames on the board page: the frames list (jump to a frame, copy a link to it),
// renaming a frame in place (double-click its name, or Enter with it selected), and
// links that open the board fitted to a frame (`#frame=<id>`, frames.js).

import { icon } from './icons.js';
import { frameCamera, screenInsets, moveFrame } from './deck.js';
import { bindPopover } from './ui.js';
import { frameOrder, frameFromHash, frameLink, frameName, isFrame, MAX_NAME } from './frames.js';
import { worldToScreen } from './camera.js';

/** @typedef {import('./editor.js').Editor} Editor */
/** @typedef {import('./doc.js').Element} Element */

/**
 * @param {Editor} ed
 * @param {{canvas: HTMLElement, cameraChanged: () => void, toast: (msg: string) => void}} opts
 */
export function bindFrames(ed, { canvas, cameraChanged, toast }) {
  const cam = ed.camera;

  /** Fits the view to frame id; false if there is no such frame. @param {string} id */
  function fitFrame(id) {
    const f = ed.get(id);
    if (!isFrame(f)) return false;
    // Clear of the bars around the edges, as board.js opens a board (deck.js).
    const phone = matchMedia('(max-width: 720px)').matches;
    Object.assign(cam, frameCamera(/** @type {Element} */ (f), canvas.clientWidth, canvas.clientHeight, screenInsets(phone)));
    cameraChanged();
    return true;
  }

  /** Renames frame id in place: a text field over its name. @param {string} id */
  function rename(id) {
    const f = ed.get(id);
    if (!ed.canEdit || !isFrame(f) || f?.locked) return;
    const el = /** @type {Element} */ (f);
    document.querySelector('.frame-rename')?.remove();
    const input = document.createElement('input');
    input.className = 'frame-rename';
    input.type = 'text';
    input.maxLength = MAX_NAME;
    input.value = frameName(el);
    input.setAttribute('aria-label', 'Frame name');
    const [sx, sy] = worldToScreen(cam, el.x || 0, el.y || 0);
    const box = canvas.getBoundingClientRect();
    Object.assign(input.style, { left: `${box.left + sx}px`, top: `${box.top + sy - 30}px` });
    document.body.append(input);
    input.focus();
    input.select();
    let done = false;
    /** @param {boolean} keep */
    const finish = (keep) => {
      if (done) return;
      done = true;
      const name = input.value.trim().slice(0, MAX_NAME);
      input.remove();
      canvas.focus?.();
      if (keep && name && name !== el.text && ed.get(id)) ed.commit([{ o: 'patch', id, set: { text: name } }]);
    };
    input.addEventListener('keydown', (e) => {
      e.stopPropagation();
      if (e.key === 'Enter') finish(true);
      if (e.key === 'Escape') finish(false);
    });
    input.addEventListener('blur', () => finish(true));
  }

  // The frames list, opened from the view bar.
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'icon-only frames-button panel';
  button.id = 'frames-button';
  button.title = 'Frames';
  button.setAttribute('aria-label', 'Frames');
  button.setAttribute('aria-controls', 'frames-panel');
  button.setAttribute('aria-expanded', 'false');
  button.append(icon('frames'));
  /** @type {HTMLElement} */ (document.getElementById('board')).append(button);

  const panel = document.createElement('section');
  panel.id = 'frames-panel';
  panel.className = 'popover panel frames-panel';
  panel.hidden = true;
  panel.setAttribute('aria-label', 'Frames');
  const heading = document.createElement('h2');
  heading.textContent = 'Frames';
  const head = document.createElement('div');
  head.className = 'frames-head';
  head.append(heading);
  if (ed.canEdit) {
    const present = document.createElement('button');
    present.type = 'button';
    present.className = 'button primary frames-present';
    present.dataset.present = '1';
    present.textContent = 'Present';
    present.title = 'Present the frames in this order — Shift+P';
    head.append(present);
  }
  const list = document.createElement('ol');
  list.className = 'frames-list';
  panel.append(head, list);
  /** @type {HTMLElement} */ (document.getElementById('board')).append(panel);

  const fill = () => {
    list.replaceChildren();
    const frames = frameOrder(ed.elements());
    if (!frames.length) {
      const empty = document.createElement('li');
      empty.className = 'hint';
      empty.textContent = ed.canEdit ? 'No frames yet: press F and drag to draw one.' : 'This board has no frames.';
      list.append(empty);
    }
    for (const f of frames) {
      const li = document.createElement('li');
      const go = document.createElement('button');
      go.type = 'button';
      go.className = 'frame-go';
      go.dataset.frame = f.id;
      go.textContent = frameName(f);
      go.title = `Go to ${frameName(f)}`;
      const link = document.createElement('button');
      link.type = 'button';
      link.className = 'icon-only frame-link';
      link.dataset.link = f.id;
      link.title = 'Copy link to frame';
      link.setAttribute('aria-label', `Copy link to ${frameName(f)}`);
      link.append(icon('copy'));
      li.append(go);
      if (ed.canEdit) {
        // Reorder: the deck's order and the presenting order (deck.js, moveFrame).
        for (const [dir, name, label] of /** @type {const} */ ([[-1, 'forward', 'up'], [1, 'backward', 'down']])) {
          const mv = document.createElement('button');
          mv.type = 'button';
          mv.className = 'icon-only frame-move';
          mv.dataset.move = f.id;
          mv.dataset.dir = String(dir);
          mv.title = `Move ${label} — Alt+${dir < 0 ? '↑' : '↓'}`;
          mv.setAttribute('aria-label', `Move ${frameName(f)} ${label}`);
          mv.append(icon(name));
          li.append(mv);
        }
      }
      li.append(link);
      list.append(li);
    }
  };
  const popover = bindPopover(panel, (t) => t instanceof Node && button.contains(t), fill);
  button.addEventListener('click', () => popover.toggle());
  panel.addEventListener('click', async (e) => {
    const b = e.target instanceof Element ? e.target.closest('button') : null;
    if (!(b instanceof HTMLElement)) return;
    if (b.dataset.present) {
      popover.toggle(false);
      ed.run('present');
    } else if (b.dataset.move) {
      move(b.dataset.move, Number(b.dataset.dir));
    } else if (b.dataset.frame) {
      fitFrame(b.dataset.frame);
      ed.select([b.dataset.frame], { exact: true });
      popover.toggle(false);
    } else if (b.dataset.link) {
      const url = frameLink(location.href, b.dataset.link);
      try {
        await navigator.clipboard.writeText(url);
        toast('Copied the link to this frame');
      } catch {
        toast(url);
      }
    }
  });
  /** Moves frame id one place up (-1) or down (1) in frame order, as one undoable change.
   * @param {string} id @param {number} dir */
  function move(id, dir) {
    const els = ed.elements();
    const at = frameOrder(els).findIndex((f) => f.id === id);
    const ops = at < 0 ? null : moveFrame(els, id, at + dir);
    if (!ops) return;
    ed.commit(ops);
    fill();
    // Keep the keyboard where it was: on the moved frame's button.
    /** @type {HTMLElement | null} */ (list.querySelector(`[data-move="${id}"][data-dir="${dir}"]`) ?? list.querySelector(`[data-frame="${id}"]`))?.focus();
  }
  // Alt+↑ / Alt+↓ on a frame in the list moves it.
  list.addEventListener('keydown', (e) => {
    const b = e.target instanceof HTMLElement ? e.target.closest('li')?.querySelector('[data-frame]') : null;
    if (!(b instanceof HTMLElement) || !e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    e.preventDefault();
    e.stopPropagation();
    const id = b.dataset.frame ?? '';
    move(id, e.key === 'ArrowUp' ? -1 : 1);
    /** @type {HTMLElement | null} */ (list.querySelector(`[data-frame="${id}"]`))?.focus();
  });
  // Keep the list current while it is open.
  ed.doc.subscribe(() => {
    if (!panel.hidden) fill();
  });

  // A link to a frame fits the view to it once the frame has arrived: after the
  // board's own opening view (board.js fits everything on welcome, in a handler that
  // may run after this one), or when the frame comes later.
  let pending = frameFromHash(location.hash);
  let welcomed = false;
  const tryPending = () => {
    if (welcomed && pending && fitFrame(pending)) pending = '';
  };
  ed.sync.on('welcome', () =>
    setTimeout(() => {
      welcomed = true;
      tryPending();
    }, 0),
  );
  ed.doc.subscribe(tryPending);
  window.addEventListener('hashchange', () => {
    pending = frameFromHash(location.hash);
    tryPending();
  });

  Object.assign(ed.commands, { renameFrame: rename, fitFrame });
}
