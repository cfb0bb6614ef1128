import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Doc, putOp, patchOp, delOp } from '../js/doc.js';

const rect = (id, z, extra = {}) => ({ id, type: 'rect', x: 0, y: 0, w: 10, h: 10, stroke: '#1e1e1e', opacity: 1, z, ...extra });
const ids = (els) => els.map((e) => e.id);
const broadcast = (seq, ops, by = 's1', at = 1000) => ({ t: 'ops', seq, by, at, ops });

test('op builders make protocol ops', () => {
  assert.deepEqual(putOp(rect('a', 'a0')), { o: 'put', el: rect('a', 'a0') });
  assert.deepEqual(patchOp('a', { x: 1 }), { o: 'patch', id: 'a', set: { x: 1 } });
  assert.deepEqual(delOp('a'), { o: 'del', id: 'a' });
});

test('applyBroadcast: put, patch, del with v, by, at', () => {
  const doc = new Doc();
  doc.applyBroadcast(broadcast(1, [{ o: 'put', el: { ...rect('a', 'a0'), v: 1, by: 's1', at: 1000 } }]));
  doc.applyBroadcast(broadcast(2, [{ o: 'patch', id: 'a', set: { x: 5, fill: '#ffc9c9' }, v: 2 }], 's2', 2000));
  assert.deepEqual(doc.get('a'), { ...rect('a', 'a0'), x: 5, fill: '#ffc9c9', v: 2, by: 's2', at: 2000 });
  doc.applyBroadcast(broadcast(3, [{ o: 'del', id: 'a', v: 3 }], 's3', 3000));
  assert.equal(doc.get('a'), undefined, 'deleted elements are not in the view');
  assert.deepEqual(doc.confirmed.get('a'), { ...rect('a', 'a0'), x: 5, fill: '#ffc9c9', deleted: true, v: 3, by: 's3', at: 3000 });
  assert.equal(doc.seq, 3);
});

test('applyBroadcast never modifies elements in place', () => {
  const doc = new Doc();
  const el = { ...rect('a', 'a0'), v: 1 };
  doc.reset([el], 1);
  doc.applyBroadcast(broadcast(2, [{ o: 'patch', id: 'a', set: { x: 9 }, v: 2 }]));
  assert.equal(el.x, 0);
  assert.notEqual(doc.confirmed.get('a'), el);
});

test('applyBroadcast ignores unknown ids and already-applied seqs', () => {
  const doc = new Doc();
  doc.reset([rect('a', 'a0')], 5);
  assert.equal(doc.applyBroadcast(broadcast(6, [{ o: 'patch', id: 'zz', set: { x: 1 }, v: 1 }, { o: 'del', id: 'yy', v: 1 }])), true);
  assert.deepEqual([...doc.confirmed.keys()], ['a']);
  assert.equal(doc.applyBroadcast(broadcast(6, [{ o: 'patch', id: 'a', set: { x: 7 }, v: 2 }])), false);
  assert.equal(doc.get('a').x, 0);
});

test('view orders by z, then id, and leaves out tombstones', () => {
  const doc = new Doc();
  doc.reset([rect('c', 'a1'), rect('b', 'a1'), rect('a', 'a2'), rect('d', 'Zz'), rect('e', 'a0', { deleted: true })], 1);
  assert.deepEqual(ids(doc.view()), ['d', 'b', 'c', 'a']);
  assert.equal(doc.topZ(), 'a2');
});

test('view is cached until something changes', () => {
  const doc = new Doc();
  doc.reset([rect('a', 'a0')], 1);
  const v1 = doc.view();
  assert.equal(doc.view(), v1);
  doc.addPending('c-1', [putOp(rect('b', 'a1'))]);
  const v2 = doc.view();
  assert.notEqual(v2, v1);
  assert.deepEqual(ids(v2), ['a', 'b']);
});

test('pending batches show on top of confirmed state until acked', () => {
  const doc = new Doc();
  doc.reset([rect('a', 'a0', { v: 1 }), rect('b', 'a1', { v: 1 })], 1);
  doc.addPending('c-1', [putOp(rect('n', 'a2')), patchOp('a', { x: 50 }), delOp('b')]);
  doc.addPending('c-2', [patchOp('n', { stroke: '#e03131' }), patchOp('unknown', { x: 1 })]);
  assert.deepEqual(ids(doc.view()), ['a', 'n']);
  assert.equal(doc.get('a').x, 50);
  assert.equal(doc.get('n').stroke, '#e03131');
  assert.equal(doc.confirmed.get('a').x, 0, 'confirmed state is untouched');

  // The server applies c-1: broadcast first, then ack.
  doc.applyBroadcast(broadcast(2, [{ o: 'put', el: { ...rect('n', 'a2'), v: 1 } }, { o: 'patch', id: 'a', set: { x: 50 }, v: 2 }, { o: 'del', id: 'b', v: 2 }]));
  assert.equal(doc.ack('c-1'), true);
  assert.deepEqual(doc.pending.map((b) => b.cid), ['c-2']);
  assert.equal(doc.get('n').stroke, '#e03131', 'c-2 still applies on top');
  assert.equal(doc.get('n').v, 1);

  // c-2 is refused: its effect disappears.
  assert.equal(doc.reject('c-2'), true);
  assert.equal(doc.get('n').stroke, '#1e1e1e');
  assert.equal(doc.ack('c-2'), false, 'dropping twice is harmless');
});

test('a later broadcast does not hide a pending change to the same field', () => {
  const doc = new Doc();
  doc.reset([rect('a', 'a0')], 1);
  doc.addPending('c-1', [patchOp('a', { x: 10 })]);
  doc.applyBroadcast(broadcast(2, [{ o: 'patch', id: 'a', set: { x: 99 }, v: 2 }]));
  assert.equal(doc.get('a').x, 10);
});

test('reset replaces confirmed state and keeps pending batches', () => {
  const doc = new Doc();
  doc.reset([rect('a', 'a0')], 3);
  doc.addPending('c-1', [putOp(rect('p', 'a5'))]);
  doc.reset([rect('x', 'a0')], 10);
  assert.equal(doc.seq, 10);
  assert.deepEqual(ids(doc.view()), ['x', 'p']);
});

test('subscribers hear every change', () => {
  const doc = new Doc();
  let n = 0;
  const stop = doc.subscribe(() => n++);
  doc.reset([], 1);
  doc.addPending('c', [putOp(rect('a', 'a0'))]);
  doc.ack('c');
  doc.applyBroadcast(broadcast(2, []));
  assert.equal(n, 4);
  stop();
  doc.reset([], 3);
  assert.equal(n, 4);
});

test('all() lists confirmed elements with tombstones, by id', () => {
  const doc = new Doc();
  doc.reset([rect('b', 'a0'), rect('a', 'a1', { deleted: true })], 1);
  assert.deepEqual(ids(doc.all()), ['a', 'b']);
});

test('a broadcast carrying a pending cid confirms that batch', () => {
  const doc = new Doc();
  doc.reset([], 1);
  doc.addPending('c-1', [putOp(rect('a', 'a0'))]);
  doc.addPending('c-2', [putOp(rect('b', 'a1'))]);
  doc.applyBroadcast({ ...broadcast(2, [{ o: 'put', el: { ...rect('a', 'a0'), v: 1 } }]), cid: 'c-1' });
  assert.deepEqual(doc.pending.map((b) => b.cid), ['c-2']);
  assert.equal(doc.get('a').v, 1);
  assert.equal(doc.ack('c-1'), false, 'the ack that follows finds nothing left to drop');
});

test('a draft shows on top of pending batches and is never pending itself', () => {
  const doc = new Doc();
  doc.reset([rect('a', 'a0')], 1);
  doc.addPending('c-1', [patchOp('a', { x: 5 })]);
  let calls = 0;
  doc.subscribe(() => calls++);
  doc.setDraft([patchOp('a', { x: 9, y: 3 })]);
  assert.equal(doc.get('a').x, 9);
  assert.equal(doc.get('a').y, 3);
  assert.equal(doc.pending.length, 1);
  doc.setDraft(null);
  assert.equal(doc.get('a').x, 5);
  assert.equal(doc.get('a').y, 0);
  doc.setDraft(null);
  assert.equal(calls, 2, 'clearing an empty draft is not a change');
});

test('committed ignores the draft and sees pending batches', () => {
  const doc = new Doc();
  doc.reset([rect('a', 'a0'), rect('b', 'a1', { deleted: true })], 1);
  doc.addPending('c-1', [patchOp('a', { x: 5 }), putOp(rect('n', 'a2'))]);
  doc.setDraft([patchOp('a', { x: 9 })]);
  assert.equal(doc.committed('a').x, 5);
  assert.equal(doc.committed('n').id, 'n');
  assert.equal(doc.committed('b'), undefined, 'tombstones are not live');
  assert.equal(doc.committed('zz'), undefined);
});
