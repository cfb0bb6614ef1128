// @ts-check
// Editing the text of a text element or a sticky note in place: a textarea laid exactly
// over the element (same font, size, colour, rotation; the element itself is hidden
// meanwhile), so typing looks like typing on the board. Every change goes out as part of
// one gesture, so others see the text appear and one undo takes it all back.
// Enter makes a new line; Escape, Ctrl/⌘+Enter or a click elsewhere finish.

import { worldToScreen } from './camera.js';
import { cssFont, textBox, noteHeight, TEXT_SIZE, NOTE_TEXT_SIZE } from './textlayout.js';
import { LINE_HEIGHT, NOTE_PADDING, NOTE_SIZE } from './shapes.js';
import { localBox } from './geometry.js';

/** @typedef {import('./editor.js').Editor} Editor */
/** @typedef {import('./doc.js').Element} Element */

/** @type {CanvasRenderingContext2D | null} */
let measureCtx = null;

/**
 * A function measuring text in el's font, on a canvas like the one the board draws on.
 * @param {{font?: string, size?: number, type?: string}} el
 * @returns {(text: string) => number}
 */
export function measurer(el) {
  measureCtx ??= /** @type {CanvasRenderingContext2D} */ (document.createElement('canvas').getContext('2d'));
  const ctx = measureCtx;
  const font = cssFont(el);
  return (text) => {
    ctx.font = font;
    return ctx.measureText(text).width;
  };
}

/**
 * The fields a text or note needs for `text`: its box grows with the text.
 * @param {Element} el @param {string} text
 */
export function fitText(el, text) {
  const measure = measurer(el);
  if (el.type === 'note') {
    return { text, h: noteHeight(text, el.w || NOTE_SIZE, el.size || NOTE_TEXT_SIZE, NOTE_SIZE, measure) };
  }
  return { text, ...textBox(text, el.size || TEXT_SIZE, measure) };
}

/**
 * Opens the editor on el. A new element (not on the board yet) is put when the gesture
 * first sends; an empty new text is dropped, an emptied old one deleted. A text with an
 * `anchor` stays centred on it as it grows (a shape's label); `extra` ops go with the new
 * text (grouping it with that shape).
 * @param {Editor} ed @param {Element} el
 * @param {{isNew: boolean, done?: (id: string) => void, anchor?: [number, number], extra?: import('./doc.js').Op[]}} opts
 */
export function editText(ed, el, { isNew, done, anchor, extra = [] }) {
  const root = /** @type {HTMLElement} */ (document.getElementById('board'));
  const area = document.createElement('textarea');
  area.className = `text-editor ${el.type}`;
  area.spellcheck = true;
  area.setAttribute('aria-label', el.type === 'note' ? 'Note text' : 'Text');
  area.value = el.text ?? '';
  root.append(area);

  const g = ed.gesture();
  let current = el;
  ed.editingId = el.id;
  ed.changed();

  /** Lays the textarea over the element at the current camera. */
  function place() {
    const cam = ed.camera;
    const z = cam.zoom;
    const b = localBox(current);
    const [x, y] = worldToScreen(cam, (current.x || 0) + b.minX, (current.y || 0) + b.minY);
    const size = (current.size || (current.type === 'note' ? NOTE_TEXT_SIZE : TEXT_SIZE)) * z;
    const s = area.style;
    s.left = `${x}px`;
    s.top = `${y}px`;
    s.font = cssFont({ ...current, size });
    s.lineHeight = String(LINE_HEIGHT);
    s.textAlign = current.align || 'left';
    s.color = current.stroke || '#1e1e1e';
    s.opacity = String(current.opacity ?? 1);
    s.transform = current.angle ? `rotate(${current.angle}rad)` : '';
    if (current.type === 'note') {
      const pad = Math.min(NOTE_PADDING, (current.w || NOTE_SIZE) / 8) * z;
      s.width = `${(b.maxX - b.minX) * z}px`;
      s.height = `${(b.maxY - b.minY) * z}px`;
      s.padding = `${pad}px`;
      s.background = current.fill || '#fff3bf';
    } else {
      // A little wider than the text, so the caret at the end of a line has room.
      s.width = `${(b.maxX - b.minX) * z + size}px`;
      s.height = `${(b.maxY - b.minY) * z}px`;
    }
  }

  /** The fields for text, centred on the anchor if there is one. @param {string} text */
  function fit(text) {
    /** @type {Record<string, any>} */
    const fields = fitText(current, text);
    if (anchor && fields.w !== undefined) {
      fields.x = Math.round((anchor[0] - fields.w / 2) * 100) / 100;
      fields.y = Math.round((anchor[1] - fields.h / 2) * 100) / 100;
    }
    return fields;
  }

  function update() {
    const fields = fit(area.value);
    current = { ...current, ...fields };
    if (isNew) g.update([{ o: 'put', el: current }, ...extra]);
    else g.update([{ o: 'patch', id: el.id, set: fields }]);
    place();
  }

  let frame = 0;
  const follow = () => {
    place();
    frame = requestAnimationFrame(follow);
  };

  let closed = false;
  function finish() {
    if (closed) return;
    closed = true;
    cancelAnimationFrame(frame);
    const text = area.value;
    area.remove();
    ed.editingId = '';
    const empty = !text.trim() && current.type === 'text';
    if (empty && isNew) g.cancel();
    else if (empty) g.end([{ o: 'del', id: el.id }]);
    else if (isNew) g.end([{ o: 'put', el: { ...current, ...fit(text) } }, ...extra]);
    else g.end(text === el.text ? [] : [{ o: 'patch', id: el.id, set: fit(text) }]);
    ed.changed();
    done?.(empty ? '' : el.id);
  }

  area.addEventListener('input', update);
  area.addEventListener('blur', finish);
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' || (e.key === 'Enter' && (e.ctrlKey || e.metaKey))) {
      e.preventDefault();
      area.blur();
    }
    // Keys typed here are text, not shortcuts.
    e.stopPropagation();
  });
  area.addEventListener('pointerdown', (e) => e.stopPropagation());

  if (isNew) update();
  else place();
  follow();
  area.focus();
  if (!isNew) area.select();
  return { finish };
}
