// @ts-check
// Pages on the board page: the page menu (the page shown, by name, in the top bar; a
// list to switch, add, rename in place, reorder by dragging or with the arrows,
// duplicate and delete, each an undoable change), the page in the address
// (`#page=<id>`, with back and forward), and a camera kept per page. The rules are in
// pages.js; view-only links list and switch pages but change nothing.

import { icon } from './icons.js';
import { bindPopover } from './ui.js';
import { randomId } from './ids.js';
import { keyBetween } from './fracindex.js';
import { frameFromHash } from './frames.js';
import {
  DEFAULT_PAGE, MAX_PAGES, MAX_NAME, pageOf, pageName, pickPage, pageFromHash, pageHash,
  addPageOps, renamePageOps, movePageOps, deletePageOps, duplicatePageOps,
} from './pages.js';

/** @typedef {import('./editor.js').Editor} Editor */
/** @typedef {import('./doc.js').Element} Element */

/**
 * @param {Editor} ed
 * @param {{
 *   fit: () => void, redraw: () => void, toast: (msg: string) => void, changed: () => void,
 * }} opts fit: fits the camera to what the page shows; redraw: after the camera or the
 * page changed; changed: the page shown or the pages changed (the people list says who
 * is where).
 */
export function bindPages(ed, { fit, redraw, toast, changed }) {
  const { doc, sync, camera } = ed;
  /** The camera of each page left, to come back to. @type {Map<string, {x: number, y: number, zoom: number}>} */
  const cameras = new Map();
  // The page in the address is shown from the first paint; once the board has arrived,
  // one that does not exist gives way to the first page.
  doc.setPage(pageFromHash(location.hash) || DEFAULT_PAGE);
  sync.page = doc.page === DEFAULT_PAGE ? '' : doc.page;
  let welcomed = false;

  const nameOf = (/** @type {string} */ id) => {
    const pages = doc.pages();
    const i = pages.findIndex((p) => p.id === id);
    return i < 0 ? '' : pageName(pages[i], i);
  };

  /**
   * Shows page id. camera: 'restore' the page's last camera (or fit it the first time),
   * 'fit' it, or 'keep' the camera as it is (a link to a frame, following someone).
   * @param {string} id @param {{camera?: 'restore' | 'fit' | 'keep', address?: boolean}} [o]
   */
  function show(id, { camera: how = 'restore', address = true } = {}) {
    if (id !== doc.page) {
      ed.settle();
      cameras.set(doc.page, { x: camera.x, y: camera.y, zoom: camera.zoom });
      ed.select([]);
      doc.setPage(id);
      sync.page = id === DEFAULT_PAGE ? '' : id;
      const saved = cameras.get(id);
      if (how === 'fit' || (how === 'restore' && !saved)) fit();
      else if (how === 'restore' && saved) Object.assign(camera, saved);
    } else if (how === 'fit') fit();
    // A new entry in the history, so that back and forward move between pages.
    if (address && pageFromHash(location.hash) !== id) location.hash = pageHash(id);
    redraw();
    render();
    changed();
  }

  /** The page named by the address: its page, or the page of the frame it names. */
  function fromAddress() {
    const frame = doc.get(frameFromHash(location.hash));
    if (frame && frame.type === 'frame') return { id: pageOf(frame), frame: true };
    return { id: pickPage(doc.pages(), pageFromHash(location.hash)), frame: false };
  }

  sync.on('welcome', () => {
    if (welcomed) return;
    welcomed = true;
    const { id, frame } = fromAddress();
    // board.js has fitted the page from the address; the frames list fits a frame.
    if (id !== doc.page) show(id, { camera: frame ? 'keep' : 'fit', address: false });
    render();
    changed();
  });
  window.addEventListener('hashchange', () => {
    if (!welcomed) return;
    const { id, frame } = fromAddress();
    show(id, { camera: frame ? 'keep' : 'restore', address: false });
  });

  // --- the menu -----------------------------------------------------------------

  const button = document.createElement('button');
  button.type = 'button';
  button.id = 'page-button';
  button.className = 'page-button';
  button.setAttribute('aria-haspopup', 'true');
  button.setAttribute('aria-controls', 'pages-panel');
  button.setAttribute('aria-expanded', 'false');
  const label = document.createElement('span');
  label.className = 'page-name';
  const caret = document.createElement('span');
  caret.className = 'caret';
  caret.setAttribute('aria-hidden', 'true');
  caret.textContent = '▾';
  // Narrow phones show the page's place ("2/3") instead of its name (pages.css).
  const short = document.createElement('span');
  short.className = 'page-short';
  short.setAttribute('aria-hidden', 'true');
  button.append(label, short, caret);
  /** @type {HTMLElement} */ (document.querySelector('.top-left')).append(button);

  const panel = document.createElement('section');
  panel.id = 'pages-panel';
  panel.className = 'popover panel pages-panel';
  panel.hidden = true;
  panel.setAttribute('aria-label', 'Pages');
  const heading = document.createElement('h2');
  heading.textContent = 'Pages';
  const list = document.createElement('ol');
  list.className = 'pages-list';
  const add = document.createElement('button');
  add.type = 'button';
  add.id = 'page-add';
  add.className = 'button page-add';
  add.textContent = '+ Add page';
  add.hidden = !ed.canEdit;
  panel.append(heading, list, add);
  /** @type {HTMLElement} */ (document.getElementById('board')).append(panel);

  /** The page being renamed, its row showing a text field. */
  let renaming = '';

  /** @param {string} cls @param {string} text @param {string} title @param {Record<string, string>} data */
  const action = (cls, text, title, data) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `icon-only page-act ${cls}`;
    b.title = title;
    b.setAttribute('aria-label', title);
    Object.assign(b.dataset, data);
    if (text.length > 2) b.append(icon(/** @type {any} */ (text)));
    else b.textContent = text;
    return b;
  };

  function render() {
    const pages = doc.pages();
    label.textContent = nameOf(doc.page) || 'Page 1';
    short.textContent = `${pages.findIndex((p) => p.id === doc.page) + 1}/${pages.length}`;
    button.title = `Pages — on ${label.textContent}`;
    button.setAttribute('aria-label', `Pages: ${label.textContent}`);
    add.disabled = pages.length >= MAX_PAGES;
    if (panel.hidden || (renaming && list.querySelector('.page-rename'))) return;
    const focused = document.activeElement instanceof HTMLElement && panel.contains(document.activeElement) ? { ...document.activeElement.dataset } : null;
    list.replaceChildren();
    pages.forEach((p, i) => {
      const li = document.createElement('li');
      li.className = 'page-row';
      li.dataset.page = p.id;
      const name = pageName(p, i);
      if (renaming === p.id) {
        const input = document.createElement('input');
        input.type = 'text';
        input.className = 'page-rename';
        input.maxLength = MAX_NAME;
        input.value = name;
        input.setAttribute('aria-label', 'Page name');
        li.append(input);
        list.append(li);
        queueMicrotask(() => {
          input.focus();
          input.select();
        });
        let done = false;
        const finish = (/** @type {boolean} */ keep) => {
          if (done) return;
          done = true;
          renaming = '';
          if (keep) change((pages) => renamePageOps(pages, p.id, input.value));
          render();
          list.querySelector(`[data-go="${p.id}"]`)?.focus?.();
        };
        input.addEventListener('keydown', (e) => {
          e.stopPropagation();
          if (e.key === 'Enter') finish(true);
          if (e.key === 'Escape') {
            e.preventDefault();
            finish(false);
          }
        });
        input.addEventListener('blur', () => finish(true));
        return;
      }
      const go = document.createElement('button');
      go.type = 'button';
      go.className = 'page-go';
      go.dataset.go = p.id;
      go.textContent = name;
      go.title = ed.canEdit ? `${name} — double-click to rename` : name;
      if (p.id === doc.page) go.setAttribute('aria-current', 'page');
      li.append(go);
      if (ed.canEdit) {
        li.draggable = true;
        li.append(
          action('rename', '✎', `Rename ${name}`, { act: 'rename', page: p.id }),
          action('up', '↑', `Move ${name} up`, { act: 'up', page: p.id }),
          action('down', '↓', `Move ${name} down`, { act: 'down', page: p.id }),
          action('duplicate', 'copy', `Duplicate ${name}`, { act: 'duplicate', page: p.id }),
          action('delete', 'trash', `Delete ${name}`, { act: 'delete', page: p.id }),
        );
        /** @type {HTMLButtonElement} */ (li.querySelector('.up')).disabled = i === 0;
        /** @type {HTMLButtonElement} */ (li.querySelector('.down')).disabled = i === pages.length - 1;
        /** @type {HTMLButtonElement} */ (li.querySelector('.delete')).disabled = pages.length < 2;
      }
      list.append(li);
    });
    // Keep the focus on the same control across a re-render (moving a page up twice).
    if (focused) {
      const sel = focused.act ? `[data-act="${focused.act}"][data-page="${focused.page}"]` : focused.go ? `[data-go="${focused.go}"]` : '';
      const again = sel ? list.querySelector(sel) : null;
      if (again instanceof HTMLButtonElement && !again.disabled) again.focus();
    }
  }

  const popover = bindPopover(panel, (t) => t instanceof Node && button.contains(t), () => queueMicrotask(() => {
    render();
    /** @type {HTMLElement | null} */ (list.querySelector('[aria-current="page"]'))?.focus();
  }));
  button.addEventListener('click', () => popover.toggle());

  /**
   * Sends the change make(pages) as one undoable step. The first page's element is
   * written beforehand, on its own and not undoable, if it has not been yet: undoing a
   * change to it must not delete it.
   * @param {(pages: readonly Element[]) => import('./doc.js').Op[]} make
   */
  function change(make) {
    if (!ed.canEdit) return [];
    const now = doc.pages();
    if (!now[0].z) sync.send([{ o: 'put', el: { id: now[0].id, type: 'page', text: pageName(now[0], 0), z: keyBetween(null, now[1]?.z || null) } }]);
    const ops = make(doc.pages());
    ed.commit(ops);
    return ops;
  }

  /** Every live element, on every page. */
  const everything = () => [...doc.build().byId.values()];

  list.addEventListener('click', (e) => {
    const b = e.target instanceof Element ? e.target.closest('button') : null;
    if (!(b instanceof HTMLButtonElement)) return;
    const pages = doc.pages();
    if (b.dataset.go) {
      show(b.dataset.go);
      popover.toggle(false);
      return;
    }
    const id = b.dataset.page ?? '';
    const i = pages.findIndex((p) => p.id === id);
    if (i < 0) return;
    switch (b.dataset.act) {
      case 'rename':
        renaming = id;
        render();
        break;
      case 'up':
      case 'down':
        change((pages) => movePageOps(pages, id, i + (b.dataset.act === 'up' ? -1 : 1)));
        render();
        break;
      case 'duplicate': {
        const ops = change((pages) => duplicatePageOps(pages, id, everything(), () => randomId()));
        const made = ops.find((o) => o.o === 'put' && o.el.type === 'page' && o.el.id !== id && !pages.some((p) => p.id === o.el.id));
        if (made && made.o === 'put') show(made.el.id, { camera: 'keep' });
        break;
      }
      case 'delete': {
        if (pages.length < 2) return;
        const name = pageName(pages[i], i);
        if (id === doc.page) show(pages[i + 1]?.id ?? pages[i - 1].id);
        change((pages) => deletePageOps(pages, id, everything()));
        render();
        toast(`Deleted ${name} — ${navigator.platform.startsWith('Mac') ? '⌘' : 'Ctrl+'}Z brings it back`);
        break;
      }
    }
  });
  list.addEventListener('dblclick', (e) => {
    const b = e.target instanceof Element ? e.target.closest('[data-go]') : null;
    if (!(b instanceof HTMLElement) || !ed.canEdit) return;
    renaming = b.dataset.go ?? '';
    render();
  });
  add.addEventListener('click', () => {
    const id = randomId();
    change((pages) => addPageOps(pages, id));
    show(id, { camera: 'fit' });
    renaming = id;
    render();
  });

  // Reorder by dragging a row onto another.
  let dragged = '';
  list.addEventListener('dragstart', (e) => {
    const li = e.target instanceof Element ? e.target.closest('li') : null;
    dragged = li?.dataset.page ?? '';
    e.dataTransfer?.setData('text/plain', dragged);
  });
  list.addEventListener('dragover', (e) => {
    if (dragged) e.preventDefault();
  });
  list.addEventListener('drop', (e) => {
    const li = e.target instanceof Element ? e.target.closest('li') : null;
    if (!dragged || !li?.dataset.page) return;
    e.preventDefault();
    const to = doc.pages().findIndex((p) => p.id === li.dataset.page);
    change((pages) => movePageOps(pages, dragged, to));
    dragged = '';
    render();
  });

  // Someone else's change: the list follows, and a page deleted under us gives way.
  let seen = '';
  doc.subscribe(() => {
    if (!welcomed) return;
    const pages = doc.pages();
    if (!pages.some((p) => p.id === doc.page)) {
      show(pickPage(pages, doc.page));
      toast('The page you were on was deleted');
    }
    // Only a change to the pages themselves redraws the menu and the people list.
    const now = pages.map((p, i) => `${p.id}:${pageName(p, i)}`).join('/');
    if (now === seen) return;
    seen = now;
    render();
    changed();
  });

  render();
  ed.showPage = (id) => show(id);
  return { show, nameOf };
}
