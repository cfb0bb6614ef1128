// @ts-check
// The select tool: click, Shift-click and marquee to select; drag to move; the handles
// of the selection box to resize (Shift keeps the ratio, Alt resizes about the centre)
// and rotate (Shift snaps to 15°); the ends of a line or arrow to move them (and bind
// them to shapes). A whole group is selected at once; Ctrl/⌘-click picks one element of
// it. Locked elements can be selected, to unlock them, but not changed.

import { worldToScreen } from '../camera.js';
import { localBox } from '../geometry.js';
import { topHit, unionBounds, within, rectFrom, centre, toLocal, LINEAR } from '../hit.js';
import { moved, resizeOne, resizeMany, rotateMany, pointerAngle, handlePositions, handleCursor, snap, HANDLES } from '../transform.js';
import { bindTarget, absolutePoints, routeArrow } from '../arrows.js';
import { toRelative } from '../smooth.js';
import { drawSelectionBox, drawOutline, drawMarquee, drawEndHandles, HANDLE, ROTATE_LIFT } from '../overlay.js';
import { GRID } from '../editor.js';

/** @typedef {import('../editor.js').Editor} Editor */
/** @typedef {import('../doc.js').Element} Element */
/** @typedef {import('../transform.js').Handle} Handle */
/** @typedef {import('../input.js').PointerInfo} PointerInfo */
/** @typedef {[number, number]} Vec */
/**
 * @typedef {{kind: 'resize', handle: Handle} | {kind: 'rotate'} | {kind: 'end', index: number}} Grip
 * @typedef {{
 *   kind: 'pending' | 'move' | 'resize' | 'rotate' | 'end' | 'marquee',
 *   start: Vec, screen: Vec, originals: Element[], grip?: Grip,
 *   gesture?: import('../editor.js').Gesture, base?: Set<string>, rect?: import('../geometry.js').Rect,
 *   clicked?: string, wasSelected?: boolean, pivot?: Vec, angle0?: number, target?: Element, offset?: Vec,
 * }} Drag
 */

/** Screen pixels a press must move before it is a drag rather than a click. */
const THRESHOLD = 3;
/** Slack for picking elements, in screen pixels. */
const PICK = 6;

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
    }
  }

  return {
    down(e) {
      hovered = undefined;
      const grip = gripAt(e);
      /** @type {Drag} */
      const d = { kind: 'pending', start: [e.x, e.y], screen: [e.sx, e.sy], originals: [] };
      if (grip) {
        d.grip = grip;
        drag = d;
        begin(d, grip.kind);
        return;
      }
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
      else if (grip) setCursor(grip.kind === 'rotate' ? 'grab' : 'pointer');
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
      setCursor('');
    },
    dblclick(e) {
      // Inside an unfilled shape counts too: that is where a label goes.
      const hit = pick(e) ?? bindTarget(ed.elements(), e.x, e.y, 0);
      if (!hit) ed.run('textAt', [e.x, e.y]);
      else if (hit.locked) return;
      else if (hit.type === 'text' || hit.type === 'note') ed.run('editText', hit.id);
      else if (hit.type === 'rect' || hit.type === 'ellipse' || hit.type === 'diamond') ed.run('labelShape', hit.id);
    },
    overlay(ctx, dpr) {
      const cam = ed.camera;
      if (hovered && ed.get(hovered.id)) drawOutline(ctx, cam, dpr, hovered, 'rgba(91, 87, 209, 0.55)');
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
