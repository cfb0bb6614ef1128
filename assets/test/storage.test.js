import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBoards, rememberBoard, forgetBoard, loadUser, saveUser, BOARDS_KEY, USER_KEY, MAX_BOARDS, PALETTE } from '../js/storage.js';
import { randomId, cidMaker } from '../js/ids.js';

const memory = (init = {}) => {
  const m = new Map(Object.entries(init));
  return { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => m.set(k, String(v)), m };
};

test('remembered boards come back newest first, renamed in place', () => {
  const s = memory();
  rememberBoard(s, { id: 'b1', role: 'editor', title: 'One' }, 1000);
  rememberBoard(s, { id: 'v2', role: 'viewer', title: 'Two' }, 2000);
  rememberBoard(s, { id: 'b1', role: 'editor', title: 'One, renamed' }, 3000);
  assert.deepEqual(loadBoards(s), [
    { id: 'b1', role: 'editor', title: 'One, renamed', at: 3000 },
    { id: 'v2', role: 'viewer', title: 'Two', at: 2000 },
  ]);
  forgetBoard(s, 'b1');
  assert.deepEqual(loadBoards(s).map((b) => b.id), ['v2']);
});

test('the list is capped and junk is skipped', () => {
  const s = memory();
  for (let i = 0; i < MAX_BOARDS + 10; i++) rememberBoard(s, { id: `b${i}`, role: 'editor', title: '' }, i);
  assert.equal(loadBoards(s).length, MAX_BOARDS);
  const junk = memory({ [BOARDS_KEY]: JSON.stringify([{ id: '../x', role: 'editor' }, { id: 'ok', role: 'admin' }, null, { id: 'fine', role: 'viewer', title: 5 }]) });
  assert.deepEqual(loadBoards(junk), [{ id: 'fine', role: 'viewer', title: '', at: 0 }]);
  assert.deepEqual(loadBoards(memory({ [BOARDS_KEY]: '{not json' })), []);
});

test('user name and colour persist; bad colours are replaced', () => {
  const s = memory();
  const u = loadUser(s, () => 0);
  assert.deepEqual(u, { name: 'Amber Badger', color: PALETTE[0], chosen: false });
  saveUser(s, u);
  assert.deepEqual(loadUser(s, () => 0.99), u, 'a made-up name is remembered, not made up again');
  saveUser(s, { name: 'Ana', color: '#e03131', chosen: true });
  assert.deepEqual(loadUser(s), { name: 'Ana', color: '#e03131', chosen: true });
  const old = memory({ [USER_KEY]: JSON.stringify({ name: 'Bo', color: '#e03131' }) });
  assert.equal(loadUser(old).chosen, true, 'a name saved before names were made up was typed');
  const empty = memory({ [USER_KEY]: JSON.stringify({ name: '  ', color: '#e03131' }) });
  assert.deepEqual(loadUser(empty, () => 0), { name: 'Amber Badger', color: '#e03131', chosen: false });
  const bad = memory({ [USER_KEY]: JSON.stringify({ name: 'Bo', color: 'red;}' }) });
  assert.equal(loadUser(bad, () => 0).color, PALETTE[0]);
});

test('a full storage does not throw', () => {
  const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
  const warn = console.warn;
  console.warn = () => {};
  try {
    assert.doesNotThrow(() => rememberBoard(full, { id: 'b', role: 'editor', title: '' }));
  } finally {
    console.warn = warn;
  }
});

test('ids: 16 characters of A-Za-z0-9 by default, all distinct', () => {
  const seen = new Set();
  for (let i = 0; i < 2000; i++) {
    const id = randomId();
    assert.match(id, /^[A-Za-z0-9]{16}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 2000);
  assert.match(randomId(5), /^[A-Za-z0-9]{5}$/);
});

test('cids share a prefix and count up', () => {
  const next = cidMaker('tab');
  assert.deepEqual([next(), next(), next()], ['tab-1', 'tab-2', 'tab-3']);
  assert.match(cidMaker()(), /^[A-Za-z0-9]{8}-1$/);
});
