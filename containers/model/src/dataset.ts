import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { CsvFieldError, parseNumbers } from './csv';
import { DataError } from './errors';
import type { Dataset } from './model';

/** Returns why a label is unusable, or undefined if it is fine. */
export type LabelCheck = (label: number) => string | undefined;

/** Every regular file under dir, recursively, in a stable order; hidden files (e.g. .ipynb_checkpoints, .DS_Store) are skipped. */
export async function listDataFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const hidden = (file: string) => path.relative(dir, file).split(path.sep).some((part) => part.startsWith('.'));
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !hidden(file))
    .sort();
}

/**
 * Parses one label-first CSV row; `where` prefixes error messages.
 * `featureCount`, when known, is the count every row must have.
 */
export function parseLabelledRow(
  line: string,
  where: string,
  checkLabel: LabelCheck,
  featureCount: number | undefined,
): { label: number; features: number[] } {
  let values: number[];
  try {
    values = parseNumbers(line);
  } catch (error) {
    if (!(error instanceof CsvFieldError)) throw error;
    const field = error.index === 0 ? 'label' : `feature ${error.index}`;
    throw new DataError(`${where}: ${field} ${error.reason}`);
  }
  const [label, ...features] = values as [number, ...number[]];
  if (features.length === 0) throw new DataError(`${where}: no features, only a label (the label comes first)`);
  if (featureCount !== undefined && features.length !== featureCount) {
    throw new DataError(`${where}: expected ${featureCount} features, got ${features.length}`);
  }
  const problem = checkLabel(label);
  if (problem !== undefined) throw new DataError(`${where}: ${problem}`);
  return { label, features };
}

/**
 * Streams every file of a channel directory into memory as label-first CSV;
 * a missing directory reads as no rows. Lines are read one at a time, so only
 * the parsed numbers are held.
 * `featureCount` is required of every row when given (validation must match train).
 */
export async function readChannel(
  channel: string,
  dir: string,
  checkLabel: LabelCheck,
  featureCount?: number,
): Promise<Dataset> {
  const files = await listDataFiles(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  });
  const dataset: Dataset = { features: [], labels: [] };
  let width = featureCount;
  for (const file of files) {
    const name = `${channel}/${path.relative(dir, file).split(path.sep).join('/')}`;
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    let row = 0;
    for await (const line of lines) {
      row++;
      if (line.trim() === '') continue;
      const parsed = parseLabelledRow(line, `row ${row} of ${name}`, checkLabel, width);
      width ??= parsed.features.length;
      dataset.features.push(parsed.features);
      dataset.labels.push(parsed.label);
    }
  }
  return dataset;
}
