import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serialize, parsePaste, cloneElements, offsetTo, CLIP_TYPE } from '../js/clipboard.js';
import { checkElement, parseHex } from '../js/elements.js';

const rect = (id, extra = {}) => ({ id, type: 'rect', x: 10, y: 20, w: 100, h: 50, stroke: '#1e1e1e', opacity: 1, z: 'a0', ...extra });

test('checkElement accepts protocol elements and drops server bookkeeping', () => {
  assert.deepEqual(checkElement({ ...rect('a'), v: 3, by: 's', at: 1 }), rect('a'));
  assert.match(checkElement({ ...rect('a'), evil: 1 }), /unknown field "evil"/);
  assert.match(checkElement({ ...rect('a'), stroke: 'red' }), /bad value for "stroke"/);
  assert.match(checkElement({ ...rect('a'), stroke: 'url(javascript:1)' }), /stroke/);
  assert.match(checkElement({ ...rect('a'), x: 1e9 }), /"x"/);
  assert.match(checkElement({ ...rect('a'), x: '10' }), /"x"/);
  assert.match(checkElement({ ...rect('a'), id: 'has space' }), /"id"/);
  assert.match(checkElement({ ...rect('a'), type: 'circle' }), /"type"/);
  assert.match(checkElement({ type: 'rect' }), /no id/);
  assert.match(checkElement({ ...rect('a'), points: [[0, 0, 2]] }), /points/);
  assert.match(checkElement({ ...rect('a'), src: 'http://x/y.png' }), /src/);
  assert.match(checkElement(null), /not an object/);
  assert.match(checkElement([1]), /not an object/);
  assert.match(checkElement({ ...rect('a'), text: 'x'.repeat(30) }, { maxText: 10 }), /text over/);
});

test('parseHex makes #rrggbb from what people type', () => {
  assert.equal(parseHex('#AbC123'), '#abc123');
  assert.equal(parseHex('abc123'), '#abc123');
  assert.equal(parseHex(' #abc '), '#aabbcc');
  assert.equal(parseHex('#abcd'), null);
  assert.equal(parseHex('red'), null);
  assert.equal(parseHex('#12345g'), null);
});

test('serialize and parsePaste round-trip', () => {
  const text = serialize([{ ...rect('a'), v: 2, by: 's', at: 5 }, rect('b', { group: 'g1' })], { ['sha256:' + 'a'.repeat(64)]: 'data:image/png;base64,AAAA' });
  const got = parsePaste(text);
  assert.equal(got.kind, 'elements');
  assert.deepEqual(got.elements, [rect('a'), rect('b', { group: 'g1' })]);
  assert.equal(got.skipped, 0);
  assert.deepEqual(Object.keys(got.files), ['sha256:' + 'a'.repeat(64)]);
});

test('parsePaste: plain text, wrong JSON, bad elements', () => {
  assert.deepEqual(parsePaste('hello\nworld'), { kind: 'text', text: 'hello\nworld' });
  assert.deepEqual(parsePaste('{not json'), { kind: 'text', text: '{not json' });
  assert.deepEqual(parsePaste('42'), { kind: 'text', text: '42' });
  for (const wrong of ['{"a":1}', '[1,2,3]', '{"type":"tabula/elements"}', '{"type":"excalidraw/clipboard","elements":[]}', 'null', '{"type":"tabula/elements","elements":{}}']) {
    const got = parsePaste(wrong);
    if (wrong === 'null') {
      assert.equal(got.kind, 'text');
      continue;
    }
    assert.equal(got.kind, 'error', wrong);
    assert.match(got.message, /not Tabula drawing data/);
  }
  const allBad = parsePaste(JSON.stringify({ type: CLIP_TYPE, elements: [{ id: 'a', type: 'rect', stroke: 'red' }, 5] }));
  assert.equal(allBad.kind, 'error');
  assert.match(allBad.message, /None of the 2 pasted elements/);
  const some = parsePaste(JSON.stringify({ type: CLIP_TYPE, elements: [rect('a'), { id: 'b', type: 'nope' }, rect('c', { deleted: true })] }));
  assert.equal(some.kind, 'elements');
  assert.deepEqual(some.elements.map((e) => e.id), ['a']);
  assert.equal(some.skipped, 1);
  assert.equal(parsePaste('   ').kind, 'error');
  const badFiles = parsePaste(JSON.stringify({ type: CLIP_TYPE, elements: [rect('a')], files: { x: 'data:image/png;base64,AA', ['sha256:' + 'b'.repeat(64)]: 'javascript:alert(1)' } }));
  assert.deepEqual(badFiles.files, {});
});

test('cloneElements gives new ids and groups, keeps inner bindings, drops outer ones', () => {
  let n = 0;
  const newId = () => `n${++n}`;
  const arrow = { id: 'x', type: 'arrow', x: 0, y: 0, points: [[0, 0], [5, 5]], startBind: 'a', endBind: 'zz', group: 'g', z: 'a2' };
  const out = cloneElements([rect('b', { z: 'a1', group: 'g' }), rect('a', { z: 'a0' }), arrow], { dx: 5, dy: -5, zs: ['k1', 'k2', 'k3'], newId });
  assert.deepEqual(out.map((e) => e.z), ['k1', 'k2', 'k3'], 'keys in drawing order');
  const [a, b, x] = out;
  assert.notEqual(a.id, 'a');
  assert.equal(x.startBind, a.id);
  assert.equal(x.endBind, undefined);
  assert.equal(b.group, x.group);
  assert.notEqual(b.group, 'g');
  assert.equal(a.x, 15);
  assert.equal(a.y, 15);
});

test('offsetTo centres elements on a point', () => {
  assert.deepEqual(offsetTo([rect('a')], [0, 0]), { dx: -60, dy: -45 });
  assert.deepEqual(offsetTo([], [0, 0]), { dx: 0, dy: 0 });
});

test('cloneElements leaves the page to the paste: a copy goes on the page it lands on', () => {
  let n = 0;
  const out = cloneElements([{ id: 'a', type: 'rect', page: 'p2', z: 'a0' }], { dx: 0, dy: 0, zs: ['k1'], newId: () => `n${++n}` });
  assert.equal(out[0].page, undefined);
});
