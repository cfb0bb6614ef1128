import { test } from 'node:test';
import assert from 'node:assert/strict';
import { align, distribute, flip, pieces, styleOf, pasteStyleOps, patches } from '../js/arrange.js';
import { frameBounds, toWorld, linearPoints } from '../js/hit.js';

const close = (a, b, eps = 0.011) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);
const rect = (id, x, y, w = 100, h = 50, extra = {}) => ({ id, type: 'rect', x, y, w, h, z: 'a0', ...extra });
/** els with the changed fields applied. */
const after = (els, fields) => els.map((el) => ({ ...el, ...(fields.get(el.id) ?? {}) }));

test('align puts every piece on the edge or centre line of the box around them all', () => {
  const els = [rect('a', 0, 0, 100, 50), rect('b', 200, 100, 40, 40), rect('c', 50, 300, 60, 20)];
  const cases = [
    ['left', (b) => b.minX, 0],
    ['right', (b) => b.maxX, 240],
    ['centre', (b) => (b.minX + b.maxX) / 2, 120],
    ['top', (b) => b.minY, 0],
    ['bottom', (b) => b.maxY, 320],
    ['middle', (b) => (b.minY + b.maxY) / 2, 160],
  ];
  for (const [how, edge, want] of cases) {
    const moved = after(els, align(els, how));
    for (const el of moved) close(edge(frameBounds(el)), want);
    // Only the other axis is left alone.
    const vertical = ['top', 'bottom', 'middle'].includes(how);
    for (const [i, el] of moved.entries()) assert.equal(vertical ? el.x : el.y, vertical ? els[i].x : els[i].y, `${how} moves along one axis`);
  }
  assert.equal(align(els, 'left').has('a'), false, 'what is already in place gets no patch');
  assert.equal(align([els[0]], 'left').size, 0, 'one element has nothing to align to');
});

test('a group aligns as one piece and keeps its shape', () => {
  const els = [rect('a', 0, 0), rect('g1', 300, 100, 20, 20, { group: 'G' }), rect('g2', 400, 200, 20, 20, { group: 'G' })];
  assert.equal(pieces(els).length, 2);
  const moved = after(els, align(els, 'left'));
  assert.equal(moved[1].x, 0);
  assert.equal(moved[2].x, 100, 'the group moved together');
  assert.equal(align(els.slice(1), 'left').size, 0, 'one group alone is one piece');
});

test('align measures rotated shapes and lines by their outlines', () => {
  const line = { id: 'l', type: 'line', x: 500, y: 0, points: [[0, 0], [80, 40]] };
  const turned = rect('t', 100, 100, 100, 20, { angle: Math.PI / 2 });
  const els = [rect('a', 0, 0), line, turned];
  const moved = after(els, align(els, 'left'));
  for (const el of moved) close(frameBounds(el).minX, 0);
  assert.equal(moved[2].angle, Math.PI / 2, 'rotation is kept');
});

test('distribute makes equal gaps and keeps the outermost pieces', () => {
  const els = [rect('a', 0, 0, 100, 10), rect('b', 120, 0, 50, 10), rect('c', 400, 0, 100, 10), rect('d', 300, 50, 20, 10)];
  const moved = after(els, distribute(els, 'horizontal'));
  const boxes = moved.map(frameBounds).sort((p, q) => p.minX - q.minX);
  const gaps = boxes.slice(1).map((b, i) => b.minX - boxes[i].maxX);
  for (const g of gaps) close(g, gaps[0]);
  close(gaps[0], (500 - 270) / 3);
  assert.equal(moved[0].x, 0);
  assert.equal(moved[2].x, 400);
  for (const [i, el] of moved.entries()) assert.equal(el.y, els[i].y, 'horizontal spacing leaves y alone');

  const v = [rect('a', 0, 0, 10, 10), rect('b', 0, 15, 10, 10), rect('c', 0, 100, 10, 10)];
  const mv = after(v, distribute(v, 'vertical'));
  close(mv[1].y, 50);
  assert.equal(distribute(v.slice(0, 2), 'vertical').size, 0, 'two pieces have nothing between them');
});

test('distribute spaces centres when the pieces overlap too much for gaps', () => {
  const els = [rect('a', 0, 0, 100, 10), rect('b', 10, 0, 100, 10), rect('c', 40, 0, 100, 10)];
  const moved = after(els, distribute(els, 'horizontal'));
  close(moved[1].x, 20);
});

test('flip mirrors positions across the centre line of the selection', () => {
  const els = [rect('a', 0, 0, 100, 50), rect('b', 200, 0, 50, 50)];
  const h = after(els, flip(els, 'horizontal'));
  assert.equal(h[0].x, 150);
  assert.equal(h[1].x, 0);
  assert.deepEqual([h[0].y, h[1].y], [0, 0]);
  const v = after(els, flip([rect('a', 0, 0, 10, 10), rect('b', 0, 90, 10, 10)], 'vertical'));
  assert.deepEqual([v[0].y, v[1].y], [90, 0]);
  // Twice is where it started.
  const twice = after(h, flip(h, 'horizontal'));
  assert.deepEqual(twice.map((el) => el.x), [0, 200]);
});

test('flip turns an arrow round: its head points the other way', () => {
  const arrow = { id: 'a', type: 'arrow', x: 10, y: 20, points: [[0, 0], [100, 30]] };
  const [f] = after([arrow], flip([arrow], 'horizontal'));
  const [p0, p1] = linearPoints(f).map((p) => toWorld(f, p[0], p[1]));
  assert.deepEqual(p0, [110, 20], 'the tail is where the head was, mirrored');
  assert.deepEqual(p1, [10, 50]);
  const [g] = after([arrow], flip([arrow], 'vertical'));
  const [q0, q1] = linearPoints(g).map((p) => toWorld(g, p[0], p[1]));
  assert.deepEqual(q0, [10, 50]);
  assert.deepEqual(q1, [110, 20]);
});

test('flip keeps stroke pressure and negates rotation', () => {
  const stroke = { id: 's', type: 'stroke', x: 0, y: 0, points: [[0, 0, 0.2], [10, 5, 0.8]], angle: 0.5 };
  const f = flip([stroke], 'horizontal').get('s');
  assert.deepEqual(f.points, [[10, 0, 0.2], [0, 5, 0.8]]);
  assert.equal(f.angle, -0.5);
  // A rotated line flipped horizontally is the mirror image of the original, point for point.
  const line = { id: 'l', type: 'line', x: 50, y: 50, points: [[0, 0], [60, 0], [60, 40]], angle: 0.7 };
  const [m] = after([line], flip([line], 'horizontal'));
  const before = linearPoints(line).map((p) => toWorld(line, p[0], p[1]));
  const now = linearPoints(m).map((p) => toWorld(m, p[0], p[1]));
  const mid = (frameBounds(line).minX + frameBounds(line).maxX) / 2;
  before.forEach((p, i) => {
    close(now[i][0], 2 * mid - p[0], 0.05);
    close(now[i][1], p[1], 0.05);
  });
});

test('copy and paste styles: what applies to the target, nothing that is already so', () => {
  const src = rect('s', 0, 0, 10, 10, { stroke: '#e03131', fill: '#a5d8ff', width: 4, dash: 'dashed', opacity: 0.5 });
  const copied = styleOf(src);
  assert.equal(copied.style.stroke, '#e03131');
  assert.equal(copied.style.size, undefined, 'a rectangle has no font size');
  const target = rect('t', 0, 0, 10, 10, { stroke: '#e03131' });
  const text = { id: 'x', type: 'text', x: 0, y: 0, text: 'hi', stroke: '#1e1e1e' };
  const note = { id: 'n', type: 'note', x: 0, y: 0, w: 100, h: 100, fill: '#fff3bf' };
  const ops = pasteStyleOps([target, text, note], copied);
  assert.deepEqual(ops[0], { o: 'patch', id: 't', set: { fill: '#a5d8ff', width: 4, dash: 'dashed', opacity: 0.5 } });
  assert.deepEqual(ops[1], { o: 'patch', id: 'x', set: { stroke: '#e03131', opacity: 0.5 } });
  assert.equal(ops[2].set.fill, undefined, "a note keeps its paper colour");
  assert.deepEqual(pasteStyleOps([src], copied), [], 'pasting onto the source changes nothing');
});

test('patches lists the changed elements in draw order', () => {
  const els = [rect('a', 0, 0), rect('b', 5, 5)];
  assert.deepEqual(patches(els, new Map([['b', { x: 1 }]])), [{ o: 'patch', id: 'b', set: { x: 1 } }]);
});

test('the menu stays on screen: it flips near the right and bottom edges', async () => {
  const { placeMenu } = await import('../js/contextmenu.js');
  assert.deepEqual(placeMenu(100, 100, 200, 300, 1280, 800), { left: 100, top: 100 });
  assert.deepEqual(placeMenu(1200, 100, 200, 300, 1280, 800), { left: 1000, top: 100 }, 'left of the pointer');
  assert.deepEqual(placeMenu(100, 700, 200, 300, 1280, 800), { left: 100, top: 400 }, 'above the pointer');
  assert.deepEqual(placeMenu(380, 830, 220, 600, 390, 844), { left: 160, top: 230 });
  assert.deepEqual(placeMenu(100, 300, 200, 600, 1280, 800), { left: 100, top: 192 }, 'fits neither below nor above: as low as it fits');
  assert.deepEqual(placeMenu(50, 400, 220, 900, 390, 844), { left: 50, top: 8 }, 'taller than the window: from the top');
  assert.deepEqual(placeMenu(100, 10, 220, 400, 200, 844), { left: 8, top: 10 }, 'wider than the room: from the left');
});

test('the menu offers what applies to the selection', async () => {
  const { menuFor } = await import('../js/contextmenu.js');
  const base = { canEdit: true, styleCopied: false, grid: false, snap: false, toolLocked: true };
  const cmds = (entries) => entries.flatMap((e) => (e === 'separator' ? [] : 'row' in e ? e.items.map((i) => `${i.cmd}:${i.arg}`) : [`${e.cmd}${e.arg ? `:${e.arg}` : ''}`]));
  const board = menuFor({ ...base, selected: [] });
  assert.deepEqual(cmds(board), ['paste', 'selectAll', 'zoomFit', 'grid', 'snap', 'toolLock', 'exportBoard']);
  assert.equal(board.find((e) => e.cmd === 'toolLock').checked, true);
  const one = cmds(menuFor({ ...base, selected: [rect('a', 0, 0)] }));
  for (const c of ['copy', 'duplicate', 'delete', 'zorder:front', 'lock', 'copyStyle', 'pasteStyle', 'flip:horizontal', 'exportSelection']) assert.ok(one.includes(c), c);
  assert.ok(!one.some((c) => c.startsWith('align') || c.startsWith('distribute') || c === 'group'), 'one element has nothing to align to or group with');
  const three = cmds(menuFor({ ...base, selected: [rect('a', 0, 0), rect('b', 9, 9), rect('c', 50, 0)] }));
  for (const c of ['align:left', 'align:middle', 'distribute:horizontal', 'group']) assert.ok(three.includes(c), c);
  const locked = cmds(menuFor({ ...base, selected: [rect('a', 0, 0, 1, 1, { locked: true })] }));
  assert.deepEqual(locked, ['copy', 'paste', 'copyStyle', 'lock', 'exportSelection'], 'a locked element can be unlocked, copied and exported');
  assert.deepEqual(cmds(menuFor({ ...base, canEdit: false, selected: [] })), ['zoomFit', 'grid', 'exportBoard'], 'a viewer');
});
