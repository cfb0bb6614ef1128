import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandFor, TOOLS, HELP } from '../js/shortcuts.js';

test('M is the highlighter and Shift+M mutes: one key, one meaning', () => {
  assert.deepEqual(commandFor({ key: 'm', code: 'KeyM' }), { cmd: 'tool', arg: 'highlighter' });
  assert.deepEqual(commandFor({ key: 'M', code: 'KeyM', shiftKey: true }), { cmd: 'mute' });
  assert.deepEqual(TOOLS.find((t) => t.id === 'highlighter')?.keys, ['m']);
  const mute = HELP.find(([, label]) => /mute/i.test(label));
  assert.deepEqual(mute?.[2], ['Shift+M'], 'the help panel names the mute key');
});

test('no tool key is also a command in the help panel', () => {
  const toolKeys = new Set(TOOLS.flatMap((t) => t.keys.map((k) => k.toUpperCase())));
  for (const [, label, combos] of HELP) {
    for (const c of combos) assert.ok(!toolKeys.has(c.toUpperCase()), `${c} (${label}) is also a tool's key`);
  }
});
