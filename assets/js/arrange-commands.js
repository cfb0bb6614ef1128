// @ts-check
// The commands behind the right-click menu and their keys that the editor did not have:
// align, distribute, flip (arrange.js does the geometry), copy and paste styles, tool
// lock, clipboard commands a menu can run, and the Export panel for the selection or the
// board. Each change is one commit: one batch through the op log, one undo step.

import { align, distribute, flip, styleOf, pasteStyleOps, patches } from './arrange.js';
import { keyHint } from './editor.js';

/** @typedef {import('./editor.js').Editor} Editor */

/**
 * Adds the commands the menu and their shortcuts run: align, distribute, flip, copy and
 * paste styles, tool lock, menu copy/cut/paste, and the export panel for the selection
 * or the board. Each change is one commit: one batch, one undo step.
 * @param {Editor} ed
 * @param {{pasteText: (text: string) => void}} transfer
 */
export function addArrangeCommands(ed, transfer) {
  /** The style "Copy styles" took. @type {ReturnType<typeof styleOf> | null} */
  let copied = null;
  /** @param {Map<string, Record<string, any>>} fields */
  const commitFields = (fields) => {
    const els = ed.movable();
    ed.commit(patches(els, fields));
  };
  Object.assign(ed.commands, {
    align: (/** @type {import('./arrange.js').Alignment} */ how) => commitFields(align(ed.movable(), how)),
    distribute: (/** @type {import('./arrange.js').Axis} */ axis) => commitFields(distribute(ed.movable(), axis)),
    flip: (/** @type {import('./arrange.js').Axis} */ axis) => commitFields(flip(ed.movable(), axis)),
    copyStyle() {
      const els = ed.selected();
      if (!els.length) return;
      copied = styleOf(els[els.length - 1]);
      ed.toast('Style copied: Paste styles puts it on other elements');
      ed.changed();
    },
    pasteStyle() {
      if (!copied) {
        ed.toast('Copy an element’s style first');
        return;
      }
      ed.commit(pasteStyleOps(ed.movable(), copied));
    },
    toolLock() {
      ed.toolLocked = !ed.toolLocked;
      ed.toast(ed.toolLocked ? 'Tool lock on: the tool stays after drawing' : 'Tool lock off');
      ed.changed();
    },
    // The browser runs its copy and cut events (transfer.js) for execCommand in a click.
    copy: () => document.execCommand('copy'),
    cut: () => ed.canEdit && document.execCommand('cut'),
    async paste() {
      try {
        transfer.pasteText(await navigator.clipboard.readText());
      } catch {
        ed.toast(`The browser keeps the clipboard to itself here: press ${keyHint('Mod+V')} to paste`);
      }
    },
    exportSelection: () => openExport(true),
    exportBoard: () => openExport(false),
  });
  return { styleCopied: () => !!copied };
}

/**
 * Opens the Export panel (boardmenu.js), with "Selected elements only" ticked or not.
 * @param {boolean} selection
 */
function openExport(selection) {
  const panel = document.getElementById('export-panel');
  if (panel?.hidden) document.getElementById('export')?.click();
  const only = /** @type {HTMLInputElement | null} */ (document.getElementById('export-selection'));
  if (only && !only.disabled) only.checked = selection;
}

