// @ts-check
// The board page's Export and History panels, and deleting a board. It runs after
// board.js (module scripts run in order) and uses what that exposes on window.tabula.
//
// Export downloads what the server draws (GET …/export.{format}), so a file looks the
// same whether it comes from here or from curl. History shows the log grouped into
// sessions; scrubbing previews a version read-only over the board; a version can be
// restored (new changes everyone sees, undone by restoring the version before) or
// downloaded.

import { exportURL, fileName } from './export.js';
import { onPage, DEFAULT_PAGE } from './pages.js';
import { groupSessions, describe } from './history.js';
import { createLayer, drawWorld } from './canvas.js';
import { drawOrder } from './doc.js';
import { bindPopover, toast } from './ui.js';

/** @param {string} id @returns {any} */
const $ = (id) => document.getElementById(id);

const root = /** @type {HTMLElement} */ ($('board'));
const canEdit = root.dataset.role === 'editor';
// Read when used: an editor here can replace the board's links (links.js).
const boardPath = () => `/${canEdit ? 'b' : 'v'}/${encodeURIComponent(root.dataset.id ?? '')}`;
const tabula = /** @type {any} */ (window).tabula;

/** The board's title now (it can be renamed while the page is open). */
const title = () => tabula?.sync?.title || root.dataset.title || 'board';

/**
 * Fetches url and saves the response as name. Errors come back as JSON {error}.
 * @param {string} url @param {string} name
 */
async function download(url, name) {
  const resp = await fetch(url);
  if (!resp.ok) {
    const body = await resp.json().catch(() => ({}));
    throw new Error(body.error || `the server answered ${resp.status}`);
  }
  const blob = await resp.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// --- export -------------------------------------------------------------------

const exportPanel = $('export-panel');
const exportButton = $('export');
/**
 * Whether t is one of a panel's buttons: the one in the top-right corner, or the one
 * narrow phones show instead.
 * @param {EventTarget | null} t @param {HTMLElement} wide @param {string} panel
 */
const opens = (t, wide, panel) => t instanceof Element && (wide.contains(t) || !!t.closest(`[data-opens="${panel}"]`));

const exportPopover = bindPopover(exportPanel, (t) => opens(t, exportButton, 'export-panel'), () => {
  const n = tabula?.editor?.selection?.size ?? 0;
  $('export-selection').disabled = n === 0;
  if (n === 0) $('export-selection').checked = false;
  $('export-selection-label').textContent = n ? `Selected elements only (${n})` : 'Selected elements only';
  const frame = selectedFrame();
  $('export-frame').disabled = !frame;
  if (!frame) $('export-frame').checked = false;
  $('export-frame-label').textContent = frame ? `This frame only (${frame.text || 'Frame'})` : 'This frame only (select a frame)';
  // A deck holds the frames of every page.
  $('export-frames').disabled = ![...(tabula?.doc?.confirmed?.values() ?? [])].some((/** @type {any} */ el) => el.type === 'frame' && !el.deleted);
});

/** The one frame selected, if a frame is all that is selected. */
function selectedFrame() {
  const sel = tabula?.editor?.selected?.() ?? [];
  return sel.length === 1 && sel[0].type === 'frame' ? sel[0] : undefined;
}
exportButton.addEventListener('click', () => exportPopover.toggle());

/**
 * The options the Export panel shows.
 * @param {number} [at] a version from history
 * @returns {import('./export.js').ExportOptions}
 */
function exportOptions(at) {
  const format = /** @type {any} */ (exportPanel.querySelector('input[name="export-format"]:checked')?.value ?? 'png');
  const ids = $('export-selection').checked ? [...(tabula?.editor?.selection ?? [])] : [];
  const frame = $('export-frame').checked ? selectedFrame()?.id : undefined;
  return {
    frame,
    page: tabula?.doc?.page,
    format,
    background: $('export-background').checked,
    theme: $('export-theme').value === 'dark' ? 'dark' : 'light',
    scale: Number($('export-scale').value) || 1,
    ids,
    at,
  };
}

/** Downloads the board (or version `at`) as the Export panel says. @param {number} [at] */
async function exportNow(at) {
  const o = exportOptions(at);
  try {
    await download(exportURL(boardPath(), o), fileName(title(), new Date(), o.format, at));
  } catch (err) {
    toast(`Export failed: ${/** @type {Error} */ (err).message}`);
  }
}

$('export-download').addEventListener('click', () => exportNow());
$('export-frames').addEventListener('click', async () => {
  const o = { ...exportOptions(), format: /** @type {const} */ ('pdf'), frames: true };
  try {
    await download(exportURL(boardPath(), o), fileName(title(), new Date(), 'pdf'));
  } catch (err) {
    toast(`Export failed: ${/** @type {Error} */ (err).message}`);
  }
});
$('export-copy').addEventListener('click', async () => {
  const url = exportURL(boardPath(), { ...exportOptions(), format: 'png' });
  try {
    // Handing the clipboard a promise keeps the click's permission while the PNG loads.
    const png = fetch(url).then((r) => {
      if (!r.ok) throw new Error(`the server answered ${r.status}`);
      return r.blob();
    });
    await navigator.clipboard.write([new ClipboardItem({ 'image/png': png })]);
    toast('Copied the board as a PNG');
  } catch {
    toast('Copying images needs a secure page and clipboard permission; use Download instead');
  }
});

// --- history ------------------------------------------------------------------

const historyPanel = $('history-panel');
const historyButton = $('history-button');
const slider = /** @type {HTMLInputElement} */ ($('history-slider'));
const list = $('history-list');
const banner = $('version-banner');
/** @type {import('./history.js').Entry[]} */
let entries = [];
let complete = false;

const historyPopover = bindPopover(historyPanel, (t) => opens(t, historyButton, 'history-panel') || (t instanceof Node && banner.contains(t)), () => {
  entries = [];
  complete = false;
  slider.max = String(tabula.doc.seq || 1);
  slider.value = slider.max;
  loadMore();
});
historyButton.addEventListener('click', () => historyPopover.toggle());
for (const b of document.querySelectorAll('[data-opens]')) {
  b.addEventListener('click', () => (/** @type {HTMLElement} */ (b).dataset.opens === 'export-panel' ? exportPopover : historyPopover).toggle());
}
$('history-more').addEventListener('click', () => loadMore());

/** Loads the next page of older entries and shows the sessions. */
async function loadMore() {
  const before = entries.length ? entries[entries.length - 1].seq : 0;
  try {
    const resp = await fetch(`${boardPath()}/history?limit=500${before ? `&before=${before}` : ''}`);
    const page = (await resp.json()).entries ?? [];
    entries.push(...page);
    complete = page.length < 500;
  } catch {
    toast('The history could not be loaded');
  }
  showSessions();
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function showSessions() {
  $('history-more').hidden = complete;
  list.replaceChildren(
    ...groupSessions(entries).map((s) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'history-session';
      b.style.setProperty('--person', /^#[0-9a-f]{3,8}$/i.test(s.color) ? s.color : '#868e96');
      const what = document.createElement('span');
      what.textContent = describe(s);
      const when = document.createElement('small');
      when.textContent = `${timeFormat.format(s.end)} · version ${s.to}`;
      b.append(what, when);
      b.addEventListener('click', () => {
        slider.value = String(s.to);
        preview(s.to);
      });
      li.append(b);
      return li;
    }),
  );
}

// Previewing a version: drawn on a layer of its own over the board, with the board's
// camera, and read-only (the layer takes the pointer).
const versionCanvas = /** @type {HTMLCanvasElement} */ ($('version-layer'));
/** @type {any[]} */
let versionElements = [];
let previewing = 0;
const versionLayer = createLayer(versionCanvas, (ctx, w, h, dpr) => drawWorld(ctx, tabula.camera, versionElements, w, h, dpr));
let scrubTimer = 0;
slider.addEventListener('input', () => {
  clearTimeout(scrubTimer);
  scrubTimer = setTimeout(() => preview(Number(slider.value)), 60);
});

/** Shows version seq over the board. @param {number} seq */
async function preview(seq) {
  previewing = seq;
  try {
    const resp = await fetch(`${boardPath()}/history/${seq}`);
    const body = await resp.json();
    if (!resp.ok) throw new Error(body.error);
    if (previewing !== seq) return; // the slider has moved on
    versionElements = onPage(body.elements, tabula?.doc?.page ?? DEFAULT_PAGE).sort(drawOrder);
  } catch (err) {
    toast(`Version ${seq} cannot be shown: ${/** @type {Error} */ (err).message}`);
    return;
  }
  const at = entries.find((e) => e.seq === seq)?.at;
  $('version-label').textContent = `Version ${seq}${at ? ` · ${timeFormat.format(at)}` : ''}`;
  versionCanvas.hidden = false;
  banner.hidden = false;
  document.body.dataset.previewing = String(seq);
  versionLayer.resize();
}

function endPreview() {
  closeUndo();
  previewing = 0;
  versionElements = [];
  versionCanvas.hidden = true;
  banner.hidden = true;
  delete document.body.dataset.previewing;
}

$('version-back').addEventListener('click', endPreview);
$('version-download').addEventListener('click', () => exportNow(previewing));
$('version-restore').hidden = !canEdit;
$('version-restore').addEventListener('click', async () => {
  const at = previewing;
  const before = tabula.doc.seq;
  if (!(await restore(at))) return;
  endPreview();
  historyPopover.toggle(false);
  offerUndo(at, before);
});

let undoTimer = 0;

/**
 * After a restore: the banner offers to undo it for a while, by restoring the version
 * from just before it (the restore is in everyone's history, so is its undo).
 * @param {number} at @param {number} before
 */
function offerUndo(at, before) {
  $('version-label').textContent = `Restored version ${at}`;
  for (const id of ['version-restore', 'version-download']) $(id).hidden = true;
  $('version-undo').hidden = false;
  banner.hidden = false;
  $('version-undo').onclick = async () => {
    clearTimeout(undoTimer);
    closeUndo();
    if (await restore(before)) toast(`Back to version ${before}`);
  };
  clearTimeout(undoTimer);
  undoTimer = setTimeout(closeUndo, 15_000);
}

function closeUndo() {
  $('version-undo').hidden = true;
  $('version-restore').hidden = !canEdit;
  $('version-download').hidden = false;
  if (!previewing) banner.hidden = true;
}

/** Restores version at; reports success. @param {number} at */
async function restore(at) {
  const resp = await fetch(`${boardPath()}/restore?at=${at}`, { method: 'POST' });
  if (resp.ok) return true;
  const body = await resp.json().catch(() => ({}));
  toast(`The version could not be restored: ${body.error || resp.status}`);
  return false;
}

// Following the camera while previewing: redraw when it moves.
window.addEventListener('resize', () => previewing && versionLayer.resize());
versionCanvas.addEventListener('wheel', (e) => e.preventDefault(), { passive: false });

// --- deleting the board ---------------------------------------------------------

$('delete-board').hidden = !canEdit;
$('delete-board').addEventListener('click', async () => {
  const name = title();
  if (!confirm(`Delete “${name}”? Everyone on it is disconnected. It stays in the trash for a while, and the edit link can bring it back.`)) return;
  const resp = await fetch(`${boardPath()}/delete`, { method: 'POST' });
  if (resp.ok) location.href = '/';
  else toast('The board could not be deleted');
});

Object.assign(tabula ?? {}, { history: { preview, endPreview, restore } });
