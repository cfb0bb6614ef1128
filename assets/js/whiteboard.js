// @ts-check
// Drawing on the board page, set up in one place: the editor and its tools, the tool
// bar, style panel, view controls, clipboard and images. board.js calls setupDrawing and
// hands what it returns to the input handler and the two canvas layers.

import { createEditor, GRID } from './editor.js';
import { selectTool } from './tools/select.js';
import { drawTool } from './tools/draw.js';
import { shapeTool } from './tools/shape.js';
import { frameTool } from './tools/frame.js';
import { textTool, newText, editExisting, labelShape } from './tools/text.js';
import { eraserTool } from './tools/eraser.js';
import { laserTool, LaserTrails } from './tools/laser.js';
import { imageCache, insertImages, filePicker } from './images.js';
import { setImageSource } from './render.js';
import { drawScene } from './scene.js';
import { bindToolbar } from './toolbar.js';
import { bindStylePanel } from './style-panel.js';
import { bindViewBar } from './viewbar.js';
import { bindFrames } from './framelist.js';
import { bindTransfer } from './transfer.js';
import { bindContextMenu } from './contextmenu.js';
import { addArrangeCommands } from './arrange-commands.js';
import { screenToWorld, visibleRect } from './camera.js';
import { elementBounds, intersects } from './geometry.js';
import { PaintLog, epochNow } from './paintlog.js';

/** @typedef {import('./input.js').PointerInfo} PointerInfo */

/**
 * @param {{
 *   doc: import('./doc.js').Doc, sync: import('./sync.js').Sync, camera: import('./camera.js').Camera,
 *   board: {id: string, role: 'editor' | 'viewer'}, state: Record<string, any>,
 *   canvas: HTMLCanvasElement, scene: {invalidate: () => void}, live: {invalidate: () => void},
 *   cameraChanged: () => void, toast: (msg: string) => void, storage: Pick<Storage, 'getItem' | 'setItem'>,
 * }} opts
 */
export function setupDrawing(opts) {
  const { doc, sync, camera, board, state, canvas, scene, live } = opts;
  const canEdit = board.role === 'editor';
  const ed = createEditor({
    doc,
    sync,
    camera,
    canEdit,
    state,
    invalidate: live.invalidate,
    sceneChanged: scene.invalidate,
    toast: opts.toast,
    storage: opts.storage,
  });

  // board.id is read when used: an editor can replace the board's links (links.js).
  const images = imageCache({ path: () => `/${canEdit ? 'b' : 'v'}/${encodeURIComponent(board.id)}`, loaded: scene.invalidate });
  setImageSource((src) => images.get(src), (src) => images.failed(src));
  const centre = () => screenToWorld(camera, canvas.clientWidth / 2, canvas.clientHeight / 2);
  const picker = filePicker((files) => insertImages(ed, images, board.id, files, centre()));

  const trails = new LaserTrails();
  const idle = { down() {}, move() {}, up() {} };
  Object.assign(ed.tools, {
    select: selectTool(ed, (c) => (canvas.style.cursor = c)),
    hand: idle,
    pen: drawTool(ed),
    highlighter: drawTool(ed, { highlighter: true }),
    rect: shapeTool(ed, 'rect'),
    ellipse: shapeTool(ed, 'ellipse'),
    diamond: shapeTool(ed, 'diamond'),
    line: shapeTool(ed, 'line'),
    arrow: shapeTool(ed, 'arrow'),
    text: textTool(ed, 'text'),
    note: textTool(ed, 'note'),
    frame: frameTool(ed),
    eraser: eraserTool(ed, scene.invalidate),
    laser: laserTool(ed, trails),
  });
  Object.assign(ed.commands, {
    editText: (/** @type {string} */ id) => editExisting(ed, id),
    labelShape: (/** @type {string} */ id) => labelShape(ed, id),
    textAt: (/** @type {[number, number]} */ [x, y]) => canEdit && newText(ed, x, y),
    image: () => canEdit && picker.pick(),
    edit() {
      const sel = ed.selected();
      if (sel.length !== 1) return;
      if (sel[0].type === 'text' || sel[0].type === 'note') editExisting(ed, sel[0].id);
      else if (['rect', 'ellipse', 'diamond'].includes(sel[0].type)) labelShape(ed, sel[0].id);
      else if (sel[0].type === 'line' || sel[0].type === 'arrow') ed.run('editPoints', sel[0].id);
      else if (sel[0].type === 'frame') ed.run('renameFrame', sel[0].id);
    },
  });
  // The select tool sets its own cursors; other tools use the stylesheet's.
  ed.subscribe(() => {
    if (ed.tool !== 'select') canvas.style.cursor = '';
  });

  bindToolbar(ed, () => ed.run('image'));
  bindStylePanel(ed, state);
  bindViewBar(ed, { canvas, cameraChanged: opts.cameraChanged });
  bindFrames(ed, { canvas, cameraChanged: opts.cameraChanged, toast: opts.toast });
  const transfer = bindTransfer(ed, { images, boardId: () => board.id, canvas });
  bindContextMenu(ed, { canvas, ...addArrangeCommands(ed, transfer) });
  // Anything that changes the board may change the selection box.
  doc.subscribe(live.invalidate);

  const tool = () => ed.current();
  /** The tool the last press went to: a double click belongs to it only if it still is
   * the tool (a line finished by its second click has switched to select). */
  let pressedWith = '';
  /** Handlers for attachInput, but for pointer/camera/panning, which are board.js's. */
  const input = {
    tool: () => ed.tool,
    down(/** @type {PointerInfo} */ e) {
      // The voice bar reads this: push-to-talk keys do nothing while a gesture is on.
      state.drawing = { tool: ed.tool };
      pressedWith = ed.tool;
      tool().down(e);
    },
    move: (/** @type {PointerInfo} */ e, /** @type {PointerInfo[]} */ s) => tool().move(e, s),
    up(/** @type {PointerInfo} */ e) {
      state.drawing = null;
      tool().up(e);
    },
    cancel() {
      state.drawing = null;
      tool().cancel?.();
    },
    hover: (/** @type {PointerInfo} */ e) => tool().hover?.(e),
    dblclick: (/** @type {PointerInfo} */ e) => pressedWith === ed.tool && tool().dblclick?.(e),
    key: (/** @type {KeyboardEvent} */ e) => ed.key(e),
  };

  let frames = 0;
  let firstFull = 0;
  /** Frame statistics of the scene layer, for the benchmark. */
  const stats = { frames: 0, drawn: 0, lastMs: 0, firstFull: 0 };
  /** When others' elements were first drawn here, for the latency benchmark. */
  const painted = new PaintLog(epochNow);
  sync.on('ops', (/** @type {import('./doc.js').Broadcast} */ m) => {
    if (m.by === sync.sid) return;
    painted.arriveBatch(m.seq);
    for (const op of m.ops) if (op.o === 'put') painted.arrive(op.el.id);
  });
  return {
    editor: ed,
    input,
    /** Records the pointer for paste, then passes it on. @param {number} x @param {number} y */
    pointer(x, y) {
      ed.pointer = [x, y];
    },
    /** Draws the scene layer. @param {CanvasRenderingContext2D} ctx @param {number} w @param {number} h @param {number} dpr */
    drawScene(ctx, w, h, dpr) {
      const t0 = performance.now();
      const drawn = drawScene(ctx, camera, doc.view(), w, h, dpr, { grid: ed.prefs.grid ? GRID : 0, skip: ed.editingId, fade: ed.fading });
      frames++;
      // For the benchmark: when the first frame with the whole board (as the welcome
      // brought it) was drawn, and how long the last frame took.
      if (!firstFull && sync.online && doc.view().length) firstFull = performance.now();
      stats.frames = frames;
      stats.drawn = drawn;
      stats.lastMs = performance.now() - t0;
      stats.firstFull = firstFull;
      painted.sceneDrawn((id) => {
        const el = doc.get(id);
        return !!el && id !== ed.editingId && intersects(elementBounds(el), visibleRect(camera, w, h));
      });
    },
    /** Draws the tool's overlay on the live layer. @param {CanvasRenderingContext2D} ctx @param {number} dpr */
    drawOverlay(ctx, dpr) {
      ctx.save();
      tool().overlay?.(ctx, dpr);
      ctx.restore();
    },
    /**
     * Draws everyone's laser trails (in screen space); returns whether they still move.
     * @param {CanvasRenderingContext2D} ctx @param {number} dpr
     */
    drawLasers(ctx, dpr) {
      const now = performance.now();
      if (!trails.prune(now)) return false;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      trails.draw(ctx, camera, now);
      return true;
    },
    /** @param {string} sid @param {number} x @param {number} y */
    laser(sid, x, y) {
      trails.add(sid, x, y, performance.now());
    },
    /** Forgets the trails of people who left. @param {(sid: string) => boolean} here */
    prune(here) {
      for (const sid of [...trails.trails.keys()]) if (sid && !here(sid)) trails.forget(sid);
    },
    stats,
    painted,
  };
}
