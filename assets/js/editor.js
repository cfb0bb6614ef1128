// @ts-check
// The drawing editor: the current tool, the selection, the style of new elements, undo
// and redo, and the commands behind the shortcuts. Tools (tools/*.js) turn pointer
// gestures into changes; this module gives them the two ways to change the board, so that
// undo, bound arrows and view-only pages are handled in one place:
//   - commit(ops): one change, sent at once, one undo step;
//   - gesture(): a drag or a typing session, shown every frame (the Doc's draft), sent a
//     few times a second so others watch it happen, one undo step at the end.

import { History, Capture, revert } from './undo.js';
import { rerouteBound } from './arrows.js';
import { commandFor, TOOLS } from './shortcuts.js';
import { DEFAULT_STYLE, HIGHLIGHTER, NOTE_COLORS } from './shapes.js';
import { NOTE_TEXT_SIZE } from './textlayout.js';
import { zOrderOps, keysOnTop } from './zorder.js';
import { cloneElements } from './clipboard.js';
import { moved } from './transform.js';
import { randomId } from './ids.js';
import { withFrames, carriedBy } from './frames.js';
import { DEFAULT_PAGE, pageOf } from './pages.js';

/** @typedef {import('./doc.js').Doc} Doc */
/** @typedef {import('./doc.js').Op} Op */
/** @typedef {import('./doc.js').Element} Element */
/** @typedef {import('./sync.js').Sync} Sync */
/** @typedef {import('./camera.js').Camera} Camera */
/** @typedef {import('./input.js').PointerInfo} PointerInfo */
/**
 * What a tool does with pointer gestures. Every method is optional but down/move/up.
 * @typedef {{
 *   down: (e: PointerInfo) => void, move: (e: PointerInfo, samples: PointerInfo[]) => void,
 *   up: (e: PointerInfo) => void, cancel?: () => void, hover?: (e: PointerInfo) => void,
 *   dblclick?: (e: PointerInfo) => void, overlay?: (ctx: CanvasRenderingContext2D, dpr: number) => void,
 *   leave?: () => void, command?: (cmd: string) => boolean, switchAway?: () => void,
 * }} Tool
 * A tool in the middle of something (a line placed point by point, point editing) may
 * take a key's command first with `command`, returning true when it did; `switchAway`
 * runs before `cancel` when another tool is picked, to keep what should be kept.
 * @typedef {{update: (ops: Op[]) => void, end: (ops?: Op[]) => void, cancel: () => void}} Gesture
 */

/** How often a gesture in progress is sent, in ms: others see it move at 10 fps. */
export const SEND_INTERVAL = 100;
/** Grid spacing in world units. */
export const GRID = 20;
const PREFS_KEY = 'tabula.prefs';
/** Fields whose change moves an element's outline (and so its bound arrows). */
const GEOMETRY = ['x', 'y', 'w', 'h', 'angle', 'points', 'deleted'];

/**
 * @param {{
 *   doc: Doc, sync: Sync, camera: Camera, canEdit: boolean,
 *   state: Record<string, any>,
 *   invalidate: () => void, sceneChanged: () => void,
 *   toast: (msg: string) => void, storage: Pick<Storage, 'getItem' | 'setItem'>,
 * }} opts
 */
export function createEditor(opts) {
  const { doc, sync, camera, canEdit, state } = opts;
  const history = new History();
  /** @type {Record<string, Tool>} */
  const tools = {};
  /** @type {Set<() => void>} */
  const listeners = new Set();
  /** @type {Gesture | null} */
  let active = null;

  const ed = {
    doc,
    sync,
    camera,
    canEdit,
    history,
    /** @type {string} */
    tool: canEdit ? 'select' : 'hand',
    /** Tool lock (Q): keep the tool after drawing instead of going back to selection. */
    toolLocked: false,
    /** Selected element ids. @type {Set<string>} */
    selection: new Set(),
    /** The style of new elements. */
    style: { ...DEFAULT_STYLE },
    /** The highlighter's own colour, width and opacity. */
    highlight: { ...HIGHLIGHTER },
    noteColor: NOTE_COLORS[0],
    /** Notes keep their own font size: a heading size picked for a text would not fit one. */
    noteSize: NOTE_TEXT_SIZE,
    prefs: loadPrefs(opts.storage),
    /** The text element being edited: hidden from the scene while its editor shows. */
    editingId: '',
    /** Elements drawn faded: the eraser's preview. @type {Set<string>} */
    fading: new Set(),
    /** The last pointer position on the board, in world coordinates (for paste). @type {[number, number] | null} */
    pointer: /** @type {[number, number] | null} */ (null),
    tools,
    /**
     * Shows another page (set by the page menu, pagemenu.js): an undo or redo of a change
     * on another page takes you there to see it. @type {((id: string) => void) | null}
     */
    showPage: /** @type {((id: string) => void) | null} */ (null),

    /** Live elements in draw order. */
    elements: () => doc.view(),
    /** @param {string} id */
    get: (id) => doc.get(id),
    /** Screen pixels as world units at the current zoom. @param {number} px */
    tol: (px) => px / camera.zoom,
    invalidate: opts.invalidate,
    toast: opts.toast,

    /**
     * Calls fn whenever the tool, the selection or the style changes.
     * @param {() => void} fn
     */
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    changed() {
      for (const fn of listeners) fn();
      opts.invalidate();
    },

    /**
     * Sends ops as one undoable change, with the arrows bound to what they move.
     * Returns the batches' cids; nothing happens on a view-only page.
     * @param {Op[]} ops
     */
    commit(ops) {
      if (!canEdit || !ops.length) return [];
      /** @type {string[]} */
      let cids = [];
      history.record(withBindings(framed(ops)), (id) => doc.committed(id), (o) => (cids = sync.send(o)));
      return cids;
    },

    /**
     * Starts a gesture: update() shows ops at once and sends the latest of them every
     * SEND_INTERVAL ms; end() sends the final ops and makes one undo step of it all;
     * cancel() puts back what was sent.
     * @returns {Gesture}
     */
    gesture() {
      active?.cancel();
      const cap = new Capture((id) => doc.committed(id));
      /** @type {Op[] | null} */
      let latest = null;
      let timer = /** @type {any} */ (0);
      let last = -Infinity;
      const flush = () => {
        clearTimeout(timer);
        timer = 0;
        if (!latest || !canEdit) return;
        const ops = latest;
        latest = null;
        cap.touch(ops);
        cap.cids.push(...sync.send(ops));
        last = performance.now();
      };
      /** @type {Gesture} */
      const g = {
        update(ops) {
          const all = withBindings(framed(ops));
          cap.touch(all);
          latest = all;
          doc.setDraft(all);
          if (!timer) timer = setTimeout(flush, Math.max(0, SEND_INTERVAL - (performance.now() - last)));
        },
        end(ops) {
          if (active === g) active = null;
          if (ops) {
            latest = withBindings(framed(ops));
            cap.touch(latest);
          }
          doc.setDraft(null);
          flush();
          history.push(cap.entry());
        },
        cancel() {
          if (active === g) active = null;
          clearTimeout(timer);
          latest = null;
          doc.setDraft(null);
          const sent = cap.entry();
          if (sent && canEdit) sync.send(revert(sent.changes, (id) => doc.get(id)));
        },
      };
      active = g;
      return g;
    },

    /** Ends the gesture in progress, if any, keeping what it did. */
    settle() {
      active?.end();
    },

    /**
     * Replaces the selection (groups come whole, unless `exact`).
     * @param {Iterable<string>} ids @param {{exact?: boolean}} [o]
     */
    select(ids, { exact = false } = {}) {
      const next = exact ? new Set(ids) : withGroups(ids);
      const same = next.size === ed.selection.size && [...next].every((id) => ed.selection.has(id));
      if (same) return;
      ed.selection = next;
      ed.changed();
    },

    /** The selected live elements, in draw order. */
    selected() {
      if (!ed.selection.size) return [];
      return doc.view().filter((el) => ed.selection.has(el.id));
    },

    /** The selected elements that may be changed: not locked. */
    movable() {
      return ed.selected().filter((el) => !el.locked);
    },

    /**
     * Switches tool. View-only pages only have the hand and the laser.
     * @param {string} id
     */
    setTool(id) {
      const info = TOOLS.find((t) => t.id === id);
      if (!info || (info.editor && !canEdit)) return;
      if (id !== ed.tool) {
        tools[ed.tool]?.switchAway?.();
        tools[ed.tool]?.cancel?.();
        tools[ed.tool]?.leave?.();
      }
      ed.tool = id;
      if (id !== 'select' && id !== 'hand' && id !== 'laser') ed.selection = new Set();
      state.tool = id;
      document.body.dataset.tool = id;
      ed.changed();
    },

    /**
     * A tool has made elements: back to selection with them selected, as Excalidraw
     * does, unless the tool is locked.
     * @param {string[]} ids
     */
    drawn(ids) {
      if (ed.toolLocked) return;
      ed.setTool('select');
      ed.select(ids, { exact: true });
    },

    /** The tool's handlers for input.js. */
    current() {
      return tools[ed.tool];
    },

    /**
     * Runs a command by name (from a key, a button or a menu).
     * @param {string} cmd @param {any} [arg]
     */
    run(cmd, arg) {
      const fn = ed.commands[cmd];
      if (fn) fn(arg);
      return !!fn;
    },

    /**
     * Handles a key press from input.js; returns whether it was a shortcut.
     * @param {KeyboardEvent} e
     */
    key(e) {
      const c = commandFor(e);
      if (!c) return false;
      if (c.cmd === 'tool' && TOOLS.find((t) => t.id === c.arg)?.editor && !canEdit) return false;
      if (tools[ed.tool]?.command?.(c.cmd)) return true;
      return ed.run(c.cmd, c.arg);
    },

    /** Extra commands other modules add (zoom, help, images). @type {Record<string, (arg?: any) => void>} */
    commands: /** @type {Record<string, (arg?: any) => void>} */ ({}),

    /**
     * Elements to add: new ids and z keys on top, moved by (dx, dy); selected after.
     * @param {readonly Element[]} els @param {number} dx @param {number} dy
     */
    insertCopies(els, dx, dy) {
      if (!els.length || !canEdit) return;
      const copies = cloneElements(els, { dx, dy, zs: keysOnTop(doc.view(), els.length), newId: () => randomId() });
      ed.commit(copies.map((el) => ({ o: /** @type {const} */ ('put'), el })));
      ed.setTool('select');
      ed.select(copies.map((el) => el.id), { exact: true });
    },

    savePrefs() {
      try {
        opts.storage.setItem(PREFS_KEY, JSON.stringify(ed.prefs));
      } catch {
        // Preferences are a convenience; a full or disabled storage loses them quietly.
      }
      opts.sceneChanged();
      ed.changed();
    },
  };

  /**
   * ops plus patches for the arrows bound to elements whose outline they change.
   * @param {Op[]} ops
   */
  function withBindings(ops) {
    /** @type {Set<string>} */
    const changed = new Set();
    for (const op of ops) {
      if (op.o === 'put') changed.add(op.el.id);
      else if (op.o === 'del') changed.add(op.id);
      else if (GEOMETRY.some((k) => k in op.set)) changed.add(op.id);
    }
    if (!changed.size) return ops;
    const list = doc.view();
    // Members a frame's move takes along move their arrows too.
    const carried = carriedBy(ops, (id) => doc.committed(id), list);
    for (const id of carried.keys()) changed.add(id);
    if (!list.some((el) => (el.type === 'arrow' || el.type === 'line') && (changed.has(el.startBind) || changed.has(el.endBind)))) return ops;
    // The elements as these ops leave them.
    /** @type {Map<string, Element | undefined>} */
    const after = new Map(carried);
    for (const op of ops) {
      const id = op.o === 'put' ? op.el.id : op.id;
      const cur = after.has(id) ? after.get(id) : doc.committed(id);
      if (op.o === 'put') after.set(id, op.el);
      else if (op.o === 'del') after.set(id, undefined);
      else if (cur) after.set(id, { ...cur, ...op.set });
    }
    const get = (/** @type {string} */ id) => (after.has(id) ? after.get(id) : doc.committed(id));
    return [...ops, ...rerouteBound(list, changed, get)];
  }

  /**
   * ops with the frame rules applied (frames.js): membership, and members deleted with
   * their frame, in the same batch (moving a frame moves its members by itself).
   * @param {Op[]} ops
   */
  function framed(ops) {
    return withFrames(paged(ops), (id) => doc.committed(id), doc.view());
  }

  /**
   * ops with new elements put on the page shown (pages.js): a put of an id the board has
   * never had and that names no page. A put that brings an element back (undo) keeps its
   * page, as does one that names it.
   * @param {Op[]} ops
   */
  function paged(ops) {
    if (doc.page === DEFAULT_PAGE) return ops;
    return ops.map((op) =>
      op.o !== 'put' || op.el.page !== undefined || op.el.type === 'page' || doc.confirmed.has(op.el.id) || doc.committed(op.el.id)
        ? op
        : { o: 'put', el: { ...op.el, page: doc.page } },
    );
  }

  /** @param {Iterable<string>} ids */
  function withGroups(ids) {
    const out = new Set(ids);
    const groups = new Set();
    for (const id of out) {
      const g = doc.get(id)?.group;
      if (g) groups.add(g);
    }
    if (groups.size) for (const el of doc.view()) if (el.group && groups.has(el.group)) out.add(el.id);
    return out;
  }

  /** @param {string} id */
  const live = (id) => !!doc.get(id);

  /** @type {Record<string, (arg?: any) => void>} */
  const commands = {
    tool: (id) => ed.setTool(id),
    undo: () => step('undo'),
    redo: () => step('redo'),
    delete() {
      const els = ed.movable();
      if (!els.length) return;
      ed.commit(els.map((el) => ({ o: /** @type {const} */ ('del'), id: el.id })));
      ed.select([]);
    },
    duplicate() {
      const els = ed.selected();
      ed.insertCopies(els, 16, 16);
    },
    selectAll() {
      if (!canEdit) return;
      if (ed.tool !== 'select') ed.setTool('select');
      ed.select(doc.view().filter((el) => !el.locked).map((el) => el.id), { exact: true });
    },
    group() {
      const els = ed.movable();
      if (els.length < 2) return;
      const group = randomId();
      ed.commit(els.map((el) => ({ o: /** @type {const} */ ('patch'), id: el.id, set: { group } })));
      ed.changed();
    },
    ungroup() {
      const els = ed.movable().filter((el) => el.group);
      if (!els.length) return;
      ed.commit(els.map((el) => ({ o: /** @type {const} */ ('patch'), id: el.id, set: { group: '' } })));
      ed.changed();
    },
    lock() {
      const els = ed.selected();
      if (!els.length) return;
      const locked = !els.every((el) => el.locked);
      ed.commit(els.filter((el) => !!el.locked !== locked).map((el) => ({ o: /** @type {const} */ ('patch'), id: el.id, set: { locked } })));
      ed.toast(locked ? `Locked ${els.length === 1 ? 'the element' : `${els.length} elements`}: ${keyHint('Mod+Shift+L')} unlocks` : 'Unlocked');
      ed.changed();
    },
    zorder(move) {
      const sel = new Set(ed.movable().map((el) => el.id));
      if (!sel.size) return;
      ed.commit(zOrderOps(doc.view(), sel, move));
    },
    nudge([dx, dy]) {
      const els = ed.movable();
      if (!els.length) return;
      ed.commit(els.map((el) => ({ o: /** @type {const} */ ('patch'), id: el.id, set: moved(el, dx, dy) })));
    },
    escape() {
      // A gesture in progress is put back as it was; the tool forgets it too.
      tools[ed.tool]?.cancel?.();
      active?.cancel();
      if (ed.selection.size) ed.select([]);
      else if (ed.tool !== 'select' && ed.tool !== 'hand' && canEdit) ed.setTool('select');
      ed.invalidate();
    },
    grid() {
      ed.prefs.grid = !ed.prefs.grid;
      ed.savePrefs();
    },
    snap() {
      ed.prefs.snap = !ed.prefs.snap;
      ed.savePrefs();
      ed.toast(ed.prefs.snap ? 'Snapping to the grid' : 'Not snapping to the grid');
    },
  };

  /** @param {'undo' | 'redo'} which */
  function step(which) {
    if (!canEdit) return;
    active?.end();
    tools[ed.tool]?.cancel?.();
    const apply = (/** @type {readonly Op[]} */ o) => sync.send(withBindings([...o]));
    const get = (/** @type {string} */ id) => doc.get(id);
    const ops = which === 'undo' ? history.undo(get, apply) : history.redo(get, apply);
    if (!ops) return;
    // A change on another page is shown where it is, as tldraw does: the page of its
    // first element (a page's own element is on no page; a deleted one is a tombstone).
    for (const op of ops) {
      const id = op.o === 'put' ? op.el.id : op.id;
      const el = doc.get(id) ?? doc.confirmed.get(id);
      if (!el || el.type === 'page') continue;
      if (pageOf(el) !== doc.page) ed.showPage?.(pageOf(el));
      break;
    }
    // Show what came back (or went away) selected, as a hint of what changed.
    const ids = ops.map((op) => (op.o === 'put' ? op.el.id : op.id)).filter(live);
    if (ed.tool === 'select' || ids.length) {
      if (ed.tool !== 'select') ed.setTool('select');
      ed.select(ids, { exact: true });
    }
  }

  // Other modules add theirs (zoom, help, images) to the same table.
  Object.assign(ed.commands, commands);

  // A refused batch is no longer ours to undo.
  sync.on('error', (m) => {
    if (m.cid) history.forget(m.cid);
  });
  // Elements deleted (by anyone) leave the selection.
  doc.subscribe(() => {
    let gone = false;
    for (const id of ed.selection) {
      if (!live(id)) {
        ed.selection.delete(id);
        gone = true;
      }
    }
    if (gone) ed.changed();
  });

  state.tool = ed.tool;
  document.body.dataset.tool = ed.tool;
  return ed;
}

/** A shortcut as this platform writes it. @param {string} combo */
export function keyHint(combo) {
  const mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
  return mac ? combo.replace('Mod+Shift+', '⌘⇧').replace('Mod+', '⌘') : combo.replace('Mod', 'Ctrl');
}

/**
 * @param {Pick<Storage, 'getItem'>} storage
 * @returns {{grid: boolean, snap: boolean}}
 */
function loadPrefs(storage) {
  try {
    const p = JSON.parse(storage.getItem(PREFS_KEY) ?? '{}');
    return { grid: p?.grid === true, snap: p?.snap === true };
  } catch {
    return { grid: false, snap: false };
  }
}

/** @typedef {ReturnType<typeof createEditor>} Editor */
