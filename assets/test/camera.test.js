import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCamera, screenToWorld, worldToScreen, zoomAt, panBy, visibleRect, centredOn, fitRect, glide, MIN_ZOOM, MAX_ZOOM } from '../js/camera.js';
import { elementBounds, intersects, localBox } from '../js/geometry.js';

test('screen and world round-trip', () => {
  const cam = { x: 100, y: -50, zoom: 2 };
  assert.deepEqual(screenToWorld(cam, 20, 40), [110, -30]);
  assert.deepEqual(worldToScreen(cam, 110, -30), [20, 40]);
});

test('zoomAt keeps the point under the pointer and clamps to 10%-3000%', () => {
  const cam = createCamera();
  const before = screenToWorld(cam, 300, 200);
  zoomAt(cam, 300, 200, 2.5);
  assert.deepEqual(screenToWorld(cam, 300, 200), before);
  zoomAt(cam, 0, 0, 1000);
  assert.equal(cam.zoom, MAX_ZOOM);
  zoomAt(cam, 0, 0, 0.0001);
  assert.equal(cam.zoom, MIN_ZOOM);
});

test('panBy moves by screen pixels', () => {
  const cam = { x: 0, y: 0, zoom: 2 };
  panBy(cam, 10, -20);
  assert.deepEqual(cam, { x: 5, y: -10, zoom: 2 });
  assert.deepEqual(visibleRect(cam, 200, 100), { minX: 5, minY: -10, maxX: 105, maxY: 40 });
});

test('elementBounds covers strokes, shapes, rotation; culling uses it', () => {
  const stroke = { id: 's', type: 'stroke', x: 100, y: 100, points: [[0, 0], [50, 20]], width: 4, opacity: 1, z: 'a0' };
  assert.deepEqual(elementBounds(stroke), { minX: 95, minY: 95, maxX: 155, maxY: 125 });
  // A moved stroke is a new object with the same points: its box is found by them.
  const moved = { ...stroke, x: 130, y: 90 };
  assert.equal(localBox(moved), localBox(stroke), 'a box from points is cached by the points');
  assert.deepEqual(elementBounds(moved), { minX: 125, minY: 85, maxX: 185, maxY: 115 });
  const rect = { id: 'r', type: 'rect', x: 0, y: 0, w: -20, h: 10, opacity: 1, z: 'a0' };
  assert.deepEqual(elementBounds(rect), { minX: -22, minY: -2, maxX: 2, maxY: 12 });
  const rotated = elementBounds({ id: 'q', type: 'rect', x: 0, y: 0, w: 100, h: 0, width: 0, angle: Math.PI / 2, opacity: 1, z: 'a0' });
  assert.ok(rotated.maxY - rotated.minY > 100 && rotated.maxX - rotated.minX < 5);
  const view = visibleRect({ x: 0, y: 0, zoom: 1 }, 90, 90);
  assert.equal(intersects(elementBounds(stroke), view), false);
  assert.equal(intersects(elementBounds(rect), view), true);
});

test('centredOn puts the point in the middle of the screen', () => {
  const cam = { x: 0, y: 0, zoom: 2 };
  Object.assign(cam, centredOn(cam, 500, 300, 800, 600));
  assert.equal(cam.zoom, 2);
  assert.deepEqual(worldToScreen(cam, 500, 300), [400, 300]);
});

test('fitRect shows all of a rectangle, centred, within the zoom limits', () => {
  // Someone's 1280×720 view on an 800×600 screen: the width decides the zoom.
  const cam = fitRect({ x: 100, y: 50, w: 1280, h: 720 }, 800, 600);
  assert.equal(cam.zoom, 800 / 1280);
  assert.deepEqual(worldToScreen(cam, 100 + 640, 50 + 360), [400, 300]);
  const [left] = worldToScreen(cam, 100, 0);
  assert.equal(left, 0);
  assert.equal(fitRect({ x: 0, y: 0, w: 1, h: 1 }, 800, 600).zoom, MAX_ZOOM);
  assert.equal(fitRect({ x: 0, y: 0, w: 1e7, h: 1e7 }, 800, 600).zoom, MIN_ZOOM);
});

test('glide eases toward the target, independent of frame rate, and snaps at the end', () => {
  const at60 = { x: 0, y: 0, zoom: 1 };
  const at30 = { x: 0, y: 0, zoom: 1 };
  const to = { x: 1000, y: -500, zoom: 2 };
  for (let i = 0; i < 6; i++) glide(at60, to, 800, 600, 1000 / 60);
  for (let i = 0; i < 3; i++) glide(at30, to, 800, 600, 1000 / 30);
  for (const k of ['x', 'y', 'zoom']) assert.ok(Math.abs(at60[k] - at30[k]) < 1e-9, `${k}: ${at60[k]} ${at30[k]}`);
  assert.ok(at60.zoom > 1 && at60.zoom < 2, `zoom ${at60.zoom}`);
  let frames = 0;
  while (!glide(at60, to, 800, 600, 16)) frames++;
  assert.deepEqual(at60, to);
  assert.ok(frames < 60, `${frames} frames to arrive`);
  assert.equal(glide(at60, to, 800, 600, 16), true, 'already there');
});

test('glide jumps to a target far off screen', () => {
  const cam = { x: 0, y: 0, zoom: 2 };
  assert.equal(glide(cam, { x: 1000, y: 1000, zoom: 2 }, 800, 600, 16, { jump: 2000 }), true);
  assert.deepEqual(cam, { x: 1000, y: 1000, zoom: 2 });
  assert.equal(glide(cam, { x: 1500, y: 1000, zoom: 2 }, 800, 600, 16, { jump: 2000 }), false, '1000 screen pixels away: glides');
});
