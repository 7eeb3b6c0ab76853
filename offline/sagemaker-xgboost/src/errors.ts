// The error kinds of SageMaker's algorithm toolkit (sagemaker_algorithm_toolkit.exceptions).
// The train program writes `${name}: ${message}` to output/failure, so the
// name is part of the job's FailureReason, as in the real container's logs.

/** Something the user can fix: hyperparameters, channels, data. */
export class UserError extends Error {
  override name = 'UserError';
}

/** The machine lacks what the image brings: here, libxgboost 1.7.4. */
export class PlatformError extends Error {
  override name = 'PlatformError';
}

/** An inference request body that cannot be used; answered with 400. */
export class RecordError extends Error {
  override name = 'RecordError';
}
