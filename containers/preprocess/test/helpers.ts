// Instance roots laid out as SageMaker Processing lays out /opt/ml, and the two datasets the tests use.
import { createReadStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_NA_VALUES, PROCESSING_PATHS } from '@mlops/common';
import { CHANNELS, FileChannelWriter, splitParts, type DatasetPart, type PreprocessRequest, type RowCounts, type SchemaDocument } from '@mlops/mlops_ingest/processing';
import { LOCAL_FUNCTION_ENVIRONMENTS } from '@mlops/testing';
import { localPath } from '../src/preprocess';

export interface Part {
  name: string;
  text: string;
}

const stage = LOCAL_FUNCTION_ENVIRONMENTS.mlops_ingest;

function request(profile: Partial<PreprocessRequest['profile']>): PreprocessRequest {
  return {
    version: 1,
    parts: [],
    profile: {
      source: { bucket: 'mlops-local-data', key: 'incoming/test/dataset/', etag: 'e' },
      dialect: { delimiter: ',', delimiterSource: 'detected', header: false, headerSource: 'stage' },
      naValues: [...DEFAULT_NA_VALUES],
      drop: [],
      target: stage.LABEL_COLUMN,
      problemType: 'regression',
      maxClasses: 100,
      ratios: stage.SPLIT_RATIOS.split(',').map(Number),
      seed: 42,
      ...profile,
    },
    overrides: {},
  };
}

/** data/abalone.csv in `count` parts, as the local stage reads it: no header, its columnNames, the last column (rings) the regression target. */
export function abalone(count: number): { parts: Part[]; request: PreprocessRequest } {
  const lines = readFileSync(path.join(__dirname, '../../../data/abalone.csv'), 'utf8').trimEnd().split('\n');
  const size = Math.ceil(lines.length / count);
  const parts = Array.from({ length: count }, (_, i) => ({ name: `part-${String(i).padStart(5, '0')}.csv`, text: `${lines.slice(i * size, (i + 1) * size).join('\n')}\n` }));
  return { parts, request: request({ columnNames: stage.COLUMN_NAMES.split(',') }) };
}

export const CLASSES_HEADER = 'width,height,colour,shape';

/** A classification CSV with a header in every part: two numeric features (some missing), a category, the class last. */
export function classes(count: number, rowsPerPart = 120): { parts: Part[]; request: PreprocessRequest } {
  const colours = ['red', 'green', 'blue'];
  const shapes = ['circle', 'square', 'triangle'];
  const parts = Array.from({ length: count }, (_, p) => {
    const rows = Array.from({ length: rowsPerPart }, (_, r) => {
      const i = p * rowsPerPart + r;
      const width = i % 17 === 0 ? 'NA' : ((i * 37) % 101) / 10;
      return `${width},${(i * 13) % 29},${colours[(i * 7) % 3]},${shapes[(i * 5 + (i % 4)) % 3]}`;
    });
    return { name: `shapes/part-${String(p).padStart(5, '0')}.csv`, text: `${CLASSES_HEADER}\n${rows.join('\n')}\n` };
  });
  return { parts, request: request({ dialect: { delimiter: ',', delimiterSource: 'detected', header: true, headerSource: 'detected' }, target: 'shape', problemType: 'classification' }) };
}

/** Parts i mod `instances`, as ShardedByS3Key deals the run's manifest to the instances. */
export function shard<T>(parts: readonly T[], instances: number): T[][] {
  return Array.from({ length: instances }, (_, host) => parts.filter((_, i) => i % instances === host));
}

const roots: string[] = [];
export const removeRoots = () => Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  roots.push(dir);
  return dir;
}

async function put(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

/** One instance's /opt/ml: resourceconfig.json, request.json, its shard of the parts and (split) the merged schema. */
export async function instanceRoot(host: string, hosts: readonly string[], request: PreprocessRequest, parts: readonly Part[], schema?: SchemaDocument): Promise<string> {
  const root = await tempDir(`preprocess-${host}-`);
  await put(path.join(root, 'config/resourceconfig.json'), JSON.stringify({ current_host: host, current_instance_type: 'ml.m5.xlarge', hosts, network_interface_name: 'eth0' }));
  await put(path.join(localPath(root, PROCESSING_PATHS.request), 'request.json'), JSON.stringify(request));
  await mkdir(localPath(root, PROCESSING_PATHS.parts), { recursive: true });
  for (const part of parts) await put(path.join(localPath(root, PROCESSING_PATHS.parts), part.name), part.text);
  if (schema) await put(path.join(localPath(root, PROCESSING_PATHS.schema), 'schema.json'), JSON.stringify(schema));
  return root;
}

/** Parts as the Lambda path's passes read them (for the single-pass reference), in key order. */
export async function datasetParts(parts: readonly Part[]): Promise<DatasetPart[]> {
  const dir = await tempDir('preprocess-all-');
  for (const part of parts) await put(path.join(dir, part.name), part.text);
  return parts.map((part) => ({ name: part.name, open: async () => createReadStream(path.join(dir, part.name)) }));
}

/** A single splitParts over all parts into files: each channel's rows, sorted. */
export async function referenceChannels(parts: readonly DatasetPart[], schema: SchemaDocument, plain: boolean): Promise<{ rows: RowCounts; channels: Record<string, string[]> }> {
  const dir = await tempDir('preprocess-reference-');
  const rows = await splitParts(parts, schema, plain, (channel) => new FileChannelWriter(path.join(dir, `${channel}.csv`)));
  const channels = Object.fromEntries(await Promise.all(CHANNELS.map(async (c) => [c, lines(await readFile(path.join(dir, `${c}.csv`), 'utf8'))] as const)));
  return { rows, channels };
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

/** The channel files the instances wrote, unioned and sorted by channel; and every file found under their outputs. */
export async function instanceChannels(roots: readonly string[]): Promise<{ channels: Record<string, string[]>; files: string[] }> {
  const channels: Record<string, string[]> = Object.fromEntries(CHANNELS.map((c) => [c, []]));
  const files: string[] = [];
  for (const root of roots) {
    const output = localPath(root, PROCESSING_PATHS.output);
    for (const channel of CHANNELS) {
      const dir = path.join(output, channel);
      for (const name of await readdir(dir)) {
        files.push(`${channel}/${name}`);
        channels[channel]!.push(...lines(await readFile(path.join(dir, name), 'utf8')));
      }
    }
  }
  for (const channel of CHANNELS) channels[channel]!.sort();
  return { channels, files: files.sort() };
}

export const sortedChannels = (channels: Record<string, string[]>) => Object.fromEntries(Object.entries(channels).map(([c, rows]) => [c, [...rows].sort()]));
