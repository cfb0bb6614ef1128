// @ts-check
// Frames on the board page: the frames list (jump to a frame, copy a link to it),
// renaming a frame in place (double-click its name, or Enter with it selected), and
// links that open the board fitted to a frame (`#frame=<id>`, frames.js).

import { fitRect } from './camera.js';
import { icon } from './icons.js';
import { bindPopover } from './ui.js';
import { frameOrder, frameRect, frameFromHash, frameLink, frameName, isFrame, MAX_NAME, LABEL_GAP } from './frames.js';
import { worldToScreen } from './camera.js';

/** @typedef {import('./editor.js').Editor} Editor */
/** @typedef {import('./doc.js').Element} Element */

/** Room around a frame the view fits, in screen pixels (room for its name above it). */
const FIT_MARGIN = 40;
/** The largest zoom a jump to a frame picks: a small frame is not blown up past this. */
const FIT_MAX_ZOOM = 4;

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
    const r = frameRect(/** @type {Element} */ (f));
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    const rect = { x: r.minX, y: r.minY - LABEL_GAP, w: r.maxX - r.minX, h: r.maxY - r.minY + LABEL_GAP };
    // Clear of the bars around the edges, as board.js opens a board.
    const phone = matchMedia('(max-width: 720px)').matches;
    const inset = phone ? { top: 124, right: 16, bottom: 200, left: 16 } : { top: 72 + FIT_MARGIN / 2, right: FIT_MARGIN, bottom: 72 + FIT_MARGIN / 2, left: FIT_MARGIN };
    const aw = Math.max(1, w - inset.left - inset.right);
    const ah = Math.max(1, h - inset.top - inset.bottom);
    const zoom = Math.min(fitRect(rect, aw, ah).zoom, FIT_MAX_ZOOM);
    // The rectangle's centre goes to the centre of the free area.
    const cx = inset.left + aw / 2;
    const cy = inset.top + ah / 2;
    Object.assign(cam, { zoom, x: rect.x + rect.w / 2 - cx / zoom, y: rect.y + rect.h / 2 - cy / zoom });
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
  const list = document.createElement('ol');
  list.className = 'frames-list';
  panel.append(heading, list);
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
      li.append(go, link);
      list.append(li);
    }
  };
  const popover = bindPopover(panel, (t) => t instanceof Node && button.contains(t), fill);
  button.addEventListener('click', () => popover.toggle());
  panel.addEventListener('click', async (e) => {
    const b = e.target instanceof Element ? e.target.closest('button') : null;
    if (!(b instanceof HTMLElement)) return;
    if (b.dataset.frame) {
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
