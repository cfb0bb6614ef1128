import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canvasId, CANVAS_COLORS } from '../js/canvascolor.js';

test('a board shows a known canvas colour, else plain', () => {
  assert.equal(canvasId('mint'), 'mint');
  assert.equal(canvasId(undefined), 'plain');
  assert.equal(canvasId(''), 'plain');
  assert.equal(canvasId('url(x)'), 'plain', 'unknown values are ignored');
  assert.equal(canvasId('constructor'), 'plain');
  assert.equal(CANVAS_COLORS[0].id, 'plain');
});
