import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCanvas, canvasKey, CANVAS_COLORS } from '../js/canvascolor.js';

const store = (entries) => {
  const m = new Map(entries);
  return { getItem: (k) => m.get(k) ?? null };
};

test('a board is plain until this browser chose a known colour for it', () => {
  assert.equal(readCanvas(store([]), 'b1'), 'plain');
  assert.equal(readCanvas(store([[canvasKey('b1'), 'mint']]), 'b1'), 'mint');
  assert.equal(readCanvas(store([[canvasKey('b1'), 'mint']]), 'b2'), 'plain', 'per board');
  assert.equal(readCanvas(store([[canvasKey('b1'), 'url(x)']]), 'b1'), 'plain', 'unknown values are ignored');
  assert.equal(readCanvas({ getItem: () => { throw new Error('denied'); } }, 'b1'), 'plain');
  assert.equal(CANVAS_COLORS[0].id, 'plain');
});
