// @ts-check
// The select tool: click, Shift-click and marquee to select; drag to move; the handles
// of the selection box to resize (Shift keeps the ratio, Alt resizes about the centre)
// and rotate (Shift snaps to 15°); the ends of a line or arrow to move them (and bind
// them to shapes). A whole group is selected at once; Ctrl/⌘-click picks one element of
// it. Locked elements can be selected, to unlock them, but not changed.
//
// Point editing: a double click on a line or arrow (or Enter with one selected) shows a
// handle on each of its points to drag, and one between each two to drag a new point
// out of; Delete removes the point last touched (a line keeps two), an arrow end dropped
// on a shape binds to it. Escape, Enter or a click elsewhere ends it.

import { worldToScreen } from '../camera.js';
import { localBox } from '../geometry.js';
import { topHit, unionBounds, within, rectFrom, centre, toLocal, hitElement, LINEAR } from '../hit.js';
import { moved, resizeOne, resizeMany, rotateMany, pointerAngle, handlePositions, handleCursor, snap, HANDLES } from '../transform.js';
import { bindTarget, absolutePoints, routeArrow } from '../arrows.js';
import { toRelative } from '../smooth.js';
import { snapAngle } from '../shapes.js';
import { EDITABLE, editHandles, movePoint, insertPoint, removePoint, pointFields } from '../linepoints.js';
import { drawSelectionBox, drawOutline, drawMarquee, drawEndHandles, drawPointHandles, HANDLE, ROTATE_LIFT } from '../overlay.js';
import { GRID } from '../editor.js';

/** @typedef {import('../editor.js').Editor} Editor */
/** @typedef {import('../doc.js').Element} Element */
/** @typedef {import('../transform.js').Handle} Handle */
/** @typedef {import('../input.js').PointerInfo} PointerInfo */
/** @typedef {[number, number]} Vec */
/**
 * @typedef {{kind: 'resize', handle: Handle} | {kind: 'rotate'} | {kind: 'end', index: number}
 *   | {kind: 'point', index: number} | {kind: 'mid', index: number}} Grip
 * @typedef {{
 *   kind: 'pending' | 'move' | 'resize' | 'rotate' | 'end' | 'point' | 'mid' | 'marquee',
 *   start: Vec, screen: Vec, originals: Element[], grip?: Grip,
 *   gesture?: import('../editor.js').Gesture, base?: Set<string>, rect?: import('../geometry.js').Rect,
 *   clicked?: string, wasSelected?: boolean, pivot?: Vec, angle0?: number, target?: Element, offset?: Vec,
 * }} Drag
 */

/** Screen pixels a press must move before it is a drag rather than a click. */
const THRESHOLD = 3;
/** Slack for picking elements, in screen pixels. */
const PICK = 6;
/** The shortest part of a line (screen pixels) that gets a handle to add a point in it. */
const MIN_SPAN = HANDLE * 3;

/**
 * @param {Editor} ed
 * @param {(cursor: string) => void} setCursor
 * @returns {import('../editor.js').Tool}
 */
export function selectTool(ed, setCursor) {
  /** @type {Drag | null} */
  let drag = null;
  /** @type {Element | undefined} */
  let hovered;
  /** The line or arrow whose points are being edited, and the point last touched (-1: none). @type {{id: string, index: number} | null} */
  let editing = null;

  /** The element being point-edited, while it still can be: alive, alone in the selection, not locked. */
  function edited() {
    if (!editing) return null;
    const el = ed.get(editing.id);
    if (!el || el.locked || !ed.canEdit || ed.selection.size !== 1 || !ed.selection.has(el.id)) {
      editing = null;
      return null;
    }
    if (editing.index >= (el.points?.length || 2)) editing.index = -1;
    return el;
  }

  /** Starts point editing of a line or arrow. @param {string} id */
  function editPoints(id) {
    const el = ed.get(id);
    if (!el || el.locked || !EDITABLE.has(el.type) || !ed.canEdit) return;
    if (ed.tool !== 'select') ed.setTool('select');
    editing = { id, index: -1 };
    ed.select([id], { exact: true });
    ed.changed();
  }

  function stopEditing() {
    if (!editing) return;
    editing = null;
    ed.changed();
  }

  /**
   * The point-editing handle under the pointer: a point, or the middle of a part.
   * @param {Element} el @param {PointerInfo} e @returns {Grip | null}
   */
  function pointGripAt(el, e) {
    const h = editHandles(el, ed.tol(MIN_SPAN));
    /** @param {Vec} p @param {number} r */
    const near = (p, r) => {
      const [sx, sy] = worldToScreen(ed.camera, p[0], p[1]);
      return Math.hypot(sx - e.sx, sy - e.sy) <= r;
    };
    // The last point first: a point dragged onto another is drawn on top of it.
    for (let i = h.points.length - 1; i >= 0; i--) if (near(h.points[i], HANDLE)) return { kind: 'point', index: i };
    const mid = h.mids.find((m) => near(m.at, HANDLE * 0.75));
    return mid ? { kind: 'mid', index: mid.index } : null;
  }

  /** The selection's box: one element's own (turned) box, or the box around several. */
  function frame() {
    const els = ed.selected();
    if (!els.length) return null;
    const locked = els.some((el) => el.locked);
    if (els.length === 1) {
      const el = els[0];
      const b = localBox(el);
      const x = el.x || 0;
      const y = el.y || 0;
      const twoPoint = LINEAR.has(el.type) && el.type !== 'stroke' && (el.points?.length ?? 2) === 2;
      return { els, locked, single: el, twoPoint, angle: el.angle || 0, box: { minX: x + b.minX, minY: y + b.minY, maxX: x + b.maxX, maxY: y + b.maxY } };
    }
    return { els, locked, single: null, twoPoint: false, angle: 0, box: /** @type {import('../geometry.js').Rect} */ (unionBounds(els)) };
  }

  /**
   * The handle under the pointer, if any.
   * @param {PointerInfo} e @returns {Grip | null}
   */
  function gripAt(e) {
    const el = edited();
    if (el) return pointGripAt(el, e);
    const f = frame();
    if (!f || f.locked) return null;
    /** @param {Vec} p */
    const near = (p) => {
      const [sx, sy] = worldToScreen(ed.camera, p[0], p[1]);
      return Math.hypot(sx - e.sx, sy - e.sy) <= HANDLE;
    };
    if (f.twoPoint && f.single) {
      const ends = absolutePoints(f.single);
      const i = ends.findIndex(near);
      return i < 0 ? null : { kind: 'end', index: i };
    }
    const pad = 4 / ed.camera.zoom;
    const box = { minX: f.box.minX - pad, minY: f.box.minY - pad, maxX: f.box.maxX + pad, maxY: f.box.maxY + pad };
    const pos = handlePositions(box, f.angle, ROTATE_LIFT / ed.camera.zoom);
    if (near(pos.rotate)) return { kind: 'rotate' };
    for (const name of /** @type {Handle[]} */ (Object.keys(HANDLES))) {
      if (near(pos.handles[name])) return { kind: 'resize', handle: name };
    }
    return null;
  }

  /** Whether a world point is inside the selection box (to drag an unfilled shape by its inside). @param {PointerInfo} e */
  function insideFrame(e) {
    const f = frame();
    if (!f) return false;
    if (f.single) {
      const b = localBox(f.single);
      const [lx, ly] = toLocal(f.single, e.x, e.y);
      return lx >= b.minX && lx <= b.maxX && ly >= b.minY && ly <= b.maxY;
    }
    return e.x >= f.box.minX && e.x <= f.box.maxX && e.y >= f.box.minY && e.y <= f.box.maxY;
  }

  /** @param {PointerInfo} e */
  const pick = (e) => topHit(ed.elements(), e.x, e.y, ed.tol(PICK));
  /** @param {PointerInfo} e @returns {Vec} */
  const at = (e) => (ed.prefs.snap ? [snap(e.x, GRID), snap(e.y, GRID)] : [e.x, e.y]);

  /**
   * Starts the gesture a drag turns into, from the selection as it is now.
   * @param {Drag} d @param {Drag['kind']} kind
   */
  function begin(d, kind) {
    d.originals = ed.movable();
    if (!d.originals.length || !ed.canEdit) {
      drag = null;
      return;
    }
    d.kind = kind;
    d.gesture = ed.gesture();
    if (kind === 'resize' && d.grip?.kind === 'resize') {
      // The handle sits a little outside the box: resize from where the box's corner
      // is, moved by the pointer, so the box does not jump when the drag starts.
      const f = /** @type {NonNullable<ReturnType<typeof frame>>} */ (frame());
      const corner = handlePositions(f.box, f.angle, 0).handles[d.grip.handle];
      d.offset = [corner[0] - d.start[0], corner[1] - d.start[1]];
    }
    if (kind === 'rotate') {
      const f = /** @type {NonNullable<ReturnType<typeof frame>>} */ (frame());
      d.pivot = f.single ? centre(f.single) : [(f.box.minX + f.box.maxX) / 2, (f.box.minY + f.box.maxY) / 2];
      d.angle0 = pointerAngle(d.pivot, d.start, false);
    }
  }

  /** @param {Drag} d @param {PointerInfo} e */
  function update(d, e) {
    const g = /** @type {import('../editor.js').Gesture} */ (d.gesture);
    const els = d.originals;
    if (d.kind === 'move') {
      let dx = e.x - d.start[0];
      let dy = e.y - d.start[1];
      // Shift moves along one axis only.
      if (e.shift) Math.abs(dx) > Math.abs(dy) ? (dy = 0) : (dx = 0);
      if (ed.prefs.snap) {
        const b = /** @type {import('../geometry.js').Rect} */ (unionBounds(els));
        dx = snap(b.minX + dx, GRID) - b.minX;
        dy = snap(b.minY + dy, GRID) - b.minY;
      }
      g.update(els.map((el) => ({ o: 'patch', id: el.id, set: moved(el, dx, dy) })));
    } else if (d.kind === 'resize' && d.grip?.kind === 'resize') {
      const opts = { keepRatio: e.shift, fromCentre: e.alt };
      const off = d.offset ?? [0, 0];
      const p = at({ ...e, x: e.x + off[0], y: e.y + off[1] });
      const sets = els.length === 1 ? new Map([[els[0].id, resizeOne(els[0], d.grip.handle, p, opts)]]) : resizeMany(els, d.grip.handle, p, opts);
      g.update([...sets].map(([id, set]) => ({ o: 'patch', id, set })));
    } else if (d.kind === 'rotate') {
      const pivot = /** @type {Vec} */ (d.pivot);
      let delta = pointerAngle(pivot, [e.x, e.y], false) - /** @type {number} */ (d.angle0);
      if (e.shift) {
        // Snap the resulting angle of the (first) element, not the change.
        const step = Math.PI / 12;
        const a0 = els[0].angle || 0;
        delta = Math.round((a0 + delta) / step) * step - a0;
      }
      g.update([...rotateMany(els, pivot, delta)].map(([id, set]) => ({ o: 'patch', id, set })));
    } else if (d.kind === 'end' && d.grip?.kind === 'end') {
      const el = els[0];
      const pts = absolutePoints(el);
      const i = d.grip.index === 0 ? 0 : pts.length - 1;
      pts[i] = at(e);
      const bindKey = i === 0 ? 'startBind' : 'endBind';
      d.target = el.type === 'arrow' ? bindTarget(ed.elements(), pts[i][0], pts[i][1], ed.tol(12), el.id) : undefined;
      /** @type {Element} */
      const next = { ...el, ...toRelative(pts), angle: 0, [bindKey]: d.target?.id ?? '' };
      const routed = routeArrow(next, (id) => ed.get(id));
      const set = { ...toRelative(pts), angle: 0, [bindKey]: d.target?.id ?? '', ...(routed ?? {}) };
      g.update([{ o: 'patch', id: el.id, set }]);
    } else if (d.grip?.kind === 'point' || d.grip?.kind === 'mid') {
      g.update([{ o: 'patch', id: els[0].id, set: pointMove(d, els[0], d.grip, e) }]);
    }
  }

  /**
   * The fields of a point-editing drag: the point (or, out of a middle handle, a new
   * point) where the pointer is; an arrow end bound to the shape it is dropped on, or
   * let go; bound ends aimed along their new neighbours.
   * @param {Drag} d @param {Element} el the line when the drag began
   * @param {{kind: 'point' | 'mid', index: number}} grip @param {PointerInfo} e
   */
  function pointMove(d, el, grip, e) {
    let pts = absolutePoints(el);
    const i = grip.kind === 'mid' ? grip.index + 1 : grip.index;
    if (grip.kind === 'mid') pts = insertPoint(pts, i, [e.x, e.y]);
    // Shift turns the part before the point (after it, for the first) to 45° steps.
    const from = pts[i === 0 ? 1 : i - 1];
    pts = movePoint(pts, i, e.shift ? snapAngle(from, at(e)) : at(e));
    /** @type {Record<string, any>} */
    const set = pointFields(pts);
    d.target = undefined;
    if (el.type === 'arrow' && (i === 0 || i === pts.length - 1)) {
      d.target = bindTarget(ed.elements(), pts[i][0], pts[i][1], ed.tol(12), el.id);
      set[i === 0 ? 'startBind' : 'endBind'] = d.target?.id ?? '';
    }
    Object.assign(set, routeArrow({ ...el, ...set }, (id) => ed.get(id)) ?? {});
    if (editing) editing.index = i;
    return set;
  }

  /** Removes the point last touched; false when no point is. */
  function removeTouched() {
    const el = edited();
    if (!el || !editing || editing.index < 0) return false;
    const i = editing.index;
    const pts = removePoint(absolutePoints(el), i);
    if (!pts) {
      ed.toast('A line keeps at least two points');
      return true;
    }
    /** @type {Record<string, any>} */
    const set = pointFields(pts);
    // The end that went away lets go of its shape.
    if (i === 0 && el.startBind) set.startBind = '';
    if (i === pts.length && el.endBind) set.endBind = '';
    Object.assign(set, routeArrow({ ...el, ...set }, (id) => ed.get(id)) ?? {});
    ed.commit([{ o: 'patch', id: el.id, set }]);
    editing.index = -1;
    ed.invalidate();
    return true;
  }

  ed.commands.editPoints = (/** @type {string} */ id) => editPoints(id);

  return {
    down(e) {
      hovered = undefined;
      const grip = gripAt(e);
      /** @type {Drag} */
      const d = { kind: 'pending', start: [e.x, e.y], screen: [e.sx, e.sy], originals: [] };
      if (grip) {
        d.grip = grip;
        drag = d;
        if (editing && grip.kind === 'point') editing.index = grip.index;
        begin(d, grip.kind);
        ed.invalidate();
        return;
      }
      // Point editing goes on while the line itself is pressed (to move it), and ends
      // with a press anywhere else.
      const editedEl = edited();
      if (editedEl && !hitElement(editedEl, e.x, e.y, ed.tol(PICK))) stopEditing();
      const hit = pick(e);
      if (!hit && !e.shift && insideFrame(e)) {
        drag = d;
        return;
      }
      if (!hit) {
        if (!e.shift) ed.select([]);
        drag = { ...d, kind: 'marquee', base: new Set(ed.selection) };
        return;
      }
      const ids = e.mod ? [hit.id] : [...selectionOf(hit)];
      d.clicked = hit.id;
      d.wasSelected = ed.selection.has(hit.id);
      if (e.shift) {
        if (d.wasSelected) {
          ed.select([...ed.selection].filter((id) => !ids.includes(id)), { exact: true });
          return;
        }
        ed.select([...ed.selection, ...ids], { exact: true });
      } else if (!d.wasSelected) {
        ed.select(ids, { exact: true });
      }
      drag = d;
    },
    move(e) {
      const d = drag;
      if (!d) return;
      if (d.kind === 'pending') {
        if (Math.hypot(e.sx - d.screen[0], e.sy - d.screen[1]) < THRESHOLD) return;
        begin(d, 'move');
        if (!drag) return;
      }
      if (d.kind === 'marquee') {
        d.rect = rectFrom(d.start[0], d.start[1], e.x, e.y);
        const inside = ed.elements().filter((el) => !el.locked && within(el, /** @type {import('../geometry.js').Rect} */ (d.rect)));
        ed.select([...(d.base ?? []), ...inside.map((el) => el.id)]);
        ed.invalidate();
        return;
      }
      update(d, e);
      ed.invalidate();
    },
    up() {
      const d = drag;
      drag = null;
      if (!d) return;
      if (d.kind === 'pending' && d.clicked && d.wasSelected && ed.selection.size > 1) {
        // A click on one of several selected elements selects just it (or its group).
        const el = ed.get(d.clicked);
        if (el) ed.select([...selectionOf(el)], { exact: true });
      }
      d.gesture?.end();
      ed.invalidate();
    },
    cancel() {
      drag?.gesture?.cancel();
      drag = null;
      ed.invalidate();
    },
    hover(e) {
      const grip = gripAt(e);
      const f = frame();
      if (grip?.kind === 'resize') setCursor(handleCursor(grip.handle, f?.angle ?? 0));
      else if (grip) setCursor(grip.kind === 'rotate' ? 'grab' : grip.kind === 'mid' ? 'copy' : 'pointer');
      const hit = grip ? undefined : pick(e);
      if (!grip) setCursor(hit || insideFrame(e) ? (hit?.locked ? 'default' : 'move') : 'default');
      const next = hit && !ed.selection.has(hit.id) ? hit : undefined;
      if (next !== hovered) {
        hovered = next;
        ed.invalidate();
      }
    },
    leave() {
      hovered = undefined;
      editing = null;
      setCursor('');
    },
    dblclick(e) {
      if (edited()) return;
      // Inside an unfilled shape counts too: that is where a label goes.
      const hit = pick(e) ?? bindTarget(ed.elements(), e.x, e.y, 0);
      if (!hit) ed.run('textAt', [e.x, e.y]);
      else if (hit.locked) return;
      else if (hit.type === 'text' || hit.type === 'note') ed.run('editText', hit.id);
      else if (hit.type === 'rect' || hit.type === 'ellipse' || hit.type === 'diamond') ed.run('labelShape', hit.id);
      else if (hit.type === 'frame') ed.run('renameFrame', hit.id);
      else if (EDITABLE.has(hit.type)) editPoints(hit.id);
    },
    command(cmd) {
      if (!edited()) return false;
      if (cmd === 'escape' || cmd === 'edit') {
        drag?.gesture?.end();
        drag = null;
        stopEditing();
        return true;
      }
      return cmd === 'delete' && removeTouched();
    },
    overlay(ctx, dpr) {
      const cam = ed.camera;
      if (hovered && ed.get(hovered.id)) drawOutline(ctx, cam, dpr, hovered, 'rgba(91, 87, 209, 0.55)');
      const el = edited();
      if (el) {
        drawOutline(ctx, cam, dpr, el);
        const h = editHandles(el, ed.tol(MIN_SPAN));
        drawPointHandles(ctx, cam, dpr, h.points, h.mids.map((m) => m.at), editing?.index ?? -1);
        if (drag?.target) drawOutline(ctx, cam, dpr, drag.target);
        return;
      }
      const f = frame();
      if (f && !ed.editingId) {
        if (f.els.length > 1) for (const el of f.els) drawOutline(ctx, cam, dpr, el, 'rgba(91, 87, 209, 0.45)');
        if (f.twoPoint && f.single) {
          drawOutline(ctx, cam, dpr, f.single);
          if (!f.locked) drawEndHandles(ctx, cam, dpr, absolutePoints(f.single));
        } else {
          drawSelectionBox(ctx, cam, dpr, { box: f.box, angle: f.angle, handles: drag?.kind !== 'move', locked: f.locked });
        }
      }
      if (drag?.kind === 'end' && drag.target) drawOutline(ctx, cam, dpr, drag.target);
      if (drag?.kind === 'marquee' && drag.rect) drawMarquee(ctx, cam, dpr, drag.rect);
    },
  };

  /** The ids a click on el selects: its group, or itself. @param {Element} el */
  function selectionOf(el) {
    if (!el.group) return new Set([el.id]);
    return new Set(ed.elements().filter((o) => o.group === el.group).map((o) => o.id));
  }
}
