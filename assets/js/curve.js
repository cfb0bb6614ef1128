// @ts-check
// Round lines and arrows ("curve": "round"): one smooth curve through every point.
//
// The curve is a centripetal Catmull–Rom spline, each span between two points drawn as
// a cubic Bézier. Centripetal (α = ½) rather than uniform, because it never loops or
// overshoots into a cusp when points are unevenly spaced, which hand-placed points
// always are. The ends get a phantom neighbour, the second point reflected through the
// first, so the curve leaves each end along its first chord. collab/render/curve.go is
// the same curve in Go: an export must look like the board. Pure math, no DOM.

/** @typedef {import('./doc.js').Element} Element */
/** @typedef {number[]} Point [x, y] or [x, y, pressure] */
/** @typedef {[number, number]} Vec */
/** A Bézier span: start, two control points, end. @typedef {[Vec, Vec, Vec, Vec]} Cubic */
/** @typedef {{minX: number, minY: number, maxX: number, maxY: number}} Rect */

/**
 * The points without any that equals the one before it: a span of length zero has no
 * direction to give the spline.
 * @param {readonly Point[]} points
 * @returns {Vec[]}
 */
export function distinctPoints(points) {
  /** @type {Vec[]} */
  const out = [];
  for (const p of points) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push([p[0], p[1]]);
  }
  return out;
}

/**
 * Whether the element is drawn as a curve: a round line or arrow with at least three
 * distinct points (through two, the curve is the straight segment).
 * @param {Element} el
 */
export function isCurved(el) {
  if (el.curve !== 'round' || (el.type !== 'line' && el.type !== 'arrow') || !el.points) return false;
  // Counted without building the list: renderers ask this of every line every frame.
  const pts = el.points;
  let n = 0;
  for (let i = 0; i < pts.length && n < 3; i++) {
    if (i === 0 || pts[i][0] !== pts[i - 1][0] || pts[i][1] !== pts[i - 1][1]) n++;
  }
  return n >= 3;
}

/**
 * The spline through points as cubic spans, one per pair of neighbours. Repeated points
 * are dropped first; fewer than two distinct points give no spans.
 * @param {readonly Point[]} points
 * @returns {Cubic[]}
 */
export function curveSegments(points) {
  const pts = distinctPoints(points);
  const n = pts.length;
  /** @param {number} i @returns {Vec} */
  const at = (i) => {
    if (i < 0) return [2 * pts[0][0] - pts[1][0], 2 * pts[0][1] - pts[1][1]];
    if (i >= n) return [2 * pts[n - 1][0] - pts[n - 2][0], 2 * pts[n - 1][1] - pts[n - 2][1]];
    return pts[i];
  };
  /** @type {Cubic[]} */
  const out = [];
  for (let i = 0; i + 1 < n; i++) {
    const [a, b, c, d] = [at(i - 1), at(i), at(i + 1), at(i + 2)];
    // dk is the square root of each chord's length (α = ½); lk = dk² the length itself.
    const l1 = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const l2 = Math.hypot(c[0] - b[0], c[1] - b[1]);
    const l3 = Math.hypot(d[0] - c[0], d[1] - c[1]);
    const [d1, d2, d3] = [Math.sqrt(l1), Math.sqrt(l2), Math.sqrt(l3)];
    /** @type {Vec} */
    let c1 = b;
    /** @type {Vec} */
    let c2 = c;
    if (d1 > 0) {
      const k = 3 * d1 * (d1 + d2);
      const w = 2 * l1 + 3 * d1 * d2 + l2;
      c1 = [(l1 * c[0] - l2 * a[0] + w * b[0]) / k, (l1 * c[1] - l2 * a[1] + w * b[1]) / k];
    }
    if (d3 > 0) {
      const k = 3 * d3 * (d3 + d2);
      const w = 2 * l3 + 3 * d3 * d2 + l2;
      c2 = [(l3 * b[0] - l2 * d[0] + w * c[0]) / k, (l3 * b[1] - l2 * d[1] + w * c[1]) / k];
    }
    out.push([b, c1, c2, c]);
  }
  return out;
}

/**
 * The point of a cubic span at t in [0, 1].
 * @param {Cubic} c @param {number} t
 * @returns {Vec}
 */
export function cubicAt([p0, c1, c2, p3], t) {
  const u = 1 - t;
  const [b0, b1, b2, b3] = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
  return [b0 * p0[0] + b1 * c1[0] + b2 * c2[0] + b3 * p3[0], b0 * p0[1] + b1 * c1[1] + b2 * c2[1] + b3 * p3[1]];
}

/**
 * The t in (0, 1) where a one-dimensional cubic with control values p0..p3 turns back.
 * @param {number} p0 @param {number} p1 @param {number} p2 @param {number} p3
 */
function turns(p0, p1, p2, p3) {
  // The derivative, divided by 3: a·t² + b·t + c.
  const a = -p0 + 3 * p1 - 3 * p2 + p3;
  const b = 2 * (p0 - 2 * p1 + p2);
  const c = p1 - p0;
  const eps = 1e-12;
  /** @type {number[]} */
  const roots = [];
  if (Math.abs(a) < eps) {
    if (Math.abs(b) > eps) roots.push(-c / b);
  } else {
    const disc = b * b - 4 * a * c;
    if (disc >= 0) {
      const s = Math.sqrt(disc);
      roots.push((-b + s) / (2 * a), (-b - s) / (2 * a));
    }
  }
  return roots.filter((t) => t > 0 && t < 1);
}

/**
 * The exact bounding box of the curve through points (at least one point).
 * @param {readonly Point[]} points
 * @returns {Rect}
 */
export function curveBounds(points) {
  const segs = curveSegments(points);
  const first = points[0];
  const r = { minX: first[0], minY: first[1], maxX: first[0], maxY: first[1] };
  /** @param {Vec} p */
  const add = (p) => {
    if (p[0] < r.minX) r.minX = p[0];
    if (p[0] > r.maxX) r.maxX = p[0];
    if (p[1] < r.minY) r.minY = p[1];
    if (p[1] > r.maxY) r.maxY = p[1];
  };
  for (const c of segs) {
    add(c[3]);
    const [p0, c1, c2, p3] = c;
    for (const t of [...turns(p0[0], c1[0], c2[0], p3[0]), ...turns(p0[1], c1[1], c2[1], p3[1])]) add(cubicAt(c, t));
  }
  return r;
}

/** Most points a flattened curve has in all, whatever its length and number of points. */
const FLAT_BUDGET = 16384;

/**
 * The curve through points as a polyline whose pieces are at most about `step` long
 * (2 to 64 pieces a span), for hit-testing and outlines. A line of thousands of long
 * spans gets fewer pieces a span, so it never costs more than FLAT_BUDGET points.
 * @param {readonly Point[]} points @param {number} [step]
 * @returns {Vec[]}
 */
export function flattenCurve(points, step = 4) {
  const segs = curveSegments(points);
  if (!segs.length) return distinctPoints(points);
  // The control polygon is at least as long as the span: a safe count of pieces.
  const counts = segs.map((c) => {
    const len = Math.hypot(c[1][0] - c[0][0], c[1][1] - c[0][1]) + Math.hypot(c[2][0] - c[1][0], c[2][1] - c[1][1]) + Math.hypot(c[3][0] - c[2][0], c[3][1] - c[2][1]);
    return Math.min(64, Math.max(2, Math.ceil(len / step)));
  });
  const total = counts.reduce((a, b) => a + b, 0);
  const k = total > FLAT_BUDGET ? FLAT_BUDGET / total : 1;
  /** @type {Vec[]} */
  const out = [segs[0][0]];
  segs.forEach((c, i) => {
    const n = Math.max(1, Math.floor(counts[i] * k));
    for (let j = 1; j <= n; j++) out.push(cubicAt(c, j / n));
  });
  return out;
}

/**
 * Where each arrowhead of a line through points aims from: a point behind the start and
 * behind the end, along the line's direction there. For a straight line the nearest
 * other point; for a round one the tangent's control point (or, where that sits on the
 * end, the span's other end).
 * @param {readonly Point[]} points @param {boolean} curved
 * @returns {{startFrom: Vec, endFrom: Vec}}
 */
export function headDirections(points, curved) {
  const pts = distinctPoints(points);
  if (pts.length < 2) return { startFrom: pts[0] ?? [0, 0], endFrom: pts[0] ?? [0, 0] };
  if (!curved) return { startFrom: pts[1], endFrom: pts[pts.length - 2] };
  const segs = curveSegments(pts);
  const first = segs[0];
  const last = segs[segs.length - 1];
  const same = (/** @type {Vec} */ a, /** @type {Vec} */ b) => a[0] === b[0] && a[1] === b[1];
  return {
    startFrom: same(first[1], first[0]) ? first[3] : first[1],
    endFrom: same(last[2], last[3]) ? last[0] : last[2],
  };
}

/**
 * The midpoint of the part of a line between point i and point i + 1: on the curve for a
 * round line, halfway along the segment for a straight one. Where a point-edit handle
 * goes, and where a point dragged out of it starts.
 * @param {readonly Point[]} points @param {number} i @param {boolean} curved
 * @returns {Vec}
 */
export function spanMidpoint(points, i, curved) {
  const a = points[i];
  const b = points[i + 1];
  if (!curved || (a[0] === b[0] && a[1] === b[1])) return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  // Spans are between distinct points: find the one that starts at point i.
  const pts = distinctPoints(points.slice(0, i + 1));
  const segs = curveSegments(points);
  return cubicAt(segs[pts.length - 1], 0.5);
}
