import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withFrames, carriedBy, frameAt, frameOrder, frameRect, labelRect, nextFrameName, frameFromHash, frameLink, isFrame,
} from '../js/frames.js';
import { Doc } from '../js/doc.js';

const frame = (id, x, y, w, h, extra = {}) => ({ id, type: 'frame', x, y, w, h, z: 'a' + id, ...extra });
const rect = (id, x, y, w = 20, h = 20, extra = {}) => ({ id, type: 'rect', x, y, w, h, z: 'b' + id, ...extra });
const board = (...els) => {
  const m = new Map(els.map((e) => [e.id, e]));
  return { get: (id) => m.get(id), list: els };
};

test('frame order is ascending z, ties by id, deleted frames left out', () => {
  const els = [frame('b', 0, 0, 10, 10, { z: 'a2' }), rect('r', 0, 0), frame('a', 0, 0, 10, 10, { z: 'a2' }), frame('c', 0, 0, 10, 10, { z: 'a1' }), frame('d', 0, 0, 1, 1, { deleted: true })];
  assert.deepEqual(frameOrder(els).map((f) => f.id), ['c', 'a', 'b']);
  assert.ok(isFrame(els[0]) && !isFrame(els[1]) && !isFrame(els[4]));
});

test('membership by bounds: the topmost frame holding the element\'s centre', () => {
  const frames = [frame('f1', 0, 0, 200, 200, { z: 'a0' }), frame('f2', 100, 100, 200, 200, { z: 'a1' })];
  assert.equal(frameAt(rect('r', 20, 20), frames)?.id, 'f1');
  assert.equal(frameAt(rect('r', 140, 140), frames)?.id, 'f2', 'overlap: the later frame');
  assert.equal(frameAt(rect('r', 400, 400), frames), undefined);
  assert.equal(frameAt(rect('r', 190, 20, 40, 20), frames)?.id, undefined, 'centre outside (210, 30)');
  assert.equal(frameAt(rect('r', 170, 20, 40, 20), frames)?.id, 'f1', 'half out but centre in');
  assert.equal(frameAt(frame('g', 10, 10, 5, 5), frames), undefined, 'a frame is never in a frame');
  // A stroke is measured by its points.
  assert.equal(frameAt({ id: 's', type: 'stroke', x: 0, y: 0, points: [[150, 20], [160, 30]], width: 2 }, frames)?.id, 'f1');
});

test('clipping bounds and the label sit where exports draw them', () => {
  assert.deepEqual(frameRect(frame('f', 10, 20, 300, 200)), { minX: 10, minY: 20, maxX: 310, maxY: 220 });
  assert.deepEqual(frameRect(frame('f', 10, 20, 0, 0)), { minX: 10, minY: 20, maxX: 11, maxY: 21 }, 'never empty');
  const l = labelRect(frame('f', 10, 20, 300, 200, { text: 'Intro' }));
  assert.equal(l.minX, 10);
  assert.ok(l.maxY <= 20 && l.minY >= 0, 'above the frame');
  assert.ok(labelRect(frame('f', 0, 0, 50, 50, { text: 'A very long name for a small frame' })).maxX <= 50, 'no wider than the frame');
});

test('new frames are named Frame 1, Frame 2, … after the highest in use', () => {
  assert.equal(nextFrameName([]), 'Frame 1');
  assert.equal(nextFrameName([frame('a', 0, 0, 1, 1, { text: 'Frame 1' })]), 'Frame 2');
  assert.equal(nextFrameName([frame('a', 0, 0, 1, 1, { text: 'Frame 7' }), frame('b', 0, 0, 1, 1, { text: 'Intro' })]), 'Frame 8');
  assert.equal(nextFrameName([frame('a', 0, 0, 1, 1, { text: 'Intro' })]), 'Frame 2');
});

test('drawing inside a frame makes a member, dragging out takes it out', () => {
  const f = frame('f', 0, 0, 200, 200);
  const m = rect('m', 10, 10, 20, 20, { frame: 'f' });
  const b = board(f, m);
  const [put] = withFrames([{ o: 'put', el: rect('n', 50, 50) }], b.get, b.list);
  assert.equal(put.el.frame, 'f');
  const [out] = withFrames([{ o: 'patch', id: 'm', set: { x: 500, y: 500 } }], b.get, b.list);
  assert.deepEqual(out.set, { x: 500, y: 500, frame: '' });
  const [stay] = withFrames([{ o: 'patch', id: 'm', set: { x: 40 } }], b.get, b.list);
  assert.deepEqual(stay.set, { x: 40 }, 'moving within the frame changes nothing else');
  const [style] = withFrames([{ o: 'patch', id: 'm', set: { stroke: '#ff0000' } }], b.get, b.list);
  assert.deepEqual(style.set, { stroke: '#ff0000' });
  const [outside] = withFrames([{ o: 'put', el: rect('o', 500, 500, 20, 20, { frame: 'f' }) }], b.get, b.list);
  assert.equal('frame' in outside.el, false, 'a pasted copy outside the frame is in none');
});

test('moving a frame is one op, and applying it moves the members, from where they are committed', () => {
  const f = frame('f', 0, 0, 200, 200);
  const els = [f, rect('m1', 10, 10, 20, 20, { frame: 'f' }), rect('m2', 50, 60, 20, 20, { frame: 'f' }), rect('x', 300, 300)];
  const b = board(...els);
  const move = [{ o: 'patch', id: 'f', set: { x: 100, y: -50 } }];
  assert.deepEqual(withFrames(move, b.get, b.list), move);
  assert.deepEqual([...carriedBy(move, b.get, b.list).values()].map((el) => [el.id, el.x, el.y]), [['m1', 110, -40], ['m2', 150, 10]]);

  // Pending, in the draft, and as the server's broadcast: the members follow each time.
  const doc = new Doc();
  doc.reset(els.map((el) => ({ ...el, v: 1 })), 1);
  doc.addPending('c1', move);
  assert.deepEqual([doc.get('m1').x, doc.get('m1').y, doc.committed('m2').x, doc.get('x').x], [110, -40, 150, 300]);
  doc.setDraft([{ o: 'patch', id: 'f', set: { x: 130, y: -50 } }]); // the drag goes on from the pending place
  assert.deepEqual([doc.get('m1').x, doc.committed('m1').x], [140, 110]);
  doc.setDraft(null);
  doc.applyBroadcast({ t: 'ops', seq: 2, cid: 'c1', by: 's1', at: 5, ops: [{ ...move[0], v: 2 }] });
  assert.equal(doc.pending.length, 0);
  assert.deepEqual(doc.all().map((el) => [el.id, el.x, el.y, el.v, el.by]), [['f', 100, -50, 2, 's1'], ['m1', 110, -40, 2, 's1'], ['m2', 150, 10, 2, 's1'], ['x', 300, 300, 1, undefined]]);

  // A member the change moves itself (frame and members selected together) stays where
  // the change puts it, and stays in its moved frame.
  const both = withFrames([{ o: 'patch', id: 'f', set: { x: 100, y: 0 } }, { o: 'patch', id: 'm1', set: { x: 110, y: 10 } }], b.get, b.list);
  assert.equal(both.find((op) => op.id === 'm1').set.frame, undefined, 'still in its moved frame');
  assert.deepEqual([...carriedBy(both, b.get, b.list).keys()], ['m2']);
  const d2 = new Doc();
  d2.reset(els, 1);
  d2.addPending('c2', both);
  assert.deepEqual([d2.get('m1').x, d2.get('m1').y, d2.get('m2').x], [110, 10, 150]);
});

test('deleting a frame deletes its members in the same batch', () => {
  const b = board(frame('f', 0, 0, 200, 200), rect('m1', 10, 10, 20, 20, { frame: 'f' }), rect('m2', 50, 60, 20, 20, { frame: 'f' }), rect('x', 300, 300));
  const ops = withFrames([{ o: 'del', id: 'f' }], b.get, b.list);
  assert.deepEqual(ops.map((o) => `${o.o} ${o.id}`).sort(), ['del f', 'del m1', 'del m2']);
  const again = withFrames([{ o: 'del', id: 'f' }, { o: 'del', id: 'm1' }], b.get, b.list);
  assert.equal(again.length, 3, 'a member deleted by the change is not deleted twice');
});

test('a new frame takes in what lies wholly inside it and is in no frame', () => {
  const b = board(rect('in', 10, 10), rect('half', 190, 10, 40, 20), rect('other', 20, 20, 10, 10, { frame: 'g' }), frame('g', 0, 0, 1000, 1000));
  const ops = withFrames([{ o: 'put', el: frame('f', 0, 0, 200, 200, { z: 'c' }) }], b.get, b.list);
  assert.deepEqual(ops.slice(1), [{ o: 'patch', id: 'in', set: { frame: 'f' } }]);
});

test('resizing a frame keeps its contents in place, and what it holds follows its edges', () => {
  const f = frame('f', 0, 0, 200, 200);
  const els = [f, rect('m1', 10, 10, 20, 20, { frame: 'f' }), rect('m2', 150, 150, 20, 20, { frame: 'f' }), rect('near', 230, 10), rect('far', 600, 600), rect('other', 240, 40, 10, 10, { frame: 'g' })];
  const b = board(...els);

  // By the right edge: x and y stay, nothing is pinned; grown over 'near', it takes it
  // in ('other' is in another frame and stays there).
  const grow = withFrames([{ o: 'patch', id: 'f', set: { w: 300 } }], b.get, b.list);
  assert.deepEqual(grow.slice(1), [{ o: 'patch', id: 'near', set: { frame: 'f' } }]);

  // By the left edge: the frame's x changes, which would carry its members; each is
  // pinned where it is, and a member whose centre is now outside leaves.
  const left = withFrames([{ o: 'patch', id: 'f', set: { x: 100, w: 100 } }], b.get, b.list);
  assert.deepEqual(left.slice(1), [
    { o: 'patch', id: 'm1', set: { x: 10, y: 10, frame: '' } },
    { o: 'patch', id: 'm2', set: { x: 150, y: 150 } },
  ]);
  const doc = new Doc();
  doc.reset(els.map((el) => ({ ...el, v: 1 })), 1);
  doc.addPending('c1', left);
  assert.deepEqual([doc.get('f').x, doc.get('m1').x, doc.get('m1').frame, doc.get('m2').x, doc.get('m2').y], [100, 10, '', 150, 150]);
  // Shrunk by the bottom edge past m2's centre: it leaves, unpinned (y stayed).
  const up = withFrames([{ o: 'patch', id: 'f', set: { h: 155 } }], b.get, b.list);
  assert.deepEqual(up.slice(1), [{ o: 'patch', id: 'm2', set: { frame: '' } }]);
});

test('links to a frame', () => {
  assert.equal(frameFromHash('#frame=abc_-1'), 'abc_-1');
  assert.equal(frameFromHash('#x=1&frame=F2'), 'F2');
  assert.equal(frameFromHash('#frame=<script>'), '');
  assert.equal(frameFromHash(''), '');
  assert.equal(frameLink('https://t.example/b/XYZ#frame=old', 'f1'), 'https://t.example/b/XYZ#frame=f1');
  assert.equal(frameLink('https://t.example/v/XYZ', 'f1'), 'https://t.example/v/XYZ#frame=f1');
});

test('moving a frame that holds 500 elements is one op, and every member follows', () => {
  const members = Array.from({ length: 500 }, (_, i) => rect('m' + i, (i % 25) * 30, Math.floor(i / 25) * 30, 20, 20, { frame: 'f' }));
  const b = board(frame('f', 0, 0, 800, 700), ...members);
  const ops = withFrames([{ o: 'patch', id: 'f', set: { x: 10, y: 5 } }], b.get, b.list);
  assert.equal(ops.length, 1);
  const doc = new Doc();
  doc.reset(b.list, 1);
  doc.applyBroadcast({ t: 'ops', seq: 2, by: 's', at: 1, ops: [{ ...ops[0], v: 1 }] });
  assert.deepEqual([doc.get('m499').x, doc.get('m499').y], [24 * 30 + 10, 19 * 30 + 5]);
  assert.ok(members.every((m) => doc.get(m.id).x === m.x + 10 && doc.get(m.id).y === m.y + 5));
});
