// @ts-check
// The laser pointer: a red trail that fades, seen by everyone on the board (viewers may
// point too). The trail of each person is kept here; the tool sends our positions.

import { worldToScreen } from '../camera.js';

/** @typedef {import('../editor.js').Editor} Editor */
/** @typedef {import('../camera.js').Camera} Camera */

/** How long a laser trail lasts, in ms. */
export const LASER_FADE = 1000;
const COLOR = [250, 82, 82];

/**
 * Laser trails by session id: recent points with the time they arrived.
 */
export class LaserTrails {
  constructor() {
    /** @type {Map<string, {x: number, y: number, at: number}[]>} */
    this.trails = new Map();
  }

  /** @param {string} sid @param {number} x @param {number} y @param {number} now */
  add(sid, x, y, now) {
    let t = this.trails.get(sid);
    if (!t) this.trails.set(sid, (t = []));
    t.push({ x, y, at: now });
  }

  /** Drops what has faded; returns whether anything is left to draw. @param {number} now */
  prune(now) {
    for (const [sid, t] of this.trails) {
      const keep = t.filter((p) => now - p.at < LASER_FADE);
      if (keep.length) this.trails.set(sid, keep);
      else this.trails.delete(sid);
    }
    return this.trails.size > 0;
  }

  /** @param {string} sid */
  forget(sid) {
    this.trails.delete(sid);
  }

  /**
   * Draws every trail in screen space: a line that thins and fades toward its tail,
   * and a dot at its head.
   * @param {CanvasRenderingContext2D} ctx @param {Camera} cam @param {number} now
   */
  draw(ctx, cam, now) {
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const t of this.trails.values()) {
      const pts = t.map((p) => ({ s: worldToScreen(cam, p.x, p.y), k: 1 - (now - p.at) / LASER_FADE }));
      for (let i = 1; i < pts.length; i++) {
        const { s: a } = pts[i - 1];
        const { s: b, k } = pts[i];
        ctx.strokeStyle = `rgba(${COLOR}, ${Math.max(0, k) * 0.9})`;
        ctx.lineWidth = 2 + 4 * Math.max(0, k);
        ctx.beginPath();
        ctx.moveTo(a[0], a[1]);
        ctx.lineTo(b[0], b[1]);
        ctx.stroke();
      }
      const head = pts[pts.length - 1];
      if (head.k <= 0) continue;
      ctx.fillStyle = `rgba(${COLOR}, ${head.k})`;
      ctx.shadowColor = `rgba(${COLOR}, ${head.k})`;
      ctx.shadowBlur = 10;
      ctx.beginPath();
      ctx.arc(head.s[0], head.s[1], 5, 0, Math.PI * 2);
      ctx.fill();
      ctx.shadowBlur = 0;
    }
  }
}

/**
 * @param {Editor} ed @param {LaserTrails} trails
 * @returns {import('../editor.js').Tool}
 */
export function laserTool(ed, trails) {
  let on = false;
  /** @param {import('../input.js').PointerInfo} e */
  const point = (e) => {
    trails.add('', e.x, e.y, performance.now());
    ed.sync.laser(e.x, e.y);
    ed.invalidate();
  };
  return {
    down(e) {
      on = true;
      point(e);
    },
    move(e) {
      if (on) point(e);
    },
    up() {
      on = false;
    },
    cancel() {
      on = false;
    },
  };
}
