/**
 * Scheduled retraining offline: the local stage's retraining schedule (here every 30 minutes, 18 s
 * of real time at the stack's 100x) fires on the emulated clock through the local EventBridge
 * Scheduler, and the family's latest dataset runs again as the run of that tick, through the whole
 * pipeline; `pnpm mlops retrain` takes the same path by hand through the stack's Lambda API, and the
 * same tick twice starts nothing new.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { executionArnFor, executionNameFor, runIdFor } from '@mlops/common';
import { RetrainOutputSchema } from '@mlops/mlops-cli';
import { localStagesFile, startLocalStack, writeLocalStagesFile, type LocalStack } from '@mlops/local-stack';
import { projectRoot } from '@mlops/serverless-config';

const root = projectRoot();
const abalone = readFileSync(join(root, 'data/abalone.csv'), 'utf8');
const localDir = mkdtempSync(join(tmpdir(), 'mlops-retraining-'));
const SCHEDULE = 'rate(30 minutes)';
let stack: LocalStack;
let uploadRunId: string;

async function mlops(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'tools/mlops/src/main.ts'), ...args], { cwd: root, env: { ...process.env, MLOPS_LOCAL_DIR: localDir } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function executionNames(): Promise<string[]> {
  const page = await stack.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.stages.local!.stateMachineArns.pipeline! }));
  return (page.executions ?? []).map((e) => e.name!);
}

beforeAll(async () => {
  stack = await startLocalStack({ stages: ['local'], waitScale: 0.01, params: { retrainSchedule: SCHEDULE } });
  writeLocalStagesFile(join(localDir, 'stages.json'), localStagesFile(stack));
  const { bucket, stateMachineArns } = stack.stages.local!;
  const put = await stack.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/abalone.csv', Body: abalone, ContentType: 'text/csv' }));
  uploadRunId = runIdFor({ bucket, key: 'incoming/abalone.csv', etag: put.ETag! });
  await stack.settled();
  const done = await stack.stepFunctions.executions.waitForCompletion(executionArnFor(stateMachineArns.pipeline!, executionNameFor(uploadRunId)), { timeoutMs: 120_000 });
  expect(done.status).toBe('SUCCEEDED');
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

it('holds the stage’s schedule, as serverless.yml resolves it with the overriding param', () => {
  expect(stack.scheduler.list()).toEqual([expect.objectContaining({ name: 'mlops-local-retrain', expression: SCHEDULE, state: 'ENABLED', timezone: 'UTC' })]);
});

it('a tick runs the family’s latest dataset again, as the run named after the tick, to the end of the pipeline', async () => {
  const deadline = Date.now() + 60_000;
  let retrainRun: string | undefined;
  while (!retrainRun && Date.now() < deadline) {
    retrainRun = (await executionNames()).find((name) => name.startsWith(`${uploadRunId}-r`));
    if (!retrainRun) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(retrainRun).toMatch(new RegExp(`^${uploadRunId}-r\\d{8}t\\d{6}$`));
  // The run is named after a tick Scheduler delivered, as it substituted <aws.scheduler.scheduled-time>.
  const ticks = stack.scheduler.invocations().filter((i) => i.status === 'succeeded').map((i) => `${uploadRunId}-r${i.scheduledTime.replace(/[-:]/g, '').replace(/Z$/, '').toLowerCase()}`);
  expect(ticks).toContain(retrainRun);
  const done = await stack.stepFunctions.executions.waitForCompletion(executionArnFor(stack.stages.local!.stateMachineArns.pipeline!, retrainRun!), { timeoutMs: 120_000 });
  expect({ status: done.status, error: done.error, cause: done.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
  // The same bytes as the upload's run: the same source, a run of its own.
  expect((done.input as { source: { key: string } }).source.key).toBe('incoming/abalone.csv');
}, 120_000);

it('pnpm mlops retrain takes the same path by hand; the same tick again starts nothing new', async () => {
  const at = '2030-01-01T00:00:00Z';
  const first = await mlops('retrain', 'abalone', '--at', at, '--json');
  expect(first.code).toBe(0);
  const doc = RetrainOutputSchema.parse(JSON.parse(first.stdout));
  expect(doc).toMatchObject({ stage: 'local', family: 'abalone', started: 1, functionName: 'mlops-local-mlops_ingest' });
  expect(doc.runs).toEqual([expect.objectContaining({ runId: `${uploadRunId}-r20300101t000000`, status: 'started', key: 'incoming/abalone.csv' })]);
  // While the run is in progress Step Functions answers the same StartExecution with the same
  // execution (idempotent); once it ended, with ExecutionAlreadyExists, which ingest resolves.
  const again = RetrainOutputSchema.parse(JSON.parse((await mlops('retrain', 'abalone', '--at', at, '--json')).stdout));
  expect(again.runs.map((r) => r.executionArn)).toEqual(doc.runs.map((r) => r.executionArn));
  const done = await stack.stepFunctions.executions.waitForCompletion(doc.runs[0]!.executionArn, { timeoutMs: 120_000 });
  expect(done.status).toBe('SUCCEEDED');
  expect((await executionNames()).filter((n) => n === `${uploadRunId}-r20300101t000000`)).toHaveLength(1);
  const afterwards = await mlops('retrain', 'abalone', '--at', at);
  expect(afterwards.stdout).toContain(`run ${uploadRunId}-r20300101t000000 on incoming/abalone.csv already exists (this tick ran before)`);
  const none = await mlops('retrain', 'iris');
  expect(none.stdout).toContain('iris: nothing to retrain: family iris has no dataset under incoming/ to retrain on');
}, 180_000);
