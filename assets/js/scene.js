// @ts-check
// Draws the board's scene layer: the optional dot grid, then every element that is on
// screen, in order. The element being edited as text is left out (its editor shows it);
// elements the eraser has marked are drawn faded.

import { drawPlaced } from './render.js';
import { elementBounds, intersects } from './geometry.js';
import { visibleRect } from './camera.js';
import { isFrame, frameRect } from './frames.js';

/** @typedef {import('./camera.js').Camera} Camera */
/** @typedef {import('./doc.js').Element} Element */
/**
 * @typedef {{grid: number, skip: string, fade: ReadonlySet<string>}} SceneOptions
 * grid: spacing in world units, 0 for none.
 */

/** The smallest on-screen spacing of grid dots; closer dots are thinned to every 5th. */
const MIN_DOT_GAP = 10;

/** @type {Map<string, CanvasPattern>} */
const dotPatterns = new Map();

/**
 * A repeating tile of one dot, in device pixels.
 * @param {CanvasRenderingContext2D} ctx @param {number} size @param {number} r
 */
function dotPattern(ctx, size, r) {
  const key = `${size}:${r}`;
  let p = dotPatterns.get(key);
  if (p) return p;
  const tile = document.createElement('canvas');
  tile.width = tile.height = size;
  const t = /** @type {CanvasRenderingContext2D} */ (tile.getContext('2d'));
  t.fillStyle = 'rgba(134, 142, 150, 0.55)';
  t.beginPath();
  t.arc(r, r, r, 0, Math.PI * 2);
  t.fill();
  p = /** @type {CanvasPattern} */ (ctx.createPattern(tile, 'repeat'));
  if (dotPatterns.size > 16) dotPatterns.clear();
  dotPatterns.set(key, p);
  return p;
}

/**
 * The dot grid: a dot at every grid crossing (every 5th when they would crowd).
 * @param {CanvasRenderingContext2D} ctx @param {Camera} cam @param {number} width @param {number} height @param {number} dpr @param {number} spacing
 */
function drawGrid(ctx, cam, width, height, dpr, spacing) {
  let step = spacing;
  while (step * cam.zoom < MIN_DOT_GAP) step *= 5;
  const gap = step * cam.zoom * dpr;
  // Patterns repeat on whole pixels: round the tile and scale it back to the exact gap.
  const size = Math.max(4, Math.round(gap));
  const r = Math.max(1, Math.min(1.5 * dpr, size / 6));
  const p = dotPattern(ctx, size, r);
  const k = gap / size;
  const ox = (-cam.x * cam.zoom * dpr) % gap;
  const oy = (-cam.y * cam.zoom * dpr) % gap;
  p.setTransform(new DOMMatrix([k, 0, 0, k, ox - r * k, oy - r * k]));
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = p;
  ctx.fillRect(0, 0, width * dpr, height * dpr);
}

/**
 * Draws the scene: grid, then the visible elements.
 * @param {CanvasRenderingContext2D} ctx @param {Camera} cam
 * @param {readonly Element[]} elements in draw order
 * @param {number} width @param {number} height CSS pixels @param {number} dpr
 * @param {SceneOptions} opts
 * @returns {number} how many elements were drawn
 */
export function drawScene(ctx, cam, elements, width, height, dpr, opts) {
  if (opts.grid) drawGrid(ctx, cam, width, height, dpr, opts.grid);
  const view = visibleRect(cam, width, height);
  let n = 0;
  const scale = cam.zoom;
  const k = cam.zoom * dpr;
  const e = -cam.x * k;
  const f = -cam.y * k;
  // Every element here draws with round joins and caps: set them once.
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  /** Live frames by id: their members are clipped to them. @type {Map<string, Element>} */
  const frames = new Map();
  for (const el of elements) if (isFrame(el)) frames.set(el.id, el);
  // Members are clipped to their frame: one clip for each run of members of the same
  // frame in draw order (a frame's members usually follow it), not one per member.
  /** @type {Element | undefined} */
  let clipped;
  for (const el of elements) {
    if (!intersects(elementBounds(el), view) || el.id === opts.skip) continue;
    const frame = el.frame ? frames.get(el.frame) : undefined;
    if (frame !== clipped) {
      if (clipped) ctx.restore();
      clipped = frame;
      if (frame) {
        const r = frameRect(frame);
        ctx.save();
        ctx.setTransform(k, 0, 0, k, e, f);
        ctx.beginPath();
        ctx.rect(r.minX, r.minY, r.maxX - r.minX, r.maxY - r.minY);
        ctx.clip();
      }
    }
    drawPlaced(ctx, el, scale, k, e, f, opts.fade.has(el.id) ? 0.25 : 1);
    n++;
  }
  if (clipped) ctx.restore();
  ctx.globalAlpha = 1;
  return n;
}
