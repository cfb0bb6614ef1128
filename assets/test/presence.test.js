import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  toPerson, applyPresence, withSelf, others, collapse, initials, describe, cleanName, countIds, countLabel,
  MAX_SHOWN, MAX_NAME, MAX_COUNT_IDS,
} from '../js/presence.js';

const ana = { sid: 'a', name: 'Ana', color: '#e03131', role: 'editor', since: 100, idle: false, voice: '' };
const bo = { sid: 'b', name: 'Bo', color: '#1971c2', role: 'viewer', since: 200, idle: false, voice: 'in' };
const cy = { sid: 'c', name: 'Cy', color: '#2f9e44', role: 'editor', since: 50, idle: true, voice: '' };

test('a roster event replaces everything; join, update and leave change one person', () => {
  let r = applyPresence(new Map(), 'roster', [ana, bo]);
  assert.deepEqual([...r.keys()], ['a', 'b']);
  r = applyPresence(r, 'join', cy);
  assert.deepEqual([...r.keys()], ['a', 'b', 'c']);
  r = applyPresence(r, 'update', { ...ana, name: 'Ana L', voice: 'speaking' });
  assert.equal(r.get('a')?.name, 'Ana L');
  assert.equal(r.get('a')?.voice, 'speaking');
  r = applyPresence(r, 'leave', { sid: 'b' });
  assert.deepEqual([...r.keys()], ['a', 'c']);
  // After a reconnect the server may send a fresh roster: whoever is missing is gone.
  r = applyPresence(r, 'roster', [bo]);
  assert.deepEqual([...r.keys()], ['b']);
});

test('applyPresence does not change its input and ignores junk', () => {
  const r0 = applyPresence(new Map(), 'roster', [ana]);
  const r1 = applyPresence(r0, 'join', bo);
  assert.equal(r0.size, 1);
  assert.equal(r1.size, 2);
  for (const [type, data] of [['join', null], ['join', { name: 'no sid' }], ['leave', { sid: 'nobody' }], ['leave', 'x'], ['roster', 'x'], ['counts', {}]]) {
    assert.equal(applyPresence(r1, type, data), r1, `${type} ${JSON.stringify(data)}`);
  }
  const r2 = applyPresence(r1, 'roster', [ana, null, { sid: '' }, 7]);
  assert.deepEqual([...r2.keys()], ['a']);
});

test('toPerson fills in and checks every field', () => {
  assert.deepEqual(toPerson({ sid: 'x' }), { sid: 'x', name: '', color: '#868e96', role: 'editor', since: 0, idle: false, voice: '' });
  const p = toPerson({ sid: 'x', name: 5, color: 'red;background:url(x)', role: 'admin', since: 'soon', idle: 'yes', voice: 'shouting' });
  assert.deepEqual(p, { sid: 'x', name: '', color: '#868e96', role: 'editor', since: 0, idle: false, voice: '' });
  assert.equal(toPerson({ ...bo })?.role, 'viewer');
  assert.equal(toPerson({ sid: 'x', color: '#ABC' })?.color, '#ABC');
});

test('withSelf puts you in with your own name and colour, and drops your old sessions', () => {
  const r = applyPresence(new Map(), 'roster', [ana, { ...bo, sid: 'old-me', name: 'Me' }]);
  const me = { sid: 'me', name: 'Me', color: '#9c36b5', role: /** @type {const} */ ('editor') };
  const w = withSelf(r, me, ['old-me']);
  assert.deepEqual([...w.keys()], ['a', 'me']);
  assert.deepEqual(w.get('me'), { sid: 'me', name: 'Me', color: '#9c36b5', role: 'editor', since: 0, idle: false, voice: '' });
  // Known to the server: its idle and voice state stay, the local name wins.
  const r2 = applyPresence(r, 'join', { sid: 'me', name: 'Old name', color: '#000', role: 'editor', since: 5, idle: true, voice: 'muted' });
  assert.deepEqual(withSelf(r2, me).get('me'), { sid: 'me', name: 'Me', color: '#9c36b5', role: 'editor', since: 5, idle: true, voice: 'muted' });
  assert.equal(r.size, 2, 'the input is not changed');
});

test('others: active before idle, then by arrival, without you', () => {
  const r = applyPresence(new Map(), 'roster', [bo, cy, ana, { ...ana, sid: 'me', since: 1 }]);
  assert.deepEqual(others(r, 'me').map((p) => p.sid), ['a', 'b', 'c']);
  const tie = applyPresence(new Map(), 'roster', [{ ...ana, sid: 'z' }, { ...ana, sid: 'y' }]);
  assert.deepEqual(others(tie, '').map((p) => p.sid), ['y', 'z']);
});

test('collapse shows up to MAX_SHOWN, then MAX_SHOWN - 1 and "+N", keeping whom you follow', () => {
  const people = (k) => Array.from({ length: k }, (_, i) => toPerson({ sid: `p${i}` }));
  const sids = ({ shown, more }) => ({ shown: shown.map((p) => p.sid), more });
  const first = (k) => people(k).map((p) => p.sid);
  assert.deepEqual(sids(collapse(people(0))), { shown: [], more: 0 });
  assert.deepEqual(sids(collapse(people(MAX_SHOWN))), { shown: first(MAX_SHOWN), more: 0 });
  assert.deepEqual(sids(collapse(people(MAX_SHOWN + 1))), { shown: first(MAX_SHOWN - 1), more: 2 });
  assert.deepEqual(sids(collapse(people(30), 4)), { shown: ['p0', 'p1', 'p2'], more: 27 });
  assert.deepEqual(sids(collapse(people(30), 4, 'p20')), { shown: ['p0', 'p1', 'p20'], more: 27 });
  assert.deepEqual(sids(collapse(people(30), 4, 'p1')), { shown: ['p0', 'p1', 'p2'], more: 27 });
  assert.deepEqual(sids(collapse(people(30), 1, 'p20')), { shown: [], more: 30 });
});

test('initials', () => {
  const cases = [
    ['Ana', 'A'],
    ['ana lima', 'AL'],
    ['  Jean-Luc   de la Fontaine ', 'JF'],
    ['', '?'],
    ['   ', '?'],
    ['élodie', 'É'],
    ['🎨 Paint', '🎨P'],
    ['👩‍👩‍👧 family', '👩‍👩‍👧F'],
    ['(Bo)', 'B'],
    ['<img src=x onerror=alert(1)>', 'IO'],
    ['<<>>', '<'],
  ];
  for (const [name, want] of cases) assert.equal(initials(name), want, JSON.stringify(name));
});

test('describe', () => {
  assert.equal(describe(toPerson(ana), 'a'), 'Ana (you)');
  assert.equal(describe(toPerson(bo), 'a'), 'Bo · viewer · in voice');
  assert.equal(describe(toPerson({ ...cy, name: ' ', voice: 'speaking' }), 'a'), 'Anonymous · idle · speaking');
  assert.equal(describe(toPerson({ ...cy, idle: false, voice: 'muted' }), 'a'), 'Cy · muted');
});

test('cleanName trims, drops control characters and caps the length in characters', () => {
  assert.equal(cleanName('  Ana \n'), 'Ana');
  assert.equal(cleanName('A\u0000n\u0007a\u009b'), 'Ana');
  assert.equal(cleanName('x'.repeat(100)), 'x'.repeat(MAX_NAME));
  assert.equal([...cleanName('🎨'.repeat(50))].length, MAX_NAME, 'emoji count as one character each');
  assert.equal(cleanName('a'.repeat(39) + ' b'), 'a'.repeat(39), 'no trailing space after the cut');
  assert.equal(cleanName('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>', 'markup is text, kept as typed');
});

test('countIds and countLabel', () => {
  const boards = Array.from({ length: 60 }, (_, i) => ({ id: `b${i % 55}` }));
  const ids = countIds(boards);
  assert.equal(ids.length, MAX_COUNT_IDS);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(ids.slice(0, 2), ['b0', 'b1']);
  assert.equal(countLabel(0), '');
  assert.equal(countLabel(undefined), '');
  assert.equal(countLabel(-1), '');
  assert.equal(countLabel(1), '1 here');
  assert.equal(countLabel(12), '12 here');
});
