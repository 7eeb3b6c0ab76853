/**
 * S3 Batch Operations' "Invoke AWS Lambda function" contract (Amazon S3 User Guide, "Invoke AWS
 * Lambda function"): one invocation per manifest entry, answered per task. Schema 1.0 names the
 * bucket by ARN, 2.0 by name (and may carry the job's userArguments). Keys arrive URL-encoded, as the
 * manifest lists them.
 */
import * as z from 'zod/mini';

const BatchOperationsTaskSchema = z.object({
  taskId: z.string().check(z.minLength(1)),
  s3Key: z.string().check(z.minLength(1)),
  s3VersionId: z.optional(z.nullable(z.string())),
  /** Schema 1.0. */
  s3BucketArn: z.optional(z.string().check(z.regex(/^arn:aws[a-z-]*:s3:::[^/]+$/, 'must be an S3 bucket ARN'))),
  /** Schema 2.0. */
  s3Bucket: z.optional(z.string().check(z.minLength(3))),
});

export const BatchOperationsInvocationSchema = z
  .object({
    invocationSchemaVersion: z.enum(['1.0', '2.0']),
    invocationId: z.string().check(z.minLength(1)),
    job: z.object({ id: z.string().check(z.minLength(1)), userArguments: z.optional(z.record(z.string(), z.unknown())) }),
    tasks: z.array(BatchOperationsTaskSchema).check(z.minLength(1)),
  })
  .check(
    z.refine(
      (event) => event.tasks.every((task) => (event.invocationSchemaVersion === '1.0' ? task.s3BucketArn !== undefined : task.s3Bucket !== undefined)),
      'every task names its bucket: s3BucketArn in schema 1.0, s3Bucket in 2.0',
    ),
  );
export type BatchOperationsInvocation = z.infer<typeof BatchOperationsInvocationSchema>;

/** TemporaryFailure makes Batch Operations retry the task; PermanentFailure ends it with our reason. */
export const BatchOperationsResultCodeSchema = z.enum(['Succeeded', 'TemporaryFailure', 'PermanentFailure']);
export type BatchOperationsResultCode = z.infer<typeof BatchOperationsResultCodeSchema>;

export const BatchOperationsResponseSchema = z.object({
  invocationSchemaVersion: z.enum(['1.0', '2.0']),
  treatMissingKeysAs: BatchOperationsResultCodeSchema,
  invocationId: z.string(),
  results: z.array(z.object({ taskId: z.string(), resultCode: BatchOperationsResultCodeSchema, resultString: z.string() })),
});
export type BatchOperationsResponse = z.infer<typeof BatchOperationsResponseSchema>;

/** The bucket of a task, by name, in either schema. */
export function bucketOfTask(task: BatchOperationsInvocation['tasks'][number]): string {
  return task.s3Bucket ?? task.s3BucketArn!.slice(task.s3BucketArn!.indexOf(':::') + 3);
}
