import { MlopsError } from '@mlops/common';

/** The stage's endpoint is Failed, OutOfService or stuck after a failed rollback: it needs an operator. */
export class EndpointNeedsRepairError extends MlopsError {
  override readonly name = 'EndpointNeedsRepairError';
}
