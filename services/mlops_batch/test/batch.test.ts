import {
  CreateModelCommand,
  CreateTransformJobCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeTransformJobCommand,
  ResourceInUse,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { BatchConfigSchema, type BatchInput, BatchInputSchema, parseConfig, ResourceConflictError, SageMakerTransientError } from '@mlops/common';
import { mockClient } from 'aws-sdk-client-mock';
import sampleEvent from '../events/batch.json';
import { startBatchTransform } from '../src/batch';
import { awsError, expectRequestsValid } from '@mlops/testing';

const sm = mockClient(SageMakerClient);
const ENV = {
  STAGE: 'local',
  DATA_BUCKET: 'mlops-local-data',
  NAME_PREFIX: 'mlops-local',
  SAGEMAKER_ROLE_ARN: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker',
  INFERENCE_IMAGE: '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlops-model:1.0.0',
  TRANSFORM_INSTANCE_TYPE: 'ml.m5.large',
};
const config = parseConfig(BatchConfigSchema, ENV);
const deps = { sageMaker: new SageMakerClient({ region: 'us-east-1' }), config };
const MODEL = 'mlops-local-abalone-7aa1b19755';
const JOB = 'mlops-local-abalone-7aa1b19755-batch';
const ARTIFACTS = 's3://mlops-local-data/runs/abalone-7aa1b19755/model/mlops-local-abalone-7aa1b19755-train/output/model.tar.gz';
const PREDICTIONS = 's3://mlops-local-data/runs/abalone-7aa1b19755/predictions/';
const TAGS = [
  { Key: 'mlops:stage', Value: 'local' },
  { Key: 'mlops:run', Value: 'abalone-7aa1b19755' },
  { Key: 'mlops:execution', Value: 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:abalone-7aa1b19755' },
];

function event(patch: (e: BatchInput) => void = () => undefined): BatchInput {
  const e = BatchInputSchema.parse(structuredClone(sampleEvent));
  patch(e);
  return e;
}

const alreadyExists = awsError('ValidationException', `Cannot create already existing model "arn:aws:sagemaker:us-east-1:000000000000:model/${MODEL}".`);
const noEndpoint = awsError('ValidationException', 'Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlops-local-abalone".');
const jobInUse = new ResourceInUse({ message: 'Transform job names must be unique within an AWS account and region, and a transform job with this name already exists', $metadata: {} });

beforeEach(() => {
  sm.reset();
  sm.on(CreateModelCommand).resolves({ ModelArn: `arn:aws:sagemaker:us-east-1:000000000000:model/${MODEL}` });
  sm.on(CreateTransformJobCommand).resolves({ TransformJobArn: `arn:aws:sagemaker:us-east-1:000000000000:transform-job/${JOB}` });
  // The family's first model: no endpoint yet, so no champion.
  sm.on(DescribeEndpointCommand).rejects(noEndpoint);
});
afterEach(() => expectRequestsValid(sm));

const CHAMPION_MODEL = 'mlops-local-abalone-v3';
const CHAMPION_JOB = 'mlops-local-abalone-7aa1b19755-champion';
const CHAMPION_PREDICTIONS = 's3://mlops-local-data/runs/abalone-7aa1b19755/champion-predictions/';
const V3 = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/3';

/** The family's endpoint serving `model` through config `mlops-local-abalone-v3`. */
function liveFamilyEndpoint(status: string, model: { ModelPackageName?: string; Image?: string } = { ModelPackageName: V3 }) {
  sm.on(DescribeEndpointCommand).resolves({ EndpointName: 'mlops-local-abalone', EndpointConfigName: CHAMPION_MODEL, EndpointStatus: status as 'InService' });
  sm.on(DescribeEndpointConfigCommand).resolves({
    EndpointConfigName: CHAMPION_MODEL,
    ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: CHAMPION_MODEL, InitialVariantWeight: 1 }],
  });
  sm.on(DescribeModelCommand, { ModelName: CHAMPION_MODEL }).resolves({ ModelName: CHAMPION_MODEL, PrimaryContainer: model });
}

describe('startBatchTransform', () => {
  it('creates the model, then the transform job, with the exact requests', async () => {
    await expect(startBatchTransform(event(), deps)).resolves.toEqual({ modelName: MODEL, transformJobName: JOB, transformOutput: PREDICTIONS, adopted: false });
    expect(sm).toHaveReceivedCommandWith(CreateModelCommand, {
      ModelName: MODEL,
      PrimaryContainer: { Image: '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlops-model:1.0.0', ModelDataUrl: ARTIFACTS },
      ExecutionRoleArn: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker',
      Tags: [...TAGS, { Key: 'mlops:training-job', Value: 'mlops-local-abalone-7aa1b19755-train' }],
    });
    expect(sm).toHaveReceivedCommandWith(CreateTransformJobCommand, {
      TransformJobName: JOB,
      ModelName: MODEL,
      BatchStrategy: 'MultiRecord',
      MaxPayloadInMB: 6,
      MaxConcurrentTransforms: 1,
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://mlops-local-data/runs/abalone-7aa1b19755/data/test/' } },
        ContentType: 'text/csv',
        SplitType: 'Line',
      },
      TransformOutput: { S3OutputPath: PREDICTIONS, Accept: 'text/csv', AssembleWith: 'Line' },
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      DataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' },
      Tags: [...TAGS, { Key: 'mlops:role', Value: 'challenger' }],
    });
    expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual(['CreateModelCommand', 'CreateTransformJobCommand', 'DescribeEndpointCommand']);
    expect(sm).toHaveReceivedCommandWith(DescribeEndpointCommand, { EndpointName: 'mlops-local-abalone' });
  });

  it('takes payload, concurrency and instances from the configuration', async () => {
    const tuned = parseConfig(BatchConfigSchema, {
      ...ENV,
      TRANSFORM_INSTANCE_TYPE: 'ml.c5.xlarge',
      TRANSFORM_INSTANCE_COUNT: '2',
      TRANSFORM_MAX_PAYLOAD_MB: '20',
      TRANSFORM_MAX_CONCURRENT: '4',
    });
    await startBatchTransform(event(), { ...deps, config: tuned });
    expect(sm).toHaveReceivedCommandWith(CreateTransformJobCommand, {
      MaxPayloadInMB: 20,
      MaxConcurrentTransforms: 4,
      TransformResources: { InstanceType: 'ml.c5.xlarge', InstanceCount: 2 },
    });
  });

  describe('when the model already exists', () => {
    beforeEach(() => sm.on(CreateModelCommand).rejects(alreadyExists));

    it('adopts it when it serves this run’s artifacts, and goes on with the transform job', async () => {
      sm.on(DescribeModelCommand).resolves({ ModelName: MODEL, PrimaryContainer: { Image: config.INFERENCE_IMAGE, ModelDataUrl: ARTIFACTS } });
      await expect(startBatchTransform(event(), deps)).resolves.toMatchObject({ adopted: true });
      expect(sm).toHaveReceivedCommandWith(DescribeModelCommand, { ModelName: MODEL });
      expect(sm).toHaveReceivedCommandTimes(CreateTransformJobCommand, 1);
    });

    it('fails loudly when it serves other artifacts, before creating the transform job', async () => {
      sm.on(DescribeModelCommand).resolves({ ModelName: MODEL, PrimaryContainer: { Image: config.INFERENCE_IMAGE, ModelDataUrl: 's3://elsewhere/model.tar.gz' } });
      const error = await startBatchTransform(event(), deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResourceConflictError);
      expect((error as Error).message).toBe(`model ${MODEL} already exists and does not belong to this run: it serves s3://elsewhere/model.tar.gz, not ${ARTIFACTS}`);
      expect(sm).not.toHaveReceivedCommand(CreateTransformJobCommand);
    });
  });

  describe('when the transform job name is taken (ResourceInUse)', () => {
    beforeEach(() => sm.on(CreateTransformJobCommand).rejects(jobInUse));
    const ours = { TransformJobName: JOB, TransformJobStatus: 'InProgress' as const, ModelName: MODEL, TransformOutput: { S3OutputPath: PREDICTIONS } };

    it('adopts the job when it runs this run’s model into this run’s output path', async () => {
      sm.on(DescribeTransformJobCommand).resolves(ours);
      await expect(startBatchTransform(event(), deps)).resolves.toEqual({ modelName: MODEL, transformJobName: JOB, transformOutput: PREDICTIONS, adopted: true });
      expect(sm).toHaveReceivedCommandWith(DescribeTransformJobCommand, { TransformJobName: JOB });
    });

    it.each([
      ['another model', { ModelName: 'someone-else' }, 'it runs model someone-else'],
      ['another output path', { TransformOutput: { S3OutputPath: 's3://elsewhere/predictions/' } }, 'it writes to s3://elsewhere/predictions/'],
    ])('fails loudly on a foreign job with %s', async (_case, difference, detail) => {
      sm.on(DescribeTransformJobCommand).resolves({ ...ours, ...difference });
      const error = await startBatchTransform(event(), deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResourceConflictError);
      expect((error as Error).message).toContain(`transform job ${JOB} already exists`);
      expect((error as Error).message).toContain(detail);
    });
  });

  it.each([
    ['CreateModel', CreateModelCommand],
    ['CreateTransformJob', CreateTransformJobCommand],
  ] as const)('re-throws throttling of %s as SageMakerTransientError', async (_op, command) => {
    sm.on(command as typeof CreateModelCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(startBatchTransform(event(), deps)).rejects.toBeInstanceOf(SageMakerTransientError);
  });

  it('re-throws a 5xx while describing an existing model as SageMakerTransientError', async () => {
    sm.on(CreateModelCommand).rejects(alreadyExists);
    sm.on(DescribeModelCommand).rejects(awsError('ServiceUnavailable', 'try later', 503));
    await expect(startBatchTransform(event(), deps)).rejects.toBeInstanceOf(SageMakerTransientError);
  });

  it('lets other validation errors through unchanged', async () => {
    const invalid = awsError('ValidationException', 'Could not access model data at s3://mlops-local-data/...');
    sm.on(CreateModelCommand).rejects(invalid);
    await expect(startBatchTransform(event(), deps)).rejects.toBe(invalid);
    expect(sm).not.toHaveReceivedCommand(DescribeModelCommand);
  });

  describe('the champion (the model the family endpoint serves)', () => {
    const championOutput = (version?: object) => ({
      endpointName: 'mlops-local-abalone',
      endpointConfigName: CHAMPION_MODEL,
      modelName: CHAMPION_MODEL,
      ...(version ? { modelVersion: version } : {}),
      transformJobName: CHAMPION_JOB,
      transformOutput: CHAMPION_PREDICTIONS,
    });

    it('has none without an endpoint: no champion transform', async () => {
      const output = await startBatchTransform(event(), deps);
      expect(output.champion).toBeUndefined();
      expect(sm).toHaveReceivedCommandTimes(CreateTransformJobCommand, 1);
      expect(sm).not.toHaveReceivedCommand(DescribeEndpointConfigCommand);
    });

    it('transforms the same test rows with the model of an InService endpoint created from a package, and names its version', async () => {
      liveFamilyEndpoint('InService');
      await expect(startBatchTransform(event(), deps)).resolves.toEqual({
        modelName: MODEL,
        transformJobName: JOB,
        transformOutput: PREDICTIONS,
        adopted: false,
        champion: championOutput({ arn: V3, group: 'mlops-local-abalone', version: 3 }),
      });
      expect(sm).toHaveReceivedCommandWith(DescribeEndpointConfigCommand, { EndpointConfigName: CHAMPION_MODEL });
      expect(sm).toHaveReceivedCommandWith(DescribeModelCommand, { ModelName: CHAMPION_MODEL });
      const [challenger, champion] = sm.commandCalls(CreateTransformJobCommand).map((c) => c.args[0].input);
      expect(champion).toEqual({
        ...challenger,
        TransformJobName: CHAMPION_JOB,
        ModelName: CHAMPION_MODEL,
        TransformOutput: { S3OutputPath: CHAMPION_PREDICTIONS, Accept: 'text/csv', AssembleWith: 'Line' },
        Tags: [...TAGS, { Key: 'mlops:role', Value: 'champion' }],
      });
      expect(champion!.TransformInput!.DataSource!.S3DataSource!.S3Uri).toBe('s3://mlops-local-data/runs/abalone-7aa1b19755/data/test/');
      expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual([
        'CreateModelCommand',
        'CreateTransformJobCommand',
        'DescribeEndpointCommand',
        'DescribeEndpointConfigCommand',
        'DescribeModelCommand',
        'CreateTransformJobCommand',
      ]);
    });

    it('still compares with the live config while the endpoint is Updating (the old fleet serves)', async () => {
      liveFamilyEndpoint('Updating');
      await expect(startBatchTransform(event(), deps)).resolves.toMatchObject({ champion: { modelName: CHAMPION_MODEL } });
    });

    it.each(['Creating', 'Failed', 'OutOfService', 'Deleting'])('has none while the endpoint is %s: no model answers', async (status) => {
      liveFamilyEndpoint(status);
      const output = await startBatchTransform(event(), deps);
      expect(output.champion).toBeUndefined();
      expect(sm).not.toHaveReceivedCommand(DescribeEndpointConfigCommand);
      expect(sm).toHaveReceivedCommandTimes(CreateTransformJobCommand, 1);
    });

    it('is a champion without a version when its model was not created from a package (deployed before the registry)', async () => {
      liveFamilyEndpoint('InService', { Image: config.INFERENCE_IMAGE });
      await expect(startBatchTransform(event(), deps)).resolves.toMatchObject({ champion: championOutput() });
      expect(sm).toHaveReceivedCommandWith(CreateTransformJobCommand, { TransformJobName: CHAMPION_JOB, ModelName: CHAMPION_MODEL });
    });

    it('is a champion without a version when its package is not a versioned one', async () => {
      liveFamilyEndpoint('InService', { ModelPackageName: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/some-unversioned-package' });
      const output = await startBatchTransform(event(), deps);
      expect(output.champion).toEqual(championOutput());
    });

    describe('on a retry (the champion transform job exists)', () => {
      const ours = { TransformJobName: CHAMPION_JOB, TransformJobStatus: 'InProgress' as const, ModelName: CHAMPION_MODEL, TransformOutput: { S3OutputPath: CHAMPION_PREDICTIONS } };
      beforeEach(() => {
        liveFamilyEndpoint('InService');
        sm.on(CreateTransformJobCommand, { TransformJobName: CHAMPION_JOB }).rejects(jobInUse);
      });

      it('adopts it when it runs the champion into this run’s champion-predictions/', async () => {
        sm.on(DescribeTransformJobCommand, { TransformJobName: CHAMPION_JOB }).resolves(ours);
        await expect(startBatchTransform(event(), deps)).resolves.toMatchObject({ adopted: true, champion: championOutput({ arn: V3, group: 'mlops-local-abalone', version: 3 }) });
        expect(sm).toHaveReceivedCommandWith(DescribeTransformJobCommand, { TransformJobName: CHAMPION_JOB });
      });

      it('fails loudly when it runs another model (the champion changed since)', async () => {
        sm.on(DescribeTransformJobCommand, { TransformJobName: CHAMPION_JOB }).resolves({ ...ours, ModelName: 'mlops-local-abalone-v2' });
        const error = await startBatchTransform(event(), deps).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ResourceConflictError);
        expect((error as Error).message).toContain(`transform job ${CHAMPION_JOB} already exists`);
        expect((error as Error).message).toContain(`it runs model mlops-local-abalone-v2, not ${CHAMPION_MODEL}`);
      });
    });

    it.each([
      ['DescribeEndpoint', DescribeEndpointCommand],
      ['DescribeEndpointConfig', DescribeEndpointConfigCommand],
    ] as const)('re-throws throttling of %s as SageMakerTransientError', async (_op, command) => {
      liveFamilyEndpoint('InService');
      sm.on(command as typeof DescribeEndpointCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
      await expect(startBatchTransform(event(), deps)).rejects.toBeInstanceOf(SageMakerTransientError);
    });
  });
});
