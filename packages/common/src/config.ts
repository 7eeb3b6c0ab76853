/**
 * Configuration comes from the function's environment, which serverless.yml sets per stage
 * (the single source of truth). Each function reads it once, validated, into typed values;
 * a missing or malformed variable is a ConfigurationError naming it.
 */
import * as z from 'zod/mini';
import { ConfigurationError } from './errors';
import { FamilyNameSchema, GateSchema, HyperparametersSchema, MetricNameSchema, ProblemTypeSchema } from './contracts';
import { ApprovalPolicySchema, DeploymentPolicySchema } from './lifecycle';
import './zod-locale';

const positiveInt = z.coerce.number().check(z.int(), z.positive());
const prefix = z.string().check(z.minLength(1), z.regex(/^[^/].*\/$/, 'must be a key prefix ending in "/" (no leading "/")'));
const jsonObject = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((text: string, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.issues.push({ code: 'custom', message: 'must be valid JSON', input: text });
          return z.NEVER;
        }
      }),
    ),
    schema,
  );

const base = {
  STAGE: z.string().check(z.minLength(1)),
  DATA_BUCKET: z.string().check(z.minLength(3)),
  RUNS_PREFIX: z._default(prefix, 'runs/'),
  /** Prefix of every SageMaker resource this stage creates; IAM policies are scoped to it. */
  NAME_PREFIX: z.string().check(z.regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,30}$/, 'must be a short SageMaker-safe name')),
};

export const IngestConfigSchema = z.object({
  ...base,
  INCOMING_PREFIX: prefix,
  /** Where each family's schema lives: `<FAMILIES_PREFIX><family>/schema.json`. */
  FAMILIES_PREFIX: z._default(prefix, 'families/'),
  STATE_MACHINE_ARN: z.string().check(z.startsWith('arn:', 'must be an ARN')),
  SPLIT_RATIOS: z
    .pipe(
      z._default(z.string(), '70,15,15'),
      z.transform((s: string) => s.split(',').map(Number)),
    )
    .check(z.refine((r) => r.length === 3 && r.every((x) => Number.isFinite(x) && x >= 0) && r[0]! > 0 && r[2]! > 0, 'must be three non-negative numbers train,validation,test with train and test > 0')),
  SPLIT_SEED: z._default(z.coerce.number().check(z.int()), 42),
  CSV_HEADER: z.pipe(
    z._default(z.enum(['true', 'false']), 'false'),
    z.transform((v: 'true' | 'false') => v === 'true'),
  ),
  /** Comma-separated names for a headerless file's columns (the sample's, by default). */
  COLUMN_NAMES: z.pipe(
    z.optional(z.string()),
    z.transform((s: string | undefined) => (s ? s.split(',').map((c) => c.trim()) : undefined)),
  ),
  /** Label column: a name, a 0-based index, or `last`. */
  LABEL_COLUMN: z._default(z.string().check(z.minLength(1)), 'last'),
  PROBLEM_TYPE: z._default(ProblemTypeSchema, 'regression'),
  MAX_CLASSES: z._default(positiveInt, 100),
  // The scale path (README: Data at scale): a dataset of at least PREPROCESS_THRESHOLD_BYTES (all its
  // parts) is split by SageMaker Processing jobs on PREPROCESS_INSTANCE_COUNT instances, run by the
  // preprocess state machine; below it, inside this function.
  PREPROCESS_STATE_MACHINE_ARN: z.optional(z.string().check(z.startsWith('arn:', 'must be an ARN'))),
  PREPROCESS_THRESHOLD_BYTES: z._default(positiveInt, 1024 ** 3),
  PREPROCESS_INSTANCE_COUNT: z._default(positiveInt, 2),
  PREPROCESS_INSTANCE_TYPE: z._default(z.string().check(z.startsWith('ml.', 'must be an ml.* instance type')), 'ml.m5.xlarge'),
  PREPROCESS_VOLUME_GB: z._default(positiveInt, 30),
  PREPROCESS_MAX_RUNTIME_SECONDS: z._default(positiveInt, 86400),
  PREPROCESS_IMAGE: z.optional(z.string().check(z.minLength(1))),
  SAGEMAKER_ROLE_ARN: z.optional(z.string().check(z.startsWith('arn:', 'must be an ARN'))),
});
export type IngestConfig = z.infer<typeof IngestConfigSchema>;

export const TrainConfigSchema = z.object({
  ...base,
  SAGEMAKER_ROLE_ARN: z.string().check(z.startsWith('arn:', 'must be an ARN')),
  TRAINING_IMAGE: z.string().check(z.minLength(1), z.refine((s) => !s.endsWith(':latest'), 'must pin a tag, not :latest')),
  TRAINING_INSTANCE_TYPE: z.string().check(z.startsWith('ml.')),
  TRAINING_INSTANCE_COUNT: z._default(positiveInt, 1),
  TRAINING_VOLUME_GB: z._default(positiveInt, 5),
  TRAINING_MAX_RUNTIME_SECONDS: z._default(positiveInt, 3600),
  HYPERPARAMETERS: z._default(jsonObject(HyperparametersSchema), {}),
});
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

export const AwaitConfigSchema = z.object({
  ...base,
  TRAINING_MAX_RUNTIME_SECONDS: z._default(positiveInt, 3600),
  TRANSFORM_DEADLINE_SECONDS: z._default(positiveInt, 3600),
  ENDPOINT_DEADLINE_SECONDS: z._default(positiveInt, 3600),
});
export type AwaitConfig = z.infer<typeof AwaitConfigSchema>;

export const BatchConfigSchema = z.object({
  ...base,
  SAGEMAKER_ROLE_ARN: z.string().check(z.startsWith('arn:', 'must be an ARN')),
  INFERENCE_IMAGE: z.string().check(z.minLength(1), z.refine((s) => !s.endsWith(':latest'), 'must pin a tag, not :latest')),
  TRANSFORM_INSTANCE_TYPE: z.string().check(z.startsWith('ml.')),
  TRANSFORM_INSTANCE_COUNT: z._default(positiveInt, 1),
  TRANSFORM_MAX_PAYLOAD_MB: z._default(positiveInt, 6),
  TRANSFORM_MAX_CONCURRENT: z._default(positiveInt, 1),
});
export type BatchConfig = z.infer<typeof BatchConfigSchema>;

/**
 * The stage's thresholds, per family: `{"<family>": {"metric": "mse", "threshold": 6}}`. A threshold is
 * in its target's units (an mse of 6 rings² means nothing for house prices), so the stage sets one
 * only for the families it names; every other family is judged by the baseline rule unless its
 * upload brings a threshold (README: Model lifecycle, point 2).
 */
export const FamilyGatesSchema = z.record(FamilyNameSchema, z.strictObject({ metric: MetricNameSchema, threshold: GateSchema.shape.threshold }));
export type FamilyGates = z.infer<typeof FamilyGatesSchema>;

export const EvalConfigSchema = z.object({
  ...base,
  /**
   * The gate metric of regression runs whose family has no threshold of the stage: the metric of the
   * baseline rule, and the one an upload's threshold without a metric applies to.
   */
  GATE_METRIC: MetricNameSchema,
  /** The same for classification runs. */
  CLASSIFICATION_GATE_METRIC: z._default(MetricNameSchema, 'f1_macro'),
  /** The families the stage sets a threshold for (serverless.yml: the sample's, mse <= 6.0, from the SageMaker abalone template). */
  GATE_THRESHOLDS: z._default(jsonObject(FamilyGatesSchema), {}),
  /** The baseline rule's margin: the share of the baseline's error a model must remove (0.1: 10 %). */
  GATE_BASELINE_MARGIN: z._default(z.coerce.number().check(z.refine(Number.isFinite, 'must be a finite number'), z.gte(0), z.lt(1)), 0.1),
  /** How much worse than the family's champion a challenger may score (in the metric's units); 0: not worse. */
  GATE_TOLERANCE: z._default(z.coerce.number().check(z.refine(Number.isFinite, 'must be a finite number'), z.gte(0)), 0),
});
export type EvalConfig = z.infer<typeof EvalConfigSchema>;

export const RegisterConfigSchema = z.object({
  ...base,
  APPROVAL_POLICY: ApprovalPolicySchema,
  INFERENCE_IMAGE: z.string().check(z.minLength(1), z.refine((s) => !s.endsWith(':latest'), 'must pin a tag, not :latest')),
  TRANSFORM_INSTANCE_TYPE: z.string().check(z.startsWith('ml.')),
  ENDPOINT_INSTANCE_TYPE: z.string().check(z.startsWith('ml.')),
});
export type RegisterConfig = z.infer<typeof RegisterConfigSchema>;

export const RecordConfigSchema = z.object({ ...base });
export type RecordConfig = z.infer<typeof RecordConfigSchema>;

export const DeployConfigSchema = z.object({
  ...base,
  SAGEMAKER_ROLE_ARN: z.string().check(z.startsWith('arn:', 'must be an ARN')),
  ENDPOINT_INSTANCE_TYPE: z.string().check(z.startsWith('ml.')),
  ENDPOINT_INSTANCE_COUNT: z._default(positiveInt, 1),
  /** Blue/green: how long the old fleet stays after traffic moved, for a fast rollback. */
  ENDPOINT_TERMINATION_WAIT_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(3600)), 300),
  ENDPOINT_MAX_EXECUTION_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(600), z.lte(14400)), 1800),
  /** all-at-once: every request moves to the new fleet at once; canary: CANARY_PERCENT of it first, for CANARY_BAKE_SECONDS. */
  DEPLOYMENT_POLICY: z._default(DeploymentPolicySchema, 'all-at-once'),
  /** SageMaker allows a canary of at most half the new fleet's capacity. */
  CANARY_PERCENT: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(50)), 25),
  /** Blue/green WaitIntervalInSeconds: 0 to 3600. */
  CANARY_BAKE_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(3600)), 600),
  /** The rollback alarm on ModelLatency: p99 above this many milliseconds over a minute. */
  ALARM_LATENCY_P99_MS: z._default(z.coerce.number().check(z.positive(), z.lte(3_600_000)), 1000),
  /** The rollback alarm on Invocation5XXErrors: more than this many in a minute. */
  ALARM_5XX_PER_MINUTE: z._default(z.coerce.number().check(z.int(), z.gte(0)), 0),
}).check(
  // SageMaker: the timeout must be larger than the waits it covers.
  z.refine((c) => c.ENDPOINT_MAX_EXECUTION_SECONDS > c.ENDPOINT_TERMINATION_WAIT_SECONDS + (c.DEPLOYMENT_POLICY === 'canary' ? c.CANARY_BAKE_SECONDS : 0), {
    message: 'must be larger than ENDPOINT_TERMINATION_WAIT_SECONDS plus, for a canary, CANARY_BAKE_SECONDS',
    path: ['ENDPOINT_MAX_EXECUTION_SECONDS'],
  }),
);
export type DeployConfig = z.infer<typeof DeployConfigSchema>;

/** Parses an environment against a schema; the error names every bad variable and why. */
export function parseConfig<T extends z.ZodMiniType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigurationError(`Invalid function configuration: ${detail}`);
  }
  return result.data;
}

/** Reads the configuration once per container (the environment does not change while warm). */
export function configLoader<T extends z.ZodMiniType>(schema: T): () => z.infer<T> {
  let cached: z.infer<T> | undefined;
  return () => (cached ??= parseConfig(schema));
}
