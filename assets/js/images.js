// @ts-check
// Images: files pasted, dropped or picked are checked, SVG rasterised to PNG in the
// browser (the server stores no script-capable documents), uploaded with POST
// /b/{id}/images and put on the board as `image` elements. Images on the board are
// fetched once into a cache of decoded images for the renderer.

import { randomId } from './ids.js';
import { keysBetween } from './fracindex.js';
import { imageElement } from './shapes.js';

/** @typedef {import('./editor.js').Editor} Editor */

/** The server's default upload limit (--max-image). */
export const MAX_IMAGE = 5 << 20;
/** The longest side of a rasterised SVG, in pixels. */
const SVG_MAX_SIDE = 4096;

/** @param {number} bytes */
export const mib = (bytes) => `${(bytes / (1 << 20)).toFixed(1)} MiB`;

/**
 * What to do with a file before uploading it: rasterise an SVG, refuse what is over the
 * limit (before spending the upload on it), upload the rest as it is: the server decides
 * by the content what is an image, and says so when it is not.
 * @param {{name: string, type: string, size: number}} file @param {number} [max]
 * @returns {{action: 'upload' | 'svg'} | {error: string}}
 */
export function checkFile(file, max = MAX_IMAGE) {
  const name = file.name || 'The file';
  if (file.size > max) return { error: `${name} is ${mib(file.size)}; images can be at most ${mib(max)}.` };
  if (file.size === 0) return { error: `${name} is empty.` };
  if (file.type === 'image/svg+xml' || /\.svg$/i.test(file.name)) return { action: 'svg' };
  return { action: 'upload' };
}

/**
 * The size to rasterise an SVG of natural size w × h at: as is, unless a side is over
 * the maximum (or the SVG has no size, when a default is used).
 * @param {number} w @param {number} h
 */
export function rasterSize(w, h) {
  if (!w || !h) return { w: 800, h: 600 };
  const k = Math.min(1, SVG_MAX_SIDE / Math.max(w, h));
  return { w: Math.max(1, Math.round(w * k)), h: Math.max(1, Math.round(h * k)) };
}

/**
 * An SVG file drawn into a PNG. The SVG loads as an image (no scripts run in an <img>).
 * @param {Blob} file
 * @returns {Promise<Blob>}
 */
async function rasterise(file) {
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    try {
      await img.decode();
    } catch {
      throw new Error('This SVG could not be read as an image.');
    }
    const { w, h } = rasterSize(img.naturalWidth, img.naturalHeight);
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    /** @type {CanvasRenderingContext2D} */ (canvas.getContext('2d')).drawImage(img, 0, 0, w, h);
    const png = await new Promise((done) => canvas.toBlob(done, 'image/png'));
    if (!png) throw new Error('This SVG could not be converted to PNG.');
    return png;
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * Uploads image bytes to the board. Resolves with what the server stored; rejects with
 * an Error whose message can be shown as it is.
 * @param {string} boardId @param {Blob} body
 * @returns {Promise<{src: string, width: number, height: number}>}
 */
export async function upload(boardId, body) {
  let res;
  try {
    res = await fetch(`/b/${encodeURIComponent(boardId)}/images`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': body.type || 'application/octet-stream' },
    });
  } catch {
    throw new Error('The image could not be uploaded: no connection to the server.');
  }
  /** @type {any} */
  let data = null;
  try {
    data = await res.json();
  } catch {
    // Not JSON (a proxy's error page): fall through to the status.
  }
  if (res.ok && typeof data?.src === 'string') return data;
  const why = typeof data?.error === 'string' ? data.error : `the server answered ${res.status}`;
  throw new Error(`The image was not added: ${why.replace(/\.$/, '')}.`);
}

/** @param {ArrayBuffer} buf */
function base64(buf) {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * The board's images: fetched on first use, kept decoded for drawing and as bytes for
 * copying to the clipboard.
 * @param {{path: () => string, loaded: () => void}} opts path() is /b/{id} or /v/{id}
 */
export function imageCache({ path, loaded }) {
  /** @type {Map<string, {img: HTMLImageElement | null, bytes: ArrayBuffer | null, type: string, failed: boolean}>} */
  const cache = new Map();

  /** @param {string} src */
  async function load(src) {
    const entry = /** @type {NonNullable<ReturnType<typeof cache.get>>} */ (cache.get(src));
    try {
      // src is checked to be sha256: and hex digits, safe in a path as it is.
      const res = await fetch(`${path()}/images/${src}`);
      if (!res.ok) throw new Error(String(res.status));
      const blob = await res.blob();
      entry.bytes = await blob.arrayBuffer();
      entry.type = blob.type;
      const img = new Image();
      img.src = URL.createObjectURL(blob);
      await img.decode();
      entry.img = img;
    } catch {
      entry.failed = true;
    }
    loaded();
  }

  return {
    /**
     * The decoded image, or null while it loads (or when it cannot be loaded).
     * @param {string} src
     */
    get(src) {
      const e = cache.get(src);
      if (e) return e.img;
      if (!/^sha256:[0-9a-f]{64}$/.test(src)) return null;
      cache.set(src, { img: null, bytes: null, type: '', failed: false });
      load(src);
      return null;
    },
    /** @param {string} src */
    failed: (src) => cache.get(src)?.failed === true,
    /**
     * The image as a data: URL, if its bytes are here.
     * @param {string} src
     */
    dataURL(src) {
      const e = cache.get(src);
      return e?.bytes ? `data:${e.type || 'image/png'};base64,${base64(e.bytes)}` : null;
    },
    /**
     * Remembers bytes just uploaded, so the image shows without fetching it back.
     * @param {string} src @param {Blob} blob
     */
    async seed(src, blob) {
      if (cache.get(src)?.img) return;
      const img = new Image();
      img.src = URL.createObjectURL(blob);
      try {
        await img.decode();
        cache.set(src, { img, bytes: await blob.arrayBuffer(), type: blob.type, failed: false });
        loaded();
      } catch {
        // The server accepted it, so it will load from there instead.
      }
    },
  };
}

/** @typedef {ReturnType<typeof imageCache>} ImageCache */

/**
 * Checks, converts and uploads files, and puts them on the board around world point `at`.
 * Problems are told with `toast`; the images that made it are selected.
 * @param {Editor} ed @param {ImageCache} images @param {string} boardId
 * @param {readonly File[]} files @param {[number, number]} at
 */
export async function insertImages(ed, images, boardId, files, at) {
  if (!ed.canEdit || !files.length) return;
  const fit = Math.min(800, 600 / ed.camera.zoom);
  /** @type {import('./doc.js').Element[]} */
  const added = [];
  for (const file of files) {
    const check = checkFile(file);
    if ('error' in check) {
      ed.toast(check.error);
      continue;
    }
    try {
      if (files.length === 1 && file.size > 512 * 1024) ed.toast(`Uploading ${file.name || 'the image'}…`);
      const body = check.action === 'svg' ? await rasterise(file) : file;
      if (body.size > MAX_IMAGE) throw new Error(`The converted image is ${mib(body.size)}; images can be at most ${mib(MAX_IMAGE)}.`);
      const stored = await upload(boardId, body);
      images.seed(stored.src, body);
      const z = keysBetween(ed.doc.topZ(), null, 1)[0];
      const off = added.length * 24;
      const el = imageElement(randomId(), stored.src, at[0] + off, at[1] + off, stored.width, stored.height, fit, z);
      ed.commit([{ o: 'put', el }]);
      added.push(el);
    } catch (err) {
      ed.toast(err instanceof Error ? err.message : String(err));
    }
  }
  if (added.length) {
    ed.setTool('select');
    ed.select(added.map((el) => el.id), { exact: true });
  }
}

/**
 * Uploads images carried by pasted data (data: URLs by src) that this board may not
 * have. Resolves with the srcs that could not be stored.
 * @param {string} boardId @param {Record<string, string>} files
 */
export async function uploadEmbedded(boardId, files) {
  const failed = [];
  for (const [src, url] of Object.entries(files)) {
    try {
      const blob = fromDataURL(url);
      const stored = await upload(boardId, blob);
      if (stored.src !== src) failed.push(src);
    } catch {
      failed.push(src);
    }
  }
  return failed;
}

/**
 * The bytes of a base64 data: URL (fetch would need connect-src data:, which the page's
 * Content-Security-Policy does not allow).
 * @param {string} url
 */
function fromDataURL(url) {
  const m = /^data:([^;,]*);base64,(.*)$/.exec(url);
  if (!m) throw new Error('not a base64 data URL');
  const bin = atob(m[2]);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: m[1] });
}

/**
 * A hidden file picker for images; `pick` opens it.
 * @param {(files: File[]) => void} chosen
 */
export function filePicker(chosen) {
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = 'image/png,image/jpeg,image/gif,image/webp,image/svg+xml';
  input.multiple = true;
  input.hidden = true;
  input.id = 'image-input';
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length) chosen(files);
  });
  document.body.append(input);
  return { pick: () => input.click(), input };
}
