// @ts-check
// The home page's "Open file…" button and drop target: a Tabula JSON export or an
// .excalidraw file becomes a new board (POST /import), which then opens.

const input = /** @type {HTMLInputElement} */ (document.getElementById('open-file-input'));
const button = /** @type {HTMLButtonElement} */ (document.getElementById('open-file'));
const status = /** @type {HTMLElement} */ (document.getElementById('import-status'));

/** @param {string} msg */
function say(msg) {
  status.textContent = msg;
  status.hidden = !msg;
}

/**
 * Sends the file to the server and opens the board it makes.
 * @param {File} file
 */
async function open(file) {
  say(`Opening ${file.name}…`);
  try {
    const resp = await fetch('/import', { method: 'POST', body: file, headers: { 'Content-Type': 'application/octet-stream' } });
    const body = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(body.error || `the server answered ${resp.status}`);
    location.href = body.url;
  } catch (err) {
    say(`${file.name} could not be opened: ${/** @type {Error} */ (err).message}`);
  }
}

button.addEventListener('click', () => input.click());
input.addEventListener('change', () => {
  if (input.files?.[0]) open(input.files[0]);
  input.value = '';
});

// Dropping a file anywhere on the page opens it.
let depth = 0;
const files = (/** @type {DragEvent} */ e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
document.addEventListener('dragenter', (e) => {
  if (!files(e)) return;
  depth++;
  document.body.classList.add('dropping');
});
document.addEventListener('dragleave', () => {
  depth = Math.max(0, depth - 1);
  if (!depth) document.body.classList.remove('dropping');
});
document.addEventListener('dragover', (e) => {
  if (files(e)) e.preventDefault();
});
document.addEventListener('drop', (e) => {
  if (!files(e)) return;
  e.preventDefault();
  depth = 0;
  document.body.classList.remove('dropping');
  const file = e.dataTransfer?.files[0];
  if (file) open(file);
});
