import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moved, resizeOne, resizeMany, rotateMany, normalizeAngle, pointerAngle, handlePositions, handleCursor, scaled, snap } from '../js/transform.js';
import { toWorld, frameBounds } from '../js/hit.js';

const close = (a, b, eps = 0.011) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);
const rect = (extra = {}) => ({ id: 'r', type: 'rect', x: 100, y: 100, w: 100, h: 50, z: 'a0', ...extra });

test('moved', () => {
  assert.deepEqual(moved(rect(), 10.123, -5), { x: 110.12, y: 95 });
  assert.deepEqual(moved({ id: 'a', type: 'rect' }, 1, 2), { x: 1, y: 2 });
});

test('normalizeAngle stays in (-π, π]', () => {
  close(normalizeAngle(3 * Math.PI), Math.PI, 1e-9);
  close(normalizeAngle(-3 * Math.PI / 2), Math.PI / 2, 1e-9);
  assert.equal(normalizeAngle(2 * Math.PI), 0);
  for (let a = -20; a < 20; a += 0.7) assert.ok(Math.abs(normalizeAngle(a)) <= Math.PI + 1e-12);
});

test('resizeOne: a corner handle moves that corner, the opposite one stays', () => {
  assert.deepEqual(resizeOne(rect(), 'se', [250, 200]), { x: 100, y: 100, w: 150, h: 100 });
  assert.deepEqual(resizeOne(rect(), 'nw', [50, 50]), { x: 50, y: 50, w: 150, h: 100 });
  assert.deepEqual(resizeOne(rect(), 'e', [300, 999]), { x: 100, y: 100, w: 200, h: 50 }, 'an edge handle changes one side');
  assert.deepEqual(resizeOne(rect(), 'n', [0, 0]), { x: 100, y: 0, w: 100, h: 150 });
});

test('resizeOne: dragging past the anchor flips to the other side', () => {
  assert.deepEqual(resizeOne(rect(), 'e', [60, 0]), { x: 60, y: 100, w: 40, h: 50 });
});

test('resizeOne: Shift keeps the ratio, Alt resizes about the centre', () => {
  assert.deepEqual(resizeOne(rect(), 'se', [400, 160], { keepRatio: true }), { x: 100, y: 100, w: 300, h: 150 });
  assert.deepEqual(resizeOne(rect(), 'e', [250, 0], { fromCentre: true }), { x: 50, y: 100, w: 200, h: 50 });
});

test('resizeOne: images keep their ratio unless Shift is held', () => {
  const img = rect({ type: 'image', src: 'sha256:x' });
  assert.deepEqual(resizeOne(img, 'se', [400, 160]), { x: 100, y: 100, w: 300, h: 150 });
  assert.deepEqual(resizeOne(img, 'se', [400, 160], { keepRatio: true }), { x: 100, y: 100, w: 300, h: 60 });
});

test('resizeOne: text scales its font size with its height', () => {
  const t = { id: 't', type: 'text', x: 0, y: 0, w: 100, h: 25, size: 20, text: 'hi' };
  const out = resizeOne(t, 'se', [200, 50]);
  assert.equal(out.size, 40);
  assert.equal(out.w, 200);
});

test('resizeOne on a rotated element keeps the anchor corner fixed in world space', () => {
  const el = rect({ angle: Math.PI / 6 });
  const anchor = toWorld(el, 0, 0); // the local top-left, opposite the se handle
  const p = toWorld(el, 180, 90); // drag the se corner out along the element's own axes
  const out = { ...el, ...resizeOne(el, 'se', p) };
  close(out.w, 180);
  close(out.h, 90);
  const after = toWorld(out, 0, 0);
  close(after[0], anchor[0]);
  close(after[1], anchor[1]);
  assert.equal(out.angle, Math.PI / 6, 'the angle is unchanged');
});

test('resizeOne scales points of strokes and arrows and keeps pressure', () => {
  const s = { id: 's', type: 'stroke', x: 0, y: 0, w: 10, h: 10, points: [[0, 0, 0.5], [10, 10, 0.7]], width: 3 };
  const out = resizeOne(s, 'se', [20, 30]);
  assert.deepEqual(out.points, [[0, 0, 0.5], [20, 30, 0.7]]);
  assert.equal(out.width, undefined, 'line widths stay');
  const flat = { id: 'l', type: 'line', x: 0, y: 0, points: [[0, 0], [100, 0]] };
  assert.deepEqual(resizeOne(flat, 'e', [50, 0]).points, [[0, 0], [50, 0]], 'a flat line resizes along its length');
  const mirror = resizeOne(s, 'e', [-10, 0]);
  assert.deepEqual(mirror.points.map((p) => p[0]), [10, 0], 'dragging past the anchor mirrors the points');
  assert.equal(mirror.x, -10);
});

test('resizeMany scales positions and sizes about the anchor', () => {
  const a = rect({ id: 'a', x: 0, y: 0, w: 100, h: 100 });
  const b = rect({ id: 'b', x: 200, y: 0, w: 100, h: 100 });
  const out = resizeMany([a, b], 'se', [600, 200]);
  assert.deepEqual(out.get('a'), { x: 0, y: 0, w: 200, h: 200 });
  assert.deepEqual(out.get('b'), { x: 400, y: 0, w: 200, h: 200 });
  const sides = resizeMany([a, b], 'e', [150, 0]);
  assert.deepEqual(sides.get('b'), { x: 100, y: 0, w: 50, h: 100 });
  const ratio = resizeMany([a, b], 'se', [600, 150], { keepRatio: true });
  assert.deepEqual(ratio.get('b'), { x: 400, y: 0, w: 200, h: 200 });
});

test('resizeMany with a rotated element scales proportionally', () => {
  const a = rect({ id: 'a', x: 0, y: 0, w: 100, h: 100, angle: 0.3 });
  const b = rect({ id: 'b', x: 200, y: 0, w: 100, h: 100 });
  const out = resizeMany([a, b], 'e', [600, 0]);
  const box = frameBounds({ ...b, ...out.get('b') });
  close(box.maxY - box.minY, (box.maxX - box.minX));
});

test('rotateMany turns centres about the pivot and adds to each angle', () => {
  const a = rect({ id: 'a', x: 0, y: 0, w: 100, h: 100 });
  const out = rotateMany([a], [150, 50], Math.PI / 2);
  assert.deepEqual(out.get('a'), { x: 100, y: -100, angle: Math.PI / 2 });
  const twice = rotateMany([{ ...a, angle: 3 }], [50, 50], 1).get('a');
  close(twice.angle, normalizeAngle(4), 1e-9);
});

test('pointerAngle measures from straight up and snaps to 15°', () => {
  close(pointerAngle([0, 0], [0, -10], false), 0, 1e-9);
  close(pointerAngle([0, 0], [10, 0], false), Math.PI / 2, 1e-9);
  close(pointerAngle([0, 0], [10, -9], true), Math.PI / 4, 1e-9);
});

test('handlePositions and handleCursor', () => {
  const h = handlePositions({ minX: 0, minY: 0, maxX: 100, maxY: 50 }, 0, 20);
  assert.deepEqual(h.handles.se, [100, 50]);
  assert.deepEqual(h.handles.n, [50, 0]);
  assert.deepEqual(h.rotate, [50, -20]);
  const turned = handlePositions({ minX: 0, minY: 0, maxX: 100, maxY: 50 }, Math.PI, 20);
  close(turned.handles.se[0], 0, 1e-9);
  close(turned.handles.se[1], 0, 1e-9);
  assert.equal(handleCursor('e', 0), 'ew-resize');
  assert.equal(handleCursor('se', 0), 'nwse-resize');
  assert.equal(handleCursor('e', Math.PI / 2), 'ns-resize');
});

test('scaled keeps a minimum size, snap rounds to the grid', () => {
  const out = scaled(rect(), 0, 0, [0, 0]);
  assert.equal(out.w, 1);
  assert.equal(out.h, 1);
  assert.equal(snap(27, 20), 20);
  assert.equal(snap(31, 20), 40);
});
