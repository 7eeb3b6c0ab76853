/**
 * `pnpm pipeline`: the whole MLOps workflow offline, on the bundled sample or on your CSV.
 * Its exit codes are exit-codes.ts's table (printed by `--help`, documented in the README).
 */
import { join, relative } from 'node:path';
import type { LocalStack } from '@mlops/local-stack';
import { projectRoot } from '@mlops/serverless-config';
import { parsePipelineArgs, UsageError, type PipelineOptions } from './args';
import { EXIT, exitCodeOfSignal, type ExitCode } from './exit-codes';
import { createProgressView, type ProgressView } from './progress';
import { runPipeline, type RunOutcome } from './run';
import { startStackInSteps } from './stack-start';
import { humanSummary, jsonSummary, keepRun } from './summary';

/**
 * The directory the user ran the command in, where a relative `--data` is found. pnpm runs a script from the
 * root of the package that defines it (here the repository's), not from where it was typed, and puts the
 * latter in INIT_CWD; without pnpm (`node --import tsx .../main.ts`) it is the process's own directory.
 */
export function invocationDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return env.INIT_CWD || cwd;
}

/** What main talks to; tests replace the stack, the run and the process's streams and signals. */
export interface MainContext {
  stdout: { write(text: string): unknown };
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  root: string;
  /** Where SIGINT and SIGTERM arrive: the process. */
  signals: Pick<NodeJS.EventEmitter, 'on' | 'removeListener'>;
  /** Leaves at once (a second Ctrl-C). */
  exit(code: ExitCode): void;
  startStack(progress: ProgressView, options: PipelineOptions): Promise<LocalStack>;
  runPipeline: typeof runPipeline;
  keepRun: typeof keepRun;
}

function notStarted(outcome: RunOutcome): { code: ExitCode; text: string } | undefined {
  if (outcome.status === 'REJECTED') return { code: EXIT.rejected, text: `the dataset was rejected: ${outcome.rejection ?? outcome.cause}` };
  if (outcome.status === 'INGEST_FAILED') return { code: EXIT.failed, text: `mlops_ingest failed, no execution started: ${outcome.cause}` };
  return undefined;
}

export async function main(argv: string[], context: Partial<MainContext> = {}): Promise<ExitCode> {
  const root = context.root ?? projectRoot();
  const ctx: MainContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    root,
    signals: process,
    exit: (code) => process.exit(code),
    startStack: (progress, options) => startStackInSteps(progress, { root, timeScale: options.timeScale }),
    runPipeline,
    keepRun,
    ...context,
  };
  const outDir = join(root, '.local/reports');
  let options: PipelineOptions;
  try {
    const parsed = parsePipelineArgs(argv, { data: join(root, 'data/abalone.csv'), outDir, cwd: invocationDir(ctx.env, ctx.cwd) });
    if (parsed === 'help') {
      // Loaded for --help only: the hyperparameter table comes with the offline XGBoost's module graph.
      const { usage } = await import('./help');
      ctx.stdout.write(`${usage(relative(root, outDir))}\n`);
      return EXIT.succeeded;
    }
    options = parsed;
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.stderr.write(`pnpm pipeline: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }

  const progress = createProgressView(ctx.stderr);
  const abort = new AbortController();
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      ctx.stderr.write(`pnpm pipeline: ${signal} again: exiting without waiting for the offline stack to close\n`);
      ctx.exit(exitCodeOfSignal(signal));
      return;
    }
    // The run stops at its next poll; the stack (which may still be starting) closes in `finally`.
    interrupted = signal;
    progress.interrupted(signal);
    abort.abort();
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  ctx.signals.on('SIGINT', onSigint);
  ctx.signals.on('SIGTERM', onSigterm);
  let stack: LocalStack | undefined;
  try {
    try {
      stack = await ctx.startStack(progress, options);
    } catch (error) {
      if (interrupted) return exitCodeOfSignal(interrupted);
      ctx.stderr.write(`pnpm pipeline: the offline stack could not start: ${(error as Error).stack ?? String(error)}\n`);
      return EXIT.error;
    }
    if (interrupted) return exitCodeOfSignal(interrupted);
    const outcome = await ctx.runPipeline(stack, options, progress, abort.signal);
    if (interrupted) return exitCodeOfSignal(interrupted);
    const early = notStarted(outcome);
    if (early) {
      ctx.stderr.write(`pnpm pipeline: ${early.text}\n`);
      if (options.json) ctx.stdout.write(`${JSON.stringify({ execution: { name: outcome.executionName, status: outcome.status }, error: outcome.cause }, null, 2)}\n`);
      return early.code;
    }
    const kept = await ctx.keepRun(stack, outcome, { outDir: options.outDir, source: options.data });
    if (options.json) ctx.stdout.write(`${jsonSummary(outcome, kept)}\n`);
    else ctx.stderr.write(`${humanSummary(outcome, kept)}\n`);
    if (interrupted) return exitCodeOfSignal(interrupted);
    return outcome.status === 'SUCCEEDED' ? EXIT.succeeded : EXIT.failed;
  } catch (error) {
    // Whatever the interruption cut short (the run's wait, a request to the closing stack) is not an error.
    if (interrupted) return exitCodeOfSignal(interrupted);
    ctx.stderr.write(`pnpm pipeline: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.error;
  } finally {
    // Listening until the stack is closed: a second Ctrl-C while it closes still says what it does.
    await stack?.close();
    ctx.signals.removeListener('SIGINT', onSigint);
    ctx.signals.removeListener('SIGTERM', onSigterm);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`pnpm pipeline: ${error.stack ?? error.message}\n`);
      process.exit(EXIT.error);
    },
  );
}
