// @ts-check
// The drawing UI's icons: SVG path data on a 24×24 grid, stroked with currentColor.

export const ICONS = /** @type {Record<string, string[]>} */ ({
  select: ['M6 3.5l12.5 8.3-5.6 1.2 3.3 6.1-2.3 1.2-3.3-6.1L6.5 18z'],
  hand: ['M8 12V5.5a1.5 1.5 0 0 1 3 0V11m0-6.5a1.5 1.5 0 0 1 3 0V11m0-5a1.5 1.5 0 0 1 3 0V14a7 7 0 0 1-7 7h-.6a6 6 0 0 1-4.6-2.2L3.5 16a1.6 1.6 0 0 1 2.4-2.1L8 16'],
  rect: ['M6 5h12a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z'],
  diamond: ['M10.6 3.9a2 2 0 0 1 2.8 0l6.7 6.7a2 2 0 0 1 0 2.8l-6.7 6.7a2 2 0 0 1-2.8 0l-6.7-6.7a2 2 0 0 1 0-2.8z'],
  ellipse: ['M12 4a8 8 0 1 0 0 16 8 8 0 0 0 0-16z'],
  arrow: ['M5 19L19 5', 'M10 5h9v9'],
  line: ['M5 19L19 5'],
  pen: ['M4 20l4-1L19 8a2.1 2.1 0 0 0-3-3L5 16l-1 4z', 'M14 7l3 3'],
  highlighter: ['M14.5 4.5l5 5-7.5 7.5H7v-5z', 'M7 12l5 5', 'M4 20.5h9'],
  text: ['M5 7V5h14v2', 'M12 5v14', 'M9 19h6'],
  note: ['M5 5h14v9l-5 5H5z', 'M14 19v-5h5'],
  frame: ['M7 3v18M17 3v18M3 7h18M3 17h18'],
  frames: ['M4 5h7v6H4z', 'M13 5h7v6h-7z', 'M4 15h7v4H4z', 'M13 15h7v4h-7z'],
  eraser: ['M8.5 20H20', 'M4.6 15.6l9-9a2 2 0 0 1 2.8 0l2.9 2.9a2 2 0 0 1 0 2.8L11.5 20H9z', 'M9.5 10.8l5.7 5.7'],
  laser: ['M4 20l7.5-7.5', 'M15 3.5l1.2 3.3 3.3 1.2-3.3 1.2L15 12.5l-1.2-3.3L10.5 8l3.3-1.2z'],
  more: ['M6 12h.01M12 12h.01M18 12h.01'],
  image: ['M5 5h14a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z', 'M4 16l5-5 4.5 4.5L16 13l4 4', 'M15.5 9.5a.5.5 0 1 0 0-.01'],
  undo: ['M9 14L4 9l5-5', 'M4 9h10.5a5.5 5.5 0 0 1 0 11H11'],
  redo: ['M15 14l5-5-5-5', 'M20 9H9.5a5.5 5.5 0 0 0 0 11H13'],
  grid: ['M5 5h.01M12 5h.01M19 5h.01M5 12h.01M12 12h.01M19 12h.01M5 19h.01M12 19h.01M19 19h.01'],
  magnet: ['M6 4v8a6 6 0 0 0 12 0V4h-4v8a2 2 0 0 1-4 0V4z', 'M6 8h4M14 8h4'],
  fit: ['M4 9V5a1 1 0 0 1 1-1h4', 'M15 4h4a1 1 0 0 1 1 1v4', 'M20 15v4a1 1 0 0 1-1 1h-4', 'M9 20H5a1 1 0 0 1-1-1v-4', 'M9 9h6v6H9z'],
  help: ['M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z', 'M9.6 9.2a2.5 2.5 0 0 1 4.9.8c0 1.7-2.5 2.2-2.5 3.7', 'M12 17h.01'],
  trash: ['M5 7h14', 'M10 11v6M14 11v6', 'M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12', 'M9 7V4h6v3'],
  copy: ['M9 9h10v10H9z', 'M5 15V5h10'],
  lock: ['M7 11V8a5 5 0 0 1 10 0v3', 'M5 11h14v10H5z'],
  unlock: ['M7 11V8a5 5 0 0 1 9.6-2', 'M5 11h14v10H5z'],
  group: ['M4 4h6v6H4z', 'M14 14h6v6h-6z', 'M10 7h4a3 3 0 0 1 3 3v4', 'M7 10v4a3 3 0 0 0 3 3h4'],
  ungroup: ['M4 4h6v6H4z', 'M14 14h6v6h-6z'],
  front: ['M12 20V9', 'M7 14l5-5 5 5', 'M5 4.5h14'],
  forward: ['M12 19V7', 'M7 12l5-5 5 5'],
  backward: ['M12 5v12', 'M7 12l5 5 5-5'],
  back: ['M12 4v11', 'M7 10l5 5 5-5', 'M5 19.5h14'],
  alignLeft: ['M4 6h16', 'M4 10h10', 'M4 14h16', 'M4 18h10'],
  alignCenter: ['M4 6h16', 'M7 10h10', 'M4 14h16', 'M7 18h10'],
  alignRight: ['M4 6h16', 'M10 10h10', 'M4 14h16', 'M10 18h10'],
});

const SVG = 'http://www.w3.org/2000/svg';

/**
 * An inline SVG icon.
 * @param {string} name
 */
export function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  for (const d of ICONS[name] ?? []) {
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    svg.append(p);
  }
  return svg;
}

/**
 * A small SVG drawing (the style panel's previews of widths, dashes, arrowheads).
 * @param {string[]} paths @param {Record<string, string>} [attrs] set on every path
 */
export function sketch(paths, attrs = {}) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  for (const d of paths) {
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    for (const [k, v] of Object.entries(attrs)) p.setAttribute(k, v);
    svg.append(p);
  }
  return svg;
}
