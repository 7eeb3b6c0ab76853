/** What the report is built from: the training job's description, the run's schema.json, the stage's hyperparameters. */
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeTrainingJobCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PipelineStateSchema } from '@mlops/common';
import type { LocalStack } from '@mlops/local-stack';
import { ExecutionTracker } from '@mlops/report';
import { FakeBucket } from '@mlops/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { buildRunReport, hyperparameterSettings, stageHyperparameters, trainingSummaryOf } from '../src/pipeline/report-data';
import type { RunOutcome } from '../src';

const BUCKET = 'mlops-local-data';
const RUN = 'iris-0123456789';
const PREFIX = `s3://${BUCKET}/runs/${RUN}/`;
const JOB = `mlops-local-${RUN}-train`;
/** serverless.yml's params hyperparameters, as the stage gives them to mlops_train (HYPERPARAMETERS). */
const STAGE_HYPERPARAMETERS = '{"objective":"reg:squarederror","num_round":"50","max_depth":"5","eta":"0.2","gamma":"4","min_child_weight":"6","subsample":"0.7"}';

/** What mlops_train gave a classification run that overrides max_depth: the stage's, the problem's, the run's. */
const GIVEN = { ...(JSON.parse(STAGE_HYPERPARAMETERS) as Record<string, string>), objective: 'multi:softmax', num_class: '3', max_depth: '8' };

const SCHEMA = {
  version: 1,
  source: { bucket: BUCKET, key: 'incoming/iris.csv', etag: '"i"' },
  header: true,
  columns: [
    { name: 'petal_length', index: 0, role: 'feature', type: 'numeric', mean: 3.76, outputColumns: ['petal_length'] },
    { name: 'color', index: 1, role: 'feature', type: 'categorical', categories: ['blue', 'red'], outputColumns: ['color_blue', 'color_red'] },
    { name: 'species', index: 2, role: 'label', type: 'categorical', categories: ['a', 'b', 'c'], outputColumns: ['species'] },
  ],
  label: { name: 'species', index: 2, problemType: 'classification', classes: ['a', 'b', 'c'] },
  featureCount: 3,
  rows: { train: 105, validation: 22, test: 23 },
  split: { ratios: [0.7, 0.15, 0.15], seed: 42, hash: 'murmur3_x86_32/utf16le', stratified: true, stratifiedBy: 'species', strata: [] },
};

describe('hyperparameterSettings', () => {
  it("tells the run's overrides, the stage's defaults and what the pipeline set from the problem apart", () => {
    const settings = hyperparameterSettings(GIVEN, { stage: JSON.parse(STAGE_HYPERPARAMETERS) as Record<string, string>, run: { max_depth: '8' } });
    expect(settings).toEqual([
      { name: 'eta', value: '0.2', source: 'stage' },
      { name: 'gamma', value: '4', source: 'stage' },
      { name: 'max_depth', value: '8', source: 'run', stageValue: '5' },
      { name: 'min_child_weight', value: '6', source: 'stage' },
      { name: 'num_class', value: '3', source: 'pipeline' },
      { name: 'num_round', value: '50', source: 'stage' },
      { name: 'objective', value: 'multi:softmax', source: 'pipeline', stageValue: 'reg:squarederror' },
      { name: 'subsample', value: '0.7', source: 'stage' },
    ]);
  });

  it("keeps a run's value that equals the stage's as the run's, and names no source without the stage's defaults", () => {
    expect(hyperparameterSettings({ eta: '0.2' }, { stage: { eta: '0.2' }, run: { eta: '0.2' } })).toEqual([{ name: 'eta', value: '0.2', source: 'run' }]);
    expect(hyperparameterSettings({ eta: '0.3', num_round: '9' }, { run: { eta: '0.3' } })).toEqual([
      { name: 'eta', value: '0.3', source: 'run' },
      { name: 'num_round', value: '9' },
    ]);
  });
});

describe('stageHyperparameters', () => {
  const stack = (environment: Record<string, string>) => ({ resources: { functions: [{ key: 'mlops_train', environment }] } }) as unknown as Pick<LocalStack, 'resources'>;

  it("reads mlops_train's HYPERPARAMETERS as mlops_train does", () => {
    expect(stageHyperparameters(stack({ HYPERPARAMETERS: STAGE_HYPERPARAMETERS }))).toEqual(JSON.parse(STAGE_HYPERPARAMETERS));
    expect(stageHyperparameters(stack({}))).toEqual({});
  });

  it('knows none when the function or its setting is not there or not valid', () => {
    expect(stageHyperparameters(stack({ HYPERPARAMETERS: 'not json' }))).toBeUndefined();
    expect(stageHyperparameters({ resources: { functions: [] } } as unknown as Pick<LocalStack, 'resources'>)).toBeUndefined();
  });
});

describe('trainingSummaryOf', () => {
  it("keeps the job's hyperparameters, image and final metrics (those with a name and a value)", () => {
    const job: Parameters<typeof trainingSummaryOf>[0] = {
      TrainingJobName: JOB,
      AlgorithmSpecification: { TrainingImage: 'xgboost:1.7-1', TrainingInputMode: 'File' },
      HyperParameters: { num_round: '50' },
      FinalMetricDataList: [{ MetricName: 'train:mlogloss', Value: 0.06 }, { MetricName: 'validation:mlogloss', Value: 0.19 }, { MetricName: 'validation:merror' }],
    };
    expect(trainingSummaryOf(job, { stage: { num_round: '50' } })).toEqual({
      jobName: JOB,
      image: 'xgboost:1.7-1',
      hyperparameters: [{ name: 'num_round', value: '50', source: 'stage' }],
      finalMetrics: [
        { name: 'train:mlogloss', value: 0.06 },
        { name: 'validation:mlogloss', value: 0.19 },
      ],
    });
  });
});

describe('buildRunReport', () => {
  const s3 = mockClient(S3Client);
  const sageMaker = mockClient(SageMakerClient);
  let bucket: FakeBucket;
  beforeEach(() => {
    s3.reset();
    sageMaker.reset();
    bucket = new FakeBucket(s3);
  });

  const state = PipelineStateSchema.parse({
    family: 'iris',
    runId: RUN,
    source: { bucket: BUCKET, key: 'incoming/iris.csv', etag: '"i"' },
    runPrefix: PREFIX,
    dataset: { train: `${PREFIX}data/train/`, validation: `${PREFIX}data/validation/`, test: `${PREFIX}data/test/`, schema: `${PREFIX}data/schema.json`, rows: { train: 105, validation: 22, test: 23 }, featureCount: 3 },
    task: { problemType: 'classification', target: 'species', classes: ['a', 'b', 'c'] },
    overrides: { hyperparameters: { max_depth: '8' } },
    training: { jobName: JOB, jobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${JOB}`, adopted: false },
    error: { Error: 'TrainingJobFailed', Cause: 'stopped here' },
  });
  const outcome: RunOutcome = {
    runId: RUN,
    family: 'iris',
    key: 'incoming/iris.csv',
    executionName: RUN,
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:${RUN}`,
    status: 'FAILED',
    state,
    startedAt: new Date('2025-03-01T10:00:00Z'),
    wallMs: 1000,
    tracker: new ExecutionTracker(),
    history: [],
    endpointChecks: [],
  };
  const stack = () =>
    ({
      clients: { s3: new S3Client({ region: 'us-east-1' }), sageMaker: new SageMakerClient({ region: 'us-east-1' }) },
      stepFunctions: { executions: new Map() },
      resources: { stateMachine: { definition: { StartAt: 'Train', States: {} } }, functions: [{ key: 'mlops_train', environment: { HYPERPARAMETERS: STAGE_HYPERPARAMETERS } }] },
    }) as unknown as LocalStack;

  it("reads the run's schema.json with mlops_ingest's schema and the training job's hyperparameters and final metrics", async () => {
    bucket.put(`runs/${RUN}/data/schema.json`, { body: JSON.stringify(SCHEMA) });
    sageMaker.on(DescribeTrainingJobCommand, { TrainingJobName: JOB }).resolves({
      TrainingJobName: JOB,
      TrainingJobStatus: 'Completed',
      HyperParameters: GIVEN,
      FinalMetricDataList: [
        { MetricName: 'train:mlogloss', Value: 0.0623, Timestamp: new Date() },
        { MetricName: 'validation:mlogloss', Value: 0.1875, Timestamp: new Date() },
      ],
    });
    const report = await buildRunReport(stack(), outcome, { source: 'data/iris.csv' });
    expect(report.schema).toEqual(SCHEMA);
    expect(report.training?.jobName).toBe(JOB);
    expect(report.training?.finalMetrics).toEqual([
      { name: 'train:mlogloss', value: 0.0623 },
      { name: 'validation:mlogloss', value: 0.1875 },
    ]);
    expect(report.training?.hyperparameters.find((h) => h.name === 'max_depth')).toEqual({ name: 'max_depth', value: '8', source: 'run', stageValue: '5' });
    expect(report.training?.hyperparameters.find((h) => h.name === 'num_class')).toEqual({ name: 'num_class', value: '3', source: 'pipeline' });
    // The same description makes the job's row: one request to SageMaker.
    expect(report.jobs.map((j) => [j.kind, j.name, j.status])).toEqual([['training', JOB, 'Completed']]);
    expect(sageMaker.commandCalls(DescribeTrainingJobCommand)).toHaveLength(1);
  });

  it('leaves out a schema.json that is missing or not a schema document, and the training of a job it cannot describe', async () => {
    sageMaker.on(DescribeTrainingJobCommand).rejects(new Error('ResourceNotFound'));
    const missing = await buildRunReport(stack(), outcome, { source: 'data/iris.csv' });
    expect(missing.schema).toBeUndefined();
    expect(missing.training).toBeUndefined();
    bucket.put(`runs/${RUN}/data/schema.json`, { body: JSON.stringify({ ...SCHEMA, version: 2 }) });
    expect((await buildRunReport(stack(), outcome, { source: 'data/iris.csv' })).schema).toBeUndefined();
  });
});
