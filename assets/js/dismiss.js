// @ts-check
// Popovers over the board (More tools, the style panel on phones) close when the board
// is touched, and that touch only closes them, as a tap outside a menu does on a phone:
// the gesture it starts, every finger until the last one lifts, neither draws nor pans.

/**
 * Closes a popover on a touch (or click) on the board, and keeps the gesture from the
 * board's own handlers.
 * @param {EventTarget} board the board's input layer
 * @param {() => boolean} isOpen
 * @param {() => void} close
 */
export function closeOnBoardTouch(board, isOpen, close) {
  /** Pointers of a gesture that closed a popover. @type {Set<number>} */
  const eaten = new Set();
  // Capturing listeners on the target run before its other listeners (input.js).
  board.addEventListener(
    'pointerdown',
    (e) => {
      if (!eaten.size && !isOpen()) return;
      close();
      eaten.add(/** @type {PointerEvent} */ (e).pointerId);
      e.stopImmediatePropagation();
    },
    { capture: true },
  );
  for (const type of ['pointermove', 'pointerup', 'pointercancel']) {
    board.addEventListener(
      type,
      (e) => {
        const id = /** @type {PointerEvent} */ (e).pointerId;
        if (!eaten.has(id)) return;
        e.stopImmediatePropagation();
        if (type !== 'pointermove') eaten.delete(id);
      },
      { capture: true },
    );
  }
}
