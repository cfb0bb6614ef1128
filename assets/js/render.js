// @ts-check
// Draws elements and cursors onto a canvas 2D context. The caller sets the transform
// (world → device pixels); every function here works in world units, or screen pixels
// for cursors. Paths are cached per element object (elements are never modified in place).

import { frameName } from './frames.js';
import { pathData, outline, hasPressure } from './smooth.js';
import { localBox } from './geometry.js';
import { isCurved, curveSegments, headDirections } from './curve.js';
import { cssFont, wrapLines, TEXT_SIZE, NOTE_TEXT_SIZE } from './textlayout.js';
import { LINE_HEIGHT, NOTE_PADDING } from './shapes.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {CanvasRenderingContext2D} Ctx */

const INK = '#1e1e1e';
const NOTE_FILL = '#fff3bf';

// Strokes and lines are cached by their points array, not by the element: an element
// moved (a drag, a frame carrying its members) is a new object sharing the old one's
// points, which are in its own coordinates, so its outline is reused instead of traced
// again on every frame of the drag and on every screen that sees the move.
/** @type {WeakMap<number[][], {path: Path2D, filled: boolean, width: number}>} */
const strokeCache = new WeakMap();
// A shape's outline depends only on its kind and size, in its own coordinates, so it is
// found by those, never by the element object: a moved shape is a new object on every
// screen, and a WeakMap entry per object made a frame carrying 500 rectangles cost
// 0.08–0.1 ms (p99 0.65–1.2 ms) more to draw; kind → width → height in Maps of numbers
// costs 0.011 ms for 500, moved or not, and no string is built. Bounded: cleared when it
// holds many sizes.
/** @type {Map<string, Map<number, Map<number, Path2D>>>} */
const shapeBySize = new Map();
let shapeSizes = 0;
const SHAPE_SIZES = 4096;
/** @type {WeakMap<object, {path: Path2D, curved: boolean}>} */
const lineCache = new WeakMap();
// A note's text as wrapped to its card, by text, then font and width (not by the element
// object, for the same reason as shapes: a moved note must not be measured again on
// every screen). The text itself is the outer key, not a key built from it: a moved
// copy shares the same string, whose hash V8 keeps, so no note's text is copied or
// hashed again on each draw. Bounded: cleared when it holds many texts, or one text at
// many widths.
/** @type {Map<string, Map<string, string[]>>} */
const wrapCache = new Map();
const WRAPS = 2048;
const WRAP_SIZES = 16;

/**
 * Where decoded images come from (images.js): null while one is loading.
 * @type {((src: string) => CanvasImageSource | null) | null}
 */
let imageSource = null;
/** @type {((src: string) => boolean) | null} */
let imageFailed = null;

/**
 * Sets where images are drawn from.
 * @param {(src: string) => CanvasImageSource | null} source
 * @param {(src: string) => boolean} [failed] whether an image cannot be loaded
 */
export function setImageSource(source, failed) {
  imageSource = source;
  imageFailed = failed ?? null;
}

/** Text smaller than this on screen (px) is drawn as grey bars: unreadable anyway, and
 * glyphs are the dearest thing to draw on a zoomed-out board. */
const GREEK_BELOW = 4.5;

/**
 * Draws one element in the context's current transform. `scale` is screen pixels per
 * world unit, for the level of detail.
 * @param {Ctx} ctx @param {Element} el @param {number} [scale]
 */
export function drawElement(ctx, el, scale = 1) {
  ctx.save();
  ctx.globalAlpha *= el.opacity ?? 1;
  ctx.translate(el.x || 0, el.y || 0);
  if (el.angle) {
    const b = localBox(el);
    const cx = (b.minX + b.maxX) / 2;
    const cy = (b.minY + b.maxY) / 2;
    ctx.translate(cx, cy);
    ctx.rotate(el.angle);
    ctx.translate(-cx, -cy);
  }
  paint(ctx, el, scale);
  ctx.restore();
}

/**
 * Draws one element of a scene: the camera transform is (k, 0, 0, k, e, f) and the
 * caller's alpha `alpha`. Sets the transform itself instead of saving and restoring
 * the context, which costs more than the drawing for small elements on a big board.
 * @param {Ctx} ctx @param {Element} el @param {number} scale
 * @param {number} k @param {number} e @param {number} f @param {number} alpha
 */
export function drawPlaced(ctx, el, scale, k, e, f, alpha) {
  const x = el.x || 0;
  const y = el.y || 0;
  if (el.angle) {
    const b = localBox(el);
    const cx = x + (b.minX + b.maxX) / 2;
    const cy = y + (b.minY + b.maxY) / 2;
    const c = Math.cos(el.angle);
    const s = Math.sin(el.angle);
    // camera · translate(c) · rotate · translate(-c) · translate(x, y)
    const tx = cx - c * cx + s * cy + c * x - s * y;
    const ty = cy - s * cx - c * cy + s * x + c * y;
    ctx.setTransform(k * c, k * s, -k * s, k * c, e + k * tx, f + k * ty);
  } else {
    ctx.setTransform(k, 0, 0, k, e + k * x, f + k * y);
  }
  ctx.globalAlpha = alpha * (el.opacity ?? 1);
  paint(ctx, el, scale);
}

/** @param {Ctx} ctx @param {Element} el @param {number} scale */
function paint(ctx, el, scale) {
  switch (el.type) {
    case 'stroke':
      drawStroke(ctx, el);
      break;
    case 'line':
    case 'arrow':
      drawLinear(ctx, el);
      break;
    case 'rect':
    case 'ellipse':
    case 'diamond':
      drawShape(ctx, el);
      break;
    case 'text':
      drawText(ctx, el, scale);
      break;
    case 'note':
      drawNote(ctx, el, scale);
      break;
    case 'image':
      drawImage(ctx, el);
      break;
    case 'frame':
      drawFrame(ctx, el, scale);
      break;
  }
  if (el.dash === 'dashed' || el.dash === 'dotted') ctx.setLineDash([]);
}

/**
 * A frame: a thin grey outline (the same on screen at any zoom) and its name above its
 * top-left corner, at least 12 px high on screen (frames.js, collab/render/frames.go).
 * @param {Ctx} ctx @param {Element} el @param {number} scale
 */
function drawFrame(ctx, el, scale) {
  const w = Math.max(1, el.w || 0);
  const h = Math.max(1, el.h || 0);
  if (el.fill) {
    ctx.fillStyle = el.fill;
    ctx.fillRect(0, 0, w, h);
  }
  ctx.strokeStyle = '#9a9a9a';
  ctx.lineWidth = 1 / Math.max(scale, 0.01);
  ctx.strokeRect(0, 0, w, h);
  // The same size on screen at any zoom, as Excalidraw draws frame names.
  const size = 13 / Math.max(scale, 0.01);
  ctx.font = `500 ${size}px system-ui, sans-serif`;
  ctx.fillStyle = '#6b6b6b';
  ctx.textBaseline = 'bottom';
  const name = frameName(el);
  // Cut the name at the frame's width, as Excalidraw does.
  let shown = name;
  const room = Math.max(w, 40 / Math.max(scale, 0.01));
  if (ctx.measureText(shown).width > room) {
    while (shown.length > 1 && ctx.measureText(shown + '…').width > room) shown = shown.slice(0, -1);
    shown += '…';
  }
  ctx.fillText(shown, 0, -4 / Math.max(scale, 0.01));
  ctx.textBaseline = 'alphabetic';
}

/** @param {Ctx} ctx @param {Element} el @param {number} width */
function setLine(ctx, el, width) {
  ctx.strokeStyle = el.stroke;
  ctx.lineWidth = width;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  if (el.dash === 'dashed') ctx.setLineDash([width * 2 + 6, width * 2 + 6]);
  else if (el.dash === 'dotted') ctx.setLineDash([0.01, width * 2 + 4]);
}

/**
 * Freehand strokes: a smooth centre line of constant width, or a filled outline whose
 * width follows pen pressure. A single point (a tap) is a dot.
 * @param {Ctx} ctx @param {Element} el
 */
function drawStroke(ctx, el) {
  const pts = el.points ?? [];
  if (!pts.length || !el.stroke) return;
  const width = el.width || 1;
  let c = strokeCache.get(pts);
  if (!c || c.width !== width) {
    const filled = pts.length === 1 || hasPressure(pts);
    c = { path: new Path2D(filled ? pathData(outline(pts, width), true) : pathData(pts)), filled, width };
    strokeCache.set(pts, c);
  }
  if (c.filled) {
    ctx.fillStyle = el.stroke;
    ctx.fill(c.path);
  } else {
    setLine(ctx, el, width);
    ctx.stroke(c.path);
  }
}

/**
 * Lines and arrows: straight segments through their points (or from the origin to w, h),
 * or for a round one a smooth curve through them (curve.js). Heads aim along the line at
 * each end. An arrow whose end style is unset gets the usual arrowhead; `none` turns it
 * off.
 * @param {Ctx} ctx @param {Element} el
 */
function drawLinear(ctx, el) {
  if (!el.stroke) return;
  /** @type {number[][]} */
  const pts = el.points?.length ? el.points : [[0, 0], [el.w || 0, el.h || 0]];
  const width = el.width || 1;
  const curved = isCurved(el);
  // Keyed by the points when it has them; else its path is w and h, keyed by itself.
  const key = el.points?.length ? el.points : el;
  const cached = lineCache.get(key);
  let path = cached?.curved === curved ? cached.path : undefined;
  if (!path) {
    path = new Path2D();
    path.moveTo(pts[0][0], pts[0][1]);
    if (curved) {
      for (const [, c1, c2, p] of curveSegments(pts)) path.bezierCurveTo(c1[0], c1[1], c2[0], c2[1], p[0], p[1]);
    } else {
      for (let i = 1; i < pts.length; i++) path.lineTo(pts[i][0], pts[i][1]);
    }
    lineCache.set(key, { path, curved });
  }
  setLine(ctx, el, width);
  ctx.stroke(path);
  ctx.setLineDash([]);
  const end = el.endArrow || (el.type === 'arrow' ? 'arrow' : 'none');
  if (pts.length > 1) {
    const { startFrom, endFrom } = headDirections(pts, curved);
    drawHead(ctx, endFrom, pts[pts.length - 1], end, width);
    drawHead(ctx, startFrom, pts[0], el.startArrow || 'none', width);
  }
}

/**
 * An arrowhead of the given kind at `tip`, pointing away from `from`.
 * @param {Ctx} ctx @param {number[]} from @param {number[]} tip @param {string} kind @param {number} width
 */
function drawHead(ctx, from, tip, kind, width) {
  if (kind === 'none') return;
  const a = Math.atan2(tip[1] - from[1], tip[0] - from[0]);
  const len = 8 + width * 3;
  const spread = Math.PI / 7;
  /** @param {number} angle @param {number} r */
  const at = (angle, r) => [tip[0] - Math.cos(angle) * r, tip[1] - Math.sin(angle) * r];
  ctx.fillStyle = ctx.strokeStyle;
  ctx.beginPath();
  if (kind === 'arrow' || kind === 'triangle') {
    const l = at(a - spread, len);
    const r = at(a + spread, len);
    ctx.moveTo(l[0], l[1]);
    ctx.lineTo(tip[0], tip[1]);
    ctx.lineTo(r[0], r[1]);
    if (kind === 'triangle') {
      ctx.closePath();
      ctx.fill();
    }
    ctx.stroke();
  } else if (kind === 'dot') {
    ctx.arc(tip[0], tip[1], len / 3, 0, Math.PI * 2);
    ctx.fill();
  } else if (kind === 'bar') {
    const l = at(a - Math.PI / 2, len / 2);
    const r = at(a + Math.PI / 2, len / 2);
    ctx.moveTo(l[0], l[1]);
    ctx.lineTo(r[0], r[1]);
    ctx.stroke();
  }
}

/** @param {Element} el */
function shapePath(el) {
  const w = el.w || 0;
  const h = el.h || 0;
  let byW = shapeBySize.get(el.type);
  let byH = byW?.get(w);
  let p = byH?.get(h);
  if (p) return p;
  const b = localBox(el);
  const cx = (b.minX + b.maxX) / 2;
  const cy = (b.minY + b.maxY) / 2;
  p = new Path2D();
  if (el.type === 'ellipse') {
    p.ellipse(cx, cy, (b.maxX - b.minX) / 2, (b.maxY - b.minY) / 2, 0, 0, Math.PI * 2);
  } else if (el.type === 'diamond') {
    p.moveTo(cx, b.minY);
    p.lineTo(b.maxX, cy);
    p.lineTo(cx, b.maxY);
    p.lineTo(b.minX, cy);
    p.closePath();
  } else {
    p.rect(b.minX, b.minY, b.maxX - b.minX, b.maxY - b.minY);
  }
  if (shapeSizes >= SHAPE_SIZES) {
    shapeBySize.clear();
    shapeSizes = 0;
    byW = byH = undefined;
  }
  if (!byW) shapeBySize.set(el.type, (byW = new Map()));
  if (!byH) byW.set(w, (byH = new Map()));
  byH.set(h, p);
  shapeSizes++;
  return p;
}

/**
 * Fills a shape. A fill colour with no fill style is drawn solid: a colour nobody sees
 * would surprise whoever picked it.
 * @param {Ctx} ctx @param {Element} el @param {Path2D} path
 */
function fillShape(ctx, el, path) {
  if (!el.fill || el.fillStyle === 'none') return;
  if (el.fillStyle !== 'hatch') {
    ctx.fillStyle = el.fill;
    ctx.fill(path);
    return;
  }
  const b = localBox(el);
  ctx.save();
  ctx.clip(path);
  ctx.strokeStyle = el.fill;
  ctx.lineWidth = Math.max(1, (el.width || 1) / 2);
  ctx.beginPath();
  const h = b.maxY - b.minY;
  for (let x = b.minX - h; x < b.maxX; x += 8) {
    ctx.moveTo(x, b.maxY);
    ctx.lineTo(x + h, b.minY);
  }
  ctx.stroke();
  ctx.restore();
}

/** @param {Ctx} ctx @param {Element} el */
function drawShape(ctx, el) {
  const path = shapePath(el);
  fillShape(ctx, el, path);
  if (el.stroke) {
    setLine(ctx, el, el.width || 1);
    ctx.stroke(path);
  }
}

/** @param {Ctx} ctx @param {Element} el */
function setFont(ctx, el) {
  ctx.font = cssFont(el);
  return el.size || (el.type === 'note' ? NOTE_TEXT_SIZE : TEXT_SIZE);
}

/**
 * Draws lines of text top-down inside a box of the given width, honouring `align`.
 * @param {Ctx} ctx @param {Element} el @param {string[]} lines @param {number} left @param {number} top @param {number} width @param {number} size
 */
function fillLines(ctx, el, lines, left, top, width, size) {
  const align = el.align || 'left';
  ctx.textAlign = /** @type {CanvasTextAlign} */ (align);
  ctx.textBaseline = 'top';
  ctx.fillStyle = el.stroke || INK;
  const x = align === 'center' ? left + width / 2 : align === 'right' ? left + width : left;
  lines.forEach((line, i) => ctx.fillText(line, x, top + i * size * LINE_HEIGHT));
}

/**
 * Lines of text too small to read, as bars about as long as each line.
 * @param {Ctx} ctx @param {Element} el @param {string[]} lines @param {number} left @param {number} top @param {number} width @param {number} size
 */
function greekLines(ctx, el, lines, left, top, width, size) {
  const align = el.align || 'left';
  ctx.fillStyle = el.stroke || INK;
  const alpha = ctx.globalAlpha;
  ctx.globalAlpha = alpha * 0.35;
  lines.forEach((line, i) => {
    const w = Math.min(width, line.length * size * 0.5);
    const x = align === 'center' ? left + (width - w) / 2 : align === 'right' ? left + width - w : left;
    ctx.fillRect(x, top + i * size * LINE_HEIGHT + size * 0.3, w, size * 0.55);
  });
  ctx.globalAlpha = alpha;
}

/** @param {Ctx} ctx @param {Element} el @param {number} scale */
function drawText(ctx, el, scale) {
  if (!el.text) return;
  const size = el.size || TEXT_SIZE;
  const b = localBox(el);
  const lines = String(el.text).split('\n');
  if (size * scale < GREEK_BELOW) {
    greekLines(ctx, el, lines, b.minX, b.minY, b.maxX - b.minX, size);
    return;
  }
  setFont(ctx, el);
  fillLines(ctx, el, lines, b.minX, b.minY, b.maxX - b.minX, size);
}

/**
 * Sticky notes: a coloured card with the text wrapped to its width.
 * @param {Ctx} ctx @param {Element} el @param {number} scale
 */
function drawNote(ctx, el, scale) {
  const b = localBox(el);
  const w = b.maxX - b.minX;
  const h = b.maxY - b.minY;
  // A soft shadow under the card, drawn as offset translucent layers: canvas shadows
  // with blur cost too much on a board full of notes. Not worth it when tiny.
  if (w * scale > 24) {
    ctx.fillStyle = 'rgba(0, 0, 0, 0.06)';
    ctx.fillRect(b.minX + 1, b.minY + 3, w, h);
    ctx.fillRect(b.minX, b.minY + 1.5, w, h);
  }
  ctx.fillStyle = el.fill || NOTE_FILL;
  ctx.fillRect(b.minX, b.minY, w, h);
  if (!el.text) return;
  const size = el.size || NOTE_TEXT_SIZE;
  const pad = Math.min(NOTE_PADDING, w / 8);
  if (size * scale < GREEK_BELOW) {
    // Roughly how it wraps, without measuring: what matters is that there are lines.
    const perLine = Math.max(1, Math.floor((w - pad * 2) / (size * 0.5)));
    const lines = String(el.text).split('\n').flatMap((p) => Array.from({ length: Math.max(1, Math.ceil(p.length / perLine)) }, (_, i) => p.slice(i * perLine, (i + 1) * perLine)));
    const fit = Math.max(0, Math.floor((h - pad * 2) / (size * LINE_HEIGHT)));
    greekLines(ctx, el, lines.slice(0, fit), b.minX + pad, b.minY + pad, w - pad * 2, size);
    return;
  }
  setFont(ctx, el);
  const font = ctx.font;
  const text = String(el.text);
  const sized = `${font}|${w - pad * 2}`;
  let bySize = wrapCache.get(text);
  let lines = bySize?.get(sized);
  if (!lines) {
    lines = wrapLines(text, w - pad * 2, (t) => {
      ctx.font = font;
      return ctx.measureText(t).width;
    });
    if (!bySize) {
      if (wrapCache.size >= WRAPS) wrapCache.clear();
      wrapCache.set(text, (bySize = new Map()));
    } else if (bySize.size >= WRAP_SIZES) {
      bySize.clear(); // a note resized by a drag wraps at a new width on every frame
    }
    bySize.set(sized, lines);
  }
  // Clip only text that runs out of the card: clipping costs.
  const overflows = pad + lines.length * size * LINE_HEIGHT > h;
  if (overflows) {
    ctx.save();
    ctx.beginPath();
    ctx.rect(b.minX, b.minY, w, h);
    ctx.clip();
  }
  fillLines(ctx, el, lines, b.minX + pad, b.minY + pad, w - pad * 2, size);
  if (overflows) ctx.restore();
}

/**
 * An image, or while it loads (or if it cannot be loaded) a placeholder showing where
 * it is, so it is not invisible.
 * @param {Ctx} ctx @param {Element} el
 */
function drawImage(ctx, el) {
  const b = localBox(el);
  const w = b.maxX - b.minX;
  const h = b.maxY - b.minY;
  const img = el.src && imageSource ? imageSource(el.src) : null;
  if (img) {
    ctx.drawImage(img, b.minX, b.minY, w, h);
    return;
  }
  const failed = !!el.src && !!imageFailed?.(el.src);
  ctx.fillStyle = failed ? '#fff5f5' : '#f1f3f5';
  ctx.fillRect(b.minX, b.minY, w, h);
  ctx.strokeStyle = failed ? '#ffa8a8' : '#ced4da';
  ctx.lineWidth = 1;
  ctx.setLineDash([6, 4]);
  ctx.strokeRect(b.minX, b.minY, w, h);
  ctx.setLineDash([]);
  if (failed && w > 24 && h > 24) {
    // A small crossed frame: "this image is missing".
    const s = Math.min(w, h, 48) / 2;
    const cx = b.minX + w / 2;
    const cy = b.minY + h / 2;
    ctx.beginPath();
    ctx.moveTo(cx - s / 2, cy - s / 2);
    ctx.lineTo(cx + s / 2, cy + s / 2);
    ctx.moveTo(cx + s / 2, cy - s / 2);
    ctx.lineTo(cx - s / 2, cy + s / 2);
    ctx.stroke();
  }
}

/**
 * Black or white, whichever reads better on the colour `hex` (#rgb or #rrggbb).
 * @param {string} hex
 */
export function textOn(hex) {
  let h = hex.replace('#', '');
  if (h.length === 3) h = [...h].map((c) => c + c).join('');
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);
  // Perceived brightness (Rec. 601 weights) is good enough to choose between two inks.
  return 0.299 * r + 0.587 * g + 0.114 * b > 0.6 ? INK : '#ffffff';
}

/** @type {Path2D | null} */
let pointerShape = null;

/**
 * Another person's pointer at screen position (sx, sy), with their name beside it.
 * @param {Ctx} ctx @param {number} sx @param {number} sy @param {string} color @param {string} name
 */
export function drawCursor(ctx, sx, sy, color, name) {
  pointerShape ??= new Path2D('M0 0L0 17L4.5 13L7.5 19.5L10.5 18.2L7.6 11.8L13.5 11.8Z');
  ctx.save();
  ctx.translate(Math.round(sx), Math.round(sy));
  ctx.fillStyle = color;
  ctx.strokeStyle = '#ffffff';
  ctx.lineWidth = 1.5;
  ctx.lineJoin = 'round';
  ctx.stroke(pointerShape);
  ctx.fill(pointerShape);
  if (name) {
    ctx.font = '500 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    const w = ctx.measureText(name).width + 12;
    ctx.beginPath();
    ctx.roundRect(12, 18, w, 20, 6);
    ctx.fill();
    ctx.fillStyle = textOn(color);
    ctx.textBaseline = 'middle';
    ctx.fillText(name, 18, 28.5);
  }
  ctx.restore();
}
