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

/**
 * The camera that puts world point (wx, wy) at the centre of a screen of width × height
 * pixels, at the camera's zoom.
 * @param {Camera} cam @param {number} wx @param {number} wy @param {number} width @param {number} height
 * @returns {Camera}
 */
export function centredOn(cam, wx, wy, width, height) {
  return { x: wx - width / 2 / cam.zoom, y: wy - height / 2 / cam.zoom, zoom: cam.zoom };
}

/**
 * The camera that shows all of a world rectangle on a screen of width × height pixels,
 * as large as fits (within the zoom limits) and centred.
 * @param {{x: number, y: number, w: number, h: number}} rect
 * @param {number} width @param {number} height
 * @returns {Camera}
 */
export function fitRect(rect, width, height) {
  const zoom = clampZoom(Math.min(width / rect.w, height / rect.h));
  return { x: rect.x + rect.w / 2 - width / 2 / zoom, y: rect.y + rect.h / 2 - height / 2 / zoom, zoom };
}

/**
 * Moves the camera part of the way to camera `to` for a frame of dt milliseconds, on a
 * screen of width × height pixels: an exponential ease of the view's centre (and of the
 * zoom, by ratio) that covers about 63% of the way every `tau` ms, whatever the frame
 * rate. It snaps when less than half a pixel is left, and goes at once to a target more
 * than `jump` screen pixels away: gliding across a whole board is slow and shows nothing
 * useful. Returns true when the camera has arrived.
 * @param {Camera} cam @param {Camera} to @param {number} width @param {number} height @param {number} dt
 * @param {{tau?: number, jump?: number}} [opts]
 */
export function glide(cam, to, width, height, dt, { tau = 80, jump = 3000 } = {}) {
  const cx = cam.x + width / 2 / cam.zoom;
  const cy = cam.y + height / 2 / cam.zoom;
  const tx = to.x + width / 2 / to.zoom;
  const ty = to.y + height / 2 / to.zoom;
  const far = Math.hypot(tx - cx, ty - cy) * Math.min(cam.zoom, to.zoom) > jump;
  const k = far ? 1 : 1 - Math.exp(-Math.max(0, dt) / tau);
  const zoom = cam.zoom * (to.zoom / cam.zoom) ** k;
  const x = cx + (tx - cx) * k;
  const y = cy + (ty - cy) * k;
  const close = Math.hypot(tx - x, ty - y) * zoom < 0.5 && Math.abs(Math.log(to.zoom / zoom)) < 1e-3;
  if (far || close) {
    Object.assign(cam, { x: to.x, y: to.y, zoom: to.zoom });
    return true;
  }
  Object.assign(cam, { x: x - width / 2 / zoom, y: y - height / 2 / zoom, zoom });
  return false;
}

/**
 * The camera a board opens with: all of `bounds` (the union of its elements' bounds, or
 * null for an empty board) on a screen of width × height pixels, centred in the part of
 * the screen the controls leave free (`insets`, in screen pixels), no larger than
 * `maxZoom`, so a small drawing opens at its real size rather than blown up. An empty
 * board opens at the origin at 100%.
 * @param {{minX: number, minY: number, maxX: number, maxY: number} | null} bounds
 * @param {number} width @param {number} height
 * @param {{top?: number, right?: number, bottom?: number, left?: number, maxZoom?: number}} [opts]
 * @returns {Camera}
 */
export function openingCamera(bounds, width, height, { top = 64, right = 64, bottom = 64, left = 64, maxZoom = 1 } = {}) {
  if (!bounds) return createCamera();
  const w = Math.max(1, bounds.maxX - bounds.minX);
  const h = Math.max(1, bounds.maxY - bounds.minY);
  const freeW = Math.max(1, width - left - right);
  const freeH = Math.max(1, height - top - bottom);
  const zoom = clampZoom(Math.min(freeW / w, freeH / h, maxZoom));
  // The content's centre goes to the free area's centre.
  const cx = bounds.minX + w / 2;
  const cy = bounds.minY + h / 2;
  return { x: cx - (left + freeW / 2) / zoom, y: cy - (top + freeH / 2) / zoom, zoom };
}
