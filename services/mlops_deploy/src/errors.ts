import { MlopsError } from '@mlops/common';

/** The stage's endpoint is Failed, OutOfService or stuck after a failed rollback: it needs an operator. */
export class EndpointNeedsRepairError extends MlopsError {
  override readonly name = 'EndpointNeedsRepairError';
}

/** Only an Approved version of one of this stage's families is deployed. */
export class ModelNotDeployableError extends MlopsError {
  override readonly name = 'ModelNotDeployableError';
}
