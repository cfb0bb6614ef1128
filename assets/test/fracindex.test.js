import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyBetween, keysBetween, DIGITS } from '../js/fracindex.js';

const VALID = /^[0-9A-Za-z]{1,64}$/;

/** A deterministic generator so a failure can be reproduced. */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** @param {string|null} a @param {string|null} b @param {string} k */
function assertBetween(a, b, k) {
  assert.match(k, VALID, `key ${k} has only base-62 characters`);
  if (a !== null) assert.ok(a < k, `${a} < ${k}`);
  if (b !== null) assert.ok(k < b, `${k} < ${b}`);
}

test('digits are in ASCII order', () => {
  assert.equal([...DIGITS].sort().join(''), DIGITS);
  assert.equal(DIGITS.length, 62);
});

test('first key, and keys at both open ends', () => {
  assert.equal(keyBetween(null, null), 'a0');
  assertBetween('a0', null, keyBetween('a0', null));
  assertBetween(null, 'a0', keyBetween(null, 'a0'));
});

test('between adjacent keys', () => {
  for (const [a, b] of [['a0', 'a1'], ['a0', 'a0V'], ['Zz', 'a0'], ['az', 'b00'], ['a0V', 'a0W'], ['a0', 'a01'], ['a1', 'a1001']]) {
    assertBetween(a, b, keyBetween(a, b));
  }
});

test('refuses a >= b', () => {
  assert.throws(() => keyBetween('a1', 'a0'));
  assert.throws(() => keyBetween('a1', 'a1'));
});

test('appending 10,000 times stays short and ordered', () => {
  let k = null;
  for (let i = 0; i < 10000; i++) {
    const next = keyBetween(k, null);
    assertBetween(k, null, next);
    k = next;
  }
  assert.ok(k.length <= 4, `after 10,000 appends the key is ${k}`);
});

test('prepending 10,000 times stays short and ordered', () => {
  let k = null;
  for (let i = 0; i < 10000; i++) {
    const next = keyBetween(null, k);
    assertBetween(null, k, next);
    k = next;
  }
  assert.ok(k.length <= 4, `after 10,000 prepends the key is ${k}`);
});

test('inserting repeatedly at the same spot stays within 64 characters for 300 inserts', () => {
  const lo = 'a0';
  let hi = 'a1';
  for (let i = 0; i < 300; i++) {
    const k = keyBetween(lo, hi);
    assertBetween(lo, hi, k);
    hi = k;
  }
  assert.ok(hi.length <= 64, `length ${hi.length}`);
});

test('random insertions keep a strictly increasing list', () => {
  const next = rng(42);
  const keys = [];
  for (let i = 0; i < 3000; i++) {
    const at = Math.floor(next() * (keys.length + 1));
    const a = at > 0 ? keys[at - 1] : null;
    const b = at < keys.length ? keys[at] : null;
    const k = keyBetween(a, b);
    assertBetween(a, b, k);
    keys.splice(at, 0, k);
  }
  for (let i = 1; i < keys.length; i++) assert.ok(keys[i - 1] < keys[i]);
  assert.ok(Math.max(...keys.map((k) => k.length)) <= 64);
});

test('keys written by other clients in another shape still get a key between', () => {
  const next = rng(7);
  for (let i = 0; i < 2000; i++) {
    const pick = () => Array.from({ length: 1 + Math.floor(next() * 5) }, () => DIGITS[Math.floor(next() * 62)]).join('');
    let [a, b] = [pick(), pick()].sort();
    // No key exists between a and a followed by zeros; skip those pairs.
    if (a === b || /^0*$/.test(b.slice(a.length)) && b.startsWith(a)) continue;
    assertBetween(a, b, keyBetween(a, b));
    assertBetween(a, null, keyBetween(a, null));
    assertBetween(null, b, keyBetween(null, b));
  }
});

test('keysBetween returns n ordered keys inside the bounds', () => {
  for (const [a, b] of [[null, null], ['a0', null], [null, 'a0'], ['a0', 'a1'], ['a0', 'b00']]) {
    for (const n of [0, 1, 2, 7, 100]) {
      const ks = keysBetween(a, b, n);
      assert.equal(ks.length, n);
      let prev = a;
      for (const k of ks) {
        assertBetween(prev, b, k);
        prev = k;
      }
    }
  }
  assert.ok(Math.max(...keysBetween('a0', 'a1', 1000).map((k) => k.length)) <= 5, 'bisection keeps keys short');
});
