/**
 * Blue/green updates with a traffic routing configuration and auto-rollback alarms: the new fleet
 * takes its share of InvokeEndpoint during each bake (on the emulated clock), and an alarm in ALARM
 * during a bake rolls the endpoint back to the old fleet, which never stopped serving.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand, type DescribeEndpointCommandOutput, UpdateEndpointCommand, type UpdateEndpointCommandInput } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import * as tar from 'tar';
import type { AlarmState } from '../src';
import { BUCKET, type Harness, MEAN_IMAGE, ROLE, startHarness, waitFor } from './helpers';

jest.setTimeout(90_000);

/** Emulated seconds per real second: a 300 s bake takes 3 s. */
const RATE = 100;
const alarms = new Map<string, AlarmState>();
let h: Harness;

async function meanModel(name: string, mean: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(h.tmp, 'model-'));
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ mean }));
  await tar.create({ gzip: true, cwd: dir, file: path.join(dir, 'model.tar.gz') }, ['model.json']);
  await h.put(`models/${name}/model.tar.gz`, fs.readFileSync(path.join(dir, 'model.tar.gz')));
  await h.sagemaker.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: MEAN_IMAGE, ModelDataUrl: `s3://${BUCKET}/models/${name}/model.tar.gz` } }));
  await h.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }] }));
}

const describe_ = (name: string) => h.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
/** The model's answer to the row "0": its mean, so 0 is the old fleet and 100 the new one. */
const answer = async (endpoint: string) => Number(Buffer.from((await h.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: Buffer.from('0\n'), ContentType: 'text/csv' }))).Body).toString());
const settled = (name: string) => waitFor(() => describe_(name), (d: DescribeEndpointCommandOutput) => d.EndpointStatus === 'InService' || d.EndpointStatus === 'Failed', `${name} to settle`, 60_000);
const ALARM_NAMES = ['ep-v2-invocation-5xx', 'ep-v2-model-latency-p99'];

function update(endpoint: string, routing: NonNullable<NonNullable<UpdateEndpointCommandInput['DeploymentConfig']>['BlueGreenUpdatePolicy']>['TrafficRoutingConfiguration'], terminationWait: number): UpdateEndpointCommand {
  return new UpdateEndpointCommand({
    EndpointName: endpoint,
    EndpointConfigName: 'new',
    DeploymentConfig: {
      BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: routing, TerminationWaitInSeconds: terminationWait, MaximumExecutionTimeoutInSeconds: 1800 },
      AutoRollbackConfiguration: { Alarms: ALARM_NAMES.map((AlarmName) => ({ AlarmName })) },
    },
  });
}

async function liveEndpoint(name: string): Promise<void> {
  await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: 'old' }));
  await settled(name);
}

beforeAll(async () => {
  h = await startHarness({ clockRate: RATE, alarms: (names) => names.flatMap((n) => (alarms.has(n) ? [alarms.get(n)!] : [])) });
  await meanModel('old', 0);
  await meanModel('new', 100);
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  alarms.clear();
  for (const name of ALARM_NAMES) alarms.set(name, { name, state: 'INSUFFICIENT_DATA' });
});

it('a canary takes its share of the requests while it bakes, then all of them', async () => {
  await liveEndpoint('canary-ok');
  await h.sagemaker.send(update('canary-ok', { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 50 }, WaitIntervalInSeconds: 600 }, 0));
  const baking = await waitFor(() => describe_('canary-ok'), (d) => d.PendingDeploymentSummary?.ProductionVariants?.[0]?.VariantStatus?.[0]?.Status === 'Baking', 'the canary to bake');
  expect(baking.EndpointStatus).toBe('Updating');
  expect(baking.EndpointConfigName).toBe('old');
  const answers = [];
  for (let i = 0; i < 60; i++) answers.push(await answer('canary-ok'));
  const fromNew = answers.filter((a) => a === 100).length;
  expect(answers.filter((a) => a !== 0 && a !== 100)).toEqual([]);
  // Binomial(60, 0.5): outside [15, 45] with probability below 1e-4.
  expect(fromNew).toBeGreaterThanOrEqual(15);
  expect(fromNew).toBeLessThanOrEqual(45);

  const after = await settled('canary-ok');
  expect(after).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'new' });
  expect(after.FailureReason).toBeUndefined();
  for (let i = 0; i < 10; i++) expect(await answer('canary-ok')).toBe(100);
  // The bake ran on the emulated clock: at least the 600 s wait between UpdateEndpoint and InService.
  expect(after.LastModifiedTime!.getTime() - baking.PendingDeploymentSummary!.StartTime!.getTime()).toBeGreaterThanOrEqual(600_000);
});

it('an alarm that fires during the canary bake rolls every request back to the old fleet and names the alarm', async () => {
  await liveEndpoint('canary-alarm');
  const before = h.sm.state.processes().filter((p) => p.owner === 'canary-alarm').map((p) => p.pid);
  await h.sagemaker.send(update('canary-alarm', { Type: 'CANARY', CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 }, WaitIntervalInSeconds: 1200 }, 0));
  await waitFor(() => describe_('canary-alarm'), (d) => d.PendingDeploymentSummary?.ProductionVariants?.[0]?.VariantStatus?.[0]?.Status === 'Baking', 'the canary to bake');
  alarms.set(ALARM_NAMES[0]!, { name: ALARM_NAMES[0]!, state: 'ALARM', reason: 'Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0).' });

  const after = await settled('canary-alarm');
  expect(after).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'old' });
  expect(after.FailureReason).toBe(
    'Rolled back to endpoint configuration old: CloudWatch alarm ep-v2-invocation-5xx (Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0).) went into ALARM during the baking period at 50 % of the traffic.',
  );
  expect(after.PendingDeploymentSummary).toBeUndefined();
  for (let i = 0; i < 10; i++) expect(await answer('canary-alarm')).toBe(0);
  // The old fleet's processes served throughout; the new fleet's are gone.
  expect(h.sm.state.processes().filter((p) => p.owner === 'canary-alarm').map((p) => p.pid)).toEqual(before);
  expect(h.sm.state.logs('canary-alarm')).toContain('rolling back to endpoint configuration old');
});

it('all at once: the alarms watch the final bake, and one in ALARM rolls back even after every request moved', async () => {
  await liveEndpoint('all-alarm');
  await h.sagemaker.send(update('all-alarm', { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 }, 900));
  await waitFor(() => describe_('all-alarm'), (d) => d.PendingDeploymentSummary?.ProductionVariants?.[0]?.VariantStatus?.[0]?.Status === 'Baking', 'the final bake');
  expect(await answer('all-alarm')).toBe(100);
  alarms.set(ALARM_NAMES[1]!, { name: ALARM_NAMES[1]!, state: 'ALARM' });
  const after = await settled('all-alarm');
  expect(after).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'old' });
  expect(after.FailureReason).toBe('Rolled back to endpoint configuration old: CloudWatch alarm ep-v2-model-latency-p99 went into ALARM during the final baking period.');
  expect(await answer('all-alarm')).toBe(0);
});

it('alarms that are not in ALARM (or do not exist) let the update complete', async () => {
  await liveEndpoint('quiet');
  alarms.delete(ALARM_NAMES[1]!);
  alarms.set(ALARM_NAMES[0]!, { name: ALARM_NAMES[0]!, state: 'OK' });
  await h.sagemaker.send(update('quiet', { Type: 'LINEAR', LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 50 }, WaitIntervalInSeconds: 100 }, 100));
  const after = await settled('quiet');
  expect(after).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'new' });
  expect(h.sm.state.logs('quiet')).toMatch(/new takes 50 % of the traffic; baking 100 s[\s\S]*new takes 100 % of the traffic; baking 100 s/);
});
