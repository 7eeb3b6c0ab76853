/**
 * Rows of named values (a request line sent to the endpoint, a row of the data) that stay readable at any
 * width. A 200-column row printed whole is a wall of numbers nobody can map back to a column, so a row shows
 * its first few values with their column names, then "… N more", which opens the whole row as a table with
 * the column names that scrolls sideways inside the page (no script: <details> does the opening).
 */
import { escapeHtml as e, formatInt } from './format';

/** How many of a row's values are shown inline; more than this many and the rest are behind "… N more". */
export const ROW_PREVIEW_VALUES = 10;

export interface WideRowOptions {
  /** Values shown inline (default ROW_PREVIEW_VALUES). */
  preview?: number;
  /** The row as it was sent (a CSV line), shown under the full table, to copy. */
  raw?: string;
}

/** Column names for `count` values: the given ones when they fit, else positions (1-based), so a value is never misnamed. */
export function columnLabels(names: readonly string[] | undefined, count: number): string[] {
  if (names && names.length === count) return [...names];
  return Array.from({ length: count }, (_, i) => `#${i + 1}`);
}

/** The whole row as a two-line table (names over values) in a box that scrolls sideways. */
export function rowTable(names: readonly string[], values: readonly string[]): string {
  return `<div class="hscroll"><table class="wide-row"><thead><tr>${names.map((n) => `<th>${e(n)}</th>`).join('')}</tr></thead><tbody><tr>${values
    .map((v) => `<td class="num">${v === '' ? '<span class="muted">(empty)</span>' : e(v)}</td>`)
    .join('')}</tr></tbody></table></div>`;
}

/**
 * One row: `name value` pairs for the first `preview` values; when there are more, "… N more" opens the
 * whole row (every column, named) and, if given, the raw line.
 */
export function wideRow(names: readonly string[] | undefined, values: readonly string[], options: WideRowOptions = {}): string {
  const preview = Math.max(1, options.preview ?? ROW_PREVIEW_VALUES);
  const labels = columnLabels(names, values.length);
  const pair = (i: number) => `<span class="kvp"><i>${e(labels[i])}</i>${values[i] === '' ? '<span class="muted">(empty)</span>' : e(values[i])}</span>`;
  const shown = Math.min(preview, values.length);
  const inline = Array.from({ length: shown }, (_, i) => pair(i)).join('');
  const rest = values.length - shown;
  const attrs = `data-values="${values.length}" data-shown="${shown}"`;
  if (rest === 0) return `<div class="row-values" ${attrs}>${inline}</div>`;
  const raw = options.raw === undefined ? '' : `<div class="raw"><span class="muted">as sent:</span> <code class="wrap">${e(options.raw)}</code></div>`;
  return `<div class="row-values" ${attrs}>${inline}<details class="row-more"><summary>… ${formatInt(rest)} more <span class="muted">(${formatInt(values.length)} in all)</span></summary>${rowTable(labels, values)}${raw}</details></div>`;
}
