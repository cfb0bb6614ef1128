import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameCamera, screenInsets, stepFrame, framePosition, moveFrame, deckOrder, FIT_MAX_ZOOM } from '../js/deck.js';
import { frameOrder, LABEL_GAP } from '../js/frames.js';
import { worldToScreen } from '../js/camera.js';

const frame = (id, z, x = 0, y = 0, w = 400, h = 300, extra = {}) => ({ id, type: 'frame', x, y, w, h, z, ...extra });

/** Applies patches as the server would. */
function apply(els, ops) {
  return els.map((el) => {
    const op = ops.find((o) => o.id === el.id);
    return op ? { ...el, ...op.set } : el;
  });
}

test('stepping goes through frames in frame order and stops at the ends', () => {
  const all = [frame('c', 'a2'), { id: 'r', type: 'rect', z: 'a1' }, frame('a', 'a0'), frame('b', 'a1'), frame('d', 'a3', 0, 0, 1, 1, { deleted: true })];
  const els = deckOrder(all, ['page1']);
  assert.equal(stepFrame(els, 'a', 1)?.id, 'b');
  assert.equal(stepFrame(els, 'b', 1)?.id, 'c');
  assert.equal(stepFrame(els, 'c', 1)?.id, 'c', 'the last frame stays');
  assert.equal(stepFrame(els, 'a', -1)?.id, 'a', 'the first frame stays');
  assert.equal(stepFrame(els, '', 1)?.id, 'a', 'no frame yet: the first');
  assert.equal(stepFrame(els, 'gone', -1)?.id, 'a');
  assert.equal(stepFrame([], '', 1), undefined);
  assert.deepEqual(framePosition(els, 'b'), { n: 2, of: 3 });
  assert.deepEqual(framePosition(els, 'r'), { n: 0, of: 3 });
});

test('a frame fits each screen: the whole frame and its name inside the free area, centred', () => {
  const f = frame('f', 'a0', 1000, -500, 1600, 900);
  for (const [w, h, phone] of [[1280, 800, false], [390, 844, true], [2560, 1440, false]]) {
    const ins = screenInsets(phone);
    const cam = frameCamera(f, w, h, ins);
    const [x0, y0] = worldToScreen(cam, f.x, f.y - LABEL_GAP);
    const [x1, y1] = worldToScreen(cam, f.x + f.w, f.y + f.h);
    const eps = 1e-6;
    assert.ok(x0 >= ins.left - eps && x1 <= w - ins.right + eps, `${w}x${h}: x ${x0}..${x1}`);
    assert.ok(y0 >= ins.top - eps && y1 <= h - ins.bottom + eps, `${w}x${h}: y ${y0}..${y1}`);
    // It fills the free area in one direction (it is as large as fits).
    const fillsW = Math.abs(x1 - x0 - (w - ins.left - ins.right)) < 1e-6;
    const fillsH = Math.abs(y1 - y0 - (h - ins.top - ins.bottom)) < 1e-6;
    assert.ok(fillsW || fillsH, `${w}x${h}: fills neither way`);
    assert.ok(Math.abs((x0 + x1) / 2 - (ins.left + (w - ins.left - ins.right) / 2)) < 1e-6, 'centred');
  }
  // A phone and a desktop get different zooms for the same frame.
  assert.notEqual(frameCamera(f, 390, 844, screenInsets(true)).zoom, frameCamera(f, 1280, 800, screenInsets(false)).zoom);
  // A tiny frame is not blown up past the limit.
  assert.equal(frameCamera(frame('s', 'a0', 0, 0, 10, 10), 1280, 800, screenInsets(false)).zoom, FIT_MAX_ZOOM);
});

test('moving a frame in the list changes only its z, and the order is as asked', () => {
  const els = [frame('a', 'a0'), frame('b', 'a1'), frame('c', 'a2'), frame('d', 'a3')];
  for (const [id, to, want] of [
    ['d', 0, 'dabc'],
    ['a', 3, 'bcda'],
    ['b', 2, 'acbd'],
    ['c', 1, 'acbd'],
    ['a', 1, 'bacd'],
  ]) {
    const ops = moveFrame(els, id, to);
    assert.equal(ops.length, 1, `${id}→${to}: one op`);
    assert.deepEqual(Object.keys(ops[0].set), ['z']);
    assert.equal(frameOrder(apply(els, ops)).map((f) => f.id).join(''), want, `${id}→${to}`);
  }
  assert.equal(moveFrame(els, 'b', 1), null, 'in place: nothing');
  assert.equal(moveFrame(els, 'zz', 1), null, 'not a frame');
  assert.equal(frameOrder(apply(els, moveFrame(els, 'a', 99))).map((f) => f.id).join(''), 'bcda', 'clamped');
});

test('frames that share a z can still be reordered', () => {
  // Imported frames may all have the same z: ties are ordered by id.
  const els = [frame('a', 'a0'), frame('b', 'a0'), frame('c', 'a0')];
  for (const [id, to, want] of [['c', 1, 'acb'], ['a', 2, 'bca'], ['c', 0, 'cab'], ['b', 0, 'bac']]) {
    const ops = moveFrame(els, id, to);
    assert.equal(frameOrder(apply(els, ops)).map((f) => f.id).join(''), want, `${id}→${to}`);
  }
});

test('a deck goes page by page, and in frame order on each page', () => {
  const els = [
    frame('x', 'a0', 0, 0, 10, 10, { page: 'p2' }),
    frame('a', 'a5'),
    frame('y', 'a1', 0, 0, 10, 10, { page: 'p2' }),
    frame('b', 'a6', 0, 0, 10, 10, { page: 'page1' }),
    frame('z', 'a2', 0, 0, 10, 10, { page: 'gone' }),
  ];
  assert.deepEqual(deckOrder(els, ['p2', 'page1']).map((f) => f.id), ['x', 'y', 'a', 'b']);
  assert.deepEqual(deckOrder(els, ['page1', 'p2']).map((f) => f.id), ['a', 'b', 'x', 'y'], 'no page field: the first page');
  const deck = deckOrder(els, ['page1', 'p2']);
  assert.equal(stepFrame(deck, 'b', 1)?.id, 'x', 'the next frame is on the next page');
  assert.equal(stepFrame(deck, 'x', -1)?.id, 'b');
  assert.deepEqual(framePosition(deck, 'y'), { n: 4, of: 4 });
});
