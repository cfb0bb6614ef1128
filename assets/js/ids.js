// @ts-check
// Random identifiers. Element ids must be unguessable enough that two clients never
// collide, and short enough to fit the protocol's 32-character limit.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

// 256 is not a multiple of 62: bytes at or above this bound are discarded so that every
// character stays equally likely (no modulo bias).
const UNBIASED = 256 - (256 % ALPHABET.length);

/**
 * Returns n random characters of A-Z a-z 0-9 from the platform's secure generator.
 * @param {number} [n=16]
 * @returns {string}
 */
export function randomId(n = 16) {
  let out = '';
  const bytes = new Uint8Array(n * 2);
  while (out.length < n) {
    crypto.getRandomValues(bytes);
    for (const b of bytes) {
      if (b < UNBIASED && out.length < n) out += ALPHABET[b % ALPHABET.length];
    }
  }
  return out;
}

/**
 * Returns a function producing batch ids ("cid"s) unique to this tab: a random prefix
 * chosen once, then a counter. The server uses the cid to recognise a resent batch, so a
 * cid must never be reused for a different batch.
 * @param {string} [prefix]
 * @returns {() => string}
 */
export function cidMaker(prefix = randomId(8)) {
  let n = 0;
  return () => `${prefix}-${++n}`;
}
