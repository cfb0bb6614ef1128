// The shared apply fixtures: the Go server's tests check its side against the same files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Doc } from '../js/doc.js';

const dir = new URL('../../collab/board/testdata/apply/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

/**
 * The wire form: a field that is zero, "" or false may be omitted (the server omits it),
 * except opacity. Applying a patch can leave such a field present in the JS object.
 */
const canonical = (el) => Object.fromEntries(Object.entries(el).filter(([k, v]) => k === 'opacity' || (v !== 0 && v !== '' && v !== false && v != null)));

test('there are apply fixtures', () => {
  assert.ok(files.length >= 8, `found ${files.length} fixtures in ${dir.pathname}`);
});

for (const file of files) {
  const f = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
  test(`apply fixture ${file}: ${f.name}`, () => {
    const doc = new Doc();
    doc.reset(f.initial, 0);
    for (const b of f.batches) assert.equal(doc.applyBroadcast(b), true, `batch seq ${b.seq} applied`);
    assert.deepEqual(doc.all().map(canonical), f.want.map(canonical));
    assert.equal(doc.seq, f.batches.at(-1).seq);
  });
}
