/**
 * A dataset as its two passes read it: one file, or the parts of a folder dataset in key order. The
 * Lambda path reads the parts from S3, a processing instance reads its shard from its local disk:
 * both run these functions, so the processing path's channels are the Lambda path's (one
 * implementation, issue 17).
 */
import type { CsvDelimiter } from '@mlops/common';
import { NotPlainCsvError, inBatches, readCsv, readPlainLines, type CsvReading, type CsvRecord, type PlainLines } from './csv';
import { Profiler, type ProfileOptions } from './profile';
import type { RowCounts, SchemaDocument } from './schema';
import { writeChannels, writeChannelsPlain, type ChannelSinks } from './split';

/** One file of a dataset, however it is read. */
export interface DatasetPart {
  /** How messages name it: the key below the dataset's folder (or the file's name on an instance). */
  name: string;
  open(): Promise<AsyncIterable<Uint8Array>>;
}

/** Pass 1's result: the profiler (its schema, or its state for a merge) and whether every part was plain CSV. */
export interface Profiled {
  profiler: Profiler;
  plain: boolean;
}

/**
 * Pass 1 over every part, on the plain-CSV fast path while it holds; a part with quotes starts the
 * pass again with csv-parse (both readers give the same schema). `firstBody` is the first part's
 * stream when the caller already opened it (to detect the dialect from its first bytes). Messages name
 * the part where the dataset has several (`nameParts`: a processing instance's profile always does, for the merge).
 */
export async function profileParts(
  parts: readonly DatasetPart[],
  options: ProfileOptions,
  { firstBody, nameParts = parts.length > 1 }: { firstBody?: AsyncIterable<Uint8Array>; nameParts?: boolean } = {},
): Promise<Profiled> {
  const several = nameParts;
  const { dialect } = options;
  try {
    const profiler = new Profiler(options);
    for (const [i, part] of parts.entries()) {
      if (several) profiler.beginPart(part.name);
      const body = i === 0 && firstBody ? firstBody : await part.open();
      for await (const { lines, numbers } of readPlainLines(body, dialect.delimiter)) for (let j = 0; j < lines.length; j++) profiler.addLine(lines[j]!, numbers[j]!);
    }
    return { profiler, plain: true };
  } catch (error) {
    if (!(error instanceof NotPlainCsvError)) throw error;
  }
  const profiler = new Profiler(options);
  for (const part of parts) {
    if (several) profiler.beginPart(part.name);
    for await (const batch of inBatches(readCsv(await part.open(), dialect))) for (const { fields, line, text } of batch) profiler.addFields(fields, line, text);
  }
  return { profiler, plain: false };
}

/** Every part's lines, without the header of the parts after the first (pass 1 checked it is the dataset's). */
async function* plainParts(parts: readonly DatasetPart[], header: boolean, delimiter: CsvDelimiter): AsyncGenerator<PlainLines> {
  for (const [i, part] of parts.entries()) {
    let skip = header && i > 0;
    for await (const batch of readPlainLines(await part.open(), delimiter)) {
      if (skip && batch.lines.length > 0) {
        skip = false;
        yield { lines: batch.lines.slice(1), numbers: batch.numbers.slice(1) };
      } else yield batch;
    }
  }
}

/** Every part's records, as plainParts does with lines. */
async function* csvParts(parts: readonly DatasetPart[], header: boolean, reading: CsvReading): AsyncGenerator<CsvRecord[]> {
  for (const [i, part] of parts.entries()) {
    let skip = header && i > 0;
    for await (const batch of inBatches(readCsv(await part.open(), reading))) {
      if (skip && batch.length > 0) {
        skip = false;
        yield batch.slice(1);
      } else yield batch;
    }
  }
}

/**
 * Pass 2 over every part: each row encoded into its channel as the schema says, with the reader
 * pass 1 ended on (plain, or csv-parse).
 */
export function splitParts(parts: readonly DatasetPart[], schema: SchemaDocument, plain: boolean, sinks: ChannelSinks): Promise<RowCounts> {
  const delimiter = schema.csv?.delimiter ?? ',';
  if (plain) return writeChannelsPlain(plainParts(parts, schema.header, delimiter), schema, sinks);
  return writeChannels(csvParts(parts, schema.header, { delimiter, delimiterSource: schema.csv?.delimiterSource ?? 'upload' }), schema, sinks);
}
