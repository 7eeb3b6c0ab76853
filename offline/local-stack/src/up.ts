/**
 * `pnpm local:up`: the offline stack alone, for running stages by hand. Prints the endpoints and
 * writes them to .local/local.env for `sls invoke local` and the AWS CLI; runs until interrupted.
 * Data persists in .local/stack between runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@mlops/serverless-config';
import { startLocalStack } from './stack';

async function main(): Promise<void> {
  const root = projectRoot();
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  const stack = await startLocalStack({
    workDir: join(root, '.local/stack'),
    waitScale: Number(process.env.MLOPS_WAIT_SCALE ?? 0.01),
    ports: { s3: port('MLOPS_S3_PORT', 4569), sagemaker: port('MLOPS_SAGEMAKER_PORT', 4599), stepfunctions: port('MLOPS_STEPFUNCTIONS_PORT', 8083) },
    onLog: (fn, line) => process.stderr.write(`${fn} | ${line}\n`),
  });
  const env = {
    ...stack.environment,
    AWS_ENDPOINT_URL_STEPFUNCTIONS: stack.endpoints.stepfunctions, // the AWS CLI's name for it
    MLOPS_DATA_BUCKET: stack.bucket,
    MLOPS_STATE_MACHINE_ARN: stack.resources.stateMachine.arn,
  };
  const envFile = join(root, '.local/local.env');
  mkdirSync(join(root, '.local'), { recursive: true });
  writeFileSync(envFile, `${Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  process.stdout.write(
    [
      'Offline stack running (Ctrl-C to stop):',
      `  S3              ${stack.endpoints.s3}   bucket ${stack.bucket}, uploads to ${stack.incomingPrefix}*.csv start runs`,
      `  SageMaker       ${stack.endpoints.sagemaker}   (control plane and runtime)`,
      `  Step Functions  ${stack.endpoints.stepfunctions}   ${stack.resources.stateMachine.arn}`,
      '',
      ...Object.entries(env).map(([k, v]) => `export ${k}=${v}`),
      '',
      `(also written to ${envFile}: set -a; . ${envFile}; set +a)`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    process.stdout.write('stopping...\n');
    void stack.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`pnpm local:up: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
