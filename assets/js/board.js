// @ts-check
// The board page: reads the board from the page's data attributes, connects, and wires the
// canvas, the input gestures and the controls together. Logic lives in the modules it
// imports; this file only connects them.
//
// For browser tests: window.tabula = {doc, sync, camera, state, follow, people()};
// body[data-state] is the connection state and body[data-seq] the last confirmed seq.

import { Doc, putOp } from './doc.js';
import { Sync, wsURL } from './sync.js';
import { createCamera, worldToScreen, zoomAt, centredOn, fitRect, glide, visibleRect } from './camera.js';
import { createLayer, applyCamera, drawWorld } from './canvas.js';
import { drawElement, drawCursor } from './render.js';
import { attachInput } from './input.js';
import { keyBetween, keysBetween } from './fracindex.js';
import { randomId } from './ids.js';
import { smoothPoints, simplify, splitPoints, toRelative } from './smooth.js';
import { browserStorage, loadUser, saveUser, rememberBoard, PALETTE } from './storage.js';
import { applyPresence, withSelf, others, displayName } from './presence.js';
import { bindPeople, bindProfile } from './people.js';
import * as ui from './ui.js';

/** Screen pixels a pointer must move before another sample is kept. */
const MIN_STEP = 0.75;
/** How long another person's finished preview stays while their stroke is being stored. */
const PREVIEW_LINGER = 1000;
const LASER_FADE = 1000;

const root = /** @type {HTMLElement} */ (document.getElementById('board'));
/** @type {'editor' | 'viewer'} */
const role = root.dataset.role === 'editor' ? 'editor' : 'viewer';
const board = {
  id: root.dataset.id ?? '',
  role,
  viewId: root.dataset.viewId ?? '',
  wsPath: root.dataset.wsPath ?? '',
};
const presencePath = `/${role === 'editor' ? 'b' : 'v'}/${encodeURIComponent(board.id)}/presence`;
const canEdit = board.role === 'editor';

const storage = browserStorage();
const user = loadUser(storage);
saveUser(storage, user);

const doc = new Doc();
const camera = createCamera();
const sync = new Sync({ url: wsURL(location, board.wsPath), doc, name: user.name, color: user.color });
sync.title = root.dataset.title ?? '';

/**
 * What the page shows besides the document.
 * @type {{
 *   tool: 'pen' | 'hand', color: string, width: number,
 *   drawing: {id: string, z: string, points: number[][]} | null,
 *   previews: Map<string, {el: import('./doc.js').Element}>,
 *   cursors: Map<string, {x: number, y: number}>,
 *   lasers: Map<string, {x: number, y: number, at: number}>,
 *   views: Map<string, {x: number, y: number, w: number, h: number}>,
 * }}
 */
const state = {
  tool: canEdit ? 'pen' : 'hand',
  color: '#1e1e1e',
  width: 4,
  drawing: null,
  previews: new Map(),
  cursors: new Map(),
  lasers: new Map(),
  views: new Map(),
};

// --- drawing ---------------------------------------------------------------

const scene = createLayer(/** @type {HTMLCanvasElement} */ (document.getElementById('scene')), (ctx, w, h, dpr) =>
  drawWorld(ctx, camera, doc.view(), w, h, dpr),
);
const liveCanvas = /** @type {HTMLCanvasElement} */ (document.getElementById('live'));
const live = createLayer(liveCanvas, drawLive);

/**
 * A stroke element in protocol form from absolute points.
 * @param {string} id @param {number[][]} points @param {string} z
 */
function strokeElement(id, points, z) {
  return { id, type: 'stroke', ...toRelative(points), stroke: state.color, width: state.width, opacity: 1, z };
}

/** @type {import('./canvas.js').DrawFn} */
function drawLive(ctx, w, h, dpr) {
  applyCamera(ctx, camera, dpr);
  for (const p of state.previews.values()) drawElement(ctx, p.el);
  const d = state.drawing;
  if (d) {
    drawElement(ctx, { id: d.id, type: 'stroke', points: d.points, stroke: state.color, width: state.width, opacity: 1 });
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const now = performance.now();
  for (const [sid, l] of state.lasers) {
    const age = (now - l.at) / LASER_FADE;
    if (age >= 1) {
      state.lasers.delete(sid);
      continue;
    }
    const [sx, sy] = worldToScreen(camera, l.x, l.y);
    ctx.globalAlpha = 1 - age;
    ctx.fillStyle = '#fa5252';
    ctx.beginPath();
    ctx.arc(sx, sy, 6, 0, Math.PI * 2);
    ctx.fill();
    ctx.globalAlpha = 1;
  }
  if (state.lasers.size) live.invalidate();
  for (const [sid, c] of state.cursors) {
    const peer = sync.peers.get(sid);
    const [sx, sy] = worldToScreen(camera, c.x, c.y);
    if (!peer || sx < -20 || sy < -20 || sx > w || sy > h) continue;
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
});

// --- the pen ---------------------------------------------------------------

/** @param {'pen' | 'hand'} tool */
function setTool(tool) {
  if (tool === 'pen' && !canEdit) return;
  state.tool = tool;
  document.body.dataset.tool = tool;
  ui.press('tool', tool);
}

attachInput(liveCanvas, camera, {
  canDraw: () => canEdit && state.tool === 'pen',
  tool: () => state.tool,
  strokeStart(p) {
    state.drawing = { id: randomId(), z: keyBetween(doc.topZ(), null), points: [p] };
    live.invalidate();
  },
  strokeMove(points) {
    const d = state.drawing;
    if (!d) return;
    for (const p of points) {
      const last = d.points[d.points.length - 1];
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) * camera.zoom >= MIN_STEP) d.points.push(p);
    }
    // Others see the newest part of a stroke that outgrew the limit; the put splits it.
    sync.preview(strokeElement(d.id, d.points.slice(-sync.limits.maxPoints), d.z));
    live.invalidate();
  },
  strokeEnd() {
    const d = state.drawing;
    if (!d) return;
    state.drawing = null;
    // Half a screen pixel of tolerance: invisible at the zoom it was drawn at.
    const points = simplify(smoothPoints(d.points), 0.5 / camera.zoom);
    const pieces = splitPoints(points, sync.limits.maxPoints);
    const zs = keysBetween(doc.topZ(), null, pieces.length);
    sync.send(pieces.map((piece, i) => putOp(strokeElement(i === 0 ? d.id : randomId(), piece, zs[i]))));
    sync.previewEnd(d.id);
    live.invalidate();
  },
  strokeCancel() {
    if (!state.drawing) return;
    sync.previewEnd(state.drawing.id);
    state.drawing = null;
    live.invalidate();
  },
  pointer: (x, y) => sync.cursor(x, y),
  cameraChanged,
  panning(on) {
    document.body.dataset.panning = String(on);
  },
  shortcut(key) {
    if (key === 'p') setTool('pen');
    if (key === 'h') setTool('hand');
  },
});

ui.bindToolbar((choice) => {
  if (choice.tool) setTool(/** @type {'pen' | 'hand'} */ (choice.tool));
  if (choice.color) {
    state.color = choice.color;
    ui.press('color', choice.color);
    setTool('pen');
  }
  if (choice.width) {
    state.width = choice.width;
    ui.press('width', String(choice.width));
    setTool('pen');
  }
});
setTool(state.tool);

// --- other people ----------------------------------------------------------

/** Forgets cursors and previews of sessions that are gone. */
function prunePeers() {
  for (const m of [state.cursors, state.previews, state.lasers, state.views]) {
    for (const sid of m.keys()) if (!sync.peers.has(sid)) m.delete(sid);
  }
}

sync.on('peers', () => {
  prunePeers();
  renderPeople();
  live.invalidate();
});
sync.on('cursor', (m) => {
  state.cursors.set(m.sid, { x: m.x, y: m.y });
  if (m.sid === follow.sid) aim();
  live.invalidate();
});
sync.on('view', (m) => {
  state.views.set(m.sid, { x: m.x, y: m.y, w: m.w, h: m.h });
  if (m.sid === follow.sid) aim();
});
// Views are sent when they change; someone who arrives needs ours now, to follow us.
// (A join also follows a rename; sending the view again then costs one small message.)
sync.on('join', (m) => {
  if (m.sid !== sync.sid) sendView();
});
sync.on('laser', (m) => {
  state.lasers.set(m.sid, { x: m.x, y: m.y, at: performance.now() });
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
sync.on('error', (m) => ui.toast(m.cid ? `A change was not saved: ${m.msg || m.code}` : m.msg || m.code));

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
  user.name = name;
  user.color = color;
  saveUser(storage, user);
  sync.setIdentity(name, color);
  renderPeople();
});
const showPeople = bindPeople({ pick: followPerson, profile });

function renderPeople() {
  const me = { sid: sync.sid, name: user.name, color: user.color, role: board.role };
  everyone = withSelf(roster ?? applyPresence(new Map(), 'roster', [...sync.peers.values()]), me, formerSids);
  if (roster) for (const sid of formerSids) if (!roster.has(sid)) formerSids.delete(sid);
  const followed = follow.sid ? everyone.get(follow.sid) : undefined;
  if (follow.sid && !followed) stopFollowing(`${follow.name} left the board`);
  else if (followed) showFollowing({ name: displayName(followed.name), color: followed.color });
  showPeople({ me: /** @type {any} */ (everyone.get(me.sid)), others: others(everyone, me.sid), following: follow.sid });
}

/** Follows the presence stream. Browsers reconnect by themselves (with Last-Event-ID)
 * after a network error, but not after an HTTP error such as 429: retry those slowly. */
function watchPresence() {
  const events = new EventSource(presencePath);
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
  events.addEventListener('error', () => {
    if (events.readyState !== EventSource.CLOSED) return;
    roster = null;
    renderPeople();
    setTimeout(watchPresence, 15000);
  });
}

sync.on('welcome', () => {
  renderPeople();
  sendView();
});
sync.on('state', (s) => {
  // The session id we had is over; the next welcome brings a new one.
  if (s !== 'online' && sync.sid) formerSids.add(sync.sid);
});

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

ui.bindTitle(sync, canEdit, (title) => {
  document.title = title ? `${title} · Tabula` : 'Tabula';
  rememberBoard(storage, { id: board.id, role: board.role, title });
});
ui.bindStatus(sync);
ui.bindShare(board, ui.toast);

rememberBoard(storage, { id: board.id, role: board.role, title: sync.title });
window.addEventListener('online', () => sync.retryNow());
// Unacknowledged changes live only in this tab; warn before they are thrown away.
window.addEventListener('beforeunload', (e) => {
  if (doc.pending.length) e.preventDefault();
});

Object.assign(window, { tabula: { doc, sync, camera, state, follow, people: () => everyone } });
renderPeople();
sync.start();
watchPresence();
