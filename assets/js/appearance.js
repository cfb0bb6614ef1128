// @ts-check
// How the page looks on this screen: the colour theme (the system's, light or dark;
// theme.js applies it before the first paint), this browser's for every page. Fills every
// [data-theme-switch] on the page. (A board's canvas colour is the board's, for everyone
// on it: canvasswitch.js.)

/** @type {{choice: () => string, set: (c: string) => void} | undefined} */
const theme = /** @type {any} */ (window).tabulaTheme;

const THEMES = [
  ['system', 'System'],
  ['light', 'Light'],
  ['dark', 'Dark'],
];

/**
 * A row of radio buttons that read as one segmented control; `attr` names a data
 * attribute each option's label carries with its value (for its swatch).
 * @param {string} name @param {string} label @param {string[][]} options [value, text]
 * @param {string} current @param {(v: string) => void} pick @param {string} [attr]
 */
export function segmented(name, label, options, current, pick, attr) {
  const set = document.createElement('fieldset');
  set.className = 'segmented appearance-choice';
  const legend = document.createElement('legend');
  legend.textContent = label;
  set.append(legend);
  for (const [value, text] of options) {
    const l = document.createElement('label');
    if (attr) l.dataset[attr] = value;
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = name;
    input.value = value;
    input.checked = value === current;
    input.addEventListener('change', () => input.checked && pick(value));
    l.append(input, ` ${text}`);
    set.append(l);
  }
  return set;
}

for (const box of document.querySelectorAll('[data-theme-switch]')) {
  box.append(segmented('theme', 'Theme', THEMES, theme?.choice() ?? 'system', (c) => theme?.set(c)));
}
