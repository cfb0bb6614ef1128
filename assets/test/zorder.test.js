import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reorder, assignKeys, zOrderOps, keysOnTop } from '../js/zorder.js';
import { Doc } from '../js/doc.js';

const el = (id, z) => ({ id, type: 'rect', x: 0, y: 0, w: 1, h: 1, z });

test('reorder: one step past the next unselected element, blocks stay together', () => {
  const order = ['a', 'b', 'c', 'd', 'e'];
  assert.deepEqual(reorder(order, new Set(['b']), 'forward'), ['a', 'c', 'b', 'd', 'e']);
  assert.deepEqual(reorder(order, new Set(['b', 'c']), 'forward'), ['a', 'd', 'b', 'c', 'e']);
  assert.deepEqual(reorder(order, new Set(['e']), 'forward'), order, 'the top one stays');
  assert.deepEqual(reorder(order, new Set(['d']), 'backward'), ['a', 'b', 'd', 'c', 'e']);
  assert.deepEqual(reorder(order, new Set(['a', 'd']), 'backward'), ['a', 'b', 'd', 'c', 'e']);
  assert.deepEqual(reorder(order, new Set(['b', 'd']), 'front'), ['a', 'c', 'e', 'b', 'd']);
  assert.deepEqual(reorder(order, new Set(['b', 'd']), 'back'), ['b', 'd', 'a', 'c', 'e']);
});

/** Applies patches to a list and returns the ids in the new draw order. */
function apply(list, ops) {
  const doc = new Doc();
  doc.reset(list, 1);
  doc.addPending('p', ops);
  return doc.view().map((e) => e.id);
}

test('zOrderOps patches only the moved elements with keys between their neighbours', () => {
  const list = [el('a', 'a0'), el('b', 'a1'), el('c', 'a2'), el('d', 'a3')];
  const ops = zOrderOps(list, new Set(['a']), 'forward');
  assert.equal(ops.length, 1);
  assert.equal(ops[0].id, 'a');
  assert.ok(ops[0].set.z > 'a1' && ops[0].set.z < 'a2');
  assert.deepEqual(apply(list, ops), ['b', 'a', 'c', 'd']);
  assert.deepEqual(apply(list, zOrderOps(list, new Set(['a', 'c']), 'front')), ['b', 'd', 'a', 'c']);
  assert.deepEqual(apply(list, zOrderOps(list, new Set(['d']), 'back')), ['d', 'a', 'b', 'c']);
  assert.deepEqual(apply(list, zOrderOps(list, new Set(['c']), 'backward')), ['a', 'c', 'b', 'd']);
  assert.deepEqual(zOrderOps(list, new Set(['d']), 'front'), [], 'already on top: nothing to send');
});

test('zOrderOps copes with equal keys (two clients added at once)', () => {
  const list = [el('a', 'a0'), el('b', 'a1'), el('c', 'a1'), el('d', 'a1')];
  for (const [sel, move, want] of [
    ['b', 'forward', ['a', 'c', 'b', 'd']],
    ['d', 'backward', ['a', 'b', 'd', 'c']],
    ['c', 'back', ['c', 'a', 'b', 'd']],
    ['b', 'front', ['a', 'c', 'd', 'b']],
  ]) {
    assert.deepEqual(apply(list, zOrderOps(list, new Set([sel]), move)), want, `${sel} ${move}`);
  }
});

test('assignKeys widens a run past equal keys', () => {
  const zOf = new Map([['a', 'a1'], ['b', 'a1'], ['c', 'a2']]);
  const keys = assignKeys(['a', 'x', 'b', 'c'], new Map([...zOf, ['x', 'a5']]), new Set(['x']));
  const z = (id) => keys.get(id) ?? zOf.get(id);
  assert.ok(z('a') < z('x') && z('x') < z('b') && z('b') < z('c'), JSON.stringify([...keys]));
});

test('keysOnTop', () => {
  const ks = keysOnTop([el('a', 'a0'), el('b', 'a5')], 3);
  assert.equal(ks.length, 3);
  assert.ok('a5' < ks[0] && ks[0] < ks[1] && ks[1] < ks[2]);
  assert.deepEqual(keysOnTop([], 1), ['a0']);
});
