/**
 * Errors as a Lambda caller sees them. Step Functions matches `ErrorEquals` on the error name:
 * for a function error it is the payload's `errorType`, for a service error `Lambda.<Code>`.
 * Names and messages follow the Node.js runtime interface client and the Lambda service.
 */
import { MAX_REQUEST_PAYLOAD_BYTES, MAX_RESPONSE_PAYLOAD_BYTES } from './limits';

/** The body of a failed invocation's response (`X-Amz-Function-Error: Unhandled`). */
export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  /** The runtime sends it for errors raised in the function; platform errors have none. */
  trace?: string[];
}

/** The function failed: its handler threw, its init failed, it timed out or its process died. */
export class LambdaFunctionError extends Error {
  readonly functionError = 'Unhandled';
  constructor(
    readonly functionName: string,
    readonly requestId: string,
    readonly payload: LambdaErrorPayload,
  ) {
    super(payload.errorMessage);
    this.name = payload.errorType;
    // The function's own trace says where it failed; the parent's stack would not.
    if (payload.trace && payload.trace.length > 0) this.stack = payload.trace.join('\n');
  }
}

/** The Lambda service refused or failed the invoke before the handler ran. */
export class LambdaServiceError extends Error {
  constructor(
    /** The service's error code, e.g. `TooManyRequestsException`. */
    readonly code: string,
    message: string,
    readonly statusCode: number,
    readonly reason?: string,
  ) {
    super(message);
    this.name = `Lambda.${code}`;
  }
}

/** `{ Error, Cause }` as a Step Functions Task state reports this error. */
export function statesErrorOf(err: LambdaFunctionError | LambdaServiceError): { error: string; cause: string } {
  if (err instanceof LambdaFunctionError) return { error: err.name, cause: JSON.stringify(err.payload) };
  return {
    error: err.name,
    cause: `${err.message} (Service: AWSLambda; Status Code: ${err.statusCode}; Error Code: ${err.code})`,
  };
}

export function timeoutPayload(requestId: string, timeoutSeconds: number): LambdaErrorPayload {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  };
}

// How the Lambda platform (written in Go) prints the signal that ended a runtime.
const SIGNAL_TEXT: Readonly<Record<string, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGINT: 'interrupt',
  SIGBUS: 'bus error',
};

export function exitPayload(requestId: string, code: number | null, signal: NodeJS.Signals | null): LambdaErrorPayload {
  let reason: string;
  if (signal) reason = `Runtime exited with error: signal: ${SIGNAL_TEXT[signal] ?? signal}`;
  else if (code === 0 || code === null) reason = 'Runtime exited without providing a reason';
  else reason = `Runtime exited with error: exit status ${code}`;
  return { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: ${reason}` };
}

export function responseTooLargePayload(bytes: number): LambdaErrorPayload {
  return {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size (${bytes} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE_PAYLOAD_BYTES} bytes).`,
  };
}

export function requestTooLargeError(bytes: number): LambdaServiceError {
  return new LambdaServiceError(
    'RequestEntityTooLargeException',
    `${bytes} byte payload is too large for the RequestResponse invocation type (limit ${MAX_REQUEST_PAYLOAD_BYTES} bytes)`,
    413,
  );
}

export function invalidRequestContentError(detail: string): LambdaServiceError {
  return new LambdaServiceError('InvalidRequestContentException', `Could not parse request body into json: ${detail}`, 400);
}

export function throttledError(): LambdaServiceError {
  return new LambdaServiceError('TooManyRequestsException', 'Rate Exceeded.', 429, 'ReservedFunctionConcurrentInvocationLimitExceeded');
}

export function functionNotFoundError(arn: string): LambdaServiceError {
  return new LambdaServiceError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
}

/** A fault from the hook, named as Step Functions names it (`Lambda.ServiceException`...). */
export function injectedError(name: string, message: string): LambdaServiceError {
  const code = name.startsWith('Lambda.') ? name.slice('Lambda.'.length) : name;
  const status = code === 'TooManyRequestsException' ? 429 : code.endsWith('NotFoundException') ? 404 : 500;
  const err = new LambdaServiceError(code, message, status);
  err.name = name; // keep exactly what the test asked for, prefixed or not
  return err;
}

/** A function configuration Lambda itself would refuse at deployment time. */
export class InvalidFunctionConfigurationError extends Error {
  override readonly name = 'InvalidParameterValueException';
  constructor(
    readonly functionName: string,
    message: string,
  ) {
    super(`${functionName}: ${message}`);
  }
}
