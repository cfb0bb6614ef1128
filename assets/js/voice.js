// @ts-check
// Voice chat (docs/protocol.md, "Voice"): one RTCPeerConnection to the server, which
// forwards everyone's audio. The server makes the offers when people come and go; we
// are the polite peer and offer only to join. Signalling rides the board's WebSocket
// (Sync). This module holds the call and pure helpers; voicebar.js is the controls.

/** @typedef {import('./sync.js').Sync} Sync */
/** @typedef {'off' | 'joining' | 'on'} CallState */

/** What we ask of the microphone. */
export const AUDIO_PROCESSING = Object.freeze({ echoCancellation: true, noiseSuppression: true, autoGainControl: true });

/** Longest wait between attempts to get back into the call after a network drop. */
export const MAX_REJOIN_DELAY = 10000;

/**
 * getUserMedia constraints for the microphone: echo cancellation, noise suppression and
 * automatic gain, and the chosen input device if there is one.
 * @param {string} [deviceId]
 * @returns {MediaStreamConstraints}
 */
export function micConstraints(deviceId) {
  return { audio: deviceId ? { ...AUDIO_PROCESSING, deviceId: { exact: deviceId } } : { ...AUDIO_PROCESSING }, video: false };
}

/**
 * What went wrong getting the microphone, in plain words.
 * @param {unknown} err what getUserMedia threw
 */
export function micErrorMessage(err) {
  const name = err && typeof err === 'object' && 'name' in err ? String(err.name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
      return 'Your browser blocked the microphone. Allow it for this site (the icon in the address bar), then join again.';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'No microphone was found. Plug one in, or pick another input, and join again.';
    case 'NotReadableError':
    case 'TrackStartError':
      return 'The microphone is in use by another program, or the system blocked it. Close the other program and join again.';
    case 'SecurityError':
      return 'The microphone is only available on a secure (https) page.';
    case 'AbortError':
      return 'The microphone stopped unexpectedly. Join again to retry.';
    default:
      return typeof navigator !== 'undefined' && !navigator.mediaDevices
        ? 'This page cannot use a microphone: open it over https.'
        : 'The microphone could not be started.';
  }
}

/**
 * Why the server refused or ended voice, in plain words, for an error code.
 * @param {{code?: string, msg?: string}} m
 */
export function voiceErrorMessage(m) {
  switch (m.code) {
    case 'voice_full':
      return m.msg || 'Voice on this board is full.';
    case 'voice_off':
      return m.msg || 'Voice is turned off here.';
    default:
      return `Voice: ${m.msg || m.code || 'failed'}`;
  }
}

/**
 * Whether a key event is the push-to-talk key: the configured key (a KeyboardEvent.code,
 * "Space" by default), not typed into a text field, and not while drawing.
 * @param {{code: string, target?: any}} e
 * @param {string} key
 * @param {boolean} drawing
 */
export function isTalkKey(e, key, drawing) {
  if (e.code !== key || drawing) return false;
  const t = e.target;
  const typing = t && (t.isContentEditable || t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT');
  return !typing;
}

/**
 * Whether the microphone sends: when not muted, and with push-to-talk only while the
 * key is held.
 * @param {{muted: boolean, pushToTalk: boolean, held: boolean}} s
 */
export const micOpen = (s) => !s.muted && (!s.pushToTalk || s.held);

/**
 * Delay before attempt n (0-based) to rejoin after the call dropped: 0.5 s doubling to
 * MAX_REJOIN_DELAY, half of it random so a room that dropped together comes back spread.
 * @param {number} attempt @param {() => number} [random]
 */
export function rejoinDelay(attempt, random = Math.random) {
  const base = Math.min(MAX_REJOIN_DELAY, 500 * 2 ** attempt);
  return base / 2 + (random() * base) / 2;
}

/** A volume in [0, 1] from anything (a slider's string, a stored number). @param {unknown} v */
export function clampVolume(v) {
  const n = Number(v);
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 1;
}

/**
 * The ICE servers a ready message gives, as RTCPeerConnection takes them; malformed
 * entries are dropped.
 * @param {unknown} list
 * @returns {RTCIceServer[]}
 */
export function iceServers(list) {
  if (!Array.isArray(list)) return [];
  return list
    .filter((s) => s && Array.isArray(s.urls) && s.urls.every((/** @type {unknown} */ u) => typeof u === 'string'))
    .map((s) => ({
      urls: s.urls,
      ...(typeof s.username === 'string' ? { username: s.username } : {}),
      ...(typeof s.credential === 'string' ? { credential: s.credential } : {}),
    }));
}

/**
 * A ring around a speaking person's cursor, in screen pixels.
 * @param {CanvasRenderingContext2D} ctx @param {number} sx @param {number} sy @param {string} color
 * @param {number} now ms, for the pulse
 */
export function drawSpeaking(ctx, sx, sy, color, now) {
  const pulse = (Math.sin(now / 180) + 1) / 2;
  ctx.save();
  ctx.strokeStyle = color;
  ctx.globalAlpha = 0.35 + 0.4 * pulse;
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  ctx.arc(Math.round(sx) + 4, Math.round(sy) + 7, 14 + 3 * pulse, 0, Math.PI * 2);
  ctx.stroke();
  ctx.restore();
}

/**
 * One board's voice call. Events (subscribe with `on`): `change` whenever the state,
 * mute, devices or the people heard change; `error` with a message for the user.
 */
export class VoiceCall {
  /**
   * @param {{sync: Sync, storage?: Storage | null}} opts
   */
  constructor({ sync, storage = null }) {
    this.sync = sync;
    this.storage = storage;
    /** @type {CallState} */
    this.state = 'off';
    /** Whether the user wants to be in the call (we rejoin after drops while true). */
    this.wanted = false;
    this.muted = false;
    this.pushToTalk = storage?.getItem('tabula.ptt') === '1';
    this.talkKey = storage?.getItem('tabula.pttKey') || 'Space';
    this.held = false;
    this.deviceId = storage?.getItem('tabula.mic') ?? '';
    /** Whether this board lets viewers use voice (from welcome and viewers messages). */
    this.viewersAllowed = true;
    /** Whether the server has voice at all. */
    this.available = false;
    /** @type {RTCPeerConnection | null} */
    this.pc = null;
    /** @type {MediaStream | null} */
    this.mic = null;
    /** Players of the others' audio, by transceiver mid. @type {Map<string, {sid: string, audio: HTMLAudioElement}>} */
    this.players = new Map();
    /** Volume per person, 0–1. @type {Map<string, number>} */
    this.volumes = new Map();
    this.attempt = 0;
    /** @type {any} */
    this.retry = null;
    /** The sender of our microphone. @type {RTCRtpSender | null} */
    this.micSender = null;
    /** @type {Map<string, Set<(arg: any) => void>>} */
    this.listeners = new Map();

    sync.on('welcome', (m) => {
      this.available = !!m.voice;
      this.viewersAllowed = m.voice?.viewers !== false;
      this.emit('change');
      // A new connection is a new session: the server forgot our call with the old one.
      if (this.wanted) this.rejoinSoon(0);
    });
    sync.on('state', (s) => {
      if (s !== 'online' && this.state !== 'off') this.hangUp();
    });
    sync.on('voice', (m) => this.signal(m));
    sync.on('error', (m) => {
      if (typeof m.code === 'string' && m.code.startsWith('voice_') && this.state === 'joining') {
        this.stop();
        this.emit('error', voiceErrorMessage(m));
      }
    });
  }

  /** @param {string} type @param {(arg: any) => void} fn */
  on(type, fn) {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn);
  }

  /** @param {string} type @param {any} [arg] */
  emit(type, arg) {
    for (const fn of this.listeners.get(type) ?? []) fn(arg);
  }

  /** Whether this person may use voice on this board. */
  get allowed() {
    return this.available && (this.sync.role === 'editor' || this.viewersAllowed);
  }

  /** Joins the call: the microphone first (so a refusal is explained before anything is sent). */
  async join() {
    if (this.state !== 'off') return;
    this.wanted = true;
    this.state = 'joining';
    this.emit('change');
    try {
      if (!this.mic) this.mic = await navigator.mediaDevices.getUserMedia(micConstraints(this.deviceId));
    } catch (err) {
      if (this.deviceId && /** @type {any} */ (err)?.name === 'OverconstrainedError') {
        // The chosen device is gone: fall back to the default one.
        this.deviceId = '';
        this.state = 'off';
        return this.join();
      }
      this.stop();
      this.emit('error', micErrorMessage(err));
      return;
    }
    if (!this.wanted) return this.stop(); // left while the permission prompt was open
    this.applyMic();
    this.sync.transmit({ t: 'voice', op: 'join' });
  }

  /** Leaves the call for good (until the next join). */
  leave() {
    if (this.state !== 'off') this.sync.transmit({ t: 'voice', op: 'leave' });
    this.stop();
  }

  /** Ends everything: connection, players, microphone. */
  stop() {
    this.wanted = false;
    clearTimeout(this.retry);
    this.retry = null;
    this.hangUp();
    for (const t of this.mic?.getTracks() ?? []) t.stop();
    this.mic = null;
    this.emit('change');
  }

  /** Closes the connection but keeps the microphone and the wish to be in the call. */
  hangUp() {
    this.pc?.close();
    this.pc = null;
    for (const p of this.players.values()) p.audio.remove();
    this.players.clear();
    this.state = 'off';
    this.emit('change');
  }

  /** Gets back into the call after a drop, with growing delays. @param {number} [attempt] */
  rejoinSoon(attempt = this.attempt++) {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.wanted && this.state === 'off' && this.sync.online) this.join();
    }, attempt === 0 ? 0 : rejoinDelay(attempt));
  }

  /** @param {boolean} on */
  setMuted(on) {
    this.muted = on;
    this.applyMic();
    this.emit('change');
  }

  /** Push-to-talk: the key went down or up. @param {boolean} down */
  setHeld(down) {
    if (this.held === down) return;
    this.held = down;
    this.applyMic();
    this.emit('change');
  }

  /** @param {boolean} on */
  setPushToTalk(on) {
    this.pushToTalk = on;
    this.storage?.setItem('tabula.ptt', on ? '1' : '0');
    this.applyMic();
    this.emit('change');
  }

  /** @param {string} code a KeyboardEvent.code */
  setTalkKey(code) {
    this.talkKey = code;
    this.storage?.setItem('tabula.pttKey', code);
    this.emit('change');
  }

  /** Whether the microphone is sending now. */
  get open() {
    return micOpen(this);
  }

  /** Turns the microphone track on or off and tells the server, which shows it to the others. */
  applyMic() {
    const open = this.open;
    for (const t of this.mic?.getAudioTracks() ?? []) t.enabled = open;
    if (this.state === 'on') this.sync.transmit({ t: 'voice', op: 'mute', muted: !open });
  }

  /** Switches to another microphone, live if in the call. @param {string} deviceId */
  async useDevice(deviceId) {
    this.deviceId = deviceId;
    this.storage?.setItem('tabula.mic', deviceId);
    if (!this.mic) return this.emit('change');
    try {
      const next = await navigator.mediaDevices.getUserMedia(micConstraints(deviceId));
      const track = next.getAudioTracks()[0];
      if (this.micSender) await this.micSender.replaceTrack(track);
      for (const t of this.mic.getTracks()) t.stop();
      this.mic = next;
      this.applyMic();
    } catch (err) {
      this.emit('error', micErrorMessage(err));
    }
    this.emit('change');
  }

  /** Sets how loud sid is, 0–1. @param {string} sid @param {number} v */
  setVolume(sid, v) {
    this.volumes.set(sid, clampVolume(v));
    for (const p of this.players.values()) if (p.sid === sid) p.audio.volume = this.volumes.get(sid) ?? 1;
  }

  /** The session ids we hear now. */
  heard() {
    return [...new Set([...this.players.values()].map((p) => p.sid))];
  }

  /** Handles one voice message from the server. @param {Record<string, any>} m */
  async signal(m) {
    try {
      switch (m.op) {
        case 'ready':
          if (this.state === 'joining' && this.mic) await this.connect(iceServers(m.ice));
          return;
        case 'answer':
          if (this.pc?.signalingState === 'have-local-offer') await this.pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
          return;
        case 'offer':
          // Until our join is answered, an offer can only be from a call we left.
          if (!this.pc || this.state !== 'on') return;
          await this.pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
          await this.pc.setLocalDescription();
          this.sync.transmit({ t: 'voice', op: 'answer', sdp: this.pc.localDescription?.sdp });
          return;
        case 'candidate':
          if (this.pc && m.candidate) await this.pc.addIceCandidate({ candidate: m.candidate, sdpMid: m.mid ?? null, sdpMLineIndex: m.mid == null ? 0 : null });
          return;
        case 'left':
          this.hangUp();
          this.emit('error', `Voice: ${m.msg}`);
          // A lost connection is worth retrying; being removed on purpose is not.
          if (this.wanted && /lost|closed|established|shutting/.test(m.msg ?? '')) this.rejoinSoon();
          else this.stop();
          return;
        case 'viewers':
          this.viewersAllowed = m.allow !== false;
          if (!this.allowed && this.state !== 'off') this.stop();
          this.emit('change');
          return;
      }
    } catch (err) {
      console.warn('tabula: voice signalling failed', err);
    }
  }

  /** Starts the connection with the microphone and sends the join offer. @param {RTCIceServer[]} ice */
  async connect(ice) {
    const pc = new RTCPeerConnection({ iceServers: ice, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc = pc;
    const track = /** @type {MediaStream} */ (this.mic).getAudioTracks()[0];
    this.micSender = pc.addTrack(track, /** @type {MediaStream} */ (this.mic));
    pc.onicecandidate = (e) => {
      if (e.candidate && pc === this.pc) this.sync.transmit({ t: 'voice', op: 'candidate', candidate: e.candidate.candidate, mid: e.candidate.sdpMid ?? '' });
    };
    pc.ontrack = (e) => this.play(e);
    pc.onconnectionstatechange = () => {
      if (pc !== this.pc) return;
      if (pc.connectionState === 'connected') this.attempt = 0;
      if (pc.connectionState === 'failed') {
        // The network went: start over with a fresh connection.
        this.sync.transmit({ t: 'voice', op: 'leave' });
        this.hangUp();
        this.rejoinSoon();
      }
      this.emit('change');
    };
    await pc.setLocalDescription(await pc.createOffer());
    this.sync.transmit({ t: 'voice', op: 'offer', sdp: pc.localDescription?.sdp });
    this.state = 'on';
    this.applyMic();
    this.emit('change');
  }

  /** Plays a remote track: one audio element per media section, named by the sender's sid. @param {RTCTrackEvent} e */
  play(e) {
    const mid = e.transceiver.mid ?? String(this.players.size);
    const sid = e.streams[0]?.id ?? '';
    this.players.get(mid)?.audio.remove();
    const audio = new Audio();
    audio.autoplay = true;
    audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
    audio.volume = this.volumes.get(sid) ?? 1;
    audio.dataset.sid = sid;
    audio.hidden = true;
    document.body.append(audio);
    audio.play().catch(() => this.emit('error', 'Click anywhere to hear the others (the browser blocked sound).'));
    this.players.set(mid, { sid, audio });
    // A stream the server stops sending loses its track; forget its player then.
    e.streams[0]?.addEventListener('removetrack', () => {
      if (this.players.get(mid)?.audio === audio) {
        audio.remove();
        this.players.delete(mid);
        this.emit('change');
      }
    });
    this.emit('change');
  }
}
