// @ts-check
// The camera over the infinite canvas. (x, y) is the world point at the top-left corner
// of the screen and zoom is screen pixels per world unit, so
//   screen = (world - camera) * zoom.
// The camera is a small mutable object shared by the renderer and the input handlers.

/** @typedef {{x: number, y: number, zoom: number}} Camera */

export const MIN_ZOOM = 0.1;
export const MAX_ZOOM = 30;

/** @returns {Camera} */
export const createCamera = () => ({ x: 0, y: 0, zoom: 1 });

/** @param {number} zoom */
export const clampZoom = (zoom) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom));

/**
 * @param {Camera} cam @param {number} sx @param {number} sy
 * @returns {[number, number]}
 */
export const screenToWorld = (cam, sx, sy) => [sx / cam.zoom + cam.x, sy / cam.zoom + cam.y];

/**
 * @param {Camera} cam @param {number} wx @param {number} wy
 * @returns {[number, number]}
 */
export const worldToScreen = (cam, wx, wy) => [(wx - cam.x) * cam.zoom, (wy - cam.y) * cam.zoom];

/**
 * Moves the view by a distance in screen pixels (content moves the other way).
 * @param {Camera} cam @param {number} dx @param {number} dy
 */
export function panBy(cam, dx, dy) {
  cam.x += dx / cam.zoom;
  cam.y += dy / cam.zoom;
}

/**
 * Zooms to `zoom` (clamped) keeping the world point under screen point (sx, sy) in place,
 * so the content under the pointer or between the fingers does not slide away.
 * @param {Camera} cam @param {number} sx @param {number} sy @param {number} zoom
 */
export function zoomAt(cam, sx, sy, zoom) {
  const [wx, wy] = screenToWorld(cam, sx, sy);
  cam.zoom = clampZoom(zoom);
  cam.x = wx - sx / cam.zoom;
  cam.y = wy - sy / cam.zoom;
}

/**
 * The world rectangle a screen of width × height pixels shows.
 * @param {Camera} cam @param {number} width @param {number} height
 */
export function visibleRect(cam, width, height) {
  return { minX: cam.x, minY: cam.y, maxX: cam.x + width / cam.zoom, maxY: cam.y + height / cam.zoom };
}
