/**
 * The dataset as the model sees it, from the run's schema.json (mlops_ingest's SchemaDocument): each column of
 * the file, its role (label, feature, or dropped before profiling) and type, how it is encoded (a categorical
 * one becomes one 0/1 column per category, a numeric one is copied), its missing cells and what fills them,
 * and the encoded feature order, which is what the endpoint's request line must follow (docs/ENDPOINT.md). A
 * wide dataset stays readable: the table scrolls inside its box and a long category list opens on demand.
 */
import { escapeHtml as e, formatInt, formatNumber, formatPercent } from './format';
import type { SchemaDocument } from './types';

type Column = SchemaDocument['columns'][number];

/** Categories shown as chips before the rest are behind "… N more". */
const CATEGORY_PREVIEW = 12;

/** The endpoint's feature order: every feature column's encoded columns, in source column order (the label is not sent). */
export function encodedFeatureNames(schema: SchemaDocument): string[] {
  return schema.columns.filter((c) => c.role === 'feature').flatMap((c) => c.outputColumns);
}

/**
 * How many of a feature's cells were missing and what the channels have in their place: the column's mean
 * (its exact text, as the encoder writes it) or, for a categorical one, no category (every one-hot column 0).
 * Documents of earlier releases have no count; their fill follows from the type.
 */
export function missingOf(column: Column): { count?: number; fill?: string } {
  if (column.role !== 'feature') return {};
  const out: { count?: number; fill?: string } = {};
  if (column.missing) out.count = column.missing.count;
  const fill = column.missing?.fill ?? (column.type === 'categorical' ? 'no-category' : 'mean');
  if (fill === 'no-category') out.fill = 'all 0';
  else if (column.mean !== undefined) out.fill = String(column.mean);
  return out;
}

/**
 * Every column of the file in file order: the schema's columns, which are numbered anew after the ones the
 * upload dropped (mlops-drop), put back among the dropped ones at their place in the file.
 */
export function fileColumns(schema: SchemaDocument): ({ fileIndex: number; column: Column } | { fileIndex: number; dropped: string })[] {
  const dropped = schema.csv?.dropped ?? [];
  const droppedAt = new Set(dropped.map((d) => d.index));
  const kept = [...schema.columns].sort((a, b) => a.index - b.index);
  const out: ({ fileIndex: number; column: Column } | { fileIndex: number; dropped: string })[] = dropped.map((d) => ({ fileIndex: d.index, dropped: d.name }));
  let fileIndex = 0;
  for (const column of kept) {
    while (droppedAt.has(fileIndex)) fileIndex++;
    out.push({ fileIndex: fileIndex++, column });
  }
  return out.sort((a, b) => a.fileIndex - b.fileIndex);
}

function chips(items: readonly string[], cls = 'chip'): string {
  const chip = (text: string) => `<span class="${cls}">${e(text)}</span>`;
  if (items.length <= CATEGORY_PREVIEW) return items.map(chip).join('');
  return `${items.slice(0, CATEGORY_PREVIEW).map(chip).join('')}<details class="more"><summary>… ${formatInt(items.length - CATEGORY_PREVIEW)} more</summary>${items.slice(CATEGORY_PREVIEW).map(chip).join('')}</details>`;
}

/** 1-based positions in the request line: `4` or `1–3`. */
function positions(first: number, count: number): string {
  return count === 1 ? String(first) : `${first}–${first + count - 1}`;
}

function encoding(column: Column, schema: SchemaDocument): string {
  if (column.role === 'label') {
    const classes = schema.label.classes ?? column.categories;
    if (classes && classes.length > 0) {
      return `class index <span class="muted">(the channel's first value; the endpoint answers with it)</span><div>${chips(classes.map((c, i) => `${i} ${c}`))}</div>`;
    }
    return `the value, as is <span class="muted">(the channel's first value; not sent to the endpoint)</span>`;
  }
  if (column.type === 'categorical') {
    const categories = column.categories ?? [];
    return `one-hot over ${formatInt(categories.length)} categor${categories.length === 1 ? 'y' : 'ies'}<div>${chips(categories)}</div><div class="muted">→ ${chips(column.outputColumns, 'chip out')}</div>`;
  }
  return `the number, as is → <code>${e(column.outputColumns[0] ?? column.name)}</code>`;
}

function splitText(split: SchemaDocument['split']): string {
  // The ratios are weights (the stage's SPLIT_RATIOS is `70,15,15`): each channel's share is its part of their sum.
  const total = split.ratios.reduce((a, b) => a + b, 0);
  const ratios = split.ratios.map((r) => (total > 0 ? formatPercent(r / total).replace('.0%', '%') : '—')).join(' / ');
  const stratified = split.stratified && split.stratifiedBy ? `, stratified by <code>${e(split.stratifiedBy)}</code>` : '';
  return `train / validation / test ${e(ratios)}, seed ${e(split.seed)}${stratified}`;
}

export function featuresSection(schema: SchemaDocument | undefined): string {
  if (!schema) return '';
  const order = encodedFeatureNames(schema);
  const withCount = schema.columns.some((c) => missingOf(c).count !== undefined);
  // Request positions (1-based) of each feature column's encoded columns, in the schema's column order.
  const firstPosition = new Map<Column, number>();
  let next = 1;
  for (const column of schema.columns) {
    if (column.role !== 'feature') continue;
    firstPosition.set(column, next);
    next += column.outputColumns.length;
  }
  const countCell = (count: number | undefined) => (withCount ? `<td class="num">${count === undefined ? '—' : formatInt(count)}</td>` : '');
  const rows = fileColumns(schema).map((entry) => {
    if ('dropped' in entry) {
      const rest = `<td class="muted">—</td><td class="muted">dropped by the upload (mlops-drop) before profiling: not in the channels</td>${countCell(undefined)}<td class="num muted">—</td><td class="num muted">—</td>`;
      return `<tr data-column="${e(entry.dropped)}" data-column-role="dropped" class="dropped"><td class="num">${entry.fileIndex}</td><td><code>${e(entry.dropped)}</code></td><td><span class="role role-dropped">dropped</span></td>${rest}</tr>`;
    }
    const { column } = entry;
    const m = missingOf(column);
    const first = firstPosition.get(column);
    const inputs = first === undefined ? '<td class="num muted">—</td>' : `<td class="num">${positions(first, column.outputColumns.length)}</td>`;
    // The exact fill (what the channels and @mlops/predict write) on hover; shortened for reading.
    const fill =
      m.fill === undefined
        ? '<td class="num muted">—</td>'
        : `<td class="num fill" title="${e(m.fill)}">${e(m.fill.trim() !== '' && Number.isFinite(Number(m.fill)) ? formatNumber(Number(m.fill), 6) : m.fill)}</td>`;
    return `<tr data-column="${e(column.name)}" data-column-role="${e(column.role)}"><td class="num">${entry.fileIndex}</td><td><code>${e(column.name)}</code></td><td><span class="role role-${e(column.role)}">${e(column.role)}</span></td><td>${e(column.type)}</td><td class="encoding">${encoding(column, schema)}</td>${countCell(m.count)}${fill}${inputs}</tr>`;
  });
  const mismatch =
    order.length === schema.featureCount
      ? ''
      : `<p class="bad">schema.json says ${formatInt(schema.featureCount)} features, but its feature columns encode to ${formatInt(order.length)}.</p>`;
  const naValues = schema.csv ? ` Missing: an empty cell${schema.csv.naValues.length > 0 ? ` or ${schema.csv.naValues.map((v) => `<code>${e(v)}</code>`).join(', ')} (any case)` : ''}.` : '';
  const dropped = schema.csv?.dropped.length ?? 0;
  const head = `<th class="num">File column</th><th>Column</th><th>Role</th><th>Type</th><th>Encoding</th>${withCount ? '<th class="num">Missing</th>' : ''}<th class="num">Missing cell →</th><th class="num">Request position</th>`;
  return `<section id="features"><h2>Features and encodings <span class="muted" style="font-weight:400;font-size:13px">${formatInt(schema.columns.length)} source columns${dropped > 0 ? ` (and ${formatInt(dropped)} dropped)` : ''} → ${formatInt(order.length)} model features, from the run's schema.json</span></h2>
<p class="muted">Split: ${splitText(schema.split)}. Label: <code>${e(schema.label.name)}</code> (${e(schema.label.problemType)}).${naValues}</p>
<div class="vscroll"><table class="features"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>
${mismatch}<h3 style="margin-top:14px">Encoded feature order <span class="muted" style="text-transform:none;letter-spacing:0">what the endpoint expects in each request line (text/csv, no label)</span></h3>
<pre class="feature-order" data-count="${order.length}">${e(order.join(','))}</pre>
</section>`;
}
