import { S3TransientError } from './errors';
import { errorName, transientMessage } from './sagemaker-errors';

/** S3's retryable error codes (S3 API reference, error responses), besides any 5xx. */
const TRANSIENT_S3_CODES = new Set(['SlowDown', 'InternalError', 'ServiceUnavailable', 'RequestTimeout', 'ThrottlingException']);
/** A connection that dropped while a response body was being read. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN']);

const httpStatus = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** No such object: GetObject's NoSuchKey, HeadObject's bodiless NotFound, or any 404. */
export function isMissingS3Object(error: unknown): boolean {
  const name = errorName(error);
  return name === 'NoSuchKey' || name === 'NotFound' || httpStatus(error) === 404;
}

/** A conditional request's condition did not hold (If-Match, If-None-Match): 412 PreconditionFailed. */
export function isS3PreconditionFailed(error: unknown): boolean {
  return errorName(error) === 'PreconditionFailed' || httpStatus(error) === 412;
}

export function isTransientS3Error(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = httpStatus(error);
  const code = (error as { code?: string }).code;
  return TRANSIENT_S3_CODES.has(error.name) || (status !== undefined && status >= 500) || (code !== undefined && NETWORK_CODES.has(code)) || error.name === 'TimeoutError';
}

/** Runs S3 work; transient failures come out as S3TransientError (which the state machine retries), the rest as they are. */
export async function withS3TransientAsRetryable<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isTransientS3Error(error)) {
      throw new S3TransientError(transientMessage(operation, error), { cause: error });
    }
    throw error;
  }
}
