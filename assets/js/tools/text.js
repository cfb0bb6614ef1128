// @ts-check
// The text and note tools: a click puts a text (or a sticky note) there and opens its
// editor; a click on an existing text or note edits it. After typing, the select tool
// comes back with the new element selected, as after drawing a shape.

import { keysBetween } from '../fracindex.js';
import { randomId } from '../ids.js';
import { textElement, noteElement, LINE_HEIGHT } from '../shapes.js';
import { topHit, centre } from '../hit.js';
import { editText } from '../text-edit.js';

/** @typedef {import('../editor.js').Editor} Editor */
/** @typedef {import('../doc.js').Element} Element */

/**
 * Opens the editor on a new text whose first line is centred on (x, y).
 * @param {Editor} ed @param {number} x @param {number} y
 */
export function newText(ed, x, y) {
  const z = keysBetween(ed.doc.topZ(), null, 1)[0];
  const size = ed.style.size;
  const el = textElement(randomId(), x, y - (size * LINE_HEIGHT) / 2, '', ed.style, z);
  open(ed, el, true);
}

/**
 * Opens the editor on a new label for a shape: centred on it, in its group (a new group
 * of the two when it has none), so that they move together.
 * @param {Editor} ed @param {string} id
 */
export function labelShape(ed, id) {
  const shape = ed.get(id);
  if (!shape || shape.locked || !ed.canEdit) return;
  const group = shape.group || randomId();
  const z = keysBetween(ed.doc.topZ(), null, 1)[0];
  const c = centre(shape);
  const el = { ...textElement(randomId(), c[0], c[1], '', { ...ed.style, align: 'center' }, z), group };
  /** @type {import('../doc.js').Op[]} */
  const extra = shape.group ? [] : [{ o: 'patch', id, set: { group } }];
  open(ed, el, true, { anchor: c, extra });
}

/**
 * Opens the editor on an existing text or note.
 * @param {Editor} ed @param {string} id
 */
export function editExisting(ed, id) {
  const el = ed.get(id);
  if (!el || el.locked || (el.type !== 'text' && el.type !== 'note') || !ed.canEdit) return;
  open(ed, el, false);
}

/**
 * @param {Editor} ed @param {Element} el @param {boolean} isNew
 * @param {{anchor?: [number, number], extra?: import('../doc.js').Op[]}} [more]
 */
function open(ed, el, isNew, more = {}) {
  if (!ed.canEdit) return;
  ed.settle();
  ed.select([]);
  editText(ed, el, {
    ...more,
    isNew,
    done(id) {
      if (ed.toolLocked && ed.tool !== 'select') return;
      ed.setTool('select');
      if (id && ed.get(id)) ed.select([id], { exact: true });
    },
  });
}

/**
 * @param {Editor} ed @param {'text' | 'note'} kind
 * @returns {import('../editor.js').Tool}
 */
export function textTool(ed, kind) {
  let pressed = false;
  return {
    down() {
      // A click while a text is open only closes it.
      pressed = ed.canEdit && !ed.editingId;
    },
    move() {},
    up(e) {
      if (!pressed) return;
      pressed = false;
      const hit = topHit(ed.elements(), e.x, e.y, ed.tol(4), (el) => el.type === kind && !el.locked);
      if (hit) {
        editExisting(ed, hit.id);
        return;
      }
      if (kind === 'text') {
        newText(ed, e.x, e.y);
        return;
      }
      const z = keysBetween(ed.doc.topZ(), null, 1)[0];
      open(ed, noteElement(randomId(), e.x, e.y, ed.noteColor, { ...ed.style, size: ed.noteSize }, z), true);
    },
    cancel() {
      pressed = false;
    },
  };
}
