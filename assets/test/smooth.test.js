import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bounds, hasPressure, smoothPoints, simplify, toRelative, splitPoints, pathData, outline, pressureRadius } from '../js/smooth.js';

test('bounds', () => {
  assert.equal(bounds([]), null);
  assert.deepEqual(bounds([[3, 4], [-1, 10, 0.5], [2, -2]]), { minX: -1, minY: -2, maxX: 3, maxY: 10 });
});

test('hasPressure', () => {
  assert.equal(hasPressure([[0, 0], [1, 1]]), false);
  assert.equal(hasPressure([[0, 0, 0.2]]), true);
});

test('smoothPoints keeps the ends and pulls jitter in', () => {
  const zigzag = [[0, 0], [1, 1], [2, -1], [3, 1], [4, 0]];
  const s = smoothPoints(zigzag, 0.5);
  assert.deepEqual(s[0], [0, 0]);
  assert.deepEqual(s.at(-1), [4, 0]);
  const spread = (pts) => Math.max(...pts.map((p) => Math.abs(p[1])));
  assert.ok(spread(s.slice(1, -1)) < spread(zigzag.slice(1, -1)));
  assert.deepEqual(smoothPoints([[0, 0, 0.3], [1, 0, 0.4], [2, 0, 0.5]]).map((p) => p[2]), [0.3, 0.4, 0.5], 'pressure is kept');
});

test('simplify drops collinear points and keeps corners', () => {
  const line = Array.from({ length: 100 }, (_, i) => [i, 0]);
  assert.deepEqual(simplify(line, 0.5), [[0, 0], [99, 0]]);
  const corner = [...Array.from({ length: 50 }, (_, i) => [i, 0]), ...Array.from({ length: 50 }, (_, i) => [49, i + 1])];
  assert.deepEqual(simplify(corner, 0.5), [[0, 0], [49, 0], [49, 50]]);
  assert.deepEqual(simplify([[1, 2]], 1), [[1, 2]]);
});

test('simplify handles a 10,000-point stroke', () => {
  const wave = Array.from({ length: 10000 }, (_, i) => [i / 10, Math.sin(i / 50) * 20]);
  const s = simplify(wave, 0.25);
  assert.ok(s.length > 10 && s.length < 1000, `${s.length} points`);
  for (const p of wave.filter((_, i) => i % 97 === 0)) {
    const near = s.some((q, i) => i > 0 && distToSeg(p, s[i - 1], q) <= 0.25 + 1e-9);
    assert.ok(near, `point ${p} within tolerance`);
  }
});

function distToSeg(p, a, b) {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
}

test('toRelative: x, y, w, h from bounds, points relative and rounded', () => {
  const r = toRelative([[100.123, 50.5], [110.456, 40.25, 0.51234], [105, 60, 1.7]]);
  assert.deepEqual(r, {
    x: 100.12,
    y: 40.25,
    w: 10.33,
    h: 19.75,
    points: [[0, 10.25], [10.34, 0, 0.512], [4.88, 19.75, 1]],
  });
  assert.deepEqual(toRelative([[5, 5]]), { x: 5, y: 5, w: 0, h: 0, points: [[0, 0]] });
  assert.throws(() => toRelative([]));
});

test('splitPoints makes joined pieces within the limit', () => {
  const pts = Array.from({ length: 25 }, (_, i) => [i, 0]);
  assert.deepEqual(splitPoints(pts, 30), [pts]);
  const pieces = splitPoints(pts, 10);
  assert.ok(pieces.every((p) => p.length <= 10 && p.length >= 2));
  for (let i = 1; i < pieces.length; i++) assert.deepEqual(pieces[i][0], pieces[i - 1].at(-1));
  assert.deepEqual(pieces.at(-1).at(-1), [24, 0]);
});

test('pathData', () => {
  assert.equal(pathData([]), '');
  assert.equal(pathData([[1, 2], [3, 4]]), 'M1 2L3 4');
  assert.equal(pathData([[0, 0], [10, 0], [10, 10], [20, 10]]), 'M0 0L5 0Q10 0 10 5Q10 10 15 10L20 10');
  assert.match(pathData([[0, 0], [10, 0], [10, 10]], true), /^M5 0Q10 0 10 5Q10 10 5 5Q0 0 5 0Z$/);
});

test('outline follows pressure and has round caps', () => {
  const o = outline([[0, 0, 0.5], [10, 0, 0.5], [20, 0, 0.5]], 10);
  const b = bounds(o);
  const r = pressureRadius(10, 0.5);
  assert.equal(r, 5, 'half pressure draws the nominal width');
  assert.deepEqual([b.minX, b.maxX, b.minY, b.maxY].map((v) => Math.round(v * 1000) / 1000), [-5, 25, -5, 5]);
  const light = bounds(outline([[0, 0, 0.1], [10, 0, 0.1]], 10));
  assert.ok(light.maxY < 5);
  const dot = outline([[3, 3], [3, 3]], 4);
  assert.equal(dot.length, 12, 'a tap is a circle');
  assert.ok(dot.every(([x, y]) => Math.abs(Math.hypot(x - 3, y - 3) - 2) < 1e-9));
});
