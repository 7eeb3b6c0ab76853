/**
 * Guarded rollouts through the whole offline stack, on a stage set up as prod is (a canary of half
 * of two instances, baking 600 s: 6 s here at 100x): mlops_deploy puts the version's two alarms in
 * the local CloudWatch and hands them to UpdateEndpoint; the local SageMaker shifts the canary's
 * share of InvokeEndpoint to the new fleet while it bakes and watches the alarms. One rollout bakes
 * and completes; in the next, an alarm is set to ALARM during the bake (SetAlarmState, as an
 * operator or CloudWatch itself would), SageMaker rolls back, the deploy ends DeploymentRolledBack
 * with the alarm named in its cause, and the previous model never stops answering.
 */
import { CloudWatchClient, DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { RunRecordSchema } from '@mlops/common';
import { LOCAL_CREDENTIALS, startLocalStack, type LocalStack } from '@mlops/local-stack';
import { observationRecorder } from './support/recorder';
import { abaloneSlice, awaitFinish, awaitStart, deployExecutionOf, heldOutFeatures, LENIENT_GATE, pathOf, runDataset, upload, waitFor, type Finished } from './support/pipeline';

const { record } = observationRecorder('rollouts', 'Guarded rollouts: canary, bake and rollback on an alarm');
let stack: LocalStack;
let cloudWatch: CloudWatchClient;
const ENDPOINT = 'mlops-local-abalone';
/** A model far from the full one (3 boosting rounds), so each fleet's answers tell them apart. */
const WEAK = { ...LENIENT_GATE, 'mlops-threshold': '200', 'mlops-hyperparameters': JSON.stringify({ num_round: '3', eta: '0.05' }) };

beforeAll(async () => {
  stack = await startLocalStack({
    stages: ['local'],
    // prod's rollout on the local stage (serverless.yml: prod's and localprod's params).
    params: { deploymentPolicy: 'canary', canaryPercent: '50', canaryBakeSeconds: '600', endpointInstanceCount: '2' },
  });
  cloudWatch = new CloudWatchClient({ endpoint: stack.endpoints.cloudwatch, region: stack.resources.region, credentials: LOCAL_CREDENTIALS });
}, 180_000);
afterAll(async () => {
  cloudWatch?.destroy();
  await stack?.close();
});

async function predict(features: string): Promise<number> {
  const answer = await stack.clients.runtime.send(new InvokeEndpointCommand({ EndpointName: ENDPOINT, ContentType: 'text/csv', Body: features }));
  return Number(new TextDecoder().decode(answer.Body));
}

const endpoint = () => stack.clients.sageMaker.send(new DescribeEndpointCommand({ EndpointName: ENDPOINT }));
const baking = async () => (await endpoint()).PendingDeploymentSummary?.ProductionVariants?.[0]?.VariantStatus?.[0]?.Status === 'Baking';

/** Starts a run and returns once its rollout bakes (or the run ended first). */
async function runUntilBaking(name: string, body: string, metadata: Record<string, string>) {
  const up = await upload(stack, name, body, metadata);
  expect(await awaitStart(stack, up)).toBe('started');
  await waitFor(`${name}'s rollout to bake`, async () => ((await baking()) || stack.stepFunctions.executions.get(up.executionArn)?.status !== 'RUNNING' ? true : undefined), 120_000, 50);
  return up;
}

async function runRecord(run: Finished) {
  const object = await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: `runs/${run.upload.runId}/run.json` }));
  return RunRecordSchema.parse(JSON.parse(await object.Body!.transformToString()));
}

let features: string;
let v1Answer: number;
let v2Live: number;

it('a canary takes half the requests while it bakes, then all of them; its alarms are there, quiet', async () => {
  const first = await runDataset(stack, 'v1.csv', abaloneSlice(0, 1500), WEAK);
  expect({ status: first.snapshot.status, error: first.snapshot.error, cause: first.snapshot.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
  features = await heldOutFeatures(stack, first.state);
  v1Answer = await predict(features);

  const up = await runUntilBaking('v2.csv', abaloneSlice(0, 1500), LENIENT_GATE);
  const answers: number[] = [];
  while (await baking()) answers.push(await predict(features));
  const run = await awaitFinish(stack, up);
  const v2Answer = await predict(features);
  v2Live = v2Answer;
  const alarms = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'mlops-local-abalone-v2-' }));
  const fromCanary = answers.filter((a) => a === v2Answer).length;
  record({
    scenario: 'canary rollout (50 % of two instances, 600 s bake on the emulated clock), no alarm',
    expected: 'during the bake the new version answers about half the requests and the old one the rest; then the new one answers all; the run ends deployed',
    observed: `${answers.length} requests during the bake: ${fromCanary} answered by v2 (${v2Answer}), ${answers.filter((a) => a === v1Answer).length} by v1 (${v1Answer}), ${answers.filter((a) => a !== v1Answer && a !== v2Answer).length} other; run ${run.snapshot.status}; alarms ${alarms.MetricAlarms?.map((a) => `${a.AlarmName} ${a.StateValue}`).join(', ')}`,
    counts: { runs: 2 },
  });
  expect(run.snapshot.status).toBe('SUCCEEDED');
  expect(v2Answer).not.toBe(v1Answer);
  expect(answers.filter((a) => a !== v1Answer && a !== v2Answer)).toEqual([]);
  // At least a few of each: a canary's share is neither nothing nor everything.
  expect(answers.length).toBeGreaterThanOrEqual(10);
  expect(fromCanary).toBeGreaterThan(0);
  expect(fromCanary).toBeLessThan(answers.length);
  expect((await endpoint()).EndpointConfigName).toBe('mlops-local-abalone-v2');
  expect(alarms.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue])).toEqual([
    ['mlops-local-abalone-v2-invocation-5xx', 'INSUFFICIENT_DATA'],
    ['mlops-local-abalone-v2-model-latency-p99', 'INSUFFICIENT_DATA'],
  ]);
}, 240_000);

it('an alarm that fires during the bake rolls the update back: the deploy ends rolled back naming the alarm, the previous model answers throughout', async () => {
  const up = await runUntilBaking('v3.csv', abaloneSlice(1500, 1500), WEAK);
  await cloudWatch.send(
    new SetAlarmStateCommand({ AlarmName: 'mlops-local-abalone-v3-invocation-5xx', StateValue: 'ALARM', StateReason: 'Threshold Crossed: 1 datapoint [4.0] was greater than the threshold (0.0).' }),
  );
  const answers: number[] = [];
  let failures = 0;
  while (stack.stepFunctions.executions.get(up.executionArn)?.status === 'RUNNING') {
    await predict(features).then((a) => answers.push(a), () => failures++);
  }
  const run = await awaitFinish(stack, up);
  const deploy = deployExecutionOf(stack, run);
  const after = await endpoint();
  const record_ = await runRecord(run);
  record({
    scenario: 'an alarm fires during the canary bake (SetAlarmState on the version’s 5xx alarm)',
    expected: 'SageMaker rolls back; the deploy ends DeploymentRolledBack naming the alarm; the endpoint serves the previous version; every request is answered',
    observed: `deploy ${deploy.snapshot.status} ${deploy.snapshot.error}: ${deploy.snapshot.cause}; run ${run.snapshot.status} ${run.snapshot.error}, recorded ${record_.outcome}; endpoint ${after.EndpointStatus} on ${after.EndpointConfigName}; ${answers.length + failures} requests after the alarm: ${failures} failed`,
    counts: { runs: 1, leaks: stack.sageMaker.state.processes().filter((p) => p.kind === 'endpoint').length - 2 },
  });
  expect(deploy.snapshot).toMatchObject({ status: 'FAILED', error: 'DeploymentRolledBack' });
  expect(deploy.snapshot.cause).toContain('update rolled back: endpoint mlops-local-abalone still serves config mlops-local-abalone-v2, not mlops-local-abalone-v3');
  expect(deploy.snapshot.cause).toContain('CloudWatch alarm mlops-local-abalone-v3-invocation-5xx (Threshold Crossed: 1 datapoint [4.0] was greater than the threshold (0.0).) went into ALARM during the baking period at 50 % of the traffic');
  expect(pathOf(deploy.history).slice(-4)).toEqual(['DeploymentRolledBack', 'RecordDeployment', 'Outcome', 'DeployFailed']);
  expect(run.snapshot).toMatchObject({ status: 'FAILED', error: 'DeploymentRolledBack' });
  expect(record_.outcome).toBe('rolled-back');
  expect(record_.deployments.at(-1)).toMatchObject({ status: 'rolled-back', error: { Error: 'DeploymentRolledBack' } });
  expect(after).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'mlops-local-abalone-v2' });
  expect(failures).toBe(0);
  expect(await predict(features)).toBe(v2Live);
  // During the bake requests went to either fleet; after the rollback only the previous version answers.
  expect(answers.at(-1)).toBe(v2Live);
  // Two instances of the previous version serve; the rolled-back fleet is gone.
  expect(stack.sageMaker.state.processes().filter((p) => p.kind === 'endpoint')).toHaveLength(2);
}, 240_000);
