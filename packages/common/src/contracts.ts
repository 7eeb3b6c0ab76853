/**
 * Typed contracts between the pipeline's states: one zod schema per step input and output.
 * The state document only ever carries pointers (S3 URIs, resource names), never data.
 *
 * zod/mini, not classic zod: the same validation core and English messages, but its functional API
 * lets the bundler keep only what the schemas use (classic zod put ~460 KB of methods, locales and
 * JSON Schema support into every function bundle; mini costs ~30 KB). See docs/PERFORMANCE.md.
 */
import * as z from 'zod/mini';
import { FAMILY_NAME_MAX, FAMILY_NAME_PATTERN } from './family';
import { SAGEMAKER_NAME_PATTERN } from './naming';
import './zod-locale';

export const S3UriSchema = z.string().check(z.regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.*$/, 'must be an s3://bucket/key URI'));
export const SageMakerNameSchema = z.string().check(z.regex(SAGEMAKER_NAME_PATTERN, 'must match [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}'));
export const ProblemTypeSchema = z.enum(['regression', 'classification']);
export type ProblemType = z.infer<typeof ProblemTypeSchema>;

export const REGRESSION_METRICS = ['mse', 'rmse', 'mae', 'r2'] as const;
export const CLASSIFICATION_METRICS = ['accuracy', 'precision_macro', 'recall_macro', 'f1_macro'] as const;
export const MetricNameSchema = z.enum([...REGRESSION_METRICS, ...CLASSIFICATION_METRICS]);
export type MetricName = z.infer<typeof MetricNameSchema>;
/** Error metrics pass when low, score metrics when high. */
export function metricDirection(metric: MetricName): 'lte' | 'gte' {
  return metric === 'mse' || metric === 'rmse' || metric === 'mae' ? 'lte' : 'gte';
}
export function metricsFor(problemType: ProblemType): readonly MetricName[] {
  return problemType === 'regression' ? REGRESSION_METRICS : CLASSIFICATION_METRICS;
}

export const GateSchema = z.object({ metric: MetricNameSchema, threshold: z.number() }); // zod 4 numbers are finite
export type Gate = z.infer<typeof GateSchema>;

export const HyperparametersSchema = z.record(z.string().check(z.minLength(1), z.maxLength(256)), z.string().check(z.maxLength(2500)));

export const DatasetSchema = z.object({
  /** Prefixes of the label-first, headerless CSV channels. */
  train: S3UriSchema,
  validation: S3UriSchema,
  test: S3UriSchema,
  /** The schema written by ingestion: columns, encodings, label mapping. */
  schema: S3UriSchema,
  rows: z.object({ train: z.number().check(z.int(), z.gte(1)), validation: z.number().check(z.int(), z.gte(0)), test: z.number().check(z.int(), z.gte(1)) }),
  featureCount: z.number().check(z.int(), z.gte(1)),
});
export type Dataset = z.infer<typeof DatasetSchema>;

export const TaskSchema = z.object({
  problemType: ProblemTypeSchema,
  /** The label column's name in the source file (or `column_<n>` when it has no header). */
  target: z.string().check(z.minLength(1)),
  /** For classification: class index → the original label. */
  classes: z.optional(z.array(z.string()).check(z.minLength(2))),
});
export type Task = z.infer<typeof TaskSchema>;

/**
 * The baseline rule's margin: the share of the baseline's error the model must remove, in [0, 1) (0.1:
 * 10 %). For an error metric (mse, rmse, mae) the error is the metric itself; for a score (r2 and the
 * classification scores, 1 at best) it is the distance to a perfect score, 1 − score.
 */
export const BaselineMarginSchema = z.number().check(z.gte(0), z.lt(1));

export const RunOverridesSchema = z.object({
  hyperparameters: z.optional(HyperparametersSchema),
  gate: z.optional(
    z.extend(z.partial(GateSchema), {
      /** How much worse than the champion this run's challenger may be (else the stage's GATE_TOLERANCE). */
      tolerance: z.optional(z.number().check(z.gte(0))),
      /**
       * The baseline rule's margin for this run (else the stage's GATE_BASELINE_MARGIN); used only when
       * the run has no threshold. The upload's `mlops-baseline-margin` sets it (mlops_ingest), as can an
       * execution input.
       */
      baselineMargin: z.optional(BaselineMarginSchema),
    }),
  ),
});
export type RunOverrides = z.infer<typeof RunOverridesSchema>;

/** The execution input written by mlops_ingest. */
/** A model family: the upload key names it (family.ts); it owns an endpoint, a registry group and a schema per stage. */
export const FamilyNameSchema = z.string().check(z.maxLength(FAMILY_NAME_MAX), z.regex(FAMILY_NAME_PATTERN, 'must be lowercase letters, digits and single hyphens'));

/**
 * A family's schema (`families/<family>/schema.json`), fixed by its first dataset: every later dataset
 * of the family must have these feature columns with these encodings and this label, so the family's
 * models (champion and challenger) read each other's test rows. A different schema is a new family.
 */
export const FamilySchemaDocumentSchema = z.object({
  version: z.literal(1),
  family: FamilyNameSchema,
  /** The run whose dataset fixed it. */
  establishedBy: z.object({ runId: z.string(), key: z.string() }),
  columns: z.array(
    z.object({
      name: z.string(),
      role: z.enum(['label', 'feature']),
      type: z.enum(['numeric', 'categorical']),
      /** Categorical features: the one-hot order. */
      categories: z.optional(z.array(z.string())),
    }),
  ),
  label: z.object({ name: z.string(), problemType: ProblemTypeSchema, classes: z.optional(z.array(z.string())) }),
  featureCount: z.number().check(z.int(), z.gte(1)),
});
export type FamilySchemaDocument = z.infer<typeof FamilySchemaDocumentSchema>;

export const PipelineInputSchema = z.object({
  family: FamilyNameSchema,
  runId: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and hyphens')),
  source: z.object({
    bucket: z.string().check(z.minLength(3)),
    key: z.string().check(z.minLength(1)),
    etag: z.string().check(z.minLength(1)),
    versionId: z.optional(z.string()),
  }),
  runPrefix: S3UriSchema,
  dataset: DatasetSchema,
  task: TaskSchema,
  overrides: z._default(RunOverridesSchema, {}),
});
export type PipelineInput = z.infer<typeof PipelineInputSchema>;

const ExecutionArnSchema = z.string().check(z.regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/, 'must be a Step Functions execution ARN'));

export const TrainInputSchema = z.object({ run: PipelineInputSchema, executionArn: ExecutionArnSchema });
export type TrainInput = z.infer<typeof TrainInputSchema>;
export const TrainOutputSchema = z.object({ jobName: SageMakerNameSchema, jobArn: z.string(), adopted: z.boolean() });
export type TrainOutput = z.infer<typeof TrainOutputSchema>;

export const ResourceKindSchema = z.enum(['training', 'transform', 'processing', 'endpoint']);
export type ResourceKind = z.infer<typeof ResourceKindSchema>;
export const AwaitInputSchema = z.object({
  kind: ResourceKindSchema,
  name: SageMakerNameSchema,
  /** Polls made so far in this loop (the state machine carries it). */
  attempt: z._default(z.number().check(z.int(), z.gte(0)), 0),
  /** For endpoints: the config the deploy asked for; InService on another one is a rollback, or a newer version's. */
  expectedConfigName: z.optional(SageMakerNameSchema),
  /** For endpoints: the version being deployed, to tell a newer version's rollout (superseded) from a rollback. */
  modelPackageArn: z.optional(z.string()),
});
export type AwaitInput = z.infer<typeof AwaitInputSchema>;
/**
 * Superseded: an endpoint that moved on to a newer version of the family during or after this rollout.
 * RolledBack: SageMaker rolled the update back (an alarm fired, or the new fleet never became healthy)
 * and the endpoint serves its previous config.
 */
export const PollStateSchema = z.enum(['InProgress', 'Succeeded', 'Failed', 'Superseded', 'RolledBack']);
export type PollState = z.infer<typeof PollStateSchema>;
export const AwaitOutputSchema = z.object({
  kind: ResourceKindSchema,
  name: SageMakerNameSchema,
  state: PollStateSchema,
  status: z.string(),
  secondaryStatus: z.optional(z.string()),
  message: z.string(),
  waitSeconds: z.number().check(z.int(), z.gte(0)),
  attempt: z.number().check(z.int(), z.gte(1)),
  elapsedSeconds: z.number().check(z.gte(0)),
  outputs: z.object({
    modelArtifacts: z.optional(S3UriSchema),
    transformOutput: z.optional(S3UriSchema),
    endpointConfigName: z.optional(z.string()),
  }),
});
export type AwaitOutput = z.infer<typeof AwaitOutputSchema>;


// The model lifecycle's state contracts (lifecycle.ts has the run record and the deploy request).
export const ModelPackageArnSchema = z.string().check(z.regex(/^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/[a-zA-Z0-9-]{1,63}\/\d+$/, 'must be the ARN of a versioned model package'));

/** A version in a family's model package group (`<namePrefix>-<family>`). */
export const ModelVersionSchema = z.object({
  arn: ModelPackageArnSchema,
  group: SageMakerNameSchema,
  version: z.number().check(z.int(), z.gte(1)),
});
export type ModelVersion = z.infer<typeof ModelVersionSchema>;

/** `arn:...:model-package/<group>/<version>` → its group and version. */
export function modelVersionOfArn(arn: string): ModelVersion {
  const parsed = ModelVersionSchema.shape.arn.safeParse(arn);
  if (!parsed.success) throw new Error(`'${arn}' is not the ARN of a versioned model package`);
  const [group, version] = arn.split('/').slice(-2) as [string, string];
  return { arn, group, version: Number(version) };
}

/** How a family's model is named to people: `abalone v3`. */
export function modelLabel(family: string, version: ModelVersion | undefined): string {
  return version ? `${family} v${version.version}` : `${family} (unregistered)`;
}

export const ApprovalStatusSchema = z.enum(['Approved', 'Rejected', 'PendingManualApproval']);
export type ApprovalStatus = z.infer<typeof ApprovalStatusSchema>;

/** The family's live model when a run starts: what the challenger must not be worse than. */
export const ChampionSchema = z.object({
  endpointName: SageMakerNameSchema,
  endpointConfigName: SageMakerNameSchema,
  modelName: SageMakerNameSchema,
  /** Absent for a model deployed before the registry existed. */
  modelVersion: z.optional(ModelVersionSchema),
});
export type Champion = z.infer<typeof ChampionSchema>;

export const BatchInputSchema = z.object({
  run: PipelineInputSchema,
  trainingJobName: SageMakerNameSchema,
  modelArtifacts: S3UriSchema,
  executionArn: ExecutionArnSchema,
});
export type BatchInput = z.infer<typeof BatchInputSchema>;
export const BatchOutputSchema = z.object({
  modelName: SageMakerNameSchema,
  transformJobName: SageMakerNameSchema,
  transformOutput: S3UriSchema,
  adopted: z.boolean(),
  /** The family's live model, transforming the same test channel (absent for a family's first model). */
  champion: z.optional(z.extend(ChampionSchema, { transformJobName: SageMakerNameSchema, transformOutput: S3UriSchema })),
});
export type BatchOutput = z.infer<typeof BatchOutputSchema>;

export const EvalInputSchema = z.object({ run: PipelineInputSchema, batch: BatchOutputSchema });
export type EvalInput = z.infer<typeof EvalInputSchema>;
/**
 * Which rule the gate applied, and why (README: Model lifecycle, point 2). `threshold`: the dataset has
 * a threshold, the upload's (`mlops-threshold`) or the stage's for the family (`gateThresholds`).
 * `baseline`: it has none, so the model must beat a baseline computed on the same test rows
 * (predicting the training channel's label mean, or its most frequent class) by `margin`.
 */
export const GateRuleSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('threshold'),
    source: z.enum(['upload', 'stage']),
    /** Why this rule, in words: "the stage sets a threshold for family abalone (gateThresholds)". */
    reason: z.string(),
  }),
  z.object({
    kind: z.literal('baseline'),
    baseline: z.object({
      /** What the baseline predicts for every row. */
      predicts: z.enum(['training-mean', 'majority-class']),
      /** The training mean, or the majority class's index. */
      prediction: z.number(),
      /** majority-class: the class's label. */
      label: z.optional(z.string()),
      /** The training rows the statistic comes from. */
      trainingRows: z.number().check(z.int(), z.gte(1)),
      /** The baseline's score on the same test rows, in the gate metric. */
      value: z.number(),
    }),
    margin: BaselineMarginSchema,
    /** Where the margin comes from: the run's override, or the stage's GATE_BASELINE_MARGIN. */
    marginSource: z.enum(['upload', 'stage']),
    reason: z.string(),
  }),
]);
export type GateRule = z.infer<typeof GateRuleSchema>;

export const GateResultSchema = z.extend(GateSchema, {
  /**
   * The bound the value had to meet: the threshold itself, or, for the baseline rule, the baseline's
   * value improved by the margin (b × (1 − margin) for an error metric, b + margin × (1 − b) for a score).
   */
  threshold: GateSchema.shape.threshold,
  direction: z.enum(['lte', 'gte']),
  /** Absent from results written before the baseline rule existed (those applied a threshold). */
  rule: z.optional(GateRuleSchema),
  value: z.number(),
  passed: z.boolean(),
  /** A sentence for the Fail state's Cause, e.g. "mse 5.91 (challenger) is worse than 4.86 (champion, abalone v3)". */
  summary: z.string(),
  /** The comparison with the family's live model, when it has one. */
  champion: z.optional(
    z.object({
      /** `abalone v3` */
      label: z.string(),
      value: z.number(),
      /** How much worse than the champion the challenger may be (the stage's GATE_TOLERANCE). */
      tolerance: z.number().check(z.gte(0)),
      passed: z.boolean(),
    }),
  ),
});
export type GateResult = z.infer<typeof GateResultSchema>;
export const EvalOutputSchema = z.object({
  problemType: ProblemTypeSchema,
  rows: z.number().check(z.int(), z.gte(1)),
  metrics: z.record(z.string(), z.number()),
  /** The champion's metrics on the same rows. */
  champion: z.optional(z.object({ label: z.string(), metrics: z.record(z.string(), z.number()) })),
  gate: GateResultSchema,
  reportUri: S3UriSchema,
});
export type EvalOutput = z.infer<typeof EvalOutputSchema>;

export const RegisterInputSchema = z.object({
  run: PipelineInputSchema,
  modelArtifacts: S3UriSchema,
  batch: BatchOutputSchema,
  evaluation: EvalOutputSchema,
  executionArn: ExecutionArnSchema,
});
export type RegisterInput = z.infer<typeof RegisterInputSchema>;
export const RegisterOutputSchema = z.extend(ModelVersionSchema, { approvalStatus: ApprovalStatusSchema });
export type RegisterOutput = z.infer<typeof RegisterOutputSchema>;

/** Why a deploy runs; the run record and the CLI show it. */
export const DeployReasonSchema = z.enum(['pipeline', 'approval', 'promotion', 'rollback']);
export type DeployReason = z.infer<typeof DeployReasonSchema>;

/** mlops_deploy's input: the deploy state machine's request, its execution, and how many turns it waited. */
export const DeployInputSchema = z.object({
  modelPackageArn: ModelPackageArnSchema,
  executionArn: ExecutionArnSchema,
  /** `rollback` deploys an older version on purpose; any other reason yields to a newer approved version. */
  reason: z._default(DeployReasonSchema, 'approval'),
  /** Turns waited so far for the endpoint (another rollout held it). */
  attempt: z._default(z.number().check(z.int(), z.gte(0)), 0),
});
export type DeployInput = z.infer<typeof DeployInputSchema>;
export const DeployOutputSchema = z.object({
  family: FamilyNameSchema,
  modelVersion: ModelVersionSchema,
  /** The run whose model this is (the package's metadata), for its run record. */
  runId: z.optional(z.string()),
  modelName: SageMakerNameSchema,
  endpointName: SageMakerNameSchema,
  endpointConfigName: SageMakerNameSchema,
  /**
   * created/updated: a rollout started; unchanged: already live; superseded: a newer approved version
   * of the family exists, nothing was changed; busy: another rollout holds the endpoint, wait a turn.
   */
  action: z.enum(['created', 'updated', 'unchanged', 'superseded', 'busy']),
  previousConfigName: z.optional(z.string()),
  supersededBy: z.optional(ModelVersionSchema),
  /** For `busy`: why, the turn count so far, and the wait before the next turn. */
  busyBecause: z.optional(z.string()),
  attempt: z.optional(z.number().check(z.int(), z.gte(0))),
  waitSeconds: z.optional(z.number().check(z.int(), z.gte(0))),
});
export type DeployOutput = z.infer<typeof DeployOutputSchema>;

/** The subset of the S3 event notification mlops_ingest relies on. */
export const S3EventRecordSchema = z.object({
  eventSource: z.literal('aws:s3'),
  eventName: z.string().check(z.startsWith('ObjectCreated:', 'must be an ObjectCreated event')),
  s3: z.object({
    bucket: z.object({ name: z.string().check(z.minLength(3)) }),
    object: z.object({
      key: z.string().check(z.minLength(1)),
      size: z.optional(z.number().check(z.int(), z.gte(0))),
      eTag: z.optional(z.string()),
      versionId: z.optional(z.string()),
      sequencer: z.optional(z.string()),
    }),
  }),
});
export const S3EventSchema = z.object({ Records: z.array(S3EventRecordSchema).check(z.minLength(1)) });
export type S3EventInput = z.infer<typeof S3EventSchema>;

/**
 * Retraining (README: Scheduled retraining): each family's latest dataset under the incoming prefix,
 * or the named families' only, runs again as a run of its own named after the tick, so the tick
 * delivered twice (a Scheduler retry, the same `pnpm mlops retrain` repeated) starts each run once.
 */
export const RetrainRequestSchema = z.object({
  retrain: z.object({
    /** The tick: EventBridge Scheduler's `<aws.scheduler.scheduled-time>`, or the moment `pnpm mlops retrain` ran. */
    scheduledTime: z.iso.datetime({ offset: true }),
    families: z.optional(z.array(FamilyNameSchema).check(z.minLength(1))),
  }),
});
export type RetrainRequest = z.infer<typeof RetrainRequestSchema>;


export const IngestOutputSchema = z.object({
  runs: z.array(z.object({ runId: z.string(), key: z.string(), executionArn: z.string(), status: z.enum(['started', 'duplicate']) })),
  skipped: z.array(z.object({ key: z.string(), reason: z.string() })),
  /** Uploads that cannot be used, and why (also recorded under `<RUNS_PREFIX>rejected/`). */
  rejected: z.array(z.object({ key: z.string(), reason: z.string() })),
});
export type IngestOutput = z.infer<typeof IngestOutputSchema>;

/**
 * `<RUNS_PREFIX>rejected/<runId>.json`: why an upload started no run (a rejected dataset, or a
 * preprocessing that failed or was stopped, with the processing jobs it stopped). Written by
 * mlops_ingest and mlops_record, read by `pnpm pipeline`.
 */
export const RejectionRecordSchema = z.object({
  key: z.string(),
  etag: z.string(),
  versionId: z.optional(z.string()),
  reason: z.string(),
  rejectedAt: z.string(),
  stoppedJobs: z.optional(z.array(z.string())),
});
export type RejectionRecord = z.infer<typeof RejectionRecordSchema>;
export const rejectionKey = (runsPrefix: string, runId: string): string => `${runsPrefix}rejected/${runId}.json`;

/** The whole state document as it grows through the execution; every reader parses it with this. */
/** An execution's or a state's error, as Step Functions names its parts. */
export const ExecutionErrorSchema = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

/** The whole state document as it grows through the execution; every reader parses it with this. */
export const PipelineStateSchema = z.extend(PipelineInputSchema, {
  training: z.optional(TrainOutputSchema),
  trainingPoll: z.optional(AwaitOutputSchema),
  batch: z.optional(BatchOutputSchema),
  /** The Parallel state's two transform polls (the champion's branch answers `{}` for a first model). */
  transforms: z.optional(z.object({ challenger: AwaitOutputSchema, champion: z.optional(z.nullable(z.union([AwaitOutputSchema, z.strictObject({})]))) })),
  evaluation: z.optional(EvalOutputSchema),
  registration: z.optional(RegisterOutputSchema),
  /** The deploy state machine's execution (startExecution.sync:2): its parsed output. */
  deployment: z.optional(z.object({ ExecutionArn: z.string(), Status: z.string(), Output: z.optional(z.looseObject({ deploy: z.optional(DeployOutputSchema) })) })),
  /** Where a Catch put the error (`ResultPath: $.error`), or a failure state's Pass. */
  error: z.optional(ExecutionErrorSchema),
});
export type PipelineState = z.infer<typeof PipelineStateSchema>;

/**
 * Per-upload options travel as S3 user metadata (`x-amz-meta-<key>`): `pnpm pipeline --data` and
 * `aws s3 cp --metadata` set them, mlops_ingest reads them. The `pnpm pipeline` flag of each is the key
 * without `mlops-` (`mlops-na-values` is `--na-values`), except `mlops-tolerance`: its temporary stack has
 * no champion to be tolerant of.
 */
export const UPLOAD_METADATA_KEYS = {
  target: 'mlops-target',
  problem: 'mlops-problem',
  header: 'mlops-header',
  delimiter: 'mlops-delimiter',
  naValues: 'mlops-na-values',
  drop: 'mlops-drop',
  metric: 'mlops-metric',
  threshold: 'mlops-threshold',
  tolerance: 'mlops-tolerance',
  baselineMargin: 'mlops-baseline-margin',
  hyperparameters: 'mlops-hyperparameters',
  /** `lambda` or `processing`: the path that splits the dataset, whatever its size (default: by the stage's threshold). */
  preprocess: 'mlops-preprocess',
} as const;
export type UploadMetadataKey = (typeof UPLOAD_METADATA_KEYS)[keyof typeof UPLOAD_METADATA_KEYS];

// The values of the upload options, one schema each, parsed by mlops_ingest from the metadata and by
// `pnpm pipeline` from its flags (each prefixes the message with the key or flag and the value it got).

/** The field delimiters an upload may use (the channels ingest writes are comma-separated whatever the upload's). */
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
export const CsvDelimiterSchema = z.enum(CSV_DELIMITERS);
export type CsvDelimiter = z.infer<typeof CsvDelimiterSchema>;

/**
 * How a delimiter may be written: itself or its name. A tab cannot travel alone in an HTTP header (S3
 * trims it away) and a comma alone breaks `aws s3 cp --metadata`'s key=value,key=value form, so each has a
 * name, which is what `pnpm pipeline` sends.
 */
export const DELIMITER_NAMES: Readonly<Record<CsvDelimiter, string>> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };
const delimiterOf = (text: string): CsvDelimiter | undefined => {
  if (text === '\t') return '\t';
  const value = text.trim().toLowerCase();
  if (value === '\\t') return '\t';
  return CSV_DELIMITERS.find((d) => d === value || DELIMITER_NAMES[d] === value);
};
export const DelimiterOptionSchema = z.pipe(
  z.string().check(z.refine((text) => delimiterOf(text) !== undefined, "must be one of ',' ';' '|' tab (or comma, semicolon, pipe)")),
  z.transform((text) => delimiterOf(text)!),
);

/**
 * The cells besides an empty one that mean "no value" (matched whole, ignoring case and the spaces around):
 * those of R and pandas that datasets use most. `mlops-na-values` replaces the list.
 */
export const DEFAULT_NA_VALUES = ['NA', 'N/A', 'NaN', 'null', 'None'] as const;

/** A comma-separated list of cells that mean "no value"; an empty one leaves only the empty cell missing. */
export const NaValuesOptionSchema = z.pipe(
  z.string(),
  z.transform((text) => [...new Set(text.split(',').map((v) => v.trim()).filter((v) => v !== ''))]),
);

/** A comma-separated list of column names (a file without a header names its columns column_0, column_1, ...). */
export const ColumnListOptionSchema = z.pipe(
  z.string().check(z.refine((text) => text.split(',').some((v) => v.trim() !== ''), 'must name at least one column')),
  z.transform((text) => text.split(',').map((v) => v.trim()).filter((v) => v !== '')),
).check(z.refine((names) => new Set(names).size === names.length, 'names a column twice'));

/** `mlops-baseline-margin`: a number in [0, 1) written as text. */
export const BaselineMarginOptionSchema = z.pipe(
  z.string().check(z.refine((text) => text.trim() !== '' && BaselineMarginSchema.safeParse(Number(text)).success, 'must be a number from 0 up to but not including 1 (0.1: remove 10 % of the baseline\'s error)')),
  z.transform((text) => Number(text)),
);
