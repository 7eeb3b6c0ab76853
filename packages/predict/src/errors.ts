/** Every failure of this package, named for callers (`code`) and worded for people (`message`). */
export type PredictErrorCode =
  /** A row does not fit the family's columns: `row` (1-based) and `column` say where. */
  | 'invalid-row'
  /** The endpoint's answer is not what the model's objective gives. */
  | 'invalid-response'
  /** A schema document that is not one mlops_ingest writes. */
  | 'invalid-schema'
  /** The family has no schema on the stage: no dataset of it was ever ingested there. */
  | 'unknown-family'
  /** The family's endpoint does not exist (or is not in service) on the stage. */
  | 'no-endpoint'
  /** The endpoint's model answered with an error. */
  | 'model-error';

export class PredictError extends Error {
  override readonly name = 'PredictError';
  constructor(
    readonly code: PredictErrorCode,
    message: string,
    readonly where: { row?: number; column?: string } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
