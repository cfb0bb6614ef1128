// @ts-check
// The voice controls at the bottom of the board: Join voice; once in, mute (Shift+M), the
// settings popover (microphone, push-to-talk and its key, a volume per person, and for
// editors whether viewers may use voice), and leave. The call itself is voice.js.

import { isTalkKey, clampVolume } from './voice.js';
import { commandFor, keyLabel } from './shortcuts.js';
import { bindPopover } from './ui.js';
import { displayName } from './presence.js';

/** @typedef {import('./voice.js').VoiceCall} VoiceCall */

/** @param {string} id @returns {any} */
const $ = (id) => document.getElementById(id);

/** A readable name for a KeyboardEvent.code: "Space", "KeyV" → "V", "Digit1" → "1". @param {string} code */
export const keyName = (code) => code.replace(/^Key/, '').replace(/^Digit/, '');

/**
 * Wires the voice controls to call.
 * @param {{
 *   call: VoiceCall, canEdit: boolean, toast: (msg: string) => void,
 *   people: () => ReadonlyMap<string, {name: string}>, drawing: () => boolean,
 *   setViewers: (allow: boolean) => void,
 * }} opts
 * @returns {() => void} render, to call when the people change
 */
export function bindVoiceBar({ call, canEdit, toast, people, drawing, setViewers }) {
  const bar = $('voice-bar');
  const join = $('voice-join');
  const mute = $('voice-mute');
  const leave = $('voice-leave');
  const more = $('voice-more');
  const panel = $('voice-panel');
  const device = /** @type {HTMLSelectElement} */ ($('voice-device'));
  const ptt = /** @type {HTMLInputElement} */ ($('voice-ptt'));
  const key = $('voice-key');
  const setKey = $('voice-setkey');
  const volumes = $('voice-volumes');
  const viewers = /** @type {HTMLInputElement} */ ($('voice-viewers'));
  let choosingKey = false;
  /** The mute key as the help panel writes it. */
  const muteKey = keyLabel('Shift+M', /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent));

  const popover = bindPopover(panel, (t) => t instanceof Node && more.contains(t), () => {
    listDevices();
    renderVolumes();
  });
  more.addEventListener('click', () => popover.toggle());
  join.addEventListener('click', () => call.join());
  leave.addEventListener('click', () => {
    popover.toggle(false);
    call.leave();
  });
  mute.addEventListener('click', () => call.setMuted(!call.muted));
  device.addEventListener('change', () => call.useDevice(device.value));
  ptt.addEventListener('change', () => call.setPushToTalk(ptt.checked));
  viewers.addEventListener('change', () => setViewers(viewers.checked));
  setKey.addEventListener('click', () => {
    choosingKey = true;
    setKey.textContent = 'Press a key…';
  });

  // Capture, so that a key being chosen for push-to-talk, or the talk key, does nothing
  // else. Muting has its own key (shortcuts.js): M stays the highlighter in a call.
  window.addEventListener(
    'keydown',
    (e) => {
      if (choosingKey) {
        e.preventDefault();
        e.stopImmediatePropagation();
        choosingKey = false;
        if (e.code !== 'Escape') call.setTalkKey(e.code);
        setKey.textContent = 'Change key';
        return;
      }
      if (call.state === 'off' || e.ctrlKey || e.metaKey || e.altKey) return;
      if (commandFor(e)?.cmd === 'mute' && isTalkKey(e, e.code, false)) {
        e.preventDefault();
        e.stopImmediatePropagation();
        if (!e.repeat) call.setMuted(!call.muted);
      } else if (call.pushToTalk && isTalkKey(e, call.talkKey, drawing())) {
        // The talk key talks and does nothing else: Space must not also pan the board.
        e.preventDefault();
        e.stopImmediatePropagation();
        if (!e.repeat) call.setHeld(true);
      }
    },
    { capture: true },
  );
  window.addEventListener('keyup', (e) => {
    if (e.code === call.talkKey) call.setHeld(false);
  });
  window.addEventListener('blur', () => call.setHeld(false));
  navigator.mediaDevices?.addEventListener?.('devicechange', listDevices);

  async function listDevices() {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const inputs = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audioinput');
    device.replaceChildren(
      ...inputs.map((d, i) => {
        const o = document.createElement('option');
        o.value = d.deviceId;
        o.textContent = d.label || `Microphone ${i + 1}`;
        o.selected = d.deviceId === call.deviceId;
        return o;
      }),
    );
  }

  function render() {
    const state = call.allowed ? call.state : 'unavailable';
    bar.hidden = !call.available || (!call.allowed && call.state === 'off');
    bar.dataset.state = state;
    join.disabled = call.state === 'joining';
    join.querySelector('span').textContent = call.state === 'joining' ? 'Joining…' : 'Join voice';
    const silent = !call.open;
    mute.setAttribute('aria-pressed', String(call.muted));
    mute.dataset.open = String(!silent);
    mute.title = call.muted ? `Unmute — ${muteKey}` : call.pushToTalk ? `Push to talk: hold ${keyName(call.talkKey)} — ${muteKey} mutes` : `Mute — ${muteKey}`;
    mute.setAttribute('aria-label', call.muted ? 'Unmute' : 'Mute');
    ptt.checked = call.pushToTalk;
    key.textContent = keyName(call.talkKey);
    viewers.checked = call.viewersAllowed;
    viewers.closest('label').hidden = !canEdit;
    document.body.dataset.voice = call.state;
    if (!panel.hidden) renderVolumes();
  }

  function renderVolumes() {
    const everyone = people();
    const heard = call.heard();
    volumes.replaceChildren(
      ...heard.map((sid) => {
        const li = document.createElement('li');
        const label = document.createElement('label');
        const name = document.createElement('span');
        name.textContent = displayName(everyone.get(sid)?.name ?? '');
        const slider = document.createElement('input');
        slider.type = 'range';
        slider.min = '0';
        slider.max = '1';
        slider.step = '0.05';
        slider.value = String(call.volumes.get(sid) ?? 1);
        slider.dataset.sid = sid;
        slider.setAttribute('aria-label', `Volume of ${name.textContent}`);
        slider.addEventListener('input', () => call.setVolume(sid, clampVolume(slider.value)));
        label.append(name, slider);
        li.append(label);
        return li;
      }),
    );
    if (!heard.length) volumes.textContent = 'Nobody else is in voice yet.';
  }

  call.on('change', render);
  call.on('error', toast);
  render();
  return render;
}
