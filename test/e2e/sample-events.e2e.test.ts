/**
 * Every function's sample events (services/<fn>/events/*.json) work against the offline stack, as
 * the README promises: after the sample upload's run, each function can be invoked on its own,
 * through its deployment bundle and through `sls invoke local`.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { projectRoot } from '@mlops/serverless-config';
import { startLocalStack, type LocalStack } from '@mlops/local-stack';

const root = projectRoot();
const FUNCTIONS = ['mlops_ingest', 'mlops_train', 'mlops_await', 'mlops_batch', 'mlops_eval', 'mlops_register', 'mlops_deploy', 'mlops_record'];
const samples = FUNCTIONS.flatMap((fn) => readdirSync(join(root, 'services', fn, 'events')).filter((file) => file.endsWith('.json')).map((file) => [fn, file] as const));
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ waitScale: 0.01 });
  // The upload the README starts with: its ETag (the content's MD5) fixes the run id the samples use.
  await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: 'incoming/abalone.csv', Body: readFileSync(join(root, 'data/abalone.csv')) }));
  await stack.settled();
  const executionArn = `${stack.resources.stateMachine.arn.replace(':stateMachine:', ':execution:')}:abalone-7aa1b19755`;
  const done = await stack.stepFunctions.executions.waitForCompletion(executionArn, { timeoutMs: 90_000 });
  expect(done.status).toBe('SUCCEEDED');
}, 150_000);

afterAll(async () => {
  await stack?.close();
});

describe('sample events', () => {
  it('exist for every function', () => {
    for (const fn of FUNCTIONS) expect(samples.filter(([f]) => f === fn).length).toBeGreaterThan(0);
  });

  it.each(samples)('%s accepts %s through its deployment bundle', async (fn, file) => {
    const event = JSON.parse(readFileSync(join(root, 'services', fn, 'events', file), 'utf8')) as unknown;
    const name = stack.resources.functions.find((f) => f.key === fn)!.name;
    await expect(stack.lambda.invoke(name, event)).resolves.toBeDefined();
  });

  it('work with `sls invoke local` against the running stack', async () => {
    const { stdout } = await promisify(execFile)(
      join(root, 'node_modules/.bin/sls'),
      ['invoke', 'local', '--stage', 'local', '-f', 'mlops_await', '-p', 'services/mlops_await/events/await-training.json'],
      { cwd: root, env: { ...process.env, ...stack.environment, SLS_TELEMETRY_DISABLED: '1' } },
    );
    const result = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { kind: string; state: string; status: string };
    expect(result).toMatchObject({ kind: 'training', state: 'Succeeded', status: 'Completed' });
  });
});
