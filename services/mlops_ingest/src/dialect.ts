/**
 * How to read an upload, decided from a sample of its first bytes before the passes start: its
 * delimiter (`,` `;` tab `|`) and whether its first row is a header. What the upload's metadata
 * (or the stage) gives is used as given; the rest is detected and recorded as detected in
 * schema.json.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { CSV_DELIMITERS, type CsvDelimiter } from '@mlops/common';
import type { CsvReading } from './csv';
import type { MissingValues } from './missing';
import { Utf8Decoder } from './utf8';

/** The sample the dialect is detected on: a few hundred lines of a typical upload, a few milliseconds to parse four times. */
export const SAMPLE_BYTES = 64 * 1024;

export interface Dialect extends CsvReading {
  header: boolean;
  headerSource: 'upload' | 'stage' | 'detected';
}

export interface DialectOptions {
  delimiter?: CsvDelimiter;
  header?: { present: boolean; source: 'upload' | 'stage' };
  /** The target as the upload names it: a name in the first row makes it a header. */
  target: string;
  missing: MissingValues;
}

export interface Peeked {
  /** At most about SAMPLE_BYTES from the start (whole chunks). */
  sample: Uint8Array;
  /** Whether the sample is the whole object. */
  complete: boolean;
  /** The body from its first byte: the sample's chunks again, then the rest. */
  body: AsyncIterable<Uint8Array>;
  /** Ends the underlying stream when the body will not be read. */
  cancel(): Promise<void>;
}

/** Reads the first SAMPLE_BYTES of a body without losing them: the profile pass reads the same stream, no second request. */
export async function peek(body: AsyncIterable<Uint8Array>, bytes = SAMPLE_BYTES): Promise<Peeked> {
  const iterator = body[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let complete = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      complete = true;
      break;
    }
    chunks.push(next.value);
    size += next.value.length;
  }
  const sample = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    sample.set(chunk, at);
    at += chunk.length;
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    try {
      yield* chunks.splice(0);
      if (complete) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.();
    }
  }
  return { sample, complete, body: replay(), cancel: async () => void (await iterator.return?.()) };
}

/** One delimiter's reading of the sample. */
interface Candidate {
  delimiter: CsvDelimiter;
  records: string[][];
  /** Parsed to the end without an error. */
  clean: boolean;
}

/** The sample parsed as csv-parse will parse the file (records up to an error; a quoted field cut by the sample's end is no error). */
function readSample(text: string, delimiter: CsvDelimiter, truncated: boolean): Candidate {
  const records: string[][] = [];
  try {
    parse(text, {
      delimiter,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      on_record: (record: string[]) => {
        records.push(record);
        return null;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    return { delimiter, records, clean: truncated && error.code === 'CSV_QUOTE_NOT_CLOSED' };
  }
  return { delimiter, records, clean: true };
}

/** The most common field count of the records and how many records have it. */
function modalWidth(records: readonly string[][]): { width: number; count: number } {
  const counts = new Map<number, number>();
  for (const r of records) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
  let best = { width: 0, count: 0 };
  for (const [width, count] of counts) if (count > best.count || (count === best.count && width > best.width)) best = { width, count };
  return best;
}

/**
 * The delimiter that reads the sample as a table: parsed quote-aware by csv-parse with each of
 * `,` `;` tab `|`, the one that gives every line the same number of fields, more than one (the most
 * fields if several do; a tie goes to that order). A sample no delimiter reads cleanly (a ragged
 * row, a stray quote) gets the one whose most common width covers the most lines, so the pass
 * reports the row that breaks it; one column and nothing else: the comma. Not csv-parse's own
 * delimiter_auto: it scores every character by frequency, `.` and space included, and a file of
 * decimals is full of dots.
 */
export function detectDelimiter(candidates: readonly Candidate[]): Candidate {
  const consistent = candidates.filter((c) => c.clean && c.records.length > 0 && c.records.every((r) => r.length === c.records[0]!.length) && c.records[0]!.length > 1);
  if (consistent.length > 0) return consistent.reduce((best, c) => (c.records[0]!.length > best.records[0]!.length ? c : best));
  let best = candidates[0]!;
  let bestScore = { width: 0, count: 0 };
  for (const c of candidates) {
    const score = modalWidth(c.records);
    if (score.width > 1 && (score.count > bestScore.count || bestScore.width <= 1)) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

const isNumber = (value: string) => value !== '' && Number.isFinite(Number(value));
/** A target given by name, not by position. */
const isName = (target: string) => target !== 'last' && !/^\d+$/.test(target);

/**
 * Whether the first record is a header: it names the target, or, in at least half of the columns
 * whose other sampled values (missing ones aside) are all numbers, it holds text. Half, not one: a
 * typo in the first row's one cell is data, a header names (nearly) every column.
 */
export function detectHeader(records: readonly string[][], target: string, missing: MissingValues): boolean {
  const [first, ...rest] = records;
  if (!first) return false;
  if (isName(target) && first.includes(target)) return true;
  let numeric = 0;
  let text = 0;
  first.forEach((value, column) => {
    if (missing.is(value)) return;
    let numbers = 0;
    for (const record of rest) {
      const other = record[column];
      if (other === undefined || missing.is(other)) continue;
      if (!isNumber(other)) return;
      numbers++;
    }
    if (numbers === 0) return;
    numeric++;
    if (!isNumber(value)) text++;
  });
  return text > 0 && text * 2 >= numeric;
}

/**
 * The dialect of an upload from its first bytes. Bytes that are not UTF-8 there are rejected here,
 * with the same message the passes give.
 */
export function detectDialect(sample: Uint8Array, complete: boolean, options: DialectOptions): Dialect {
  const decoder = new Utf8Decoder();
  let text = decoder.decode(sample, 0);
  if (complete) text += decoder.end(0);
  // Whole lines only, unless there is not one (a first line longer than the sample).
  const lastLine = text.lastIndexOf('\n');
  const truncated = !complete;
  if (truncated && lastLine >= 0) text = text.slice(0, lastLine + 1);
  const delimiters = options.delimiter ? [options.delimiter] : CSV_DELIMITERS;
  const chosen = detectDelimiter(delimiters.map((d) => readSample(text, d, truncated)));
  const header = options.header ?? { present: detectHeader(chosen.records, options.target, options.missing), source: 'detected' as const };
  return {
    delimiter: chosen.delimiter,
    delimiterSource: options.delimiter ? 'upload' : 'detected',
    header: header.present,
    headerSource: header.source,
  };
}
