// @ts-check
// The WebSocket client of docs/protocol.md. It owns the connection; the Doc owns the
// elements and the pending batches. No DOM: the socket factory and timers are passed in,
// so node tests can drive it with a fake socket.

import { cidMaker } from './ids.js';

/** @typedef {import('./doc.js').Doc} Doc */
/** @typedef {import('./doc.js').Op} Op */
/** @typedef {'connecting' | 'online' | 'offline'} State */
/**
 * What Sync needs of a WebSocket; the browser's WebSocket has it all.
 * @typedef {{
 *   send(data: string): void, close(): void,
 *   onopen: ((ev?: any) => void) | null, onmessage: ((ev: {data: any}) => void) | null,
 *   onclose: ((ev?: any) => void) | null, onerror: ((ev?: any) => void) | null
 * }} SocketLike
 * @typedef {{setTimeout: (fn: () => void, ms: number) => any, clearTimeout: (id: any) => void, now: () => number}} Timers
 * @typedef {{maxPoints: number, maxText: number, maxBatch: number, maxElements: number, maxMessage: number}} Limits
 */

/** The server's defaults, used until a welcome tells us the real limits. */
export const DEFAULT_LIMITS = Object.freeze({
  maxPoints: 10000,
  maxText: 20000,
  maxBatch: 5000,
  maxElements: 50000,
  maxMessage: 1 << 20,
});

/** Failed connections in a row after which the page asks whether its link still exists. */
export const PROBE_AFTER = 2;

/** Longest wait between reconnect attempts. */
export const MAX_BACKOFF = 5000;

/**
 * How long a connection may take from the attempt to the welcome before it is dropped
 * and tried again. Without it a socket that opens but never answers hello (or never
 * finishes opening) leaves the board at "Connecting…" for as long as the socket lives,
 * which with the server's pings is forever. It doubles after each attempt that ran out
 * of time, up to MAX_WELCOME_WAIT, so that a large board's welcome on a slow link still
 * gets through.
 */
export const WELCOME_WAIT = 15000;
export const MAX_WELCOME_WAIT = 120000;

/**
 * Budget of ephemeral messages (cursor, preview, laser and view together): a bucket of
 * EPHEMERAL_BURST that refills at EPHEMERAL_RATE a second. The server drops more than 30
 * a second per connection beyond a burst of 60, so this stays under it whatever the
 * timing, while the first message after a quiet moment (a stroke's first preview, a
 * cursor that starts to move) goes out at once instead of waiting for a slot.
 */
export const EPHEMERAL_RATE = 28;
export const EPHEMERAL_BURST = 6;
/** The gap between ephemeral messages once the burst is spent. */
export const EPHEMERAL_INTERVAL = 1000 / EPHEMERAL_RATE;

/** Largest coordinate or size the server accepts (MaxCoord). */
export const MAX_COORD = 1e7;

/**
 * Messages the server relays to everyone on the board at once, the sender included (one
 * encoding for all); a client skips its own.
 */
const EPHEMERAL = new Set(['cursor', 'laser', 'preview', 'view']);

// Room in a frame for the batch envelope {"t":"ops","cid":"…","ops":[…]} around the ops.
const ENVELOPE_BYTES = 128;

const encoder = new TextEncoder();

/**
 * Splits one server frame into its messages: a frame carries one or more JSON objects
 * separated by "\n". Lines that are not JSON objects are skipped (and logged), so one bad
 * message cannot take the others in its frame down with it.
 * @param {string} data
 * @returns {Record<string, any>[]}
 */
export function splitFrame(data) {
  const out = [];
  for (const line of data.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const msg = JSON.parse(line);
      if (msg && typeof msg === 'object' && !Array.isArray(msg)) out.push(msg);
    } catch {
      console.warn('tabula: dropped a server message that is not JSON');
    }
  }
  return out;
}

/**
 * The WebSocket URL for a path on the page's own origin.
 * @param {{protocol: string, host: string}} loc usually window.location
 * @param {string} path
 */
export function wsURL(loc, path) {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${path}`;
}

/**
 * Delay before reconnect attempt n (0-based): exponential from 250 ms up to MAX_BACKOFF,
 * with "equal jitter" (half fixed, half random) so that clients dropped together by a
 * server restart do not all come back in the same instant.
 * @param {number} attempt
 * @param {() => number} [random=Math.random]
 */
export function backoff(attempt, random = Math.random) {
  const base = Math.min(MAX_BACKOFF, 250 * 2 ** attempt);
  return base / 2 + (random() * base) / 2;
}

/**
 * Shortest wait, in ms, before reconnecting after the server closed the connection with
 * 1008 (this client broke a rule, e.g. sent changes faster than the server allows) or
 * 1013 (the server is busy, or this client could not keep up). Coming straight back
 * would only be refused again.
 */
export const REFUSED_WAIT = Object.freeze({ 1008: 10000, 1013: 2000 });

/**
 * Delay before reconnect attempt n after a close with `code`. For the codes of
 * REFUSED_WAIT, at least that or the server's hint (an error's `retry`), whichever is
 * longer, and as long as backoff(attempt), plus up to half again at random so that
 * clients refused together do not come back together; for any other close, backoff.
 * @param {number | undefined} code
 * @param {number} attempt
 * @param {number} hint ms the server asked for, 0 if none
 * @param {() => number} [random=Math.random]
 */
export function retryDelay(code, attempt, hint, random = Math.random) {
  const least = code === 1008 || code === 1013 ? REFUSED_WAIT[code] : undefined;
  if (least === undefined) return backoff(attempt, random);
  const base = Math.max(least, hint, backoff(attempt, random));
  return base + (random() * base) / 2;
}

/**
 * Splits ops into batches the server accepts: at most maxBatch ops and maxMessage bytes
 * each. An op that cannot fit in any message is returned in `tooBig` instead, because
 * sending it would get the connection closed (1009) and, resent on every reconnect,
 * would keep the client from ever syncing again.
 * @param {readonly Op[]} ops
 * @param {Limits} limits
 * @returns {{batches: Op[][], tooBig: Op[]}}
 */
export function splitBatch(ops, limits) {
  /** @type {Op[][]} */
  const batches = [];
  /** @type {Op[]} */
  const tooBig = [];
  /** @type {Op[]} */
  let cur = [];
  let bytes = ENVELOPE_BYTES;
  for (const op of ops) {
    const size = encoder.encode(JSON.stringify(op)).length + 1;
    if (size + ENVELOPE_BYTES > limits.maxMessage) {
      tooBig.push(op);
      continue;
    }
    if (cur.length >= limits.maxBatch || bytes + size > limits.maxMessage) {
      batches.push(cur);
      cur = [];
      bytes = ENVELOPE_BYTES;
    }
    cur.push(op);
    bytes += size;
  }
  if (cur.length) batches.push(cur);
  return { batches, tooBig };
}

/**
 * Keeps one board in sync over a WebSocket: hello/welcome, applying broadcasts to the
 * Doc, sending batches and resending them after a reconnect, throttled ephemeral messages.
 *
 * Events (subscribe with `on`): `state` (State), `peers` (Map), and every server message
 * by its `t` (`welcome`, `ops`, `ack`, `error`, `title`, `canvas`, `join`, `leave`, `cursor`,
 * `preview`, `laser`, `view`, …) after Sync has handled it; `refused` ({code, reason,
 * wait}) when the server closed the connection with 1008 or 1013, with its reason and the
 * ms until the next attempt; our own ephemeral messages,
 * which the server sends back, are skipped. Local failures (an op too big to
 * send) are reported as `error` too, with code `too_big`.
 */
export class Sync {
  /**
   * @param {{
   *   url: string, doc: Doc, name?: string, color?: string,
   *   createSocket?: (url: string) => SocketLike, timers?: Timers,
   *   random?: () => number, nextCid?: () => string,
   *   probe?: () => Promise<boolean>,
   * }} opts probe: asked after connections keep failing before they open; resolves
   *   false only when the server says the board's link does not exist (HTTP 404), so
   *   that a page whose link was replaced or whose board was deleted while it was
   *   offline stops and says so instead of retrying for ever
   */
  constructor(opts) {
    this.url = opts.url;
    this.doc = opts.doc;
    this.name = opts.name ?? '';
    this.color = opts.color ?? '';
    this.createSocket = opts.createSocket ?? ((url) => /** @type {SocketLike} */ (new WebSocket(url)));
    this.timers = opts.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (id) => clearTimeout(id),
      now: () => performance.now(),
    };
    this.random = opts.random ?? Math.random;
    this.nextCid = opts.nextCid ?? cidMaker();
    this.probe = opts.probe ?? null;
    /** Connections in a row that closed before they opened. */
    this.unopened = 0;
    this.probing = false;

    /** @type {State} */
    this.state = 'offline';
    /** Session id from the last welcome. */
    this.sid = '';
    /** @type {'editor' | 'viewer' | ''} */
    this.role = '';
    this.title = '';
    /** The board's canvas colour id (canvascolor.js). */
    this.canvas = 'plain';
    /** The page this client shows, sent with cursors, lasers and views ("" for the first). */
    this.page = '';
    /** @type {Limits} */
    this.limits = { ...DEFAULT_LIMITS };
    /** Other sessions on the board, by sid. @type {Map<string, {sid: string, name: string, color: string, role: string}>} */
    this.peers = new Map();

    /** @type {SocketLike | null} */
    this.ws = null;
    this.welcomed = false;
    this.stopped = true;
    this.attempt = 0;
    this.retryTimer = null;
    this.welcomeTimer = null;
    /** Attempts in a row that got no welcome in time. */
    this.unanswered = 0;
    /** ms the server asked us to wait (a rate_limited error's `retry`) before the close. */
    this.retryHint = 0;
    /** A title set while offline, sent after the next welcome. @type {string | null} */
    this.pendingTitle = null;
    /** A canvas colour chosen while offline, sent after the next welcome. @type {string | null} */
    this.pendingCanvas = null;

    // Latest unsent ephemeral message per kind; Map order is "waiting longest first".
    /** @type {Map<string, object>} */
    this.ephemeral = new Map();
    this.ephemeralTimer = null;
    this.ephemeralTokens = EPHEMERAL_BURST;
    this.ephemeralAt = -Infinity; // when the tokens were counted

    /** @type {Map<string, Set<(arg: any) => void>>} */
    this.listeners = new Map();
  }

  /**
   * @param {string} type
   * @param {(arg: any) => void} fn
   * @returns {() => void} unsubscribe
   */
  on(type, fn) {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** @param {string} type @param {any} arg */
  emit(type, arg) {
    for (const fn of this.listeners.get(type) ?? []) fn(arg);
  }

  /** @param {State} state */
  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.emit('state', state);
  }

  get online() {
    return this.state === 'online';
  }

  /** Connects, and keeps reconnecting until stop(). */
  start() {
    this.stopped = false;
    this.connect();
  }

  /** Closes the connection for good. Pending batches stay in the Doc. */
  stop() {
    this.stopped = true;
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.drop();
    this.setState('offline');
  }

  /** Reconnects at once instead of waiting out the backoff (e.g. the browser is back online). */
  retryNow() {
    if (this.stopped || this.online) return;
    this.attempt = 0;
    this.reconnect();
  }

  /**
   * Changes the name and colour others see, on the open connection (a `name` message);
   * offline, the next hello carries them.
   * @param {string} name @param {string} color
   */
  setIdentity(name, color) {
    this.name = name;
    this.color = color;
    this.transmit({ t: 'name', name, color });
  }

  reconnect() {
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.drop();
    this.connect();
  }

  /** Forgets the current socket (its late events are ignored) and closes it. */
  drop() {
    const ws = this.ws;
    this.ws = null;
    this.welcomed = false;
    this.stopWelcomeTimer();
    this.ephemeral.clear();
    if (ws) ws.close();
  }

  connect() {
    this.setState('connecting');
    let ws;
    try {
      ws = this.createSocket(this.url);
    } catch (err) {
      // A malformed URL throws synchronously; treat it like a failed connection.
      console.warn('tabula: cannot open WebSocket', err);
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    const wait = Math.min(MAX_WELCOME_WAIT, WELCOME_WAIT * 2 ** this.unanswered);
    this.welcomeTimer = this.timers.setTimeout(() => {
      this.welcomeTimer = null;
      if (ws !== this.ws || this.welcomed) return;
      console.warn(`tabula: no welcome within ${wait} ms; reconnecting`);
      this.unanswered++;
      this.drop();
      this.scheduleRetry();
    }, wait);
    let opened = false;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      opened = true;
      this.unopened = 0;
      ws.send(JSON.stringify({ t: 'hello', v: 1, since: this.doc.seq, name: this.name, color: this.color }));
    };
    ws.onmessage = (ev) => {
      if (ws === this.ws) this.receive(String(ev.data));
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.welcomed = false;
      this.stopWelcomeTimer();
      this.ephemeral.clear();
      const code = ev?.code;
      const hint = this.retryHint;
      this.retryHint = 0;
      if (!opened && ++this.unopened >= PROBE_AFTER) this.checkLink();
      if (code !== 1008 && code !== 1013) {
        this.scheduleRetry();
        return;
      }
      // Refused: wait longer, and tell the person why (pending changes stay pending and
      // are resent with their cids after the next welcome).
      const wait = retryDelay(code, this.attempt, hint, this.random);
      this.scheduleRetry(wait);
      this.emit('refused', { code, reason: String(ev?.reason ?? ''), wait });
    };
    // An error is always followed by close, which does the work.
    ws.onerror = () => {};
  }

  /**
   * Asks probe whether the link still exists, once at a time. A browser does not tell a
   * page why a WebSocket handshake failed, so a replaced link (404) would look like a
   * server that is down. When it is gone, the page hears what it hears when the link is
   * replaced while it is connected: a link_replaced error, and it stops.
   */
  checkLink() {
    if (!this.probe || this.probing) return;
    this.probing = true;
    this.probe().then(
      (exists) => {
        this.probing = false;
        if (exists || this.stopped || this.ws?.readyState === 1) return;
        this.stop();
        this.emit('error', {
          t: 'error',
          code: 'link_replaced',
          msg: 'It was replaced, or the board was deleted, while you were offline. Ask an editor of the board for the current link.',
        });
      },
      () => {
        this.probing = false; // offline or the server is down: keep retrying
      },
    );
  }

  stopWelcomeTimer() {
    this.timers.clearTimeout(this.welcomeTimer);
    this.welcomeTimer = null;
  }

  /** @param {number} [delay] ms; the next step of backoff if not given */
  scheduleRetry(delay) {
    this.setState('offline');
    if (this.stopped) return;
    if (delay === undefined) delay = backoff(this.attempt, this.random);
    this.attempt++;
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  /**
   * Handles one frame from the server.
   * @param {string} data
   */
  receive(data) {
    const ws = this.ws;
    for (const msg of splitFrame(data)) {
      if (EPHEMERAL.has(msg.t) && msg.sid === this.sid) continue;
      this.handle(msg);
      // Handling may have replaced the socket (a gap in seq): the rest of the frame is stale.
      if (this.ws !== ws) return;
      this.emit(msg.t, msg);
    }
  }

  /** @param {Record<string, any>} msg */
  handle(msg) {
    switch (msg.t) {
      case 'welcome':
        return this.onWelcome(msg);
      case 'ops':
        if (msg.seq > this.doc.seq + 1) {
          // The protocol promises no gaps; if one shows up anyway, catch up from our
          // last seq rather than show a board that silently misses changes.
          console.warn(`tabula: expected seq ${this.doc.seq + 1}, got ${msg.seq}; resyncing`);
          this.reconnect();
          return;
        }
        this.doc.applyBroadcast(/** @type {any} */ (msg));
        return;
      case 'ack':
        this.doc.ack(msg.cid);
        return;
      case 'error':
        if (msg.cid) this.doc.reject(msg.cid);
        if (msg.code === 'rate_limited' && Number.isFinite(msg.retry)) this.retryHint = msg.retry * 1000;
        return;
      case 'title':
        this.title = msg.title;
        return;
      case 'canvas':
        this.canvas = msg.canvas;
        return;
      // The server sends our own join (after hello and after a rename) to us as well;
      // we are not one of our peers.
      case 'join':
        if (msg.sid === this.sid) {
          // After a rename the server may have given us another colour (ours was
          // shared while we had the name of someone here): show it.
          if (typeof msg.color === 'string' && msg.color && msg.color !== this.color) {
            this.color = msg.color;
            this.emit('peers', this.peers);
          }
          return;
        }
        this.peers.set(msg.sid, { sid: msg.sid, name: msg.name, color: msg.color, role: msg.role });
        this.emit('peers', this.peers);
        return;
      case 'leave':
        if (msg.sid === this.sid) return;
        this.peers.delete(msg.sid);
        this.emit('peers', this.peers);
        return;
    }
  }

  /** @param {Record<string, any>} msg */
  onWelcome(msg) {
    if (msg.reset) {
      this.doc.reset(msg.elements ?? [], msg.seq);
    } else {
      for (const b of msg.ops ?? []) this.doc.applyBroadcast(b);
    }
    this.sid = msg.sid;
    this.role = msg.role;
    // The server may give another colour than the one asked for (someone here wore it).
    if (typeof msg.color === 'string' && msg.color) this.color = msg.color;
    // A rename made offline is about to be sent; showing the old title meanwhile would flicker.
    this.title = this.pendingTitle ?? msg.title ?? '';
    this.canvas = this.pendingCanvas ?? msg.canvas ?? 'plain';
    this.limits = { ...DEFAULT_LIMITS, ...msg.limits };
    this.peers = new Map((msg.peers ?? []).map((/** @type {any} */ p) => [p.sid, p]));
    this.welcomed = true;
    this.attempt = 0;
    this.unanswered = 0;
    this.stopWelcomeTimer();
    // Same cids as before: batches the server already applied are only acknowledged.
    for (const b of this.doc.pending) this.transmit({ t: 'ops', cid: b.cid, ops: b.ops });
    if (this.pendingTitle !== null) {
      this.transmit({ t: 'title', title: this.pendingTitle });
      this.pendingTitle = null;
    }
    if (this.pendingCanvas !== null) {
      this.transmit({ t: 'canvas', canvas: this.pendingCanvas });
      this.pendingCanvas = null;
    }
    this.setState('online');
    this.emit('peers', this.peers);
  }

  /** @param {object} msg */
  transmit(msg) {
    if (this.ws && this.welcomed) this.ws.send(JSON.stringify(msg));
  }

  /**
   * Sends ops, split into as many batches as the server's limits require. Each batch is
   * pending in the Doc (shown at once) until acknowledged; while offline it waits and is
   * sent after the next welcome. Returns the batches' cids.
   * @param {readonly Op[]} ops
   * @returns {string[]}
   */
  send(ops) {
    const { batches, tooBig } = splitBatch(ops, this.limits);
    if (tooBig.length) {
      this.emit('error', { t: 'error', code: 'too_big', msg: `${tooBig.length} change(s) too large to send` });
    }
    return batches.map((batch) => {
      const cid = this.nextCid();
      this.doc.addPending(cid, batch);
      this.transmit({ t: 'ops', cid, ops: batch });
      return cid;
    });
  }

  /**
   * Renames the board (editors only). Offline, the latest title waits for the next welcome.
   * @param {string} title
   */
  setTitle(title) {
    this.title = title;
    if (this.welcomed) this.transmit({ t: 'title', title });
    else this.pendingTitle = title;
  }

  /**
   * Sets the board's canvas colour for everyone on it (editors only). Offline, the latest
   * choice waits for the next welcome.
   * @param {string} id
   */
  setCanvas(id) {
    this.canvas = id;
    if (this.welcomed) this.transmit({ t: 'canvas', canvas: id });
    else this.pendingCanvas = id;
  }

  /** @param {number} x @param {number} y */
  cursor(x, y) {
    this.sendEphemeral('cursor', this.paged({ t: 'cursor', x, y }));
  }

  /** @param {number} x @param {number} y */
  laser(x, y) {
    this.sendEphemeral('laser', this.paged({ t: 'laser', x, y }));
  }

  /**
   * Tells others which part of the board this client shows (world coordinates), so they
   * can follow it. Rectangles the server would refuse are not sent.
   * @param {number} x @param {number} y @param {number} w @param {number} h
   */
  view(x, y, w, h) {
    const ok = [x, y, w, h].every((v) => Number.isFinite(v) && Math.abs(v) <= MAX_COORD) && w > 0 && h > 0;
    if (ok) this.sendEphemeral('view', this.paged({ t: 'view', x, y, w, h }));
  }

  /** m with the page this client shows, unless that is the first. @param {Record<string, any>} m */
  paged(m) {
    if (this.page) m.page = this.page;
    return m;
  }

  /**
   * Shows others an element being drawn.
   * @param {Record<string, any>} el
   */
  preview(el) {
    this.sendEphemeral('preview', { t: 'preview', el });
  }

  /** @param {string} id */
  previewEnd(id) {
    this.sendEphemeral('preview', { t: 'preview', id, end: true });
  }

  /**
   * Queues an ephemeral message, replacing an unsent one of the same kind (the newer one
   * carries the newer position), and sends it as the budget allows (EPHEMERAL_RATE).
   * Offline, it is dropped: a stale cursor is worth nothing after a reconnect.
   * @param {string} kind
   * @param {object} msg
   */
  sendEphemeral(kind, msg) {
    if (!this.welcomed) return;
    this.ephemeral.set(kind, msg);
    this.pumpEphemeral();
  }

  pumpEphemeral() {
    if (this.ephemeralTimer !== null || this.ephemeral.size === 0) return;
    const now = this.timers.now();
    const refill = ((now - this.ephemeralAt) * EPHEMERAL_RATE) / 1000;
    this.ephemeralTokens = Math.min(EPHEMERAL_BURST, this.ephemeralTokens + (Number.isFinite(refill) ? refill : EPHEMERAL_BURST));
    this.ephemeralAt = now;
    if (this.ephemeralTokens < 1) {
      const wait = ((1 - this.ephemeralTokens) * 1000) / EPHEMERAL_RATE;
      this.ephemeralTimer = this.timers.setTimeout(() => {
        this.ephemeralTimer = null;
        this.pumpEphemeral();
      }, Math.ceil(wait));
      return;
    }
    const [kind, msg] = /** @type {[string, object]} */ (this.ephemeral.entries().next().value);
    this.ephemeral.delete(kind);
    this.transmit(msg);
    this.ephemeralTokens -= 1;
    this.pumpEphemeral();
  }

}
