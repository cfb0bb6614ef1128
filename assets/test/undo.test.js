import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Doc, putOp, patchOp, delOp } from '../js/doc.js';
import { History, Capture, diff, revert, fieldValue, sameValue } from '../js/undo.js';

const rect = (id, extra = {}) => ({ id, type: 'rect', x: 0, y: 0, w: 10, h: 10, stroke: '#1e1e1e', opacity: 1, z: 'a0', ...extra });

/** A client: a Doc, a History, and `apply` that makes a pending batch as Sync.send does. */
function client(initial = [], prefix = 'c') {
  const doc = new Doc();
  doc.reset(initial, 0);
  const history = new History();
  let n = 0;
  const sent = [];
  const apply = (ops) => {
    const cid = `${prefix}-${++n}`;
    doc.addPending(cid, ops);
    sent.push({ cid, ops });
    return [cid];
  };
  return { doc, history, apply, sent, get: (id) => doc.get(id) };
}

/** Plays the server: confirms a client's pending batch as broadcast seq. */
function confirm(doc, seq, batch, by = 'sA') {
  doc.applyBroadcast({ t: 'ops', seq, cid: batch.cid, by, at: seq * 1000, ops: batch.ops });
}

const withoutStamps = (ops) =>
  ops.map(({ v, ...op }) => (op.el ? { ...op, el: Object.fromEntries(Object.entries(op.el).filter(([k]) => !['v', 'by', 'at'].includes(k))) } : op));

test('fieldValue reads absent fields as the protocol zero values', () => {
  assert.equal(fieldValue(rect('a'), 'fill'), '');
  assert.equal(fieldValue({ id: 'a', type: 'rect' }, 'opacity'), 1);
  assert.equal(fieldValue(rect('a'), 'angle'), 0);
  assert.equal(fieldValue(rect('a'), 'locked'), false);
  assert.equal(fieldValue(undefined, 'deleted'), true);
  assert.equal(fieldValue(rect('a', { deleted: true }), 'deleted'), true);
  assert.equal(fieldValue(rect('a'), 'deleted'), false);
});

test('sameValue allows float32 rounding in points', () => {
  assert.ok(sameValue([[0.1, 0.2]], [[Math.fround(0.1), Math.fround(0.2)]]));
  assert.ok(!sameValue([[0.1, 0.2]], [[0.1, 0.3]]));
  assert.ok(!sameValue([[1, 2]], [[1, 2], [3, 4]]));
  assert.ok(sameValue('#fff', '#fff'));
});

test('diff keeps only the fields that changed', () => {
  assert.deepEqual(diff('a', rect('a'), rect('a', { x: 5, fill: '#ffc9c9', v: 9 })), {
    id: 'a',
    before: { x: 0, fill: '' },
    after: { x: 5, fill: '#ffc9c9' },
  });
  assert.equal(diff('a', rect('a'), rect('a', { v: 2, by: 's', at: 1 })), null);
  assert.deepEqual(diff('a', undefined, rect('a')), { id: 'a', before: { deleted: true }, after: { deleted: false } });
  assert.deepEqual(diff('a', rect('a'), rect('a', { deleted: true })), { id: 'a', before: { deleted: false }, after: { deleted: true } });
});

test('revert: del for a creation, patch with the before values otherwise', () => {
  const changes = [diff('a', undefined, rect('a')), diff('b', rect('b'), rect('b', { x: 3 })), diff('c', rect('c'), undefined)];
  const now = new Map([['a', rect('a')], ['b', rect('b', { x: 3 })], ['c', rect('c', { deleted: true })]]);
  assert.deepEqual(revert(changes, (id) => now.get(id)), [delOp('a'), patchOp('b', { x: 0 }), patchOp('c', { deleted: false })]);
});

test('undo and redo of a move, a style change, a creation and a deletion', () => {
  const c = client([rect('a'), rect('b', { z: 'a1' })]);
  const { history, apply, get } = c;
  history.record([patchOp('a', { x: 50, y: 60 })], get, apply);
  history.record([patchOp('a', { stroke: '#e03131' })], get, apply);
  history.record([putOp(rect('n', { z: 'a2' }))], get, apply);
  history.record([delOp('b')], get, apply);
  assert.equal(c.doc.view().map((e) => e.id).join(), 'a,n');

  assert.deepEqual(history.undo(get, apply), [patchOp('b', { deleted: false })]);
  assert.deepEqual(history.undo(get, apply), [delOp('n')]);
  assert.deepEqual(history.undo(get, apply), [patchOp('a', { stroke: '#1e1e1e' })]);
  assert.deepEqual(history.undo(get, apply), [patchOp('a', { x: 0, y: 0 })]);
  assert.equal(history.undo(get, apply), null, 'nothing more to undo');
  assert.deepEqual(get('a'), rect('a'));

  assert.deepEqual(history.redo(get, apply), [patchOp('a', { x: 50, y: 60 })]);
  assert.deepEqual(history.redo(get, apply), [patchOp('a', { stroke: '#e03131' })]);
  assert.deepEqual(history.redo(get, apply), [patchOp('n', { deleted: false })]);
  assert.equal(get('n').z, 'a2');
  // A new change ends what could be redone.
  history.record([patchOp('a', { w: 99 })], get, apply);
  assert.equal(history.canRedo, false);
  assert.equal(history.redo(get, apply), null);
});

test('concurrent edit: undoing my move keeps the colour another person set later', () => {
  const a = client([rect('a1', { x: 10, y: 20, w: 100, h: 50 })]);
  a.history.record([patchOp('a1', { x: 110, y: 70 })], a.get, a.apply);
  confirm(a.doc, 1, a.sent[0]);
  a.doc.applyBroadcast({ t: 'ops', seq: 2, by: 'sB', at: 3000, ops: [{ o: 'patch', id: 'a1', set: { stroke: '#e03131' }, v: 3 }] });
  assert.deepEqual(a.history.undo(a.get, a.apply), [patchOp('a1', { x: 10, y: 20 })]);
  assert.equal(a.get('a1').stroke, '#e03131');
  assert.equal(a.get('a1').x, 10);
});

test('concurrent edit: a field someone changed after me is not undone', () => {
  const a = client([rect('a1')]);
  a.history.record([patchOp('a1', { x: 100, fill: '#ffc9c9' })], a.get, a.apply);
  confirm(a.doc, 1, a.sent[0]);
  // B then moves the same element: x is theirs now, the fill is still ours.
  a.doc.applyBroadcast({ t: 'ops', seq: 2, by: 'sB', at: 3000, ops: [{ o: 'patch', id: 'a1', set: { x: 300 }, v: 3 }] });
  assert.deepEqual(a.history.undo(a.get, a.apply), [patchOp('a1', { fill: '' })]);
  assert.equal(a.get('a1').x, 300);
});

test('concurrent edit: an entry wholly overtaken by others is skipped for the one before it', () => {
  const a = client([rect('a1'), rect('a2')]);
  a.history.record([patchOp('a1', { fill: '#ffc9c9' })], a.get, a.apply);
  a.history.record([patchOp('a2', { x: 5 })], a.get, a.apply);
  confirm(a.doc, 1, a.sent[0]);
  confirm(a.doc, 2, a.sent[1]);
  a.doc.applyBroadcast({ t: 'ops', seq: 3, by: 'sB', at: 3000, ops: [{ o: 'del', id: 'a2', v: 3 }, { o: 'patch', id: 'a2', set: { x: 40 }, v: 4 }] });
  assert.deepEqual(a.history.undo(a.get, a.apply), [patchOp('a1', { fill: '' })]);
  assert.equal(a.history.canUndo, false);
});

test('a gesture of several batches is one entry', () => {
  const c = client([rect('a')]);
  const cap = new Capture(c.get);
  for (const x of [5, 10, 15]) {
    const ops = [patchOp('a', { x })];
    cap.touch(ops);
    cap.cids.push(...c.apply(ops));
  }
  c.history.push(cap.entry());
  assert.equal(c.history.done.length, 1);
  assert.deepEqual(c.history.undo(c.get, c.apply), [patchOp('a', { x: 0 })]);
});

test('forget drops entries of a refused batch', () => {
  const c = client([rect('a')]);
  c.history.record([patchOp('a', { x: 5 })], c.get, c.apply);
  c.history.record([patchOp('a', { y: 5 })], c.get, c.apply);
  c.history.forget('c-2');
  c.doc.reject('c-2');
  assert.deepEqual(c.history.undo(c.get, c.apply), [patchOp('a', { x: 0 })]);
  assert.equal(c.history.canUndo, false);
});

test('the history keeps at most its limit', () => {
  const c = client([rect('a')]);
  const h = new History(3);
  for (let i = 1; i <= 5; i++) h.record([patchOp('a', { x: i })], c.get, c.apply);
  assert.equal(h.done.length, 3);
});

// The shared fixtures: the undo batch in them is what this module sends, and both the Go
// server and doc.js apply them to the same final state (fixtures.test.js, state_test.go).
const fixture = (name) => JSON.parse(readFileSync(new URL(`../../collab/board/testdata/apply/${name}`, import.meta.url), 'utf8'));

test('fixture undo_move_keeps_later_recolour.json: undo sends batch 3', () => {
  const f = fixture('undo_move_keeps_later_recolour.json');
  const a = client(f.initial);
  a.history.record(withoutStamps(f.batches[0].ops), a.get, a.apply);
  confirm(a.doc, 1, a.sent[0]);
  a.doc.applyBroadcast(f.batches[1]);
  assert.deepEqual(a.history.undo(a.get, a.apply), withoutStamps(f.batches[2].ops));
});

test('fixture undo_create_and_delete.json: undo sends batches 4 and 5', () => {
  const f = fixture('undo_create_and_delete.json');
  const a = client(f.initial);
  a.history.record(withoutStamps(f.batches[0].ops), a.get, a.apply);
  confirm(a.doc, 1, a.sent[0]);
  a.doc.applyBroadcast(f.batches[1]);
  a.history.record(withoutStamps(f.batches[2].ops), a.get, a.apply);
  confirm(a.doc, 3, a.sent[1]);
  assert.deepEqual(a.history.undo(a.get, a.apply), withoutStamps(f.batches[3].ops));
  assert.deepEqual(a.history.undo(a.get, a.apply), withoutStamps(f.batches[4].ops));
});
