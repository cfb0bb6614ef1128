// @ts-check
// Pointer, wheel and keyboard gestures on the board canvas. This module turns raw events
// into camera moves and tool gestures (down, move, up) in world coordinates; what a
// gesture does is the current tool's business.
//
// The canvas fills the window from its top-left corner, so clientX/clientY are canvas
// coordinates and no layout is read per event.

import { panBy, zoomAt, screenToWorld } from './camera.js';

/** @typedef {import('./camera.js').Camera} Camera */
/**
 * A pointer event as tools see it: world and screen position, pressure (pens only),
 * modifier keys.
 * @typedef {{
 *   x: number, y: number, sx: number, sy: number, p?: number,
 *   shift: boolean, alt: boolean, mod: boolean, pointerType: string, button: number,
 * }} PointerInfo
 */
/**
 * @typedef {{
 *   tool: () => string,
 *   down: (e: PointerInfo) => void,
 *   move: (e: PointerInfo, samples: PointerInfo[]) => void,
 *   up: (e: PointerInfo) => void,
 *   cancel: () => void,
 *   hover: (e: PointerInfo) => void,
 *   dblclick: (e: PointerInfo) => void,
 *   pointer: (wx: number, wy: number) => void,
 *   cameraChanged: () => void,
 *   panning: (on: boolean) => void,
 *   key: (e: KeyboardEvent) => boolean,
 * }} Handlers
 */

const LINE_PIXELS = 16;

/**
 * Wires gestures on `target` (the top canvas) and keyboard on `window`.
 * - primary button, pen or one finger: the current tool's gesture;
 * - hand tool, Space held, or middle button: drag to pan;
 * - two fingers: pinch to zoom and pan;
 * - palm rejection: while a pen is down, touches are ignored, and once a pen has been
 *   used on this page one finger pans (the pen draws, the hand moves the board);
 * - wheel or two-finger trackpad scroll: pan; with Ctrl/⌘ (and trackpad pinch): zoom
 *   about the pointer; Ctrl/⌘ with + - 0 zooms too;
 * - other keys go to h.key unless a text field has focus.
 * @param {HTMLElement} target
 * @param {Camera} camera
 * @param {Handlers} h
 */
export function attachInput(target, camera, h) {
  /** Screen positions of the pointers that are down, for panning and pinching. */
  const down = new Map();
  /** @type {'tool' | 'pan' | 'pinch' | null} */
  let gesture = null;
  let toolPointer = -1;
  let spaceHeld = false;
  let penSeen = false;
  let pensDown = 0;
  /** The world point under the fingers' midpoint and their distance when a pinch began. */
  let pinch = { wx: 0, wy: 0, dist: 1, zoom: 1 };

  /** @param {PointerEvent | MouseEvent} e @returns {PointerInfo} */
  const info = (e) => {
    const [x, y] = screenToWorld(camera, e.clientX, e.clientY);
    const pointerType = 'pointerType' in e ? e.pointerType : 'mouse';
    return {
      x,
      y,
      sx: e.clientX,
      sy: e.clientY,
      // Only pens report real pressure; a mouse always says 0.5 and would fake it.
      p: pointerType === 'pen' && 'pressure' in e ? e.pressure : undefined,
      shift: e.shiftKey,
      alt: e.altKey,
      mod: e.ctrlKey || e.metaKey,
      pointerType,
      button: e.button,
    };
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
    if (e.pointerType === 'pen') {
      penSeen = true;
      pensDown++;
      // The palm landed first: whatever it started gives way to the pen.
      if (gesture && down.size && [...down.keys()].every((id) => id !== e.pointerId)) {
        if (gesture === 'tool') h.cancel();
        down.clear();
        setGesture(null);
      }
    } else if (e.pointerType === 'touch' && pensDown > 0) {
      return;
    }
    down.set(e.pointerId, { x: e.clientX, y: e.clientY, type: e.pointerType });
    if (e.pointerType === 'touch' && down.size === 2) {
      // A second finger turns a gesture that just started into a pinch.
      if (gesture === 'tool') h.cancel();
      setGesture('pinch');
      startPinch();
      return;
    }
    if (gesture) return;
    target.setPointerCapture(e.pointerId);
    const fingerPans = e.pointerType === 'touch' && penSeen;
    if (e.button === 1 || (e.button === 0 && (spaceHeld || h.tool() === 'hand' || fingerPans))) {
      e.preventDefault();
      setGesture('pan');
    } else if (e.button === 0) {
      setGesture('tool');
      toolPointer = e.pointerId;
      h.down(info(e));
    }
  });

  target.addEventListener('pointermove', (e) => {
    const last = down.get(e.pointerId);
    if (gesture === 'pinch' && last) {
      last.x = e.clientX;
      last.y = e.clientY;
      const [a, b] = [...down.values()];
      if (!b) return;
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
    } else if (gesture === 'tool' && e.pointerId === toolPointer) {
      // Coalesced events hold the samples the browser merged into this one: without
      // them, fast strokes turn into polygons.
      const events = e.getCoalescedEvents?.() ?? [];
      h.move(info(e), (events.length ? events : [e]).map(info));
    } else if (!gesture && e.pointerType !== 'touch') {
      h.hover(info(e));
    }
    const [wx, wy] = screenToWorld(camera, e.clientX, e.clientY);
    h.pointer(wx, wy);
  });

  /** @param {PointerEvent} e */
  const end = (e) => {
    if (e.pointerType === 'pen') pensDown = Math.max(0, pensDown - 1);
    if (!down.delete(e.pointerId)) return;
    if (gesture === 'tool' && e.pointerId === toolPointer) {
      toolPointer = -1;
      setGesture(null);
      if (e.type === 'pointerup') h.up(info(e));
      else h.cancel();
    } else if (gesture === 'pinch') {
      // Lifting one finger of two ends the pinch; the other finger does not start a
      // gesture halfway through.
      if (down.size === 0) setGesture(null);
    } else if (gesture === 'pan' && down.size === 0) {
      setGesture(null);
    }
  };
  target.addEventListener('pointerup', end);
  target.addEventListener('pointercancel', end);
  target.addEventListener('lostpointercapture', (e) => {
    if (down.has(e.pointerId)) end(/** @type {PointerEvent} */ (new PointerEvent('pointercancel', e)));
  });
  target.addEventListener('dblclick', (e) => h.dblclick(info(e)));
  // The board has its own menu-less right click; the browser's would cover it.
  target.addEventListener('contextmenu', (e) => e.preventDefault());

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
      // A focused button would be clicked by Space; the board pans instead.
      e.preventDefault();
      spaceHeld = true;
      showHand();
    } else if ((e.ctrlKey || e.metaKey) && ['=', '+', '-', '0'].includes(e.key)) {
      // Zoom the board, not the page.
      e.preventDefault();
      const next = e.key === '0' ? 1 : camera.zoom * (e.key === '-' ? 1 / 1.2 : 1.2);
      zoomAt(camera, target.clientWidth / 2, target.clientHeight / 2, next);
      h.cameraChanged();
    } else if (h.key(e)) {
      e.preventDefault();
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
