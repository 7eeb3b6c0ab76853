import { CreateTrainingJobCommand, DescribeTrainingJobCommand, ResourceInUse, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { parseConfig, ResourceConflictError, SageMakerTransientError, TrainConfigSchema, type TrainInput, TrainInputSchema } from '@mlops/common';
import { mockClient } from 'aws-sdk-client-mock';
import sampleEvent from '../events/train.json';
import { startTraining } from '../src/train';
import { awsError, expectRequestsValid } from '@mlops/testing';

const sm = mockClient(SageMakerClient);
const config = parseConfig(TrainConfigSchema, {
  STAGE: 'local',
  DATA_BUCKET: 'mlops-local-data',
  NAME_PREFIX: 'mlops-local',
  SAGEMAKER_ROLE_ARN: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker',
  TRAINING_IMAGE: '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlops-model:1.0.0',
  TRAINING_INSTANCE_TYPE: 'ml.m5.large',
  TRAINING_VOLUME_GB: '1',
  TRAINING_MAX_RUNTIME_SECONDS: '600',
  HYPERPARAMETERS: '{"objective":"reg:linear","num_round":"50","eta":"0.2"}',
});
const deps = { sageMaker: new SageMakerClient({ region: 'us-east-1' }), config };
const JOB = 'mlops-local-abalone-7aa1b19755-train';
const JOB_ARN = `arn:aws:sagemaker:us-east-1:000000000000:training-job/${JOB}`;
const OUTPUT = 's3://mlops-local-data/runs/abalone-7aa1b19755/model/';

function event(patch: (e: TrainInput) => void = () => undefined): TrainInput {
  const e = TrainInputSchema.parse(structuredClone(sampleEvent));
  patch(e);
  return e;
}

beforeEach(() => {
  sm.reset();
  sm.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: JOB_ARN });
});
afterEach(() => expectRequestsValid(sm));

describe('startTraining', () => {
  it('sends the exact CreateTrainingJob request for a regression run', async () => {
    await expect(startTraining(event(), deps)).resolves.toEqual({ jobName: JOB, jobArn: JOB_ARN, adopted: false });
    expect(sm).toHaveReceivedCommandTimes(CreateTrainingJobCommand, 1);
    expect(sm).toHaveReceivedCommandWith(CreateTrainingJobCommand, {
      TrainingJobName: JOB,
      RoleArn: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker',
      AlgorithmSpecification: { TrainingImage: '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlops-model:1.0.0', TrainingInputMode: 'File' },
      HyperParameters: { objective: 'reg:squarederror', num_round: '50', eta: '0.2' },
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://mlops-local-data/runs/abalone-7aa1b19755/data/train/', S3DataDistributionType: 'FullyReplicated' } },
          ContentType: 'text/csv',
        },
        {
          ChannelName: 'validation',
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: 's3://mlops-local-data/runs/abalone-7aa1b19755/data/validation/', S3DataDistributionType: 'FullyReplicated' } },
          ContentType: 'text/csv',
        },
      ],
      OutputDataConfig: { S3OutputPath: OUTPUT },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 1 },
      StoppingCondition: { MaxRuntimeInSeconds: 600 },
      Tags: [
        { Key: 'mlops:stage', Value: 'local' },
        { Key: 'mlops:run', Value: 'abalone-7aa1b19755' },
        { Key: 'mlops:execution', Value: 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:abalone-7aa1b19755' },
      ],
    });
    expect(sm).not.toHaveReceivedCommand(DescribeTrainingJobCommand);
  });

  it("on several instances, shards the train channel by S3 key (each instance its parts) and replicates validation", async () => {
    await startTraining(event(), { ...deps, config: { ...config, TRAINING_INSTANCE_COUNT: 2 } });
    const request = sm.commandCalls(CreateTrainingJobCommand)[0]!.args[0].input;
    expect(request.ResourceConfig!.InstanceCount).toBe(2);
    expect(request.InputDataConfig!.map((c) => [c.ChannelName, c.DataSource!.S3DataSource!.S3DataDistributionType])).toEqual([
      ['train', 'ShardedByS3Key'],
      ['validation', 'FullyReplicated'],
    ]);
  });

  it('derives the objective and num_class for classification, and run overrides win over everything', async () => {
    const input = event((e) => {
      e.run.task = { problemType: 'classification', target: 'species', classes: ['setosa', 'versicolor', 'virginica'] };
      e.run.overrides = { hyperparameters: { eta: '0.05', max_depth: '4' } };
    });
    await startTraining(input, deps);
    expect(sm.commandCalls(CreateTrainingJobCommand)[0]!.args[0].input.HyperParameters).toEqual({
      objective: 'multi:softmax',
      num_class: '3',
      num_round: '50',
      eta: '0.05',
      max_depth: '4',
    });
  });

  it('lets a run override the task-derived objective', async () => {
    await startTraining(event((e) => (e.run.overrides = { hyperparameters: { objective: 'reg:absoluteerror' } })), deps);
    expect(sm.commandCalls(CreateTrainingJobCommand)[0]!.args[0].input.HyperParameters).toMatchObject({ objective: 'reg:absoluteerror' });
  });

  it('omits the validation channel when the split left it empty', async () => {
    await startTraining(event((e) => (e.run.dataset.rows.validation = 0)), deps);
    const channels = sm.commandCalls(CreateTrainingJobCommand)[0]!.args[0].input.InputDataConfig!;
    expect(channels.map((c) => c.ChannelName)).toEqual(['train']);
  });

  it('puts the model under the run prefix even when the prefix lacks its trailing slash', async () => {
    await startTraining(event((e) => (e.run.runPrefix = 's3://mlops-local-data/runs/abalone-7aa1b19755')), deps);
    expect(sm).toHaveReceivedCommandWith(CreateTrainingJobCommand, { OutputDataConfig: { S3OutputPath: OUTPUT } });
  });

  it('rejects a classification run without classes before calling SageMaker', async () => {
    const input = event((e) => (e.run.task = { problemType: 'classification', target: 'species' }));
    await expect(startTraining(input, deps)).rejects.toMatchObject({ name: 'InputValidationError', message: expect.stringContaining('run.task.classes') });
    expect(sm.calls()).toHaveLength(0);
  });

  it('keeps names and tags valid for a long run id and an execution name with characters tags do not allow', async () => {
    const runId = `a${'b'.repeat(62)}`;
    const input = event((e) => {
      e.run.runId = runId;
      e.executionArn = `arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:${runId}!retry`;
    });
    const out = await startTraining(input, deps);
    expect(out.jobName.length).toBeLessThanOrEqual(63);
    expect(out.jobName).toMatch(/^mlops-local-a[b]+-[0-9a-f]{8}-train$/);
    const tags = sm.commandCalls(CreateTrainingJobCommand)[0]!.args[0].input.Tags!;
    expect(tags.find((t) => t.Key === 'mlops:execution')!.Value).toMatch(/_retry$/);
  });

  describe('when the job name is taken (ResourceInUse)', () => {
    const inUse = new ResourceInUse({ message: `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${JOB_ARN})`, $metadata: {} });
    const ours = {
      TrainingJobName: JOB,
      TrainingJobArn: JOB_ARN,
      TrainingJobStatus: 'InProgress' as const,
      OutputDataConfig: { S3OutputPath: OUTPUT },
      AlgorithmSpecification: { TrainingImage: config.TRAINING_IMAGE, TrainingInputMode: 'File' as const },
    };
    beforeEach(() => sm.on(CreateTrainingJobCommand).rejects(inUse));

    it('adopts the job when it is this run’s (same output path and image)', async () => {
      sm.on(DescribeTrainingJobCommand).resolves(ours);
      await expect(startTraining(event(), deps)).resolves.toEqual({ jobName: JOB, jobArn: JOB_ARN, adopted: true });
      expect(sm).toHaveReceivedCommandWith(DescribeTrainingJobCommand, { TrainingJobName: JOB });
    });

    it.each([
      ['another output path', { OutputDataConfig: { S3OutputPath: 's3://other-bucket/runs/x/model/' } }, 's3://other-bucket/runs/x/model/'],
      ['another image', { AlgorithmSpecification: { TrainingImage: 'other:1', TrainingInputMode: 'File' as const } }, 'other:1'],
    ])('fails loudly on a foreign job with %s', async (_case, difference, detail) => {
      sm.on(DescribeTrainingJobCommand).resolves({ ...ours, ...difference });
      const error = await startTraining(event(), deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResourceConflictError);
      expect((error as Error).name).toBe('ResourceConflictError');
      expect((error as Error).message).toContain(`training job ${JOB}`);
      expect((error as Error).message).toContain(detail);
    });

    it('turns a throttled Describe into the retryable error', async () => {
      sm.on(DescribeTrainingJobCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
      await expect(startTraining(event(), deps)).rejects.toBeInstanceOf(SageMakerTransientError);
    });
  });

  it.each([
    ['ThrottlingException', 400],
    ['InternalFailure', 500],
    ['ServiceUnavailable', 503],
  ])('re-throws %s from CreateTrainingJob as SageMakerTransientError', async (name, status) => {
    sm.on(CreateTrainingJobCommand).rejects(awsError(name, 'try again', status));
    await expect(startTraining(event(), deps)).rejects.toMatchObject({ name: 'SageMakerTransientError', message: expect.stringContaining(name) });
    expect(sm).not.toHaveReceivedCommand(DescribeTrainingJobCommand);
  });

  it('lets any other error through unchanged (caught by the state machine)', async () => {
    const limit = awsError('ResourceLimitExceeded', 'The account-level service limit for ml.m5.large is 0 Instances');
    sm.on(CreateTrainingJobCommand).rejects(limit);
    await expect(startTraining(event(), deps)).rejects.toBe(limit);
  });
});
