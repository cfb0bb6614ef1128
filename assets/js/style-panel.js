// @ts-check
// The style panel on the left: stroke colour, background, fill style, width, dash,
// opacity, font size and family, alignment, sharp or round lines, arrowheads; and, for a
// selection, layer order and actions. It shows what applies to the selection (or to what
// the current tool draws). A pick changes the selected elements and the style of the
// next ones.

import { STROKE_COLORS, FILL_COLORS, NOTE_COLORS, WIDTHS, SIZES, COLOR_NAMES, propsFor, commonValue, styleOps, TOOL_TYPES } from './style.js';
import { fitText } from './text-edit.js';
import { HEX6 } from './elements.js';
import { icon, sketch } from './icons.js';
import { keyHint } from './editor.js';
import { closeOnBoardTouch } from './dismiss.js';

/** @typedef {import('./editor.js').Editor} Editor */
/** @typedef {import('./doc.js').Element} Element */
/** @typedef {import('./shapes.js').Style} Style */
/** @typedef {keyof Style | 'noteFill'} Prop */

/**
 * @param {string} tag @param {string} [className] @param {string} [text]
 */
function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * A button of a choice row.
 * @param {string} label @param {Record<string, string>} data @param {Node | null} [content]
 */
function choice(label, data, content = null) {
  const b = /** @type {HTMLButtonElement} */ (el('button', 'choice'));
  b.type = 'button';
  b.title = label;
  b.setAttribute('aria-label', label);
  b.setAttribute('aria-pressed', 'false');
  for (const [k, v] of Object.entries(data)) b.dataset[k] = v;
  if (content) b.append(content);
  return b;
}

/** @param {string} c */
const swatchName = (c) => COLOR_NAMES[c] ?? c;

/**
 * Builds the panel into #board and keeps it in step with the editor.
 * @param {Editor} ed
 * @param {Record<string, any>} state the page's state object; its color and width follow the style (for tests)
 */
export function bindStylePanel(ed, state) {
  const panel = el('aside', 'style-panel panel editor-only');
  panel.id = 'style-panel';
  panel.setAttribute('aria-label', 'Style');
  panel.hidden = true;
  /** @type {Map<Prop, HTMLElement>} */
  const rows = new Map();

  /**
   * @param {Prop} prop @param {string} title @param {HTMLElement[]} items
   */
  function row(prop, title, items) {
    const r = el('div', 'style-row');
    r.dataset.prop = prop;
    const h = el('span', 'style-label', title);
    const group = el('div', 'choices');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', title);
    group.append(...items);
    r.append(h, group);
    rows.set(prop, r);
    return r;
  }

  /**
   * Colour swatches and a custom colour input (which only ever gives #rrggbb).
   * @param {Prop} prop @param {string[]} colors @param {string} attr @param {boolean} transparent
   */
  function colorRow(prop, colors, attr, transparent) {
    const items = colors.map((c) => {
      const b = choice(swatchName(c), { [attr]: c });
      b.classList.add('swatch');
      b.style.setProperty('--swatch', c);
      return b;
    });
    if (transparent) {
      const none = choice('Transparent', { [attr]: '' });
      none.classList.add('swatch', 'transparent');
      items.unshift(none);
    }
    const custom = /** @type {HTMLInputElement} */ (el('input', 'custom-color'));
    custom.type = 'color';
    custom.title = 'Custom colour';
    custom.setAttribute('aria-label', 'Custom colour');
    custom.dataset.prop = prop;
    const label = el('label', 'custom');
    label.title = 'Custom colour';
    label.append(custom);
    items.push(label);
    return items;
  }

  const dash = (/** @type {string} */ d) => sketch(['M3 12h18'], { 'stroke-dasharray': d === 'dashed' ? '5 3.5' : d === 'dotted' ? '0.1 4' : 'none' });
  const head = (/** @type {string} */ kind, /** @type {boolean} */ start) => {
    const tip = start ? 'M4 12' : 'M20 12';
    const paths = [start ? 'M4 12h16' : 'M4 12h16'];
    const x = start ? 4 : 20;
    const s = start ? 1 : -1;
    if (kind === 'arrow') paths.push(`M${x + s * 6} 7l${-s * 6} 5 ${s * 6} 5`);
    if (kind === 'triangle') paths.push(`M${x} 12l${s * 7} -5v10z`);
    if (kind === 'dot') paths.push(`${tip}m-0.01 0a2.6 2.6 0 1 0 0.02 0`);
    if (kind === 'bar') paths.push(`M${x} 6v12`);
    const svg = sketch(paths);
    if (kind === 'triangle' || kind === 'dot') svg.lastElementChild?.setAttribute('class', 'filled');
    return svg;
  };
  const HEADS = ['none', 'arrow', 'triangle', 'dot', 'bar'];
  const FONT_NAMES = { sans: 'Sans', serif: 'Serif', mono: 'Mono', hand: 'Hand' };

  panel.append(
    row('stroke', 'Stroke', colorRow('stroke', STROKE_COLORS, 'color', false)),
    row('fill', 'Background', colorRow('fill', FILL_COLORS, 'fill', true)),
    row('noteFill', 'Note colour', colorRow('noteFill', NOTE_COLORS, 'noteFill', false)),
    row('fillStyle', 'Fill', [
      choice('Solid', { fillStyle: 'solid' }, sketch(['M5 5h14v14H5z'], { class: 'filled' })),
      choice('Hatch', { fillStyle: 'hatch' }, sketch(['M5 5h14v14H5z', 'M5 13l8-8M5 19L19 5M11 19l8-8'])),
    ]),
    row('width', 'Stroke width', WIDTHS.map((w) => choice(`${w} px`, { width: String(w) }, sketch(['M4 12h16'], { 'stroke-width': String(Math.min(w, 6) + 0.5) })))),
    row('dash', 'Stroke style', ['solid', 'dashed', 'dotted'].map((d) => choice(d[0].toUpperCase() + d.slice(1), { dash: d }, dash(d)))),
    row('size', 'Font size', SIZES.map((s, i) => choice(`${s} px`, { size: String(s) }, el('span', 'size-label', ['S', 'M', 'L', 'XL'][i])))),
    row('font', 'Font', Object.entries(FONT_NAMES).map(([f, name]) => {
      const b = choice(name, { font: f }, el('span', `font-sample font-${f}`, 'Aa'));
      return b;
    })),
    row('align', 'Align', ['left', 'center', 'right'].map((a) => choice(`Align ${a}`, { align: a }, icon(`align${a[0].toUpperCase()}${a.slice(1)}`)))),
    row('curve', 'Corners', [
      choice('Sharp', { curve: 'sharp' }, sketch(['M4 17l5-9 6 8 5-9'])),
      choice('Round', { curve: 'round' }, sketch(['M4 17C6 5 9 7 12 12s6 7 8-5'])),
    ]),
    row('startArrow', 'Start', HEADS.map((k) => choice(`Start: ${k}`, { startArrow: k }, head(k, true)))),
    row('endArrow', 'End', HEADS.map((k) => choice(`End: ${k}`, { endArrow: k }, head(k, false)))),
  );

  const opacity = /** @type {HTMLInputElement} */ (el('input', 'opacity'));
  opacity.type = 'range';
  opacity.min = '0';
  opacity.max = '100';
  opacity.step = '5';
  opacity.setAttribute('aria-label', 'Opacity');
  const opacityValue = el('output', 'opacity-value');
  const opRow = row('opacity', 'Opacity', [opacity, opacityValue]);
  panel.append(opRow);

  // Layers and actions, for a selection.
  /** @param {string} name @param {string} label @param {string} cmd @param {any} [arg] @param {string} [keys] */
  const action = (name, label, cmd, arg, keys) => {
    const b = choice(keys ? `${label} — ${keyHint(keys)}` : label, { cmd, ...(arg ? { arg } : {}) }, icon(name));
    b.removeAttribute('aria-pressed');
    b.setAttribute('aria-label', label);
    return b;
  };
  const layers = row('layers', 'Layers', [
    action('back', 'Send to back', 'zorder', 'back', 'Mod+Shift+['),
    action('backward', 'Send backward', 'zorder', 'backward', 'Mod+['),
    action('forward', 'Bring forward', 'zorder', 'forward', 'Mod+]'),
    action('front', 'Bring to front', 'zorder', 'front', 'Mod+Shift+]'),
  ]);
  const groupButton = action('group', 'Group', 'group', undefined, 'Mod+G');
  const lockButton = action('lock', 'Lock', 'lock', undefined, 'Mod+Shift+L');
  const actions = row('actions', 'Actions', [
    action('copy', 'Duplicate', 'duplicate', undefined, 'Mod+D'),
    action('trash', 'Delete', 'delete', undefined, 'Delete'),
    groupButton,
    lockButton,
  ]);
  panel.append(layers, actions);
  // Right after the tool bar: before the profile popover's colour buttons in the page's
  // order, so the first button of a colour is the one people see.
  /** @type {HTMLElement} */ (document.querySelector('.toolbar')).after(panel);

  // On phones (draw.css) the panel would cover a third of the board and its swatches
  // would be too small for a finger: it folds behind a button showing the colour, and
  // opens over the board when tapped, as the style menus of tldraw and Excalidraw do on
  // phones. A touch on the board closes it (and only closes it).
  const toggle = /** @type {HTMLButtonElement} */ (el('button', 'style-toggle panel editor-only'));
  toggle.type = 'button';
  toggle.id = 'style-toggle';
  toggle.title = 'Style';
  toggle.setAttribute('aria-label', 'Style');
  toggle.setAttribute('aria-controls', panel.id);
  toggle.setAttribute('aria-expanded', 'false');
  const dot = el('span', 'style-dot');
  toggle.append(dot);
  panel.before(toggle);
  const unfold = (/** @type {boolean} */ on) => {
    panel.classList.toggle('open', on);
    toggle.setAttribute('aria-expanded', String(on));
  };
  toggle.addEventListener('click', () => unfold(!panel.classList.contains('open')));
  const board = document.getElementById('live');
  if (board) closeOnBoardTouch(board, () => panel.classList.contains('open') && toggle.getClientRects().length > 0, () => unfold(false));
  window.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') unfold(false);
  });

  /** What the panel is about: the selection, or what the tool will draw. */
  function subject() {
    const sel = ed.selected();
    if (sel.length) return { sel, types: [...new Set(sel.map((e) => e.type))] };
    const types = TOOL_TYPES[ed.tool];
    return types ? { sel, types } : null;
  }

  /** The style the current tool draws with, as the panel shows it. */
  function toolValue(/** @type {Prop} */ prop) {
    if (prop === 'noteFill') return ed.noteColor;
    if (prop === 'size' && ed.tool === 'note') return ed.noteSize;
    if (ed.tool === 'highlighter' && (prop === 'stroke' || prop === 'width' || prop === 'opacity')) return ed.highlight[prop];
    return ed.style[/** @type {keyof Style} */ (prop)];
  }

  /** Marks the panel's controls with the current values. */
  function render() {
    const s = subject();
    panel.hidden = !s || !!ed.editingId;
    toggle.hidden = panel.hidden;
    if (panel.hidden) unfold(false);
    if (!s) return;
    const notes = s.types.includes('note');
    const props = new Set(/** @type {Prop[]} */ (propsFor(s.types)));
    if (notes) props.add('noteFill');
    // A note's fill is its card colour, shown in its own row; notes alone have no "Background".
    if (notes && !s.types.some((t) => t === 'rect' || t === 'ellipse' || t === 'diamond')) props.delete('fill');
    if (ed.tool === 'highlighter' && !s.sel.length) props.delete('opacity');
    // A fill style means nothing without a fill colour.
    const fill = s.sel.length ? commonValue(s.sel, 'fill') : ed.style.fill;
    if (fill === '') props.delete('fillStyle');
    const locked = s.sel.length > 0 && s.sel.every((e) => e.locked);
    let shown = '';
    for (const [prop, r] of rows) {
      if (prop === 'layers' || prop === 'actions') {
        r.hidden = !s.sel.length;
        continue;
      }
      r.hidden = !props.has(prop) || locked;
      if (r.hidden) continue;
      /** @type {any} */
      let value;
      if (s.sel.length) {
        value = prop === 'noteFill' ? commonValue(s.sel.filter((e) => e.type === 'note'), 'fill') : commonValue(s.sel, /** @type {keyof Style} */ (prop));
      } else value = toolValue(prop);
      for (const b of r.querySelectorAll('button')) {
        const attr = Object.values(b.dataset)[0];
        b.setAttribute('aria-pressed', String(attr === String(value ?? '\u0000')));
      }
      const custom = /** @type {HTMLInputElement | null} */ (r.querySelector('input[type=color]'));
      if (custom && typeof value === 'string' && HEX6.test(value)) {
        custom.value = value.toLowerCase();
        const known = r.querySelector(`button[aria-pressed="true"]`);
        custom.parentElement?.classList.toggle('on', !known);
      }
      // The phone's style button shows the colour of the first colour row shown.
      if ((prop === 'stroke' || prop === 'noteFill') && !shown) shown = typeof value === 'string' && value ? value : 'transparent';
      if (prop === 'opacity') {
        const pct = value === undefined ? '' : String(Math.round(value * 100));
        if (document.activeElement !== opacity && pct) opacity.value = pct;
        opacityValue.textContent = pct ? `${pct}%` : 'mixed';
      }
    }
    dot.style.setProperty('--swatch', shown || 'transparent');
    // The first row shown has no rule above it.
    let first = true;
    for (const r of rows.values()) {
      r.classList.toggle('first', first && !r.hidden);
      if (!r.hidden) first = false;
    }
    const grouped = s.sel.some((e) => e.group);
    groupButton.replaceChildren(icon(grouped ? 'ungroup' : 'group'));
    groupButton.dataset.cmd = grouped ? 'ungroup' : 'group';
    groupButton.title = grouped ? `Ungroup — ${keyHint('Mod+Shift+G')}` : `Group — ${keyHint('Mod+G')}`;
    groupButton.setAttribute('aria-label', grouped ? 'Ungroup' : 'Group');
    groupButton.hidden = !grouped && s.sel.length < 2;
    lockButton.replaceChildren(icon(locked ? 'unlock' : 'lock'));
    lockButton.title = locked ? `Unlock — ${keyHint('Mod+Shift+L')}` : `Lock — ${keyHint('Mod+Shift+L')}`;
    lockButton.setAttribute('aria-label', locked ? 'Unlock' : 'Lock');
    for (const b of actions.querySelectorAll('button')) if (b !== lockButton) /** @type {HTMLButtonElement} */ (b).disabled = locked;
    for (const b of layers.querySelectorAll('button')) /** @type {HTMLButtonElement} */ (b).disabled = locked;
    state.color = ed.style.stroke;
    state.width = ed.style.width;
  }

  /**
   * The ops that set prop on the selected elements; text re-measured for font changes.
   * @param {Prop} prop @param {any} value
   */
  function opsFor(prop, value) {
    const sel = ed.movable();
    if (prop === 'noteFill') return styleOps(sel.filter((e) => e.type === 'note'), 'fill', value);
    const ops = styleOps(sel.filter((e) => prop !== 'fill' || e.type !== 'note'), prop, value);
    if (prop === 'size' || prop === 'font') {
      for (const op of ops) {
        const cur = ed.get(op.id);
        if (cur && (cur.type === 'text' || cur.type === 'note')) {
          const next = { ...cur, ...op.set };
          const fit = fitText(next, next.text ?? '');
          delete fit.text;
          Object.assign(op.set, fit);
        }
      }
    }
    return ops;
  }

  /**
   * Sets prop to value for the next elements (and for the selection).
   * @param {Prop} prop @param {any} value
   * @param {import('./editor.js').Gesture | null} [gesture] for sliders and the colour picker: shown at once, one undo step
   */
  function pick(prop, value, gesture = null) {
    const sel = ed.selected();
    if (prop === 'noteFill') ed.noteColor = value;
    else if (prop === 'size' && (ed.tool === 'note' || sel.some((e) => e.type === 'note'))) {
      ed.noteSize = value;
      if (sel.some((e) => e.type === 'text')) ed.style.size = value;
    } else if (ed.tool === 'highlighter' && !ed.selection.size && (prop === 'stroke' || prop === 'width' || prop === 'opacity')) ed.highlight[prop] = value;
    else {
      /** @type {any} */ (ed.style)[prop] = value;
      if (prop === 'fill' && value && ed.style.fillStyle === 'none') ed.style.fillStyle = 'solid';
      if (prop === 'fill' && !value) ed.style.fillStyle = 'none';
      if (prop === 'fillStyle' && !ed.style.fill) ed.style.fill = FILL_COLORS[0];
      // Notes picked while a note is selected carry the same card colour next time.
      if (prop === 'fill' && sel.some((e) => e.type === 'note')) ed.noteColor = value || ed.noteColor;
    }
    const ops = ed.selection.size ? opsFor(prop, value) : [];
    if (gesture) gesture.update(ops);
    else if (ops.length) ed.commit(ops);
    ed.changed();
  }

  panel.addEventListener('click', (e) => {
    const b = e.target instanceof Element ? e.target.closest('button') : null;
    if (!(b instanceof HTMLElement)) return;
    const d = b.dataset;
    if (d.cmd) {
      ed.run(d.cmd, d.arg);
      return;
    }
    if (d.color !== undefined) pick('stroke', d.color);
    else if (d.fill !== undefined) pick('fill', d.fill);
    else if (d.noteFill !== undefined) pick('noteFill', d.noteFill);
    else if (d.fillStyle) pick('fillStyle', d.fillStyle);
    else if (d.width) pick('width', Number(d.width));
    else if (d.dash) pick('dash', d.dash);
    else if (d.size) pick('size', Number(d.size));
    else if (d.font) pick('font', d.font);
    else if (d.align) pick('align', d.align);
    else if (d.startArrow) pick('startArrow', d.startArrow);
    else if (d.endArrow) pick('endArrow', d.endArrow);
    else if (d.curve) pick('curve', d.curve);
  });

  // The colour picker and the opacity slider report every step while they move: one
  // gesture from the first step to the change that ends it.
  /** @type {import('./editor.js').Gesture | null} */
  let sliding = null;
  const slide = () => (sliding ??= ed.selection.size ? ed.gesture() : null);
  const done = () => {
    sliding?.end();
    sliding = null;
  };
  panel.addEventListener('input', (e) => {
    const t = e.target;
    if (!(t instanceof HTMLInputElement)) return;
    if (t === opacity) pick('opacity', Number(t.value) / 100, slide());
    else if (t.type === 'color' && HEX6.test(t.value)) pick(/** @type {Prop} */ (t.dataset.prop), t.value.toLowerCase(), slide());
  });
  panel.addEventListener('change', done);
  // Keys pressed on the panel's controls (arrows on the slider) are theirs, not the board's.
  panel.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement) e.stopPropagation();
  });

  let scheduled = false;
  const later = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      render();
    });
  };
  ed.subscribe(render);
  // Others may restyle what we have selected.
  ed.doc.subscribe(() => ed.selection.size && later());
  render();
}
