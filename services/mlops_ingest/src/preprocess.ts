/**
 * The scale path (README: Data at scale): a dataset too large for this function is split by two
 * SageMaker Processing jobs that run the container built from this package's own passes
 * (containers/preprocess), driven by the preprocess state machine (statemachines/preprocess.asl.yml):
 *
 *   ingest: request.json + parts.manifest, start the preprocess execution (named after the run)
 *   profile: `<prefix>-<runId>-profile`, every instance profiles its shard (ShardedByS3Key)
 *   split:   merge the profiles into one schema (Profiler.merged: the schema one pass would give),
 *            check it fits the family, then `<prefix>-<runId>-split`: every instance encodes its shard
 *   finish:  the instances' counts must add up to the schema's; schema.json last, then the pipeline
 *            execution starts exactly as on the Lambda path
 *   fail:    stop the run's processing jobs that still run, record the failure
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateProcessingJobCommand,
  DescribeProcessingJobCommand,
  StopProcessingJobCommand,
  type CreateProcessingJobRequest,
  type ProcessingInstanceType,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import {
  ConfigurationError,
  PROCESSING_PATHS,
  PreprocessInputSchema,
  SplitCountsSchema,
  createOrAdopt,
  errorName,
  executionArnFor,
  executionNameFor,
  runTags,
  s3Uri,
  sageMakerName,
  type DatasetPartRef,
  type IngestConfig,
  type PipelineInput,
  type PreprocessFailOutputSchema,
  type PreprocessFinishOutput,
  type PreprocessInput,
  type PreprocessJobOutput,
  type PreprocessStep,
  type RejectionRecord,
  readableError,
  rejectionKey,
} from '@mlops/common';
import type * as z from 'zod/mini';
import { CHANNELS, SchemaDocumentSchema, type RowCounts, type SchemaDocument } from './schema';
import { PreprocessRequestSchema, type PreprocessRequest } from './preprocess-request';
import { Profiler, ProfileStateSchema } from './profile';

export interface PreprocessDeps {
  s3: S3Client;
  sfn: SFNClient;
  sageMaker: SageMakerClient;
  config: IngestConfig;
  now?: () => Date;
}

/** What the Lambda path and the finish step share: the run's channels, its schema.json and how the pipeline starts. */
export interface RunCompletion {
  /** Checks the dataset fits its family (a rejection otherwise); `establish`: and makes it the family's schema if it has none. */
  fitFamily(schema: SchemaDocument, establish: boolean): Promise<void>;
  startPipeline(schema: SchemaDocument): Promise<{ executionArn: string; status: 'started' | 'duplicate' }>;
}

/** Files of the run's preprocessing, under `runs/<runId>/preprocess/`. */
export function preprocessKeys(config: IngestConfig, runId: string) {
  const prefix = `${config.RUNS_PREFIX}${runId}/preprocess/`;
  // The request and the merged schema sit alone in their folders: the jobs take each folder as an S3Prefix input.
  const requestFolder = `${prefix}request/`;
  const schemaFolder = `${prefix}schema/`;
  return {
    prefix,
    requestFolder,
    request: `${requestFolder}request.json`,
    manifest: `${prefix}parts.manifest`,
    profiles: `${prefix}profiles/`,
    schemaFolder,
    schema: `${schemaFolder}schema.json`,
    counts: `${prefix}counts/`,
  };
}

/**
 * A SageMaker manifest of the parts (S3DataType ManifestFile): exactly these objects, so the marker
 * and anything else in the folder is never read, and ShardedByS3Key deals them out to the instances.
 */
export function partsManifest(bucket: string, parts: readonly DatasetPartRef[]): string {
  const common = parts.map((p) => p.key.slice(0, p.key.lastIndexOf('/') + 1)).reduce((a, b) => {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    return a.slice(0, a.lastIndexOf('/', i - 1) + 1);
  });
  return JSON.stringify([{ prefix: s3Uri(bucket, common) }, ...parts.map((p) => p.key.slice(common.length))]);
}

export interface PreprocessStart {
  family: string;
  runId: string;
  source: PipelineInput['source'];
  parts: DatasetPartRef[];
  request: PreprocessRequest;
}

/** Writes the request and the manifest, then starts the preprocess execution (named after the run: a duplicate delivery starts nothing). */
export async function startPreprocessing(start: PreprocessStart, deps: Omit<PreprocessDeps, 'sageMaker'>): Promise<{ executionArn: string; status: 'started' | 'duplicate' }> {
  const { s3, sfn, config } = deps;
  const arn = config.PREPROCESS_STATE_MACHINE_ARN;
  if (!arn) throw new ConfigurationError('PREPROCESS_STATE_MACHINE_ARN is not set: this stage has no preprocess state machine for datasets that large');
  const keys = preprocessKeys(config, start.runId);
  const bucket = start.source.bucket;
  const put = (Key: string, Body: string, ContentType: string) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ContentType }));
  await put(keys.request, JSON.stringify(start.request, null, 2), 'application/json');
  await put(keys.manifest, partsManifest(bucket, start.parts), 'application/json');
  const input: PreprocessInput = PreprocessInputSchema.parse({
    family: start.family,
    runId: start.runId,
    source: start.source,
    preprocessPrefix: s3Uri(bucket, keys.prefix),
    parts: start.parts.length,
    bytes: start.parts.reduce((sum, p) => sum + p.size, 0),
    instanceCount: config.PREPROCESS_INSTANCE_COUNT,
  });
  const name = executionNameFor(start.runId);
  try {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name, input: JSON.stringify(input) }));
    return { executionArn: started.executionArn!, status: 'started' };
  } catch (error) {
    if (errorName(error) !== 'ExecutionAlreadyExists') throw error;
    return { executionArn: executionArnFor(arn, name), status: 'duplicate' };
  }
}

async function readJson(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await response.Body!.transformToString());
}

/** Every JSON object under a prefix, in key order (one per instance: profile-algo-1.json, ...). */
async function readAll(s3: S3Client, bucket: string, prefix: string): Promise<{ key: string; value: unknown }[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key!.endsWith('.json')) keys.push(o.Key!);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  keys.sort();
  return Promise.all(keys.map(async (key) => ({ key, value: await readJson(s3, bucket, key) })));
}

type JobKind = 'profile' | 'split';

function processingJobRequest(kind: JobKind, run: PreprocessInput, config: IngestConfig, executionArn: string): CreateProcessingJobRequest {
  if (!config.PREPROCESS_IMAGE || !config.SAGEMAKER_ROLE_ARN) throw new ConfigurationError('PREPROCESS_IMAGE and SAGEMAKER_ROLE_ARN must be set for the scale path');
  const keys = preprocessKeys(config, run.runId);
  const bucket = run.source.bucket;
  const uri = (key: string) => s3Uri(bucket, key);
  const replicated = (InputName: string, key: string, LocalPath: string) => ({
    InputName,
    S3Input: { S3Uri: uri(key), LocalPath, S3DataType: 'S3Prefix' as const, S3InputMode: 'File' as const, S3DataDistributionType: 'FullyReplicated' as const },
  });
  const inputs = [
    { InputName: 'parts', S3Input: { S3Uri: uri(keys.manifest), LocalPath: PROCESSING_PATHS.parts, S3DataType: 'ManifestFile' as const, S3InputMode: 'File' as const, S3DataDistributionType: 'ShardedByS3Key' as const } },
    replicated('request', keys.requestFolder, PROCESSING_PATHS.request),
    ...(kind === 'split' ? [replicated('schema', keys.schemaFolder, PROCESSING_PATHS.schema)] : []),
  ];
  const output = (OutputName: string, key: string, LocalPath: string) => ({ OutputName, S3Output: { S3Uri: uri(key), LocalPath, S3UploadMode: 'EndOfJob' as const } });
  const runKey = `${config.RUNS_PREFIX}${run.runId}/`;
  const outputs =
    kind === 'profile'
      ? [output('profiles', keys.profiles, PROCESSING_PATHS.profiles)]
      : [...CHANNELS.map((c) => output(c, `${runKey}data/${c}/`, `${PROCESSING_PATHS.output}/${c}`)), output('counts', keys.counts, `${PROCESSING_PATHS.output}/counts`)];
  return {
    ProcessingJobName: sageMakerName(config.NAME_PREFIX, run.runId, kind),
    RoleArn: config.SAGEMAKER_ROLE_ARN,
    AppSpecification: { ImageUri: config.PREPROCESS_IMAGE, ContainerArguments: [kind] },
    ProcessingInputs: inputs,
    ProcessingOutputConfig: { Outputs: outputs },
    ProcessingResources: {
      ClusterConfig: {
        // More instances than parts would idle: ShardedByS3Key deals whole objects.
        InstanceCount: Math.min(run.instanceCount, run.parts),
        InstanceType: config.PREPROCESS_INSTANCE_TYPE as ProcessingInstanceType,
        VolumeSizeInGB: config.PREPROCESS_VOLUME_GB,
      },
    },
    StoppingCondition: { MaxRuntimeInSeconds: config.PREPROCESS_MAX_RUNTIME_SECONDS },
    Tags: runTags({ stage: config.STAGE, runId: run.runId, executionArn }),
  };
}

async function startJob(kind: JobKind, step: PreprocessStep, deps: PreprocessDeps): Promise<PreprocessJobOutput> {
  const request = processingJobRequest(kind, step.run, deps.config, step.executionArn ?? '');
  const jobName = request.ProcessingJobName!;
  const result = await createOrAdopt({
    resource: `processing job ${jobName}`,
    create: () => deps.sageMaker.send(new CreateProcessingJobCommand(request)),
    describe: () => deps.sageMaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: jobName })),
    foreignBecause: (job) => (job.AppSpecification?.ImageUri === request.AppSpecification!.ImageUri ? undefined : `it runs image ${job.AppSpecification?.ImageUri}, not ${request.AppSpecification!.ImageUri}`),
  });
  const jobArn = result.adopted ? result.existing.ProcessingJobArn : result.created.ProcessingJobArn;
  return { jobName, jobArn: jobArn!, adopted: result.adopted };
}

/** One schema from every instance's profile: what one pass over all the parts would give (profile.ts). */
export async function mergedSchema(run: PreprocessInput, deps: Pick<PreprocessDeps, 's3' | 'config'>): Promise<{ schema: SchemaDocument; request: PreprocessRequest }> {
  const { s3, config } = deps;
  const keys = preprocessKeys(config, run.runId);
  const bucket = run.source.bucket;
  const request = PreprocessRequestSchema.parse(await readJson(s3, bucket, keys.request));
  const profiles = await readAll(s3, bucket, keys.profiles);
  if (profiles.length === 0) throw new Error(`the profile job wrote no profile under ${s3Uri(bucket, keys.profiles)}`);
  const states = profiles.map(({ key, value }) => {
    const parsed = ProfileStateSchema.safeParse(value);
    if (!parsed.success) throw new Error(`${s3Uri(bucket, key)} is not a profile: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  });
  const schema = Profiler.merged(states, request.profile).schema();
  return { schema: { ...schema, source: { ...schema.source, parts: request.parts.length } }, request };
}

async function split(step: PreprocessStep, deps: PreprocessDeps, completion: RunCompletion): Promise<PreprocessJobOutput> {
  const { schema } = await mergedSchema(step.run, deps);
  // A dataset that does not fit its family is rejected before a channel byte is written (the family's
  // schema is established only once the channels exist, as on the Lambda path).
  await completion.fitFamily(schema, false);
  const keys = preprocessKeys(deps.config, step.run.runId);
  await deps.s3.send(new PutObjectCommand({ Bucket: step.run.source.bucket, Key: keys.schema, Body: JSON.stringify(schema, null, 2), ContentType: 'application/json' }));
  return startJob('split', step, deps);
}

async function finish(step: PreprocessStep, deps: PreprocessDeps, completion: RunCompletion): Promise<PreprocessFinishOutput> {
  const { s3, config } = deps;
  const { run } = step;
  const bucket = run.source.bucket;
  const keys = preprocessKeys(config, run.runId);
  const schema = SchemaDocumentSchema.parse(await readJson(s3, bucket, keys.schema));
  const rows: RowCounts = { train: 0, validation: 0, test: 0 };
  for (const { key, value } of await readAll(s3, bucket, keys.counts)) {
    const counts = SplitCountsSchema.safeParse(value);
    if (!counts.success) throw new Error(`${s3Uri(bucket, key)} is not a split count: ${counts.error.issues[0]?.message}`);
    for (const c of CHANNELS) rows[c] += counts.data.rows[c];
  }
  if (CHANNELS.some((c) => rows[c] !== schema.rows[c])) {
    throw new Error(`the split job wrote ${JSON.stringify(rows)} rows but the profiles counted ${JSON.stringify(schema.rows)}: did a part change?`);
  }
  // Last, in one PUT: its presence means the channels are complete (as on the Lambda path).
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${config.RUNS_PREFIX}${run.runId}/data/schema.json`, Body: JSON.stringify(schema, null, 2), ContentType: 'application/json' }));
  await completion.fitFamily(schema, true);
  const started = await completion.startPipeline(schema);
  return { ...started, rows };
}

/** The run's processing jobs that still run are stopped; the failure is recorded where rejected uploads are. */
async function fail(step: PreprocessStep, deps: PreprocessDeps): Promise<z.infer<typeof PreprocessFailOutputSchema>> {
  const { s3, sageMaker, config } = deps;
  const { run } = step;
  const stoppedJobs: string[] = [];
  for (const kind of ['profile', 'split'] as const) {
    const name = sageMakerName(config.NAME_PREFIX, run.runId, kind);
    try {
      const job = await sageMaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
      if (job.ProcessingJobStatus !== 'InProgress') continue;
      await sageMaker.send(new StopProcessingJobCommand({ ProcessingJobName: name }));
      stoppedJobs.push(name);
    } catch (error) {
      // Never created (the failure came first).
      if (errorName(error) === 'ValidationException' || errorName(error) === 'ResourceNotFound') continue;
      throw error;
    }
  }
  const key = rejectionKey(config.RUNS_PREFIX, run.runId);
  const error = readableError(step.error ?? { Error: 'PreprocessFailed', Cause: 'the preprocess execution gave no error' });
  const record: RejectionRecord = {
    key: run.source.key,
    etag: run.source.etag,
    ...(run.source.versionId ? { versionId: run.source.versionId } : {}),
    reason: `${error.Error}: ${error.Cause ?? ''}`.slice(0, 1000),
    rejectedAt: (deps.now ?? (() => new Date()))().toISOString(),
    stoppedJobs,
  };
  await s3.send(new PutObjectCommand({ Bucket: run.source.bucket, Key: key, Body: JSON.stringify(record, null, 2), ContentType: 'application/json' }));
  return { recorded: s3Uri(run.source.bucket, key), stoppedJobs, error: { Error: error.Error, Cause: error.Cause ?? '' } };
}

/** One step of the preprocess state machine. */
export async function preprocessStep(step: PreprocessStep, deps: PreprocessDeps, completion: RunCompletion): Promise<unknown> {
  switch (step.preprocess) {
    case 'profile':
      return startJob('profile', step, deps);
    case 'split':
      return split(step, deps, completion);
    case 'finish':
      return finish(step, deps, completion);
    case 'fail':
      return fail(step, deps);
  }
}

/** Whether a dataset goes down the processing path: asked by the upload, or at least the stage's threshold. */
export function usesProcessing(mode: 'auto' | 'lambda' | 'processing', bytes: number, config: IngestConfig): boolean {
  return mode === 'processing' || (mode === 'auto' && bytes >= config.PREPROCESS_THRESHOLD_BYTES);
}
