/**
 * mlops_ingest: for every uploaded CSV in an S3 event, profile it, split it into the run's
 * train/validation/test channels and start the pipeline execution.
 *
 * Unusable uploads are rejected (logged, recorded, no execution) without throwing, since S3
 * would only redeliver the same bytes. AWS failures throw, so Lambda's async retry redelivers
 * the event; every step is idempotent (same upload → same run id, same channel bytes, same
 * execution name).
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { SFNClient } from '@aws-sdk/client-sfn';
import {
  DATASET_MARKER,
  DatasetError,
  incomingKey,
  isDatasetPart,
  type DatasetPartRef,
  type PreprocessStep,
  type RejectionRecord,
  rejectionKey,
  InputValidationError,
  decodeS3EventKey,
  familyOfKey,
  isMissingS3Object,
  isS3PreconditionFailed,
  retrainRunIdFor,
  runIdFor,
  s3Uri,
  type BatchOperationsInvocation,
  type BatchOperationsResponse,
  type IngestConfig,
  type IngestEvent,
  type IngestOutput,
  type PipelineInput,
  type RetrainRequest,
  type S3EventInput,
} from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { answerBatchOperations } from './batch-operations';
import { ChannelWriter } from './channel-writer';
import { profileParts, splitParts, type DatasetPart } from './dataset';
import { detectDialect, peek, type Dialect } from './dialect';
import { MissingValues } from './missing';
import { startPipeline } from './execution';
import { assertFitsFamily, establishFamilySchema, familySchemaKey, familySchemaOf, readFamilySchema } from './family-schema';
import { uploadOptions, type UploadOptions } from './options';
import { preprocessKeys, preprocessStep, startPreprocessing, usesProcessing, type RunCompletion } from './preprocess';
import { PreprocessRequestSchema, partName, type PreprocessRequest } from './preprocess-request';
import type { ProfileOptions } from './profile';
import { SchemaDocumentSchema, resolveTarget, type Channel, type SchemaDocument } from './schema';

export interface IngestDeps {
  s3: S3Client;
  sfn: SFNClient;
  /** The scale path's processing jobs (the preprocess state machine's steps). */
  sageMaker?: SageMakerClient;
  config: IngestConfig;
  now?: () => Date;
}

interface Upload {
  bucket: string;
  key: string;
  size?: number;
  eTag?: string;
  versionId?: string;
  /** A retraining's tick: the run is named after it (retrainRunIdFor), not after the upload alone. */
  retrainTick?: string;
}

type Outcome =
  | { kind: 'run'; run: IngestOutput['runs'][number] }
  | { kind: 'skipped'; key: string; reason: string }
  | { kind: 'rejected'; key: string; reason: string };

/** Decodes every key before any AWS call, so a malformed event costs nothing and names its field. */
function uploadsOf(event: S3EventInput): Upload[] {
  return event.Records.map(({ s3 }, i) => {
    let key: string;
    try {
      key = decodeS3EventKey(s3.object.key);
    } catch {
      throw new InputValidationError('mlops_ingest input', [{ path: `Records.${i}.s3.object.key`, message: 'is not a valid URL-encoded S3 key' }]);
    }
    return { bucket: s3.bucket.name, key, size: s3.object.size, eTag: s3.object.eTag, versionId: s3.object.versionId };
  });
}

/** Uploads this function must not process (the S3 notification filter already excludes most in AWS). */
function skipReason(upload: Upload, config: IngestConfig): string | undefined {
  if (upload.key.endsWith('/')) return 'folder marker, not a file';
  if (!upload.key.startsWith(config.INCOMING_PREFIX)) return `not under the incoming prefix ${config.INCOMING_PREFIX}`;
  const kind = incomingKey(upload.key, config.INCOMING_PREFIX);
  if (kind.kind === 'part') return `a part of the folder dataset ${kind.folder}: its ${DATASET_MARKER} marker starts the run`;
  // A marker is usually empty: its parts are the data.
  if (kind.kind === 'marker') return undefined;
  if (!upload.key.endsWith('.csv')) return 'not a .csv file';
  if (upload.size === 0) return 'empty object (0 bytes)';
  return undefined;
}

const unquote = (etag: string) => etag.replace(/"/g, '');

/**
 * Rejection reasons quote the upload (a label, a header, the column names), so they are capped: the
 * function's result must stay under the 256 KiB payload check and a log event under CloudWatch's limit.
 */
export const MAX_REASON_CHARS = 1000;
export function boundedReason(reason: string): string {
  if (reason.length <= MAX_REASON_CHARS) return reason;
  return `${reason.slice(0, MAX_REASON_CHARS)}... (${reason.length - MAX_REASON_CHARS} more characters)`;
}

interface RunLayout {
  /** The run's key prefix, `<RUNS_PREFIX><runId>/`. */
  runKey: string;
  channelKeys: Record<Channel, string>;
  schemaKey: string;
}

function runLayout(config: IngestConfig, runId: string): RunLayout {
  const run = `${config.RUNS_PREFIX}${runId}/`;
  return {
    runKey: run,
    channelKeys: { train: `${run}data/train/train.csv`, validation: `${run}data/validation/validation.csv`, test: `${run}data/test/test.csv` },
    schemaKey: `${run}data/schema.json`,
  };
}

/** The schema of an earlier complete split of this upload (a duplicate delivery), if there is one. */
async function existingSchema(s3: S3Client, bucket: string, key: string): Promise<SchemaDocument | undefined> {
  let text: string;
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = await response.Body!.transformToString();
  } catch (error) {
    if (isMissingS3Object(error)) return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = SchemaDocumentSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  // Only this function writes it, so an unreadable one is a leftover from another version: split again.
  logger.warn('existing schema.json is not a valid schema; splitting again', { key });
  return undefined;
}

/**
 * A reused split must be the one these options would produce; otherwise the run would train on
 * something else. A schema.json of a release before `csv` is compared on what it records.
 */
function assertReusable(schema: SchemaDocument, options: UploadOptions, config: IngestConfig): void {
  const { csv } = schema;
  // The file's names, dropped columns in their places: a target index counts them.
  const names = [...schema.columns].sort((a, b) => a.index - b.index).map((c) => c.name);
  for (const { name, index } of csv?.dropped ?? []) names.splice(index, 0, name);
  const list = (values: readonly string[]) => `[${values.join(',')}]`;
  type Compared = Record<string, string | number | boolean>;
  const wanted: Compared = {
    ...(options.header ? { header: options.header.present } : {}),
    problemType: options.problemType,
    label: resolveTarget(options.target, names),
    split: `${config.SPLIT_RATIOS.join(',')} seed ${config.SPLIT_SEED}`,
  };
  const had: Compared = {
    header: schema.header,
    problemType: schema.label.problemType,
    label: names.indexOf(schema.label.name),
    split: `${schema.split.ratios.join(',')} seed ${schema.split.seed}`,
  };
  if (csv) {
    if (options.delimiter) wanted.delimiter = options.delimiter;
    wanted.naValues = list(options.naValues);
    wanted.drop = list([...options.drop].sort());
    Object.assign(had, { delimiter: csv.delimiter, naValues: list(csv.naValues), drop: list(csv.dropped.map((d) => d.name).sort()) });
  }
  const changed = Object.keys(wanted).filter((k) => wanted[k] !== had[k]);
  if (changed.length > 0) {
    throw new DatasetError(
      `this upload was already split with other options (${changed.map((k) => `${k}: ${had[k]} then, ${wanted[k]} now`).join('; ')}); upload under a new key to run it again`,
    );
  }
}

/** The files of a dataset: the upload itself, or a folder dataset's parts (their names in messages below the folder). */
interface DatasetFiles {
  bucket: string;
  parts: DatasetPartRef[];
  /** A folder dataset's folder; undefined for a single file. */
  folder?: string;
  /** A single file's version (a folder's parts are pinned by ETag alone). */
  versionId?: string;
}

/** Every CSV part under a folder dataset, in key order (a part of 0 bytes has no rows and is left out). */
async function listParts(s3: S3Client, bucket: string, folder: string): Promise<DatasetPartRef[]> {
  const parts: DatasetPartRef[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (isDatasetPart(o.Key!) && (o.Size ?? 0) > 0) parts.push({ key: o.Key!, etag: unquote(o.ETag ?? ''), size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return parts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function datasetParts(files: DatasetFiles, s3: S3Client): DatasetPart[] {
  return files.parts.map((ref) => ({
    name: files.folder ? partName(ref.key, files.folder) : ref.key,
    // If-Match pins every read to the bytes the listing (or HeadObject) described.
    open: async () => {
      const response = await s3.send(new GetObjectCommand({ Bucket: files.bucket, Key: ref.key, VersionId: files.versionId, IfMatch: `"${ref.etag}"` }));
      return response.Body as AsyncIterable<Uint8Array>;
    },
  }));
}

/** The dialect from the first part's first bytes, and that part's stream, to read on from there. */
async function firstPartDialect(part: DatasetPart, options: UploadOptions): Promise<{ dialect: Dialect; body: AsyncIterable<Uint8Array> }> {
  const first = await peek(await part.open());
  try {
    return { dialect: detectDialect(first.sample, first.complete, { ...options, missing: new MissingValues(options.naValues) }), body: first.body };
  } catch (error) {
    await first.cancel();
    throw error;
  }
}

function profileOptionsFor(files: DatasetFiles, source: PipelineInput['source'], dialect: Dialect, options: UploadOptions, config: IngestConfig): ProfileOptions {
  return {
    source: { bucket: source.bucket, key: source.key, etag: source.etag },
    dialect,
    naValues: options.naValues,
    drop: options.drop,
    target: options.target,
    problemType: options.problemType,
    ...(config.COLUMN_NAMES ? { columnNames: config.COLUMN_NAMES } : {}),
    maxClasses: config.MAX_CLASSES,
    ratios: config.SPLIT_RATIOS,
    seed: config.SPLIT_SEED,
  };
}

/** The Lambda path: both passes here, over every part, then schema.json. */
async function splitDataset(
  files: DatasetFiles,
  source: PipelineInput['source'],
  options: UploadOptions,
  layout: RunLayout,
  deps: IngestDeps,
  checkFits: (schema: SchemaDocument) => void,
): Promise<SchemaDocument> {
  const { s3, config } = deps;
  const parts = datasetParts(files, s3);
  const { dialect, body } = await firstPartDialect(parts[0]!, options);
  const { profiler, plain } = await profileParts(parts, profileOptionsFor(files, source, dialect, options, config), { firstBody: body, nameParts: files.folder !== undefined });
  const profiled = profiler.schema();
  const schema = files.folder ? { ...profiled, source: { ...profiled.source, parts: files.parts.length } } : profiled;
  checkFits(schema);
  const rows = await splitParts(parts, schema, plain, (channel) => new ChannelWriter(s3, files.bucket, layout.channelKeys[channel]));
  if (rows.train !== schema.rows.train || rows.validation !== schema.rows.validation || rows.test !== schema.rows.test) {
    throw new Error(`the split wrote ${JSON.stringify(rows)} rows but profiling counted ${JSON.stringify(schema.rows)}: did the object change?`);
  }
  // Last, in one PUT: its presence means the channels are complete.
  await s3.send(new PutObjectCommand({ Bucket: files.bucket, Key: layout.schemaKey, Body: JSON.stringify(schema, null, 2), ContentType: 'application/json' }));
  return schema;
}

/** The processing path's start: the dialect from the first part here, the rest on SageMaker (preprocess.ts). */
async function startProcessing(files: DatasetFiles, source: PipelineInput['source'], family: string, runId: string, options: UploadOptions, deps: IngestDeps) {
  const first = datasetParts(files, deps.s3)[0]!;
  const { dialect, body } = await firstPartDialect(first, options);
  await (body as AsyncIterable<Uint8Array> & { destroy?: () => void }).destroy?.();
  const request: PreprocessRequest = {
    version: 1,
    parts: files.parts,
    profile: profileOptionsFor(files, source, dialect, options, deps.config) as PreprocessRequest['profile'],
    overrides: options.overrides,
  };
  return startPreprocessing({ family, runId, source, parts: files.parts, request }, deps);
}

function pipelineInput(family: string, runId: string, source: PipelineInput['source'], schema: SchemaDocument, overrides: PipelineInput['overrides'], layout: RunLayout): PipelineInput {
  const uri = (key: string) => s3Uri(source.bucket, key);
  const prefixOf = (key: string) => uri(key.slice(0, key.lastIndexOf('/') + 1));
  return {
    family,
    runId,
    source,
    runPrefix: uri(layout.runKey),
    dataset: {
      train: prefixOf(layout.channelKeys.train),
      validation: prefixOf(layout.channelKeys.validation),
      test: prefixOf(layout.channelKeys.test),
      schema: uri(layout.schemaKey),
      rows: schema.rows,
      featureCount: schema.featureCount,
    },
    task: { problemType: schema.label.problemType, target: schema.label.name, ...(schema.label.classes ? { classes: schema.label.classes } : {}) },
    overrides,
  };
}

async function ingestUpload(upload: Upload, deps: IngestDeps): Promise<Outcome> {
  const { s3, sfn, config } = deps;
  const skip = (reason: string): Outcome => ({ kind: 'skipped', key: upload.key, reason });
  const early = skipReason(upload, config);
  if (early) return skip(early);

  let head: HeadObjectCommandOutput;
  try {
    head = await s3.send(new HeadObjectCommand({ Bucket: upload.bucket, Key: upload.key, VersionId: upload.versionId }));
  } catch (error) {
    if (isMissingS3Object(error)) return skip('the object no longer exists');
    throw error;
  }
  const etag = unquote(head.ETag ?? '');
  if (!upload.versionId && upload.eTag && unquote(upload.eTag) !== etag) {
    return skip(`superseded: the object changed since this event (ETag ${unquote(upload.eTag)}, now ${etag}); the newer upload's own event processes it`);
  }
  const kind = incomingKey(upload.key, config.INCOMING_PREFIX);
  if (head.ContentLength === 0 && kind.kind !== 'marker') return skip('empty object (0 bytes)');
  // An unversioned object in a bucket with versioning suspended reports the version "null".
  const versionId = head.VersionId && head.VersionId !== 'null' ? head.VersionId : undefined;
  const source = { bucket: upload.bucket, key: upload.key, etag, ...(versionId ? { versionId } : {}) };
  // A folder dataset's parts are listed when its marker arrives; they are part of the run's identity.
  const folder = kind.kind === 'marker' ? kind.folder : undefined;
  const parts = folder ? await listParts(s3, upload.bucket, folder) : [{ key: upload.key, etag, size: head.ContentLength ?? 0 }];
  const files: DatasetFiles = { bucket: upload.bucket, parts, ...(folder ? { folder } : {}), ...(versionId && !folder ? { versionId } : {}) };
  const identityParts = folder ? parts : undefined;
  const runId = upload.retrainTick ? retrainRunIdFor(source, upload.retrainTick, identityParts) : runIdFor(source, identityParts);
  const layout = runLayout(config, runId);

  try {
    const named = familyOfKey(upload.key, config.INCOMING_PREFIX);
    if ('rejection' in named) throw new DatasetError(named.rejection);
    const { family } = named;
    if (folder && parts.length === 0) throw new DatasetError(`the folder dataset ${folder} has no CSV parts (objects ending in .csv, not hidden by a leading _ or .) besides its ${DATASET_MARKER} marker`);
    const familyKey = familySchemaKey(config.FAMILIES_PREFIX, family);
    const familySchema = await readFamilySchema(s3, upload.bucket, familyKey);
    const datasetSchema = (schema: SchemaDocument) => familySchemaOf(schema, family, { runId, key: upload.key });
    // Checked between profiling and writing the channels: a dataset that does not fit writes nothing.
    const checkFits = (schema: SchemaDocument) => {
      if (familySchema) assertFitsFamily(familySchema, datasetSchema(schema), config.INCOMING_PREFIX);
    };
    const options = uploadOptions(config, head.Metadata);
    let schema = await existingSchema(s3, upload.bucket, layout.schemaKey);
    if (schema) {
      assertReusable(schema, options, config);
      checkFits(schema);
      logger.info('reusing the complete split of an earlier delivery', { runId, key: upload.key });
    } else if (usesProcessing(options.preprocess, parts.reduce((sum, p) => sum + p.size, 0), config)) {
      // The scale path: the preprocess execution splits it and then starts the run (its family is checked there).
      const started = await startProcessing(files, source, family, runId, options, deps);
      logger.info(started.status === 'started' ? 'preprocessing started' : 'duplicate delivery: the preprocessing already exists', { runId, key: upload.key, parts: parts.length, ...started });
      return { kind: 'run', run: { runId, key: upload.key, ...started } };
    } else {
      schema = await splitDataset(files, source, options, layout, deps, checkFits);
    }
    if (!familySchema) await establishFamilySchema(s3, upload.bucket, familyKey, datasetSchema(schema), config.INCOMING_PREFIX);
    const started = await startPipeline(sfn, config.STATE_MACHINE_ARN, pipelineInput(family, runId, source, schema, options.overrides, layout));
    logger.info(started.status === 'started' ? 'pipeline started' : 'duplicate delivery: the run already exists', { runId, key: upload.key, ...started });
    return { kind: 'run', run: { runId, key: upload.key, ...started } };
  } catch (error) {
    if (isS3PreconditionFailed(error)) {
      return skip("superseded: the object changed while it was read; the newer upload's own event processes it");
    }
    if (!(error instanceof DatasetError)) throw error;
    const reason = boundedReason(error.message);
    const record: RejectionRecord = { key: upload.key, etag, ...(versionId ? { versionId } : {}), reason, rejectedAt: (deps.now ?? (() => new Date()))().toISOString() };
    await s3.send(new PutObjectCommand({ Bucket: upload.bucket, Key: rejectionKey(config.RUNS_PREFIX, runId), Body: JSON.stringify(record, null, 2), ContentType: 'application/json' }));
    logger.warn('upload rejected', { runId, key: upload.key, reason });
    return { kind: 'rejected', key: upload.key, reason };
  }
}

/**
 * The dataset each family uploaded last (by LastModified) under the incoming prefix: what a
 * retraining runs on. Keys that name no valid family, and empty or non-CSV objects, are not datasets.
 */
export async function latestDatasets(s3: S3Client, config: IngestConfig): Promise<Map<string, Upload & { lastModified: Date }>> {
  const latest = new Map<string, Upload & { lastModified: Date }>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: config.DATA_BUCKET, Prefix: config.INCOMING_PREFIX, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      const upload = { bucket: config.DATA_BUCKET, key: object.Key!, size: object.Size };
      if (skipReason(upload, config) || !object.LastModified) continue;
      const named = familyOfKey(upload.key, config.INCOMING_PREFIX);
      if ('rejection' in named) continue;
      const known = latest.get(named.family);
      if (!known || object.LastModified > known.lastModified) latest.set(named.family, { ...upload, lastModified: object.LastModified });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return latest;
}

/**
 * Runs every family's latest dataset again (or the named families'), each as the run of this tick:
 * the same path as an upload (profile, split, the family's schema, the execution), under the run id
 * retrainRunIdFor gives. A named family without a dataset is skipped with the reason.
 */
export async function retrain(request: RetrainRequest, deps: IngestDeps): Promise<IngestOutput> {
  const { scheduledTime, families } = request.retrain;
  const latest = await latestDatasets(deps.s3, deps.config);
  const output: IngestOutput = { runs: [], skipped: [], rejected: [] };
  const chosen = families ?? [...latest.keys()].sort();
  for (const family of chosen) {
    const dataset = latest.get(family);
    if (!dataset) {
      output.skipped.push({ key: `${deps.config.INCOMING_PREFIX}${family}/`, reason: `family ${family} has no dataset under ${deps.config.INCOMING_PREFIX} to retrain on` });
      continue;
    }
    const outcome = await ingestUpload({ bucket: dataset.bucket, key: dataset.key, size: dataset.size, retrainTick: scheduledTime }, deps);
    if (outcome.kind === 'run') output.runs.push(outcome.run);
    else output[outcome.kind].push({ key: outcome.key, reason: outcome.reason });
  }
  logger.info('retraining', { scheduledTime, families: chosen, started: output.runs.length });
  return output;
}

/**
 * An S3 event (uploads), a retraining request (a schedule's tick, `pnpm mlops retrain`), an S3 Batch
 * Operations invocation (objects already in S3, from a manifest) or a step of the preprocess state
 * machine (the scale path, preprocess.ts).
 */
export function handleIngestEvent(event: BatchOperationsInvocation, deps: IngestDeps): Promise<BatchOperationsResponse>;
export function handleIngestEvent(event: S3EventInput | RetrainRequest, deps: IngestDeps): Promise<IngestOutput>;
export function handleIngestEvent(event: IngestEvent, deps: IngestDeps): Promise<unknown>;
export function handleIngestEvent(event: IngestEvent, deps: IngestDeps): Promise<unknown> {
  if ('preprocess' in event) return runPreprocessStep(event, deps);
  if ('retrain' in event) return retrain(event, deps);
  if ('tasks' in event) return answerBatchOperations(event, (upload) => ingestUpload(upload, deps));
  return ingest(event, deps);
}

/** A preprocess step, with what it shares with the Lambda path: the family check and the pipeline's start. */
function runPreprocessStep(step: PreprocessStep, deps: IngestDeps): Promise<unknown> {
  const { s3, sfn, sageMaker, config } = deps;
  if (!sageMaker) throw new Error('mlops_ingest needs a SageMaker client for the preprocess steps');
  const { run } = step;
  const familyKey = familySchemaKey(config.FAMILIES_PREFIX, run.family);
  const key = run.source.key;
  const completion: RunCompletion = {
    fitFamily: async (schema, establish) => {
      const dataset = familySchemaOf(schema, run.family, { runId: run.runId, key });
      const family = await readFamilySchema(s3, run.source.bucket, familyKey);
      if (family) assertFitsFamily(family, dataset, config.INCOMING_PREFIX);
      else if (establish) await establishFamilySchema(s3, run.source.bucket, familyKey, dataset, config.INCOMING_PREFIX);
    },
    startPipeline: async (schema) => {
      const request = PreprocessRequestSchema.parse(JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: run.source.bucket, Key: preprocessKeys(config, run.runId).request }))).Body!.transformToString()));
      return startPipeline(sfn, config.STATE_MACHINE_ARN, pipelineInput(run.family, run.runId, run.source, schema, request.overrides, runLayout(config, run.runId)));
    },
  };
  return preprocessStep(step, { s3, sfn, sageMaker, config, ...(deps.now ? { now: deps.now } : {}) }, completion);
}

export async function ingest(event: S3EventInput, deps: IngestDeps): Promise<IngestOutput> {
  const uploads = uploadsOf(event);
  const output: IngestOutput = { runs: [], skipped: [], rejected: [] };
  // One at a time: each upload streams through memory-bounded passes; parallel ones would multiply the buffers.
  for (const upload of uploads) {
    const outcome = await ingestUpload(upload, deps);
    if (outcome.kind === 'run') output.runs.push(outcome.run);
    else {
      if (outcome.kind === 'skipped') logger.info('upload skipped', { key: outcome.key, reason: outcome.reason });
      output[outcome.kind].push({ key: outcome.key, reason: outcome.reason });
    }
  }
  return output;
}
