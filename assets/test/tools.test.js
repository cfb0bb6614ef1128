import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandFor, TOOLS, keyLabel, HELP } from '../js/shortcuts.js';
import { dragBox, snapAngle, styleFields, shapeElement, linearElement, noteElement, imageElement, DEFAULT_STYLE } from '../js/shapes.js';
import { wrapLines, textBox, noteHeight, cssFont } from '../js/textlayout.js';
import { commonValue, styleOps, propsFor, styleValue } from '../js/style.js';

test('every tool has a distinct key, and the brief\'s keys are right', () => {
  const keys = TOOLS.flatMap((t) => t.keys);
  assert.equal(new Set(keys).size, keys.length);
  const want = { select: 'v', hand: 'h', pen: 'p', eraser: 'e', rect: 'r', ellipse: 'o', diamond: 'd', line: 'l', arrow: 'a', text: 't', note: 'n', laser: 'k' };
  for (const [tool, key] of Object.entries(want)) assert.deepEqual(commandFor({ key }), { cmd: 'tool', arg: tool }, key);
  assert.deepEqual(commandFor({ key: '1', code: 'Digit1' }), { cmd: 'tool', arg: 'select' });
  assert.deepEqual(commandFor({ key: 'R' , shiftKey: false }), { cmd: 'tool', arg: 'rect' }, 'caps lock');
});

test('commands with modifiers', () => {
  const c = (key, mods = {}) => commandFor({ key, ...mods });
  assert.deepEqual(c('z', { ctrlKey: true }), { cmd: 'undo' });
  assert.deepEqual(c('z', { metaKey: true }), { cmd: 'undo' });
  assert.deepEqual(c('Z', { ctrlKey: true, shiftKey: true }), { cmd: 'redo' });
  assert.deepEqual(c('y', { ctrlKey: true }), { cmd: 'redo' });
  assert.deepEqual(c('d', { ctrlKey: true }), { cmd: 'duplicate' });
  assert.deepEqual(c('a', { metaKey: true }), { cmd: 'selectAll' });
  assert.deepEqual(c('g', { ctrlKey: true }), { cmd: 'group' });
  assert.deepEqual(c('G', { ctrlKey: true, shiftKey: true }), { cmd: 'ungroup' });
  assert.deepEqual(c('L', { ctrlKey: true, shiftKey: true }), { cmd: 'lock' });
  assert.deepEqual(commandFor({ key: ']', code: 'BracketRight', ctrlKey: true }), { cmd: 'zorder', arg: 'forward' });
  assert.deepEqual(commandFor({ key: '}', code: 'BracketRight', ctrlKey: true, shiftKey: true }), { cmd: 'zorder', arg: 'front' });
  assert.deepEqual(commandFor({ key: '[', code: 'BracketLeft', metaKey: true }), { cmd: 'zorder', arg: 'backward' });
  assert.deepEqual(commandFor({ key: '{', code: 'BracketLeft', metaKey: true, shiftKey: true }), { cmd: 'zorder', arg: 'back' });
  assert.deepEqual(c('Delete'), { cmd: 'delete' });
  assert.deepEqual(c('Backspace'), { cmd: 'delete' });
  assert.deepEqual(c('ArrowLeft'), { cmd: 'nudge', arg: [-1, 0] });
  assert.deepEqual(c('ArrowDown', { shiftKey: true }), { cmd: 'nudge', arg: [0, 10] });
  assert.deepEqual(commandFor({ key: '!', code: 'Digit1', shiftKey: true }), { cmd: 'zoomFit' });
  assert.deepEqual(commandFor({ key: ')', code: 'Digit0', shiftKey: true }), { cmd: 'zoomReset' });
  assert.deepEqual(c('+', { shiftKey: true }), { cmd: 'zoomIn' });
  assert.deepEqual(c('-'), { cmd: 'zoomOut' });
  assert.deepEqual(c('?', { shiftKey: true }), { cmd: 'help' });
  assert.deepEqual(commandFor({ key: "'", code: 'Quote', ctrlKey: true }), { cmd: 'grid' });
  assert.deepEqual(commandFor({ key: 'ß', code: 'KeyS', altKey: true }), { cmd: 'snap' });
  assert.equal(c('c', { ctrlKey: true }), null, 'copy is the clipboard event\'s business');
  assert.equal(c('R', { shiftKey: true }), null);
  assert.equal(c('w'), null);
});

test('tool lock, flip, align, distribute and styles have keys (Excalidraw\'s)', () => {
  const c = (key, mods = {}) => commandFor({ key, ...mods });
  assert.deepEqual(c('q'), { cmd: 'toolLock' });
  assert.deepEqual(c('H', { shiftKey: true }), { cmd: 'flip', arg: 'horizontal' });
  assert.deepEqual(c('V', { shiftKey: true }), { cmd: 'flip', arg: 'vertical' });
  assert.deepEqual(c('ArrowLeft', { ctrlKey: true, shiftKey: true }), { cmd: 'align', arg: 'left' });
  assert.deepEqual(c('ArrowDown', { metaKey: true, shiftKey: true }), { cmd: 'align', arg: 'bottom' });
  assert.deepEqual(commandFor({ key: '˙', code: 'KeyH', altKey: true }), { cmd: 'distribute', arg: 'horizontal' });
  assert.deepEqual(commandFor({ key: '√', code: 'KeyV', altKey: true }), { cmd: 'distribute', arg: 'vertical' });
  assert.deepEqual(commandFor({ key: 'ç', code: 'KeyC', ctrlKey: true, altKey: true }), { cmd: 'copyStyle' });
  assert.deepEqual(commandFor({ key: '√', code: 'KeyV', metaKey: true, altKey: true }), { cmd: 'pasteStyle' });
  assert.deepEqual(c('v'), { cmd: 'tool', arg: 'select' }, 'without Shift, V is still the selection tool');
});

test('keyLabel', () => {
  assert.equal(keyLabel('Mod+Shift+Z', false), 'Ctrl+Shift+Z');
  assert.equal(keyLabel('Mod+Shift+Z', true), '⌘⇧Z');
  assert.equal(keyLabel('Delete', false), 'Delete');
  assert.ok(HELP.length > 10);
});

test('dragBox: any direction, Shift square, Alt from the centre', () => {
  assert.deepEqual(dragBox([10, 10], [-20, 30]), { x: -20, y: 10, w: 30, h: 20 });
  assert.deepEqual(dragBox([0, 0], [30, -10], { square: true }), { x: 0, y: -30, w: 30, h: 30 });
  assert.deepEqual(dragBox([50, 50], [60, 70], { fromCentre: true }), { x: 40, y: 30, w: 20, h: 40 });
});

test('snapAngle turns to 45° steps and keeps the length', () => {
  assert.deepEqual(snapAngle([0, 0], [100, 8]), [100.32, 0]);
  const [x, y] = snapAngle([0, 0], [70, 75]);
  assert.ok(Math.abs(x - y) < 0.02 && Math.abs(Math.hypot(x, y) - Math.hypot(70, 75)) < 0.02);
});

test('styleFields: only what the type uses, defaults left out', () => {
  const s = { ...DEFAULT_STYLE, fill: '#ffc9c9', fillStyle: 'hatch', dash: 'dashed' };
  assert.deepEqual(styleFields('rect', s), { opacity: 1, stroke: '#1e1e1e', width: 2, dash: 'dashed', fill: '#ffc9c9', fillStyle: 'hatch' });
  assert.deepEqual(styleFields('rect', DEFAULT_STYLE), { opacity: 1, stroke: '#1e1e1e', width: 2 });
  assert.deepEqual(styleFields('text', DEFAULT_STYLE), { opacity: 1, stroke: '#1e1e1e', size: 20 });
  assert.deepEqual(styleFields('arrow', { ...DEFAULT_STYLE, endArrow: 'none' }), { opacity: 1, stroke: '#1e1e1e', width: 2, endArrow: 'none' });
  assert.deepEqual(styleFields('line', DEFAULT_STYLE), { opacity: 1, stroke: '#1e1e1e', width: 2 }, 'lines have no head by default');
  assert.equal(styleFields('note', DEFAULT_STYLE).fill, '#fff3bf');
});

test('element builders', () => {
  const r = shapeElement('ellipse', { x: 1, y: 2, w: 3, h: 4 }, DEFAULT_STYLE, 'id1', 'a0');
  assert.deepEqual(r, { id: 'id1', type: 'ellipse', x: 1, y: 2, w: 3, h: 4, opacity: 1, stroke: '#1e1e1e', width: 2, z: 'a0' });
  const a = linearElement('arrow', [[10, 10], [0, 30]], DEFAULT_STYLE, 'id2', 'a1', { endBind: 'r1' });
  assert.equal(a.x, 0);
  assert.equal(a.y, 10);
  assert.deepEqual(a.points, [[10, 0], [0, 20]]);
  assert.equal(a.endBind, 'r1');
  assert.equal(a.startBind, undefined);
  const n = noteElement('n1', 100, 100, '#ffc9c9', DEFAULT_STYLE, 'a2');
  assert.equal(n.x, 0);
  assert.equal(n.fill, '#ffc9c9');
  const img = imageElement('i', 'sha256:x', 0, 0, 2000, 1000, 500, 'a3');
  assert.deepEqual([img.x, img.y, img.w, img.h], [-250, -125, 500, 250]);
});

test('wrapLines breaks at spaces and inside over-long words', () => {
  const measure = (s) => s.length * 10;
  assert.deepEqual(wrapLines('aaa bbb ccc', 75, measure), ['aaa bbb', 'ccc']);
  assert.deepEqual(wrapLines('abcdefghij', 40, measure), ['abcd', 'efgh', 'ij']);
  assert.deepEqual(wrapLines('a\n\nb', 100, measure), ['a', '', 'b']);
  assert.deepEqual(textBox('ab\nabcd', 20, measure), { w: 40, h: 50 });
  assert.equal(noteHeight('', 200, 20, 200, measure), 200);
  assert.equal(noteHeight('word '.repeat(100), 200, 20, 200, measure), Math.ceil(Math.ceil(100 / 3) * 25 + 24));
  assert.match(cssFont({ size: 12, font: 'mono' }), /^12px ui-monospace/);
});

test('style: common values, patches, which props apply', () => {
  const a = { id: 'a', type: 'rect', stroke: '#e03131' };
  const b = { id: 'b', type: 'arrow', stroke: '#e03131', width: 4 };
  const t = { id: 't', type: 'text', stroke: '#1e1e1e', locked: true };
  assert.equal(commonValue([a, b], 'stroke'), '#e03131');
  assert.equal(commonValue([a, b, t], 'stroke'), undefined);
  assert.equal(commonValue([a, b], 'width'), undefined);
  assert.equal(commonValue([a], 'fillStyle'), 'solid');
  assert.equal(commonValue([b], 'endArrow'), 'arrow');
  assert.deepEqual(styleOps([a, b, t], 'stroke', '#2f9e44'), [
    { o: 'patch', id: 'a', set: { stroke: '#2f9e44' } },
    { o: 'patch', id: 'b', set: { stroke: '#2f9e44' } },
  ]);
  assert.deepEqual(styleOps([b], 'endArrow', 'none'), [{ o: 'patch', id: 'b', set: { endArrow: 'none' } }]);
  assert.deepEqual(styleOps([{ ...a, fillStyle: 'none' }], 'fill', '#ffc9c9'), [{ o: 'patch', id: 'a', set: { fill: '#ffc9c9', fillStyle: '' } }]);
  assert.deepEqual(styleOps([a], 'stroke', '#e03131'), [], 'nothing to change');
  assert.deepEqual(propsFor(['text']), ['stroke', 'opacity', 'size', 'font', 'align']);
  assert.ok(propsFor(['rect', 'arrow']).includes('endArrow'));
  assert.equal(styleValue({ type: 'line' }, 'endArrow'), 'none');
});
