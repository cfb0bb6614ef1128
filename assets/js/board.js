// @ts-check
// The board page: reads the board from the page's data attributes, connects, and wires the
// canvas, the input gestures and the controls together. Logic lives in the modules it
// imports; this file only connects them.
//
// For browser tests: window.tabula = {doc, sync, camera, state, follow, people(), editor, stats,
// painted} (painted: when others' previews and elements were first drawn, paintlog.js);
// body[data-state] is the connection state and body[data-seq] the last confirmed seq.

import { Doc } from './doc.js';
import { Sync, wsURL } from './sync.js';
import { createCamera, worldToScreen, zoomAt, centredOn, fitRect, glide, visibleRect, openingCamera } from './camera.js';
import { unionBounds } from './hit.js';
import { createLayer, applyCamera } from './canvas.js';
import { drawElement, drawCursor } from './render.js';
import { attachInput } from './input.js';
import { setupDrawing } from './whiteboard.js';
import { browserStorage, loadUser, saveUser, rememberBoard, forgetBoard, PALETTE } from './storage.js';
import { applyPresence, withSelf, others, displayName } from './presence.js';
import { bindPeople, bindProfile } from './people.js';
import { nameOnBoard } from './identity.js';
import * as ui from './ui.js';
import { VoiceCall, drawSpeaking } from './voice.js';
import { bindVoiceBar } from './voicebar.js';
import { bindCanvas } from './canvasswitch.js';
import { bindLinks } from './links.js';
import { bindPresenting } from './present.js';
import { bindPages } from './pagemenu.js';
import { DEFAULT_PAGE } from './pages.js';

/** How long another person's finished preview stays while their stroke is being stored. */
const PREVIEW_LINGER = 1000;

const root = /** @type {HTMLElement} */ (document.getElementById('board'));
/** @type {'editor' | 'viewer'} */
const role = root.dataset.role === 'editor' ? 'editor' : 'viewer';
const board = {
  id: root.dataset.id ?? '',
  role,
  viewId: root.dataset.viewId ?? '',
  wsPath: root.dataset.wsPath ?? '',
};
// Read when used: an editor here can replace the board's links (links.js).
const presencePath = () => `/${role === 'editor' ? 'b' : 'v'}/${encodeURIComponent(board.id)}/presence`;
const canEdit = board.role === 'editor';

const storage = browserStorage();
const user = loadUser(storage);
saveUser(storage, user);

const doc = new Doc();
const camera = createCamera();
const sync = new Sync({ url: wsURL(location, board.wsPath), doc, name: user.name, color: user.color, probe: linkExists });
sync.title = root.dataset.title ?? '';
sync.canvas = document.body.dataset.canvas ?? 'plain'; // the board page shows it from the first paint

/**
 * Whether this page's link still exists: false only on a 404, which is how the server
 * answers a replaced link or a deleted board (a failed fetch is not an answer).
 * @returns {Promise<boolean>}
 */
async function linkExists() {
  const res = await fetch(board.wsPath.replace(/\/ws$/, ''), { method: 'HEAD', cache: 'no-store' });
  return res.status !== 404;
}

/**
 * What the page shows besides the document.
 * @type {{
 *   tool: string, color: string, width: number,
 *   drawing: {tool: string} | null,
 *   previews: Map<string, {el: import('./doc.js').Element}>,
 *   cursors: Map<string, {x: number, y: number}>,
 *   views: Map<string, {x: number, y: number, w: number, h: number}>,
 *   pages: Map<string, string>,
 * }}
 */
const state = {
  tool: canEdit ? 'select' : 'hand',
  color: '#1e1e1e',
  width: 2,
  drawing: null,
  previews: new Map(),
  cursors: new Map(),
  views: new Map(),
  /** The page each other person is on, by sid, from their cursors, lasers and views. */
  pages: new Map(),
};

/** The page menu (pagemenu.js), bound once the editor exists. @type {ReturnType<typeof bindPages> | null} */
let pages = null;

/** Whether session sid is on the page shown (cursors, previews and lasers show only then). @param {string} sid */
const samePage = (sid) => (state.pages.get(sid) ?? DEFAULT_PAGE) === doc.page;

/** Notes the page a cursor, laser or view came from. @param {{sid: string, page?: string}} m */
function notePage(m) {
  const page = m.page || DEFAULT_PAGE;
  if (state.pages.get(m.sid) === page) return;
  state.pages.set(m.sid, page);
  renderPeople();
}

// --- drawing ---------------------------------------------------------------

const scene = createLayer(/** @type {HTMLCanvasElement} */ (document.getElementById('scene')), (ctx, w, h, dpr) =>
  drawing.drawScene(ctx, w, h, dpr),
);
const liveCanvas = /** @type {HTMLCanvasElement} */ (document.getElementById('live'));
const live = createLayer(liveCanvas, drawLive);

/** @type {import('./canvas.js').DrawFn} */
function drawLive(ctx, w, h, dpr) {
  applyCamera(ctx, camera, dpr);
  for (const [sid, p] of state.previews) {
    if (!samePage(sid)) continue;
    drawElement(ctx, p.el);
    drawing.painted.previewDrawn(p.el.id);
  }
  drawing.drawOverlay(ctx, dpr);
  if (drawing.drawLasers(ctx, dpr)) live.invalidate();
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const now = performance.now();
  for (const [sid, c] of state.cursors) {
    const peer = sync.peers.get(sid);
    const [sx, sy] = worldToScreen(camera, c.x, c.y);
    if (!peer || !samePage(sid) || sx < -20 || sy < -20 || sx > w || sy > h) continue;
    if (everyone.get(sid)?.voice === 'speaking') {
      drawSpeaking(ctx, sx, sy, peer.color, now);
      live.invalidate();
    }
    drawCursor(ctx, sx, sy, peer.color, peer.name || 'Anonymous');
  }
}

/** Redraws after the camera moved, and tells the others what we now show. */
function redraw() {
  scene.invalidate();
  live.invalidate();
  showZoom();
  sendView();
}

/** Sends the part of the board this page shows, for whoever follows us. */
function sendView() {
  const r = visibleRect(camera, liveCanvas.clientWidth, liveCanvas.clientHeight);
  sync.view(r.minX, r.minY, r.maxX - r.minX, r.maxY - r.minY);
}

/** The user moved the camera themselves: that ends following someone. */
function cameraChanged() {
  stopFollowing();
  presenting.userMoved();
  redraw();
}

const showZoom = ui.bindZoom(
  () => camera.zoom,
  (z) => {
    zoomAt(camera, liveCanvas.clientWidth / 2, liveCanvas.clientHeight / 2, z);
    cameraChanged();
  },
);

window.addEventListener('resize', () => {
  scene.resize();
  live.resize();
  sendView();
  if (follow.sid) aim();
  presenting.resize();
});

// --- drawing tools -----------------------------------------------------------

const drawing = setupDrawing({
  doc,
  sync,
  camera,
  board,
  state,
  canvas: liveCanvas,
  scene,
  live,
  cameraChanged,
  toast: ui.toast,
  storage,
});

attachInput(liveCanvas, camera, {
  ...drawing.input,
  pointer(x, y) {
    drawing.pointer(x, y);
    sync.cursor(x, y);
  },
  cameraChanged,
  panning(on) {
    document.body.dataset.panning = String(on);
  },
});

const presenting = bindPresenting({
  ed: drawing.editor,
  sync,
  canvas: liveCanvas,
  redraw,
  stopFollowingPerson: () => stopFollowing(),
  canEdit,
  toast: ui.toast,
  // A frame shown on another page takes you there (the camera is fitted next).
  showPage: (id) => pages?.show(id, { camera: 'keep' }),
});

// --- other people ----------------------------------------------------------

/** Forgets cursors and previews of sessions that are gone. */
function prunePeers() {
  for (const m of [state.cursors, state.previews, state.views, state.pages]) {
    for (const sid of m.keys()) if (!sync.peers.has(sid)) m.delete(sid);
  }
  drawing.prune((sid) => sync.peers.has(sid));
}

sync.on('peers', () => {
  prunePeers();
  renderPeople();
  live.invalidate();
});
sync.on('cursor', (m) => {
  notePage(m);
  state.cursors.set(m.sid, { x: m.x, y: m.y });
  if (m.sid === follow.sid) aim();
  live.invalidate();
});
sync.on('view', (m) => {
  notePage(m);
  state.views.set(m.sid, { x: m.x, y: m.y, w: m.w, h: m.h });
  if (m.sid === follow.sid) aim();
});
// Views are sent when they change; someone who arrives needs ours now, to follow us.
// (A join also follows a rename; sending the view again then costs one small message.)
sync.on('join', (m) => {
  if (m.sid !== sync.sid) sendView();
});
sync.on('laser', (m) => {
  notePage(m);
  if (!samePage(m.sid)) return;
  drawing.laser(m.sid, m.x, m.y);
  live.invalidate();
});
sync.on('preview', (m) => {
  if (!m.end) {
    state.previews.set(m.sid, { el: m.el });
  } else {
    const p = state.previews.get(m.sid);
    if (!p || p.el.id !== m.id) return;
    // The stored element arrives once the server has written it, usually just after
    // this; keep the preview until then so the stroke does not blink.
    if (doc.get(m.id)) state.previews.delete(m.sid);
    else {
      setTimeout(() => {
        if (state.previews.get(m.sid) !== p) return;
        state.previews.delete(m.sid);
        live.invalidate();
      }, PREVIEW_LINGER);
    }
  }
  live.invalidate();
});
sync.on('ops', (m) => {
  for (const op of m.ops) {
    if (op.o !== 'put') continue;
    for (const [sid, p] of state.previews) if (p.el.id === op.el.id) state.previews.delete(sid);
  }
  live.invalidate();
});
// Over the rate limit the offline banner says why, and when the page reconnects; a
// replaced link has its own message.
sync.on('error', (m) => m.code !== 'link_replaced' && m.code !== 'rate_limited' && ui.toast(m.cid ? `A change was not saved: ${m.msg || m.code}` : m.msg || m.code));

// --- the people panel --------------------------------------------------------

/**
 * Who is on the board, from the presence stream; null until it has sent a roster (or
 * after it failed), when the WebSocket's peer list stands in for it.
 * @type {import('./presence.js').Roster | null}
 */
let roster = null;
/** Everyone as last shown, you included. @type {import('./presence.js').Roster} */
let everyone = new Map();
/** Our session ids from before reconnects: the server lists them until it notices. */
const formerSids = new Set();

const profile = bindProfile(user, PALETTE, (name, color) => {
  user.chosen ||= name !== user.name;
  user.name = name;
  user.color = color;
  saveUser(storage, user);
  sync.setIdentity(name, color);
  renderPeople();
});
const showPeople = bindPeople({ pick: followPerson, profile });

function renderPeople() {
  // The colour is the one the server gave (ours unless someone here wore it first).
  const me = { sid: sync.sid, name: user.name, color: sync.color || user.color, role: board.role };
  everyone = withSelf(roster ?? applyPresence(new Map(), 'roster', [...sync.peers.values()]), me, formerSids);
  if (roster) for (const sid of formerSids) if (!roster.has(sid)) formerSids.delete(sid);
  const followed = follow.sid ? everyone.get(follow.sid) : undefined;
  if (follow.sid && !followed) stopFollowing(`${follow.name} left the board`);
  else if (followed) showFollowing({ name: displayName(followed.name), color: followed.color });
  // Who is on which page, once the board has more than one.
  const pageOf = (/** @type {string} */ sid) => (pages && doc.pages().length > 1 ? pages.nameOf(sid === me.sid ? doc.page : state.pages.get(sid) ?? '') : '');
  showPeople({ me: /** @type {any} */ (everyone.get(me.sid)), others: others(everyone, me.sid), following: follow.sid, pageOf });
  showVoice();
  presenting.people(everyone);
  live.invalidate(); // speaking rings on cursors
}

/** Follows the presence stream. Browsers reconnect by themselves (with Last-Event-ID)
 * after a network error, but not after an HTTP error such as 429: retry those slowly. */
/** @type {EventSource | null} */
let events = null;
function watchPresence() {
  const mine = new EventSource(presencePath());
  events = mine;
  for (const type of ['roster', 'join', 'update', 'leave']) {
    events.addEventListener(type, (e) => {
      let data;
      try {
        data = JSON.parse(/** @type {MessageEvent} */ (e).data);
      } catch {
        return;
      }
      roster = applyPresence(roster ?? new Map(), type, data);
      renderPeople();
    });
  }
  mine.addEventListener('error', () => {
    if (mine.readyState !== EventSource.CLOSED || events !== mine) return;
    roster = null;
    renderPeople();
    setTimeout(() => events === mine && watchPresence(), 15000);
  });
}

// The board opens fitted to what is on it, clear of the controls around the edges (on
// phones the bars take the top and a deep band at the bottom); reconnects keep the view.
let opened = false;
sync.on('welcome', () => {
  if (!opened) {
    opened = true;
    fitPage();
    redraw();
  }
  const name = nameOnBoard(user, [...sync.peers.values()].map((p) => p.name));
  if (name !== user.name) {
    user.name = name;
    saveUser(storage, user);
    sync.setIdentity(name, user.color);
  }
  renderPeople();
  sendView();
});
sync.on('join', (/** @type {{sid: string}} */ m) => {
  if (m.sid === sync.sid) renderPeople(); // the colour the server gave us after a rename
});
sync.on('state', (s) => {
  // The session id we had is over; the next welcome brings a new one.
  if (s !== 'online' && sync.sid) formerSids.add(sync.sid);
});

/** Fits the camera to what the page shows, clear of the bars, as a board opens. */
function fitPage() {
  const phone = matchMedia('(max-width: 720px)').matches;
  const insets = phone ? { top: 124, right: 16, bottom: 200, left: 16 } : { top: 72, right: 64, bottom: 72, left: 64 };
  Object.assign(camera, openingCamera(unionBounds(doc.view()), liveCanvas.clientWidth, liveCanvas.clientHeight, insets));
}

// --- pages -------------------------------------------------------------------

pages = bindPages(drawing.editor, { fit: fitPage, redraw, toast: ui.toast, changed: () => renderPeople() });

// --- following someone ------------------------------------------------------
// Following shows what the person shows: their view (the `view` message), fitted to this
// screen. Clients that do not send views are followed by their cursor, kept at the
// centre. Your own pan or zoom, Escape, the pill or their avatar ends it.

const follow = {
  sid: '',
  name: '',
  /** Where the camera is gliding to. @type {import('./camera.js').Camera | null} */
  to: null,
  frame: 0,
  at: 0,
};
const showFollowing = ui.bindFollowing(() => stopFollowing());

/** Starts following sid, or stops when that is whom we follow. @param {string} sid */
function followPerson(sid) {
  if (follow.sid === sid) {
    stopFollowing();
    return;
  }
  const p = everyone.get(sid);
  if (!p || sid === sync.sid) return;
  presenting.userMoved();
  follow.sid = sid;
  follow.name = displayName(p.name);
  aim();
  renderPeople();
}

/** @param {string} [why] told to the user when following ends by itself */
function stopFollowing(why) {
  if (!follow.sid) return;
  follow.sid = '';
  follow.to = null;
  cancelAnimationFrame(follow.frame);
  follow.frame = 0;
  showFollowing(null);
  renderPeople();
  if (why) ui.toast(why);
}

/** Glides the camera to the followed person's view, or to their cursor if we have no view. */
function aim() {
  // Following someone takes us to their page.
  const page = state.pages.get(follow.sid);
  if (page && page !== doc.page && doc.pages().some((p) => p.id === page)) pages?.show(page, { camera: 'keep' });
  const w = liveCanvas.clientWidth;
  const h = liveCanvas.clientHeight;
  const view = state.views.get(follow.sid);
  const cursor = state.cursors.get(follow.sid);
  follow.to = view ? fitRect(view, w, h) : cursor ? centredOn(camera, cursor.x, cursor.y, w, h) : null;
  if (!follow.to || follow.frame) return;
  follow.at = performance.now();
  follow.frame = requestAnimationFrame(step);
}

/** @param {number} now */
function step(now) {
  follow.frame = 0;
  if (!follow.to) return;
  const arrived = glide(camera, follow.to, liveCanvas.clientWidth, liveCanvas.clientHeight, now - follow.at);
  follow.at = now;
  redraw();
  if (!arrived) follow.frame = requestAnimationFrame(step);
}

window.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && follow.sid) stopFollowing();
});

// --- document, title, connection --------------------------------------------

doc.subscribe(() => {
  document.body.dataset.seq = String(doc.seq);
  scene.invalidate();
});
document.body.dataset.seq = '0';

bindCanvas(sync, canEdit);
ui.bindTitle(sync, canEdit, (title) => {
  document.title = title ? `${title} · Tabula` : 'Tabula';
  rememberBoard(storage, { id: board.id, role: board.role, title });
});
ui.bindStatus(sync);
ui.bindShare(board, ui.toast);
bindLinks({
  board,
  sync,
  toast: ui.toast,
  // This page replaced a link. Its socket stays (it named its session); what builds a
  // URL reads board.id when used, so only the address bar, the socket's next
  // reconnect, the presence stream and the list of recent boards need telling.
  moved(next) {
    const before = board.id;
    board.viewId = next.view;
    root.dataset.viewId = next.view;
    if (next.id === before) return;
    board.id = next.id;
    board.wsPath = `/b/${encodeURIComponent(next.id)}/ws`;
    Object.assign(root.dataset, { id: next.id, wsPath: board.wsPath });
    history.replaceState(history.state, '', `/b/${encodeURIComponent(next.id)}${location.search}${location.hash}`);
    sync.url = wsURL(location, board.wsPath);
    if (!sync.online) sync.retryNow();
    events?.close();
    watchPresence();
    forgetBoard(storage, before);
    rememberBoard(storage, { id: board.id, role: board.role, title: sync.title });
  },
  // An editor elsewhere replaced the link of this page: stop, and forget the dead link.
  replaced() {
    sync.stop();
    const mine = events;
    events = null;
    mine?.close();
    forgetBoard(storage, board.id);
    // Nobody is shown as here any more: this page no longer knows.
    roster = null;
    sync.peers.clear();
    prunePeers();
    renderPeople();
    return doc.pending.length;
  },
});

rememberBoard(storage, { id: board.id, role: board.role, title: sync.title });
window.addEventListener('online', () => sync.retryNow());
// Unacknowledged changes live only in this tab; warn before they are thrown away.
window.addEventListener('beforeunload', (e) => {
  if (doc.pending.length) e.preventDefault();
});

// --- voice -------------------------------------------------------------------

const voice = new VoiceCall({ sync, storage });
const showVoice = bindVoiceBar({
  call: voice,
  canEdit,
  toast: ui.toast,
  people: () => everyone,
  drawing: () => !!state.drawing,
  setViewers: (allow) => sync.transmit({ t: 'voice', op: 'viewers', allow }),
});

Object.assign(window, { tabula: { doc, sync, camera, state, follow, people: () => everyone, voice, presenting, editor: drawing.editor, stats: drawing.stats, painted: drawing.painted } });
renderPeople();
sync.start();
watchPresence();
