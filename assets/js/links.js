// @ts-check
// Replacing a leaked link, from the share panel: "Replace edit link…" or "Replace view
// link…", a confirm step that says what happens to the old link, then
// POST /b/{edit}/rotate (docs/protocol.md, "Replacing a link"). The page that asked
// moves to the new link without a reload; its own connection is kept (it names its
// session). A page on a link that was replaced hears `link_replaced` from the server
// and shows why it stopped, instead of reconnecting to a link that is gone.

/** @param {string} id @returns {any} */
const $ = (id) => document.getElementById(id);

/** What the confirm step says, per link. */
const CONFIRM = {
  edit: {
    title: 'Replace the edit link?',
    text: 'The current edit link stops working at once for everyone. Editors who use it are disconnected and have to ask you for the new one. The view link keeps working.',
    done: 'The edit link was replaced. Share the new one with the editors you trust.',
  },
  view: {
    title: 'Replace the view link?',
    text: 'The current view link stops working at once for everyone. Viewers who use it are disconnected and have to ask for the new one. The edit link keeps working.',
    done: 'The view link was replaced. Share the new one with your viewers.',
  },
};

/**
 * @typedef {{id: string, view: string}} Links the board's edit and view ids now
 * @param {{
 *   board: {id: string, role: string, viewId: string},
 *   sync: {sid: string, on: (type: string, fn: (m: any) => void) => void},
 *   toast: (msg: string) => void,
 *   moved: (links: Links) => void,
 *   replaced: () => number,
 * }} opts moved: the links were replaced from this page; replaced: this page's link was
 *   replaced elsewhere (stop everything), returning how many changes were not saved
 */
export function bindLinks({ board, sync, toast, moved, replaced }) {
  const confirmBox = $('replace-confirm');
  const go = /** @type {HTMLButtonElement} */ ($('replace-go'));
  /** @type {'edit' | 'view'} */
  let which = 'edit';
  let busy = false;

  /** @param {'edit' | 'view'} link */
  function ask(link) {
    which = link;
    $('replace-confirm-title').textContent = CONFIRM[link].title;
    $('replace-confirm-text').textContent = CONFIRM[link].text;
    go.textContent = link === 'edit' ? 'Replace edit link' : 'Replace view link';
    confirmBox.hidden = false;
    go.focus();
  }
  $('replace-edit').addEventListener('click', () => ask('edit'));
  $('replace-view').addEventListener('click', () => ask('view'));
  $('replace-cancel').addEventListener('click', () => (confirmBox.hidden = true));

  go.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    go.disabled = true;
    const link = which;
    try {
      const q = new URLSearchParams({ link, session: sync.sid || '' });
      const resp = await fetch(`/b/${encodeURIComponent(board.id)}/rotate?${q}`, { method: 'POST' });
      const body = await resp.json().catch(() => ({}));
      if (!resp.ok) throw new Error(body.error || `the server answered ${resp.status}`);
      confirmBox.hidden = true;
      $('edit-link').value = `${location.origin}/b/${body.id}`;
      $('view-link').value = `${location.origin}/v/${body.view}`;
      moved({ id: body.id, view: body.view });
      toast(CONFIRM[link].done);
    } catch (err) {
      toast(`The link was not replaced: ${/** @type {Error} */ (err).message}`);
    } finally {
      busy = false;
      go.disabled = false;
    }
  });

  sync.on('error', (m) => {
    // While this page replaces the link, its own socket may be closed too (it had
    // reconnected under another session id): it moves to the new link when the answer
    // comes.
    if (m.code !== 'link_replaced' || busy) return;
    document.body.dataset.linkReplaced = 'true';
    const unsaved = replaced();
    $('link-replaced-text').textContent = m.msg || 'An editor replaced this link; ask them for the new one.';
    const note = $('link-replaced-unsaved');
    note.hidden = unsaved === 0;
    note.textContent = unsaved === 1 ? 'A change you made just before was not saved.' : `${unsaved} changes you made just before were not saved.`;
    $('link-replaced').hidden = false;
    $('link-replaced').querySelector('a')?.focus();
  });
}
