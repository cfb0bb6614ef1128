// How long a browser's document model takes to apply a broadcast that moves one
// rectangle, against one that moves a frame holding 500 rectangles (the frame rule moves
// them with it, doc.js carry), and to rebuild the view after it. No DOM: run with node.
//
//	node bench/js/framemove.mjs
import { Doc } from '../../assets/js/doc.js';

const MEMBERS = 500;
const MOVES = 2000;

const doc = new Doc();
const els = [
  { id: 'frame', type: 'frame', x: 0, y: 0, w: 5000, h: 5000, z: 'a0', text: 'Deck' },
  { id: 'alone', type: 'rect', x: 6000, y: 0, w: 100, h: 80, z: 'c0', stroke: '#1e1e1e' },
];
for (let i = 0; i < MEMBERS; i++) {
  els.push({
    id: 'm' + String(i).padStart(3, '0'), type: 'rect', x: (i % 25) * 200, y: Math.floor(i / 25) * 200,
    w: 14, h: 12, z: 'b' + String(i).padStart(3, '0'), frame: 'frame', stroke: '#1e1e1e', width: 2, v: 1, by: 'x', at: 1,
  });
}
doc.reset(els, 1);
doc.view();
let seq = 1;

/** Mean ms per move of element id: applying the broadcast, and building the view after. */
function run(id) {
  let apply = 0;
  let build = 0;
  for (let i = 0; i < MOVES; i++) {
    seq++;
    const t0 = performance.now();
    doc.applyBroadcast({ t: 'ops', seq, by: 'a', at: seq, ops: [{ o: 'patch', id, set: { x: (i % 2) * 10 }, v: seq }] });
    const t1 = performance.now();
    doc.view();
    build += performance.now() - t1;
    apply += t1 - t0;
  }
  return `apply ${(apply / MOVES).toFixed(3)} ms, view ${(build / MOVES).toFixed(3)} ms`;
}

for (let r = 0; r < 5; r++) {
  console.log(`single: ${run('alone')}; frame of ${MEMBERS}: ${run('frame')}`);
}
if (doc.get('m024').x !== 24 * 200 + doc.get('frame').x) throw new Error('m024 did not follow its frame');
