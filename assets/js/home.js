// @ts-check
// The home page's list of boards this browser has opened, newest first. Titles are
// user text: they go in through textContent only.

import { browserStorage, loadBoards, forgetBoard } from './storage.js';

const storage = browserStorage();
const list = /** @type {HTMLElement} */ (document.getElementById('recent'));
const section = /** @type {HTMLElement} */ (document.getElementById('recent-section'));

const timeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const STEPS = /** @type {const} */ ([
  ['year', 365 * 24 * 3600e3],
  ['month', 30 * 24 * 3600e3],
  ['week', 7 * 24 * 3600e3],
  ['day', 24 * 3600e3],
  ['hour', 3600e3],
  ['minute', 60e3],
]);

/**
 * "3 hours ago", "yesterday", "just now".
 * @param {number} at ms since epoch
 */
function ago(at) {
  const diff = at - Date.now();
  for (const [unit, ms] of STEPS) {
    if (Math.abs(diff) >= ms) return timeFormat.format(Math.round(diff / ms), unit);
  }
  return 'just now';
}

function render() {
  const boards = loadBoards(storage);
  section.hidden = boards.length === 0;
  list.replaceChildren(
    ...boards.map((b) => {
      const li = document.createElement('li');
      li.className = 'recent-item';

      const link = document.createElement('a');
      link.href = `/${b.role === 'editor' ? 'b' : 'v'}/${encodeURIComponent(b.id)}`;
      link.className = 'recent-link';
      const title = document.createElement('span');
      title.className = 'recent-title';
      title.textContent = b.title || 'Untitled board';
      const meta = document.createElement('span');
      meta.className = 'recent-meta';
      meta.textContent = (b.role === 'viewer' ? 'View only · ' : '') + `opened ${ago(b.at)}`;
      link.append(title, meta);

      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'icon-button';
      remove.title = 'Remove from this list';
      remove.setAttribute('aria-label', `Remove ${title.textContent} from this list`);
      remove.textContent = '×';
      remove.addEventListener('click', () => {
        forgetBoard(storage, b.id);
        render();
      });

      li.append(link, remove);
      return li;
    }),
  );
}

render();
// Another tab may open or rename a board while this page is open.
window.addEventListener('storage', render);
