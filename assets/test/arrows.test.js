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
