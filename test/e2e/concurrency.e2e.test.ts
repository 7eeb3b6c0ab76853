/**
 * Runs of one family that overlap tell the truth (README: When runs overlap or fail). Six datasets of
 * one family are uploaded at the same moment; their deploys take turns on the family's endpoint. Every
 * execution must end SUCCEEDED with its outcome recorded (deployed, or superseded by a newer approved
 * version), the model left live must be the newest approved version in registry order, whatever
 * order the rollouts finished in, and no SageMaker resource may be left in a transitional state.
 * An execution stopped by hand runs no Catch: the clean-up rule stops its job and records the run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeTrainingJobCommand, ListModelPackagesCommand, ListTrainingJobsCommand, ListTransformJobsCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { ListExecutionsCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { executionArnFor, executionNameFor, RunRecordSchema, runIdFor, type RunRecord } from '@mlops/common';
import { startLocalStack, type LocalStack } from '@mlops/local-stack';
import { projectRoot } from '@mlops/serverless-config';

const root = projectRoot();
const rows = readFileSync(join(root, 'data/abalone.csv'), 'utf8').trim().split('\n');
const BURST = 6;
const FAMILY = 'burst';
/** Any model within reach of the threshold deploys: this test is about the deploys, not the gate. */
const LENIENT = { 'mlops-threshold': '50', 'mlops-tolerance': '1000' };
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ waitScale: 0.01 });
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

async function record(runId: string): Promise<RunRecord> {
  const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: `runs/${runId}/run.json` }));
  return RunRecordSchema.parse(JSON.parse(await object.Body!.transformToString()));
}

describe(`${BURST} concurrent uploads into one family`, () => {
  it('end SUCCEEDED, each with its outcome recorded, the newest approved version live and nothing left in transition', async () => {
    const pipelineArn = stack.stages.local!.stateMachineArns.pipeline!;
    // Six different slices of the sample, uploaded at the same moment.
    const uploads = await Promise.all(
      Array.from({ length: BURST }, async (_, i) => {
        const key = `incoming/${FAMILY}/part-${i}.csv`;
        const body = rows.slice(i * 500, i * 500 + 1400).join('\n');
        const put = await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body, Metadata: LENIENT }));
        return runIdFor({ bucket: stack.bucket, key, etag: put.ETag! });
      }),
    );
    await stack.settled();
    const ended = await Promise.all(uploads.map((runId) => stack.stepFunctions.executions.waitForCompletion(executionArnFor(pipelineArn, executionNameFor(runId)), { timeoutMs: 240_000 })));
    expect(ended.map((e) => ({ status: e.status, error: e.error, cause: e.cause }))).toEqual(ended.map(() => ({ status: 'SUCCEEDED', error: undefined, cause: undefined })));

    const records = await Promise.all(uploads.map(record));
    for (const r of records) expect(['deployed', 'superseded']).toContain(r.outcome);
    // Every deploy execution ended, none reported a rollback that did not happen.
    const deploys = await stack.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.stages.local!.stateMachineArns.deploy! }));
    expect((deploys.executions ?? []).map((d) => d.status)).toEqual(uploads.map(() => 'SUCCEEDED'));

    // The newest approved version in registry order is the one live.
    const versions = await stack.clients.sageMaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: `mlops-local-${FAMILY}`, ModelApprovalStatus: 'Approved', SortBy: 'CreationTime', SortOrder: 'Descending' }));
    const newest = versions.ModelPackageSummaryList![0]!.ModelPackageVersion!;
    expect(versions.ModelPackageSummaryList).toHaveLength(BURST);
    const endpoint = await stack.clients.sageMaker.send(new DescribeEndpointCommand({ EndpointName: `mlops-local-${FAMILY}` }));
    expect({ status: endpoint.EndpointStatus, config: endpoint.EndpointConfigName }).toEqual({ status: 'InService', config: `mlops-local-${FAMILY}-v${newest}` });
    const newestRun = records.find((r) => r.modelPackage?.version === newest)!;
    expect(newestRun.outcome).toBe('deployed');
    // Whoever was superseded says by what, in its deployment record.
    for (const r of records.filter((x) => x.outcome === 'superseded')) expect(r.deployments.map((d) => d.status)).toContain('superseded');
    const answer = await stack.clients.runtime.send(new InvokeEndpointCommand({ EndpointName: `mlops-local-${FAMILY}`, ContentType: 'text/csv', Body: '0,0,1,0.44,0.365,0.125,0.516,0.2155,0.114,0.155' }));
    expect(Number(new TextDecoder().decode(answer.Body))).toBeGreaterThan(0);

    // Nothing left running or half-done.
    const [training, transforms] = await Promise.all([
      stack.clients.sageMaker.send(new ListTrainingJobsCommand({ StatusEquals: 'InProgress' })),
      stack.clients.sageMaker.send(new ListTransformJobsCommand({ StatusEquals: 'InProgress' })),
    ]);
    expect([...(training.TrainingJobSummaries ?? []), ...(transforms.TransformJobSummaries ?? [])]).toEqual([]);
    process.stderr.write(`burst: ${records.map((r) => `${r.runId} v${r.modelPackage?.version} ${r.outcome}`).join('; ')}\n`);
  }, 400_000);
});

describe('an execution stopped by hand (StopExecution: no Catch runs)', () => {
  it("has its training job stopped and its run recorded as ABORTED by the clean-up rule", async () => {
    const key = 'incoming/aborted/slow.csv';
    // Many boosting rounds: the training job is still running when the execution is stopped.
    const put = await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: rows.join('\n'), Metadata: { 'mlops-hyperparameters': JSON.stringify({ num_round: '20000', max_depth: '8' }) } }));
    const runId = runIdFor({ bucket: stack.bucket, key, etag: put.ETag! });
    await stack.settled();
    const executionArn = executionArnFor(stack.stages.local!.stateMachineArns.pipeline!, executionNameFor(runId));
    const trainingJob = `mlops-local-${runId}-train`;
    for (let i = 0; i < 400; i++) {
      const job = await stack.clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: trainingJob })).catch(() => undefined);
      if (job?.TrainingJobStatus === 'InProgress' && job.SecondaryStatus === 'Training') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await stack.clients.sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped by hand' }));
    await stack.settled();
    const job = await stack.clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: trainingJob }));
    expect(['Stopping', 'Stopped']).toContain(job.TrainingJobStatus);
    const run = await record(runId);
    expect(run).toMatchObject({ status: 'ABORTED', outcome: 'failed', error: { Error: 'States.Aborted' }, stopped: [trainingJob], executionArn });
  }, 120_000);
});
