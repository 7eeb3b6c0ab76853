import { MlopsError } from '@mlops/common';

/** The job or endpoint to poll does not exist: a wiring bug or a manual deletion, never retried. */
export class SageMakerResourceMissingError extends MlopsError {
  override readonly name = 'SageMakerResourceMissingError';
}
