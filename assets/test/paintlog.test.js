import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PaintLog } from '../js/paintlog.js';

/** A PaintLog on a clock the test moves. */
function log(limit) {
  const clock = { t: 1000 };
  return { clock, p: new PaintLog(() => clock.t, limit) };
}

test('an element is stamped by the first scene frame after it arrived that drew it', () => {
  const { clock, p } = log();
  p.sceneDrawn(() => true);
  assert.equal(p.element.size, 0, 'nothing arrived, nothing stamped');
  p.arrive('a');
  p.arrive('off');
  clock.t = 1016.5;
  p.sceneDrawn((id) => id !== 'off');
  assert.deepEqual([...p.element], [['a', 1016.5]]);
  // A later frame keeps the first time; one not drawn in its first frame is forgotten.
  clock.t = 1033;
  p.sceneDrawn(() => true);
  assert.deepEqual([...p.element], [['a', 1016.5]]);
  assert.equal(p.arrived.size, 0);
  // Put again (someone changed it wholesale): still the first time it was drawn.
  p.arrive('a');
  p.sceneDrawn(() => true);
  assert.equal(p.element.get('a'), 1016.5);
});

test('a preview is stamped the first time it is drawn', () => {
  const { clock, p } = log();
  p.previewDrawn('s');
  clock.t = 2000;
  p.previewDrawn('s');
  p.previewDrawn('t');
  assert.deepEqual([...p.preview], [['s', 1000], ['t', 2000]]);
});

test('only the newest entries are kept', () => {
  const { p } = log(3);
  for (const id of ['a', 'b', 'c', 'd', 'e']) {
    p.previewDrawn(id);
    p.arrive(id);
  }
  assert.deepEqual([...p.preview.keys()], ['c', 'd', 'e']);
  // A page that draws no frames (a hidden tab) does not pile up arrivals either.
  assert.deepEqual([...p.arrived], ['c', 'd', 'e']);
  p.sceneDrawn(() => true);
  p.arrive('f');
  p.sceneDrawn(() => true);
  assert.deepEqual([...p.element.keys()], ['d', 'e', 'f']);
});

test('a batch is stamped by the first scene frame after it arrived, once', () => {
  const { clock, p } = log(2);
  p.arriveBatch(7);
  clock.t = 1010;
  p.sceneDrawn(() => false); // a move of elements off screen is still a frame later
  clock.t = 1020;
  p.sceneDrawn(() => true);
  assert.deepEqual([...p.batch], [[7, 1010]]);
  p.arriveBatch(8);
  p.arriveBatch(9);
  p.sceneDrawn(() => true);
  assert.deepEqual([...p.batch], [[8, 1020], [9, 1020]]);
});
