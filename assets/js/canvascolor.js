// @ts-check
// The canvas colours a board can be shown on. The board keeps its choice (the server
// stores it and tells everyone on the board, docs/protocol.md "Canvas colour"); the
// colours themselves (a light and a dark one each) are in appearance.css, under
// [data-canvas], and in collab/wire/canvas.go for exports.

/** @type {{id: string, name: string}[]} */
export const CANVAS_COLORS = [
  { id: 'plain', name: 'Plain' },
  { id: 'paper', name: 'Paper' },
  { id: 'mint', name: 'Mint' },
  { id: 'sky', name: 'Sky' },
  { id: 'slate', name: 'Slate' },
];

/**
 * The canvas colour to show for a value from the server: 'plain' unless it is a known id.
 * @param {unknown} id
 */
export function canvasId(id) {
  return CANVAS_COLORS.some((c) => c.id === id) ? /** @type {string} */ (id) : 'plain';
}
