import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outlinePoint, bindTarget, routeArrow, rerouteBound, absolutePoints, GAP } from '../js/arrows.js';

const close = (a, b, eps = 0.02) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);
const box = (id, type, x, y, w, h, extra = {}) => ({ id, type, x, y, w, h, stroke: '#1e1e1e', z: 'a0', ...extra });

test('outlinePoint leaves rectangles, ellipses and diamonds along the ray, plus the gap', () => {
  const r = box('r', 'rect', 0, 0, 100, 50);
  assert.deepEqual(outlinePoint(r, [500, 25], 0), [100, 25]);
  assert.deepEqual(outlinePoint(r, [50, -100], 0), [50, 0]);
  assert.deepEqual(outlinePoint(r, [500, 25]), [100 + GAP, 25]);
  const e = box('e', 'ellipse', 0, 0, 100, 50);
  const p = outlinePoint(e, [50 + 30, 25 + 30], 0);
  close(((p[0] - 50) / 50) ** 2 + ((p[1] - 25) / 25) ** 2, 1, 1e-9);
  const d = box('d', 'diamond', 0, 0, 100, 100);
  const q = outlinePoint(d, [200, 200], 0);
  close(q[0], 75);
  close(q[1], 75);
  const turned = box('t', 'rect', 0, 0, 100, 50, { angle: Math.PI / 2 });
  const t = outlinePoint(turned, [50, 500], 0);
  close(t[0], 50);
  close(t[1], 75, 1e-9);
});

test('bindTarget finds shapes under or near the point, not lines or the arrow itself', () => {
  const list = [box('r', 'rect', 0, 0, 100, 100), { id: 'l', type: 'line', x: 0, y: 0, points: [[0, 0], [100, 100]] }, box('a', 'rect', 200, 0, 50, 50)];
  assert.equal(bindTarget(list, 50, 50, 4)?.id, 'r', 'inside an unfilled shape binds');
  assert.equal(bindTarget(list, 104, 50, 6)?.id, 'r', 'near the outline binds');
  assert.equal(bindTarget(list, 150, 50, 6), undefined);
  assert.equal(bindTarget(list, 225, 25, 4, 'a'), undefined);
});

test('routeArrow puts bound ends on the outlines, aimed at each other', () => {
  const a = box('a', 'rect', 0, 0, 100, 100);
  const b = box('b', 'rect', 300, 0, 100, 100);
  const arrow = { id: 'x', type: 'arrow', x: 50, y: 50, points: [[0, 0], [300, 0]], startBind: 'a', endBind: 'b' };
  const get = (id) => ({ a, b })[id];
  const routed = { ...arrow, ...routeArrow(arrow, get) };
  const [s, e] = absolutePoints(routed);
  close(s[0], 100 + GAP);
  close(s[1], 50);
  close(e[0], 300 - GAP);
  close(e[1], 50);
  assert.equal(routed.angle, 0);
  assert.equal(routeArrow({ ...arrow, startBind: '', endBind: '' }, get), null);
});

test('routeArrow keeps a free end where it is', () => {
  const a = box('a', 'rect', 0, 0, 100, 100);
  const arrow = { id: 'x', type: 'arrow', x: 50, y: 50, points: [[0, 0], [300, 100]], startBind: 'a' };
  const routed = { ...arrow, ...routeArrow(arrow, (id) => (id === 'a' ? a : undefined)) };
  const pts = absolutePoints(routed);
  close(pts[1][0], 350);
  close(pts[1][1], 150);
});

test('rerouteBound follows a moved shape and lets go of a deleted one', () => {
  const a = box('a', 'rect', 0, 0, 100, 100);
  const b = box('b', 'rect', 300, 0, 100, 100);
  const arrow = { id: 'x', type: 'arrow', x: 106, y: 50, points: [[0, 0], [188, 0]], startBind: 'a', endBind: 'b' };
  const other = { id: 'y', type: 'arrow', x: 0, y: 300, points: [[0, 0], [10, 0]] };
  const movedB = { ...b, y: 200 };
  const live = new Map([['a', a], ['b', movedB], ['x', arrow], ['y', other]]);
  const ops = rerouteBound([a, b, arrow, other], new Set(['b']), (id) => live.get(id));
  assert.equal(ops.length, 1);
  assert.equal(ops[0].id, 'x');
  const end = absolutePoints({ ...arrow, ...ops[0].set })[1];
  assert.ok(end[1] > 150, `the end follows b down: ${end}`);
  live.delete('b');
  const gone = rerouteBound([a, arrow], new Set(['b']), (id) => live.get(id));
  assert.equal(gone[0].set.endBind, '');
});

test('a bound multi-point arrow: only its ends follow a moved shape, inner points stay', () => {
  const a = box('a', 'rect', 0, 0, 100, 100);
  const b = box('b', 'rect', 400, 0, 100, 100);
  // From a's right edge, up over a hump at (200, -80) and (300, -80), down into b.
  const drawn = { id: 'x', type: 'arrow', x: 106, y: -80, points: [[0, 130], [94, 0], [194, 0], [288, 130]], startBind: 'a', endBind: 'b', curve: 'round' };
  const arrow = { ...drawn, ...routeArrow(drawn, (id) => ({ a, b })[id]) };
  const before = absolutePoints(arrow);
  const movedB = { ...b, x: 500, y: 200 };
  const live = new Map([['a', a], ['b', movedB], ['x', arrow]]);
  const ops = rerouteBound([a, b, arrow], new Set(['b']), (id) => live.get(id));
  assert.equal(ops.length, 1);
  const after = absolutePoints({ ...arrow, ...ops[0].set });
  assert.equal(after.length, 4);
  for (const i of [1, 2]) {
    close(after[i][0], before[i][0]);
    close(after[i][1], before[i][1]);
  }
  // The end sits on b's outline (plus the gap), aimed from the inner point before it.
  const end = after[3];
  assert.ok(end[0] >= 500 - GAP - 0.02 && end[0] <= 600 + GAP && end[1] >= 200 - GAP - 0.02 && end[1] <= 300 + GAP, `end ${end} on b`);
  const onB = outlinePoint(movedB, before[2]);
  close(end[0], onB[0]);
  close(end[1], onB[1]);
  // The start did not move: a did not.
  assert.deepEqual(absolutePoints(drawn).slice(1, 3), before.slice(1, 3), 'routing the arrow kept its inner points too');
  close(after[0][0], before[0][0]);
  close(after[0][1], before[0][1]);
  assert.equal(ops[0].set.curve, undefined, 'the style is left alone');

  // Moving the start shape instead moves only the first point.
  const movedA = { ...a, y: -300 };
  const live2 = new Map([['a', movedA], ['b', b], ['x', arrow]]);
  const ops2 = rerouteBound([a, b, arrow], new Set(['a']), (id) => live2.get(id));
  const after2 = absolutePoints({ ...arrow, ...ops2[0].set });
  for (const i of [1, 2]) {
    close(after2[i][0], before[i][0]);
    close(after2[i][1], before[i][1]);
  }
  const onA = outlinePoint(movedA, before[1]);
  close(after2[0][0], onA[0]);
  close(after2[0][1], onA[1]);
});
