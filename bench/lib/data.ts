/**
 * Generated datasets, cached under .local/bench/data: deterministic (a seeded LCG), written once.
 * Rows come from a pool of 65,536 distinct rows, so generating a gigabyte takes seconds. A dataset of
 * parts (the scale path's) is written where the caller says and not cached: it is large, and the
 * caller deletes it.
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { WORK } from './paths';
import { lcg, putGenerated } from './s3';

const DATA = join(WORK, 'data');
const POOL = 65_536;

function writeFile(name: string, rowsFor: (random: () => number) => string[], fill: (pool: string[], random: () => number, write: (text: string) => boolean) => void): string {
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, name);
  if (existsSync(file)) return file;
  const random = lcg(20_240_601);
  const pool = rowsFor(random);
  const temp = `${file}.partial`;
  const fd = openSync(temp, 'w');
  let buffer: string[] = [];
  let size = 0;
  const flush = () => {
    writeSync(fd, buffer.join(''));
    buffer = [];
    size = 0;
  };
  fill(pool, random, (text) => {
    buffer.push(text);
    size += text.length;
    if (size >= 8 << 20) flush();
    return true;
  });
  flush();
  closeSync(fd);
  renameSync(temp, file);
  return file;
}

/** The pool of abalone-like rows (sex, seven measurements, rings; no header), each ending in LF. */
function abalonePool(random: () => number): string[] {
  return Array.from({ length: POOL }, () => {
    // Written as the sample (data/abalone.csv) writes numbers: shortest form, no trailing zeros.
    const fixed = (x: number, digits: number) => String(Number(x.toFixed(digits)));
    const length = 0.075 + random() * 0.74;
    const sex = ['M', 'F', 'I'][Math.floor(random() * 3)];
    const cells = [sex, fixed(length, 3), fixed(length * 0.8, 3), fixed(random() * 0.25, 3), fixed(random() * 2.8, 4), fixed(random() * 1.4, 4), fixed(random() * 0.7, 4), fixed(random(), 3)];
    return `${cells.join(',')},${1 + Math.floor(random() * 29)}\n`;
  });
}

/** An abalone-like CSV (sex, seven measurements, rings; no header) of about `megabytes` MiB. */
export function abaloneCsv(megabytes: number): string {
  const target = megabytes * 1024 * 1024;
  return writeFile(`abalone-like-${megabytes}MiB.csv`, abalonePool, (pool, random, write) => {
    let written = 0;
    while (written < target) {
      const row = pool[Math.floor(random() * POOL)]!;
      write(row);
      written += row.length;
    }
  });
}

export interface GeneratedParts {
  /** part-00000.csv, part-00001.csv, ... in key order. */
  files: string[];
  bytes: number;
  rows: number;
}

/**
 * The same abalone-like rows as a dataset of `parts` files in `dir` (part-00000.csv...), about
 * `megabytes` MiB in all (each part about megabytes / parts MiB, ending at a row's end): the shape
 * of data/abalone.csv, header-less, 9 columns, the regression label last. Not cached.
 */
export function abaloneCsvParts(dir: string, megabytes: number, parts: number): GeneratedParts {
  mkdirSync(dir, { recursive: true });
  const random = lcg(20_240_601);
  const pool = abalonePool(random);
  const target = (megabytes * 1024 * 1024) / parts;
  const files: string[] = [];
  let bytes = 0;
  let rows = 0;
  for (let p = 0; p < parts; p++) {
    const file = join(dir, `part-${String(p).padStart(5, '0')}.csv`);
    const fd = openSync(file, 'w');
    let buffer: string[] = [];
    let size = 0;
    let written = 0;
    while (written < target) {
      const row = pool[Math.floor(random() * POOL)]!;
      buffer.push(row);
      size += row.length;
      written += row.length;
      rows++;
      if (size >= 8 << 20) {
        writeSync(fd, buffer.join(''));
        buffer = [];
        size = 0;
      }
    }
    writeSync(fd, buffer.join(''));
    closeSync(fd);
    files.push(file);
    bytes += written;
  }
  return { files, bytes, rows };
}

/** Batch transform output as mlops_eval reads it: `label,prediction` lines. */
export function predictionsCsv(rows: number): string {
  return writeFile(
    `predictions-${rows}.csv.out`,
    (random) =>
      Array.from({ length: POOL }, () => {
        const label = 1 + Math.floor(random() * 29);
        return `${label},${(label + (random() - 0.5) * 6).toFixed(6)}\n`;
      }),
    (pool, random, write) => {
      for (let i = 0; i < rows; i++) write(pool[Math.floor(random() * POOL)]!);
    },
  );
}

/** Uploads a file with a multipart upload of 16 MiB parts (read one at a time). */
export async function uploadFile(s3: S3Client, bucket: string, key: string, file: string, options: { contentType?: string; metadata?: Record<string, string> } = {}): Promise<{ bytes: number; etag: string }> {
  const size = statSync(file).size;
  const partSize = 16 << 20;
  const fd = openSync(file, 'r');
  try {
    return await putGenerated(
      s3,
      bucket,
      key,
      (index) => {
        const offset = index * partSize;
        if (offset >= size) return undefined;
        const buffer = Buffer.allocUnsafe(Math.min(partSize, size - offset));
        readSync(fd, buffer, 0, buffer.length, offset);
        return buffer;
      },
      options,
    );
  } finally {
    closeSync(fd);
  }
}
