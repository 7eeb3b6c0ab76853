/**
 * Configuration comes from the function's environment, which serverless.yml sets per stage
 * (the single source of truth). Each function reads it once, validated, into typed values;
 * a missing or malformed variable is a ConfigurationError naming it.
 */
import { z } from 'zod';
import { ConfigurationError } from './errors';
import { HyperparametersSchema, MetricNameSchema, ProblemTypeSchema } from './contracts';

const positiveInt = z.coerce.number().int().positive();
const prefix = z
  .string()
  .min(1)
  .regex(/^[^/].*\/$/, 'must be a key prefix ending in "/" (no leading "/")');
const jsonObject = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be valid JSON' });
      return z.NEVER;
    }
  }).pipe(schema);

const base = {
  STAGE: z.string().min(1),
  DATA_BUCKET: z.string().min(3),
  RUNS_PREFIX: prefix.default('runs/'),
  /** Prefix of every SageMaker resource this stage creates; IAM policies are scoped to it. */
  NAME_PREFIX: z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,30}$/, 'must be a short SageMaker-safe name'),
};

export const IngestConfigSchema = z.object({
  ...base,
  INCOMING_PREFIX: prefix,
  STATE_MACHINE_ARN: z.string().startsWith('arn:', 'must be an ARN'),
  SPLIT_RATIOS: z
    .string()
    .default('70,15,15')
    .transform((s) => s.split(',').map(Number))
    .refine((r) => r.length === 3 && r.every((x) => Number.isFinite(x) && x >= 0) && r[0]! > 0 && r[2]! > 0, 'must be three non-negative numbers train,validation,test with train and test > 0'),
  SPLIT_SEED: z.coerce.number().int().default(42),
  CSV_HEADER: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Comma-separated names for a headerless file's columns (the sample's, by default). */
  COLUMN_NAMES: z.string().optional().transform((s) => (s ? s.split(',').map((c) => c.trim()) : undefined)),
  /** Label column: a name, a 0-based index, or `last`. */
  LABEL_COLUMN: z.string().min(1).default('last'),
  PROBLEM_TYPE: ProblemTypeSchema.default('regression'),
  MAX_CLASSES: positiveInt.default(100),
});
export type IngestConfig = z.infer<typeof IngestConfigSchema>;

export const TrainConfigSchema = z.object({
  ...base,
  SAGEMAKER_ROLE_ARN: z.string().startsWith('arn:', 'must be an ARN'),
  TRAINING_IMAGE: z.string().min(1).refine((s) => !s.endsWith(':latest'), 'must pin a tag, not :latest'),
  TRAINING_INSTANCE_TYPE: z.string().startsWith('ml.'),
  TRAINING_INSTANCE_COUNT: positiveInt.default(1),
  TRAINING_VOLUME_GB: positiveInt.default(5),
  TRAINING_MAX_RUNTIME_SECONDS: positiveInt.default(3600),
  HYPERPARAMETERS: jsonObject(HyperparametersSchema).default({}),
});
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

export const AwaitConfigSchema = z.object({
  ...base,
  TRAINING_MAX_RUNTIME_SECONDS: positiveInt.default(3600),
  TRANSFORM_DEADLINE_SECONDS: positiveInt.default(3600),
  ENDPOINT_DEADLINE_SECONDS: positiveInt.default(3600),
});
export type AwaitConfig = z.infer<typeof AwaitConfigSchema>;

export const BatchConfigSchema = z.object({
  ...base,
  SAGEMAKER_ROLE_ARN: z.string().startsWith('arn:', 'must be an ARN'),
  INFERENCE_IMAGE: z.string().min(1).refine((s) => !s.endsWith(':latest'), 'must pin a tag, not :latest'),
  TRANSFORM_INSTANCE_TYPE: z.string().startsWith('ml.'),
  TRANSFORM_INSTANCE_COUNT: positiveInt.default(1),
  TRANSFORM_MAX_PAYLOAD_MB: positiveInt.default(6),
  TRANSFORM_MAX_CONCURRENT: positiveInt.default(1),
});
export type BatchConfig = z.infer<typeof BatchConfigSchema>;

export const EvalConfigSchema = z.object({
  ...base,
  /** The gate for regression runs (the sample: mse <= 6.0, as in the SageMaker abalone template). */
  GATE_METRIC: MetricNameSchema,
  GATE_THRESHOLD: z.coerce.number().refine(Number.isFinite, 'must be a finite number'),
  /** The gate for classification runs, unless the upload names its own. */
  CLASSIFICATION_GATE_METRIC: MetricNameSchema.default('f1_macro'),
  CLASSIFICATION_GATE_THRESHOLD: z.coerce.number().refine(Number.isFinite, 'must be a finite number').default(0.5),
});
export type EvalConfig = z.infer<typeof EvalConfigSchema>;

export const DeployConfigSchema = z.object({
  ...base,
  ENDPOINT_NAME: z.string().regex(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/, 'must be a valid SageMaker endpoint name'),
  ENDPOINT_INSTANCE_TYPE: z.string().startsWith('ml.'),
  ENDPOINT_INSTANCE_COUNT: positiveInt.default(1),
  /** Blue/green: how long the old fleet stays after traffic moved, for a fast rollback. */
  ENDPOINT_TERMINATION_WAIT_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  ENDPOINT_MAX_EXECUTION_SECONDS: z.coerce.number().int().min(600).max(14400).default(1800),
});
export type DeployConfig = z.infer<typeof DeployConfigSchema>;

/** Parses an environment against a schema; the error names every bad variable and why. */
export function parseConfig<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigurationError(`Invalid function configuration: ${detail}`);
  }
  return result.data;
}

/** Reads the configuration once per container (the environment does not change while warm). */
export function configLoader<T extends z.ZodType>(schema: T): () => z.infer<T> {
  let cached: z.infer<T> | undefined;
  return () => (cached ??= parseConfig(schema));
}
