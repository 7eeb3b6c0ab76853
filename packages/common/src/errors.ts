/**
 * The pipeline's error classes. Step Functions matches `ErrorEquals` on the error's `name`
 * and minifiers rename classes, so every class carries a literal `name`.
 */
export class MlopsError extends Error {
  override readonly name: string = 'MlopsError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** An event or state input that does not satisfy its contract. Never retried. */
export class InputValidationError extends MlopsError {
  override readonly name = 'InputValidationError';
  constructor(
    readonly source: string,
    readonly issues: FieldIssue[],
  ) {
    super(`Invalid ${source}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

/** The function's environment is incomplete or malformed: a deployment bug. */
export class ConfigurationError extends MlopsError {
  override readonly name = 'ConfigurationError';
}

/** The uploaded dataset cannot be used (empty, ragged, unknown column, single class...). */
export class DatasetError extends MlopsError {
  override readonly name = 'DatasetError';
}

/** SageMaker throttled or failed transiently; the state machine retries this name. */
export class SageMakerTransientError extends MlopsError {
  override readonly name = 'SageMakerTransientError';
}

/**
 * S3 throttled (SlowDown), failed with a 5xx after the SDK's own retries, or dropped a response
 * stream mid-body (which the SDK cannot retry: the stream belongs to the caller). The step reads
 * and writes idempotently, so the state machine retries this name.
 */
export class S3TransientError extends MlopsError {
  override readonly name = 'S3TransientError';
}

/** A SageMaker resource name is taken by something that is not this run's. */
export class ResourceConflictError extends MlopsError {
  override readonly name = 'ResourceConflictError';
}

/** A job or endpoint did not finish within its deadline; it was stopped. */
export class PollDeadlineExceededError extends MlopsError {
  override readonly name = 'PollDeadlineExceededError';
}

/** SageMaker reported a status this code does not know: fail loudly rather than guess. */
export class UnknownStatusError extends MlopsError {
  override readonly name = 'UnknownStatusError';
}

/** A state payload would exceed Step Functions' 256 KiB limit. */
export class PayloadTooLargeError extends MlopsError {
  override readonly name = 'PayloadTooLargeError';
}

/** Error names the state machine retries with backoff (besides the Lambda service errors). */
export const RETRYABLE_ERROR_NAMES = ['SageMakerTransientError', 'S3TransientError'] as const;
