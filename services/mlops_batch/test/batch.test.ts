import {
  CreateModelCommand,
  CreateTransformJobCommand,
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
const jobInUse = new ResourceInUse({ message: 'Transform job names must be unique within an AWS account and region, and a transform job with this name already exists', $metadata: {} });

beforeEach(() => {
  sm.reset();
  sm.on(CreateModelCommand).resolves({ ModelArn: `arn:aws:sagemaker:us-east-1:000000000000:model/${MODEL}` });
  sm.on(CreateTransformJobCommand).resolves({ TransformJobArn: `arn:aws:sagemaker:us-east-1:000000000000:transform-job/${JOB}` });
});
afterEach(() => expectRequestsValid(sm));

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
      Tags: TAGS,
    });
    expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual(['CreateModelCommand', 'CreateTransformJobCommand']);
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
});
