// Errors a user can fix (bad hyperparameters, bad data, bad request). The
// training program writes `${name}: ${message}` to output/failure, so the
// name is part of the message SageMaker shows as FailureReason.

/** An invalid hyperparameter or job configuration (named as XGBoost names it). */
export class ValueError extends Error {
  override name = 'ValueError';
}

/** Training or validation data that cannot be used. */
export class DataError extends Error {
  override name = 'DataError';
}

/** An inference request body that cannot be parsed. */
export class RecordError extends Error {
  override name = 'RecordError';
}
