// @ts-check
// Export: the address of a download and the name to save it under. No DOM here, so
// node tests can run it; boardmenu.js wires it to the Export panel.

/** @typedef {'png' | 'svg' | 'pdf' | 'json'} Format */
/**
 * @typedef {{
 *   format: Format, background?: boolean, theme?: 'light' | 'dark', scale?: number,
 *   ids?: string[], at?: number, frame?: string, frames?: boolean, page?: string
 * }} ExportOptions
 * frame: only that frame, at its size; frames: every frame, one PDF page each; page: the
 * page to export (images; a board file holds every page, and a deck every page's frames).
 */

export const FORMATS = /** @type {const} */ (['png', 'svg', 'pdf', 'json']);

/**
 * The export address for a board: `/b/{id}` or `/v/{id}` then `/export.{format}` with
 * only the options that differ from the server's defaults.
 * @param {string} boardPath e.g. "/b/abc"
 * @param {ExportOptions} o
 */
export function exportURL(boardPath, o) {
  const q = new URLSearchParams();
  if (o.format !== 'json') {
    if (o.background === false) q.set('background', 'off');
    if (o.theme === 'dark') q.set('theme', 'dark');
    if (o.format === 'png' && o.scale && o.scale !== 1) q.set('scale', String(Math.min(4, Math.max(1, o.scale))));
  }
  if (o.page && o.format !== 'json' && !o.frames) q.set('page', o.page);
  if (o.frames) q.set('frames', 'all');
  else if (o.frame) q.set('frame', o.frame);
  else if (o.ids?.length) q.set('ids', o.ids.join(','));
  if (o.at) q.set('at', String(o.at));
  const s = q.toString();
  return `${boardPath}/export.${o.format}${s ? `?${s}` : ''}`;
}

/**
 * The file name of a download: "{board title}-{date}.{ext}", with characters that file
 * systems refuse replaced, and "-v{seq}" for a version from history.
 * @param {string} title @param {Date} date @param {string} ext @param {number} [at]
 */
export function fileName(title, date, ext, at) {
  let name = title
    .replace(/[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g, '')
    .replace(/[/\\:*?"<>|]/g, '-')
    .trim()
    .replace(/^[. ]+|[. ]+$/g, '');
  if (!name) name = 'board';
  name = [...name].slice(0, 80).join('');
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return `${name}-${day}${at ? `-v${at}` : ''}.${ext}`;
}
