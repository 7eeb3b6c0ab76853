/** The CLI's two kinds of failure and their exit codes (0 ok, 1 the operation failed, 2 usage). */
export const EXIT_CODES = { ok: 0, failed: 1, usage: 2 } as const;

/** The command line is wrong: unknown command or option, a missing or malformed argument. Exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = EXIT_CODES.usage;
}

/** What an operation found wrong, named for scripts (`--json` prints the code). */
export type OperationErrorCode =
  | 'stage-not-deployed'
  | 'unknown-family'
  | 'unknown-version'
  | 'not-approved'
  | 'no-live-version'
  | 'no-rollback-target'
  | 'refused'
  | 'run-not-found'
  | 'deploy-failed'
  /** `predict`: the endpoint's model failed, or answered what its objective does not give. */
  | 'model-error'
  /** `predict`: the family's schema.json in the stage's bucket is not one mlops_ingest writes. */
  | 'invalid-schema'
  | 'unreachable';

/** The operation could not be done, and why. Exit 1. */
export class OperationError extends Error {
  override readonly name = 'OperationError';
  readonly exitCode = EXIT_CODES.failed;
  constructor(
    readonly code: OperationErrorCode,
    message: string,
  ) {
    super(message);
  }
}
