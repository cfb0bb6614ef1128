// @ts-check
// The board page: reads the board from the page's data attributes, connects, and wires the
// canvas, the input gestures and the controls together. Logic lives in the modules it
// imports; this file only connects them.
//
// For browser tests: window.tabula = {doc, sync, camera, state}; body[data-state] is the
// connection state and body[data-seq] the last confirmed seq.

import { Doc, putOp } from './doc.js';
import { Sync, wsURL } from './sync.js';
import { createCamera, worldToScreen, zoomAt } from './camera.js';
import { createLayer, applyCamera, drawWorld } from './canvas.js';
import { drawElement, drawCursor } from './render.js';
import { attachInput } from './input.js';
import { keyBetween, keysBetween } from './fracindex.js';
import { randomId } from './ids.js';
import { smoothPoints, simplify, splitPoints, toRelative } from './smooth.js';
import { browserStorage, loadUser, saveUser, rememberBoard } from './storage.js';
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

function cameraChanged() {
  scene.invalidate();
  live.invalidate();
  showZoom();
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
  for (const m of [state.cursors, state.previews, state.lasers]) {
    for (const sid of m.keys()) if (!sync.peers.has(sid)) m.delete(sid);
  }
}

sync.on('peers', (peers) => {
  prunePeers();
  ui.renderPeers(peers.values());
  live.invalidate();
});
sync.on('cursor', (m) => {
  state.cursors.set(m.sid, { x: m.x, y: m.y });
  live.invalidate();
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
ui.bindShare(board, user.name, (name) => {
  user.name = name;
  saveUser(storage, user);
  sync.setIdentity(user.name, user.color);
}, ui.toast);

rememberBoard(storage, { id: board.id, role: board.role, title: sync.title });
window.addEventListener('online', () => sync.retryNow());
// Unacknowledged changes live only in this tab; warn before they are thrown away.
window.addEventListener('beforeunload', (e) => {
  if (doc.pending.length) e.preventDefault();
});

Object.assign(window, { tabula: { doc, sync, camera, state } });
sync.start();
