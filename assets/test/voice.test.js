import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  micConstraints, micErrorMessage, voiceErrorMessage, isTalkKey, micOpen, rejoinDelay, clampVolume, iceServers,
  MAX_REJOIN_DELAY,
} from '../js/voice.js';
import { keyName } from '../js/voicebar.js';

test('the microphone is asked for with echo cancellation, noise suppression and auto gain', () => {
  const c = /** @type {any} */ (micConstraints());
  assert.equal(c.video, false);
  assert.deepEqual(c.audio, { echoCancellation: true, noiseSuppression: true, autoGainControl: true });
  assert.deepEqual(micConstraints('mic2').audio, { echoCancellation: true, noiseSuppression: true, autoGainControl: true, deviceId: { exact: 'mic2' } });
});

test('microphone errors are explained in plain words', () => {
  const msg = (name) => micErrorMessage({ name });
  assert.match(msg('NotAllowedError'), /blocked the microphone.*Allow it/);
  assert.match(msg('NotFoundError'), /No microphone was found/);
  assert.match(msg('NotReadableError'), /in use by another program/);
  assert.match(msg('SecurityError'), /secure \(https\)/);
  assert.match(micErrorMessage(new Error('x')), /microphone/);
  assert.match(micErrorMessage(undefined), /microphone/);
  for (const name of ['NotAllowedError', 'NotFoundError', 'NotReadableError', 'OverconstrainedError', 'AbortError']) {
    assert.doesNotMatch(msg(name), /Error/, `${name} leaks a technical name`);
  }
});

test('server refusals keep the server\'s words', () => {
  assert.equal(voiceErrorMessage({ code: 'voice_full', msg: 'voice on this board is full (50 people)' }), 'voice on this board is full (50 people)');
  assert.equal(voiceErrorMessage({ code: 'voice_full' }), 'Voice on this board is full.');
  assert.match(voiceErrorMessage({ code: 'voice_bad_sdp', msg: 'no audio' }), /^Voice: no audio/);
});

test('push-to-talk: the key, not while typing or drawing', () => {
  const body = { tagName: 'BODY' };
  assert.equal(isTalkKey({ code: 'Space', target: body }, 'Space', false), true);
  assert.equal(isTalkKey({ code: 'Space', target: body }, 'Space', true), false, 'drawing');
  assert.equal(isTalkKey({ code: 'KeyV', target: body }, 'Space', false), false, 'other key');
  assert.equal(isTalkKey({ code: 'Space', target: { tagName: 'INPUT' } }, 'Space', false), false, 'typing');
  assert.equal(isTalkKey({ code: 'Space', target: { tagName: 'DIV', isContentEditable: true } }, 'Space', false), false);
  assert.equal(isTalkKey({ code: 'KeyV', target: body }, 'KeyV', false), true, 'configured key');
  assert.equal(keyName('KeyV'), 'V');
  assert.equal(keyName('Digit1'), '1');
  assert.equal(keyName('Space'), 'Space');
});

test('the microphone sends when unmuted, and with push-to-talk only while held', () => {
  assert.equal(micOpen({ muted: false, pushToTalk: false, held: false }), true);
  assert.equal(micOpen({ muted: true, pushToTalk: false, held: false }), false);
  assert.equal(micOpen({ muted: false, pushToTalk: true, held: false }), false);
  assert.equal(micOpen({ muted: false, pushToTalk: true, held: true }), true);
  assert.equal(micOpen({ muted: true, pushToTalk: true, held: true }), false, 'mute wins');
});

test('rejoining backs off up to a limit, with jitter', () => {
  assert.equal(rejoinDelay(0, () => 0), 250);
  assert.equal(rejoinDelay(0, () => 1), 500);
  assert.equal(rejoinDelay(3, () => 1), 4000);
  assert.equal(rejoinDelay(30, () => 1), MAX_REJOIN_DELAY);
  assert.equal(rejoinDelay(30, () => 0), MAX_REJOIN_DELAY / 2);
});

test('volumes are clamped to 0–1', () => {
  assert.equal(clampVolume('0.5'), 0.5);
  assert.equal(clampVolume(3), 1);
  assert.equal(clampVolume(-1), 0);
  assert.equal(clampVolume('loud'), 1);
});

test('ICE servers from the server are checked before use', () => {
  assert.deepEqual(iceServers([
    { urls: ['stun:stun.example.com:3478'] },
    { urls: ['turn:t.example.com:3478?transport=udp'], username: '1700000000:abc', credential: 'pw' },
    { urls: 'stun:not-a-list' },
    { urls: [3] },
    null,
  ]), [
    { urls: ['stun:stun.example.com:3478'] },
    { urls: ['turn:t.example.com:3478?transport=udp'], username: '1700000000:abc', credential: 'pw' },
  ]);
  assert.deepEqual(iceServers('x'), []);
});
