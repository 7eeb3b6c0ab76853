/**
 * The two modes of the preprocess container (README), each over one instance's shard of a dataset's
 * parts, with mlops_ingest's own passes: `profile` writes the shard's pass-1 state for the merge,
 * `split` encodes the shard's rows into the channels the merged schema says. No side effects at
 * import: main.ts runs a mode, tests call them directly.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROCESSING_PATHS, type SplitCounts } from '@mlops/common';
import {
  CHANNELS,
  DatasetError,
  FileChannelWriter,
  NotPlainCsvError,
  PreprocessRequestSchema,
  Profiler,
  SchemaDocumentSchema,
  profileParts,
  splitParts,
  type Channel,
  type DatasetPart,
  type PreprocessRequest,
  type ProfileState,
  type RowCounts,
} from '@mlops/mlops_ingest/processing';

export const MODES = ['profile', 'split'] as const;

/** SageMaker keeps at most this much of /opt/ml/output/message as the job's ExitMessage. */
export const MAX_MESSAGE_BYTES = 1024;

const OPT_ML = '/opt/ml';

/** Where a container path is: the offline SageMaker gives every instance its own root in SAGEMAKER_BASE_DIR. */
export function localPath(baseDir: string, containerPath: string): string {
  return path.join(baseDir, path.posix.relative(OPT_ML, containerPath));
}

/** The instance's name (`algo-1`, `algo-2`...), from the resource config SageMaker Processing writes on every instance. */
export async function currentHost(baseDir: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path.join(baseDir, 'config/resourceconfig.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'algo-1'; // a local run by hand
    throw error;
  }
  const host = (JSON.parse(text) as { current_host?: unknown }).current_host;
  if (typeof host !== 'string' || host === '') throw new Error(`${OPT_ML}/config/resourceconfig.json has no current_host`);
  return host;
}

/** A JSON file of the contract, parsed; a message names the container path, which is what the job's owner knows. */
async function readJson<T>(baseDir: string, containerPath: string, parse: (value: unknown) => T): Promise<T> {
  const text = await readFile(localPath(baseDir, containerPath), 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${containerPath} is not JSON: ${(error as Error).message}`);
  }
  try {
    return parse(value);
  } catch (error) {
    const issues = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
    if (!issues) throw error;
    throw new Error(`${containerPath} is not valid: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

/**
 * The instance's shard: every file under the parts folder, in S3 key order (their paths' UTF-8 bytes,
 * which is what ShardedByS3Key and the Lambda path's listing follow), named by that relative path.
 */
export async function shardParts(baseDir: string): Promise<DatasetPart[]> {
  const dir = localPath(baseDir, PROCESSING_PATHS.parts);
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // a shard with no objects
    throw error;
  }
  const names = entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return names.map((name) => ({ name, open: async () => createReadStream(path.join(dir, name)) }));
}

const readRequest = (baseDir: string): Promise<PreprocessRequest> =>
  readJson(baseDir, `${PROCESSING_PATHS.request}/request.json`, (v) => PreprocessRequestSchema.parse(v));

/** `profile`: the shard's pass-1 state in profile-<host>.json (an empty shard's state has no rows, and the merge skips it). */
export async function runProfile(baseDir: string): Promise<{ host: string; parts: number; state: ProfileState }> {
  const [host, request, parts] = await Promise.all([currentHost(baseDir), readRequest(baseDir), shardParts(baseDir)]);
  // Parts are always named: the merge's messages must say which part, whichever instance read it.
  const profiler = parts.length > 0 ? (await profileParts(parts, request.profile, { nameParts: true })).profiler : new Profiler(request.profile);
  const state = profiler.state();
  const dir = localPath(baseDir, PROCESSING_PATHS.profiles);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `profile-${host}.json`), JSON.stringify(state));
  return { host, parts: parts.length, state };
}

/**
 * `split`: the shard's rows into <channel>/<channel>-<host>.csv as the merged schema says, and
 * counts/<host>.json for the check that every row landed. Plain CSV first; a shard with quotes is read
 * again with csv-parse (the writers delete their files when a pass fails, so the second starts clean).
 */
export async function runSplit(baseDir: string): Promise<{ host: string; parts: number; counts: SplitCounts }> {
  const [host, schema, parts] = await Promise.all([
    currentHost(baseDir),
    readJson(baseDir, `${PROCESSING_PATHS.schema}/schema.json`, (v) => SchemaDocumentSchema.parse(v)),
    shardParts(baseDir),
  ]);
  const output = localPath(baseDir, PROCESSING_PATHS.output);
  const file = (channel: Channel) => path.join(output, channel, `${channel}-${host}.csv`);
  await Promise.all(CHANNELS.map((channel) => mkdir(path.join(output, channel), { recursive: true })));
  const sinks = (channel: Channel) => new FileChannelWriter(file(channel));
  let rows: RowCounts;
  try {
    rows = await splitParts(parts, schema, true, sinks);
  } catch (error) {
    if (!(error instanceof NotPlainCsvError)) throw error;
    rows = await splitParts(parts, schema, false, sinks);
  }
  // An empty channel file would be an empty S3 object among the channel's parts: leave none.
  await Promise.all(CHANNELS.filter((c) => rows[c] === 0).map((c) => rm(file(c), { force: true })));
  const counts: SplitCounts = { host, rows: { train: rows.train, validation: rows.validation, test: rows.test } };
  await mkdir(path.join(output, 'counts'), { recursive: true });
  await writeFile(path.join(output, 'counts', `${host}.json`), JSON.stringify(counts));
  return { host, parts: parts.length, counts };
}

/** The start of `text` that fits in `bytes` of UTF-8, never cutting a character (an invalid message fails the job otherwise). */
export function clipUtf8(text: string, bytes = MAX_MESSAGE_BYTES): string {
  const buffer = Buffer.from(text);
  if (buffer.length <= bytes) return text;
  let end = bytes;
  while (end > 0 && (buffer[end]! & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString();
}

/** The job's ExitMessage: a rejection of the data as mlops_ingest words it, anything else with its error's name. */
export function failureMessage(error: unknown): string {
  if (error instanceof DatasetError) return clipUtf8(error.message);
  return clipUtf8(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}

/**
 * Runs a mode as the container does: one line of counts on success (exit code 0), or the failure in
 * <base>/output/message and on stderr (exit code 1).
 */
export async function runMode(mode: string | undefined, baseDir: string): Promise<number> {
  try {
    if (mode === 'profile') {
      const { host, parts, state } = await runProfile(baseDir);
      console.log(`profile: ${state.dataRows} rows, ${parts} parts, host ${host}`);
    } else if (mode === 'split') {
      const { host, parts, counts } = await runSplit(baseDir);
      const { train, validation, test } = counts.rows;
      console.log(`split: train=${train} validation=${validation} test=${test} rows, ${parts} parts, host ${host}`);
    } else throw new Error(`usage: preprocess.js ${MODES.join('|')} (got ${mode === undefined ? 'no mode' : `'${mode}'`})`);
    return 0;
  } catch (error) {
    const message = failureMessage(error);
    try {
      await mkdir(path.join(baseDir, 'output'), { recursive: true });
      await writeFile(path.join(baseDir, 'output/message'), message);
    } catch (writeError) {
      console.error(`could not write ${OPT_ML}/output/message: ${(writeError as Error).message}`);
    }
    console.error(message);
    return 1;
  }
}
