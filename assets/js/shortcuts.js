// @ts-check
// The keyboard: which key picks which tool (Excalidraw's single keys), and which key
// combination runs which command. Pure data and one lookup function, so the help panel,
// the tooltips and the key handler all read the same table and node tests can check it.

/**
 * @typedef {{id: string, label: string, keys: string[], editor: boolean, hint?: string}} ToolInfo
 * @typedef {{key: string, code?: string, ctrlKey?: boolean, metaKey?: boolean, shiftKey?: boolean, altKey?: boolean}} KeyLike
 * @typedef {{cmd: string, arg?: any}} Command
 */

/** Tools in toolbar order. `editor`: only for people who may edit. */
export const TOOLS = /** @type {ToolInfo[]} */ ([
  { id: 'select', label: 'Select', keys: ['v', '1'], editor: true },
  { id: 'hand', label: 'Hand', keys: ['h'], editor: false, hint: 'or hold Space' },
  { id: 'rect', label: 'Rectangle', keys: ['r', '2'], editor: true },
  { id: 'diamond', label: 'Diamond', keys: ['d', '3'], editor: true },
  { id: 'ellipse', label: 'Ellipse', keys: ['o', '4'], editor: true },
  { id: 'arrow', label: 'Arrow', keys: ['a', '5'], editor: true },
  { id: 'line', label: 'Line', keys: ['l', '6'], editor: true },
  { id: 'pen', label: 'Pen', keys: ['p', '7'], editor: true },
  { id: 'highlighter', label: 'Highlighter', keys: ['m'], editor: true },
  { id: 'text', label: 'Text', keys: ['t', '8'], editor: true },
  { id: 'note', label: 'Sticky note', keys: ['n'], editor: true },
  { id: 'frame', label: 'Frame', keys: ['f'], editor: true },
  { id: 'eraser', label: 'Eraser', keys: ['e', '0'], editor: true },
  { id: 'laser', label: 'Laser pointer', keys: ['k'], editor: false },
]);

/** Keys of tools, for the lookup. */
const TOOL_KEYS = new Map(TOOLS.flatMap((t) => t.keys.map((k) => [k, t.id])));

/** How a shortcut reads in the help panel and tooltips: "Ctrl+Shift+Z" or "⌘⇧Z". @param {string} combo @param {boolean} mac */
export function keyLabel(combo, mac) {
  const parts = combo.split('+');
  const key = parts.pop() ?? '';
  const names = mac ? { Mod: '⌘', Shift: '⇧', Alt: '⌥' } : { Mod: 'Ctrl', Shift: 'Shift', Alt: 'Alt' };
  const mods = parts.map((m) => names[/** @type {keyof names} */ (m)] ?? m);
  const k = key.length === 1 ? key.toUpperCase() : key;
  return mac ? mods.join('') + k : [...mods, k].join('+');
}

/**
 * Every command with a shortcut, for the help panel: [section, label, combos].
 * @type {[string, string, string[]][]}
 */
export const HELP = [
  ['Edit', 'Undo', ['Mod+Z']],
  ['Edit', 'Redo', ['Mod+Shift+Z', 'Mod+Y']],
  ['Edit', 'Copy / cut / paste', ['Mod+C', 'Mod+X', 'Mod+V']],
  ['Edit', 'Duplicate', ['Mod+D']],
  ['Edit', 'Delete', ['Delete', 'Backspace']],
  ['Edit', 'Select all', ['Mod+A']],
  ['Edit', 'Edit the text, label the shape, or edit the line’s points', ['Enter']],
  ['Draw', 'Finish a line of several points', ['Enter', 'Escape']],
  ['Edit', 'Move the selection (Shift: 10 ×)', ['←↑→↓']],
  ['Arrange', 'Bring forward / send backward', ['Mod+]', 'Mod+[']],
  ['Arrange', 'Bring to front / send to back', ['Mod+Shift+]', 'Mod+Shift+[']],
  ['Arrange', 'Group / ungroup', ['Mod+G', 'Mod+Shift+G']],
  ['Arrange', 'Lock / unlock', ['Mod+Shift+L']],
  ['Arrange', 'Align left / right / top / bottom', ['Mod+Shift+←', 'Mod+Shift+→', 'Mod+Shift+↑', 'Mod+Shift+↓']],
  ['Arrange', 'Distribute horizontally / vertically', ['Alt+H', 'Alt+V']],
  ['Arrange', 'Flip horizontal / vertical', ['Shift+H', 'Shift+V']],
  ['Edit', 'Copy / paste styles', ['Mod+Alt+C', 'Mod+Alt+V']],
  ['Draw', 'Keep the tool after drawing (tool lock)', ['Q']],
  ['Edit', 'More commands: right-click, or press and hold', []],
  ['View', 'Zoom in / out', ['+', '−']],
  ['View', 'Zoom to fit everything', ['Shift+1']],
  ['View', 'Reset zoom to 100%', ['Shift+0']],
  ['View', 'Pan', ['Space+drag', 'Scroll']],
  ['View', 'Show grid', ["Mod+'"]],
  ['View', 'Snap to grid', ['Alt+S']],
  ['View', 'Insert image', ['9']],
  ['View', 'This help', ['?']],
  ['Present', 'Start / stop presenting the frames', ['Shift+P']],
  ['Present', 'Next / previous frame, presenting', ['→', '←', 'Space', 'PageDown', 'PageUp']],
  ['Present', 'Move a frame up / down, in the frames list', ['Alt+↑', 'Alt+↓']],
  ['Voice', 'Mute / unmute, in a voice call', ['Shift+M']],
];

/**
 * The command a key press means, or null. Letters are read from `key` (so layouts
 * work), digits and brackets from `code` (Shift changes their `key`).
 * @param {KeyLike} e
 * @returns {Command | null}
 */
export function commandFor(e) {
  const mod = !!(e.ctrlKey || e.metaKey);
  const shift = !!e.shiftKey;
  const alt = !!e.altKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const code = e.code ?? '';
  if (mod && alt && !shift) {
    if (code === 'KeyC') return { cmd: 'copyStyle' };
    if (code === 'KeyV') return { cmd: 'pasteStyle' };
    return null;
  }
  if (mod && shift && key.startsWith('Arrow')) {
    const to = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'top', ArrowDown: 'bottom' }[key];
    return to ? { cmd: 'align', arg: to } : null;
  }
  if (mod && !alt) {
    if (key === 'z') return { cmd: shift ? 'redo' : 'undo' };
    if (key === 'y' && !shift) return { cmd: 'redo' };
    if (key === 'd' && !shift) return { cmd: 'duplicate' };
    if (key === 'a' && !shift) return { cmd: 'selectAll' };
    if (key === 'g') return { cmd: shift ? 'ungroup' : 'group' };
    if (key === 'l' && shift) return { cmd: 'lock' };
    if (code === 'BracketRight') return { cmd: 'zorder', arg: shift ? 'front' : 'forward' };
    if (code === 'BracketLeft') return { cmd: 'zorder', arg: shift ? 'back' : 'backward' };
    if (code === 'Quote' && !shift) return { cmd: 'grid' };
    return null;
  }
  if (mod) return null;
  if (alt && !shift && code === 'KeyH') return { cmd: 'distribute', arg: 'horizontal' };
  if (alt && !shift && code === 'KeyV') return { cmd: 'distribute', arg: 'vertical' };
  if (alt) return code === 'KeyS' ? { cmd: 'snap' } : null;
  if (key === 'Delete' || key === 'Backspace') return { cmd: 'delete' };
  if (key === 'Escape') return { cmd: 'escape' };
  if (key === 'Enter') return { cmd: 'edit' };
  if (key.startsWith('Arrow')) {
    const step = shift ? 10 : 1;
    const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[key];
    return d ? { cmd: 'nudge', arg: d } : null;
  }
  if (shift && code === 'Digit1') return { cmd: 'zoomFit' };
  if (shift && code === 'Digit0') return { cmd: 'zoomReset' };
  if (key === '?') return { cmd: 'help' };
  if (key === '+' || key === '=') return { cmd: 'zoomIn' };
  if (key === '-' || key === '_') return { cmd: 'zoomOut' };
  // M alone is the highlighter, always; in a voice call Shift+M mutes.
  if (shift && code === 'KeyM') return { cmd: 'mute' };
  if (shift && key === 'h') return { cmd: 'flip', arg: 'horizontal' };
  if (shift && key === 'v') return { cmd: 'flip', arg: 'vertical' };
  if (shift) return null;
  if (key === 'q') return { cmd: 'toolLock' };
  if (key === '9') return { cmd: 'image' };
  const tool = TOOL_KEYS.get(key);
  return tool ? { cmd: 'tool', arg: tool } : null;
}
