import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sync, splitFrame, splitBatch, backoff, retryDelay, REFUSED_WAIT, wsURL, DEFAULT_LIMITS, MAX_BACKOFF, EPHEMERAL_INTERVAL, EPHEMERAL_BURST, EPHEMERAL_RATE, MAX_COORD, WELCOME_WAIT, MAX_WELCOME_WAIT } from '../js/sync.js';
import { Doc, putOp, patchOp } from '../js/doc.js';

/** A clock that moves only when the test says so. */
function fakeTimers() {
  let now = 0;
  let nextId = 0;
  let queue = [];
  return {
    setTimeout: (fn, ms) => (queue.push({ id: ++nextId, at: now + ms, fn }), nextId),
    clearTimeout: (id) => (queue = queue.filter((t) => t.id !== id)),
    now: () => now,
    pending: () => queue.length,
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = queue.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        queue = queue.filter((t) => t !== due);
        now = due.at;
        due.fn();
      }
      now = end;
    },
  };
}

/** Sockets that record what the client sends; the test plays the server. */
function fakeSockets() {
  const all = [];
  const create = (url) => {
    const s = {
      url,
      sent: [],
      closed: false,
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
      send(data) {
        assert.equal(typeof data, 'string');
        this.sent.push(JSON.parse(data));
      },
      close() {
        this.closed = true;
      },
      /** The server sends one frame holding these messages. */
      frame(...msgs) {
        this.onmessage({ data: msgs.map((m) => JSON.stringify(m)).join('\n') });
      },
    };
    all.push(s);
    return s;
  };
  return { all, create, last: () => all[all.length - 1] };
}

const rect = (id, extra = {}) => ({ id, type: 'rect', x: 0, y: 0, w: 10, h: 10, stroke: '#1e1e1e', opacity: 1, z: 'a0', ...extra });
const welcome = (extra = {}) => ({ t: 'welcome', v: 1, sid: 'me', role: 'editor', title: 'Plan', seq: 0, reset: false, ops: [], peers: [], ...extra });

function setup() {
  const timers = fakeTimers();
  const sockets = fakeSockets();
  const doc = new Doc();
  let n = 0;
  const sync = new Sync({
    url: 'ws://host/b/B/ws',
    doc,
    name: 'Ana',
    color: '#e03131',
    createSocket: sockets.create,
    timers,
    random: () => 0.5,
    nextCid: () => `c-${++n}`,
  });
  const states = [];
  sync.on('state', (s) => states.push(s));
  return { timers, sockets, doc, sync, states };
}

/** Starts and completes the handshake. */
function online(t, w = welcome()) {
  t.sync.start();
  const s = t.sockets.last();
  s.onopen();
  s.frame(w);
  return s;
}

test('splitFrame splits on newlines and skips what is not a JSON object', () => {
  const warn = console.warn;
  console.warn = () => {};
  try {
    assert.deepEqual(splitFrame('{"t":"ack","cid":"a","seq":1}\n{"t":"title","title":"x"}\n'), [
      { t: 'ack', cid: 'a', seq: 1 },
      { t: 'title', title: 'x' },
    ]);
    assert.deepEqual(splitFrame('{"t":"a"}\nnot json\n[1]\n\n{"t":"b"}'), [{ t: 'a' }, { t: 'b' }]);
  } finally {
    console.warn = warn;
  }
});

test('wsURL follows the page scheme', () => {
  assert.equal(wsURL({ protocol: 'https:', host: 'x.io' }, '/b/1/ws'), 'wss://x.io/b/1/ws');
  assert.equal(wsURL({ protocol: 'http:', host: 'localhost:8080' }, '/v/2/ws'), 'ws://localhost:8080/v/2/ws');
});

test('backoff grows, is jittered, and stops at MAX_BACKOFF', () => {
  assert.equal(backoff(0, () => 0), 125);
  assert.equal(backoff(0, () => 1), 250);
  assert.ok(backoff(3, () => 0.5) > backoff(2, () => 0.5));
  for (let i = 0; i < 40; i++) assert.ok(backoff(i, Math.random) <= MAX_BACKOFF);
  assert.equal(backoff(30, () => 1), MAX_BACKOFF);
});

test('splitBatch respects maxBatch and maxMessage, and sets aside ops too big to send', () => {
  const ops = Array.from({ length: 12 }, (_, i) => putOp(rect(`e${String(i).padStart(2, '0')}`)));
  const byCount = splitBatch(ops, { ...DEFAULT_LIMITS, maxBatch: 5 });
  assert.deepEqual(byCount.batches.map((b) => b.length), [5, 5, 2]);
  assert.deepEqual(byCount.batches.flat(), ops);

  const size = new TextEncoder().encode(JSON.stringify(ops[0])).length;
  const bySize = splitBatch(ops, { ...DEFAULT_LIMITS, maxMessage: 128 + (size + 1) * 3 });
  assert.deepEqual(bySize.batches.map((b) => b.length), [3, 3, 3, 3]);

  const huge = putOp(rect('big', { text: 'é'.repeat(600) }));
  const r = splitBatch([ops[0], huge, ops[1]], { ...DEFAULT_LIMITS, maxMessage: 1000 });
  assert.deepEqual(r.tooBig, [huge], 'measured in UTF-8 bytes, not characters');
  assert.deepEqual(r.batches, [[ops[0], ops[1]]]);
});

test('hello carries since, name and colour; welcome with reset replaces the board', () => {
  const t = setup();
  t.doc.reset([rect('old')], 7);
  t.sync.start();
  const s = t.sockets.last();
  assert.equal(s.url, 'ws://host/b/B/ws');
  assert.deepEqual(t.states, ['connecting']);
  s.onopen();
  assert.deepEqual(s.sent, [{ t: 'hello', v: 1, since: 7, name: 'Ana', color: '#e03131' }]);
  s.frame(welcome({ seq: 9, reset: true, elements: [rect('new', { v: 3 })], limits: { maxBatch: 2 }, peers: [{ sid: 'p1', name: 'Bo', color: '#1971c2', role: 'viewer' }] }));
  assert.deepEqual(t.states, ['connecting', 'online']);
  assert.deepEqual(t.doc.view().map((e) => e.id), ['new']);
  assert.equal(t.doc.seq, 9);
  assert.equal(t.sync.sid, 'me');
  assert.equal(t.sync.title, 'Plan');
  assert.equal(t.sync.limits.maxBatch, 2);
  assert.equal(t.sync.limits.maxMessage, DEFAULT_LIMITS.maxMessage);
  assert.deepEqual([...t.sync.peers.keys()], ['p1']);
});

test('welcome without reset applies the missed batches in order', () => {
  const t = setup();
  t.doc.reset([rect('a', { v: 1 })], 4);
  online(t, welcome({
    seq: 6,
    ops: [
      { t: 'ops', seq: 5, by: 'x', at: 10, ops: [{ o: 'patch', id: 'a', set: { x: 1 }, v: 2 }] },
      { t: 'ops', seq: 6, by: 'y', at: 20, ops: [{ o: 'patch', id: 'a', set: { x: 2 }, v: 3 }] },
    ],
  }));
  assert.deepEqual(t.doc.get('a'), { ...rect('a'), x: 2, v: 3, by: 'y', at: 20 });
  assert.equal(t.doc.seq, 6);
});

test('one frame with a broadcast and an ack confirms the batch', () => {
  const t = setup();
  const s = online(t);
  const ops = [putOp(rect('a'))];
  assert.deepEqual(t.sync.send(ops), ['c-1']);
  assert.deepEqual(s.sent.at(-1), { t: 'ops', cid: 'c-1', ops });
  assert.equal(t.doc.pending.length, 1);
  const events = [];
  t.sync.on('ops', (m) => events.push(m.seq));
  t.sync.on('ack', (m) => events.push(m.cid));
  s.frame({ t: 'ops', seq: 1, by: 'me', at: 5, ops: [{ o: 'put', el: { ...rect('a'), v: 1, by: 'me', at: 5 } }] }, { t: 'ack', cid: 'c-1', seq: 1 });
  assert.deepEqual(events, [1, 'c-1']);
  assert.equal(t.doc.pending.length, 0);
  assert.equal(t.doc.get('a').v, 1);
  assert.equal(t.doc.seq, 1);
});

test('batches made offline wait, then go out after welcome in order with their cids', () => {
  const t = setup();
  t.sync.send([putOp(rect('a'))]);
  t.sync.start();
  const s = t.sockets.last();
  t.sync.send([patchOp('a', { x: 5 })]);
  s.onopen();
  assert.deepEqual(s.sent.map((m) => m.t), ['hello'], 'nothing is sent before welcome');
  assert.equal(t.doc.get('a').x, 5, 'pending changes show at once');
  s.frame(welcome());
  assert.deepEqual(s.sent.slice(1).map((m) => m.cid), ['c-1', 'c-2']);
});

test('after a lost connection: backoff, reconnect with since, resend the same cids', () => {
  const t = setup();
  const s1 = online(t);
  s1.frame({ t: 'ops', seq: 1, by: 'x', at: 1, ops: [{ o: 'put', el: rect('a') }] });
  t.sync.send([patchOp('a', { x: 1 })]);
  t.sync.send([patchOp('a', { x: 2 })]);
  s1.frame({ t: 'ops', seq: 2, by: 'me', at: 2, ops: [{ o: 'patch', id: 'a', set: { x: 1 }, v: 2 }] }, { t: 'ack', cid: 'c-1', seq: 2 });

  s1.onclose({ code: 1006 });
  assert.equal(t.sync.state, 'offline');
  t.sync.send([patchOp('a', { x: 3 })]);
  assert.equal(t.sockets.all.length, 1);
  t.timers.advance(backoff(0, () => 0.5) - 1);
  assert.equal(t.sockets.all.length, 1, 'waits out the backoff');
  t.timers.advance(1);
  const s2 = t.sockets.last();
  assert.notEqual(s2, s1);
  assert.equal(t.sync.state, 'connecting');
  s2.onopen();
  assert.equal(s2.sent[0].since, 2);
  s2.frame(welcome({ seq: 2 }));
  assert.deepEqual(s2.sent.slice(1), [
    { t: 'ops', cid: 'c-2', ops: [patchOp('a', { x: 2 })] },
    { t: 'ops', cid: 'c-3', ops: [patchOp('a', { x: 3 })] },
  ]);
  assert.deepEqual(t.states, ['connecting', 'online', 'offline', 'connecting', 'online']);
});

test('failed attempts back off further, and a welcome resets the backoff', () => {
  const t = setup();
  t.sync.start();
  const delays = [];
  for (let i = 0; i < 6; i++) {
    const before = t.timers.now();
    t.sockets.last().onclose({ code: 1006 });
    const count = t.sockets.all.length;
    while (t.sockets.all.length === count) t.timers.advance(1);
    delays.push(t.timers.now() - before);
  }
  assert.deepEqual(delays, [0, 1, 2, 3, 4, 5].map((i) => Math.ceil(backoff(i, () => 0.5))));
  t.sockets.last().onopen();
  t.sockets.last().frame(welcome());
  t.sockets.last().onclose({ code: 1006 });
  assert.equal(t.sockets.all.length, 7);
  t.timers.advance(backoff(0, () => 0.5));
  assert.equal(t.sockets.all.length, 8);
});

test('a socket that opens but is never welcomed is dropped and retried, waiting longer each time', () => {
  const t = setup();
  t.sync.start();
  const s1 = t.sockets.last();
  s1.onopen();
  t.timers.advance(WELCOME_WAIT - 1);
  assert.equal(s1.closed, false);
  assert.equal(t.sync.state, 'connecting');
  t.timers.advance(1);
  assert.equal(s1.closed, true, 'given up on');
  assert.equal(t.sync.state, 'offline');
  t.timers.advance(backoff(0, () => 0.5));
  const s2 = t.sockets.last();
  assert.notEqual(s2, s1);
  s2.onopen();
  t.timers.advance(WELCOME_WAIT);
  assert.equal(s2.closed, false, 'the second attempt waits twice as long');
  s2.frame(welcome());
  assert.equal(t.sync.state, 'online');
  t.timers.advance(MAX_WELCOME_WAIT);
  assert.equal(s2.closed, false, 'a welcomed connection is kept however quiet');

  // A welcome starts the count again; a socket that never opens is given up on too.
  s2.onclose({ code: 1006 });
  t.timers.advance(backoff(0, () => 0.5));
  const s3 = t.sockets.last();
  assert.notEqual(s3, s2);
  t.timers.advance(WELCOME_WAIT);
  assert.equal(s3.closed, true);
  assert.ok(Math.min(MAX_WELCOME_WAIT, WELCOME_WAIT * 2 ** 20) <= MAX_WELCOME_WAIT);
});

test('a trashed board: refused attempts are retried at most MAX_BACKOFF apart, and the restore is rejoined with since', () => {
  const t = setup();
  const s1 = online(t, welcome({ seq: 4, reset: true, elements: [] }));
  t.sync.send([putOp(rect('a'))]);
  s1.frame({ t: 'error', code: 'trashed', msg: 'This board was deleted' });
  s1.onclose({ code: 1001 });
  // Refused (410) while the board is in the trash: the socket closes without opening.
  for (let i = 0; i < 12; i++) {
    const count = t.sockets.all.length;
    t.timers.advance(MAX_BACKOFF);
    assert.equal(t.sockets.all.length, count + 1, `attempt ${i} within MAX_BACKOFF`);
    t.sockets.last().onclose({ code: 1006 });
  }
  t.timers.advance(MAX_BACKOFF);
  const s = t.sockets.last();
  s.onopen();
  assert.equal(s.sent[0].since, 4);
  s.frame(welcome({ seq: 4 }));
  assert.deepEqual(s.sent.slice(1), [{ t: 'ops', cid: 'c-1', ops: [putOp(rect('a'))] }]);
  assert.equal(t.sync.state, 'online');
});

test('an error with a cid drops that batch and is reported', () => {
  const t = setup();
  const s = online(t);
  t.sync.send([putOp(rect('bad'))]);
  t.sync.send([putOp(rect('good'))]);
  const errors = [];
  t.sync.on('error', (e) => errors.push(e));
  s.frame({ t: 'error', code: 'bad_value', msg: 'element bad: width must be 0-100', cid: 'c-1' });
  assert.deepEqual(t.doc.pending.map((b) => b.cid), ['c-2']);
  assert.equal(t.doc.get('bad'), undefined);
  assert.equal(errors[0].msg, 'element bad: width must be 0-100');
});

test('a gap in seq reconnects to catch up, ignoring the rest of the frame', () => {
  const t = setup();
  const warn = console.warn;
  console.warn = () => {};
  try {
    const s = online(t);
    s.frame({ t: 'ops', seq: 1, ops: [] });
    s.frame({ t: 'ops', seq: 3, ops: [{ o: 'put', el: rect('x') }] }, { t: 'title', title: 'stale' });
    assert.equal(s.closed, true);
    assert.equal(t.doc.seq, 1);
    assert.equal(t.doc.get('x'), undefined);
    assert.equal(t.sync.title, 'Plan');
    const s2 = t.sockets.last();
    assert.notEqual(s2, s);
    s2.onopen();
    assert.equal(s2.sent[0].since, 1);
    // Late events of the old socket change nothing.
    s.frame({ t: 'title', title: 'late' });
    s.onclose({ code: 1000 });
    assert.equal(t.sync.title, 'Plan');
    assert.equal(t.sync.state, 'connecting');
  } finally {
    console.warn = warn;
  }
});

test('cursor messages go out at once within the burst, then throttled to the newest position, and dropped offline', () => {
  const t = setup();
  t.sync.cursor(1, 1);
  const s = online(t);
  const cursors = () => s.sent.filter((m) => m.t === 'cursor');
  for (let i = 0; i < EPHEMERAL_BURST; i++) t.sync.cursor(0, i);
  assert.equal(cursors().length, EPHEMERAL_BURST, 'a burst after a quiet moment is sent at once');
  t.sync.cursor(1, 2);
  t.sync.cursor(1, 3);
  t.sync.cursor(1, 4);
  assert.equal(cursors().length, EPHEMERAL_BURST, 'the budget is spent: nothing more now');
  t.timers.advance(Math.ceil(EPHEMERAL_INTERVAL));
  assert.deepEqual(cursors().at(-1), { t: 'cursor', x: 1, y: 4 }, 'only the newest waiting position is sent');
  assert.equal(cursors().length, EPHEMERAL_BURST + 1);
  t.timers.advance(1000);
  assert.equal(cursors().length, EPHEMERAL_BURST + 1, 'nothing new, nothing sent');

  t.sync.cursor(9, 9);
  assert.deepEqual(cursors().at(-1), { t: 'cursor', x: 9, y: 9 }, 'after a quiet second, sent at once');
  for (let i = 0; i < EPHEMERAL_BURST; i++) t.sync.cursor(8, i);
  t.sync.cursor(9, 10);
  const before = cursors().length;
  s.onclose({ code: 1006 });
  t.timers.advance(1000);
  assert.equal(cursors().length, before, 'the queued cursor died with the connection');
});

test('cursor and preview share the rate budget', () => {
  const t = setup();
  const s = online(t);
  const el = rect('p');
  for (let i = 0; i < 10; i++) {
    t.sync.cursor(i, i);
    t.sync.preview({ ...el, x: i });
    t.timers.advance(10);
  }
  t.sync.previewEnd('p');
  t.timers.advance(1000);
  const eph = s.sent.filter((m) => m.t !== 'hello');
  const span = t.timers.now();
  assert.ok(eph.length <= EPHEMERAL_BURST + Math.ceil((span * EPHEMERAL_RATE) / 1000), `${eph.length} messages in ${span} ms`);
  assert.deepEqual(eph.filter((m) => m.t === 'preview').at(-1), { t: 'preview', id: 'p', end: true }, 'the end of a preview is not lost');
  assert.ok(eph.some((m) => m.t === 'cursor') && eph.some((m) => m.t === 'preview' && m.el));
});

test('a title set offline is sent after welcome; join and leave update peers', () => {
  const t = setup();
  t.sync.setTitle('Renamed');
  const titles = [];
  t.sync.on('welcome', () => titles.push(t.sync.title));
  const s = online(t);
  assert.deepEqual(titles, ['Renamed'], 'the old title from welcome is not shown in between');
  assert.deepEqual(s.sent.at(-1), { t: 'title', title: 'Renamed' });
  t.sync.setTitle('Again');
  assert.deepEqual(s.sent.at(-1), { t: 'title', title: 'Again' });
  s.frame({ t: 'title', title: 'From someone else' });
  assert.equal(t.sync.title, 'From someone else');

  const seen = [];
  t.sync.on('peers', (p) => seen.push([...p.keys()]));
  s.frame({ t: 'join', sid: 'p1', name: 'Bo', color: '#1971c2', role: 'editor' }, { t: 'join', sid: 'p2', name: 'Cy', color: '#2f9e44', role: 'viewer' });
  s.frame({ t: 'leave', sid: 'p1' });
  assert.deepEqual(seen, [['p1'], ['p1', 'p2'], ['p2']]);
});

test('our own join after a rename brings the colour the server gave, and shows it', () => {
  const t = setup();
  const s = online(t, welcome({ color: '#1971c2' }));
  let shown = 0;
  t.sync.on('peers', () => shown++);
  t.sync.setIdentity('Happy Puffin', '#1971c2');
  s.frame({ t: 'join', sid: 'me', name: 'Happy Puffin', color: '#2f9e44', role: 'editor' });
  assert.equal(t.sync.color, '#2f9e44');
  assert.equal(shown, 1, 'the people are shown again, with our new colour');
  assert.equal(t.sync.peers.has('me'), false, 'we are not one of our peers');
  s.frame({ t: 'join', sid: 'me', name: 'Happy Puffin', color: '#2f9e44', role: 'editor' });
  assert.equal(shown, 1, 'the same colour again changes nothing');
});

test("the board's canvas colour comes with welcome and canvas; one chosen offline is sent after welcome", () => {
  const t = setup();
  t.sync.setCanvas('mint');
  const shown = [];
  t.sync.on('welcome', () => shown.push(t.sync.canvas));
  const s = online(t);
  assert.deepEqual(shown, ['mint'], 'the colour from welcome is not shown in between');
  assert.deepEqual(s.sent.at(-1), { t: 'canvas', canvas: 'mint' });
  s.frame({ t: 'canvas', canvas: 'sky' });
  assert.equal(t.sync.canvas, 'sky');
  s.onclose({ code: 1006 });
  t.timers.advance(MAX_BACKOFF);
  const s2 = t.sockets.last();
  s2.onopen();
  s2.frame(welcome({ canvas: 'paper' }));
  assert.equal(t.sync.canvas, 'paper');
  assert.equal(s2.sent.filter((m) => m.t === 'canvas').length, 0, 'a colour from the server is not sent back');
});

test('setIdentity renames on the open connection; offline, the next hello carries it', () => {
  const t = setup();
  const s1 = online(t);
  t.sync.setIdentity('Bea', '#123');
  assert.equal(s1.closed, false, 'a rename does not reconnect');
  assert.equal(t.sockets.all.length, 1);
  assert.deepEqual(s1.sent.at(-1), { t: 'name', name: 'Bea', color: '#123' });

  s1.onclose({ code: 1006 });
  t.sync.setIdentity('Cy', '#456');
  assert.equal(s1.sent.at(-1).name, 'Bea', 'nothing is sent on a closed connection');
  t.timers.advance(MAX_BACKOFF);
  const s2 = t.sockets.last();
  s2.onopen();
  assert.deepEqual(s2.sent[0], { t: 'hello', v: 1, since: 0, name: 'Cy', color: '#456' });

  t.sync.stop();
  assert.equal(s2.closed, true);
  assert.equal(t.sync.state, 'offline');
  t.timers.advance(60000);
  assert.equal(t.sockets.all.length, 2);
});

test('our own join and leave, echoed by the server, do not make us a peer', () => {
  const t = setup();
  const s = online(t);
  const seen = [];
  t.sync.on('peers', (p) => seen.push([...p.keys()]));
  s.frame({ t: 'join', sid: 'me', name: 'Ana', color: '#e03131', role: 'editor' }, { t: 'join', sid: 'p1', name: 'Bo', color: '#1971c2', role: 'editor' });
  s.frame({ t: 'join', sid: 'p1', name: 'Bob', color: '#1971c2', role: 'editor' });
  assert.deepEqual(seen, [['p1'], ['p1']]);
  assert.equal(t.sync.peers.get('p1')?.name, 'Bob', 'a join for a known sid is a rename');
  assert.equal(t.sync.peers.has('me'), false);
});

test('the colour the server gives, in welcome and in our own join, is the one we have', () => {
  const t = setup();
  const s = online(t, welcome({ color: '#1971c2' }));
  assert.equal(t.sync.color, '#1971c2', 'someone here wore #e03131 first');
  t.sync.setIdentity('Ana', '#e03131');
  assert.deepEqual(s.sent.at(-1), { t: 'name', name: 'Ana', color: '#e03131' });
  s.frame({ t: 'join', sid: 'me', name: 'Ana', color: '#2f9e44', role: 'editor' });
  assert.equal(t.sync.color, '#2f9e44');
  s.frame({ t: 'join', sid: 'p1', name: 'Bo', color: '#9c36b5', role: 'editor' });
  assert.equal(t.sync.color, '#2f9e44', "someone else's join is not ours");
});

test('our own ephemeral messages, relayed back by the server, are skipped', () => {
  const t = setup();
  const s = online(t);
  const seen = [];
  for (const type of ['cursor', 'laser', 'preview', 'view']) t.sync.on(type, (m) => seen.push(`${type} ${m.sid}`));
  s.frame(
    { t: 'cursor', sid: 'me', x: 1, y: 2 },
    { t: 'cursor', sid: 'p1', x: 1, y: 2 },
    { t: 'preview', sid: 'me', el: rect('a') },
    { t: 'laser', sid: 'me', x: 0, y: 0 },
    { t: 'view', sid: 'me', x: 0, y: 0, w: 10, h: 10 },
    { t: 'view', sid: 'p1', x: 0, y: 0, w: 10, h: 10 },
  );
  assert.deepEqual(seen, ['cursor p1', 'view p1']);
});

test('view sends the rectangle, and not one the server would refuse', () => {
  const t = setup();
  const s = online(t);
  t.sync.view(-10, 20, 1280, 720);
  t.timers.advance(EPHEMERAL_INTERVAL);
  for (const bad of [[0, 0, 0, 10], [0, 0, 10, -1], [MAX_COORD * 2, 0, 10, 10], [NaN, 0, 10, 10], [0, 0, Infinity, 10]]) {
    t.sync.view(...bad);
    t.timers.advance(EPHEMERAL_INTERVAL);
  }
  assert.deepEqual(s.sent.filter((m) => m.t === 'view'), [{ t: 'view', x: -10, y: 20, w: 1280, h: 720 }]);
});

test('an op too big for any message is reported, not sent', () => {
  const t = setup();
  const s = online(t, welcome({ limits: { maxMessage: 500 } }));
  const errors = [];
  t.sync.on('error', (e) => errors.push(e.code));
  const cids = t.sync.send([putOp(rect('big', { text: 'x'.repeat(1000) }))]);
  assert.deepEqual(cids, []);
  assert.deepEqual(errors, ['too_big']);
  assert.equal(s.sent.filter((m) => m.t === 'ops').length, 0);
});

test('after a reconnect, batches already in welcome.ops are not resent', () => {
  const t = setup();
  const s1 = online(t);
  t.sync.send([putOp(rect('a'))]);
  t.sync.send([putOp(rect('b'))]);
  // The server stored c-1 but the connection died before its broadcast arrived.
  s1.onclose({ code: 1006 });
  t.timers.advance(MAX_BACKOFF);
  const s2 = t.sockets.last();
  s2.onopen();
  s2.frame(welcome({ seq: 1, ops: [{ t: 'ops', seq: 1, cid: 'c-1', by: 'me', at: 1, ops: [{ o: 'put', el: { ...rect('a'), v: 1 } }] }] }));
  assert.deepEqual(s2.sent.filter((m) => m.t === 'ops').map((m) => m.cid), ['c-2']);
  assert.deepEqual(t.doc.pending.map((b) => b.cid), ['c-2']);
});

test('a stream of cursors and previews never exceeds what the server accepts (30/s, burst 60)', () => {
  const t = setup();
  const s = online(t);
  const el = rect('q');
  let tokens = 60; // the server's bucket for this connection
  let last = t.timers.now();
  let seen = s.sent.length;
  let sent = 0;
  for (let ms = 0; ms < 10000; ms++) {
    if (ms % 2 === 0) t.sync.cursor(ms, ms);
    else t.sync.preview({ ...el, x: ms });
    t.timers.advance(1);
    const now = t.timers.now();
    tokens = Math.min(60, tokens + ((now - last) * 30) / 1000);
    last = now;
    for (; seen < s.sent.length; seen++) {
      if (s.sent[seen].t === 'hello') continue;
      sent++;
      assert.ok(tokens >= 1, `message ${sent} at ${ms} ms would be dropped by the server`);
      tokens -= 1;
    }
  }
  assert.ok(sent >= 270, `only ${sent} messages in 10 s: the budget is not used`);
});

test('retryDelay: refusals wait at least REFUSED_WAIT or the server\'s hint, with jitter; other closes back off as usual', () => {
  assert.equal(retryDelay(1006, 2, 0, () => 0.5), backoff(2, () => 0.5));
  assert.equal(retryDelay(1008, 0, 0, () => 0), REFUSED_WAIT[1008]);
  assert.equal(retryDelay(1008, 0, 0, () => 1), REFUSED_WAIT[1008] * 1.5);
  assert.equal(retryDelay(1008, 0, 60000, () => 0), 60000);
  assert.ok(retryDelay(1013, 0, 0, () => 0) >= REFUSED_WAIT[1013]);
  assert.ok(REFUSED_WAIT[1008] > REFUSED_WAIT[1013]);
});

test('closed for sending too fast: the reason is told, the wait is long, pending changes are resent with their cids', () => {
  const t = setup();
  const refusals = [];
  t.sync.on('refused', (r) => refusals.push(r));
  const s1 = online(t);
  t.sync.send([putOp(rect('a'))]);
  t.sync.send([putOp(rect('b'))]);
  s1.frame({ t: 'ack', cid: 'c-1', seq: 1 }, { t: 'error', code: 'rate_limited', msg: 'Too fast.', retry: 30 });
  s1.onclose({ code: 1008, reason: 'You are sending changes faster than this server allows.' });
  assert.equal(refusals.length, 1);
  assert.equal(refusals[0].reason, 'You are sending changes faster than this server allows.');
  assert.equal(refusals[0].wait, retryDelay(1008, 0, 30000, () => 0.5));
  t.timers.advance(30000 - 1);
  assert.equal(t.sockets.all.length, 1, 'waits at least what the server asked');
  t.timers.advance(refusals[0].wait);
  const s2 = t.sockets.last();
  assert.notEqual(s2, s1);
  s2.onopen();
  s2.frame(welcome({ seq: 1 }));
  assert.deepEqual(s2.sent.slice(1), [{ t: 'ops', cid: 'c-2', ops: [putOp(rect('b'))] }]);
  assert.equal(t.sync.state, 'online');
});

test('a link that is gone while offline stops the page instead of retrying for ever', async () => {
  const timers = fakeTimers();
  const sockets = fakeSockets();
  let asked = 0;
  let exists = true;
  const sync = new Sync({
    url: 'ws://host/b/B/ws',
    doc: new Doc(),
    createSocket: sockets.create,
    timers,
    random: () => 0.5,
    probe: async () => {
      asked++;
      return exists;
    },
  });
  const errors = [];
  sync.on('error', (m) => errors.push(m));
  sync.start();
  // Refused handshakes never open: after PROBE_AFTER of them the page asks.
  sockets.last().onclose({ code: 1006 });
  assert.equal(asked, 0);
  timers.advance(60_000);
  sockets.last().onclose({ code: 1006 });
  assert.equal(asked, 1);
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(errors.length, 0, 'the link exists: keep retrying');
  assert.equal(sync.stopped, false);
  // Now the link was replaced meanwhile.
  exists = false;
  timers.advance(60_000);
  sockets.last().onclose({ code: 1006 });
  assert.equal(asked, 2);
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(sync.stopped, true);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].code, 'link_replaced');
  const made = sockets.all.length;
  timers.advance(600_000);
  assert.equal(sockets.all.length, made, 'no retry after it stopped');
});

test('a connection that opened resets the count of failures before asking', () => {
  const timers = fakeTimers();
  const sockets = fakeSockets();
  let asked = 0;
  const sync = new Sync({
    url: 'ws://host/b/B/ws',
    doc: new Doc(),
    createSocket: sockets.create,
    timers,
    random: () => 0.5,
    probe: async () => {
      asked++;
      return true;
    },
  });
  sync.start();
  sockets.last().onclose({ code: 1006 });
  timers.advance(60_000);
  sockets.last().onopen();
  sockets.last().onclose({ code: 1006 });
  timers.advance(60_000);
  sockets.last().onclose({ code: 1006 });
  assert.equal(asked, 0, 'one failure after an open is not two in a row');
});
