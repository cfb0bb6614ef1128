// @ts-check
// Pure helpers for freehand strokes: cleaning up raw pointer samples, storing them in the
// protocol's form, and turning them into smooth outlines to draw. One function per idea.
//
// A point is [x, y] or [x, y, pressure]; pressure is in [0, 1] and present only when the
// pointer reported real pressure (a pen), so its absence means "constant width".

/** @typedef {number[]} Point */

/**
 * The bounding box of points, or null for none.
 * @param {readonly Point[]} points
 * @returns {{minX: number, minY: number, maxX: number, maxY: number} | null}
 */
export function bounds(points) {
  if (points.length === 0) return null;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of points) {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { minX, minY, maxX, maxY };
}

/** @param {readonly Point[]} points */
export const hasPressure = (points) => points.some((p) => p.length > 2);

/**
 * Removes jitter from raw pointer samples: each point moves part of the way back toward
 * the smoothed point before it (an exponential moving average). The first and last points
 * stay where the pointer really was, so the stroke starts and ends under the pen.
 * @param {readonly Point[]} points
 * @param {number} [amount=0.3] 0 keeps the input, values near 1 smooth heavily.
 * @returns {Point[]}
 */
export function smoothPoints(points, amount = 0.3) {
  if (points.length < 3 || amount <= 0) return points.map((p) => [...p]);
  /** @type {Point[]} */
  const out = [[...points[0]]];
  for (let i = 1; i < points.length - 1; i++) {
    const prev = out[i - 1];
    const p = points[i];
    const q = [prev[0] + (p[0] - prev[0]) * (1 - amount), prev[1] + (p[1] - prev[1]) * (1 - amount)];
    if (p.length > 2) q.push(p[2]);
    out.push(q);
  }
  out.push([...points[points.length - 1]]);
  return out;
}

/**
 * Squared distance from p to the segment a-b.
 * @param {Point} p @param {Point} a @param {Point} b
 */
function segmentDistance2(p, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2;
  t = Math.max(0, Math.min(1, t));
  const ex = a[0] + t * dx - p[0];
  const ey = a[1] + t * dy - p[1];
  return ex * ex + ey * ey;
}

/**
 * Drops points that lie within `tolerance` of the line through their kept neighbours
 * (Ramer–Douglas–Peucker). Pointer events arrive far denser than a stroke needs; this
 * shrinks what is stored and sent without visibly changing the shape. Iterative, so a
 * 10,000-point stroke cannot overflow the call stack.
 * @param {readonly Point[]} points
 * @param {number} tolerance in the points' units
 * @returns {Point[]}
 */
export function simplify(points, tolerance) {
  if (points.length < 3) return points.map((p) => [...p]);
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const tol2 = tolerance * tolerance;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [first, last] = /** @type {number[]} */ (stack.pop());
    let worst = -1;
    let worstD = tol2;
    for (let i = first + 1; i < last; i++) {
      const d = segmentDistance2(points[i], points[first], points[last]);
      if (d > worstD) {
        worst = i;
        worstD = d;
      }
    }
    if (worst < 0) continue;
    keep[worst] = 1;
    stack.push([first, worst], [worst, last]);
  }
  return points.filter((_, i) => keep[i]).map((p) => [...p]);
}

/** @param {number} v @param {number} scale */
const round = (v, scale) => Math.round(v * scale) / scale;

/**
 * Puts absolute points in the protocol's form: the element's x, y, w, h from their bounds
 * and the points relative to x, y. Coordinates are rounded to 0.01 and pressure to 0.001
 * to keep messages small; pressure is clamped to [0, 1].
 * @param {readonly Point[]} points at least one
 * @returns {{x: number, y: number, w: number, h: number, points: Point[]}}
 */
export function toRelative(points) {
  const b = bounds(points);
  if (!b) throw new Error('toRelative: no points');
  const x = round(b.minX, 100);
  const y = round(b.minY, 100);
  const rel = points.map((p) => {
    const q = [round(p[0] - x, 100), round(p[1] - y, 100)];
    if (p.length > 2) q.push(round(Math.max(0, Math.min(1, p[2])), 1000));
    return q;
  });
  return { x, y, w: round(b.maxX - b.minX, 100), h: round(b.maxY - b.minY, 100), points: rel };
}

/**
 * Cuts a long stroke into pieces of at most `max` points (max >= 2), each piece starting
 * where the previous one ended so that the drawn line has no gap.
 * @param {readonly Point[]} points
 * @param {number} max
 * @returns {Point[][]}
 */
export function splitPoints(points, max) {
  if (points.length <= max) return [points.slice()];
  const out = [];
  for (let start = 0; start < points.length - 1; start += max - 1) {
    out.push(points.slice(start, start + max));
  }
  return out;
}

/** @param {number} v */
const fmt = (v) => String(round(v, 100));

/**
 * SVG path data for a smooth curve through points: straight to the first midpoint, then
 * quadratic curves with each sample as the control point and the midpoints between
 * samples as the ends, and straight to the last point. The curve passes near every sample
 * and has no corners. Canvas takes it through `new Path2D(d)`, SVG export directly.
 * @param {readonly Point[]} points
 * @param {boolean} [closed=false] join the end back to the start (for outlines)
 * @returns {string}
 */
export function pathData(points, closed = false) {
  const n = points.length;
  if (n === 0) return '';
  const [x0, y0] = points[0];
  if (n < 3) return `M${fmt(x0)} ${fmt(y0)}` + points.slice(1).map(([x, y]) => `L${fmt(x)} ${fmt(y)}`).join('') + (closed ? 'Z' : '');
  /** @param {number} i */
  const mid = (i) => {
    const a = points[i % n];
    const b = points[(i + 1) % n];
    return `${fmt((a[0] + b[0]) / 2)} ${fmt((a[1] + b[1]) / 2)}`;
  };
  if (closed) {
    let d = `M${mid(0)}`;
    for (let i = 1; i <= n; i++) d += `Q${fmt(points[i % n][0])} ${fmt(points[i % n][1])} ${mid(i)}`;
    return d + 'Z';
  }
  let d = `M${fmt(x0)} ${fmt(y0)}L${mid(0)}`;
  for (let i = 1; i < n - 1; i++) d += `Q${fmt(points[i][0])} ${fmt(points[i][1])} ${mid(i)}`;
  const [xn, yn] = points[n - 1];
  return d + `L${fmt(xn)} ${fmt(yn)}`;
}

/**
 * The radius of a pressure stroke at pressure p: a pen pressed half-way (the common
 * resting pressure) draws exactly `width`, light touches thinner, firm ones thicker.
 * @param {number} width @param {number} p
 */
export const pressureRadius = (width, p) => (width / 2) * (0.3 + 1.4 * p);

/**
 * The outline polygon of a variable-width stroke: each point is offset to both sides
 * along the normal by its pressure radius, and the ends get round caps. Fill it (with
 * `pathData(polygon, true)`) to draw the stroke. Points without pressure count as 0.5.
 * A single point (a tap) gives a circle.
 * @param {readonly Point[]} input at least one
 * @param {number} width
 * @returns {Point[]}
 */
export function outline(input, width) {
  // Repeated samples have no direction and would pinch the outline to nothing.
  const points = input.filter((p, i) => i === 0 || p[0] !== input[i - 1][0] || p[1] !== input[i - 1][1]);
  const n = points.length;
  if (n === 1) {
    const [x, y, p] = points[0];
    const r = pressureRadius(width, p ?? 0.5);
    return Array.from({ length: 12 }, (_, i) => [x + Math.cos((i * Math.PI) / 6) * r, y + Math.sin((i * Math.PI) / 6) * r]);
  }
  /** @type {Point[]} */
  const left = [];
  /** @type {Point[]} */
  const right = [];
  const normals = points.map((_, i) => {
    const a = points[Math.max(0, i - 1)];
    const b = points[Math.min(n - 1, i + 1)];
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const len = Math.hypot(dx, dy) || 1;
    return [-dy / len, dx / len];
  });
  const radius = points.map((p) => pressureRadius(width, p[2] ?? 0.5));
  for (let i = 0; i < n; i++) {
    const [x, y] = points[i];
    const [nx, ny] = normals[i];
    left.push([x + nx * radius[i], y + ny * radius[i]]);
    right.push([x - nx * radius[i], y - ny * radius[i]]);
  }
  return [...left, ...cap(points[n - 1], normals[n - 1], radius[n - 1]), ...right.reverse(), ...cap(points[0], normals[0].map((v) => -v), radius[0])];
}

/**
 * Points of a half circle around `c` going from the +normal side to the −normal side
 * through the direction of travel (the normal turned clockwise).
 * @param {Point} c @param {number[]} normal @param {number} r
 * @returns {Point[]}
 */
function cap(c, normal, r) {
  const start = Math.atan2(normal[1], normal[0]);
  const out = [];
  const steps = 6;
  for (let i = 1; i < steps; i++) {
    const a = start - (Math.PI * i) / steps;
    out.push([c[0] + Math.cos(a) * r, c[1] + Math.sin(a) * r]);
  }
  return out;
}
