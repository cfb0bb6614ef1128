import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCamera, screenToWorld, worldToScreen, zoomAt, panBy, visibleRect, MIN_ZOOM, MAX_ZOOM } from '../js/camera.js';
import { elementBounds, intersects } from '../js/geometry.js';

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
  assert.equal(elementBounds(stroke), elementBounds(stroke), 'cached per element');
  const rect = { id: 'r', type: 'rect', x: 0, y: 0, w: -20, h: 10, opacity: 1, z: 'a0' };
  assert.deepEqual(elementBounds(rect), { minX: -22, minY: -2, maxX: 2, maxY: 12 });
  const rotated = elementBounds({ id: 'q', type: 'rect', x: 0, y: 0, w: 100, h: 0, width: 0, angle: Math.PI / 2, opacity: 1, z: 'a0' });
  assert.ok(rotated.maxY - rotated.minY > 100 && rotated.maxX - rotated.minX < 5);
  const view = visibleRect({ x: 0, y: 0, zoom: 1 }, 90, 90);
  assert.equal(intersects(elementBounds(stroke), view), false);
  assert.equal(intersects(elementBounds(rect), view), true);
});
