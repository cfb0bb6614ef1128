import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFile, rasterSize, mib, MAX_IMAGE } from '../js/images.js';
import { LaserTrails, LASER_FADE } from '../js/tools/laser.js';

test('checkFile refuses what is too big or empty, rasterises SVG, uploads the rest', () => {
  assert.deepEqual(checkFile({ name: 'a.png', type: 'image/png', size: 1000 }), { action: 'upload' });
  assert.deepEqual(checkFile({ name: 'a.txt', type: 'text/plain', size: 10 }), { action: 'upload' }, 'the server decides what is an image');
  assert.deepEqual(checkFile({ name: 'logo.svg', type: 'image/svg+xml', size: 10 }), { action: 'svg' });
  assert.deepEqual(checkFile({ name: 'LOGO.SVG', type: '', size: 10 }), { action: 'svg' });
  assert.deepEqual(checkFile({ name: 'huge.png', type: 'image/png', size: MAX_IMAGE + 1 }), { error: 'huge.png is 5.0 MiB; images can be at most 5.0 MiB.' });
  assert.deepEqual(checkFile({ name: '', type: 'image/png', size: 6 << 20 }), { error: 'The file is 6.0 MiB; images can be at most 5.0 MiB.' });
  assert.match(checkFile({ name: 'e.png', type: 'image/png', size: 0 }).error, /empty/);
  assert.equal(mib(1.5 * (1 << 20)), '1.5 MiB');
});

test('rasterSize keeps sizes, caps the longest side, defaults a missing one', () => {
  assert.deepEqual(rasterSize(300, 150), { w: 300, h: 150 });
  assert.deepEqual(rasterSize(8192, 2048), { w: 4096, h: 1024 });
  assert.deepEqual(rasterSize(0, 0), { w: 800, h: 600 });
});

test('laser trails fade and are forgotten', () => {
  const t = new LaserTrails();
  t.add('a', 1, 2, 0);
  t.add('a', 3, 4, 500);
  t.add('b', 5, 6, 100);
  assert.equal(t.prune(600), true);
  assert.equal(t.trails.get('a').length, 2);
  assert.equal(t.prune(LASER_FADE + 200), true, "a's second point is still fresh");
  assert.equal(t.trails.get('a').length, 1);
  assert.equal(t.trails.has('b'), false);
  t.forget('a');
  assert.equal(t.prune(0), false);
});
