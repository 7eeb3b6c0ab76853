import { S3Client } from '@aws-sdk/client-s3';
import { DescribeModelPackageCommand, DescribeProcessingJobCommand, DescribeTrainingJobCommand, DescribeTransformJobCommand, SageMakerClient, StopProcessingJobCommand, StopTrainingJobCommand, StopTransformJobCommand } from '@aws-sdk/client-sagemaker';
import {
  type DeploymentRecord,
  DeploymentRecordSchema,
  parseConfig,
  RecordConfigSchema,
  type RecordInput,
  RecordInputSchema,
  RejectionRecordSchema,
  type RunRecord,
  RunRecordSchema,
  SageMakerTransientError,
} from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, expectRequestsValid, FakeBucket } from '@mlops/testing';
import deploymentSample from '../events/record-deployment.json';
import runSample from '../events/record-run.json';
import { deploymentRecordOf, normalizeFailure, runRecordOf, writeRecord } from '../src/record';

const s3Mock = mockClient(S3Client);
const sm = mockClient(SageMakerClient);
let bucket: FakeBucket;
const config = parseConfig(RecordConfigSchema, { STAGE: 'local', DATA_BUCKET: 'mlops-local-data', NAME_PREFIX: 'mlops-local' });
const FINISHED = '2026-12-06T10:30:00.000Z';
const deps = () => ({ s3: new S3Client({ region: 'us-east-1' }), sageMaker: new SageMakerClient({ region: 'us-east-1' }), config, now: () => new Date(FINISHED) });

const RUN_ID = 'abalone-7aa1b19755';
const RUN_KEY = `runs/${RUN_ID}/run.json`;
const DEPLOYMENTS = `runs/${RUN_ID}/deployments/`;
const PIPELINE_EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:abalone-7aa1b19755';
const DEPLOY_EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-deploy:abalone-7aa1b19755-v1';
const V1 = { arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/1', group: 'mlops-local-abalone', version: 1 };
const V3 = { arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/3', group: 'mlops-local-abalone', version: 3 };
const HYPERPARAMETERS = { objective: 'reg:squarederror', num_round: '50' };

type RunInput = Extract<RecordInput, { kind: 'run' }>;
type DeploymentInput = Extract<RecordInput, { kind: 'deployment' }>;
function runInput(patch: (state: RunInput['state']) => void = () => undefined): RunInput {
  const input = RecordInputSchema.parse(structuredClone(runSample)) as RunInput;
  patch(input.state);
  return input;
}
function deploymentInput(patch: (state: DeploymentInput['state']) => void = () => undefined): DeploymentInput {
  const input = RecordInputSchema.parse(structuredClone(deploymentSample)) as DeploymentInput;
  patch(input.state);
  return input;
}
/** What the deploy state machine recorded for version 1 (record-deployment.json). */
const deployed = (patch: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  executionArn: DEPLOY_EXECUTION,
  reason: 'pipeline',
  modelVersion: V1,
  endpointName: 'mlops-local-abalone',
  endpointConfigName: 'mlops-local-abalone-v1',
  status: 'deployed',
  startedAt: '2026-12-06T10:05:00.000Z',
  finishedAt: '2026-12-06T10:09:00.000Z',
  ...patch,
});
const putJson = (key: string, document: unknown) => bucket.put(key, { body: JSON.stringify(document) });
const runRecord = () => RunRecordSchema.parse(bucket.json(RUN_KEY));

/** A gate-rejected run of a family with a champion (v3): both transforms, both scored, no registration. */
function rejectedByGate(state: RunInput['state']): void {
  state.batch!.champion = {
    endpointName: 'mlops-local-abalone',
    endpointConfigName: 'mlops-local-abalone-v3',
    modelName: 'mlops-local-abalone-v3',
    modelVersion: V3,
    transformJobName: 'mlops-local-abalone-7aa1b19755-champion',
    transformOutput: 's3://mlops-local-data/runs/abalone-7aa1b19755/champion-predictions/',
  };
  state.transforms!.champion = { ...state.transforms!.challenger, name: 'mlops-local-abalone-7aa1b19755-champion', elapsedSeconds: 95 };
  state.evaluation!.metrics.mse = 5.91;
  state.evaluation!.champion = { label: 'abalone v3', metrics: { mse: 4.86, rmse: 2.2045, mae: 1.55, r2: 0.52 } };
  state.evaluation!.gate = {
    ...state.evaluation!.gate,
    value: 5.91,
    passed: false,
    summary: 'mse 5.91 (challenger) is worse than 4.86 (champion, abalone v3)',
    champion: { label: 'abalone v3', value: 4.86, tolerance: 0, passed: false },
  };
  delete state.registration;
  delete state.deployment;
  state.error = { Error: 'QualityGateFailed', Cause: 'mse 5.91 (challenger) is worse than 4.86 (champion, abalone v3)' };
}

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  s3Mock.reset();
  sm.reset();
  bucket = new FakeBucket(s3Mock);
  sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobName: 'mlops-local-abalone-7aa1b19755-train', TrainingJobStatus: 'Completed', HyperParameters: HYPERPARAMETERS });
  sm.on(DescribeTransformJobCommand).resolves({ TransformJobStatus: 'Completed' });
  // Runs on the Lambda path have no processing jobs.
  sm.on(DescribeProcessingJobCommand).rejects(awsError('ResourceNotFound', 'Could not find requested job with name'));
});
afterEach(() => expectRequestsValid(sm));

describe('normalizeFailure', () => {
  const child = (description: object) => ({ Error: 'States.TaskFailed', Cause: JSON.stringify({ ExecutionArn: DEPLOY_EXECUTION, Status: 'FAILED', ...description }) });

  it.each([
    ['Error/Cause', { Error: 'DeploymentFailed', Cause: 'endpoint mlops-local-abalone is Failed: ping health check' }],
    ['error/cause', { error: 'DeploymentFailed', cause: 'endpoint mlops-local-abalone is Failed: ping health check' }],
  ])('unwraps a failed child execution’s description (%s) into its own Error and Cause', (_casing, description) => {
    expect(normalizeFailure(child(description))).toEqual({ Error: 'DeploymentFailed', Cause: 'endpoint mlops-local-abalone is Failed: ping health check' });
  });

  it('keeps a child’s Error without a Cause as it is', () => {
    expect(normalizeFailure(child({ Error: 'ModelNotDeployableError' }))).toEqual({ Error: 'ModelNotDeployableError' });
  });

  it.each([
    ['no error', undefined],
    ['another error', { Error: 'QualityGateFailed', Cause: 'mse 5.91 (challenger) is worse than 4.86 (champion, abalone v3)' }],
    ['a TaskFailed without a Cause', { Error: 'States.TaskFailed' }],
    ['a TaskFailed whose Cause is no JSON', { Error: 'States.TaskFailed', Cause: 'Lambda function timed out' }],
    ['a TaskFailed whose Cause is JSON without an Error', { Error: 'States.TaskFailed', Cause: '{"errorMessage":"boom","errorType":"Error"}' }],
    ['a TaskFailed whose Cause is a JSON string', { Error: 'States.TaskFailed', Cause: '"just text"' }],
  ])('leaves %s alone', (_case, error) => {
    expect(normalizeFailure(error)).toBe(error);
  });
});

describe('run records', () => {
  it('records a deployed run whole: data, jobs, evaluation, package and its deployments', async () => {
    putJson(`${DEPLOYMENTS}abalone-7aa1b19755-v1.json`, deployed());
    const output = await writeRecord(runInput(), deps());
    expect(output).toEqual({ uri: `s3://mlops-local-data/${RUN_KEY}` });
    expect(bucket.json(RUN_KEY)).toEqual({
      version: 1,
      runId: RUN_ID,
      family: 'abalone',
      stage: 'local',
      executionArn: PIPELINE_EXECUTION,
      status: 'SUCCEEDED',
      outcome: 'deployed',
      dataset: {
        uri: 's3://mlops-local-data/incoming/abalone.csv',
        etag: 'a769fd0119787cac09158fe08971e480',
        schema: 's3://mlops-local-data/runs/abalone-7aa1b19755/data/schema.json',
        rows: { train: 2924, validation: 626, test: 627 },
      },
      problemType: 'regression',
      hyperparameters: HYPERPARAMETERS,
      jobs: {
        training: {
          name: 'mlops-local-abalone-7aa1b19755-train',
          seconds: 120,
          modelArtifacts: 's3://mlops-local-data/runs/abalone-7aa1b19755/model/mlops-local-abalone-7aa1b19755-train/output/model.tar.gz',
        },
        transform: { name: 'mlops-local-abalone-7aa1b19755-batch', seconds: 120 },
      },
      evaluation: {
        reportUri: 's3://mlops-local-data/runs/abalone-7aa1b19755/evaluation/report.json',
        metric: 'mse',
        challenger: { mse: 4.86, rmse: 2.2045, mae: 1.55, r2: 0.52 },
        gate: { passed: true, summary: 'mse = 4.86 meets the threshold 6 (must be <= 6)', threshold: 6, direction: 'lte' },
      },
      modelPackage: { ...V1, approvalStatus: 'Approved' },
      deployments: [deployed()],
      startedAt: '2026-12-06T10:00:00.000Z',
      finishedAt: FINISHED,
    });
    expect(sm).toHaveReceivedCommandWith(DescribeTrainingJobCommand, { TrainingJobName: 'mlops-local-abalone-7aa1b19755-train' });
  });

  it('records a gate-rejected run with the champion it lost to', async () => {
    const output = await writeRecord(runInput(rejectedByGate), deps());
    const cause = 'mse 5.91 (challenger) is worse than 4.86 (champion, abalone v3)';
    expect(output).toEqual({ uri: `s3://mlops-local-data/${RUN_KEY}`, error: { Error: 'QualityGateFailed', Cause: cause } });
    const record = runRecord();
    expect(record).toMatchObject({
      status: 'FAILED',
      outcome: 'rejected-by-gate',
      error: { Error: 'QualityGateFailed', Cause: cause },
      jobs: {
        transform: { name: 'mlops-local-abalone-7aa1b19755-batch', seconds: 120 },
        championTransform: { name: 'mlops-local-abalone-7aa1b19755-champion', seconds: 95 },
      },
      evaluation: {
        metric: 'mse',
        challenger: { mse: 5.91 },
        champion: { label: 'abalone v3', modelVersion: V3, metrics: { mse: 4.86, rmse: 2.2045, mae: 1.55, r2: 0.52 } },
        gate: { passed: false, summary: cause },
      },
      deployments: [],
    });
    expect(record.modelPackage).toBeUndefined();
  });

  it("records which gate rule applied, the baseline's value and margin included", async () => {
    const rule = {
      kind: 'baseline' as const,
      baseline: { predicts: 'training-mean' as const, prediction: 9.93, trainingRows: 2924, value: 10.2 },
      margin: 0.1,
      marginSource: 'stage' as const,
      reason: "family abalone has no threshold: the upload sets none (mlops-threshold) and the stage's gateThresholds does not name the family",
    };
    const summary = 'mse = 4.86 beats the baseline (predicting the training mean 9.93: mse = 10.2) by 52.4 %, at least 10 % (must be <= 9.18; no threshold for family abalone)';
    await writeRecord(runInput((state) => (state.evaluation!.gate = { ...state.evaluation!.gate, threshold: 9.18, rule, summary })), deps());
    expect(runRecord().evaluation!.gate).toEqual({ passed: true, summary, threshold: 9.18, direction: 'lte', rule });
  });

  it('records a failed run with what it got to, and no hyperparameters when the training job is gone', async () => {
    sm.on(DescribeTrainingJobCommand).rejects(awsError('ValidationException', 'Requested resource not found.'));
    const error = { Error: 'TrainingFailed', Cause: 'training mlops-local-abalone-7aa1b19755-train failed: AlgorithmError' };
    const input = runInput((state) => {
      for (const key of ['batch', 'transforms', 'evaluation', 'registration', 'deployment'] as const) delete state[key];
      state.error = error;
    });
    await expect(writeRecord(input, deps())).resolves.toEqual({ uri: `s3://mlops-local-data/${RUN_KEY}`, error });
    const record = runRecord();
    expect(record).toMatchObject({ status: 'FAILED', outcome: 'failed', error, jobs: { training: { name: 'mlops-local-abalone-7aa1b19755-train' } }, deployments: [] });
    expect(record.jobs.transform).toBeUndefined();
    expect(record.evaluation).toBeUndefined();
    expect(record.hyperparameters).toBeUndefined();
  });

  it('records a run that failed before training, only looking for jobs to stop', async () => {
    const input = runInput((state) => {
      for (const key of ['training', 'trainingPoll', 'batch', 'transforms', 'evaluation', 'registration', 'deployment'] as const) delete state[key];
      state.error = { Error: 'States.Timeout', Cause: 'The execution timed out' };
    });
    await writeRecord(input, deps());
    expect(runRecord()).toMatchObject({ outcome: 'failed', jobs: {} });
    expect(new Set(sm.calls().map((c) => c.args[0].constructor.name))).toEqual(new Set(['DescribeTrainingJobCommand', 'DescribeTransformJobCommand', 'DescribeProcessingJobCommand']));
  });

  it('records a run whose deploy failed with the child execution’s own error', async () => {
    putJson(`${DEPLOYMENTS}abalone-7aa1b19755-v1.json`, deployed({ status: 'failed', error: { Error: 'DeploymentFailed', Cause: 'endpoint mlops-local-abalone is Failed' } }));
    const input = runInput((state) => {
      state.error = { Error: 'States.TaskFailed', Cause: JSON.stringify({ ExecutionArn: DEPLOY_EXECUTION, Status: 'FAILED', Error: 'DeploymentFailed', Cause: 'endpoint mlops-local-abalone is Failed' }) };
    });
    const output = await writeRecord(input, deps());
    expect(output.error).toEqual({ Error: 'DeploymentFailed', Cause: 'endpoint mlops-local-abalone is Failed' });
    expect(runRecord()).toMatchObject({ status: 'FAILED', outcome: 'failed', error: output.error, deployments: [{ status: 'failed' }] });
  });

  it('records a run awaiting approval (manual policy): registered, not deployed, succeeded', async () => {
    const input = runInput((state) => {
      state.registration!.approvalStatus = 'PendingManualApproval';
      delete state.deployment;
    });
    await expect(writeRecord(input, deps())).resolves.toEqual({ uri: `s3://mlops-local-data/${RUN_KEY}` });
    expect(runRecord()).toMatchObject({ status: 'SUCCEEDED', outcome: 'pending-approval', modelPackage: { ...V1, approvalStatus: 'PendingManualApproval' }, deployments: [] });
  });

  it('records the first model of a family (the Parallel’s NoChampion branch left {})', () => {
    const input = runInput();
    expect(input.state.transforms!.champion).toEqual({});
    const record = runRecordOf(input.state, { stage: 'local', executionArn: PIPELINE_EXECUTION, startedAt: input.startedAt, finishedAt: FINISHED, deployments: [] });
    expect(record.jobs.championTransform).toBeUndefined();
  });

  it('re-throws throttling of DescribeTrainingJob as SageMakerTransientError, writing nothing', async () => {
    sm.on(DescribeTrainingJobCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(writeRecord(runInput(), deps())).rejects.toBeInstanceOf(SageMakerTransientError);
    expect(bucket.text(RUN_KEY)).toBeUndefined();
  });
});

describe('deployment records', () => {
  const DEPLOYMENT_KEY = `${DEPLOYMENTS}abalone-7aa1b19755-v1.json`;
  const record = (patch: Partial<DeploymentRecord> = {}) => deployed({ finishedAt: FINISHED, ...patch });

  it('writes runs/<runId>/deployments/<executionName>.json and no run record when the run has none yet', async () => {
    await expect(writeRecord(deploymentInput(), deps())).resolves.toEqual({ uri: `s3://mlops-local-data/${DEPLOYMENT_KEY}` });
    expect(bucket.json(DEPLOYMENT_KEY)).toEqual(record());
    expect(bucket.text(RUN_KEY)).toBeUndefined();
    expect([...bucket.objects.keys()]).toEqual([DEPLOYMENT_KEY]);
  });

  it('folds the deployment into the run’s record: a run pending approval becomes deployed', async () => {
    await writeRecord(
      runInput((state) => {
        state.registration!.approvalStatus = 'PendingManualApproval';
        delete state.deployment;
      }),
      deps(),
    );
    const before = runRecord();
    expect(before.outcome).toBe('pending-approval');

    await writeRecord(deploymentInput((state) => (state.reason = 'approval')), deps());
    const after = runRecord();
    expect(after).toEqual({ ...before, outcome: 'deployed', deployments: [record({ reason: 'approval' })] });
  });

  it('keeps the run’s outcome when the deploy failed, and returns the failure', async () => {
    putJson(RUN_KEY, { ...runRecordOf(runInput().state, { stage: 'local', executionArn: PIPELINE_EXECUTION, startedAt: '2026-12-06T10:00:00.000Z', finishedAt: FINISHED, deployments: [] }), outcome: 'pending-approval' });
    const error = { Error: 'DeploymentFailed', Cause: 'endpoint mlops-local-abalone is Failed' };
    const output = await writeRecord(
      deploymentInput((state) => {
        state.error = error;
      }),
      deps(),
    );
    expect(output).toEqual({ uri: `s3://mlops-local-data/${DEPLOYMENT_KEY}`, error });
    expect(runRecord()).toMatchObject({ outcome: 'pending-approval', deployments: [record({ status: 'failed', error })] });
  });

  it('rebuilds the run’s deployments from the folder, oldest first, skipping what is not a deployment record', async () => {
    putJson(RUN_KEY, { ...runRecordOf(runInput().state, { stage: 'local', executionArn: PIPELINE_EXECUTION, startedAt: '2026-12-06T10:00:00.000Z', finishedAt: FINISHED, deployments: [] }), outcome: 'pending-approval' });
    // Keys in another order than their starts; the fake lists two keys a page.
    const rollback = deployed({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-deploy:a-rollback', reason: 'rollback', startedAt: '2026-12-07T08:00:00.000Z', finishedAt: '2026-12-07T08:04:00.000Z' });
    const earlier = deployed({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-deploy:z-earlier', status: 'failed', error: { Error: 'DeploymentFailed' }, startedAt: '2026-12-06T09:00:00.000Z', finishedAt: '2026-12-06T09:01:00.000Z' });
    putJson(`${DEPLOYMENTS}a-rollback.json`, rollback);
    putJson(`${DEPLOYMENTS}z-earlier.json`, earlier);
    putJson(`${DEPLOYMENTS}b-not-a-record.json`, { hello: 'world' });
    bucket.put(`${DEPLOYMENTS}c-notes.txt`, { body: 'not json' });

    await writeRecord(deploymentInput(), deps());
    expect(runRecord().deployments).toEqual([earlier, record(), rollback]);
    expect(runRecord().outcome).toBe('deployed');
  });

  const describedVersion = (metadata: Record<string, string>) => ({
    ModelPackageGroupName: 'mlops-local-abalone',
    ModelPackageName: 'mlops-local-abalone',
    ModelPackageArn: V1.arn,
    ModelPackageVersion: 1,
    CreationTime: new Date(FINISHED),
    ModelPackageStatus: 'Completed' as const,
    ModelPackageStatusDetails: { ValidationStatuses: [] },
    ModelApprovalStatus: 'Approved' as const,
    CustomerMetadataProperties: metadata,
  });

  it('writes nothing for a version registered without a run', async () => {
    sm.on(DescribeModelPackageCommand).resolves(describedVersion({ family: 'abalone' }));
    await expect(writeRecord(deploymentInput((state) => delete state.deploy!.runId), deps())).resolves.toEqual({});
    expect(s3Mock.calls()).toHaveLength(0);
    expect(sm).toHaveReceivedCommandWith(DescribeModelPackageCommand, { ModelPackageName: V1.arn });
  });

  it("finds the run of a deploy that failed before mlops_deploy answered in the version's metadata, and records the failure there", async () => {
    sm.on(DescribeModelPackageCommand).resolves(describedVersion({ runId: 'abalone-7aa1b19755' }));
    const input = deploymentInput((state) => {
      delete state.deploy;
      delete state.endpointPoll;
      state.error = { Error: 'ModelNotDeployableError', Cause: 'abalone v1 is Rejected' };
    });
    await expect(writeRecord(input, deps())).resolves.toMatchObject({ error: { Error: 'ModelNotDeployableError' } });
    expect(bucket.json(DEPLOYMENT_KEY)).toMatchObject({ status: 'failed', modelVersion: V1, error: { Error: 'ModelNotDeployableError', Cause: 'abalone v1 is Rejected' } });
  });

  it('records the version from the request when the deploy failed before it reached the endpoint', () => {
    const state = deploymentInput((s) => {
      delete s.deploy;
      delete s.endpointPoll;
      s.error = { Error: 'ModelNotDeployableError', Cause: 'abalone v1 is PendingManualApproval' };
    }).state;
    expect(DeploymentRecordSchema.parse(deploymentRecordOf(state, { executionArn: DEPLOY_EXECUTION, startedAt: 's', finishedAt: 'f' }))).toEqual({
      executionArn: DEPLOY_EXECUTION,
      reason: 'pipeline',
      modelVersion: V1,
      status: 'failed',
      error: { Error: 'ModelNotDeployableError', Cause: 'abalone v1 is PendingManualApproval' },
      startedAt: 's',
      finishedAt: 'f',
    });
  });

  it('unwraps a failed child execution in a deployment’s error too', () => {
    const state = deploymentInput((s) => {
      s.error = { Error: 'States.TaskFailed', Cause: JSON.stringify({ error: 'EndpointNeedsRepairError', cause: 'endpoint mlops-local-abalone is Failed' }) };
    }).state;
    expect(deploymentRecordOf(state, { executionArn: DEPLOY_EXECUTION, startedAt: 's', finishedAt: 'f' }).error).toEqual({ Error: 'EndpointNeedsRepairError', Cause: 'endpoint mlops-local-abalone is Failed' });
  });
});

// The run record a reader gets is always of the contract.
it('writes run records of the contract (RunRecordSchema)', async () => {
  await writeRecord(runInput(rejectedByGate), deps());
  const parsed: RunRecord = RunRecordSchema.parse(bucket.json(RUN_KEY));
  expect(parsed.version).toBe(1);
});

describe('leaving nothing running', () => {
  const TRAIN = 'mlops-local-abalone-7aa1b19755-train';
  const BATCH = 'mlops-local-abalone-7aa1b19755-batch';
  const CHAMPION = 'mlops-local-abalone-7aa1b19755-champion';

  it('stops the jobs a failed run left running, found by name even when the step that made them never returned, and records them', async () => {
    sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobName: TRAIN, TrainingJobStatus: 'InProgress', HyperParameters: HYPERPARAMETERS });
    sm.on(DescribeTransformJobCommand, { TransformJobName: BATCH }).rejects(awsError('ValidationException', `Could not find requested job with name ${BATCH}`));
    sm.on(DescribeTransformJobCommand, { TransformJobName: CHAMPION }).rejects(awsError('ValidationException', `Could not find requested job with name ${CHAMPION}`));
    const input = runInput((state) => {
      for (const key of ['training', 'trainingPoll', 'batch', 'transforms', 'evaluation', 'registration', 'deployment'] as const) delete state[key];
      state.error = { Error: 'PollBudgetExceeded', Cause: 'The training job reached its 400-poll budget and is still not done.' };
    });
    await writeRecord(input, deps());
    expect(sm).toHaveReceivedCommandWith(StopTrainingJobCommand, { TrainingJobName: TRAIN });
    expect(sm).not.toHaveReceivedCommand(StopTransformJobCommand);
    expect(runRecord()).toMatchObject({ status: 'FAILED', outcome: 'failed', error: { Error: 'PollBudgetExceeded' }, stopped: [TRAIN] });
  });

  it("stops the scale path's processing job a failed run left running", async () => {
    const SPLIT = 'mlops-local-abalone-7aa1b19755-split';
    sm.on(DescribeProcessingJobCommand, { ProcessingJobName: SPLIT }).resolves({ ProcessingJobName: SPLIT, ProcessingJobStatus: 'InProgress' });
    sm.on(StopProcessingJobCommand).resolves({});
    await writeRecord(runInput((state) => (state.error = { Error: 'States.Timeout', Cause: 'the split took too long' })), deps());
    expect(sm).toHaveReceivedCommandWith(DescribeProcessingJobCommand, { ProcessingJobName: 'mlops-local-abalone-7aa1b19755-profile' });
    expect(sm).toHaveReceivedCommandTimes(StopProcessingJobCommand, 1);
    expect(sm).toHaveReceivedCommandWith(StopProcessingJobCommand, { ProcessingJobName: SPLIT });
    expect(runRecord().stopped).toEqual([SPLIT]);
  });

  it('stops nothing for a run that succeeded', async () => {
    sm.on(DescribeTrainingJobCommand).resolves({ TrainingJobName: TRAIN, TrainingJobStatus: 'InProgress', HyperParameters: HYPERPARAMETERS });
    await writeRecord(runInput(), deps());
    expect(sm).not.toHaveReceivedCommand(StopTrainingJobCommand);
    expect(runRecord().stopped).toBeUndefined();
  });

  it('takes a job that ended between Describe and Stop as nothing to stop', async () => {
    sm.on(DescribeTransformJobCommand, { TransformJobName: CHAMPION }).resolves({ TransformJobStatus: 'InProgress' });
    sm.on(StopTransformJobCommand).rejects(awsError('ValidationException', `Transform job ${CHAMPION} is not in progress`));
    await writeRecord(runInput((state) => (state.error = { Error: 'TransformJobFailed', Cause: 'ClientError' })), deps());
    expect(runRecord().stopped).toBeUndefined();
  });

  it.each([
    ['ABORTED', 'States.Aborted', /was stopped \(StopExecution\)/],
    ['TIMED_OUT', 'States.Timeout', /reached its TimeoutSeconds/],
  ] as const)('records an execution that ended %s (no Catch ran) from its status change event and stops its jobs', async (status, error, cause) => {
    sm.on(DescribeTransformJobCommand, { TransformJobName: BATCH }).resolves({ TransformJobStatus: 'InProgress' });
    sm.on(StopTransformJobCommand).resolves({});
    const { state } = runInput();
    const runInputOnly = Object.fromEntries(Object.entries(state).filter(([k]) => ['family', 'runId', 'source', 'runPrefix', 'dataset', 'task', 'overrides'].includes(k)));
    // The event's detail, as the rule passes it (with the fields the record does not read).
    const ended = RecordInputSchema.parse({
      kind: 'ended',
      execution: { executionArn: PIPELINE_EXECUTION, stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:mlops-local-pipeline', name: 'abalone-7aa1b19755', status, input: JSON.stringify(runInputOnly), inputDetails: { included: true }, output: null, startDate: Date.parse('2026-12-06T10:00:00.000Z'), stopDate: Date.parse('2026-12-06T10:05:00.000Z') },
    });
    await expect(writeRecord(ended, deps())).resolves.toMatchObject({ error: { Error: error } });
    expect(sm).toHaveReceivedCommandWith(StopTransformJobCommand, { TransformJobName: BATCH });
    expect(runRecord()).toMatchObject({ status, outcome: 'failed', error: { Error: error, Cause: expect.stringMatching(cause) }, stopped: [BATCH], startedAt: '2026-12-06T10:00:00.000Z', executionArn: PIPELINE_EXECUTION });
  });

  it("stops a stopped preprocess execution's processing jobs and records why no run started", async () => {
    const PROFILE = 'mlops-local-abalone-7aa1b19755-profile';
    sm.on(DescribeProcessingJobCommand, { ProcessingJobName: PROFILE }).resolves({ ProcessingJobName: PROFILE, ProcessingJobStatus: 'InProgress' });
    sm.on(StopProcessingJobCommand).resolves({});
    const source = { bucket: 'mlops-local-data', key: 'incoming/abalone/export/_SUCCESS', etag: 'd41d8cd98f00b204e9800998ecf8427e' };
    const input = { family: 'abalone', runId: 'abalone-7aa1b19755', source, preprocessPrefix: 's3://mlops-local-data/runs/abalone-7aa1b19755/preprocess/', parts: 4, bytes: 5_000_000_000, instanceCount: 2 };
    const ended = RecordInputSchema.parse({
      kind: 'ended',
      execution: { executionArn: 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-preprocess:abalone-7aa1b19755', status: 'ABORTED', input: JSON.stringify(input), startDate: 0 },
    });
    await expect(writeRecord(ended, deps())).resolves.toEqual({ uri: 's3://mlops-local-data/runs/rejected/abalone-7aa1b19755.json' });
    expect(sm).toHaveReceivedCommandWith(StopProcessingJobCommand, { ProcessingJobName: PROFILE });
    const record = RejectionRecordSchema.parse(JSON.parse(bucket.text('runs/rejected/abalone-7aa1b19755.json')!));
    expect(record).toMatchObject({ key: source.key, etag: source.etag, stoppedJobs: [PROFILE], reason: expect.stringMatching(/^States\.Aborted: the execution was stopped .*no pipeline run started/) });
    expect(bucket.text('runs/abalone-7aa1b19755/run.json')).toBeUndefined();
  });

  it('refuses an ended event whose input is not a run, naming the field', async () => {
    const ended = RecordInputSchema.parse({ kind: 'ended', execution: { executionArn: PIPELINE_EXECUTION, status: 'ABORTED', input: JSON.stringify({ runId: 'x' }), startDate: 0 } });
    await expect(writeRecord(ended, deps())).rejects.toMatchObject({ name: 'InputValidationError', message: expect.stringContaining('input.family') });
    expect(s3Mock.calls()).toHaveLength(0);
  });
});
