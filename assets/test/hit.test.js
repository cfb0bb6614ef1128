import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hitElement, topHit, toLocal, toWorld, centre, frameBounds, unionBounds, within, rectFrom,
  segmentDistance, polylineDistance, sampleSegment, corners,
} from '../js/hit.js';

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);
const rect = (extra = {}) => ({ id: 'r', type: 'rect', x: 100, y: 100, w: 100, h: 50, stroke: '#1e1e1e', width: 2, z: 'a0', ...extra });

test('segment and polyline distances', () => {
  assert.equal(segmentDistance(5, 5, 0, 0, 10, 0), 5);
  assert.equal(segmentDistance(-3, 4, 0, 0, 10, 0), 5, 'beyond an end: distance to the end');
  assert.equal(segmentDistance(3, 4, 0, 0, 0, 0), 5, 'a zero-length segment is a point');
  assert.equal(polylineDistance([[0, 0], [10, 0], [10, 10]], 12, 5), 2);
  assert.equal(polylineDistance([[0, 0], [10, 0], [10, 10], [0, 10]], 0, 5, true), 0, 'closed: the last edge counts');
  assert.equal(polylineDistance([[0, 0], [10, 0], [10, 10], [0, 10]], -1, 5), Math.hypot(1, 5), 'open: it does not');
  assert.equal(polylineDistance([], 0, 0), Infinity);
});

test('toLocal and toWorld are inverses, about the centre', () => {
  const el = rect({ angle: Math.PI / 2 });
  assert.deepEqual(centre(el), [150, 125]);
  const [lx, ly] = toLocal(el, 150, 125);
  close(lx, 50);
  close(ly, 25);
  for (const [x, y] of [[0, 0], [37, -12], [250, 90]]) {
    const [wx, wy] = toWorld(el, ...toLocal(el, x, y));
    close(wx, x, 1e-9);
    close(wy, y, 1e-9);
  }
  // A quarter turn: the local top-left corner is now at the top right.
  const [cx, cy] = toWorld(el, 0, 0);
  close(cx, 175);
  close(cy, 75);
});

test('unfilled shapes hit on their outline, filled ones inside too', () => {
  const el = rect();
  assert.ok(hitElement(el, 100, 120, 2), 'on the left edge');
  assert.ok(hitElement(el, 97, 120, 2), 'within the tolerance');
  assert.ok(!hitElement(el, 150, 125, 2), 'the middle of an unfilled rectangle');
  assert.ok(hitElement(rect({ fill: '#ffc9c9' }), 150, 125, 2), 'the middle of a filled one');
  assert.ok(!hitElement(rect({ fill: '#ffc9c9', fillStyle: 'none' }), 150, 125, 2), 'a colour with fill style none is unfilled');
  assert.ok(!hitElement(el, 90, 120, 2));
});

test('rotated rectangles hit where they are drawn', () => {
  const el = rect({ angle: Math.PI / 4 });
  // The top-left corner, turned 45° about the centre (150, 125).
  const [x, y] = toWorld(el, 0, 0);
  assert.ok(hitElement(el, x, y, 1));
  assert.ok(!hitElement(el, 100, 100, 1), 'the unrotated corner is empty now');
  const filled = rect({ angle: Math.PI / 4, fill: '#000000' });
  assert.ok(hitElement(filled, 150, 125, 0));
  assert.ok(!hitElement(filled, 105, 145, 0), 'inside the unrotated box, outside the turned one');
});

test('ellipses and diamonds by their true outline', () => {
  const e = { id: 'e', type: 'ellipse', x: 0, y: 0, w: 200, h: 100, stroke: '#000000', width: 2 };
  assert.ok(hitElement(e, 200, 50, 1), 'right end');
  assert.ok(hitElement(e, 100, 0, 1), 'top');
  assert.ok(!hitElement(e, 5, 5, 1), 'a corner of the box is not the ellipse');
  assert.ok(!hitElement(e, 100, 50, 1), 'unfilled: the middle is empty');
  assert.ok(hitElement({ ...e, fill: '#ff0000' }, 100, 50, 0));
  assert.ok(!hitElement({ ...e, fill: '#ff0000' }, 8, 8, 0));
  const d = { id: 'd', type: 'diamond', x: 0, y: 0, w: 100, h: 100, stroke: '#000000', width: 2 };
  assert.ok(hitElement(d, 25, 25, 1), 'on an edge');
  assert.ok(!hitElement(d, 3, 3, 1), 'box corner');
  assert.ok(hitElement({ ...d, fill: '#ff0000' }, 50, 50, 0));
});

test('strokes, lines and arrows by distance to the polyline plus half their width', () => {
  const s = { id: 's', type: 'stroke', x: 10, y: 10, points: [[0, 0], [100, 0], [100, 100]], stroke: '#000000', width: 10 };
  assert.ok(hitElement(s, 60, 14, 0), 'inside half the width');
  assert.ok(!hitElement(s, 60, 17, 0));
  assert.ok(hitElement(s, 60, 17, 2));
  assert.ok(!hitElement(s, 40, 60, 5), 'the inside of the corner is empty');
  const line = { id: 'l', type: 'line', x: 0, y: 0, w: 100, h: 100, stroke: '#000000', width: 2 };
  assert.ok(hitElement(line, 50, 50, 0), 'a line with no points runs from (0, 0) to (w, h)');
  const rotated = { ...s, angle: Math.PI };
  const [x, y] = toWorld(rotated, 50, 0);
  assert.ok(hitElement(rotated, x, y, 0));
  const dot = { id: 'p', type: 'stroke', x: 5, y: 5, points: [[0, 0]], stroke: '#000000', width: 4 };
  assert.ok(hitElement(dot, 6, 6, 0));
});

test('text, notes and images hit anywhere inside their box', () => {
  for (const type of ['text', 'note', 'image']) {
    const el = { id: type, type, x: 0, y: 0, w: 80, h: 40, text: 'hi' };
    assert.ok(hitElement(el, 40, 20, 0), type);
    assert.ok(!hitElement(el, 120, 20, 0), type);
  }
});

test('topHit finds the topmost element that passes the filter', () => {
  const a = rect({ id: 'a', fill: '#ff0000' });
  const b = rect({ id: 'b', fill: '#00ff00', locked: true });
  assert.equal(topHit([a, b], 150, 125, 1)?.id, 'b');
  assert.equal(topHit([a, b], 150, 125, 1, (el) => !el.locked)?.id, 'a');
  assert.equal(topHit([a, b], 0, 0, 1), undefined);
});

test('frameBounds of rotated boxes and linear elements; within and unionBounds', () => {
  const el = rect({ angle: Math.PI / 2 });
  const b = frameBounds(el);
  close(b.minX, 125);
  close(b.maxX, 175);
  close(b.minY, 75);
  close(b.maxY, 175);
  const line = { id: 'l', type: 'arrow', x: 10, y: 10, points: [[0, 0], [30, -20]], width: 2 };
  assert.deepEqual(frameBounds(line), { minX: 10, minY: -10, maxX: 40, maxY: 10 });
  assert.deepEqual(unionBounds([rect(), line]), { minX: 10, minY: -10, maxX: 200, maxY: 150 });
  assert.equal(unionBounds([]), null);
  assert.ok(within(rect(), rectFrom(200, 150, 99, 99)));
  assert.ok(!within(rect(), rectFrom(110, 99, 200, 150)), 'partly inside is not within');
  assert.equal(corners(rect()).length, 4);
});

test('sampleSegment spaces points at most step apart, ends included', () => {
  const s = sampleSegment([0, 0], [10, 0], 3);
  assert.deepEqual(s[0], [0, 0]);
  assert.deepEqual(s.at(-1), [10, 0]);
  for (let i = 1; i < s.length; i++) assert.ok(s[i][0] - s[i - 1][0] <= 3);
  assert.deepEqual(sampleSegment([1, 1], [1, 1], 3), [[1, 1], [1, 1]]);
});
