// @ts-check
// The eraser: every element it touches is marked (drawn faded) while the pointer is down,
// and deleted when it lifts. Escape or a second finger cancels. Locked elements stay;
// touching one element of a group erases the group.

import { allHits, sampleSegment } from '../hit.js';
import { worldToScreen } from '../camera.js';

/** @typedef {import('../editor.js').Editor} Editor */

/** Eraser radius in screen pixels. */
const RADIUS = 8;
/** How long the eraser's trail lingers, in ms. */
const TRAIL = 200;

/**
 * @param {Editor} ed @param {() => void} sceneChanged
 * @returns {import('../editor.js').Tool}
 */
export function eraserTool(ed, sceneChanged) {
  /** @type {[number, number] | null} */
  let last = null;
  /** @type {{x: number, y: number, at: number}[]} */
  let trail = [];

  /** @param {number} x @param {number} y */
  function touch(x, y) {
    const from = last ?? [x, y];
    const r = ed.tol(RADIUS);
    let added = false;
    for (const [px, py] of sampleSegment(from, [x, y], r)) {
      for (const el of allHits(ed.elements(), px, py, r)) {
        if (el.locked || ed.fading.has(el.id)) continue;
        ed.fading.add(el.id);
        added = true;
        if (el.group) for (const o of ed.elements()) if (o.group === el.group && !o.locked) ed.fading.add(o.id);
      }
    }
    last = [x, y];
    trail.push({ x, y, at: performance.now() });
    if (added) sceneChanged();
    ed.invalidate();
  }

  function clear() {
    last = null;
    if (ed.fading.size) {
      ed.fading.clear();
      sceneChanged();
    }
  }

  return {
    down(e) {
      if (!ed.canEdit) return;
      last = null;
      touch(e.x, e.y);
    },
    move(e) {
      if (last) touch(e.x, e.y);
    },
    up() {
      if (!last) return;
      const ids = [...ed.fading].filter((id) => ed.get(id));
      clear();
      ed.commit(ids.map((id) => ({ o: /** @type {const} */ ('del'), id })));
    },
    cancel() {
      clear();
      ed.invalidate();
    },
    overlay(ctx, dpr) {
      const now = performance.now();
      trail = trail.filter((p) => now - p.at < TRAIL);
      if (trail.length < 1) return;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      for (let i = 1; i < trail.length; i++) {
        const a = trail[i - 1];
        const b = trail[i];
        const [ax, ay] = worldToScreen(ed.camera, a.x, a.y);
        const [bx, by] = worldToScreen(ed.camera, b.x, b.y);
        const k = 1 - (now - b.at) / TRAIL;
        ctx.strokeStyle = `rgba(134, 142, 150, ${0.5 * k})`;
        ctx.lineWidth = RADIUS * 2 * Math.max(0.3, k);
        ctx.beginPath();
        ctx.moveTo(ax, ay);
        ctx.lineTo(bx, by);
        ctx.stroke();
      }
      // Keep animating until the trail has faded.
      ed.invalidate();
    },
  };
}
