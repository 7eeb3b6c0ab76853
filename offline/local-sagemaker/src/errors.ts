/**
 * AWS error codes and shapes as SageMaker answers them. Control-plane errors travel as JSON 1.1
 * (`{"__type": code, "message": ...}` + `x-amzn-ErrorType`); runtime errors as REST-JSON.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra body members (e.g. ModelError's OriginalStatusCode). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export const validationException = (message: string) => new AwsError('ValidationException', message);
export const resourceInUse = (message: string) => new AwsError('ResourceInUse', message);
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFound', message);
/** The API model's ConflictException (HTTP 400 in the API reference), e.g. DeleteModelPackageGroup's. */
export const conflictException = (message: string) => new AwsError('ConflictException', message);
export const resourceLimitExceeded = (message: string) => new AwsError('ResourceLimitExceeded', message);
export const throttling = () => new AwsError('ThrottlingException', 'Rate exceeded', 400);
export const internalFailure = () =>
  new AwsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
export const serviceUnavailable = () => new AwsError('ServiceUnavailable', 'The service is unavailable. Please try again later.', 503);
export const unknownOperation = (target: string) =>
  new AwsError('UnknownOperationException', `Operation ${target} is not supported by local-sagemaker.`);
export const serializationException = (message: string) => new AwsError('SerializationException', message);
