import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  SageMakerClient,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { sageMakerModel } from '@mlops/aws-models';
import { DeployConfigSchema, type DeployInput, DeployInputSchema, parseConfig, ResourceConflictError, SageMakerTransientError, UnknownStatusError } from '@mlops/common';
import { mockClient } from 'aws-sdk-client-mock';
import sampleEvent from '../events/deploy.json';
import { deployModel } from '../src/deploy';
import { EndpointNeedsRepairError } from '../src/errors';
import { awsError, expectRequestsValid } from '@mlops/testing';

const sm = mockClient(SageMakerClient);
const ENV = {
  STAGE: 'local',
  DATA_BUCKET: 'mlops-local-data',
  NAME_PREFIX: 'mlops-local',
  ENDPOINT_INSTANCE_TYPE: 'ml.t2.medium',
  ENDPOINT_TERMINATION_WAIT_SECONDS: '0',
};
const config = parseConfig(DeployConfigSchema, ENV);
const deps = { sageMaker: new SageMakerClient({ region: 'us-east-1' }), config };
const ENDPOINT = 'mlops-local-abalone';
const CONFIG = 'mlops-local-abalone-7aa1b19755';
const OLD_CONFIG = 'mlops-local-abalone-9999999999';
const MODEL = 'mlops-local-abalone-7aa1b19755';

function event(patch: (e: DeployInput) => void = () => undefined): DeployInput {
  const e = DeployInputSchema.parse(structuredClone(sampleEvent));
  patch(e);
  return e;
}
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

beforeEach(() => {
  sm.reset();
  sm.on(CreateEndpointConfigCommand).resolves({ EndpointConfigArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/${CONFIG}` });
  sm.on(CreateEndpointCommand).resolves({ EndpointArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint/${ENDPOINT}` });
  sm.on(UpdateEndpointCommand).resolves({ EndpointArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint/${ENDPOINT}` });
});
afterEach(() => expectRequestsValid(sm));

describe('deployModel', () => {
  it("deploys each family to its own endpoint (<namePrefix>-<family>) and never looks at another family's", async () => {
    sm.on(DescribeEndpointCommand).rejects(notFound);
    const iris = event((e) => {
      e.run.family = 'iris';
    });
    await expect(deployModel(iris, deps)).resolves.toMatchObject({ endpointName: 'mlops-local-iris', action: 'created' });
    expect(sm.commandCalls(DescribeEndpointCommand).map((c) => c.args[0].input.EndpointName)).toEqual(['mlops-local-iris']);
    expect(sm).toHaveReceivedCommandWith(CreateEndpointCommand, { EndpointName: 'mlops-local-iris', Tags: [{ Key: 'mlops:stage', Value: 'local' }, { Key: 'mlops:family', Value: 'iris' }] });
  });

  it('creates the config and, for a stage without an endpoint, the endpoint', async () => {
    sm.on(DescribeEndpointCommand).rejects(notFound);
    await expect(deployModel(event(), deps)).resolves.toEqual({ endpointName: ENDPOINT, endpointConfigName: CONFIG, action: 'created' });
    expect(sm).toHaveReceivedCommandWith(CreateEndpointConfigCommand, {
      EndpointConfigName: CONFIG,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: MODEL, InstanceType: 'ml.t2.medium', InitialInstanceCount: 1, InitialVariantWeight: 1 }],
      Tags: [
        { Key: 'mlops:stage', Value: 'local' },
        { Key: 'mlops:run', Value: 'abalone-7aa1b19755' },
        { Key: 'mlops:execution', Value: 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:abalone-7aa1b19755' },
      ],
    });
    expect(sm).toHaveReceivedCommandWith(DescribeEndpointCommand, { EndpointName: ENDPOINT });
    expect(sm).toHaveReceivedCommandWith(CreateEndpointCommand, { EndpointName: ENDPOINT, EndpointConfigName: CONFIG, Tags: [{ Key: 'mlops:stage', Value: 'local' }, { Key: 'mlops:family', Value: 'abalone' }] });
    expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
  });

  it('updates a live endpoint blue/green and reports the config it replaces', async () => {
    sm.on(DescribeEndpointCommand).resolves(live());
    await expect(deployModel(event(), deps)).resolves.toEqual({ endpointName: ENDPOINT, endpointConfigName: CONFIG, action: 'updated', previousConfigName: OLD_CONFIG });
    expect(sm).toHaveReceivedCommandWith(UpdateEndpointCommand, {
      EndpointName: ENDPOINT,
      EndpointConfigName: CONFIG,
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 },
          TerminationWaitInSeconds: 0,
          MaximumExecutionTimeoutInSeconds: 1800,
        },
      },
    });
    expect(sm).not.toHaveReceivedCommand(CreateEndpointCommand);
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
      DeploymentConfig: { BlueGreenUpdatePolicy: expect.objectContaining({ TerminationWaitInSeconds: 600, MaximumExecutionTimeoutInSeconds: 3600 }) },
    });
  });

  it('leaves an endpoint already on this run’s config alone (a retry after the create went through)', async () => {
    sm.on(DescribeEndpointCommand).resolves(live({ EndpointConfigName: CONFIG, EndpointStatus: 'Creating' }));
    await expect(deployModel(event(), deps)).resolves.toEqual({ endpointName: ENDPOINT, endpointConfigName: CONFIG, action: 'unchanged' });
    expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
    expect(sm).not.toHaveReceivedCommand(CreateEndpointCommand);
  });

  it('recognizes its own update in flight (a retry after the update went through)', async () => {
    sm.on(DescribeEndpointCommand).resolves(live({ EndpointStatus: 'Updating', PendingDeploymentSummary: { EndpointConfigName: CONFIG } }));
    await expect(deployModel(event(), deps)).resolves.toEqual({ endpointName: ENDPOINT, endpointConfigName: CONFIG, action: 'updated', previousConfigName: OLD_CONFIG });
    expect(sm).not.toHaveReceivedCommand(UpdateEndpointCommand);
  });

  /** What deploy does with an endpoint on another config, for every status of the official API model. */
  const byStatus: Record<string, 'updated' | typeof SageMakerTransientError | typeof EndpointNeedsRepairError> = {
    InService: 'updated',
    Creating: SageMakerTransientError,
    Updating: SageMakerTransientError,
    SystemUpdating: SageMakerTransientError,
    RollingBack: SageMakerTransientError,
    Deleting: SageMakerTransientError,
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
    expect(result).toBeInstanceOf(outcome);
    expect((result as Error).message).toContain(`endpoint ${ENDPOINT} is ${status}`);
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

  describe('when the endpoint config already exists', () => {
    const exists = awsError('ValidationException', `Cannot create already existing endpoint configuration "arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/${CONFIG}".`);
    beforeEach(() => {
      sm.on(CreateEndpointConfigCommand).rejects(exists);
      sm.on(DescribeEndpointCommand).resolves(live());
    });

    it('reuses it when it serves this run’s model', async () => {
      sm.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: CONFIG, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: MODEL }] });
      await expect(deployModel(event(), deps)).resolves.toMatchObject({ action: 'updated', endpointConfigName: CONFIG });
      expect(sm).toHaveReceivedCommandWith(DescribeEndpointConfigCommand, { EndpointConfigName: CONFIG });
    });

    it.each([
      ['another model', [{ VariantName: 'AllTraffic', ModelName: 'someone-else' }], 'it serves someone-else'],
      ['more variants', [{ VariantName: 'AllTraffic', ModelName: MODEL }, { VariantName: 'Shadow', ModelName: 'x' }], `it serves ${MODEL}, x`],
    ])('fails loudly when it serves %s, before touching the endpoint', async (_case, ProductionVariants, detail) => {
      sm.on(DescribeEndpointConfigCommand).resolves({ EndpointConfigName: CONFIG, ProductionVariants });
      const error = await deployModel(event(), deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResourceConflictError);
      expect((error as Error).message).toContain(`endpoint config ${CONFIG} already exists and does not belong to this run: ${detail}`);
      expect(sm).not.toHaveReceivedCommand(DescribeEndpointCommand);
    });
  });

  it('retries when another deploy created the endpoint since the Describe', async () => {
    sm.on(DescribeEndpointCommand).rejects(notFound);
    sm.on(CreateEndpointCommand).rejects(awsError('ValidationException', `Cannot create already existing endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/${ENDPOINT}".`));
    await expect(deployModel(event(), deps)).rejects.toBeInstanceOf(SageMakerTransientError);
  });

  it('retries when the endpoint became busy before the update', async () => {
    sm.on(DescribeEndpointCommand).resolves(live());
    sm.on(UpdateEndpointCommand).rejects(awsError('ValidationException', `Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/${ENDPOINT}".`));
    await expect(deployModel(event(), deps)).rejects.toBeInstanceOf(SageMakerTransientError);
  });

  it('lets other update errors through unchanged', async () => {
    const limit = awsError('ResourceLimitExceeded', 'The account-level service limit for ml.t2.medium for endpoint usage is 0 Instances');
    sm.on(DescribeEndpointCommand).resolves(live());
    sm.on(UpdateEndpointCommand).rejects(limit);
    await expect(deployModel(event(), deps)).rejects.toBe(limit);
  });

  it.each([
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
    expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual(['CreateEndpointConfigCommand', 'DescribeEndpointCommand', 'UpdateEndpointCommand']);
  });
});
