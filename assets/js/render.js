// @ts-check
// Draws elements and cursors onto a canvas 2D context. The caller sets the transform
// (world → device pixels); every function here works in world units, or screen pixels
// for cursors. Paths are cached per element object (elements are never modified in place).

import { pathData, outline, hasPressure } from './smooth.js';
import { localBox } from './geometry.js';

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {CanvasRenderingContext2D} Ctx */

const FONTS = {
  sans: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  serif: 'Georgia, "Times New Roman", serif',
  mono: 'ui-monospace, "SF Mono", Menlo, Consolas, monospace',
  hand: '"Segoe Print", "Bradley Hand", "Comic Sans MS", cursive',
};
const INK = '#1e1e1e';
const NOTE_FILL = '#fff3bf';
const LINE_HEIGHT = 1.25;

/** @type {WeakMap<Element, {path: Path2D, filled: boolean}>} */
const strokeCache = new WeakMap();
/** @type {WeakMap<Element, Path2D>} */
const shapeCache = new WeakMap();
/** @type {WeakMap<Element, string[]>} */
const wrapCache = new WeakMap();

/**
 * Draws one element.
 * @param {Ctx} ctx @param {Element} el
 */
export function drawElement(ctx, el) {
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
      drawText(ctx, el);
      break;
    case 'note':
      drawNote(ctx, el);
      break;
    case 'image':
      drawImagePlaceholder(ctx, el);
      break;
  }
  ctx.restore();
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
  let c = strokeCache.get(el);
  if (!c) {
    const filled = pts.length === 1 || hasPressure(pts);
    c = { path: new Path2D(filled ? pathData(outline(pts, width), true) : pathData(pts)), filled };
    strokeCache.set(el, c);
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
 * Lines and arrows: straight segments through their points (or from the origin to w, h).
 * An arrow whose end style is unset gets the usual arrowhead; `none` turns it off.
 * @param {Ctx} ctx @param {Element} el
 */
function drawLinear(ctx, el) {
  if (!el.stroke) return;
  /** @type {number[][]} */
  const pts = el.points?.length ? el.points : [[0, 0], [el.w || 0, el.h || 0]];
  const width = el.width || 1;
  setLine(ctx, el, width);
  ctx.beginPath();
  ctx.moveTo(pts[0][0], pts[0][1]);
  for (const p of pts.slice(1)) ctx.lineTo(p[0], p[1]);
  ctx.stroke();
  ctx.setLineDash([]);
  const end = el.endArrow || (el.type === 'arrow' ? 'arrow' : 'none');
  if (pts.length > 1) {
    drawHead(ctx, pts[pts.length - 2], pts[pts.length - 1], end, width);
    drawHead(ctx, pts[1], pts[0], el.startArrow || 'none', width);
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
  let p = shapeCache.get(el);
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
  shapeCache.set(el, p);
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

/** @param {Ctx} ctx @param {Element} el @param {number} fallback */
function setFont(ctx, el, fallback) {
  const size = el.size || fallback;
  ctx.font = `${size}px ${FONTS[/** @type {keyof FONTS} */ (el.font)] ?? FONTS.sans}`;
  return size;
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

/** @param {Ctx} ctx @param {Element} el */
function drawText(ctx, el) {
  if (!el.text) return;
  const size = setFont(ctx, el, 20);
  const b = localBox(el);
  fillLines(ctx, el, String(el.text).split('\n'), b.minX, b.minY, b.maxX - b.minX, size);
}

/**
 * Sticky notes: a coloured card with the text wrapped to its width.
 * @param {Ctx} ctx @param {Element} el
 */
function drawNote(ctx, el) {
  const b = localBox(el);
  const w = b.maxX - b.minX;
  const h = b.maxY - b.minY;
  ctx.fillStyle = el.fill || NOTE_FILL;
  ctx.fillRect(b.minX, b.minY, w, h);
  if (!el.text) return;
  const size = setFont(ctx, el, 16);
  const pad = Math.min(12, w / 8);
  let lines = wrapCache.get(el);
  if (!lines) {
    lines = wrap(ctx, String(el.text), w - pad * 2);
    wrapCache.set(el, lines);
  }
  ctx.save();
  ctx.beginPath();
  ctx.rect(b.minX, b.minY, w, h);
  ctx.clip();
  fillLines(ctx, el, lines, b.minX + pad, b.minY + pad, w - pad * 2, size);
  ctx.restore();
}

/**
 * Breaks text into lines no wider than maxWidth at spaces (a single over-long word
 * keeps its own line).
 * @param {Ctx} ctx @param {string} text @param {number} maxWidth
 */
function wrap(ctx, text, maxWidth) {
  const out = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      const next = line ? `${line} ${word}` : word;
      if (line && ctx.measureText(next).width > maxWidth) {
        out.push(line);
        line = word;
      } else {
        line = next;
      }
    }
    out.push(line);
  }
  return out;
}

/**
 * Images are not loaded yet: show where one is, so it is not invisible.
 * @param {Ctx} ctx @param {Element} el
 */
function drawImagePlaceholder(ctx, el) {
  const b = localBox(el);
  ctx.fillStyle = '#e9ecef';
  ctx.fillRect(b.minX, b.minY, b.maxX - b.minX, b.maxY - b.minY);
  ctx.strokeStyle = '#adb5bd';
  ctx.lineWidth = 1;
  ctx.setLineDash([6, 4]);
  ctx.strokeRect(b.minX, b.minY, b.maxX - b.minX, b.maxY - b.minY);
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
