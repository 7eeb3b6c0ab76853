/**
 * `pnpm mlops teardown` against the real local SageMaker (its wire protocol, its processes) over the
 * offline stack's S3: two stages' resources side by side (`mlops-local-*`, `mlops-localprod-*`); tearing
 * `local` down stops its running jobs, deletes its endpoint (its serving process ends) before its config,
 * and its models, and leaves every `mlops-localprod-*` resource as it was.
 *
 * The local SageMaker lacks ListEndpointConfigs, DeleteModelPackage and DeleteModelPackageGroup: a
 * middleware on the test's client answers those three from the emulator's snapshot and records the
 * deletions (see `served`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { type LocalCloudWatch, startLocalCloudWatch } from '@mlops/local-cloudwatch';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  SageMakerClient,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { StageOutputs } from '@mlops/common';
import { type LocalSageMaker, startLocalSageMaker } from '@mlops/local-sagemaker';
import { type LocalS3, startLocalS3 } from '@mlops/local-stack';
import { runCli, type StageTarget, TeardownOutputSchema } from '../src';
import { teardownIo } from '../src/commands/teardown';

jest.setTimeout(120_000);

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const region = 'us-east-1';
const ROLE = 'arn:aws:iam::000000000000:role/mlops-sagemaker';
const STAGES = ['local', 'localprod'] as const;
const MISSING = ['ListEndpointConfigsCommand', 'DeleteModelPackageCommand', 'DeleteModelPackageGroupCommand'];

let root: string;
let s3: LocalS3;
let local: LocalSageMaker;
let s3Client: S3Client;
let sageMaker: SageMakerClient;
let cloudWatchServer: LocalCloudWatch;
let cloudWatch: CloudWatchClient;
const alarmNames = async () => ((await cloudWatch.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).map((a) => a.AlarmName).sort();
/** The requests the middleware answered for the local SageMaker (operation and input). */
const served: { operation: string; input: Record<string, string> }[] = [];

const outputs = (stage: string): StageOutputs => ({
  DataBucketName: `mlops-${stage}-data`,
  PipelineStateMachineArn: `arn:aws:states:${region}:000000000000:stateMachine:mlops-${stage}-pipeline`,
  DeployStateMachineArn: `arn:aws:states:${region}:000000000000:stateMachine:mlops-${stage}-deploy`,
  NamePrefix: `mlops-${stage}`,
  RunsPrefix: 'runs/',
  ApprovalPolicy: stage === 'local' ? 'auto' : 'manual',
});

async function createStage(stage: string): Promise<void> {
  const prefix = `mlops-${stage}`;
  const bucket = `mlops-${stage}-data`;
  await s3Client.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3Client.send(new PutObjectCommand({ Bucket: bucket, Key: 'models/abalone/model.json', Body: '{"mean": 1}' }));
  await s3Client.send(new PutObjectCommand({ Bucket: bucket, Key: 'batch/abalone/test.csv', Body: '1,2\n3,4\n' }));
  const modelData = { S3DataSource: { S3Uri: `s3://${bucket}/models/abalone/`, S3DataType: 'S3Prefix' as const, CompressionType: 'None' as const } };
  await sageMaker.send(new CreateModelCommand({ ModelName: `${prefix}-abalone-v1`, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'local/serve', ModelDataSource: modelData } }));
  await sageMaker.send(new CreateModelCommand({ ModelName: `${prefix}-abalone-v2`, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'local/hang', ModelDataSource: modelData } }));
  await sageMaker.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: `${prefix}-abalone-v1`,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: `${prefix}-abalone-v1`, InstanceType: 'ml.t2.medium', InitialInstanceCount: 1 }],
    }),
  );
  await sageMaker.send(new CreateEndpointCommand({ EndpointName: `${prefix}-abalone`, EndpointConfigName: `${prefix}-abalone-v1` }));
  await sageMaker.send(
    new CreateTrainingJobCommand({
      TrainingJobName: `${prefix}-abalone-run2-train`,
      RoleArn: ROLE,
      AlgorithmSpecification: { TrainingImage: 'local/sleeper', TrainingInputMode: 'File' },
      InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${bucket}/batch/abalone/` } } }],
      OutputDataConfig: { S3OutputPath: `s3://${bucket}/runs/` },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }),
  );
  await sageMaker.send(
    new CreateTransformJobCommand({
      TransformJobName: `${prefix}-abalone-run2-transform`,
      ModelName: `${prefix}-abalone-v2`,
      TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${bucket}/batch/abalone/` } }, ContentType: 'text/csv', SplitType: 'Line' },
      TransformOutput: { S3OutputPath: `s3://${bucket}/runs/run2/transform/` },
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    }),
  );
  // The rollback alarm mlops_deploy puts for a version.
  await cloudWatch.send(
    new PutMetricAlarmCommand({
      AlarmName: `${prefix}-abalone-v1-invocation-5xx`,
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocation5XXErrors',
      Dimensions: [{ Name: 'EndpointName', Value: `${prefix}-abalone` }],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await sageMaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: `${prefix}-abalone` }));
  for (let i = 0; i < 2; i++) {
    await sageMaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: `${prefix}-abalone`,
        ModelApprovalStatus: 'Approved',
        InferenceSpecification: {
          Containers: [{ Image: 'local/serve', ModelDataUrl: `s3://${bucket}/models/abalone/model.tar.gz` }],
          SupportedContentTypes: ['text/csv'],
          SupportedResponseMIMETypes: ['text/csv'],
        },
      }),
    );
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlops-teardown-'));
  s3 = await startLocalS3({ directory: join(root, 's3') });
  s3Client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region, credentials });
  local = await startLocalSageMaker({
    workDir: join(root, 'sagemaker'),
    s3: { endpoint: s3.endpoint, credentials },
    imageRegistry: {
      baseDir: join(__dirname, 'fixtures'),
      images: {
        'local/serve': { serve: ['${node}', 'containers/serve.js'] },
        'local/hang': { serve: ['${node}', 'containers/serve.js', 'hang'] },
        'local/sleeper': { train: ['${node}', 'containers/sleep-train.js'] },
      },
    },
    region,
    accountId: '000000000000',
    healthCheckTimeoutMs: 15_000,
    stopGracePeriodMs: 2_000,
  });
  sageMaker = new SageMakerClient({ endpoint: local.endpoint, region, credentials });
  cloudWatchServer = await startLocalCloudWatch({ region, accountId: '000000000000' });
  cloudWatch = new CloudWatchClient({ endpoint: cloudWatchServer.endpoint, region, credentials });
  sageMaker.middlewareStack.add(
    (next, context) => async (args) => {
      if (!MISSING.includes(context.commandName ?? '')) return next(args);
      const input = args.input as Record<string, string>;
      served.push({ operation: context.commandName!.replace(/Command$/, ''), input });
      if (context.commandName !== 'ListEndpointConfigsCommand') return { output: { $metadata: {} }, response: {} };
      const needle = (input.NameContains ?? '').toLowerCase();
      const configs = local.state.snapshot().endpointConfigs.filter((c) => c.name.toLowerCase().includes(needle));
      return { output: { EndpointConfigs: configs.map((c) => ({ EndpointConfigName: c.name, EndpointConfigArn: c.arn, CreationTime: new Date(0) })), $metadata: {} }, response: {} };
    },
    { step: 'initialize', name: 'localSageMakerGaps' },
  );
  for (const stage of STAGES) await createStage(stage);
  await Promise.all(STAGES.map((stage) => waitUntilEndpointInService({ client: sageMaker, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: `mlops-${stage}-abalone` })));
});

afterAll(async () => {
  sageMaker?.destroy();
  cloudWatch?.destroy();
  await cloudWatchServer?.close();
  s3Client?.destroy();
  await local?.close();
  await s3?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

beforeEach(() => {
  served.length = 0;
  jest.spyOn(teardownIo, 'interactive').mockReturnValue(false);
  jest.spyOn(teardownIo, 'removeStack').mockRejectedValue(new Error('no sls remove offline'));
});
afterEach(() => jest.restoreAllMocks());

async function run(...argv: string[]) {
  const clients = { sageMaker, runtime: new SageMakerRuntimeClient({ endpoint: local.endpoint, region, credentials }), s3: s3Client, sfn: new SFNClient({ region, credentials }), cloudFormation: new CloudFormationClient({ region, credentials }), cloudWatch };
  const resolve = async (stage: string): Promise<StageTarget> => ({ stage, offline: true, outputs: outputs(stage), clients, reach: 'offline' });
  let stdout = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: () => undefined }, { resolver: () => resolve, reportsDir: join(root, 'reports') });
  return { code, stdout, doc: () => TeardownOutputSchema.parse(JSON.parse(stdout)) };
}

/** The emulator's view of one stage: every resource named under its prefix, with its status. */
function stageState(prefix: string) {
  const s = local.state.snapshot();
  const mine = <T extends { name: string }>(items: T[]) => items.filter((i) => i.name.startsWith(`${prefix}-`));
  return {
    endpoints: mine(s.endpoints).map((e) => `${e.name} ${e.status}`),
    endpointConfigs: mine(s.endpointConfigs).map((c) => c.name),
    models: mine(s.models).map((m) => m.name),
    trainingJobs: mine(s.trainingJobs).map((j) => `${j.name} ${j.status}`),
    transformJobs: mine(s.transformJobs).map((j) => `${j.name} ${j.status}`),
    groups: mine(s.modelPackageGroups).map((g) => g.name),
    packages: s.modelPackages.filter((p) => p.group.startsWith(`${prefix}-`)).map((p) => `${p.group}/${p.version}`),
    servingPids: mine(s.endpoints).flatMap((e) => e.instances.map((i) => i.pid)),
  };
}

describe('pnpm mlops teardown against the local SageMaker', () => {
  let localprodBefore: ReturnType<typeof stageState>;
  let servingBefore: number[];

  it('without --yes and a terminal lists what it would do for local, none of localprod, and changes nothing (exit 2)', async () => {
    localprodBefore = stageState('mlops-localprod');
    expect(localprodBefore).toMatchObject({
      endpoints: ['mlops-localprod-abalone InService'],
      trainingJobs: ['mlops-localprod-abalone-run2-train InProgress'],
      transformJobs: ['mlops-localprod-abalone-run2-transform InProgress'],
      packages: ['mlops-localprod-abalone/1', 'mlops-localprod-abalone/2'],
    });
    const before = stageState('mlops-local');
    servingBefore = before.servingPids;
    expect(servingBefore).toHaveLength(1);

    const { code, doc } = await run('teardown', '--stage', 'local', '--registry', '--json');
    expect(code).toBe(2);
    expect(doc().status).toBe('refused');
    expect(doc().resources.map((r) => `${r.kind} ${r.name} ${r.action}`).sort()).toEqual(
      [
        'training-job mlops-local-abalone-run2-train stop',
        'transform-job mlops-local-abalone-run2-transform stop',
        'endpoint mlops-local-abalone delete',
        'endpoint-config mlops-local-abalone-v1 delete',
        'model mlops-local-abalone-v1 delete',
        'model mlops-local-abalone-v2 delete',
        'alarm mlops-local-abalone-v1-invocation-5xx delete',
        'model-package mlops-local-abalone/1 delete',
        'model-package mlops-local-abalone/2 delete',
        'model-package-group mlops-local-abalone delete',
      ].sort(),
    );
    expect(stageState('mlops-local')).toEqual(before);
    expect(await alarmNames()).toEqual(['mlops-local-abalone-v1-invocation-5xx', 'mlops-localprod-abalone-v1-invocation-5xx']);
    expect(served.filter((s) => s.operation !== 'ListEndpointConfigs')).toEqual([]);
  });

  it('--yes: local\'s jobs stopped, endpoint gone (its process ended) before its config, models deleted; registry kept; localprod untouched', async () => {
    const { code, doc } = await run('teardown', '--stage', 'local', '--yes', '--json');
    expect(code).toBe(0);
    const d = doc();
    expect(d.status).toBe('done');
    expect(d.failures).toEqual([]);
    expect(d.resources.every((r) => r.result === (r.action === 'stop' ? 'stopped' : 'deleted'))).toBe(true);
    expect(d.keptGroups).toEqual([{ name: 'mlops-local-abalone', versions: 2 }]);
    expect(d.stack.note).toContain('.local/stack');
    expect(teardownIo.removeStack).not.toHaveBeenCalled();

    const after = stageState('mlops-local');
    expect(after).toMatchObject({ endpoints: [], endpointConfigs: [], models: [], groups: ['mlops-local-abalone'], packages: ['mlops-local-abalone/1', 'mlops-local-abalone/2'] });
    expect(after.trainingJobs[0]).toMatch(/^mlops-local-abalone-run2-train (Stopping|Stopped)$/);
    expect(after.transformJobs[0]).toMatch(/^mlops-local-abalone-run2-transform (Stopping|Stopped)$/);
    expect(local.state.processes().map((p) => p.pid)).not.toContain(servingBefore[0]);
    expect(stageState('mlops-localprod')).toEqual(localprodBefore);
    // The offline stack's CloudWatch: local's alarm deleted, localprod's kept.
    expect(await alarmNames()).toEqual(['mlops-localprod-abalone-v1-invocation-5xx']);
  });

  it('again with --registry: deletes local\'s versions then its group (the requests the emulator lacks), localprod\'s stay', async () => {
    const { code, doc } = await run('teardown', '--stage', 'local', '--registry', '--yes', '--json');
    expect(code).toBe(0);
    expect(doc().resources.map((r) => `${r.kind} ${r.name}`)).toEqual(['model-package mlops-local-abalone/1', 'model-package mlops-local-abalone/2', 'model-package-group mlops-local-abalone']);
    expect(served.filter((s) => s.operation !== 'ListEndpointConfigs')).toEqual([
      { operation: 'DeleteModelPackage', input: { ModelPackageName: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/1' } },
      { operation: 'DeleteModelPackage', input: { ModelPackageName: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/2' } },
      { operation: 'DeleteModelPackageGroup', input: { ModelPackageGroupName: 'mlops-local-abalone' } },
    ]);
    expect(stageState('mlops-localprod')).toEqual(localprodBefore);
  });
});
