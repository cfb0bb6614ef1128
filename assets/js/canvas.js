// @ts-check
// A canvas layer that fills its CSS box at the device's pixel density and redraws only
// when told something changed, at most once per animation frame.
//
// The board uses two layers: the scene (every element; redrawn when the document or the
// camera changes) and the live layer above it (your stroke in progress, other people's
// previews and cursors; redrawn up to 60 times a second while they move). Keeping them
// apart means a moving cursor never costs a redraw of thousands of elements.

import { drawElement } from './render.js';
import { elementBounds, intersects } from './geometry.js';
import { visibleRect } from './camera.js';

/** @typedef {import('./camera.js').Camera} Camera */
/** @typedef {import('./doc.js').Element} Element */
/** @typedef {(ctx: CanvasRenderingContext2D, width: number, height: number, dpr: number) => void} DrawFn */

/**
 * @param {HTMLCanvasElement} canvas
 * @param {DrawFn} draw called with the context cleared and reset, and the CSS size
 * @returns {{invalidate: () => void, resize: () => void}}
 */
export function createLayer(canvas, draw) {
  const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d'));
  let width = 0;
  let height = 0;
  let dpr = 1;
  let scheduled = false;

  function frame() {
    scheduled = false;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    draw(ctx, width, height, dpr);
  }

  function invalidate() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(frame);
  }

  function resize() {
    dpr = window.devicePixelRatio || 1;
    width = canvas.clientWidth;
    height = canvas.clientHeight;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    invalidate();
  }

  resize();
  return { invalidate, resize };
}

/**
 * Sets ctx to draw world coordinates through the camera.
 * @param {CanvasRenderingContext2D} ctx @param {Camera} cam @param {number} dpr
 */
export function applyCamera(ctx, cam, dpr) {
  const s = cam.zoom * dpr;
  ctx.setTransform(s, 0, 0, s, -cam.x * s, -cam.y * s);
}

/**
 * Draws the elements that intersect the visible part of the world, in order.
 * @param {CanvasRenderingContext2D} ctx
 * @param {Camera} cam
 * @param {readonly Element[]} elements in draw order
 * @param {number} width @param {number} height CSS pixels
 * @param {number} dpr
 */
export function drawWorld(ctx, cam, elements, width, height, dpr) {
  applyCamera(ctx, cam, dpr);
  const view = visibleRect(cam, width, height);
  for (const el of elements) {
    if (intersects(elementBounds(el), view)) drawElement(ctx, el);
  }
}
