/**
 * The dataset schema written with every run (`data/schema.json`): how each source column became
 * channel columns, so predictions can be mapped back (class index → label, one-hot columns →
 * category). Writing it last marks a complete split.
 */
import * as z from 'zod/mini';
import { CsvDelimiterSchema, DatasetError, ProblemTypeSchema, UPLOAD_METADATA_KEYS } from '@mlops/common';
import { howToSet } from './options';

// The row encoding lives in @mlops/common (encoding.ts), shared with @mlops/predict, so a prediction
// request is encoded exactly as the channels are; re-exported for this package's passes and tests.
export { isCanonicalDecimal, numberText, plainRowEncoder, rowEncoder } from '@mlops/common';

export const SCHEMA_VERSION = 1;

const ColumnSchema = z.object({
  name: z.string(),
  index: z.number().check(z.int(), z.gte(0)),
  role: z.enum(['label', 'feature']),
  type: z.enum(['numeric', 'categorical']),
  /** Categorical columns: the one-hot order (for a classification label: the classes). */
  categories: z.optional(z.array(z.string())),
  /** Numeric features: the value that fills a missing cell (the column's mean over the file's rows). */
  mean: z.optional(z.number()),
  /** The channel columns this source column becomes (the label: its one column, first). */
  outputColumns: z.array(z.string()),
  /**
   * Features: how many of the file's cells were missing (empty, or one of csv.naValues) and what the
   * channels have in their place: `mean` (numeric: the column's `mean`) or `no-category` (categorical:
   * every one-hot column 0). Absent from documents of earlier releases, and for the label (a missing
   * label rejects the dataset).
   */
  missing: z.optional(z.object({ count: z.number().check(z.int(), z.gte(0)), fill: z.enum(['mean', 'no-category']) })),
});
export type ColumnDescription = z.infer<typeof ColumnSchema>;

const RowCountsSchema = z.object({ train: z.number().check(z.int(), z.gte(0)), validation: z.number().check(z.int(), z.gte(0)), test: z.number().check(z.int(), z.gte(0)) });
export type RowCounts = z.infer<typeof RowCountsSchema>;

/**
 * The split's row hash (assignment.ts rowHash), named in schema.json. A schema.json without it comes
 * from a release that hashed rows with FNV-1a (no final mixing) against the ratios.
 */
export const ROW_HASH = 'murmur3_x86_32/utf16le' as const;

/** A point on the row hash's range [0, 2^32]: the rows hashing below it are on its left. */
const HashEdgeSchema = z.number().check(z.int(), z.gte(0), z.lte(2 ** 32));
const EdgesSchema = z.tuple([HashEdgeSchema, HashEdgeSchema]).check(z.refine(([a, b]) => a <= b, 'the edges must be in order'));

/**
 * One class of a stratified split: its rows hashing below edges[0] are train, from edges[1] on test,
 * in between validation (edges chosen by assignment.ts so the class is split by the ratios).
 */
const StratumSchema = z.object({
  class: z.string(),
  edges: EdgesSchema,
  rows: RowCountsSchema,
});
export type Stratum = z.infer<typeof StratumSchema>;

/**
 * How the rows were split (assignment.ts). hash, edges, stratified, stratifiedBy and strata are
 * absent from documents of earlier releases, which hashed with FNV-1a against the ratios.
 */
const SplitSchema = z
  .object({
    ratios: z.array(z.number()).check(z.length(3)),
    seed: z.number().check(z.int()),
    hash: z.optional(z.literal(ROW_HASH)),
    /** An unstratified split: the edges on the row hash, train below the first, test from the second on. */
    edges: z.optional(EdgesSchema),
    stratified: z.optional(z.boolean()),
    /** A stratified split: the label column it is stratified by, and its classes in label.classes order. */
    stratifiedBy: z.optional(z.string()),
    strata: z.optional(z.array(StratumSchema)),
  })
  .check(
    z.refine((s) => !s.stratified || (s.stratifiedBy !== undefined && s.strata !== undefined), 'a stratified split names its label and lists its strata'),
    z.refine((s) => s.hash === undefined || s.stratified === true || s.edges !== undefined, 'an unstratified split lists its edges'),
  );

/**
 * How the file was read: what the upload's metadata (or the stage) gave, and what was detected from
 * its first bytes (dialect.ts). Absent from documents of earlier releases, which read every file as
 * comma-separated, with the header the options said, only empty cells missing and nothing dropped.
 */
const CsvReadingSchema = z.object({
  delimiter: CsvDelimiterSchema,
  delimiterSource: z.enum(['upload', 'detected']),
  /** Who decided `header`: the upload's mlops-header, the stage's CSV_HEADER, or the detection. */
  headerSource: z.enum(['upload', 'stage', 'detected']),
  /** The cells besides an empty one that were missing (matched ignoring case). */
  naValues: z.array(z.string()),
  /** The file's columns that mlops-drop removed before profiling, with their 0-based index in the file; `columns` are the rest, numbered anew. */
  dropped: z.array(z.object({ name: z.string(), index: z.number().check(z.int(), z.gte(0)) })),
});
export type CsvReadingDocument = z.infer<typeof CsvReadingSchema>;

export const SchemaDocumentSchema = z.object({
  version: z.literal(SCHEMA_VERSION),
  /** The upload: the file, or a folder dataset's marker with its number of parts. */
  source: z.object({ bucket: z.string(), key: z.string(), etag: z.string(), parts: z.optional(z.number()) }),
  /** Whether the file's first row is a header (csv.headerSource says who decided). */
  header: z.boolean(),
  csv: z.optional(CsvReadingSchema),
  columns: z.array(ColumnSchema),
  label: z.object({
    name: z.string(),
    index: z.number().check(z.int(), z.gte(0)),
    problemType: ProblemTypeSchema,
    classes: z.optional(z.array(z.string())),
  }),
  featureCount: z.number().check(z.int(), z.gte(1)),
  rows: RowCountsSchema,
  split: SplitSchema,
});
export type SchemaDocument = z.infer<typeof SchemaDocumentSchema>;

export type Channel = keyof RowCounts;
export const CHANNELS: readonly Channel[] = ['train', 'validation', 'test'];

/** The canonical text of a parsed row, hashed for the split (the raw line, for unquoted CSV). */
export function rowText(fields: readonly string[]): string {
  return fields.join(',');
}

/** Names for the columns: the header's, else the configured names if they fit, else `column_<i>`. */
export function columnNames(first: readonly string[], header: boolean, configured: readonly string[] | undefined): string[] {
  if (header) {
    const names = first.map((name, i) => name || `column_${i}`);
    const seen = new Map<string, number>();
    names.forEach((name, i) => {
      const earlier = seen.get(name);
      if (earlier !== undefined) throw new DatasetError(`the header names column '${name}' twice (columns ${earlier} and ${i}, 0-based)`);
      seen.set(name, i);
    });
    return names;
  }
  if (configured && configured.length === first.length) return [...configured];
  return first.map((_, i) => `column_${i}`);
}

/** What a rejection about the target says of the header: whether the file has one and who decided. */
export interface HeaderContext {
  present: boolean;
  source: 'upload' | 'stage' | 'detected';
  /** The file's first row, which a header-less file's names (column_<i>) do not show. */
  firstRow?: readonly string[];
}

const listColumns = (names: readonly string[]) => names.join(', ');

/**
 * Resolves the label column spec (a name, a 0-based index, or `last`) against the column names. A
 * spec that names nothing is rejected with the columns there are and what would fix it.
 */
export function resolveTarget(spec: string, names: readonly string[], header?: HeaderContext): number {
  if (spec === 'last') return names.length - 1;
  const byName = names.indexOf(spec);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(spec)) {
    if (Number(spec) < names.length) return Number(spec);
    throw new DatasetError(`target column ${spec} is out of range: the file has ${names.length} columns, 0 to ${names.length - 1} (0-based), named ${listColumns(names)}`);
  }
  const key = UPLOAD_METADATA_KEYS.header;
  if (header && !header.present) {
    const named = header.firstRow?.includes(spec);
    const why = header.source === 'detected' ? 'none was detected' : `${header.source === 'upload' ? `its ${key}=false` : "the stage's CSV_HEADER"} says so`;
    const fix = named
      ? `its first row does name '${spec}': ${howToSet(key, 'true')}`
      : `if its first row names the columns, ${howToSet(key, 'true')}; else give the target as a 0-based index or last`;
    throw new DatasetError(`target column '${spec}' is not in the file: it has no header row (${why}), so its ${names.length} columns are ${listColumns(names)}; ${fix}`);
  }
  const other = names.find((n) => n.toLowerCase() === spec.toLowerCase());
  throw new DatasetError(`target column '${spec}' is not in the file: its ${names.length} columns are ${listColumns(names)}${other ? ` (did you mean '${other}'? names are case-sensitive)` : ' (or use a 0-based index or last)'}`);
}

/** Sorts labels or categories: numerically when every value is a number, else by code unit (locale-independent). */
export function sortValues(values: Iterable<string>): string[] {
  const list = [...values];
  if (list.every((v) => Number.isFinite(Number(v)))) return list.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * Number(text[start, end)) for a plain decimal (optional minus, digits, optional point and digits,
 * at most 15 digits in all), NaN for anything else (the caller then uses Number()). Exact: the
 * digits are an integer below 2^53 and 10^k (k <= 15) is exact, so their quotient is the one
 * correctly rounded double, which is what Number() returns.
 */
export function parseSimpleDecimal(text: string, start: number, end: number): number {
  let i = start;
  const negative = text.charCodeAt(i) === 45;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
    } else if (c === 46 && fraction < 0) {
      fraction = digits;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || digits > 15) return NaN;
  const value = fraction < 0 || fraction === digits ? mantissa : mantissa / POWERS_OF_TEN[digits - fraction]!;
  return negative ? -value : value;
}
