/**
 * The model lifecycle end to end, offline, on one twin hosting two stages: `local` (auto approval,
 * like dev) and `localprod` (manual approval, like prod). Every run starts as on AWS, by an upload;
 * every operator action goes through `pnpm mlops` as a user types it (a child process reading the
 * `.local/stages.json` the test writes for this stack, as `pnpm local:up` writes it).
 *
 * The abalone family on `local`: a weak first model (a few boosting rounds) is v1; a full model is
 * compared with it, better, and deployed as v2; a weak challenger is then worse than v2 and rejected
 * while v2 keeps answering; rollback restores v1. A second family lives beside it untouched. On
 * `localprod` a run ends with its version pending; approving it deploys it through the EventBridge
 * rule; promoting local's v2 to localprod trains nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeModelPackageCommand, ListModelPackagesCommand, ListTrainingJobsCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { executionArnFor, executionNameFor, PipelineStateSchema, RunRecordSchema, runIdFor, type PipelineState, type RunRecord } from '@mlops/common';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localStagesFile, startLocalStack, writeLocalStagesFile, type LocalStack } from '@mlops/local-stack';
import { projectRoot } from '@mlops/serverless-config';

const root = projectRoot();
const abalone = readFileSync(join(root, 'data/abalone.csv'), 'utf8');
const localDir = mkdtempSync(join(tmpdir(), 'mlops-lifecycle-'));
/** A few boosting rounds from a low learning rate: far worse than the stage's model, still under a lenient threshold. */
const WEAK = { 'mlops-hyperparameters': JSON.stringify({ num_round: '3', eta: '0.05' }), 'mlops-threshold': '200' };
const HELD_OUT_ROW = '0,0,1,0.44,0.365,0.125,0.516,0.2155,0.114,0.155';
let stack: LocalStack;

interface Run {
  runId: string;
  status: string;
  error?: string;
  cause?: string;
  state: PipelineState;
}

async function runUpload(stage: string, key: string, metadata: Record<string, string> = {}): Promise<Run> {
  const { bucket, stateMachineArns } = stack.stages[stage]!;
  const put = await stack.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: abalone, ContentType: 'text/csv', Metadata: metadata }));
  const runId = runIdFor({ bucket, key, etag: put.ETag! });
  const arn = executionArnFor(stateMachineArns.pipeline!, executionNameFor(runId));
  await stack.settled();
  const done = await stack.stepFunctions.executions.waitForCompletion(arn, { timeoutMs: 120_000 });
  return { runId, status: done.status, error: done.error, cause: done.cause, state: PipelineStateSchema.parse(done.output ?? JSON.parse(lastInput(arn))) };
}

function lastInput(executionArn: string): string {
  const entered = stack.stepFunctions.executions.history(executionArn).findLast((e) => (e.stateEnteredEventDetails as { input?: string } | undefined)?.input);
  return (entered!.stateEnteredEventDetails as { input: string }).input;
}

/** `pnpm mlops <args> --json`, as a user runs it against this stack. */
async function mlops(...args: string[]): Promise<{ code: number; json: unknown; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'tools/mlops/src/main.ts'), ...args, '--json'], {
      cwd: root,
      env: { ...process.env, MLOPS_LOCAL_DIR: localDir },
    });
    return { code: 0, json: JSON.parse(stdout), stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, json: e.stdout ? JSON.parse(e.stdout) : undefined, stderr: e.stderr };
  }
}

async function liveConfig(endpointName: string): Promise<string | undefined> {
  const endpoint = await stack.clients.sageMaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
  return endpoint.EndpointStatus === 'InService' ? endpoint.EndpointConfigName : `${endpoint.EndpointStatus}`;
}

async function predict(endpointName: string): Promise<number> {
  const answer = await stack.clients.runtime.send(new InvokeEndpointCommand({ EndpointName: endpointName, ContentType: 'text/csv', Body: HELD_OUT_ROW }));
  return Number(new TextDecoder().decode(answer.Body));
}

async function versions(group: string): Promise<{ version: number; status: string }[]> {
  const page = await stack.clients.sageMaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: group, SortBy: 'CreationTime', SortOrder: 'Ascending' }));
  return (page.ModelPackageSummaryList ?? []).map((p) => ({ version: p.ModelPackageVersion!, status: p.ModelApprovalStatus! }));
}

async function runRecord(stage: string, runId: string): Promise<RunRecord> {
  const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.stages[stage]!.bucket, Key: `runs/${runId}/run.json` }));
  return RunRecordSchema.parse(JSON.parse(await object.Body!.transformToString()));
}

async function trainingJobCount(): Promise<number> {
  const page = await stack.clients.sageMaker.send(new ListTrainingJobsCommand({ MaxResults: 100 }));
  return page.TrainingJobSummaries?.length ?? 0;
}

/** Deploy executions of a stage, newest first, with their input. */
async function deploys(stage: string): Promise<{ arn: string; status: string; input: unknown }[]> {
  const page = await stack.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.stages[stage]!.stateMachineArns.deploy! }));
  return (page.executions ?? []).map((e) => {
    const snapshot = stack.stepFunctions.executions.get(e.executionArn!)!;
    return { arn: e.executionArn!, status: e.status!, input: snapshot.input };
  });
}

async function settleDeploys(stage: string): Promise<void> {
  await stack.eventBridge.idle();
  for (const d of await deploys(stage)) await stack.stepFunctions.executions.waitForCompletion(d.arn, { timeoutMs: 60_000 });
}

beforeAll(async () => {
  stack = await startLocalStack({ stages: ['local', 'localprod'], waitScale: 0.01 });
  writeLocalStagesFile(join(localDir, 'stages.json'), localStagesFile(stack));
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

describe('model lifecycle (local: auto approval; localprod: manual)', () => {
  let weak: Run;
  let full: Run;

  it("registers and deploys a family's first model, judged by the threshold alone", async () => {
    weak = await runUpload('local', 'incoming/abalone/weak.csv', WEAK);
    expect({ status: weak.status, error: weak.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    expect(weak.state.batch!.champion).toBeUndefined();
    expect(weak.state.evaluation!.gate.champion).toBeUndefined();
    expect(weak.state.registration).toMatchObject({ group: 'mlops-local-abalone', version: 1, approvalStatus: 'Approved' });
    expect(await liveConfig('mlops-local-abalone')).toBe('mlops-local-abalone-v1');
    const record = await runRecord('local', weak.runId);
    expect(record).toMatchObject({ outcome: 'deployed', status: 'SUCCEEDED', family: 'abalone', modelPackage: { version: 1, approvalStatus: 'Approved' } });
    expect(record.deployments).toEqual([expect.objectContaining({ reason: 'pipeline', status: 'deployed', endpointConfigName: 'mlops-local-abalone-v1' })]);
    expect(record.hyperparameters).toMatchObject({ num_round: '3', eta: '0.05' });
  });

  it('compares a better challenger with the champion on the same rows, registers it as v2 and deploys it', async () => {
    full = await runUpload('local', 'incoming/abalone/full.csv');
    expect({ status: full.status, error: full.error, cause: full.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    const { evaluation, batch, transforms } = full.state;
    expect(batch!.champion).toMatchObject({ modelName: 'mlops-local-abalone-v1', modelVersion: { version: 1, group: 'mlops-local-abalone' } });
    expect(transforms!.champion).toMatchObject({ state: 'Succeeded' });
    expect(evaluation!.champion!.label).toBe('abalone v1');
    expect(evaluation!.gate).toMatchObject({ passed: true, champion: { label: 'abalone v1', passed: true, tolerance: 0 } });
    expect(evaluation!.metrics.mse).toBeLessThan(evaluation!.champion!.metrics.mse!);
    expect(full.state.registration).toMatchObject({ version: 2, approvalStatus: 'Approved' });
    expect(await liveConfig('mlops-local-abalone')).toBe('mlops-local-abalone-v2');
    const v2 = await stack.clients.sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: full.state.registration!.arn }));
    expect(v2.CustomerMetadataProperties).toMatchObject({ runId: full.runId, comparedWith: 'abalone v1', family: 'abalone', stage: 'local' });
    expect(Number(v2.CustomerMetadataProperties!['metric:mse'])).toBeCloseTo(evaluation!.metrics.mse!, 6);
    expect(v2.ModelMetrics?.ModelQuality?.Statistics?.S3Uri).toBe(evaluation!.reportUri);
  });

  it('rejects a worse challenger naming both values, and the champion keeps serving untouched', async () => {
    const before = await predict('mlops-local-abalone');
    const worse = await runUpload('local', 'incoming/abalone/weak-again.csv', WEAK);
    expect(worse.status).toBe('FAILED');
    expect(worse.error).toBe('QualityGateFailed');
    expect(worse.cause).toMatch(/^mse \d+(\.\d+)? \(challenger\) is worse than \d+(\.\d+)? \(champion, abalone v2\)$/);
    expect(await versions('mlops-local-abalone')).toHaveLength(2);
    expect(await liveConfig('mlops-local-abalone')).toBe('mlops-local-abalone-v2');
    expect(await predict('mlops-local-abalone')).toBe(before);
    expect(await runRecord('local', worse.runId)).toMatchObject({ outcome: 'rejected-by-gate', status: 'FAILED', error: { Error: 'QualityGateFailed' } });
  });

  it("keeps a second family on its own endpoint and registry, untouched by abalone's runs", async () => {
    const snails = await runUpload('local', 'incoming/snails/abalone.csv');
    expect(snails.status).toBe('SUCCEEDED');
    expect(snails.state.batch!.champion).toBeUndefined();
    expect(snails.state.registration).toMatchObject({ group: 'mlops-local-snails', version: 1 });
    expect(await liveConfig('mlops-local-snails')).toBe('mlops-local-snails-v1');
    expect(await liveConfig('mlops-local-abalone')).toBe('mlops-local-abalone-v2');
    expect(await versions('mlops-local-abalone')).toHaveLength(2);
  });

  it('lists the runs and the versions with the live one (pnpm mlops runs, models)', async () => {
    const runs = await mlops('runs', '--family', 'abalone');
    expect(runs.code).toBe(0);
    expect(JSON.stringify(runs.json)).toContain(full.runId);
    const models = await mlops('models', 'abalone');
    expect(models.code).toBe(0);
    expect(JSON.stringify(models.json)).toMatch(/"version":\s*2/);
    const unknown = await mlops('models', 'no-such-family');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no-such-family/);
  });

  it('rolls back to the previous approved version with one command, and forward again', async () => {
    const rollback = await mlops('rollback', 'abalone', '--wait');
    expect({ code: rollback.code, stderr: rollback.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(await liveConfig('mlops-local-abalone')).toBe('mlops-local-abalone-v1');
    const forward = await mlops('rollback', 'abalone', '--to', '2', '--wait');
    expect(forward.code).toBe(0);
    expect(await liveConfig('mlops-local-abalone')).toBe('mlops-local-abalone-v2');
    const reasons = (await deploys('local')).map((d) => (d.input as { reason: string }).reason);
    expect(reasons.filter((r) => r === 'rollback')).toHaveLength(2);
  });

  it('ends a manual stage with the version pending; approving it deploys it through the EventBridge rule', async () => {
    const pending = await runUpload('localprod', 'incoming/abalone/full.csv');
    expect({ status: pending.status, error: pending.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    expect(pending.state.registration).toMatchObject({ group: 'mlops-localprod-abalone', version: 1, approvalStatus: 'PendingManualApproval' });
    expect(stack.stepFunctions.executions.history(executionArnFor(stack.stages.localprod!.stateMachineArns.pipeline!, pending.runId)).some((e) => (e.stateEnteredEventDetails as { name?: string } | undefined)?.name === 'AwaitingApproval')).toBe(true);
    await expect(stack.clients.sageMaker.send(new DescribeEndpointCommand({ EndpointName: 'mlops-localprod-abalone' }))).rejects.toThrow(/Could not find endpoint/);
    expect(await runRecord('localprod', pending.runId)).toMatchObject({ outcome: 'pending-approval' });
    expect(await deploys('localprod')).toHaveLength(0);

    const approve = await mlops('approve', 'abalone', '1', '--stage', 'localprod', '--reason', 'e2e review');
    expect(approve.code).toBe(0);
    await settleDeploys('localprod');
    const [deployment] = await deploys('localprod');
    expect(deployment).toMatchObject({ status: 'SUCCEEDED', input: { modelPackageArn: pending.state.registration!.arn, reason: 'approval' } });
    expect(await liveConfig('mlops-localprod-abalone')).toBe('mlops-localprod-abalone-v1');
    expect(await predict('mlops-localprod-abalone')).toBeGreaterThan(0);
    // The approval deploy extends the run's record.
    expect(await runRecord('localprod', pending.runId)).toMatchObject({ outcome: 'deployed', deployments: [expect.objectContaining({ reason: 'approval', status: 'deployed' })] });
  });

  it("promotes local's v2 to localprod without training: pending there, recording where it came from", async () => {
    const jobs = await trainingJobCount();
    const promote = await mlops('promote', 'abalone', '2', '--to', 'localprod');
    expect({ code: promote.code, stderr: promote.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    expect(await trainingJobCount()).toBe(jobs);
    const prod = await versions('mlops-localprod-abalone');
    expect(prod.at(-1)).toEqual({ version: 2, status: 'PendingManualApproval' });
    const promoted = await stack.clients.sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: `arn:aws:sagemaker:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:model-package/mlops-localprod-abalone/2` }));
    expect(promoted.CustomerMetadataProperties).toMatchObject({ sourceStage: 'local', sourceVersion: '2', sourceRun: full.runId });
    expect(promoted.InferenceSpecification!.Containers![0]!.ModelDataUrl).toBe(`s3://${stack.stages.localprod!.bucket}/runs/promoted/abalone/local-v2/model.tar.gz`);
    // A version that is not approved is refused by rollback's target choice and by promote's source check.
    const refused = await mlops('promote', 'abalone', '2', '--stage', 'localprod', '--to', 'local');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not approved|PendingManualApproval/i);

    expect((await mlops('approve', 'abalone', '2', '--stage', 'localprod')).code).toBe(0);
    await settleDeploys('localprod');
    expect(await liveConfig('mlops-localprod-abalone')).toBe('mlops-localprod-abalone-v2');
    expect(await liveConfig('mlops-local-abalone')).toBe('mlops-local-abalone-v2');
  });
});
