import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportURL, fileName } from '../js/export.js';
import { groupSessions, describe } from '../js/history.js';

test('exportURL leaves defaults out and keeps options', () => {
  assert.equal(exportURL('/b/x', { format: 'png' }), '/b/x/export.png');
  assert.equal(
    exportURL('/b/x', { format: 'png', background: false, theme: 'dark', scale: 2, ids: ['a', 'b'], at: 7 }),
    '/b/x/export.png?background=off&theme=dark&scale=2&ids=a%2Cb&at=7',
  );
  assert.equal(exportURL('/v/y', { format: 'svg', scale: 3 }), '/v/y/export.svg', 'scale is for PNG only');
  assert.equal(exportURL('/b/x', { format: 'json', theme: 'dark', at: 3 }), '/b/x/export.json?at=3');
});

test('fileName is the title and the day, safe for file systems', () => {
  const day = new Date(2026, 10, 24, 15, 0);
  assert.equal(fileName('Sprint plan', day, 'png'), 'Sprint plan-2026-11-24.png');
  assert.equal(fileName('a/b:c*?"<>|', day, 'svg'), 'a-b-c-------2026-11-24.svg');
  assert.equal(fileName('  ..  ', day, 'pdf'), 'board-2026-11-24.pdf');
  assert.equal(fileName('Plan\u202e', day, 'json', 42), 'Plan-2026-11-24-v42.json');
});

const entry = (seq, by, at, put = 0, patch = 0, del = 0) => ({ seq, by, name: by.toUpperCase(), color: '#000', at, put, patch, del });

test('groupSessions joins one person working without a long pause', () => {
  const min = 60_000;
  const sessions = groupSessions([
    entry(6, 'ana', 100 * min, 0, 1),
    entry(5, 'ana', 99 * min, 1),
    entry(4, 'bo', 98 * min, 0, 0, 1),
    entry(3, 'ana', 50 * min, 2),
    entry(2, 'ana', 10 * min, 1),
    entry(1, 'ana', 9 * min, 1),
  ]);
  assert.deepEqual(
    sessions.map((s) => [s.by, s.from, s.to, s.count]),
    [['ana', 5, 6, 2], ['bo', 4, 4, 1], ['ana', 3, 3, 1], ['ana', 1, 2, 2]],
  );
  assert.equal(sessions[0].put, 1);
  assert.equal(sessions[0].patch, 1);
});

test('describe sums a session up', () => {
  assert.equal(describe({ name: 'Ana', put: 3, patch: 5, del: 1 }), 'Ana added 3 elements, changed 5 and deleted 1');
  assert.equal(describe({ name: 'Bo', put: 1, patch: 0, del: 0 }), 'Bo added 1 element');
  assert.equal(describe({ name: '', put: 0, patch: 0, del: 0 }), 'Someone made no visible change');
});

test('exportURL asks for one frame or every frame', () => {
  assert.equal(exportURL('/b/x', { format: 'png', frame: 'f1' }), '/b/x/export.png?frame=f1');
  assert.equal(exportURL('/b/x', { format: 'pdf', frames: true, ids: ['a'] }), '/b/x/export.pdf?frames=all');
  assert.equal(exportURL('/v/x', { format: 'svg', frame: 'f1', ids: ['a'], theme: 'dark' }), '/v/x/export.svg?theme=dark&frame=f1');
});

test('export of a page: images of the page shown, a board file and a deck of every page', () => {
  assert.equal(exportURL('/b/x', { format: 'png', page: 'p2' }), '/b/x/export.png?page=p2');
  assert.equal(exportURL('/b/x', { format: 'json', page: 'p2' }), '/b/x/export.json');
  assert.equal(exportURL('/b/x', { format: 'pdf', page: 'p2', frames: true }), '/b/x/export.pdf?frames=all');
});
