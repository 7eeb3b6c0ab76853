/**
 * `pnpm pipeline`'s exit codes: one table that main returns, `--help` prints and the README documents
 * (a test holds the README to it), so scripts can tell a bad command from bad data from a failed run.
 */
export const EXIT = {
  succeeded: 0,
  failed: 1,
  usage: 2,
  rejected: 3,
  error: 4,
  interrupted: 130,
  terminated: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each code means, in the order `--help` and the README list them. */
export const EXIT_CODES: readonly { code: ExitCode; meaning: string }[] = [
  { code: EXIT.succeeded, meaning: 'the execution succeeded: the model was deployed, or (on a manual-approval stage) registered and awaiting approval' },
  { code: EXIT.failed, meaning: 'the run did not succeed: the execution failed (a SageMaker job, the quality gate, a deploy...), or mlops_ingest itself failed' },
  { code: EXIT.usage, meaning: 'the command was wrong and nothing was started: an unknown or invalid option, a --data file that is missing, not a file, empty, or names no family' },
  { code: EXIT.rejected, meaning: 'mlops_ingest rejected the dataset (the reason is printed; no execution started): an unknown column, a single-class target, a schema that does not fit the family...' },
  { code: EXIT.error, meaning: 'the offline stack could not start, or the command failed unexpectedly (the error is printed)' },
  { code: EXIT.interrupted, meaning: 'interrupted by Ctrl-C (SIGINT); the temporary stack is closed and the run abandoned' },
  { code: EXIT.terminated, meaning: 'stopped by SIGTERM, likewise' },
];

export const exitCodeOfSignal = (signal: NodeJS.Signals): ExitCode => (signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);
