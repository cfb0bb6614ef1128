// @ts-check
// Pointer, wheel and keyboard gestures on the board canvas. This module turns raw events
// into camera moves and stroke callbacks; what a stroke becomes is the board's business.
//
// The canvas fills the window from its top-left corner, so clientX/clientY are canvas
// coordinates and no layout is read per event.

import { panBy, zoomAt, screenToWorld } from './camera.js';

/** @typedef {import('./camera.js').Camera} Camera */
/**
 * @typedef {{
 *   canDraw: () => boolean,
 *   tool: () => 'pen' | 'hand',
 *   strokeStart: (point: number[]) => void,
 *   strokeMove: (points: number[][]) => void,
 *   strokeEnd: () => void,
 *   strokeCancel: () => void,
 *   pointer: (wx: number, wy: number) => void,
 *   cameraChanged: () => void,
 *   panning: (on: boolean) => void,
 *   shortcut: (key: string) => void,
 * }} Handlers
 */

const LINE_PIXELS = 16;

/**
 * Wires gestures on `target` (the top canvas) and keyboard on `window`.
 * - pen tool, primary button or one finger: draw;
 * - hand tool, Space held, or middle button: drag to pan;
 * - two fingers: pinch to zoom and pan;
 * - wheel or two-finger trackpad scroll: pan; with Ctrl/⌘ (and trackpad pinch): zoom
 *   about the pointer; Ctrl/⌘ with + - 0 zooms too;
 * - other plain keys go to h.shortcut unless a text field has focus.
 * @param {HTMLElement} target
 * @param {Camera} camera
 * @param {Handlers} h
 */
export function attachInput(target, camera, h) {
  /** Screen positions of the pointers that are down, for panning and pinching. */
  const down = new Map();
  /** @type {'draw' | 'pan' | 'pinch' | null} */
  let gesture = null;
  let drawingPointer = -1;
  let spaceHeld = false;
  /** The world point under the fingers' midpoint and their distance when a pinch began. */
  let pinch = { wx: 0, wy: 0, dist: 1, zoom: 1 };

  /** @param {PointerEvent} e */
  const point = (e) => {
    const [x, y] = screenToWorld(camera, e.clientX, e.clientY);
    // Only pens report real pressure; a mouse always says 0.5 and would fake it.
    return e.pointerType === 'pen' ? [x, y, e.pressure] : [x, y];
  };

  // The hand cursor shows while Space is held or a pan drag is on.
  let handShown = false;
  const showHand = () => {
    const on = spaceHeld || gesture === 'pan';
    if (on !== handShown) h.panning((handShown = on));
  };
  const setGesture = (/** @type {typeof gesture} */ g) => {
    gesture = g;
    showHand();
  };

  const startPinch = () => {
    const [a, b] = [...down.values()];
    const cx = (a.x + b.x) / 2;
    const cy = (a.y + b.y) / 2;
    const [wx, wy] = screenToWorld(camera, cx, cy);
    pinch = { wx, wy, dist: Math.hypot(a.x - b.x, a.y - b.y) || 1, zoom: camera.zoom };
  };

  target.addEventListener('pointerdown', (e) => {
    down.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (e.pointerType === 'touch' && down.size === 2) {
      // A second finger turns a stroke that just started into a pinch.
      if (gesture === 'draw') h.strokeCancel();
      setGesture('pinch');
      startPinch();
      return;
    }
    if (gesture) return;
    target.setPointerCapture(e.pointerId);
    if (e.button === 1 || (e.button === 0 && (spaceHeld || h.tool() === 'hand'))) {
      e.preventDefault();
      setGesture('pan');
    } else if (e.button === 0 && h.canDraw()) {
      setGesture('draw');
      drawingPointer = e.pointerId;
      h.strokeStart(point(e));
    }
  });

  target.addEventListener('pointermove', (e) => {
    const last = down.get(e.pointerId);
    if (gesture === 'pinch' && last) {
      last.x = e.clientX;
      last.y = e.clientY;
      const [a, b] = [...down.values()];
      const cx = (a.x + b.x) / 2;
      const cy = (a.y + b.y) / 2;
      zoomAt(camera, cx, cy, (pinch.zoom * Math.hypot(a.x - b.x, a.y - b.y)) / pinch.dist);
      // Keep the world point that was under the fingers under their new midpoint.
      camera.x = pinch.wx - cx / camera.zoom;
      camera.y = pinch.wy - cy / camera.zoom;
      h.cameraChanged();
      return;
    }
    if (gesture === 'pan' && last) {
      panBy(camera, last.x - e.clientX, last.y - e.clientY);
      last.x = e.clientX;
      last.y = e.clientY;
      h.cameraChanged();
    } else if (gesture === 'draw' && e.pointerId === drawingPointer) {
      // Coalesced events hold the samples the browser merged into this one: without
      // them, fast strokes turn into polygons.
      const events = e.getCoalescedEvents?.() ?? [];
      h.strokeMove((events.length ? events : [e]).map(point));
    }
    const [wx, wy] = screenToWorld(camera, e.clientX, e.clientY);
    h.pointer(wx, wy);
  });

  /** @param {PointerEvent} e */
  const end = (e) => {
    down.delete(e.pointerId);
    if (gesture === 'draw' && e.pointerId === drawingPointer) {
      drawingPointer = -1;
      if (e.type === 'pointerup') h.strokeEnd();
      else h.strokeCancel();
      setGesture(null);
    } else if (gesture === 'pinch') {
      // Lifting one finger of two ends the pinch; the other finger does not start a
      // stroke halfway through a gesture.
      if (down.size === 0) setGesture(null);
    } else if (gesture === 'pan' && down.size === 0) {
      setGesture(null);
    }
  };
  target.addEventListener('pointerup', end);
  target.addEventListener('pointercancel', end);

  target.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const unit = e.deltaMode === 1 ? LINE_PIXELS : e.deltaMode === 2 ? target.clientHeight : 1;
      let dx = e.deltaX * unit;
      let dy = e.deltaY * unit;
      if (e.ctrlKey || e.metaKey) {
        // Trackpad pinches arrive as small ctrl+wheel deltas, mouse wheel notches as
        // large ones; scale each so that both feel like about 10-20% per step.
        const k = Math.abs(dy) < 50 ? 0.01 : 0.002;
        zoomAt(camera, e.clientX, e.clientY, camera.zoom * Math.exp(-dy * k));
      } else {
        if (e.shiftKey && dx === 0) [dx, dy] = [dy, 0];
        panBy(camera, dx, dy);
      }
      h.cameraChanged();
    },
    { passive: false },
  );

  /** @param {KeyboardEvent} e */
  const typing = (e) => {
    const t = /** @type {HTMLElement | null} */ (e.target);
    return !!t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
  };

  window.addEventListener('keydown', (e) => {
    if (typing(e)) return;
    if (e.code === 'Space') {
      e.preventDefault();
      spaceHeld = true;
      showHand();
    } else if ((e.ctrlKey || e.metaKey) && ['=', '+', '-', '0'].includes(e.key)) {
      // Zoom the board, not the page.
      e.preventDefault();
      const next = e.key === '0' ? 1 : camera.zoom * (e.key === '-' ? 1 / 1.2 : 1.2);
      zoomAt(camera, target.clientWidth / 2, target.clientHeight / 2, next);
      h.cameraChanged();
    } else if (!e.ctrlKey && !e.metaKey && !e.altKey) {
      h.shortcut(e.key);
    }
  });
  const releaseSpace = () => {
    spaceHeld = false;
    showHand();
  };
  window.addEventListener('keyup', (e) => {
    if (e.code === 'Space') releaseSpace();
  });
  window.addEventListener('blur', releaseSpace);
}
