/**
 * `pnpm local:up [--stage <stage>]...`: the offline stack alone, for running stages by hand. Hosts the
 * stages given with `--stage` (repeatable), else those of MLOPS_STAGES (comma list), else `local`.
 * Prints the endpoints and writes them to .local/local.env (the first stage's values) for `sls invoke
 * local` and the AWS CLI, and every stage's outputs to .local/stages.json (LocalStagesFileSchema);
 * runs until interrupted.
 * Data and the control-plane state (executions, SageMaker resources) persist in .local/stack between
 * runs, even after kill -9 (stack-state.ts); a restart says what was interrupted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@mlops/serverless-config';
import { startLocalStack } from './stack';
import { restoreSummary } from './stack-state';
import { localStagesFile, stagesFrom, writeLocalStagesFile } from './stages-file';

async function main(): Promise<void> {
  const root = projectRoot();
  // MLOPS_LOCAL_DIR: another folder than the project's .local (the restart test uses its own).
  const localDir = process.env.MLOPS_LOCAL_DIR ?? join(root, '.local');
  const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  const stages = stagesFrom(process.argv.slice(2), process.env);
  const stack = await startLocalStack({
    stages,
    workDir: join(localDir, 'stack'),
    // Where `pnpm mlops notifications` reads them (resources/notifications.yml's topics, offline).
    notificationsFile: join(localDir, 'notifications.jsonl'),
    waitScale: Number(process.env.MLOPS_WAIT_SCALE ?? 0.01),
    ports: {
      s3: port('MLOPS_S3_PORT', 4569),
      sagemaker: port('MLOPS_SAGEMAKER_PORT', 4599),
      stepfunctions: port('MLOPS_STEPFUNCTIONS_PORT', 8083),
      sqs: port('MLOPS_SQS_PORT', 9324),
    },
    onLog: (fn, line) => process.stderr.write(`${fn} | ${line}\n`),
  });
  const env = {
    ...stack.environment,
    AWS_ENDPOINT_URL_STEPFUNCTIONS: stack.endpoints.stepfunctions, // the AWS CLI's name for it
    MLOPS_DATA_BUCKET: stack.bucket,
    MLOPS_STATE_MACHINE_ARN: stack.resources.stateMachine.arn,
  };
  const envFile = join(localDir, 'local.env');
  mkdirSync(localDir, { recursive: true });
  writeFileSync(envFile, `${Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  const stagesFile = join(localDir, 'stages.json');
  writeLocalStagesFile(stagesFile, localStagesFile(stack));
  process.stdout.write(
    [
      'Offline stack running (Ctrl-C to stop):',
      `  S3              ${stack.endpoints.s3}   bucket ${stack.bucket}, uploads to ${stack.incomingPrefix}*.csv start runs`,
      `  SageMaker       ${stack.endpoints.sagemaker}   (control plane and runtime)`,
      `  Step Functions  ${stack.endpoints.stepfunctions}`,
      `  SQS             ${stack.endpoints.sqs}`,
      ...stack.stageNames.map((name) => {
        const stage = stack.stages[name]!;
        const queues = Object.values(stage.resources.queues).map((q) => q.url);
        const topics = Object.values(stage.resources.topics).map((t) => t.name);
        return `  stage ${name}: bucket ${stage.bucket}; ${Object.entries(stage.stateMachineArns).map(([key, arn]) => `${key} ${arn}`).join('; ')}${queues.length ? `; queues ${queues.join(', ')}` : ''}${topics.length ? `; topics ${topics.join(', ')}` : ''}`;
      }),
      `  Notifications   ${stack.notificationsFile}   (every stage's SNS topics, one JSON line each; pnpm mlops notifications --stage <stage>)`,
      '',
      ...Object.entries(env).map(([k, v]) => `export ${k}=${v}`),
      '',
      `(also written to ${envFile}: set -a; . ${envFile}; set +a; every stage's outputs: ${stagesFile})`,
      '',
    ].join('\n'),
  );
  if (stack.restored) process.stdout.write(restoreSummary(stack.restored));
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
