// @ts-check
// The canvas colours a board can be shown on, and where this browser remembers the
// choice for a board. The colours themselves (a light and a dark one each) are in
// appearance.css, under body[data-canvas].

/** @type {{id: string, name: string}[]} */
export const CANVAS_COLORS = [
  { id: 'plain', name: 'Plain' },
  { id: 'paper', name: 'Paper' },
  { id: 'mint', name: 'Mint' },
  { id: 'sky', name: 'Sky' },
  { id: 'slate', name: 'Slate' },
];

/** The storage key of a board's canvas colour. @param {string} boardId */
export const canvasKey = (boardId) => `tabula.canvas.${boardId}`;

/**
 * The canvas colour this browser shows a board on: 'plain' unless a known one is stored.
 * @param {Pick<Storage, 'getItem'>} storage @param {string} boardId
 */
export function readCanvas(storage, boardId) {
  let id = null;
  try {
    id = storage.getItem(canvasKey(boardId));
  } catch {
    return 'plain';
  }
  return CANVAS_COLORS.some((c) => c.id === id) ? /** @type {string} */ (id) : 'plain';
}
