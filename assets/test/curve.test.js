import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curveSegments, cubicAt, curveBounds, flattenCurve, headDirections, spanMidpoint, isCurved, distinctPoints } from '../js/curve.js';
import { hitElement, frameBounds, polylineDistance, segmentDistance } from '../js/hit.js';
import { localBox, elementBounds } from '../js/geometry.js';
import { styleFields, DEFAULT_STYLE } from '../js/shapes.js';
import { styleOps, styleValue, commonValue, propsFor } from '../js/style.js';
import { checkElement } from '../js/elements.js';
import { scaled } from '../js/transform.js';

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);
const arrow = (points, extra = {}) => ({ id: 'a', type: 'arrow', x: 0, y: 0, points, stroke: '#1e1e1e', width: 2, z: 'a0', curve: 'round', ...extra });

/** The curve sampled densely, for checks against its spans. */
const sample = (points, n = 400) => curveSegments(points).flatMap((c) => Array.from({ length: n + 1 }, (_, i) => cubicAt(c, i / n)));

test('the curve passes through every point, one span between each two', () => {
  const pts = [[0, 0], [40, 90], [41, 95], [200, 10], [120, -60]];
  const segs = curveSegments(pts);
  assert.equal(segs.length, pts.length - 1);
  segs.forEach((c, i) => {
    assert.deepEqual(cubicAt(c, 0), pts[i]);
    close(cubicAt(c, 1)[0], pts[i + 1][0]);
    close(cubicAt(c, 1)[1], pts[i + 1][1]);
  });
  // Smooth at every inner point: the control points on either side line up through it.
  for (let i = 1; i < segs.length; i++) {
    const [a, p, b] = [segs[i - 1][2], segs[i][0], segs[i][1]];
    const cross = (p[0] - a[0]) * (b[1] - p[1]) - (p[1] - a[1]) * (b[0] - p[0]);
    close(cross / (Math.hypot(p[0] - a[0], p[1] - a[1]) * Math.hypot(b[0] - p[0], b[1] - p[1])), 0, 1e-9);
  }
  // Repeated points are stepped over, not turned into a kink or NaN.
  const dup = curveSegments([[0, 0], [50, 50], [50, 50], [100, 0]]);
  assert.equal(dup.length, 2);
  assert.ok(dup.flat(2).every(Number.isFinite));
});

test('a two-point curve is the straight line', () => {
  const [a, b] = [[10, 20], [110, 70]];
  const segs = curveSegments([a, b]);
  assert.equal(segs.length, 1);
  for (let i = 0; i <= 20; i++) {
    const p = cubicAt(segs[0], i / 20);
    close(segmentDistance(p[0], p[1], a[0], a[1], b[0], b[1]), 0, 1e-9);
  }
  assert.equal(isCurved(arrow([a, b])), false, 'two points draw as a line');
  assert.equal(isCurved(arrow([a, b, b])), false, 'a repeated point adds nothing');
  assert.equal(isCurved(arrow([a, [50, 0], b])), true);
  assert.equal(isCurved(arrow([a, [50, 0], b], { curve: '' })), false);
  assert.equal(isCurved(arrow([a, [50, 0], b], { type: 'stroke' })), false);
  assert.deepEqual(distinctPoints([[1, 2], [1, 2, 0.5], [3, 4]]), [[1, 2], [3, 4]]);
});

test('curveBounds is the exact box of the curve, swings included', () => {
  const pts = [[0, 0], [100, 100], [200, 100]];
  const b = curveBounds(pts);
  const s = sample(pts, 2000);
  close(b.minX, Math.min(...s.map((p) => p[0])), 1e-6);
  close(b.maxX, Math.max(...s.map((p) => p[0])), 1e-6);
  close(b.minY, Math.min(...s.map((p) => p[1])), 1e-6);
  close(b.maxY, Math.max(...s.map((p) => p[1])), 1e-3);
  assert.ok(b.maxY > 101, `the curve swings below its last point: ${b.maxY}`);
  // The element's box follows: selection frames and culling hold the whole curve.
  const el = arrow(pts, { x: 10, y: 20 });
  assert.deepEqual(localBox(el), b);
  assert.ok(frameBounds(el).maxY > 121);
  assert.ok(elementBounds(el).maxY > 121 + 12);
  assert.equal(localBox({ ...el, curve: 'sharp' }).maxY, 100);
});

test('hitting a round line follows its curve, not its straight segments', () => {
  const pts = [[0, 0], [100, 100], [200, 0]];
  const el = arrow(pts);
  const s = sample(pts);
  // Every sampled point of the curve hits with no slack beyond the stroke.
  for (const p of s.filter((_, i) => i % 37 === 0)) assert.ok(hitElement(el, p[0], p[1], 0), `curve point ${p}`);
  // The middle of the first straight segment is well off the curve: a miss.
  const off = [50, 50];
  assert.ok(polylineDistance(s, off[0], off[1]) > 7, 'the test point really is off the curve');
  assert.equal(hitElement(el, off[0], off[1], 4), false);
  assert.equal(hitElement({ ...el, curve: 'sharp' }, off[0], off[1], 2), true, 'the sharp line goes through it');
  // Where the curve bulges past the straight segment, the curve hits and the line not.
  const bulge = cubicAt(curveSegments(pts)[0], 0.5);
  assert.equal(hitElement(el, bulge[0], bulge[1], 1), true);
  assert.equal(hitElement({ ...el, curve: '' }, bulge[0], bulge[1], 1), false);
  // The flattened curve stays within a fraction of a unit of the true one.
  for (const p of s.filter((_, i) => i % 11 === 0)) assert.ok(polylineDistance(flattenCurve(pts), p[0], p[1]) < 0.2);
});

test('arrowheads aim along the end tangents of a curve, the end segments of a polyline', () => {
  const pts = [[0, 0], [100, 100], [200, 0]];
  const segs = curveSegments(pts);
  const { startFrom, endFrom } = headDirections(pts, true);
  assert.deepEqual(startFrom, segs[0][1]);
  assert.deepEqual(endFrom, segs[1][2]);
  // The tangent at the end is the curve's direction there.
  const near = cubicAt(segs[1], 0.999);
  const a1 = Math.atan2(0 - endFrom[1], 200 - endFrom[0]);
  const a2 = Math.atan2(0 - near[1], 200 - near[0]);
  close(a1, a2, 1e-2);
  assert.deepEqual(headDirections(pts, false), { startFrom: [100, 100], endFrom: [100, 100] });
  assert.deepEqual(headDirections([[0, 0], [5, 5], [9, 9], [9, 9]], false).endFrom, [5, 5], 'a repeated end point is skipped');
});

test('span midpoints sit on the curve for round lines, halfway for straight ones', () => {
  const pts = [[0, 0], [100, 100], [100, 100], [200, 0]];
  assert.deepEqual(spanMidpoint(pts, 0, false), [50, 50]);
  const m = spanMidpoint(pts, 2, true);
  assert.deepEqual(m, cubicAt(curveSegments(pts)[1], 0.5));
  assert.ok(polylineDistance(sample(pts), m[0], m[1]) < 1e-6);
});

test('curve is a style of lines and arrows: panel, new elements, patches, pastes', () => {
  assert.deepEqual(propsFor(['arrow']).includes('curve'), true);
  assert.deepEqual(propsFor(['rect']).includes('curve'), false);
  assert.equal(styleFields('arrow', { ...DEFAULT_STYLE, curve: 'round' }).curve, 'round');
  assert.equal('curve' in styleFields('line', DEFAULT_STYLE), false, 'sharp is the default: not sent');
  assert.equal('curve' in styleFields('rect', { ...DEFAULT_STYLE, curve: 'round' }), false);
  const els = [arrow([[0, 0], [1, 1]], { curve: '' }), arrow([[0, 0], [1, 1]], { id: 'b' }), { id: 'r', type: 'rect', z: 'a' }];
  assert.equal(styleValue(els[0], 'curve'), 'sharp');
  assert.equal(commonValue(els, 'curve'), undefined, 'mixed');
  assert.deepEqual(styleOps(els, 'curve', 'round'), [{ o: 'patch', id: 'a', set: { curve: 'round' } }]);
  assert.deepEqual(styleOps(els, 'curve', 'sharp'), [{ o: 'patch', id: 'b', set: { curve: '' } }]);
  assert.equal(checkElement(arrow([[0, 0], [1, 1]])).curve, 'round');
  assert.match(checkElement(arrow([[0, 0], [1, 1]], { curve: 'wavy' })), /curve/);
  assert.match(checkElement(arrow([[0, 0], [1, 1]], { curve: 1 })), /curve/);
});

test('resizing a round line scales its points and keeps the curve in the new box', () => {
  const el = arrow([[0, 0], [100, 100], [200, 100]], { x: 0, y: 0 });
  const set = scaled(el, 2, 1, [200, 60]);
  const after = { ...el, ...set };
  assert.equal(set.points.length, 3);
  close(set.points[2][0] - set.points[0][0], 400, 0.01);
  const b = localBox(after);
  close(after.x + (b.minX + b.maxX) / 2, 200, 0.5);
});

test('a round line of thousands of points flattens to a bounded polyline', () => {
  const pts = Array.from({ length: 10000 }, (_, i) => [i * 1000, (i % 2) * 1e6]);
  const flat = flattenCurve(pts);
  assert.ok(flat.length <= 16384 + 10000, `${flat.length} points`);
  assert.deepEqual(flat[0], pts[0]);
  close(flat.at(-1)[0], pts.at(-1)[0], 1e-6);
  // A short curve is still fine-grained: pieces of about `step`.
  const short = flattenCurve([[0, 0], [40, 40], [80, 0]], 4);
  assert.ok(short.length >= 20, `${short.length} points`);
});
