// @ts-check
// Who you are on boards before you say: a friendly name ("Teal Otter"), made up once and
// remembered in this browser, and changed only if someone already on the board has it
// (and you never chose it yourself). No DOM: node tests check it.

/** Words that read well before an animal; short, so that names fit under an avatar. */
export const ADJECTIVES = [
  'Amber', 'Brave', 'Bright', 'Calm', 'Clever', 'Coral', 'Cosy', 'Curious', 'Dapper', 'Eager',
  'Gentle', 'Golden', 'Happy', 'Jolly', 'Keen', 'Kind', 'Lucky', 'Mellow', 'Merry', 'Misty',
  'Nimble', 'Plucky', 'Polite', 'Quick', 'Quiet', 'Rosy', 'Sandy', 'Sunny', 'Swift', 'Teal',
  'Tidy', 'Witty',
];

/** Animals people recognise, each starting a word of its own. */
export const ANIMALS = [
  'Badger', 'Beaver', 'Bison', 'Crane', 'Dolphin', 'Falcon', 'Fox', 'Gecko', 'Hare', 'Heron',
  'Ibis', 'Koala', 'Lemur', 'Lynx', 'Marten', 'Moose', 'Newt', 'Otter', 'Owl', 'Panda',
  'Puffin', 'Quokka', 'Raven', 'Robin', 'Seal', 'Stoat', 'Swan', 'Tapir', 'Tiger', 'Walrus',
  'Wren', 'Yak',
];

/**
 * A random "Adjective Animal" name that is not in `taken` (compared without case), or,
 * in the unlikely case that many tries all are, one with a number after it.
 * @param {() => number} [random=Math.random]
 * @param {Iterable<string>} [taken=[]]
 * @returns {string}
 */
export function friendlyName(random = Math.random, taken = []) {
  const used = new Set([...taken].map((n) => n.trim().toLowerCase()));
  const pick = (/** @type {readonly string[]} */ words) => words[Math.min(words.length - 1, Math.floor(random() * words.length))];
  let name = '';
  for (let i = 0; i < 64; i++) {
    name = `${pick(ADJECTIVES)} ${pick(ANIMALS)}`;
    if (!used.has(name.toLowerCase())) return name;
  }
  for (let n = 2; ; n++) if (!used.has(`${name} ${n}`.toLowerCase())) return `${name} ${n}`;
}

/**
 * The name to use on a board where `others` are: `name` itself, unless it was made up for
 * you (`chosen` false) and someone else there already has it, when a new made-up name
 * nobody there has. A name you chose is never changed: two people may both be "Ana".
 * @param {{name: string, chosen: boolean}} me
 * @param {Iterable<string>} others the names of the other people on the board
 * @param {() => number} [random=Math.random]
 * @returns {string}
 */
export function nameOnBoard(me, others, random = Math.random) {
  const names = [...others];
  if (me.chosen || !names.some((n) => n.trim().toLowerCase() === me.name.trim().toLowerCase())) return me.name;
  return friendlyName(random, names);
}
