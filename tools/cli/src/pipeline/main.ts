/**
 * `pnpm pipeline`: the whole MLOps workflow offline, on the bundled sample or on your CSV.
 * Exit code 0 only when the execution succeeded: the model deployed, or registered and awaiting approval.
 */
import { join } from 'node:path';
import { projectRoot } from '@mlops/serverless-config';
import { startLocalStack, type LocalStack } from '@mlops/local-stack';
import { parsePipelineArgs, USAGE, UsageError } from './args';
import { createProgressView } from './progress';
import { runPipeline } from './run';
import { humanSummary, jsonSummary, keepRun } from './summary';

export async function main(argv: string[]): Promise<number> {
  const root = projectRoot();
  let options;
  try {
    const parsed = parsePipelineArgs(argv, { data: join(root, 'data/abalone.csv'), outDir: join(root, '.local/reports') });
    if (parsed === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    options = parsed;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`pnpm pipeline: ${error.message}\n`);
      return 2;
    }
    throw error;
  }

  const progress = createProgressView(process.stderr);
  progress.message('starting the offline stack (S3, SageMaker, Step Functions, Lambda)...');
  let stack: LocalStack | undefined;
  const stop = () => void stack?.close().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    stack = await startLocalStack({ waitScale: 1 / options.timeScale });
    const outcome = await runPipeline(stack, options, progress);
    if (outcome.rejection) {
      process.stderr.write(`pnpm pipeline: the dataset was rejected: ${outcome.rejection}\n`);
      if (options.json) process.stdout.write(`${JSON.stringify({ execution: { name: outcome.executionName, status: 'REJECTED' }, error: outcome.rejection }, null, 2)}\n`);
      return 1;
    }
    const kept = await keepRun(stack, outcome, { outDir: options.outDir, source: options.data });
    if (options.json) process.stdout.write(`${jsonSummary(outcome, kept)}\n`);
    else process.stderr.write(`${humanSummary(outcome, kept)}\n`);
    return outcome.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    await stack?.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`pnpm pipeline: ${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
