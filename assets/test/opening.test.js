import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openingCamera, worldToScreen } from '../js/camera.js';

const near = (a, b) => Math.abs(a - b) < 1e-9;

test('an empty board opens at the origin at 100%', () => {
  assert.deepEqual(openingCamera(null, 1280, 800), { x: 0, y: 0, zoom: 1 });
});

test('small content opens at 100%, centred in the free area', () => {
  const b = { minX: 1000, minY: 2000, maxX: 1100, maxY: 2050 };
  const cam = openingCamera(b, 1280, 800, { top: 72, right: 64, bottom: 72, left: 64 });
  assert.equal(cam.zoom, 1);
  const [sx, sy] = worldToScreen(cam, 1050, 2025);
  assert.ok(near(sx, 640) && near(sy, 400), `centre on screen at ${sx},${sy}`);
});

test('large content is zoomed out until it fits inside the margins', () => {
  const b = { minX: -500, minY: -100, maxX: 2500, maxY: 900 };
  const insets = { top: 120, right: 16, bottom: 200, left: 16 };
  const cam = openingCamera(b, 390, 844, insets);
  assert.ok(cam.zoom < 1);
  const [x0, y0] = worldToScreen(cam, b.minX, b.minY);
  const [x1, y1] = worldToScreen(cam, b.maxX, b.maxY);
  assert.ok(x0 >= 16 - 1e-9 && x1 <= 390 - 16 + 1e-9, `x from ${x0} to ${x1}`);
  assert.ok(y0 >= 120 - 1e-9 && y1 <= 844 - 200 + 1e-9, `y from ${y0} to ${y1}`);
  // The limiting side touches its margins.
  assert.ok(near(x0, 16) && near(x1, 374));
});

test('a single point (zero size) opens at 100%', () => {
  const cam = openingCamera({ minX: 5, minY: 5, maxX: 5, maxY: 5 }, 800, 600, { top: 0, right: 0, bottom: 0, left: 0 });
  assert.equal(cam.zoom, 1);
  const [sx, sy] = worldToScreen(cam, 5.5, 5.5);
  assert.ok(near(sx, 400) && near(sy, 300));
});

test('huge content stops at the smallest zoom', () => {
  const cam = openingCamera({ minX: 0, minY: 0, maxX: 1e7, maxY: 10 }, 1280, 800);
  assert.equal(cam.zoom, 0.1);
});
