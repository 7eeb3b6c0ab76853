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
import { localStagesFile, writeLocalStagesFile } from './stages-file';
import { portInUseMessage, UP_HELP, upOptions, type UpOptions } from './up-options';

async function main(options: UpOptions): Promise<void> {
  const root = projectRoot();
  // MLOPS_LOCAL_DIR: another folder than the project's .local (the restart test uses its own).
  const localDir = process.env.MLOPS_LOCAL_DIR ?? join(root, '.local');
  const stack = await startLocalStack({
    stages: options.stages,
    params: options.params,
    workDir: join(localDir, 'stack'),
    // Where `pnpm mlops notifications` reads them (resources/notifications.yml's topics, offline).
    notificationsFile: join(localDir, 'notifications.jsonl'),
    waitScale: options.waitScale,
    ports: options.ports,
    onLog: (fn, line) => process.stderr.write(`${fn} | ${line}\n`),
  });
  const env = {
    ...stack.environment,
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
      `  CloudWatch      ${stack.endpoints.cloudwatch}   (alarms: aws cloudwatch describe-alarms --endpoint-url ${stack.endpoints.cloudwatch})`,
      `  Lambda          ${stack.endpoints.lambda}   (Invoke only: aws lambda invoke --endpoint-url ${stack.endpoints.lambda} --function-name mlops-local-mlops_ingest ...)`,
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

let options: UpOptions;
try {
  options = upOptions(process.argv.slice(2), process.env);
} catch (error) {
  process.stderr.write(`pnpm local:up: ${(error as Error).message}\n\n${UP_HELP}`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(UP_HELP);
  process.exit(0);
}
main(options).catch((error: Error) => {
  const inUse = portInUseMessage(error, options.ports);
  process.stderr.write(`pnpm local:up: ${inUse ?? error.stack ?? error.message}\n`);
  process.exit(1);
});
