import { Readable, pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { DatasetError } from '@mlops/common';

export interface CsvRecord {
  /** Trimmed fields (RFC 4180 quoting understood). */
  fields: string[];
  /** 1-based line of the file where the record ends. */
  line: number;
}

/**
 * Parses a CSV byte stream record by record; memory stays bounded by the parser's buffer.
 * Blank lines are skipped; ragged rows are reported by the caller (it knows the expected width).
 * Syntax errors become a DatasetError; errors of the source stream (network) stay as they are.
 */
export async function* readCsv(body: AsyncIterable<Uint8Array>): AsyncGenerator<CsvRecord> {
  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true });
  const source = Readable.from(body);
  // A failure of either stream destroys the parser, which ends the iteration below with that error.
  pipeline(source, parser, () => undefined);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { fields: record, line: info.lines };
    }
  } catch (error) {
    if (error instanceof CsvError) throw new DatasetError(`the file is not valid CSV: ${error.message}`, { cause: error });
    throw error;
  } finally {
    source.destroy();
    parser.destroy();
  }
}
