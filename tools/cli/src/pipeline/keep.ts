/**
 * Keeps each `pnpm pipeline` run: one folder per run, `<outDir>/<family>/<UTC timestamp>-<runId>/`, with the
 * report and, in `artifacts/`, copies of what the run left in the offline stack's S3 (which goes away when the
 * temporary stack closes): the model, the dataset's schema and the family's, both transforms' predictions, the
 * evaluation report and the run record. A failed run keeps whatever exists.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { isMissingS3Object, parseS3Uri, s3Uri, type PipelineState } from '@mlops/common';

/** `2025-03-01T10:04:12.345Z` → `20250301T100412Z`: sorts by time, safe in any file system. */
export function utcStamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** A run's folder name: `<UTC timestamp>-<runId>`, so a family's runs list oldest first and the same dataset twice is two runs. */
export function runFolderName(startedAt: Date, runId: string): string {
  return `${utcStamp(startedAt)}-${runId}`;
}

/**
 * `<outDir>/<family>/<UTC timestamp>-<runId>/`; a folder that already exists (two runs of the same dataset in
 * the same second) gets `-2`, `-3`…, so no run ever overwrites another's.
 */
export async function runFolder(outDir: string, family: string, startedAt: Date, runId: string): Promise<string> {
  const base = join(outDir, family, runFolderName(startedAt, runId));
  for (let i = 1; ; i++) {
    const dir = i === 1 ? base : `${base}-${i}`;
    const exists = await stat(dir).then(
      () => true,
      () => false,
    );
    if (!exists) return dir;
  }
}

/** One thing a run left in S3 that is worth keeping: an object, or the `.out` objects under a prefix. */
export interface ArtifactSource {
  name: 'model' | 'schema' | 'family-schema' | 'predictions' | 'champion-predictions' | 'evaluation' | 'run-record';
  /** An object's URI, or a prefix's (ending in `/`) whose `.out` objects are kept. */
  uri: string;
  /** Where it goes, relative to the run's `artifacts/` folder (a folder for a prefix). */
  path: string;
  /** Absent from a run that stopped early or a family's first model; not an error when missing. */
  optional: boolean;
}

/** What was kept: one entry per file, its source and where it is relative to the run's folder. */
export interface KeptArtifact {
  name: ArtifactSource['name'];
  source: string;
  path: string;
  bytes: number;
}

export interface KeptArtifacts {
  kept: KeptArtifact[];
  /** Sources that did not exist (a run that stopped before writing them), and sources that could not be read. */
  missing: { name: ArtifactSource['name']; source: string }[];
  failed: { name: ArtifactSource['name']; source: string; error: string }[];
}

const asPrefix = (uri: string) => (uri.endsWith('/') ? uri : `${uri}/`);

/**
 * What a run's state document points to. `familiesPrefix` is the stage's FAMILIES_PREFIX; the run record is
 * `<runPrefix>run.json` (written by mlops_record when the run ends, either way), the evaluation report
 * `<runPrefix>evaluation/report.json` even when the Evaluate step itself failed after writing it.
 */
export function runArtifacts(state: PipelineState | undefined, options: { bucket: string; familiesPrefix?: string }): ArtifactSource[] {
  if (!state) return [];
  const out: ArtifactSource[] = [];
  const model = state.trainingPoll?.outputs.modelArtifacts;
  if (model) out.push({ name: 'model', uri: model, path: 'model.tar.gz', optional: false });
  out.push({ name: 'schema', uri: state.dataset.schema, path: 'schema.json', optional: false });
  out.push({ name: 'family-schema', uri: s3Uri(options.bucket, `${options.familiesPrefix ?? 'families/'}${state.family}/schema.json`), path: 'family-schema.json', optional: true });
  const predictions = state.transforms?.challenger.outputs.transformOutput ?? state.batch?.transformOutput;
  if (predictions) out.push({ name: 'predictions', uri: asPrefix(predictions), path: 'predictions/challenger/', optional: true });
  const champion = state.batch?.champion?.transformOutput;
  if (champion) out.push({ name: 'champion-predictions', uri: asPrefix(champion), path: 'predictions/champion/', optional: true });
  out.push({ name: 'evaluation', uri: state.evaluation?.reportUri ?? `${asPrefix(state.runPrefix)}evaluation/report.json`, path: 'evaluation.json', optional: state.evaluation === undefined });
  out.push({ name: 'run-record', uri: `${asPrefix(state.runPrefix)}run.json`, path: 'run.json', optional: true });
  return out;
}

async function listOut(s3: S3Client, prefixUri: string): Promise<string[]> {
  const { bucket, key } = parseS3Uri(prefixUri);
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key?.endsWith('.out')) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

async function download(s3: S3Client, uri: string, file: string): Promise<number> {
  const { bucket, key } = parseS3Uri(uri);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await mkdir(dirname(file), { recursive: true });
  const body = object.Body;
  const source = body instanceof Readable ? body : Readable.from((body ?? []) as AsyncIterable<Uint8Array>);
  await pipeline(source, createWriteStream(file));
  return (await stat(file)).size;
}

/** Keeps a file's path inside `root`: an object key with `..` must not write elsewhere. */
function inside(root: string, path: string): string {
  const file = join(root, path);
  const rel = relative(root, file);
  if (rel.startsWith('..') || rel.startsWith(sep)) throw new Error(`refusing to write outside ${root}: ${path}`);
  return file;
}

/** Copies every source into `<runDir>/artifacts/`; what does not exist is listed as missing, never an error. */
export async function keepArtifacts(s3: S3Client, sources: readonly ArtifactSource[], runDir: string): Promise<KeptArtifacts> {
  const root = join(runDir, 'artifacts');
  const result: KeptArtifacts = { kept: [], missing: [], failed: [] };
  const keep = async (source: ArtifactSource, uri: string, path: string) => {
    const file = inside(root, path);
    const bytes = await download(s3, uri, file);
    result.kept.push({ name: source.name, source: uri, path: relative(runDir, file).split(sep).join('/'), bytes });
  };
  for (const source of sources) {
    try {
      if (source.uri.endsWith('/')) {
        const keys = await listOut(s3, source.uri);
        const { bucket, key: prefix } = parseS3Uri(source.uri);
        if (keys.length === 0) result.missing.push({ name: source.name, source: source.uri });
        for (const key of keys) await keep(source, s3Uri(bucket, key), `${source.path}${key.slice(prefix.length)}`);
      } else {
        await keep(source, source.uri, source.path);
      }
    } catch (error) {
      if (isMissingS3Object(error)) result.missing.push({ name: source.name, source: source.uri });
      else result.failed.push({ name: source.name, source: source.uri, error: (error as Error).message });
    }
  }
  return result;
}
