// @ts-check
// Copy, cut, paste and drop: the browser's clipboard events (which work with Ctrl/⌘+C,
// X, V and the browser's menus, without asking for permission) and drag-and-drop of
// files onto the board. What the clipboard holds is decided in clipboard.js.

import { serialize, parsePaste, offsetTo } from './clipboard.js';
import { insertImages, uploadEmbedded } from './images.js';
import { fitText } from './text-edit.js';
import { textElement } from './shapes.js';
import { keysBetween } from './fracindex.js';
import { randomId } from './ids.js';
import { screenToWorld } from './camera.js';

/** @typedef {import('./editor.js').Editor} Editor */
/** @typedef {import('./images.js').ImageCache} ImageCache */

/** Images bigger than this are left out of the clipboard (the elements still copy). */
const MAX_CLIP_FILES = 8 << 20;

/** Whether focus is in a text field, whose clipboard is its own. */
const typing = () => {
  const a = document.activeElement;
  return !!a && a instanceof HTMLElement && (a.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(a.tagName));
};

/**
 * @param {Editor} ed
 * @param {{images: ImageCache, boardId: () => string, canvas: HTMLElement}} opts
 */
export function bindTransfer(ed, { images, boardId, canvas }) {
  /** Where pasted things go: under the pointer, or in the middle of the screen. */
  const target = () => ed.pointer ?? screenToWorld(ed.camera, canvas.clientWidth / 2, canvas.clientHeight / 2);

  /** @param {ClipboardEvent} e */
  function copy(e) {
    if (typing()) return false;
    const els = ed.selected();
    if (!els.length || !e.clipboardData) return false;
    /** @type {Record<string, string>} */
    const files = {};
    let bytes = 0;
    for (const el of els) {
      if (el.type !== 'image' || !el.src || files[el.src]) continue;
      const url = images.dataURL(el.src);
      if (url && bytes + url.length <= MAX_CLIP_FILES) {
        files[el.src] = url;
        bytes += url.length;
      }
    }
    e.preventDefault();
    e.clipboardData.setData('text/plain', serialize(els, files));
    return true;
  }

  document.addEventListener('copy', (e) => {
    if (copy(e)) ed.toast(ed.selection.size === 1 ? 'Copied 1 element' : `Copied ${ed.selection.size} elements`);
  });
  document.addEventListener('cut', (e) => {
    if (!ed.canEdit) return;
    if (copy(e)) ed.run('delete');
  });
  document.addEventListener('paste', (e) => {
    if (typing() || !e.clipboardData) return;
    e.preventDefault();
    if (!ed.canEdit) {
      ed.toast('This is a view-only link: pasting is for people who can edit.');
      return;
    }
    const files = [...e.clipboardData.files];
    if (files.length) {
      insertImages(ed, images, boardId(), files, target());
      return;
    }
    pasteText(e.clipboardData.getData('text/plain'));
  });

  /** @param {string} text */
  async function pasteText(text) {
    const got = parsePaste(text, ed.sync.limits);
    if (got.kind === 'error') {
      ed.toast(got.message);
      return;
    }
    const at = target();
    if (got.kind === 'text') {
      const z = keysBetween(ed.doc.topZ(), null, 1)[0];
      const base = textElement(randomId(), at[0], at[1], '', ed.style, z);
      const el = { ...base, ...fitText(base, got.text.slice(0, ed.sync.limits.maxText)) };
      el.x = Math.round((el.x - el.w / 2) * 100) / 100;
      el.y = Math.round((el.y - el.h / 2) * 100) / 100;
      ed.commit([{ o: 'put', el }]);
      ed.setTool('select');
      ed.select([el.id], { exact: true });
      return;
    }
    if (Object.keys(got.files).length) {
      const failed = await uploadEmbedded(boardId(), got.files);
      if (failed.length) ed.toast(`${failed.length} image(s) could not be copied to this board.`);
    }
    const { dx, dy } = offsetTo(got.elements, at);
    ed.insertCopies(got.elements, dx, dy);
    if (got.skipped) ed.toast(`Pasted ${got.elements.length}; ${got.skipped} element(s) were not valid and were left out.`);
  }

  canvas.addEventListener('dragover', (e) => {
    if (!ed.canEdit || !e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  });
  canvas.addEventListener('drop', (e) => {
    if (!ed.canEdit || !e.dataTransfer) return;
    e.preventDefault();
    const files = [...e.dataTransfer.files];
    if (files.length) insertImages(ed, images, boardId(), files, screenToWorld(ed.camera, e.clientX, e.clientY));
  });

  return { pasteText };
}
