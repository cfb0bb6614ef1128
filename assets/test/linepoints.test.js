import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanPoints, movePoint, insertPoint, removePoint, pointFields, editHandles } from '../js/linepoints.js';
import { absolutePoints } from '../js/arrows.js';
import { cubicAt, curveSegments } from '../js/curve.js';

const line = (points, extra = {}) => ({ id: 'l', type: 'line', x: 100, y: 50, points, stroke: '#1e1e1e', z: 'a0', ...extra });

test('cleanPoints drops clicks on the spot of the one before', () => {
  assert.deepEqual(cleanPoints([[0, 0], [0.5, 0], [10, 0], [10, 0.2], [20, 5]], 1), [[0, 0], [10, 0], [20, 5]]);
  assert.deepEqual(cleanPoints([[3, 3], [3, 3]], 1), [[3, 3]], 'a double click alone is one point: no line');
  assert.deepEqual(cleanPoints([], 1), []);
});

test('insert, move and remove points, never below two', () => {
  const pts = [[0, 0], [10, 0], [20, 10]];
  assert.deepEqual(insertPoint(pts, 1, [5, 5]), [[0, 0], [5, 5], [10, 0], [20, 10]]);
  assert.deepEqual(insertPoint(pts, 3, [30, 0]).at(-1), [30, 0], 'at the end');
  assert.deepEqual(insertPoint(pts, 0, [-1, 0])[0], [-1, 0], 'at the start');
  assert.deepEqual(movePoint(pts, 2, [7, 7]), [[0, 0], [10, 0], [7, 7]]);
  assert.deepEqual(removePoint(pts, 1), [[0, 0], [20, 10]]);
  assert.deepEqual(removePoint(pts, 0), [[10, 0], [20, 10]]);
  assert.equal(removePoint([[0, 0], [1, 1]], 0), null, 'a line keeps its two ends');
  assert.equal(removePoint(pts, 5), null);
  assert.deepEqual(pts, [[0, 0], [10, 0], [20, 10]], 'the input is not changed');
});

test('pointFields gives the element fields for absolute points, straightening a turn', () => {
  const f = pointFields([[110, 60], [150, 40], [200, 90]]);
  assert.deepEqual(f, { x: 110, y: 40, w: 90, h: 50, points: [[0, 20], [40, 0], [90, 50]], angle: 0 });
  const turned = line([[0, 0], [100, 0]], { angle: Math.PI / 2 });
  const back = absolutePoints({ ...turned, ...pointFields(absolutePoints(turned)) });
  assert.deepEqual(back.map((p) => p.map((v) => Math.round(v))), absolutePoints(turned).map((p) => p.map((v) => Math.round(v))));
});

test('editHandles: a handle on every point, one in each long enough part', () => {
  const el = line([[0, 0], [100, 0], [102, 0], [102, 80]]);
  const h = editHandles(el, 10);
  assert.deepEqual(h.points, [[100, 50], [200, 50], [202, 50], [202, 130]]);
  assert.deepEqual(h.mids, [{ index: 0, at: [150, 50] }, { index: 2, at: [202, 90] }], 'the 2-unit part has none');
  // On a round line the middle handles sit on the curve.
  const round = { ...el, curve: 'round', points: [[0, 0], [100, 100], [200, 0]] };
  const m = editHandles(round, 10).mids[0].at;
  const want = cubicAt(curveSegments(round.points)[0], 0.5);
  assert.deepEqual(m, [want[0] + 100, want[1] + 50]);
});
