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

/** Re-throws throttling and 5xx under the name the state machine retries; anything else as is. */
export async function withTransientAsRetryable<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTransient(error)) {
      throw new SageMakerTransientError(`${operation} failed transiently: ${errorName(error)}: ${(error as Error).message}`, { cause: error });
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
