import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  DEFAULT_PAGE, pageOf, pageOrder, onPage, pickPage, nextPageName, addPageOps, renamePageOps, movePageOps,
  deletePageOps, duplicatePageOps, pageFromHash, pageHash, pageName,
} from '../js/pages.js';
import { Doc } from '../js/doc.js';

// The fixture collab/board/pages_test.go applies too: the Go side accepts every batch
// made here and agrees on the order and on what each page holds.
const fx = JSON.parse(readFileSync(new URL('../../collab/board/testdata/pages/board.json', import.meta.url), 'utf8'));
const live = fx.elements.filter((e) => !e.deleted);
const ids = () => {
  let k = 0;
  return () => `q${++k}`;
};

test('page of an element: its page field, or the first page', () => {
  assert.equal(pageOf({ id: 'a', type: 'rect' }), DEFAULT_PAGE);
  assert.equal(pageOf({ id: 'a', type: 'rect', page: '' }), DEFAULT_PAGE);
  assert.equal(pageOf({ id: 'a', type: 'rect', page: 'p2' }), 'p2');
});

test('fixture: page order and what each page holds', () => {
  const pages = pageOrder(fx.elements);
  assert.deepEqual(pages.map((p) => p.id), fx.pageOrder);
  for (const p of pages) assert.deepEqual(onPage(live, p.id).map((e) => e.id).sort(), fx.onPage[p.id], p.id);
  assert.deepEqual(pages.map(pageName), ['Page 1', 'Plan', 'Ideas']);
});

test('fixture: the batches that add, move, delete and duplicate a page', () => {
  const pages = pageOrder(fx.elements);
  assert.deepEqual(addPageOps(pages, 'pN'), fx.add.ops);
  assert.deepEqual(movePageOps(pages, fx.move.page, fx.move.to), fx.move.ops);
  assert.deepEqual(deletePageOps(pages, fx.delete.page, live), fx.delete.ops);
  assert.deepEqual(duplicatePageOps(pages, fx.duplicate.page, live, ids()), fx.duplicate.ops);
});

test('a board without pages has its first page, implicit, before any other', () => {
  assert.deepEqual(pageOrder([]).map((p) => p.id), [DEFAULT_PAGE]);
  assert.deepEqual(pageOrder([{ id: 'x', type: 'page', z: 'A0' }]).map((p) => p.id), [DEFAULT_PAGE, 'x']);
  assert.deepEqual(pageOrder([{ id: DEFAULT_PAGE, type: 'page', z: 'a0', deleted: true }, { id: 'x', type: 'page', z: 'a1' }]).map((p) => p.id), ['x'], 'a deleted first page stays deleted');
});

test('adding after the implicit first page writes its element first', () => {
  const ops = addPageOps(pageOrder([]), 'p2');
  assert.equal(ops.length, 2);
  assert.deepEqual(ops[0], { o: 'put', el: { id: DEFAULT_PAGE, type: 'page', text: 'Page 1', z: 'a0' } });
  assert.equal(ops[1].el.text, 'Page 2');
  assert.ok(ops[1].el.z > 'a0');
});

test('rename: trimmed, limited, nothing for the same or an empty name', () => {
  const pages = pageOrder(fx.elements);
  assert.deepEqual(renamePageOps(pages, 'pA', '  Roadmap '), [{ o: 'patch', id: 'pA', set: { text: 'Roadmap' } }]);
  assert.deepEqual(renamePageOps(pages, 'pA', 'Plan'), []);
  assert.deepEqual(renamePageOps(pages, 'pA', '   '), []);
  assert.equal([...renamePageOps(pages, 'pA', 'é'.repeat(300))[0].set.text].length, 200);
  assert.equal(renamePageOps(pages, DEFAULT_PAGE, 'Intro')[0].o, 'put', 'the implicit page gets its element');
});

test('move: the page lands at the place asked, the others keep their order', () => {
  const pages = pageOrder(fx.elements);
  const apply = (ops) => {
    const m = new Map(fx.elements.map((e) => [e.id, e]));
    for (const op of ops) m.set(op.o === 'put' ? op.el.id : op.id, op.o === 'put' ? op.el : { ...m.get(op.id), ...op.set });
    return pageOrder(m.values()).map((p) => p.id);
  };
  assert.deepEqual(apply(movePageOps(pages, 'pB', 0)), ['pB', 'page1', 'pA']);
  assert.deepEqual(apply(movePageOps(pages, 'page1', 2)), ['pA', 'pB', 'page1']);
  assert.deepEqual(apply(movePageOps(pages, 'pA', 2)), ['page1', 'pB', 'pA']);
  assert.deepEqual(movePageOps(pages, 'pA', 1), [], 'already there');
  assert.deepEqual(movePageOps(pages, 'pA', 7), []);
});

test('delete: everything on the page goes in the same batch; the last page stays', () => {
  assert.deepEqual(deletePageOps(pageOrder([]), DEFAULT_PAGE, []), []);
  const ops = deletePageOps(pageOrder([{ id: 'p2', type: 'page', z: 'a1' }]), DEFAULT_PAGE, [{ id: 'r', type: 'rect' }]);
  assert.deepEqual(ops.map((o) => o.o), ['del', 'put', 'del'], 'the implicit page is written, then deleted');
});

test('duplicate: fresh ids, frames, groups and bindings point at the copies', () => {
  const pages = pageOrder(fx.elements);
  const ops = duplicatePageOps(pages, 'pB', live, ids());
  const copies = ops.slice(1).map((o) => o.el);
  const fresh = new Set(copies.map((e) => e.id));
  assert.equal(copies.length, fx.onPage.pB.length);
  for (const c of copies) {
    assert.equal(c.page, ops[0].el.id);
    assert.ok(!live.some((e) => e.id === c.id), 'a fresh id');
    for (const k of ['frame', 'startBind', 'endBind']) if (c[k]) assert.ok(fresh.has(c[k]), `${k} of ${c.id} points at a copy`);
  }
  assert.equal(new Set(copies.filter((c) => c.group).map((c) => c.group)).size, 1);
  assert.notEqual(copies.find((c) => c.group).group, 'g');
  // A frame left behind (on another page) is not pointed at.
  const odd = duplicatePageOps(pages, 'pA', [...live, { id: 'x', type: 'rect', page: 'pA', frame: 'f' }], ids());
  assert.equal(odd.at(-1).el.frame, undefined);
});

test('the doc shows the current page only, and finds elements on every page', () => {
  const doc = new Doc();
  doc.reset(fx.elements, 1);
  assert.deepEqual(doc.view().map((e) => e.id).sort(), fx.onPage.page1);
  doc.setPage('pB');
  assert.deepEqual(doc.view().map((e) => e.id).sort(), fx.onPage.pB);
  assert.equal(doc.get('s')?.id, 's', 'get reaches every page');
  assert.deepEqual(doc.pages().map((p) => p.id), fx.pageOrder);
});

test('pick page, next name, links', () => {
  const pages = pageOrder(fx.elements);
  assert.equal(pickPage(pages, 'pB'), 'pB');
  assert.equal(pickPage(pages, 'nope'), DEFAULT_PAGE);
  assert.equal(nextPageName(pages), 'Page 4');
  assert.equal(pageFromHash('#page=pB'), 'pB');
  assert.equal(pageFromHash('#page=pB&frame=f'), 'pB');
  assert.equal(pageFromHash('#frame=f&page=pB'), 'pB');
  assert.equal(pageFromHash('#frame=f'), '');
  assert.equal(pageFromHash('#page=a%20b'), '');
  assert.equal(pageHash('pB', 'f'), '#page=pB&frame=f');
});
