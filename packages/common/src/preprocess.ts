/**
 * Datasets made of many files, and the scale path (issue 17; README: Data at scale).
 *
 * - A folder dataset is every CSV part under `incoming/<family>/<dataset>/`, started by its marker
 *   `incoming/<family>/<dataset>/_SUCCESS` (the Hadoop/Spark convention); the parts' own uploads start nothing.
 * - A dataset at or above the stage's size threshold (or one whose upload asks, `mlops-preprocess:
 *   processing`) is split by two SageMaker Processing jobs instead of inside mlops_ingest: the
 *   preprocess state machine runs `-profile` (every instance profiles its shard of the parts), a merge
 *   (mlops_ingest: one schema from the profiles), `-split` (every instance encodes and splits its shard
 *   into the run's channels), then starts the run's pipeline execution exactly as the Lambda path does.
 */
import * as z from 'zod/mini';
import { BatchOperationsInvocationSchema, type BatchOperationsInvocation } from './batch-operations';
import { ExecutionErrorSchema, FamilyNameSchema, RetrainRequestSchema, S3EventSchema, S3UriSchema, SageMakerNameSchema, type RetrainRequest, type S3EventInput } from './contracts';
import './zod-locale';

export const DATASET_MARKER = '_SUCCESS';

export type IncomingKey =
  | { kind: 'file' }
  /** `incoming/<family>/<dataset>/_SUCCESS`: starts a run over the folder's parts. */
  | { kind: 'marker'; folder: string }
  /** Anything deeper than `incoming/<family>/<file>`: a part of the folder dataset it is under. */
  | { kind: 'part'; folder: string };

/** What a key under the incoming prefix is: a single-file dataset, a folder dataset's marker, or one of its parts. */
export function incomingKey(key: string, incomingPrefix: string): IncomingKey {
  const segments = key.slice(incomingPrefix.length).split('/');
  if (segments.length < 3) return { kind: 'file' };
  const folder = `${incomingPrefix}${segments[0]}/${segments[1]}/`;
  return segments.length === 3 && segments[2] === DATASET_MARKER ? { kind: 'marker', folder } : { kind: 'part', folder };
}

/**
 * A part of a folder dataset: a `.csv` object anywhere below the folder whose name is not hidden by
 * the Hadoop convention (`_SUCCESS`, `_committed_*`, `.part-0.csv.crc` start with `_` or `.`).
 */
export function isDatasetPart(key: string): boolean {
  const name = key.slice(key.lastIndexOf('/') + 1);
  return key.endsWith('.csv') && !name.startsWith('_') && !name.startsWith('.');
}

/** Where each path of the processing path's container contract is (the container and mlops_ingest agree on them). */
export const PROCESSING_PATHS = {
  /** The instance's shard of the parts (ShardedByS3Key over the run's manifest). */
  parts: '/opt/ml/processing/input/parts',
  /** request.json (PreprocessRequest, FullyReplicated). */
  request: '/opt/ml/processing/input/request',
  /** The merged schema.json (the split job, FullyReplicated). */
  schema: '/opt/ml/processing/input/schema',
  /** profile-<host>.json (the profile job). */
  profiles: '/opt/ml/processing/output/profiles',
  /** <channel>/<channel>-<host>.csv and counts/<host>.json (the split job). */
  output: '/opt/ml/processing/output',
} as const;

/** The upload option that sends a dataset down a path whatever its size (`auto`: by the stage's threshold). */
export const PreprocessModeSchema = z.enum(['auto', 'lambda', 'processing']);
export type PreprocessMode = z.infer<typeof PreprocessModeSchema>;

const PartSchema = z.object({ key: z.string(), etag: z.string(), size: z.number() });
export type DatasetPartRef = z.infer<typeof PartSchema>;

/** The preprocess state machine's input: where the run's preprocessing files are, and the instances. */
export const PreprocessInputSchema = z.object({
  family: FamilyNameSchema,
  runId: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and hyphens')),
  source: z.object({ bucket: z.string(), key: z.string(), etag: z.string(), versionId: z.optional(z.string()) }),
  /** `runs/<runId>/preprocess/`: request.json, parts.manifest, profiles/, schema/schema.json, counts/. */
  preprocessPrefix: S3UriSchema,
  parts: z.number().check(z.int(), z.gte(1)),
  bytes: z.number(),
  instanceCount: z.number().check(z.int(), z.gte(1)),
});
export type PreprocessInput = z.infer<typeof PreprocessInputSchema>;

/** A step of the preprocess state machine, run by mlops_ingest. */
export const PreprocessStepSchema = z.object({
  preprocess: z.enum(['profile', 'split', 'finish', 'fail']),
  run: PreprocessInputSchema,
  executionArn: z.optional(z.string()),
  /** fail: what ended the preprocessing (a job's failure, a rejection, a poll budget). */
  error: z.optional(ExecutionErrorSchema),
});
export type PreprocessStep = z.infer<typeof PreprocessStepSchema>;

export const PreprocessJobOutputSchema = z.object({ jobName: SageMakerNameSchema, jobArn: z.string(), adopted: z.boolean() });
export type PreprocessJobOutput = z.infer<typeof PreprocessJobOutputSchema>;

export const PreprocessFinishOutputSchema = z.object({
  executionArn: z.string(),
  status: z.enum(['started', 'duplicate']),
  rows: z.object({ train: z.number(), validation: z.number(), test: z.number() }),
});
export type PreprocessFinishOutput = z.infer<typeof PreprocessFinishOutputSchema>;

/** What RecordFailure returns: the record, the jobs it stopped, and the failure as the execution ends with it (readable). */
export const PreprocessFailOutputSchema = z.object({ recorded: z.string(), stoppedJobs: z.array(z.string()), error: ExecutionErrorSchema });

/**
 * A Lambda function's error reaches Step Functions with its name as Error and, as Cause, Lambda's JSON
 * `{"errorType", "errorMessage", "trace"}`: the message alone is what a user reads.
 */
export function readableError(error: { Error: string; Cause?: string }): { Error: string; Cause?: string } {
  if (!error.Cause?.startsWith('{')) return error;
  try {
    const lambda = JSON.parse(error.Cause) as { errorMessage?: unknown };
    if (typeof lambda.errorMessage === 'string') return { Error: error.Error, Cause: lambda.errorMessage };
  } catch {
    // Not Lambda's JSON: as it came.
  }
  return error;
}

/** One split instance's row counts (counts/<host>.json), summed and checked against the schema before the run starts. */
export const SplitCountsSchema = z.object({ host: z.string(), rows: z.object({ train: z.number(), validation: z.number(), test: z.number() }) });
export type SplitCounts = z.infer<typeof SplitCountsSchema>;

export { PartSchema as DatasetPartRefSchema };

/**
 * What mlops_ingest is invoked with: an S3 event, a retraining request, an S3 Batch Operations
 * invocation or a step of the preprocess state machine (a `preprocess`, `retrain` or
 * `invocationSchemaVersion` member tells them apart, so each is validated by its own schema and its
 * errors name that schema's fields). Here rather than in contracts.ts, which this module imports.
 */
export const IngestEventSchema = z.pipe(
  z.unknown(),
  z.transform((event, ctx): S3EventInput | RetrainRequest | BatchOperationsInvocation | PreprocessStep => {
    const has = (member: string) => typeof event === 'object' && event !== null && member in event;
    const parsed = has('preprocess')
      ? PreprocessStepSchema.safeParse(event)
      : has('retrain')
      ? RetrainRequestSchema.safeParse(event)
      : has('invocationSchemaVersion')
        ? BatchOperationsInvocationSchema.safeParse(event)
        : S3EventSchema.safeParse(event);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.issues.push({ ...issue, input: event } as never);
    return z.NEVER;
  }),
);
export type IngestEvent = z.infer<typeof IngestEventSchema>;

