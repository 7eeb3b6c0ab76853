/**
 * Errors as EventBridge Scheduler names them (scheduler-2021-06-30 model: ValidationException 400,
 * ConflictException 409, ResourceNotFoundException 404). The messages AWS sends are not in the model;
 * the ones used here were recorded from the real API where a recording exists (see README.md).
 */

export class ValidationException extends Error {
  override readonly name = 'ValidationException';
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };
  /**
   * Why, when the message is AWS's and AWS gives no reason ("Invalid Schedule Expression cron(x)."):
   * AWS does not say what is wrong, so the reason is ours.
   */
  readonly reason?: string;
  constructor(message: string, reason?: string) {
    super(message);
    if (reason !== undefined) this.reason = reason;
  }
}

export class ConflictException extends Error {
  override readonly name = 'ConflictException';
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 409 };
}

export class ResourceNotFoundException extends Error {
  override readonly name = 'ResourceNotFoundException';
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 404 };
}

/** AWS's wording for a value outside a model constraint (`1 validation error detected: ...`). */
export function constraintViolation(value: unknown, path: string, constraint: string): ValidationException {
  return new ValidationException(`1 validation error detected: Value '${String(value)}' at '${path}' failed to satisfy constraint: ${constraint}`);
}
