import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  type DescribeModelPackageCommandOutput,
  SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { sageMakerModel } from '@mlops/aws-models';
import { DeployConfigSchema, type DeployInput, DeployInputSchema, DeployOutputSchema, parseConfig, ResourceConflictError, SageMakerTransientError, UnknownStatusError } from '@mlops/common';
import { mockClient } from 'aws-sdk-client-mock';
import sampleEvent from '../events/deploy.json';
import { deployModel, familyOfVersion, versionResourceName } from '../src/deploy';
import { EndpointNeedsRepairError, ModelNotDeployableError } from '../src/errors';
import { awsError, expectRequestsValid } from '@mlops/testing';
import { cloudWatchModel } from '@mlops/aws-models';

const sm = mockClient(SageMakerClient);
const cw = mockClient(CloudWatchClient);
const ENV = {
  STAGE: 'local',
  DATA_BUCKET: 'mlops-local-data',
  NAME_PREFIX: 'mlops-local',
  SAGEMAKER_ROLE_ARN: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker-execution',
  ENDPOINT_INSTANCE_TYPE: 'ml.t2.medium',
  ENDPOINT_TERMINATION_WAIT_SECONDS: '0',
};
const config = parseConfig(DeployConfigSchema, ENV);
const deps = { sageMaker: new SageMakerClient({ region: 'us-east-1' }), cloudWatch: new CloudWatchClient({ region: 'us-east-1' }), config };
const ALARMS = [{ AlarmName: `mlops-local-abalone-v1-invocation-5xx` }, { AlarmName: `mlops-local-abalone-v1-model-latency-p99` }];
const ENDPOINT = 'mlops-local-abalone';
const PACKAGE = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/1';
const PACKAGE_V2 = PACKAGE.replace(/\/1$/, '/2');
const PACKAGE_V3 = PACKAGE.replace(/\/1$/, '/3');
const noSuchPackage = (version: number) => awsError('ValidationException', `ModelPackage arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/${version} does not exist.`);
const VERSION = { arn: PACKAGE, group: 'mlops-local-abalone', version: 1 };
/** The model and the endpoint config of version 1 share this name. */
const V1 = 'mlops-local-abalone-v1';
const OLD_CONFIG = 'mlops-local-abalone-v0-legacy';
const EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-deploy:abalone-7aa1b19755-v1';
const VERSION_TAGS = [
  { Key: 'mlops:stage', Value: 'local' },
  { Key: 'mlops:family', Value: 'abalone' },
  { Key: 'mlops:version', Value: '1' },
  { Key: 'mlops:execution', Value: EXECUTION },
];

function event(patch: (e: DeployInput) => void = () => undefined): DeployInput {
  const e = DeployInputSchema.parse(structuredClone(sampleEvent));
  patch(e);
  return e;
}
const packageArn = (group: string, version: number) => `arn:aws:sagemaker:us-east-1:000000000000:model-package/${group}/${version}`;
const notFound = awsError('ValidationException', `Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/${ENDPOINT}".`);
const live = (patch: object = {}) => ({
  EndpointName: ENDPOINT,
  EndpointArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint/${ENDPOINT}`,
  EndpointConfigName: OLD_CONFIG,
  EndpointStatus: 'InService' as const,
  CreationTime: new Date('2025-06-01T00:00:00Z'),
  LastModifiedTime: new Date('2025-06-01T00:10:00Z'),
  ...patch,
});
const described = (patch: Partial<DescribeModelPackageCommandOutput> = {}) => ({
  ModelPackageName: 'mlops-local-abalone',
  ModelPackageGroupName: 'mlops-local-abalone',
  ModelPackageVersion: 1,
  ModelPackageArn: PACKAGE,
  ModelPackageStatus: 'Completed' as const,
  ModelApprovalStatus: 'Approved' as const,
  CustomerMetadataProperties: { family: 'abalone', runId: 'abalone-7aa1b19755', stage: 'local' },
  CreationTime: new Date('2025-06-01T00:00:00Z'),
  ...patch,
});
const exists = (what: string, name: string) => awsError('ValidationException', `Cannot create already existing ${what} "arn:aws:sagemaker:us-east-1:000000000000:${name}".`);

beforeEach(() => {
  sm.reset();
  cw.reset();
  cw.on(PutMetricAlarmCommand).resolves({});
  sm.on(DescribeModelPackageCommand).resolves(described());
  // No newer version of the family than v1 (the deploy walks v2, v3... until one does not exist).
  sm.on(DescribeModelPackageCommand, { ModelPackageName: PACKAGE_V2 }).rejects(noSuchPackage(2));
  // The live endpoint's config serves a model made before the registry (no package: no version).
  sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: OLD_CONFIG }).resolves({
    EndpointConfigName: OLD_CONFIG,
    EndpointConfigArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/${OLD_CONFIG}`,
    ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: OLD_CONFIG }],
    CreationTime: new Date('2025-06-01T00:00:00Z'),
  });
  sm.on(DescribeModelCommand, { ModelName: OLD_CONFIG }).resolves({
    ModelName: OLD_CONFIG,
    ModelArn: `arn:aws:sagemaker:us-east-1:000000000000:model/${OLD_CONFIG}`,
    PrimaryContainer: { Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1' },
    CreationTime: new Date('2025-06-01T00:00:00Z'),
  });
  sm.on(CreateModelCommand).resolves({ ModelArn: `arn:aws:sagemaker:us-east-1:000000000000:model/${V1}` });
  sm.on(CreateEndpointConfigCommand).resolves({ EndpointConfigArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/${V1}` });
  sm.on(CreateEndpointCommand).resolves({ EndpointArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint/${ENDPOINT}` });
  sm.on(UpdateEndpointCommand).resolves({ EndpointArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint/${ENDPOINT}` });
});
afterEach(() => expectRequestsValid(sm));

const output = (action: 'created' | 'updated' | 'unchanged', previousConfigName?: string) => ({
  family: 'abalone',
  modelVersion: VERSION,
  runId: 'abalone-7aa1b19755',
  modelName: V1,
  endpointName: ENDPOINT,
  endpointConfigName: V1,
  action,
  ...(previousConfigName ? { previousConfigName } : {}),
});

describe('familyOfVersion and versionResourceName', () => {
  it.each([
    ['mlops-local-abalone', 'abalone'],
    ['mlops-local-iris-v2', 'iris-v2'],
  ])('the group %s is the family %s of the stage', (group, family) => {
    expect(familyOfVersion({ arn: packageArn(group, 1), group, version: 1 }, config)).toBe(family);
  });

  it.each(['mlops-prod-abalone', 'mlops-localabalone', 'mlops-local', 'mlops-local-Abalone', 'mlops-local-a--b'])('refuses the group %s', (group) => {
    expect(() => familyOfVersion({ arn: packageArn(group, 1), group, version: 1 }, config)).toThrow(ModelNotDeployableError);
  });

  it('names the model and the config of a version <namePrefix>-<family>-v<version>', () => {
    expect(versionResourceName(config, 'abalone', { ...VERSION, version: 12 })).toBe('mlops-local-abalone-v12');
  });
});

describe('deployModel', () => {
  describe('refuses what is not an Approved version of this stage, before creating anything', () => {
    it("refuses a package of another stage's group without even describing it", async () => {
      const prod = packageArn('mlops-prod-abalone', 4);
      const error = await deployModel(event((e) => (e.modelPackageArn = prod)), deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelNotDeployableError);
      expect((error as Error).message).toBe(
        `model package group mlops-prod-abalone is not a model family of stage local (its groups are mlops-local-<family>); not deploying ${prod}`,
      );
      expect(sm.calls()).toHaveLength(0);
    });

    it.each([
      ['PendingManualApproval', 'abalone v1 is PendingManualApproval; only an Approved version is deployed (pnpm mlops approve abalone 1)'],
      ['Rejected', 'abalone v1 is Rejected; only an Approved version is deployed (pnpm mlops approve abalone 1)'],
      [undefined, 'abalone v1 is without an approval status; only an Approved version is deployed (pnpm mlops approve abalone 1)'],
    ] as const)('refuses a version that is %s', async (status, message) => {
      sm.on(DescribeModelPackageCommand).resolves(described({ ModelApprovalStatus: status }));
      const error = await deployModel(event(), deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelNotDeployableError);
      expect((error as Error).message).toBe(message);
      expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeModelPackageCommand']);
    });

    it('refuses an Approved version that is not Completed', async () => {
      sm.on(DescribeModelPackageCommand).resolves(described({ ModelPackageStatus: 'Failed' }));
      await expect(deployModel(event(), deps)).rejects.toThrow(new ModelNotDeployableError('abalone v1 is Failed, not Completed'));
      expect(sm).not.toHaveReceivedCommand(CreateModelCommand);
    });

    it('refuses a version that does not exist', async () => {
      const missing = awsError('ValidationException', `ModelPackage ${PACKAGE} does not exist.`);
      sm.on(DescribeModelPackageCommand).rejects(missing);
      const error = await deployModel(event(), deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelNotDeployableError);
      expect((error as Error).message).toBe(`abalone v1 does not exist (${PACKAGE})`);
      expect((error as Error).cause).toBe(missing);
      expect(sm).not.toHaveReceivedCommand(CreateModelCommand);
    });

    it('re-throws throttling of DescribeModelPackage as SageMakerTransientError', async () => {
      sm.on(DescribeModelPackageCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
      await expect(deployModel(event(), deps)).rejects.toBeInstanceOf(SageMakerTransientError);
      expect(sm).not.toHaveReceivedCommand(CreateModelCommand);
    });
  });

  it('creates the model from the package, the config of the version and, for a family without an endpoint, the endpoint', async () => {
    sm.on(DescribeEndpointCommand).rejects(notFound);
    const result = await deployModel(event(), deps);
    expect(result).toEqual(output('created'));
    expect(DeployOutputSchema.parse(result)).toEqual(result);
    expect(sm).toHaveReceivedCommandWith(DescribeModelPackageCommand, { ModelPackageName: PACKAGE });
    expect(sm).toHaveReceivedCommandWith(CreateModelCommand, {
      ModelName: V1,
      PrimaryContainer: { ModelPackageName: PACKAGE },
      ExecutionRoleArn: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker-execution',
      Tags: VERSION_TAGS,
    });
    expect(sm).toHaveReceivedCommandWith(CreateEndpointConfigCommand, {
      EndpointConfigName: V1,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: V1, InstanceType: 'ml.t2.medium', InitialInstanceCount: 1, InitialVariantWeight: 1 }],
      Tags: VERSION_TAGS,
    });
    expect(sm).toHaveReceivedCommandWith(DescribeEndpointCommand, { EndpointName: ENDPOINT });
    expect(sm).toHaveReceivedCommandWith(CreateEndpointCommand, { EndpointName: ENDPOINT, EndpointConfigName: V1, Tags: [{ Key: 'mlops:stage', Value: 'local' }, { Key: 'mlops:family', Value: 'abalone' }] });
    expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
  });

  it("deploys each family to its own endpoint (<namePrefix>-<family>) and never looks at another family's", async () => {
    sm.on(DescribeEndpointCommand).rejects(notFound);
    const iris = packageArn('mlops-local-iris', 2);
    sm.on(DescribeModelPackageCommand).resolves(described({ ModelPackageArn: iris, CustomerMetadataProperties: { family: 'iris', runId: 'iris-0123456789' } }));
    await expect(deployModel(event((e) => (e.modelPackageArn = iris)), deps)).resolves.toMatchObject({
      family: 'iris',
      modelVersion: { arn: iris, group: 'mlops-local-iris', version: 2 },
      runId: 'iris-0123456789',
      modelName: 'mlops-local-iris-v2',
      endpointName: 'mlops-local-iris',
      endpointConfigName: 'mlops-local-iris-v2',
      action: 'created',
    });
    expect(new Set(sm.commandCalls(DescribeEndpointCommand).map((c) => c.args[0].input.EndpointName))).toEqual(new Set(['mlops-local-iris']));
    expect(sm).toHaveReceivedCommandWith(CreateEndpointCommand, { EndpointName: 'mlops-local-iris', Tags: [{ Key: 'mlops:stage', Value: 'local' }, { Key: 'mlops:family', Value: 'iris' }] });
  });

  it('leaves runId out for a version registered without one (by hand)', async () => {
    sm.on(DescribeEndpointCommand).rejects(notFound);
    sm.on(DescribeModelPackageCommand).resolves(described({ CustomerMetadataProperties: undefined }));
    const result = await deployModel(event(), deps);
    expect(result).not.toHaveProperty('runId');
    expect(result).toMatchObject({ family: 'abalone', modelVersion: VERSION, action: 'created' });
  });

  it('updates a live endpoint blue/green and reports the config it replaces', async () => {
    sm.on(DescribeEndpointCommand).resolves(live());
    await expect(deployModel(event(), deps)).resolves.toEqual(output('updated', OLD_CONFIG));
    expect(sm).toHaveReceivedCommandWith(UpdateEndpointCommand, {
      EndpointName: ENDPOINT,
      EndpointConfigName: V1,
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 },
          TerminationWaitInSeconds: 0,
          MaximumExecutionTimeoutInSeconds: 1800,
        },
        AutoRollbackConfiguration: { Alarms: ALARMS },
      },
    });
    expect(sm).not.toHaveReceivedCommand(CreateEndpointCommand);
  });

  it('puts the version’s two rollback alarms on the new fleet before it updates the endpoint', async () => {
    sm.on(DescribeEndpointCommand).resolves(live());
    await deployModel(event(), deps);
    const alarms = cw.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
    const dimensions = [
      { Name: 'EndpointName', Value: ENDPOINT },
      { Name: 'VariantName', Value: 'AllTraffic' },
      { Name: 'EndpointConfigName', Value: V1 },
    ];
    expect(alarms).toEqual([
      expect.objectContaining({ AlarmName: ALARMS[0]!.AlarmName, Namespace: 'AWS/SageMaker', MetricName: 'Invocation5XXErrors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching', Dimensions: dimensions }),
      // ModelLatency is in microseconds: the 1000 ms default is 1,000,000.
      expect.objectContaining({ AlarmName: ALARMS[1]!.AlarmName, MetricName: 'ModelLatency', ExtendedStatistic: 'p99', Threshold: 1_000_000, Unit: 'Microseconds', EvaluationPeriods: 3, DatapointsToAlarm: 2, Dimensions: dimensions }),
    ]);
    expect(alarms[0]).not.toHaveProperty('ExtendedStatistic');
    expect(alarms[1]).not.toHaveProperty('Statistic');
    expect(alarms[0]!.Tags).toEqual([
      { Key: 'mlops:stage', Value: 'local' },
      { Key: 'mlops:family', Value: 'abalone' },
      { Key: 'mlops:version', Value: '1' },
    ]);
    // The alarms exist before SageMaker is told to watch them.
    expect(cw.commandCalls(PutMetricAlarmCommand).at(-1)!.calledBefore(sm.commandCalls(UpdateEndpointCommand)[0]!)).toBe(true);
    expectRequestsValid(cw, cloudWatchModel);
  });

  it('puts the alarms for a new endpoint too, which has no rollout to roll back', async () => {
    sm.on(DescribeEndpointCommand).rejects(notFound);
    await deployModel(event(), deps);
    expect(cw.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.AlarmName)).toEqual(ALARMS.map((a) => a.AlarmName));
    expect(sm).toHaveReceivedCommandWith(CreateEndpointCommand, { EndpointName: ENDPOINT, EndpointConfigName: V1 });
  });

  it('creates nothing on the endpoint when an alarm cannot be put', async () => {
    sm.on(DescribeEndpointCommand).resolves(live());
    cw.on(PutMetricAlarmCommand).rejects(awsError('AccessDenied', 'User is not authorized to perform: cloudwatch:PutMetricAlarm', 403));
    await expect(deployModel(event(), deps)).rejects.toThrow('cloudwatch:PutMetricAlarm');
    expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
    expect(sm).not.toHaveReceivedCommand(CreateEndpointCommand);
  });

  it('retries a throttled PutMetricAlarm as transient', async () => {
    sm.on(DescribeEndpointCommand).resolves(live());
    cw.on(PutMetricAlarmCommand).rejects(awsError('Throttling', 'Rate exceeded', 400));
    await expect(deployModel(event(), deps)).rejects.toBeInstanceOf(SageMakerTransientError);
  });

  it('rolls out a canary when the stage says so: a share of the new fleet, a bake, the alarms watching', async () => {
    const canary = parseConfig(DeployConfigSchema, { ...ENV, DEPLOYMENT_POLICY: 'canary', CANARY_PERCENT: '50', CANARY_BAKE_SECONDS: '600', ALARM_LATENCY_P99_MS: '250', ALARM_5XX_PER_MINUTE: '2' });
    sm.on(DescribeEndpointCommand).resolves(live());
    await deployModel(event(), { ...deps, config: canary });
    expect(sm).toHaveReceivedCommandWith(UpdateEndpointCommand, {
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 50 }, WaitIntervalInSeconds: 600 },
          TerminationWaitInSeconds: 0,
          MaximumExecutionTimeoutInSeconds: 1800,
        },
        AutoRollbackConfiguration: { Alarms: ALARMS },
      },
    });
    expect(cw.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.Threshold)).toEqual([2, 250_000]);
  });

  it('takes instances and blue/green timings from the configuration', async () => {
    const tuned = parseConfig(DeployConfigSchema, {
      ...ENV,
      ENDPOINT_INSTANCE_TYPE: 'ml.m5.large',
      ENDPOINT_INSTANCE_COUNT: '2',
      ENDPOINT_TERMINATION_WAIT_SECONDS: '600',
      ENDPOINT_MAX_EXECUTION_SECONDS: '3600',
    });
    sm.on(DescribeEndpointCommand).resolves(live());
    await deployModel(event(), { ...deps, config: tuned });
    expect(sm).toHaveReceivedCommandWith(CreateEndpointConfigCommand, { ProductionVariants: [expect.objectContaining({ InstanceType: 'ml.m5.large', InitialInstanceCount: 2 })] });
    expect(sm).toHaveReceivedCommandWith(UpdateEndpointCommand, {
      DeploymentConfig: expect.objectContaining({ BlueGreenUpdatePolicy: expect.objectContaining({ TerminationWaitInSeconds: 600, MaximumExecutionTimeoutInSeconds: 3600 }) }),
    });
  });

  it.each([
    [{ DEPLOYMENT_POLICY: 'blue-green' }, 'DEPLOYMENT_POLICY'],
    [{ DEPLOYMENT_POLICY: 'canary', CANARY_PERCENT: '60' }, 'CANARY_PERCENT'],
    [{ DEPLOYMENT_POLICY: 'canary', CANARY_BAKE_SECONDS: '3601' }, 'CANARY_BAKE_SECONDS'],
    [{ ALARM_LATENCY_P99_MS: '0' }, 'ALARM_LATENCY_P99_MS'],
    [{ DEPLOYMENT_POLICY: 'canary', CANARY_BAKE_SECONDS: '1500', ENDPOINT_TERMINATION_WAIT_SECONDS: '300' }, 'ENDPOINT_MAX_EXECUTION_SECONDS: must be larger than ENDPOINT_TERMINATION_WAIT_SECONDS plus, for a canary, CANARY_BAKE_SECONDS'],
  ])('refuses the rollout setting %j, naming %s', (patch, named) => {
    expect(() => parseConfig(DeployConfigSchema, { ...ENV, ...patch })).toThrow(named);
  });

  it('leaves an endpoint already on this version’s config alone (a retry after the create went through)', async () => {
    sm.on(DescribeEndpointCommand).resolves(live({ EndpointConfigName: V1, EndpointStatus: 'Creating' }));
    await expect(deployModel(event(), deps)).resolves.toEqual(output('unchanged'));
    expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
    expect(sm).not.toHaveReceivedCommand(CreateEndpointCommand);
  });

  it('recognizes its own update in flight (a retry after the update went through)', async () => {
    sm.on(DescribeEndpointCommand).resolves(live({ EndpointStatus: 'Updating', PendingDeploymentSummary: { EndpointConfigName: V1 } }));
    await expect(deployModel(event(), deps)).resolves.toEqual(output('updated', OLD_CONFIG));
    expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
  });

  it('rolls back to an earlier version: its model and config exist already, the endpoint is updated to them', async () => {
    sm.on(CreateModelCommand).rejects(exists('model', `model/${V1}`));
    sm.on(DescribeModelCommand).resolves({ ModelName: V1, PrimaryContainer: { ModelPackageName: PACKAGE } });
    sm.on(CreateEndpointConfigCommand).rejects(exists('endpoint configuration', `endpoint-config/${V1}`));
    sm.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: V1, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: V1 }] });
    sm.on(DescribeEndpointCommand).resolves(live({ EndpointConfigName: 'mlops-local-abalone-v2' }));
    await expect(deployModel(event(), deps)).resolves.toEqual(output('updated', 'mlops-local-abalone-v2'));
    expect(sm).toHaveReceivedCommandWith(DescribeModelCommand, { ModelName: V1 });
    expect(sm).toHaveReceivedCommandWith(DescribeEndpointConfigCommand, { EndpointConfigName: V1 });
    expect(sm).toHaveReceivedCommandWith(UpdateEndpointCommand, { EndpointName: ENDPOINT, EndpointConfigName: V1 });
  });

  /** What deploy does with an endpoint on another config, for every status of the official API model. */
  const byStatus: Record<string, 'updated' | 'busy' | typeof EndpointNeedsRepairError> = {
    InService: 'updated',
    Creating: 'busy',
    Updating: 'busy',
    SystemUpdating: 'busy',
    RollingBack: 'busy',
    Deleting: 'busy',
    Failed: EndpointNeedsRepairError,
    UpdateRollbackFailed: EndpointNeedsRepairError,
    OutOfService: EndpointNeedsRepairError,
  };

  it('has a row for every documented endpoint status', () => {
    expect(Object.keys(byStatus).sort()).toEqual([...sageMakerModel.shapes.EndpointStatus!.enum!].sort());
  });

  it.each(Object.entries(byStatus))('endpoint %s on another config → %p', async (status, outcome) => {
    sm.on(DescribeEndpointCommand).resolves(live({ EndpointStatus: status, FailureReason: status === 'Failed' ? 'Image could not be pulled' : undefined }));
    const result = await deployModel(event(), deps).catch((e: unknown) => e);
    if (outcome === 'updated') {
      expect(result).toMatchObject({ action: 'updated' });
      return;
    }
    if (outcome === 'busy') {
      // Another rollout holds the endpoint: this deploy waits its turn (the state machine's WaitForTurn).
      expect(result).toMatchObject({ action: 'busy', attempt: 1, waitSeconds: 60, busyBecause: expect.stringContaining(`endpoint ${ENDPOINT} is ${status}`) });
      expect(DeployOutputSchema.parse(result)).toEqual(result);
      // A waiting turn is two calls that succeed: its own version, then the endpoint; it creates nothing.
      expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeModelPackageCommand', 'DescribeEndpointCommand']);
      expect(cw).not.toHaveReceivedCommand(PutMetricAlarmCommand);
    } else {
      expect(result).toBeInstanceOf(outcome);
      expect((result as Error).message).toContain(`endpoint ${ENDPOINT} is ${status}`);
    }
    expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
  });

  it('explains that a broken endpoint needs an operator and is never deleted', async () => {
    sm.on(DescribeEndpointCommand).resolves(live({ EndpointStatus: 'Failed', FailureReason: 'Image could not be pulled' }));
    const error = await deployModel(event(), deps).catch((e: unknown) => e);
    expect((error as Error).name).toBe('EndpointNeedsRepairError');
    expect((error as Error).message).toBe(
      `endpoint ${ENDPOINT} is Failed (Image could not be pulled) and cannot be updated; an operator must repair it (or delete it so the next run recreates it): the pipeline never deletes a live endpoint`,
    );
  });

  it('fails loudly on an endpoint status it does not know', async () => {
    sm.on(DescribeEndpointCommand).resolves(live({ EndpointStatus: 'Hibernating' }));
    await expect(deployModel(event(), deps)).rejects.toBeInstanceOf(UnknownStatusError);
    expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
  });

  describe('when the model already exists', () => {
    beforeEach(() => {
      sm.on(CreateModelCommand).rejects(exists('model', `model/${V1}`));
      sm.on(DescribeEndpointCommand).resolves(live());
    });

    it('adopts it when it was created from this version’s package', async () => {
      sm.on(DescribeModelCommand).resolves({ ModelName: V1, PrimaryContainer: { ModelPackageName: PACKAGE } });
      await expect(deployModel(event(), deps)).resolves.toEqual(output('updated', OLD_CONFIG));
    });

    it.each([
      ['another package', { ModelPackageName: packageArn('mlops-local-abalone', 2) }, `it was created from ${packageArn('mlops-local-abalone', 2)}, not ${PACKAGE}`],
      ['no package', { Image: 'some-image:1', ModelDataUrl: 's3://elsewhere/model.tar.gz' }, `it was created from no model package, not ${PACKAGE}`],
    ])('fails loudly when it was created from %s, before the endpoint config', async (_case, PrimaryContainer, detail) => {
      sm.on(DescribeModelCommand).resolves({ ModelName: V1, PrimaryContainer });
      const error = await deployModel(event(), deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResourceConflictError);
      expect((error as Error).message).toContain(`model ${V1} already exists`);
      expect((error as Error).message).toContain(detail);
      expect(sm).not.toHaveReceivedCommand(CreateEndpointConfigCommand);
    });
  });

  describe('when the endpoint config already exists', () => {
    beforeEach(() => {
      sm.on(CreateEndpointConfigCommand).rejects(exists('endpoint configuration', `endpoint-config/${V1}`));
      sm.on(DescribeEndpointCommand).resolves(live());
    });

    it('reuses it when it serves this version’s model', async () => {
      sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: V1 }).resolves({ EndpointConfigName: V1, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: V1 }] });
      await expect(deployModel(event(), deps)).resolves.toMatchObject({ action: 'updated', endpointConfigName: V1 });
      expect(sm).toHaveReceivedCommandWith(DescribeEndpointConfigCommand, { EndpointConfigName: V1 });
    });

    it.each([
      ['another model', [{ VariantName: 'AllTraffic', ModelName: 'someone-else' }], 'it serves someone-else'],
      ['more variants', [{ VariantName: 'AllTraffic', ModelName: V1 }, { VariantName: 'Shadow', ModelName: 'x' }], `it serves ${V1}, x`],
    ])('fails loudly when it serves %s, before touching the endpoint', async (_case, ProductionVariants, detail) => {
      sm.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: V1, ProductionVariants });
      const error = await deployModel(event(), deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResourceConflictError);
      expect((error as Error).message).toContain(`endpoint config ${V1} already exists and does not belong to this run: ${detail}`);
      expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
      expect(sm).not.toHaveReceivedCommand(CreateEndpointCommand);
    });
  });

  it('waits its turn when another deploy created the endpoint since the Describe', async () => {
    sm.on(DescribeEndpointCommand).rejects(notFound);
    sm.on(CreateEndpointCommand).rejects(exists('endpoint', `endpoint/${ENDPOINT}`));
    await expect(deployModel(event(), deps)).resolves.toMatchObject({ action: 'busy', attempt: 1, busyBecause: `endpoint ${ENDPOINT} was created by another deploy` });
  });

  it('waits its turn when the endpoint became busy while it created the model and config', async () => {
    sm.on(DescribeEndpointCommand).resolvesOnce(live()).resolves(live({ EndpointStatus: 'Updating', PendingDeploymentSummary: { EndpointConfigName: 'mlops-local-abalone-v3', StartTime: new Date() } }));
    await expect(deployModel(event(), deps)).resolves.toMatchObject({ action: 'busy', busyBecause: `endpoint ${ENDPOINT} is Updating (rolling out mlops-local-abalone-v3)` });
    expect(sm).toHaveReceivedCommand(CreateEndpointConfigCommand);
    expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
  });

  it('waits its turn when the endpoint became busy before the update (SageMaker refuses a second rollout)', async () => {
    sm.on(DescribeEndpointCommand).resolves(live());
    sm.on(UpdateEndpointCommand).rejects(awsError('ValidationException', `Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/${ENDPOINT}".`));
    const input = event((e) => (e.attempt = 4));
    await expect(deployModel(input, deps)).resolves.toMatchObject({ action: 'busy', attempt: 5, waitSeconds: 60 });
  });

  describe('a burst of versions: the newest approved one wins', () => {
    it('is superseded by a newer Approved version, and changes nothing', async () => {
      sm.on(DescribeModelPackageCommand, { ModelPackageName: PACKAGE_V2 }).resolves(described({ ModelPackageVersion: 2, ModelPackageArn: PACKAGE_V2, ModelApprovalStatus: 'PendingManualApproval' }));
      sm.on(DescribeModelPackageCommand, { ModelPackageName: PACKAGE_V3 }).resolves(described({ ModelPackageVersion: 3, ModelPackageArn: PACKAGE_V3 }));
      sm.on(DescribeModelPackageCommand, { ModelPackageName: PACKAGE.replace(/\/1$/, '/4') }).rejects(noSuchPackage(4));
      const result = await deployModel(event(), deps);
      expect(result).toMatchObject({ action: 'superseded', supersededBy: { arn: PACKAGE_V3, group: 'mlops-local-abalone', version: 3 } });
      expect(DeployOutputSchema.parse(result)).toEqual(result);
      expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual(['DescribeModelPackageCommand', 'DescribeEndpointCommand', 'DescribeModelPackageCommand', 'DescribeModelPackageCommand', 'DescribeModelPackageCommand']);
    });

    it('is not superseded by newer versions that are pending or rejected', async () => {
      sm.on(DescribeModelPackageCommand, { ModelPackageName: PACKAGE_V2 }).resolves(described({ ModelPackageVersion: 2, ModelPackageArn: PACKAGE_V2, ModelApprovalStatus: 'Rejected' }));
      sm.on(DescribeModelPackageCommand, { ModelPackageName: PACKAGE_V3 }).rejects(noSuchPackage(3));
      sm.on(DescribeEndpointCommand).resolves(live());
      await expect(deployModel(event(), deps)).resolves.toMatchObject({ action: 'updated' });
    });

    it('is superseded when the endpoint already serves a newer version (rolled out while this deploy prepared its model)', async () => {
      const V3_CONFIG = 'mlops-local-abalone-v3';
      sm.on(DescribeEndpointCommand).resolves(live({ EndpointConfigName: V3_CONFIG }));
      sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: V3_CONFIG }).resolves({
        EndpointConfigName: V3_CONFIG,
        EndpointConfigArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/${V3_CONFIG}`,
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: V3_CONFIG }],
        CreationTime: new Date('2025-06-01T00:00:00Z'),
      });
      sm.on(DescribeModelCommand, { ModelName: V3_CONFIG }).resolves({
        ModelName: V3_CONFIG,
        ModelArn: `arn:aws:sagemaker:us-east-1:000000000000:model/${V3_CONFIG}`,
        PrimaryContainer: { ModelPackageName: PACKAGE_V3 },
        CreationTime: new Date('2025-06-01T00:00:00Z'),
      });
      await expect(deployModel(event(), deps)).resolves.toMatchObject({ action: 'superseded', supersededBy: { version: 3 } });
      expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
    });

    it('a rollback deploys the older version on purpose, without looking for newer ones', async () => {
      sm.on(DescribeModelPackageCommand, { ModelPackageName: PACKAGE_V2 }).resolves(described({ ModelPackageVersion: 2, ModelPackageArn: PACKAGE_V2 }));
      sm.on(DescribeEndpointCommand).resolves(live());
      await expect(deployModel(event((e) => (e.reason = 'rollback')), deps)).resolves.toMatchObject({ action: 'updated' });
      expect(sm).not.toHaveReceivedCommandWith(DescribeModelPackageCommand, { ModelPackageName: PACKAGE_V2 });
    });
  });

  it('lets other update errors through unchanged', async () => {
    const limit = awsError('ResourceLimitExceeded', 'The account-level service limit for ml.t2.medium for endpoint usage is 0 Instances');
    sm.on(DescribeEndpointCommand).resolves(live());
    sm.on(UpdateEndpointCommand).rejects(limit);
    await expect(deployModel(event(), deps)).rejects.toBe(limit);
  });

  it.each([
    ['CreateModel', CreateModelCommand],
    ['CreateEndpointConfig', CreateEndpointConfigCommand],
    ['DescribeEndpoint', DescribeEndpointCommand],
    ['UpdateEndpoint', UpdateEndpointCommand],
  ] as const)('re-throws throttling of %s as SageMakerTransientError', async (_op, command) => {
    sm.on(DescribeEndpointCommand).resolves(live());
    sm.on(command as typeof DescribeEndpointCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(deployModel(event(), deps)).rejects.toBeInstanceOf(SageMakerTransientError);
  });

  it('never deletes anything', async () => {
    sm.on(DescribeEndpointCommand).resolves(live());
    await deployModel(event(), deps);
    expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'DescribeModelPackageCommand',
      'DescribeEndpointCommand',
      'DescribeModelPackageCommand',
      'CreateModelCommand',
      'CreateEndpointConfigCommand',
      'DescribeEndpointCommand',
      // Superseded meanwhile? A newer version registered, or the one live.
      'DescribeModelPackageCommand',
      'DescribeEndpointConfigCommand',
      'DescribeModelCommand',
      'UpdateEndpointCommand',
    ]);
  });
});
