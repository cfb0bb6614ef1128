// @ts-check
// Who is on a board, as the presence stream reports it (docs/protocol.md, "Presence"):
// applying its events to a roster, the order people are shown in, initials for avatars,
// and the people-count labels of the home page. No DOM: the board page renders what these
// functions return, and node tests check them.

/**
 * @typedef {'' | 'in' | 'muted' | 'speaking'} Voice
 * @typedef {{
 *   sid: string, name: string, color: string, role: 'editor' | 'viewer',
 *   since: number, idle: boolean, voice: Voice, presenting?: boolean,
 * }} Person
 * @typedef {ReadonlyMap<string, Person>} Roster
 */

/** Avatars shown before the rest collapse into "+N". */
export const MAX_SHOWN = 8;
/** Longest name the server keeps, in characters. */
export const MAX_NAME = 40;
/** Most boards one counts stream may watch (the server refuses more). */
export const MAX_COUNT_IDS = 50;
/** Shown for people who have not chosen a name. */
export const ANONYMOUS = 'Anonymous';

const COLOR = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;
const VOICES = new Set(['', 'in', 'muted', 'speaking']);
/** Colour of an avatar whose colour is missing or malformed. */
const FALLBACK_COLOR = '#868e96';

/**
 * A Person from what the server sent, with every field of the right type, or null when
 * it has no session id. The colour is checked because it ends up in a style.
 * @param {any} raw
 * @returns {Person | null}
 */
export function toPerson(raw) {
  if (!raw || typeof raw !== 'object' || typeof raw.sid !== 'string' || raw.sid === '') return null;
  return {
    sid: raw.sid,
    name: typeof raw.name === 'string' ? raw.name : '',
    color: typeof raw.color === 'string' && COLOR.test(raw.color) ? raw.color : FALLBACK_COLOR,
    role: raw.role === 'viewer' ? 'viewer' : 'editor',
    since: Number.isFinite(raw.since) ? raw.since : 0,
    idle: raw.idle === true,
    voice: VOICES.has(raw.voice) ? raw.voice : '',
    ...(raw.presenting === true ? { presenting: true } : {}),
  };
}

/**
 * The roster after one presence event. `roster` replaces everything (it is what a new or
 * restarted stream begins with); `join` and `update` add or replace one person; `leave`
 * removes one. Unknown events and malformed data leave the roster as it was. The input
 * is not changed.
 * @param {Roster} roster
 * @param {string} type the SSE event name
 * @param {any} data the event's parsed JSON
 * @returns {Roster}
 */
export function applyPresence(roster, type, data) {
  switch (type) {
    case 'roster': {
      if (!Array.isArray(data)) return roster;
      const next = new Map();
      for (const raw of data) {
        const p = toPerson(raw);
        if (p) next.set(p.sid, p);
      }
      return next;
    }
    case 'join':
    case 'update': {
      const p = toPerson(data);
      if (!p) return roster;
      return new Map(roster).set(p.sid, p);
    }
    case 'leave': {
      if (typeof data?.sid !== 'string' || !roster.has(data.sid)) return roster;
      const next = new Map(roster);
      next.delete(data.sid);
      return next;
    }
    default:
      return roster;
  }
}

/**
 * The roster with you in it as you know yourself: your own name and colour win over the
 * server's (a rename shows at once), and you are there even before the server lists you.
 * Sessions you had before a reconnect are left out; the server drops them shortly.
 * @param {Roster} roster
 * @param {{sid: string, name: string, color: string, role: 'editor' | 'viewer'}} me
 * @param {Iterable<string>} [formerSids]
 * @returns {Roster}
 */
export function withSelf(roster, me, formerSids = []) {
  const next = new Map(roster);
  for (const sid of formerSids) if (sid !== me.sid) next.delete(sid);
  const known = roster.get(me.sid);
  const base = known ?? { sid: me.sid, since: 0, idle: false, voice: /** @type {Voice} */ ('') };
  next.set(me.sid, { ...base, sid: me.sid, name: me.name, color: COLOR.test(me.color) ? me.color : FALLBACK_COLOR, role: me.role });
  return next;
}

/**
 * Everyone but you, in the order the panel shows them: people who are here before people
 * who are idle, then by arrival (earliest first), so that the row does not reshuffle while
 * people talk or move.
 * @param {Roster} roster
 * @param {string} selfSid
 * @returns {Person[]}
 */
export function others(roster, selfSid) {
  return [...roster.values()]
    .filter((p) => p.sid !== selfSid)
    .sort((a, b) => Number(a.idle) - Number(b.idle) || a.since - b.since || (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0));
}

/**
 * Splits people into the avatars shown and how many collapse into "+N". With more than
 * `max`, max - 1 are shown so that the "+N" chip takes the last place. The person with
 * sid `keep` (whom you follow) is shown even when they would have collapsed, in the
 * last place.
 * @param {readonly Person[]} people
 * @param {number} [max=MAX_SHOWN]
 * @param {string} [keep]
 * @returns {{shown: Person[], more: number}}
 */
export function collapse(people, max = MAX_SHOWN, keep = '') {
  if (people.length <= max) return { shown: [...people], more: 0 };
  const shown = people.slice(0, Math.max(0, max - 1));
  const kept = keep ? people.find((p) => p.sid === keep) : undefined;
  if (kept && shown.length && !shown.includes(kept)) shown[shown.length - 1] = kept;
  return { shown, more: people.length - shown.length };
}

/** @param {string} s */
const graphemes = (s) => {
  if (typeof Intl !== 'undefined' && 'Segmenter' in Intl) {
    return [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].map((g) => g.segment);
  }
  return [...s];
};

const LETTER = /[\p{L}\p{N}\p{Extended_Pictographic}]/u;

/** The first letter, digit or emoji of a word, else its first grapheme. @param {string} word */
const lead = (word) => {
  const gs = graphemes(word);
  return gs.find((g) => LETTER.test(g)) ?? gs[0];
};

/**
 * One or two letters for an avatar: the first letters of the first and last words of
 * the name ("Ana Lima" → "AL"), or the first letter of a one-word name ("bo" → "B").
 * Punctuation before a word is skipped ("(Bo)" → "B"). Whole graphemes, so an emoji or
 * an accented letter is never cut in half. "?" for no name.
 * @param {string} name
 */
export function initials(name) {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return '?';
  const last = words.length > 1 ? lead(words[words.length - 1]) : '';
  return (lead(words[0]) + last).toUpperCase();
}

/** @param {string} name */
export const displayName = (name) => name.trim() || ANONYMOUS;

/** @type {Record<Voice, string>} */
const VOICE_WORDS = { '': '', in: 'in voice', muted: 'muted', speaking: 'speaking' };

/** "in voice", "muted", "speaking", or "" for someone not in voice. @param {Voice} voice */
export const voiceWord = (voice) => VOICE_WORDS[voice] ?? '';

/**
 * A one-line description of a person for tooltips and screen readers:
 * "Ana (you) · viewer · idle · speaking".
 * @param {Person} p
 * @param {string} selfSid
 */
export function describe(p, selfSid) {
  const parts = [displayName(p.name) + (p.sid === selfSid ? ' (you)' : '')];
  if (p.role === 'viewer') parts.push('viewer');
  if (p.presenting) parts.push('presenting');
  if (p.idle) parts.push('idle');
  if (p.voice) parts.push(voiceWord(p.voice));
  return parts.join(' · ');
}

/**
 * A name as the server will store it: control characters removed, trimmed, at most
 * MAX_NAME characters.
 * @param {string} name
 */
export function cleanName(name) {
  return [...name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim()].slice(0, MAX_NAME).join('').trim();
}

/**
 * The ids a home page's counts stream watches: the first MAX_COUNT_IDS boards, no
 * duplicates.
 * @param {readonly {id: string}[]} boards
 * @returns {string[]}
 */
export function countIds(boards) {
  return [...new Set(boards.map((b) => b.id))].slice(0, MAX_COUNT_IDS);
}

/**
 * The badge for how many people are on a board: "" for nobody (no badge), else "2 here".
 * @param {unknown} n
 */
export function countLabel(n) {
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? `${n} here` : '';
}
