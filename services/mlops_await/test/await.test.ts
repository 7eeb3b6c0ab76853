import {
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeEndpointCommand,
  DescribeProcessingJobCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  SageMakerClient,
  StopProcessingJobCommand,
  StopTrainingJobCommand,
  StopTransformJobCommand,
} from '@aws-sdk/client-sagemaker';
import { sageMakerModel } from '@mlops/aws-models';
import { AwaitConfigSchema, type AwaitInput, PollDeadlineExceededError, parseConfig, SageMakerTransientError, UnknownStatusError } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { PROCESSING_DEFAULT_MAX_RUNTIME_SECONDS, pollResource, TRAINING_DEADLINE_MARGIN_SECONDS } from '../src/await';
import { SageMakerResourceMissingError } from '../src/errors';
import { awsError, expectRequestsValid } from '@mlops/testing';

const sm = mockClient(SageMakerClient);
const config = parseConfig(AwaitConfigSchema, {
  STAGE: 'local',
  DATA_BUCKET: 'mlops-local-data',
  NAME_PREFIX: 'mlops-local',
  TRAINING_MAX_RUNTIME_SECONDS: '600',
  TRANSFORM_DEADLINE_SECONDS: '1200',
  ENDPOINT_DEADLINE_SECONDS: '1800',
});
const CREATED = new Date('2026-01-01T00:00:00Z');
const at = (seconds: number) => () => new Date(CREATED.getTime() + seconds * 1000);
const deps = (elapsed = 100) => ({ sageMaker: new SageMakerClient({ region: 'us-east-1' }), config, now: at(elapsed) });

const TRAIN = 'mlops-local-abalone-7aa1b19755-train';
const BATCH = 'mlops-local-abalone-7aa1b19755-batch';
const ENDPOINT = 'mlops-local-abalone';
const ARTIFACTS = `s3://mlops-local-data/runs/abalone-7aa1b19755/model/${TRAIN}/output/model.tar.gz`;
const PREDICTIONS = 's3://mlops-local-data/runs/abalone-7aa1b19755/predictions/';
const NEW_CONFIG = 'mlops-local-abalone-7aa1b19755';
const OLD_CONFIG = 'mlops-local-abalone-9999999999';

const training = (patch: object = {}) => ({
  TrainingJobName: TRAIN,
  TrainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${TRAIN}`,
  TrainingJobStatus: 'InProgress' as const,
  SecondaryStatus: 'Training' as const,
  ModelArtifacts: { S3ModelArtifacts: ARTIFACTS },
  StoppingCondition: { MaxRuntimeInSeconds: 600 },
  CreationTime: CREATED,
  ...patch,
});
const transform = (patch: object = {}) => ({
  TransformJobName: BATCH,
  TransformJobArn: `arn:aws:sagemaker:us-east-1:000000000000:transform-job/${BATCH}`,
  TransformJobStatus: 'InProgress' as const,
  ModelName: NEW_CONFIG,
  TransformOutput: { S3OutputPath: PREDICTIONS },
  CreationTime: CREATED,
  ...patch,
});
const PROFILE = 'mlops-local-abalone-7aa1b19755-profile';
const processing = (patch: object = {}) => ({
  ProcessingJobName: PROFILE,
  ProcessingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:processing-job/${PROFILE}`,
  ProcessingJobStatus: 'InProgress' as const,
  ProcessingResources: { ClusterConfig: { InstanceCount: 2, InstanceType: 'ml.m5.xlarge' as const, VolumeSizeInGB: 30 } },
  AppSpecification: { ImageUri: '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlops-processing:latest' },
  StoppingCondition: { MaxRuntimeInSeconds: 3600 },
  CreationTime: CREATED,
  ...patch,
});
const endpoint = (patch: object = {}) => ({
  EndpointName: ENDPOINT,
  EndpointArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint/${ENDPOINT}`,
  EndpointConfigName: NEW_CONFIG,
  EndpointStatus: 'InService' as const,
  CreationTime: new Date('2025-06-01T00:00:00Z'),
  LastModifiedTime: CREATED,
  ...patch,
});

const trainingInput: AwaitInput = { kind: 'training', name: TRAIN, attempt: 3 };
const transformInput: AwaitInput = { kind: 'transform', name: BATCH, attempt: 0 };
const processingInput: AwaitInput = { kind: 'processing', name: PROFILE, attempt: 0 };
const endpointInput: AwaitInput = { kind: 'endpoint', name: ENDPOINT, attempt: 0, expectedConfigName: NEW_CONFIG };

logger.setLogLevel('SILENT');
beforeEach(() => sm.reset());
afterEach(() => expectRequestsValid(sm));

/** The official model's enum for a status shape: the table below must cover every value. */
const statusesOf = (shape: string) => sageMakerModel.shapes[shape]!.enum!;

describe('status mapping covers every status of the official API model', () => {
  const trainingTable = {
    InProgress: 'InProgress',
    Stopping: 'InProgress',
    Completed: 'Succeeded',
    Failed: 'Failed',
    Stopped: 'Failed',
    Deleting: 'Failed',
  };
  const transformTable = { InProgress: 'InProgress', Stopping: 'InProgress', Completed: 'Succeeded', Failed: 'Failed', Stopped: 'Failed' };
  const processingTable = { InProgress: 'InProgress', Stopping: 'InProgress', Completed: 'Succeeded', Failed: 'Failed', Stopped: 'Failed' };
  const endpointTable = {
    Creating: 'InProgress',
    Updating: 'InProgress',
    SystemUpdating: 'InProgress',
    RollingBack: 'InProgress',
    InService: 'Succeeded',
    Failed: 'Failed',
    UpdateRollbackFailed: 'Failed',
    OutOfService: 'Failed',
    Deleting: 'Failed',
  };

  it('has a row for every documented status', () => {
    expect(Object.keys(trainingTable).sort()).toEqual([...statusesOf('TrainingJobStatus')].sort());
    expect(Object.keys(transformTable).sort()).toEqual([...statusesOf('TransformJobStatus')].sort());
    expect(Object.keys(processingTable).sort()).toEqual([...statusesOf('ProcessingJobStatus')].sort());
    expect(Object.keys(endpointTable).sort()).toEqual([...statusesOf('EndpointStatus')].sort());
  });

  it.each(Object.entries(trainingTable))('training %s → %s', async (status, state) => {
    sm.on(DescribeTrainingJobCommand).resolves(training({ TrainingJobStatus: status, SecondaryStatus: status === 'Stopping' ? 'Stopping' : 'Training' }));
    const out = await pollResource(trainingInput, deps());
    expect(out).toMatchObject({ kind: 'training', name: TRAIN, state, status, attempt: 4, elapsedSeconds: 100 });
    expect(out.waitSeconds === 0).toBe(state !== 'InProgress');
  });

  it.each(Object.entries(transformTable))('transform %s → %s', async (status, state) => {
    sm.on(DescribeTransformJobCommand).resolves(transform({ TransformJobStatus: status }));
    const out = await pollResource(transformInput, deps());
    expect(out).toMatchObject({ kind: 'transform', name: BATCH, state, status, attempt: 1 });
    expect(out.waitSeconds === 0).toBe(state !== 'InProgress');
  });

  it.each(Object.entries(processingTable))('processing %s → %s', async (status, state) => {
    sm.on(DescribeProcessingJobCommand).resolves(processing({ ProcessingJobStatus: status }));
    const out = await pollResource(processingInput, deps());
    expect(out).toMatchObject({ kind: 'processing', name: PROFILE, state, status, attempt: 1 });
    expect(out.waitSeconds === 0).toBe(state !== 'InProgress');
  });

  it.each(Object.entries(endpointTable))('endpoint %s (on the expected config) → %s', async (status, state) => {
    sm.on(DescribeEndpointCommand).resolves(endpoint({ EndpointStatus: status }));
    const out = await pollResource(endpointInput, deps());
    expect(out).toMatchObject({ kind: 'endpoint', name: ENDPOINT, state, status, attempt: 1, outputs: { endpointConfigName: NEW_CONFIG } });
    expect(out.waitSeconds === 0).toBe(state !== 'InProgress');
  });

  it.each([
    ['training', trainingInput, DescribeTrainingJobCommand, training({ TrainingJobStatus: 'Paused' })],
    ['transform', transformInput, DescribeTransformJobCommand, transform({ TransformJobStatus: undefined })],
    ['processing', processingInput, DescribeProcessingJobCommand, processing({ ProcessingJobStatus: 'Paused' })],
    ['endpoint', endpointInput, DescribeEndpointCommand, endpoint({ EndpointStatus: 'Hibernating' })],
  ] as const)('fails loudly on a %s status it does not know', async (_kind, input, command, response) => {
    sm.on(command as typeof DescribeTrainingJobCommand).resolves(response as never);
    const error = await pollResource(input, deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownStatusError);
    expect((error as Error).message).toContain(input.name);
  });
});

describe('training jobs', () => {
  it('describes the job and reports progress with the next wait', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training());
    await expect(pollResource(trainingInput, deps(1000))).resolves.toEqual({
      kind: 'training',
      name: TRAIN,
      state: 'InProgress',
      status: 'InProgress',
      secondaryStatus: 'Training',
      message: `training job ${TRAIN} is InProgress (Training)`,
      waitSeconds: 99,
      attempt: 4,
      elapsedSeconds: 1000,
      outputs: {},
    });
    expect(sm).toHaveReceivedCommandWith(DescribeTrainingJobCommand, { TrainingJobName: TRAIN });
  });

  it('returns the model artifacts on completion', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training({ TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed' }));
    await expect(pollResource(trainingInput, deps())).resolves.toMatchObject({
      state: 'Succeeded',
      waitSeconds: 0,
      message: `training job ${TRAIN} completed; model artifacts at ${ARTIFACTS}`,
      outputs: { modelArtifacts: ARTIFACTS },
    });
  });

  it('treats a completion without artifacts as a failure', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training({ TrainingJobStatus: 'Completed', ModelArtifacts: undefined }));
    await expect(pollResource(trainingInput, deps())).resolves.toMatchObject({ state: 'Failed', message: expect.stringContaining('no model artifacts'), outputs: {} });
  });

  it('passes the failure reason on', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training({ TrainingJobStatus: 'Failed', SecondaryStatus: 'Failed', FailureReason: 'AlgorithmError: label 3 is not a class index' }));
    await expect(pollResource(trainingInput, deps())).resolves.toMatchObject({
      state: 'Failed',
      message: `training job ${TRAIN} failed: AlgorithmError: label 3 is not a class index`,
    });
  });

  it('names MaxRuntimeExceeded when SageMaker stopped the job at its limit', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training({ TrainingJobStatus: 'Stopped', SecondaryStatus: 'MaxRuntimeExceeded', FailureReason: 'Training job reached its maximum runtime' }));
    await expect(pollResource(trainingInput, deps())).resolves.toMatchObject({
      state: 'Failed',
      secondaryStatus: 'MaxRuntimeExceeded',
      message: `training job ${TRAIN} was stopped (MaxRuntimeExceeded) after running past its 600 s MaxRuntimeInSeconds: Training job reached its maximum runtime`,
    });
  });

  it('reports a plain stop by its secondary status', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training({ TrainingJobStatus: 'Stopped', SecondaryStatus: 'Stopped' }));
    await expect(pollResource(trainingInput, deps())).resolves.toMatchObject({ state: 'Failed', message: `training job ${TRAIN} was stopped (Stopped)` });
  });

  it('polls a job that is uploading its model soon', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training({ SecondaryStatus: 'Uploading' }));
    await expect(pollResource(trainingInput, deps(500))).resolves.toMatchObject({ state: 'InProgress', waitSeconds: 10 });
  });

  it('stops a job past its MaxRuntimeInSeconds plus margin and fails with PollDeadlineExceededError', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training());
    sm.on(StopTrainingJobCommand).resolves({});
    const elapsed = 600 + TRAINING_DEADLINE_MARGIN_SECONDS + 1;
    const error = await pollResource(trainingInput, deps(elapsed)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PollDeadlineExceededError);
    expect((error as Error).name).toBe('PollDeadlineExceededError');
    expect((error as Error).message).toBe(`training job ${TRAIN} is still InProgress after ${elapsed} s, past its 1200 s deadline; stopped it`);
    expect(sm).toHaveReceivedCommandWith(StopTrainingJobCommand, { TrainingJobName: TRAIN });
  });

  it('uses the job’s own MaxRuntimeInSeconds for the deadline, the config only when it has none', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training({ StoppingCondition: { MaxRuntimeInSeconds: 7200 } }));
    await expect(pollResource(trainingInput, deps(1300))).resolves.toMatchObject({ state: 'InProgress' });
    sm.on(DescribeTrainingJobCommand).resolves(training({ StoppingCondition: {} }));
    await expect(pollResource(trainingInput, deps(1300))).rejects.toBeInstanceOf(PollDeadlineExceededError);
  });

  it('does not poll past the deadline by more than a second', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training());
    await expect(pollResource(trainingInput, deps(1150))).resolves.toMatchObject({ waitSeconds: 51 });
  });

  it('does not stop a job that is already stopping, but still fails', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training({ TrainingJobStatus: 'Stopping', SecondaryStatus: 'Stopping' }));
    await expect(pollResource(trainingInput, deps(5000))).rejects.toThrow(/already stopping/);
    expect(sm).not.toHaveReceivedCommand(StopTrainingJobCommand);
  });

  it('ignores a Stop rejected because the job just ended', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training());
    sm.on(StopTrainingJobCommand).rejects(awsError('ValidationException', 'The request was rejected because the training job is in status Completed.'));
    await expect(pollResource(trainingInput, deps(5000))).rejects.toThrow(/could not be stopped \(The request was rejected because the training job is in status Completed\.\)/);
  });

  it('retries a throttled Stop through the state machine', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training());
    sm.on(StopTrainingJobCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(pollResource(trainingInput, deps(5000))).rejects.toBeInstanceOf(SageMakerTransientError);
  });
});

describe('transform jobs', () => {
  it('returns the output path on completion', async () => {
    sm.on(DescribeTransformJobCommand).resolves(transform({ TransformJobStatus: 'Completed' }));
    await expect(pollResource(transformInput, deps())).resolves.toEqual({
      kind: 'transform',
      name: BATCH,
      state: 'Succeeded',
      status: 'Completed',
      message: `transform job ${BATCH} completed; predictions under ${PREDICTIONS}`,
      waitSeconds: 0,
      attempt: 1,
      elapsedSeconds: 100,
      outputs: { transformOutput: PREDICTIONS },
    });
    expect(sm).toHaveReceivedCommandWith(DescribeTransformJobCommand, { TransformJobName: BATCH });
  });

  it.each([
    ['Failed', 'ClientError: See job logs for more information', `transform job ${BATCH} failed: ClientError: See job logs for more information`],
    ['Failed', undefined, `transform job ${BATCH} failed: SageMaker gave no reason`],
    ['Stopped', undefined, `transform job ${BATCH} was stopped`],
  ])('reports %s with reason %s', async (status, FailureReason, message) => {
    sm.on(DescribeTransformJobCommand).resolves(transform({ TransformJobStatus: status, FailureReason }));
    await expect(pollResource(transformInput, deps())).resolves.toMatchObject({ state: 'Failed', message });
  });

  it('treats a completion without an output path as a failure', async () => {
    sm.on(DescribeTransformJobCommand).resolves(transform({ TransformJobStatus: 'Completed', TransformOutput: undefined }));
    await expect(pollResource(transformInput, deps())).resolves.toMatchObject({ state: 'Failed', message: expect.stringContaining('no output path') });
  });

  it('stops a job past TRANSFORM_DEADLINE_SECONDS', async () => {
    sm.on(DescribeTransformJobCommand).resolves(transform());
    sm.on(StopTransformJobCommand).resolves({});
    await expect(pollResource(transformInput, deps(1201))).rejects.toThrow(`transform job ${BATCH} is still InProgress after 1201 s, past its 1200 s deadline; stopped it`);
    expect(sm).toHaveReceivedCommandWith(StopTransformJobCommand, { TransformJobName: BATCH });
  });

  it('leaves a job alone up to its deadline', async () => {
    sm.on(DescribeTransformJobCommand).resolves(transform());
    await expect(pollResource(transformInput, deps(1200))).resolves.toMatchObject({ state: 'InProgress', waitSeconds: 10 });
    expect(sm).not.toHaveReceivedCommand(StopTransformJobCommand);
  });
});

describe('processing jobs (the scale path)', () => {
  it('reports progress with the next wait, and completion with no outputs (the request named them)', async () => {
    sm.on(DescribeProcessingJobCommand).resolves(processing());
    await expect(pollResource(processingInput, deps(1000))).resolves.toEqual({
      kind: 'processing',
      name: PROFILE,
      state: 'InProgress',
      status: 'InProgress',
      message: `processing job ${PROFILE} is InProgress`,
      waitSeconds: 99,
      attempt: 1,
      elapsedSeconds: 1000,
      outputs: {},
    });
    sm.on(DescribeProcessingJobCommand).resolves(processing({ ProcessingJobStatus: 'Completed' }));
    await expect(pollResource(processingInput, deps(1000))).resolves.toMatchObject({ state: 'Succeeded', message: `processing job ${PROFILE} completed`, waitSeconds: 0 });
    expect(sm).toHaveReceivedCommandWith(DescribeProcessingJobCommand, { ProcessingJobName: PROFILE });
  });

  it.each([
    ['Failed', { FailureReason: 'AlgorithmError: See job logs for more information', ExitMessage: 'part-00003.csv has 9 columns, not 10' }, `processing job ${PROFILE} failed: AlgorithmError: See job logs for more information; the container said: part-00003.csv has 9 columns, not 10`],
    ['Failed', { FailureReason: 'ClientError: No S3 objects found under S3 URL' }, `processing job ${PROFILE} failed: ClientError: No S3 objects found under S3 URL`],
    ['Failed', { ExitMessage: 'Traceback: out of memory' }, `processing job ${PROFILE} failed: Traceback: out of memory`],
    ['Failed', {}, `processing job ${PROFILE} failed: SageMaker gave no reason`],
    ['Stopped', {}, `processing job ${PROFILE} was stopped (MaxRuntimeInSeconds 3600 s)`],
  ])('%s with %j says why', async (status, reasons, message) => {
    sm.on(DescribeProcessingJobCommand).resolves(processing({ ProcessingJobStatus: status, ...reasons }));
    await expect(pollResource(processingInput, deps())).resolves.toMatchObject({ state: 'Failed', message });
  });

  it('stops a job SageMaker did not stop at its MaxRuntimeInSeconds, after the same margin as training', async () => {
    sm.on(DescribeProcessingJobCommand).resolves(processing());
    sm.on(StopProcessingJobCommand).resolves({});
    await expect(pollResource(processingInput, deps(3600 + TRAINING_DEADLINE_MARGIN_SECONDS))).resolves.toMatchObject({ state: 'InProgress' });
    expect(sm).not.toHaveReceivedCommand(StopProcessingJobCommand);
    const past = 3600 + TRAINING_DEADLINE_MARGIN_SECONDS + 1;
    await expect(pollResource(processingInput, deps(past))).rejects.toThrow(`processing job ${PROFILE} is still InProgress after ${past} s, past its ${past - 1} s deadline; stopped it`);
    expect(sm).toHaveReceivedCommandWith(StopProcessingJobCommand, { ProcessingJobName: PROFILE });
  });

  it("takes SageMaker's one-day default when the job has no StoppingCondition", async () => {
    sm.on(DescribeProcessingJobCommand).resolves(processing({ StoppingCondition: undefined }));
    sm.on(StopProcessingJobCommand).resolves({});
    const past = PROCESSING_DEFAULT_MAX_RUNTIME_SECONDS + TRAINING_DEADLINE_MARGIN_SECONDS + 1;
    await expect(pollResource(processingInput, deps(past))).rejects.toBeInstanceOf(PollDeadlineExceededError);
  });
});

describe('endpoints', () => {
  it('succeeds when InService on the config the deploy asked for', async () => {
    sm.on(DescribeEndpointCommand).resolves(endpoint());
    await expect(pollResource(endpointInput, deps())).resolves.toEqual({
      kind: 'endpoint',
      name: ENDPOINT,
      state: 'Succeeded',
      status: 'InService',
      message: `endpoint ${ENDPOINT} is InService on config ${NEW_CONFIG}`,
      waitSeconds: 0,
      attempt: 1,
      elapsedSeconds: 100,
      outputs: { endpointConfigName: NEW_CONFIG },
    });
    expect(sm).toHaveReceivedCommandWith(DescribeEndpointCommand, { EndpointName: ENDPOINT });
  });

  it('succeeds on any config when none is expected', async () => {
    sm.on(DescribeEndpointCommand).resolves(endpoint({ EndpointConfigName: OLD_CONFIG }));
    await expect(pollResource({ kind: 'endpoint', name: ENDPOINT, attempt: 0 }, deps())).resolves.toMatchObject({ state: 'Succeeded' });
  });

  it('treats InService on another config as a rolled-back update', async () => {
    sm.on(DescribeEndpointCommand).resolves(endpoint({ EndpointConfigName: OLD_CONFIG, FailureReason: 'Model container failed the ping health check' }));
    await expect(pollResource(endpointInput, deps())).resolves.toMatchObject({
      state: 'RolledBack',
      status: 'InService',
      waitSeconds: 0,
      message: `update rolled back: endpoint ${ENDPOINT} still serves config ${OLD_CONFIG}, not ${NEW_CONFIG}: Model container failed the ping health check`,
      outputs: { endpointConfigName: OLD_CONFIG },
    });
  });

  describe('deploys that take turns on one endpoint', () => {
    const V5 = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/5';
    const ours: AwaitInput = { kind: 'endpoint', name: ENDPOINT, attempt: 0, expectedConfigName: 'mlops-local-abalone-v5', modelPackageArn: V5 };
    const serving = (configName: string, version: number, group = 'mlops-local-abalone') => {
      sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: configName }).resolves({
        EndpointConfigName: configName,
        EndpointConfigArn: `arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/${configName}`,
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: configName }],
        CreationTime: CREATED,
      });
      sm.on(DescribeModelCommand, { ModelName: configName }).resolves({
        ModelName: configName,
        ModelArn: `arn:aws:sagemaker:us-east-1:000000000000:model/${configName}`,
        PrimaryContainer: { ModelPackageName: `arn:aws:sagemaker:us-east-1:000000000000:model-package/${group}/${version}` },
        CreationTime: CREATED,
      });
    };

    it('reports Superseded, not a rollback, when a newer version of the family went live after this rollout', async () => {
      sm.on(DescribeEndpointCommand).resolves(endpoint({ EndpointConfigName: 'mlops-local-abalone-v6' }));
      serving('mlops-local-abalone-v6', 6);
      await expect(pollResource(ours, deps())).resolves.toMatchObject({
        state: 'Superseded',
        waitSeconds: 0,
        message: `superseded: endpoint ${ENDPOINT} serves version 6 of mlops-local-abalone (config mlops-local-abalone-v6), newer than version 5`,
      });
    });

    it('reports a rollback when the endpoint serves an older version than this rollout', async () => {
      sm.on(DescribeEndpointCommand).resolves(endpoint({ EndpointConfigName: 'mlops-local-abalone-v4', FailureReason: 'ping health check failed' }));
      serving('mlops-local-abalone-v4', 4);
      await expect(pollResource(ours, deps())).resolves.toMatchObject({ state: 'RolledBack', message: expect.stringMatching(/^update rolled back: .*ping health check failed$/) });
    });

    it('succeeds when its config went live and a later rollout is already under way', async () => {
      sm.on(DescribeEndpointCommand).resolves(endpoint({ EndpointStatus: 'Updating', EndpointConfigName: 'mlops-local-abalone-v5', PendingDeploymentSummary: { EndpointConfigName: 'mlops-local-abalone-v6' } }));
      await expect(pollResource(ours, deps())).resolves.toMatchObject({ state: 'Succeeded', waitSeconds: 0 });
    });

    it('keeps waiting while its own rollout is the pending one', async () => {
      sm.on(DescribeEndpointCommand).resolves(endpoint({ EndpointStatus: 'Updating', EndpointConfigName: 'mlops-local-abalone-v4', PendingDeploymentSummary: { EndpointConfigName: 'mlops-local-abalone-v5' } }));
      await expect(pollResource(ours, deps())).resolves.toMatchObject({ state: 'InProgress' });
    });

    it("is over when another rollout started and this one's config is not live: superseded by a newer one", async () => {
      sm.on(DescribeEndpointCommand).resolves(endpoint({ EndpointStatus: 'Updating', EndpointConfigName: 'mlops-local-abalone-v6', PendingDeploymentSummary: { EndpointConfigName: 'mlops-local-abalone-v7' } }));
      serving('mlops-local-abalone-v6', 6);
      await expect(pollResource(ours, deps())).resolves.toMatchObject({ state: 'Superseded' });
    });

    it("does not count another family's model as newer", async () => {
      sm.on(DescribeEndpointCommand).resolves(endpoint({ EndpointConfigName: 'mlops-local-abalone-v9' }));
      serving('mlops-local-abalone-v9', 9, 'mlops-local-other');
      await expect(pollResource(ours, deps())).resolves.toMatchObject({ state: 'RolledBack' });
    });
  });

  it.each([
    ['Failed', 'Image not found', `endpoint ${ENDPOINT} is Failed: Image not found`],
    ['UpdateRollbackFailed', 'Rollback failed', `endpoint ${ENDPOINT} is UpdateRollbackFailed: Rollback failed`],
    ['OutOfService', undefined, `endpoint ${ENDPOINT} is OutOfService: it is not available to serve requests`],
    ['Deleting', undefined, `endpoint ${ENDPOINT} is being deleted`],
  ])('reports %s as a failed deploy', async (status, FailureReason, message) => {
    sm.on(DescribeEndpointCommand).resolves(endpoint({ EndpointStatus: status, FailureReason }));
    await expect(pollResource(endpointInput, deps())).resolves.toMatchObject({ state: 'Failed', message });
  });

  it('counts elapsed time from the last modification and fails past ENDPOINT_DEADLINE_SECONDS without touching the endpoint', async () => {
    sm.on(DescribeEndpointCommand).resolves(endpoint({ EndpointStatus: 'Updating' }));
    await expect(pollResource(endpointInput, deps(1801))).rejects.toThrow(
      `endpoint ${ENDPOINT} is still Updating after 1801 s, past its 1800 s deadline; left it as it is (the pipeline never tears down an endpoint)`,
    );
    expect(sm.calls()).toHaveLength(1);
  });
});

describe('errors', () => {
  it.each([
    ['training', trainingInput, DescribeTrainingJobCommand, 'Requested resource not found.'],
    ['transform', transformInput, DescribeTransformJobCommand, `Could not find requested job with name ${BATCH}`],
    ['processing', processingInput, DescribeProcessingJobCommand, `Could not find requested job with name ${PROFILE}`],
    ['endpoint', endpointInput, DescribeEndpointCommand, `Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/${ENDPOINT}".`],
  ] as const)('a missing %s is a clear, non-retried error', async (_kind, input, command, message) => {
    sm.on(command as typeof DescribeTrainingJobCommand).rejects(awsError('ValidationException', message));
    const error = await pollResource(input, deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SageMakerResourceMissingError);
    expect((error as Error).name).toBe('SageMakerResourceMissingError');
    expect((error as Error).message).toContain(`${input.name} does not exist`);
  });

  it.each([
    ['ThrottlingException', 400],
    ['InternalFailure', 500],
  ])('re-throws %s as SageMakerTransientError', async (name, status) => {
    sm.on(DescribeTrainingJobCommand).rejects(awsError(name, 'Rate exceeded', status));
    const error = await pollResource(trainingInput, deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SageMakerTransientError);
    expect((error as Error).message).toContain(`describing training job ${TRAIN} failed transiently: ${name}`);
  });

  it('lets other errors through unchanged', async () => {
    const denied = awsError('AccessDeniedException', 'not authorized to perform sagemaker:DescribeTrainingJob');
    sm.on(DescribeTrainingJobCommand).rejects(denied);
    await expect(pollResource(trainingInput, deps())).rejects.toBe(denied);
  });

  it('refuses a description without a timestamp rather than skipping the deadline', async () => {
    sm.on(DescribeTrainingJobCommand).resolves(training({ CreationTime: undefined }));
    await expect(pollResource(trainingInput, deps())).rejects.toThrow(/without a creation or modification time/);
  });
});
