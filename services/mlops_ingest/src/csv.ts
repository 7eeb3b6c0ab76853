import { Readable, pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { DatasetError, type CsvDelimiter } from '@mlops/common';
import { Utf8Decoder, checkedUtf8 } from './utf8';

export interface CsvRecord {
  /** Trimmed fields (RFC 4180 quoting understood). */
  fields: string[];
  /** 1-based line of the file where the record ends. */
  line: number;
  /** The row's text as the split hashes it (the fields joined by commas), when the reader has it at hand. */
  text?: string;
}

/** Records in batches: the passes loop over them without an await (a microtask) per row. */
export type CsvBatches = AsyncIterable<CsvRecord[]>;

/** How the upload is read: its delimiter, and whether it was detected (a parse error then says how to force another). */
export interface CsvReading {
  delimiter: CsvDelimiter;
  delimiterSource: 'upload' | 'detected';
}

const shown = (delimiter: CsvDelimiter) => (delimiter === '\t' ? 'tab' : `'${delimiter}'`);

/**
 * Parses a CSV byte stream record by record; memory stays bounded by the parser's buffer.
 * Blank lines are skipped; ragged rows are reported by the caller (it knows the expected width).
 * Bytes that are not UTF-8 and syntax errors become a DatasetError; errors of the source stream
 * (network) stay as they are.
 */
export async function* readCsv(body: AsyncIterable<Uint8Array>, reading: CsvReading): AsyncGenerator<CsvRecord> {
  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true, delimiter: reading.delimiter });
  const source = Readable.from(checkedUtf8(body));
  // A failure of either stream destroys the parser, which ends the iteration below with that error.
  pipeline(source, parser, () => undefined);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { fields: record, line: info.lines };
    }
  } catch (error) {
    if (error instanceof CsvError) {
      const detected = reading.delimiterSource === 'detected';
      const hint = detected ? '; if another delimiter separates its fields, set mlops-delimiter (pnpm pipeline --delimiter)' : '';
      throw new DatasetError(`the file is not valid CSV (delimiter ${shown(reading.delimiter)}, ${detected ? 'detected' : 'given'}): ${error.message}${hint}`, { cause: error });
    }
    throw error;
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/** csv-parse's records in batches of `size`. */
export async function* inBatches(records: AsyncIterable<CsvRecord>, size = 1024): AsyncGenerator<CsvRecord[]> {
  let batch: CsvRecord[] = [];
  for await (const record of records) {
    batch.push(record);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * The input is not plain CSV (it has quotes, carriage returns other than CRLF line ends, or commas in
 * a file with another delimiter): use readCsv.
 */
export class NotPlainCsvError extends Error {
  override readonly name = 'NotPlainCsvError';
}

const QUOTE = '"';
const CR = 13;
/** The characters csv-parse's `trim` removes around a field (besides CR/LF, which end lines here). */
export const isTrimmable = (code: number) => code === 32 || code === 9 || code === 12;

function trimField(field: string): string {
  let start = 0;
  let end = field.length;
  while (start < end && isTrimmable(field.charCodeAt(start))) start++;
  while (end > start && isTrimmable(field.charCodeAt(end - 1))) end--;
  return field.slice(start, end);
}

/** Lines of plain CSV, one batch per chunk of input: the text of each record and its line number. */
export interface PlainLines {
  lines: string[];
  numbers: number[];
}

/** A line csv-parse yields no record for: empty, or nothing but spaces, tabs and form feeds. */
function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (!isTrimmable(line.charCodeAt(i))) return false;
  return true;
}

/**
 * The fast path for plain CSV, which is what ML uploads almost always are: no quotes, LF or CRLF
 * line ends. Hand-written because csv-parse is the ingest's bottleneck: its byte-level state
 * machine, per-field Buffer decoding and an async iteration per record ran at ~0.2 M rows/s
 * (~10 MB/s per pass); splitting lines with indexOf runs at over 2 M rows/s (docs/PERFORMANCE.md).
 *
 * It yields the lines of exactly the records readCsv would yield (csv-parse with bom, trim,
 * skip_empty_lines and relax_column_count; services/mlops_ingest/test/plain-csv.test.ts checks the
 * two against each other), and throws NotPlainCsvError at the first input it cannot read that way,
 * before yielding anything wrong: a quote anywhere (quoted fields, or csv-parse's quote errors), a
 * carriage return that is not part of a CRLF line end, or line ends that switch between LF and CRLF.
 * The caller then reads the whole object again with readCsv.
 *
 * Another delimiter than the comma is turned into commas as the text is decoded (one native
 * replaceAll per chunk), so everything after it (FieldBounds, the row hash, the encoders' slices)
 * reads commas; a comma in such a file is inside a field, which only csv-parse reads right.
 * Bytes that are not UTF-8 are a DatasetError saying where (utf8.ts).
 */
export async function* readPlainLines(body: AsyncIterable<Uint8Array>, delimiter: CsvDelimiter = ','): AsyncGenerator<PlainLines> {
  // TextDecoder drops a leading byte order mark, as csv-parse's `bom` option does.
  const decoder = new Utf8Decoder();
  const commas = (text: string): string => {
    if (delimiter === ',') return text;
    if (text.includes(',')) throw new NotPlainCsvError(`a comma in a file delimited by ${shown(delimiter)}`);
    return text.replaceAll(delimiter, ',');
  };
  let carry = '';
  let line = 0;
  /** Line ends: CRLF or LF, from the first one (csv-parse detects them the same way). */
  let crlf: boolean | undefined;

  const parse = (text: string, final: boolean): PlainLines => {
    if (text.includes(QUOTE)) throw new NotPlainCsvError('the file has quotes');
    if (crlf !== true && text.includes('\r')) {
      // Before the line ends are known, a CR is only fine as the CR of a first CRLF.
      const first = text.indexOf('\n');
      if (crlf === false || first === -1 || text.indexOf('\r') !== first - 1) throw new NotPlainCsvError('carriage returns without LF');
    }
    const batch: PlainLines = { lines: [], numbers: [] };
    let start = 0;
    for (;;) {
      let newline = text.indexOf('\n', start);
      if (newline === -1) {
        if (!final || start >= text.length) break;
        newline = text.length;
      }
      let end = newline;
      if (newline < text.length) {
        crlf ??= newline > 0 && text.charCodeAt(newline - 1) === CR;
        if (crlf) {
          if (newline === start || text.charCodeAt(newline - 1) !== CR || (newline - 2 >= start && text.lastIndexOf('\r', newline - 2) >= start)) {
            throw new NotPlainCsvError('mixed line ends');
          }
          end = newline - 1;
        }
        // With LF line ends no carriage return appears at all (checked above, once per text).
      } else if (crlf && text.lastIndexOf('\r', newline - 1) >= start) {
        throw new NotPlainCsvError('a carriage return in the last line');
      }
      line++;
      const content = text.slice(start, end);
      start = newline + 1;
      // An empty or blank line: csv-parse skips it (skip_empty_lines, after trim).
      if (content.length === 0 || (isTrimmable(content.charCodeAt(0)) && !content.includes(',') && isBlank(content))) continue;
      batch.lines.push(content);
      batch.numbers.push(line);
    }
    carry = text.slice(start);
    return batch;
  };

  for await (const chunk of body) {
    // Every line before this chunk has been parsed (carry holds no line end): `line` counts them.
    let text = carry + commas(decoder.decode(chunk, line));
    // A chunk may end between the CR and the LF of a line end: keep the CR for the next one.
    const held = text.endsWith('\r') ? '\r' : '';
    if (held) text = text.slice(0, -1);
    const batch = parse(text, false);
    carry += held;
    if (batch.lines.length > 0) yield batch;
  }
  const batch = parse(carry + commas(decoder.end(line)), true);
  if (batch.lines.length > 0) yield batch;
}

/** A plain CSV line's fields, trimmed as csv-parse trims them. */
export function plainFields(line: string): { fields: string[]; trimmed: boolean } {
  const fields = line.split(',');
  let trimmed = false;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.length > 0 && (isTrimmable(field.charCodeAt(0)) || isTrimmable(field.charCodeAt(field.length - 1)))) {
      fields[i] = trimField(field);
      trimmed = true;
    }
  }
  return { fields, trimmed };
}

/** Plain lines as records (readCsv's, in batches), for the passes that need a row's fields. */
export async function* plainRecords(batches: AsyncIterable<PlainLines>): AsyncGenerator<CsvRecord[]> {
  for await (const { lines, numbers } of batches) {
    yield lines.map((text, i) => {
      const { fields, trimmed } = plainFields(text);
      return { fields, line: numbers[i]!, text: trimmed ? undefined : text };
    });
  }
}

/** readPlainLines as records (the same as readCsv's, in batches). */
export function readPlainCsv(body: AsyncIterable<Uint8Array>, delimiter: CsvDelimiter = ','): AsyncGenerator<CsvRecord[]> {
  return plainRecords(readPlainLines(body, delimiter));
}

/**
 * Where each field of a plain CSV line starts and ends once trimmed, written into `starts` and
 * `ends` (grown as needed); returns the number of fields and whether any was trimmed.
 */
export class FieldBounds {
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  count = 0;
  trimmed = false;

  scan(line: string): this {
    let count = 0;
    let trimmed = false;
    let start = 0;
    for (;;) {
      let end = line.indexOf(',', start);
      if (end === -1) end = line.length;
      let a = start;
      let b = end;
      if (a < b && (isTrimmable(line.charCodeAt(a)) || isTrimmable(line.charCodeAt(b - 1)))) {
        while (a < b && isTrimmable(line.charCodeAt(a))) a++;
        while (b > a && isTrimmable(line.charCodeAt(b - 1))) b--;
        trimmed = true;
      }
      if (count === this.starts.length) this.grow();
      this.starts[count] = a;
      this.ends[count] = b;
      count++;
      if (end === line.length) break;
      start = end + 1;
    }
    this.count = count;
    this.trimmed = trimmed;
    return this;
  }

  /** The fields as strings (for the rare row that needs them all). */
  fields(line: string): string[] {
    return Array.from({ length: this.count }, (_, i) => line.slice(this.starts[i], this.ends[i]));
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }
}
