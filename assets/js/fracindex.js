// @ts-check
// Fractional indexing: ordering keys for elements (`z`) such that a key can always be
// made between any two others, so inserting never renumbers anything.
//
// A key is an "integer" part followed by an optional "fraction":
//   - the first character (the head) says how many digits the integer has: `a` one,
//     `b` two, … `z` twenty-six; `Z` one, `Y` two, … `A` twenty-six. Heads `A`-`Z` sort
//     before `a`-`z`, so integers with upper-case heads come first, and among them the
//     longer ones come first; among lower-case heads the longer ones come last.
//   - the fraction is a base-62 fraction that never ends in `0` (so no two keys are
//     equal as numbers but different as strings).
// Appending at the end increments the integer, so n appends make keys of length about
// log62(n) + 1; inserting between two neighbours grows the fraction by about one
// character per six insertions at the same spot.
//
// Keys written by other clients may not follow this shape; for those we fall back to
// treating the whole key as a fraction, which still yields a key strictly between.

export const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = DIGITS.length;
const FIRST = 'a0';

/** @param {string} c */
const digit = (c) => DIGITS.indexOf(c);

/**
 * Number of characters of the integer part (head included) for a head character, or 0
 * when the character is not a head.
 * @param {string} head
 */
function integerLength(head) {
  if (head >= 'a' && head <= 'z') return head.charCodeAt(0) - 97 + 2;
  if (head >= 'A' && head <= 'Z') return 90 - head.charCodeAt(0) + 2;
  return 0;
}

/**
 * Splits a key into integer and fraction, or returns null when the key does not have
 * the shape described above.
 * @param {string} key
 * @returns {[string, string] | null}
 */
function split(key) {
  const n = integerLength(key[0] ?? '');
  if (n === 0 || key.length < n) return null;
  const frac = key.slice(n);
  if (frac.endsWith('0')) return null;
  return [key.slice(0, n), frac];
}

/**
 * The integer after `int`, or null past the largest one.
 * @param {string} int
 * @returns {string | null}
 */
function increment(int) {
  const head = int[0];
  const ds = int.slice(1).split('');
  for (let i = ds.length - 1; i >= 0; i--) {
    const d = digit(ds[i]);
    if (d < BASE - 1) {
      ds[i] = DIGITS[d + 1];
      return head + ds.join('');
    }
    ds[i] = '0';
  }
  // Every digit overflowed: move to the next head, whose integers follow these.
  if (head === 'Z') return 'a0';
  if (head === 'z') return null;
  const next = String.fromCharCode(head.charCodeAt(0) + 1);
  return next + '0'.repeat(integerLength(next) - 1);
}

/**
 * The integer before `int`, or null before the smallest one.
 * @param {string} int
 * @returns {string | null}
 */
function decrement(int) {
  const head = int[0];
  const ds = int.slice(1).split('');
  for (let i = ds.length - 1; i >= 0; i--) {
    const d = digit(ds[i]);
    if (d > 0) {
      ds[i] = DIGITS[d - 1];
      return head + ds.join('');
    }
    ds[i] = DIGITS[BASE - 1];
  }
  if (head === 'a') return 'Zz';
  if (head === 'A') return null;
  const prev = String.fromCharCode(head.charCodeAt(0) - 1);
  return prev + DIGITS[BASE - 1].repeat(integerLength(prev) - 1);
}

/**
 * A base-62 fraction strictly between a and b (b null: no upper bound), read as digits
 * after the point. The result never ends in `0`. Throws when no such string exists,
 * which happens only when b is a followed by zeros.
 * @param {string} a
 * @param {string | null} b
 * @returns {string}
 */
function midpoint(a, b) {
  if (b !== null) {
    // Copy the common prefix (a is read as padded with zeros), then work on the rest.
    let n = 0;
    while (n < b.length && (a[n] ?? '0') === b[n]) n++;
    if (n === b.length) throw new Error(`no key between ${a} and ${b}`);
    if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n));
  }
  const lo = a ? digit(a[0]) : 0;
  const hi = b !== null ? digit(b[0]) : BASE;
  if (hi - lo > 1) return DIGITS[Math.floor((lo + hi) / 2)];
  // Adjacent digits. A longer b has its first digit as a shorter key just below it;
  // otherwise keep a's digit and go one place further.
  if (b !== null && b.length > 1) return b[0];
  return DIGITS[lo] + midpoint(a.slice(1), null);
}

/**
 * Returns a key strictly between a and b; null means "no bound" on that side.
 * Throws when a >= b.
 * @param {string | null} a
 * @param {string | null} b
 * @returns {string}
 */
export function keyBetween(a, b) {
  if (a !== null && b !== null && a >= b) throw new Error(`keyBetween: ${a} >= ${b}`);
  const pa = a === null ? null : split(a);
  const pb = b === null ? null : split(b);
  if ((a !== null && !pa) || (b !== null && !pb)) return midpoint(a ?? '', b);

  if (!pa && !pb) return FIRST;
  if (!pa && pb) {
    const [int, frac] = pb;
    if (frac) return int;
    const prev = decrement(int);
    return prev ?? midpoint('', b);
  }
  if (pa && !pb) {
    const [int, frac] = pa;
    return increment(int) ?? int + midpoint(frac, null);
  }
  const [ia, fa] = /** @type {[string, string]} */ (pa);
  const [ib, fb] = /** @type {[string, string]} */ (pb);
  if (ia === ib) return ia + midpoint(fa, fb);
  // Different integers: the next integer is shorter than any fraction, if it fits.
  const next = increment(ia);
  if (next !== null && next < /** @type {string} */ (b)) return next;
  return ia + midpoint(fa, null);
}

/**
 * Returns n keys in ascending order, all strictly between a and b. Between two bounds
 * the keys are made by bisection, so they stay short.
 * @param {string | null} a
 * @param {string | null} b
 * @param {number} n
 * @returns {string[]}
 */
export function keysBetween(a, b, n) {
  if (n <= 0) return [];
  if (n === 1) return [keyBetween(a, b)];
  if (b === null) {
    const out = [];
    for (let k = a; out.length < n; ) out.push((k = keyBetween(k, null)));
    return out;
  }
  if (a === null) {
    const out = [];
    for (let k = b; out.length < n; ) out.push((k = keyBetween(null, k)));
    return out.reverse();
  }
  const mid = keyBetween(a, b);
  const left = Math.floor(n / 2);
  return [...keysBetween(a, mid, left), mid, ...keysBetween(mid, b, n - left - 1)];
}
