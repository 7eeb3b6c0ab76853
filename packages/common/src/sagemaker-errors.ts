import { SageMakerTransientError } from './errors';

const TRANSIENT_NAMES = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded', 'InternalFailure', 'ServiceUnavailable', 'InternalServerError']);

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** True for SageMaker errors that a later retry can fix (after the SDK's own retries gave up). */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return TRANSIENT_NAMES.has(error.name) || (status !== undefined && status >= 500);
}

/**
 * How many attempts the SDK made, when it says: " after 1 attempt" tells an operator that the
 * client's retry quota was spent (the SDK stops retrying once it is), which "5 attempts" rules out.
 */
export function sdkAttempts(error: unknown): string {
  const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
  return attempts === undefined ? '' : ` after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
}

/** The message of a transient failure: the operation, the SDK's attempts, the service's error. */
export function transientMessage(operation: string, error: unknown): string {
  return `${operation} failed transiently${sdkAttempts(error)}: ${errorName(error)}: ${(error as Error).message}`;
}

/** Re-throws throttling and 5xx under the name the state machine retries; anything else as is. */
export async function withTransientAsRetryable<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTransient(error)) {
      throw new SageMakerTransientError(transientMessage(operation, error), { cause: error });
    }
    throw error;
  }
}

/** SageMaker answers "Cannot create already existing ..." as a ValidationException. */
export function isAlreadyExists(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && /already exist/i.test(error.message);
}

/** Describe* on a missing resource answers ValidationException, not a 404 shape. */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'ResourceNotFound' || (error.name === 'ValidationException' && /(not found|could not find|does not exist)/i.test(error.message)))
  );
}
