import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { UserError } from './errors';

// Channels as the 1.7-1 container reads them in File mode, for text/csv only:
// label in the first column, no header, empty cells are missing values.
// XGBoost's CSV parser silently turns junk into missing values, so the
// files are checked here first to fail with the row at fault.

export interface ChannelConfig {
  ContentType?: string;
  TrainingInputMode?: string;
}

/** The data_utils.get_content_type check, limited to what is emulated offline. */
export function checkChannelConfig(channel: string, config: ChannelConfig): void {
  if (config.TrainingInputMode === 'Pipe') {
    throw new UserError(`channel '${channel}' uses Pipe input mode; the offline SageMaker XGBoost emulation reads File (and FastFile) mode only`);
  }
  const contentType = config.ContentType;
  if (contentType === undefined) {
    // The container's default is libsvm.
    throw new UserError(`channel '${channel}' has no ContentType, which the container reads as libsvm; only text/csv is emulated offline, so set ContentType to text/csv`);
  }
  const [type = '', ...parameters] = contentType.toLowerCase().split(';').map((s) => s.trim());
  if (type !== 'csv' && type !== 'text/csv') {
    throw new UserError(`channel '${channel}' has ContentType '${contentType}'; only text/csv is emulated offline (libsvm, parquet and recordio-protobuf are not)`);
  }
  const labelSize = parameters.find((p) => p.startsWith('label_size='))?.split('=')[1];
  if (labelSize !== undefined && labelSize !== '1') {
    throw new UserError(`${contentType} is not an accepted csv ContentType. Optional parameter label_size must be equal to 1`);
  }
}

/** Every file under `dir`, recursively, sorted by path; names starting with '.' are skipped. */
export async function channelFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(full)).isDirectory());
    if (isDir) files.push(...(await channelFiles(full)));
    else files.push(full);
  }
  return files;
}

const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const MAX_SHOWN = 24;
const shown = (field: string) => `'${field.length > MAX_SHOWN ? `${field.slice(0, MAX_SHOWN)}...` : field}'`;

export interface CsvSummary {
  rows: number;
  /** Columns per row, label included. */
  columns: number;
}

/**
 * Checks label-first CSV files: the label (and weight, with csv_weights=1)
 * must be numbers, features numbers or empty, and every row as wide as the
 * first. Blank lines are skipped, as XGBoost does.
 */
export async function checkCsvFiles(channel: string, files: string[], weights: boolean, columns?: number): Promise<CsvSummary> {
  let rows = 0;
  let width = columns;
  for (const file of files) {
    const name = `${channel}/${path.basename(file)}`;
    let lineNumber = 0;
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      const fields = line.split(',');
      width ??= fields.length;
      if (fields.length !== width) {
        throw new UserError(`row ${lineNumber} of ${name} has ${fields.length} columns, expected ${width} (label first, then the features)`);
      }
      const required = weights ? 2 : 1;
      if (fields.length <= required) throw new UserError(`row ${lineNumber} of ${name} has no feature columns`);
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i]!;
        if (i >= required && field.trim() === '') continue;
        if (!NUMBER.test(field)) {
          const what = i === 0 ? 'the label' : i === 1 && weights ? 'the weight' : `feature ${i - required + 1}`;
          const hint = rows === 0 && lineNumber === 1 ? ' (the CSV must have no header row)' : '';
          throw new UserError(`row ${lineNumber} of ${name}: ${what} is not a number (got ${shown(field.trim())})${hint}`);
        }
      }
      rows++;
    }
  }
  return { rows, columns: width ?? 0 };
}
