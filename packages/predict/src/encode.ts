/**
 * Rows in the dataset's own columns → the endpoint's request: one text/csv line of encoded features
 * per row, by @mlops/common's featureEncoder, the very encoding mlops_ingest wrote the model's
 * training rows with (rowEncoder: the same line, the label first). Each row is checked first, so a
 * row that does not fit is an error naming the row, the column and why, never a request the model
 * would misread.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { featureEncoder, type EncodingColumn } from '@mlops/common';
import { PredictError } from './errors';
import { resolveSchema, type PredictSchema, type ResolvedSchema } from './schema';

/** A cell: text as in the CSV, a number, or nothing (null, undefined or '' are an empty cell). */
export type CellValue = string | number | null | undefined;

/**
 * A row in the dataset's own columns: an array in the dataset's column order, without the label (or
 * with it, in its place: it is ignored), or an object by column name (a label key is ignored).
 */
export type PredictRow = readonly CellValue[] | Readonly<Record<string, CellValue>>;

/** The characters mlops_ingest's CSV reading trims around a field (csv-parse's `trim`): space, tab, form feed. */
const trimCell = (text: string) => text.replace(/^[ \t\f]+|[ \t\f]+$/g, '');

const MAX_LISTED = 20;
function listed(values: readonly string[]): string {
  const shown = values.slice(0, MAX_LISTED).map((v) => `'${v}'`);
  return values.length > MAX_LISTED ? `${shown.join(', ')} and ${values.length - MAX_LISTED} more` : shown.join(', ');
}

/** A cell as the source text ingest would have read, checked against its column. */
function cellText(value: unknown, column: EncodingColumn, row: number): string {
  const fail = (reason: string) => new PredictError('invalid-row', `row ${row}, column '${column.name}': ${reason}`, { row, column: column.name });
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw fail(`${value} is not a finite number`);
    text = String(value);
  } else if (typeof value === 'string') text = trimCell(value);
  else throw fail(`a ${typeof value} is not a cell value (give a string or a number)`);

  if (column.type === 'numeric') {
    if (text === '') {
      if (column.mean === undefined) {
        throw fail(
          "empty, and the family's schema has no value to fill it with (mlops_ingest filled a run's empty cells with that run's mean, kept in runs/<runId>/data/schema.json): give a number",
        );
      }
      return text;
    }
    if (!Number.isFinite(Number(text))) throw fail(`'${text}' is not a number`);
    return text;
  }
  // An empty categorical cell is no category, all zeros, as mlops_ingest encodes it.
  if (text !== '' && !column.categories?.includes(text)) {
    throw fail(`'${text}' is not one of its categories (${listed(column.categories ?? [])}); the family's models know no other`);
  }
  return text;
}

/** A row as a source row (indexed like the schema's columns, the label's field empty). */
function sourceFields(schema: ResolvedSchema, row: PredictRow, r: number): string[] {
  const fields = new Array<string>(schema.columns.length).fill('');
  const { features, columns, label } = schema;
  if (Array.isArray(row)) {
    const values = row as readonly unknown[];
    if (values.length === features.length) features.forEach((c, f) => (fields[c.index] = cellText(values[f], c, r)));
    else if (values.length === columns.length) features.forEach((c) => (fields[c.index] = cellText(values[c.index], c, r)));
    else {
      throw new PredictError(
        'invalid-row',
        `row ${r}: ${values.length} value${values.length === 1 ? '' : 's'}, expected ${features.length} (${features.map((c) => c.name).join(',')}) or ${columns.length} with the label '${label.name}' in its place`,
        { row: r },
      );
    }
    return fields;
  }
  if (typeof row !== 'object' || row === null) throw new PredictError('invalid-row', `row ${r}: a ${row === null ? 'null' : typeof row} is not a row (give an array or an object by column name)`, { row: r });
  const record = row as Readonly<Record<string, unknown>>;
  const known = new Set(columns.map((c) => c.name));
  const unknown = Object.keys(record).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new PredictError('invalid-row', `row ${r}: ${listed(unknown)} ${unknown.length === 1 ? 'is not a column' : 'are not columns'} of the family (its columns: ${columns.map((c) => c.name).join(', ')})`, {
      row: r,
      column: unknown[0],
    });
  }
  for (const c of features) {
    if (!Object.hasOwn(record, c.name)) throw new PredictError('invalid-row', `row ${r}, column '${c.name}': missing (give it, or '' for an empty cell)`, { row: r, column: c.name });
    fields[c.index] = cellText(record[c.name], c, r);
  }
  return fields;
}

/**
 * Encodes rows for the family's endpoint: one text/csv line per row, features only, in the model's
 * feature order (the schema's columns, categorical ones one-hot). Rows are numbered from 1 in errors.
 */
export function encodeRows(schema: PredictSchema, rows: readonly PredictRow[]): string[] {
  const resolved = resolveSchema(schema);
  const encode = featureEncoder(resolved);
  return rows.map((row, i) => encode(sourceFields(resolved, row, i + 1)));
}

/**
 * Parses CSV text into rows as mlops_ingest reads an upload (RFC 4180 quoting, fields trimmed, blank
 * lines skipped). A first line that names the columns (the features, or every column) is a header
 * and is dropped.
 */
export function parseCsvRows(schema: PredictSchema, text: string): string[][] {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (error) {
    if (error instanceof CsvError) throw new PredictError('invalid-row', `not valid CSV: ${error.message}`, {}, { cause: error });
    throw error;
  }
  const { features, columns } = resolveSchema(schema);
  const first = rows[0]?.join(',');
  if (first !== undefined && (first === features.map((c) => c.name).join(',') || first === columns.map((c) => c.name).join(','))) rows = rows.slice(1);
  return rows;
}
