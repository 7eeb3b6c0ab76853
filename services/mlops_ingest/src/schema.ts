/**
 * The dataset schema written with every run (`data/schema.json`): how each source column became
 * channel columns, so predictions can be mapped back (class index → label, one-hot columns →
 * category). Writing it last marks a complete split.
 */
import * as z from 'zod/mini';
import { DatasetError, ProblemTypeSchema, unitHash } from '@mlops/common';

export const SCHEMA_VERSION = 1;

const ColumnSchema = z.object({
  name: z.string(),
  index: z.number().check(z.int(), z.gte(0)),
  role: z.enum(['label', 'feature']),
  type: z.enum(['numeric', 'categorical']),
  /** Categorical columns: the one-hot order (for a classification label: the classes). */
  categories: z.optional(z.array(z.string())),
  /** Numeric features: the value that fills an empty cell. */
  mean: z.optional(z.number()),
  /** The channel columns this source column becomes (the label: its one column, first). */
  outputColumns: z.array(z.string()),
});
export type ColumnDescription = z.infer<typeof ColumnSchema>;

const RowCountsSchema = z.object({ train: z.number().check(z.int(), z.gte(0)), validation: z.number().check(z.int(), z.gte(0)), test: z.number().check(z.int(), z.gte(0)) });
export type RowCounts = z.infer<typeof RowCountsSchema>;

export const SchemaDocumentSchema = z.object({
  version: z.literal(SCHEMA_VERSION),
  source: z.object({ bucket: z.string(), key: z.string(), etag: z.string() }),
  header: z.boolean(),
  columns: z.array(ColumnSchema),
  label: z.object({
    name: z.string(),
    index: z.number().check(z.int(), z.gte(0)),
    problemType: ProblemTypeSchema,
    classes: z.optional(z.array(z.string())),
  }),
  featureCount: z.number().check(z.int(), z.gte(1)),
  rows: RowCountsSchema,
  split: z.object({ ratios: z.array(z.number()).check(z.length(3)), seed: z.number().check(z.int()) }),
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
 * Whether String(Number(text)) === text for text[start, end), decided without converting: a plain
 * decimal (no sign but a leading minus, no exponent, no leading or trailing zeros that the
 * conversion would drop, not -0) with at most 15 significant digits, which every double
 * round-trips, and not below 1e-6, where the conversion switches to exponent notation. Numbers in
 * uploads almost always are written so, and the conversion was the most expensive step of encoding
 * a row (docs/PERFORMANCE.md).
 */
export function isCanonicalDecimal(text: string, start = 0, end = text.length): boolean {
  const n = end - start;
  if (n === 0 || n > 17) return false;
  let i = text.charCodeAt(start) === 45 ? start + 1 : start; // '-'
  if (i === end) return false;
  let digits = 0;
  if (text.charCodeAt(i) === 48) {
    // '0', '0.x', '-0.x'
    i++;
    if (i === end) return i === start + 1; // "0" (but not "-0")
    if (text.charCodeAt(i) !== 46) return false;
    i++;
    let zeros = 0;
    while (i < end && text.charCodeAt(i) === 48) {
      zeros++;
      i++;
    }
    if (i === end || zeros > 5) return false;
  } else {
    const lead = text.charCodeAt(i);
    if (lead < 49 || lead > 57) return false; // the integer part starts with 1-9
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 46) break;
      if (c < 48 || c > 57) return false;
      digits++;
    }
    if (i === end) return digits <= 15;
    i++; // '.'
    if (i === end) return false;
  }
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
    digits++;
  }
  return digits <= 15 && text.charCodeAt(end - 1) !== 48;
}

/** The channel's text of a number: what String(Number(text)) gives, without the conversion when it is the same. */
export function numberText(text: string): string {
  return isCanonicalDecimal(text) ? text : String(Number(text));
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

/**
 * Encodes a parsed data row as a channel line (without the newline): the label first (a number,
 * or the class index), then every feature in column order, categorical ones one-hot expanded
 * and empty numeric cells filled with the column mean.
 */
export function rowEncoder(schema: SchemaDocument): (fields: readonly string[]) => string {
  const { label } = schema;
  const classIndex = new Map((label.classes ?? []).map((c, i) => [c, String(i)]));
  const encodeLabel = (value: string): string => {
    const encoded = label.classes ? classIndex.get(value) : numberText(value);
    if (encoded === undefined) throw new Error(`label '${value}' is not one of the profiled classes (did the object change?)`);
    return encoded;
  };
  const features = schema.columns
    .filter((c) => c.role === 'feature')
    .map((column): ((value: string) => string) => {
      if (column.type === 'numeric') {
        const fill = String(column.mean);
        return (value) => (value === '' ? fill : numberText(value));
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

/**
 * rowEncoder for a plain CSV line whose fields FieldBounds found: the same channel line, built
 * from slices of the input. A run of numeric feature columns that are next to each other in the
 * source and written canonically (isCanonicalDecimal) is copied as one slice, commas included.
 */
export function plainRowEncoder(schema: SchemaDocument): (line: string, starts: Int32Array, ends: Int32Array) => string {
  const { label } = schema;
  const classIndex = new Map((label.classes ?? []).map((c, i) => [c, String(i)]));
  type Part =
    | { kind: 'run'; from: number; to: number; fills: string[] }
    | { kind: 'categorical'; index: number; name: string; oneHot: Map<string, string>; none: string };
  const parts: Part[] = [];
  for (const column of schema.columns.filter((c) => c.role === 'feature')) {
    if (column.type === 'numeric') {
      const last = parts[parts.length - 1];
      if (last?.kind === 'run' && last.to === column.index - 1) {
        last.to = column.index;
        last.fills.push(String(column.mean));
      } else {
        parts.push({ kind: 'run', from: column.index, to: column.index, fills: [String(column.mean)] });
      }
    } else {
      const categories = column.categories ?? [];
      parts.push({
        kind: 'categorical',
        index: column.index,
        name: column.name,
        oneHot: new Map(categories.map((c, i) => [c, categories.map((_, j) => (i === j ? '1' : '0')).join(',')])),
        none: categories.map(() => '0').join(','),
      });
    }
  }
  const numeric = (line: string, start: number, end: number, fill: string) => (start === end ? fill : isCanonicalDecimal(line, start, end) ? line.slice(start, end) : String(Number(line.slice(start, end))));
  return (line, starts, ends) => {
    const labelStart = starts[label.index]!;
    const labelEnd = ends[label.index]!;
    let out: string;
    if (label.classes) {
      const value = line.slice(labelStart, labelEnd);
      const encoded = classIndex.get(value);
      if (encoded === undefined) throw new Error(`label '${value}' is not one of the profiled classes (did the object change?)`);
      out = encoded;
    } else {
      out = isCanonicalDecimal(line, labelStart, labelEnd) ? line.slice(labelStart, labelEnd) : String(Number(line.slice(labelStart, labelEnd)));
    }
    for (const part of parts) {
      if (part.kind === 'categorical') {
        const start = starts[part.index]!;
        const end = ends[part.index]!;
        if (start === end) {
          out += `,${part.none}`;
          continue;
        }
        const value = line.slice(start, end);
        const encoded = part.oneHot.get(value);
        if (encoded === undefined) throw new Error(`value '${value}' of column '${part.name}' was not profiled (did the object change?)`);
        out += `,${encoded}`;
        continue;
      }
      let whole = true;
      for (let c = part.from; c <= part.to && whole; c++) {
        whole = isCanonicalDecimal(line, starts[c]!, ends[c]!) && (c === part.to || ends[c]! + 1 === starts[c + 1]!);
      }
      if (whole) {
        out += `,${line.slice(starts[part.from]!, ends[part.to]!)}`;
        continue;
      }
      for (let c = part.from; c <= part.to; c++) out += `,${numeric(line, starts[c]!, ends[c]!, part.fills[c - part.from]!)}`;
    }
    return out;
  };
}
