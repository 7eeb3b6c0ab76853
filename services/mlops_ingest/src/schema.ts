/**
 * The dataset schema written with every run (`data/schema.json`): how each source column became
 * channel columns, so predictions can be mapped back (class index → label, one-hot columns →
 * category). Writing it last marks a complete split.
 */
import { z } from 'zod';
import { DatasetError, ProblemTypeSchema, unitHash } from '@mlops/common';

export const SCHEMA_VERSION = 1;

const ColumnSchema = z.object({
  name: z.string(),
  index: z.number().int().min(0),
  role: z.enum(['label', 'feature']),
  type: z.enum(['numeric', 'categorical']),
  /** Categorical columns: the one-hot order (for a classification label: the classes). */
  categories: z.array(z.string()).optional(),
  /** Numeric features: the value that fills an empty cell. */
  mean: z.number().optional(),
  /** The channel columns this source column becomes (the label: its one column, first). */
  outputColumns: z.array(z.string()),
});
export type ColumnDescription = z.infer<typeof ColumnSchema>;

const RowCountsSchema = z.object({ train: z.number().int().min(0), validation: z.number().int().min(0), test: z.number().int().min(0) });
export type RowCounts = z.infer<typeof RowCountsSchema>;

export const SchemaDocumentSchema = z.object({
  version: z.literal(SCHEMA_VERSION),
  source: z.object({ bucket: z.string(), key: z.string(), etag: z.string() }),
  header: z.boolean(),
  columns: z.array(ColumnSchema),
  label: z.object({
    name: z.string(),
    index: z.number().int().min(0),
    problemType: ProblemTypeSchema,
    classes: z.array(z.string()).optional(),
  }),
  featureCount: z.number().int().min(1),
  rows: RowCountsSchema,
  split: z.object({ ratios: z.array(z.number()).length(3), seed: z.number().int() }),
});
export type SchemaDocument = z.infer<typeof SchemaDocumentSchema>;

export type Channel = keyof RowCounts;
export const CHANNELS: readonly Channel[] = ['train', 'validation', 'test'];

/** The channel of a row: a seeded hash of its text, so a re-run (or a duplicate row) lands in the same channel. */
export function splitter(ratios: readonly number[], seed: number): (rowText: string) => Channel {
  const total = ratios.reduce((a, b) => a + b, 0);
  const trainEdge = ratios[0]! / total;
  const validationEdge = (ratios[0]! + ratios[1]!) / total;
  return (rowText) => {
    const u = unitHash(rowText, seed);
    return u < trainEdge ? 'train' : u < validationEdge ? 'validation' : 'test';
  };
}

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

/** Resolves the label column spec (a name, a 0-based index, or `last`) against the column names. */
export function resolveTarget(spec: string, names: readonly string[]): number {
  if (spec === 'last') return names.length - 1;
  const byName = names.indexOf(spec);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(spec) && Number(spec) < names.length) return Number(spec);
  throw new DatasetError(`target column '${spec}' is not in the file: its ${names.length} columns are ${names.join(', ')} (or use a 0-based index or last)`);
}

/** Sorts labels or categories: numerically when every value is a number, else by code unit (locale-independent). */
export function sortValues(values: Iterable<string>): string[] {
  const list = [...values];
  if (list.every((v) => Number.isFinite(Number(v)))) return list.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Encodes a parsed data row as a channel line (without the newline): the label first (a number,
 * or the class index), then every feature in column order, categorical ones one-hot expanded
 * and empty numeric cells filled with the column mean.
 */
export function rowEncoder(schema: SchemaDocument): (fields: readonly string[]) => string {
  const { label } = schema;
  const classIndex = new Map((label.classes ?? []).map((c, i) => [c, String(i)]));
  const encodeLabel = (value: string): string => {
    const encoded = label.classes ? classIndex.get(value) : String(Number(value));
    if (encoded === undefined) throw new Error(`label '${value}' is not one of the profiled classes (did the object change?)`);
    return encoded;
  };
  const features = schema.columns
    .filter((c) => c.role === 'feature')
    .map((column): ((value: string) => string) => {
      if (column.type === 'numeric') {
        const fill = String(column.mean);
        return (value) => (value === '' ? fill : String(Number(value)));
      }
      const categories = column.categories ?? [];
      const oneHot = new Map(categories.map((c, i) => [c, categories.map((_, j) => (i === j ? '1' : '0')).join(',')]));
      // An empty cell is no category: all zeros.
      const none = categories.map(() => '0').join(',');
      return (value) => {
        if (value === '') return none;
        const encoded = oneHot.get(value);
        if (encoded === undefined) throw new Error(`value '${value}' of column '${column.name}' was not profiled (did the object change?)`);
        return encoded;
      };
    });
  const featureIndexes = schema.columns.filter((c) => c.role === 'feature').map((c) => c.index);
  return (fields) => {
    let line = encodeLabel(fields[label.index]!);
    for (let f = 0; f < features.length; f++) line += `,${features[f]!(fields[featureIndexes[f]!]!)}`;
    return line;
  };
}
