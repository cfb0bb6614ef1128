// @ts-check
// The home page's list of boards this browser has opened, newest first, each with how
// many people are on it now (one counts stream for the whole list). Titles are user
// text: they go in through textContent only.

import { browserStorage, loadBoards, forgetBoard } from './storage.js';
import { countIds, countLabel } from './presence.js';

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

/** People on each board by id, from the counts stream. @type {Record<string, number>} */
let counts = {};

/** Shows the current count in every badge. */
function showCounts() {
  for (const badge of list.querySelectorAll('.here')) {
    if (!(badge instanceof HTMLElement)) continue;
    const n = counts[badge.dataset.id ?? ''];
    const label = countLabel(n);
    badge.textContent = label;
    badge.hidden = !label;
    badge.title = label ? `${n === 1 ? '1 person is' : `${n} people are`} on this board now` : '';
  }
}

/** @type {EventSource | null} */
let stream = null;
let watched = '';

/**
 * Watches the listed boards' counts with one stream, reopened only when the list of ids
 * changes. The server sends the counts at once, then whenever one changes.
 * @param {string[]} ids
 */
function watchCounts(ids) {
  const key = ids.join(',');
  if (key === watched) return;
  watched = key;
  stream?.close();
  stream = null;
  if (!ids.length) return;
  stream = new EventSource(`/presence?ids=${ids.map(encodeURIComponent).join(',')}`);
  stream.addEventListener('counts', (e) => {
    try {
      const data = JSON.parse(/** @type {MessageEvent} */ (e).data);
      if (data && typeof data === 'object') counts = data;
    } catch {
      return;
    }
    showCounts();
  });
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
      // A picture of the board, drawn by the server and cached until the board changes.
      const thumb = document.createElement('img');
      thumb.className = 'recent-thumb';
      thumb.alt = '';
      thumb.loading = 'lazy';
      thumb.src = `${link.pathname}/thumb.png`;
      thumb.addEventListener('error', () => thumb.remove());
      link.append(thumb, title, meta);

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

      const here = document.createElement('span');
      here.className = 'here';
      here.dataset.id = b.id;
      here.hidden = true;

      li.append(link, here, remove);
      return li;
    }),
  );
  showCounts();
  watchCounts(countIds(boards));
}

render();
// Another tab may open or rename a board while this page is open.
window.addEventListener('storage', render);
