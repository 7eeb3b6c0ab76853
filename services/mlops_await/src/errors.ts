import { MlopsError } from '@mlops/common';

/** The job or endpoint to poll does not exist: a wiring bug or a manual deletion, never retried. */
export class ResourceMissingError extends MlopsError {
  override readonly name = 'SageMakerResourceMissing';
}
