import { test } from 'node:test';
import assert from 'node:assert/strict';
import { friendlyName, nameOnBoard, ADJECTIVES, ANIMALS } from '../js/identity.js';
import { initials } from '../js/presence.js';

/** A repeatable random sequence. */
const seq = (...xs) => {
  let i = 0;
  return () => xs[i++ % xs.length];
};

test('friendly names are an adjective and an animal', () => {
  assert.equal(friendlyName(() => 0), `${ADJECTIVES[0]} ${ANIMALS[0]}`);
  assert.equal(friendlyName(() => 0.9999999), `${ADJECTIVES.at(-1)} ${ANIMALS.at(-1)}`);
  for (let i = 0; i < 200; i++) {
    const name = friendlyName();
    const [a, b, ...rest] = name.split(' ');
    assert.ok(ADJECTIVES.includes(a) && ANIMALS.includes(b) && rest.length === 0, name);
    assert.equal(initials(name), a[0] + b[0]);
  }
});

test('no two words repeat and every name fits an avatar tooltip', () => {
  assert.equal(new Set(ADJECTIVES).size, ADJECTIVES.length);
  assert.equal(new Set(ANIMALS).size, ANIMALS.length);
  for (const w of [...ADJECTIVES, ...ANIMALS]) assert.match(w, /^[A-Z][a-z]+$/);
  assert.ok(ADJECTIVES.length * ANIMALS.length >= 1000, 'enough names that clashes are rare');
});

test('a friendly name avoids the names taken', () => {
  const taken = [`${ADJECTIVES[0]} ${ANIMALS[0]}`.toUpperCase()];
  assert.equal(friendlyName(seq(0, 0, 0, 0.5), taken), `${ADJECTIVES[0]} ${ANIMALS[Math.floor(0.5 * ANIMALS.length)]}`);
  // Every try taken: a number after it.
  assert.equal(friendlyName(() => 0, [`${ADJECTIVES[0]} ${ANIMALS[0]}`, `${ADJECTIVES[0]} ${ANIMALS[0]} 2`]), `${ADJECTIVES[0]} ${ANIMALS[0]} 3`);
});

test('a made-up name that someone on the board has is made up again; a chosen one is kept', () => {
  const me = { name: 'Teal Otter', chosen: false };
  assert.equal(nameOnBoard(me, ['Ana', 'Bo']), 'Teal Otter');
  const again = nameOnBoard(me, ['teal otter'], seq(0));
  assert.notEqual(again.toLowerCase(), 'teal otter');
  assert.equal(again, `${ADJECTIVES[0]} ${ANIMALS[0]}`);
  assert.equal(nameOnBoard({ name: 'Ana', chosen: true }, ['Ana']), 'Ana');
});
