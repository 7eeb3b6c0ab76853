import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { sdkStreamMixin } from '@smithy/util-stream';
import { ConfigurationError, DatasetError, InputValidationError, S3TransientError } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import type { EvalInput, EvaluationReport } from '@mlops/common';
import { evaluate } from '../src/evaluate';
import { FakeBucket } from '@mlops/testing';
import { BUCKET, evalConfig, recordingMetrics, sampleInput } from './helpers';

const s3Mock = mockClient(S3Client);
let bucket: FakeBucket;
const RUN = 'runs/abalone-7aa1b19755/';
const PREDICTIONS = `${RUN}predictions/`;
const REPORT = `${RUN}evaluation/report.json`;
const now = () => new Date('2025-02-03T04:05:06.789Z');

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  s3Mock.reset();
  bucket = new FakeBucket(s3Mock);
});

function deps(env: Record<string, string> = {}) {
  const { sink, recorded } = recordingMetrics();
  return { deps: { s3: new S3Client({ region: 'us-east-1' }), config: evalConfig(env), metrics: sink, now }, recorded };
}

const report = () => JSON.parse(bucket.text(REPORT)!) as EvaluationReport;

/** (3, 2.5), (5, 5), (2, 4), (7, 6) in two objects, lines and CRLFs broken across chunks. */
function putRegressionPairs(): void {
  bucket
    .putChunks(`${PREDICTIONS}test.csv.out`, '3,2.5\r\n5,', '5\r', '\n')
    .putChunks(`${PREDICTIONS}test2.csv.out`, '2,0.1,4\n7,', '6\n\n')
    .putChunks(`${PREDICTIONS}_SUCCESS`, 'not,a,number')
    .putChunks(`${PREDICTIONS}test.csv.out.tmp`, 'x');
}
const REGRESSION = { mse: 1.3125, rmse: Math.sqrt(1.3125), mae: 0.875, r2: 1 - 5.25 / 14.75 };

/** A classification family of its own (the stage sets no threshold for it: the baseline rule, unless the upload brings one). */
function classificationInput(gate?: { metric?: 'accuracy' | 'f1_macro' | 'mse'; threshold?: number }) {
  return sampleInput((input) => {
    input.run.family = 'iris';
    input.run.task = { problemType: 'classification', target: 'species', classes: ['ant', 'bee', 'cat'] };
    if (gate) input.run.overrides.gate = gate;
  });
}
function putClassificationPairs(): void {
  bucket.putChunks(`${PREDICTIONS}test.csv.out`, '0,0\n0,0\n0,1\n1,1\n1,2\n', '2,2\n2,2\n2,0\n1,7\n0,2.0\n');
}

const TRAIN = `${RUN}data/train/`;
const TRAIN_URI = `s3://${BUCKET}/${TRAIN}`;
/** The training channel (label-first, headerless), one or more objects; a folder marker is no data. */
function putTrainingLabels(...objects: string[][]): void {
  bucket.putChunks(TRAIN);
  objects.forEach((chunks, i) => bucket.putChunks(`${TRAIN}part-${i}.csv`, ...chunks));
}
/** Labels 4, 6, 5, 5 (mean 5) in two objects, CRLFs and a trailing blank line. */
const REGRESSION_TRAINING = [['4,0.1,1\n6,0', '.2,0\n'], ['5,1,1\r\n5,2,2\n\n']];
/** Classes 2, 2, 0, 1, 2, 0: the majority is cat (2). */
const CLASSIFICATION_TRAINING = [['2,1.5\n2,0.5\n0,3\n1,2\n2,1\n0,0\n']];

describe('regression', () => {
  it('streams every .out object and computes the metrics', async () => {
    putRegressionPairs();
    const { deps: d } = deps();
    const output = await evaluate(sampleInput(), d);

    expect(output).toEqual({
      problemType: 'regression',
      rows: 4,
      metrics: REGRESSION,
      gate: {
        metric: 'mse',
        threshold: 6,
        direction: 'lte',
        rule: { kind: 'threshold', source: 'stage', reason: 'the stage sets a threshold for family abalone (gateThresholds)' },
        value: 1.3125,
        passed: true,
        summary: 'mse = 1.3125 meets the threshold 6 (must be <= 6; set by the stage for family abalone)',
      },
      reportUri: `s3://${BUCKET}/${REPORT}`,
    });
    expect(s3Mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: `${PREDICTIONS}test.csv.out` },
      { Bucket: BUCKET, Key: `${PREDICTIONS}test2.csv.out` },
    ]);
    // The fake lists two keys a page: the paginator must follow the continuation tokens.
    expect(s3Mock.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Prefix: PREDICTIONS },
      { Bucket: BUCKET, Prefix: PREDICTIONS, ContinuationToken: '2' },
    ]);
  });

  it('writes the report next to the run', async () => {
    putRegressionPairs();
    await evaluate(sampleInput(), deps().deps);

    expect(s3Mock).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: BUCKET, Key: REPORT, ContentType: 'application/json' });
    const written = report();
    expect(written).toMatchObject({
      runId: 'abalone-7aa1b19755',
      problemType: 'regression',
      rows: 4,
      metrics: REGRESSION,
      gate: { metric: 'mse', passed: true },
      transformOutput: `s3://${BUCKET}/${PREDICTIONS}`,
      objects: [
        { uri: `s3://${BUCKET}/${PREDICTIONS}test.csv.out`, rows: 2 },
        { uri: `s3://${BUCKET}/${PREDICTIONS}test2.csv.out`, rows: 2 },
      ],
      createdAt: '2025-02-03T04:05:06.789Z',
    });
    expect(written.sample).toEqual(
      expect.arrayContaining([
        { actual: 3, predicted: 2.5 },
        { actual: 5, predicted: 5 },
        { actual: 2, predicted: 4 },
        { actual: 7, predicted: 6 },
      ]),
    );
    expect(written.sample).toHaveLength(4);
    expect(written.residualHistogram!.reduce((sum, bin) => sum + bin.count, 0)).toBe(4);
    expect(written.residualHistogram![0]!.from).toBeLessThanOrEqual(-1);
    expect(written.residualHistogram![written.residualHistogram!.length - 1]!.to).toBeGreaterThan(2);
    expect(written.perClass).toBeUndefined();
  });

  it('publishes each metric, the row count and the gate with the stage as dimension', async () => {
    putRegressionPairs();
    const { deps: d, recorded } = deps();
    await evaluate(sampleInput(), d);

    expect(recorded).toEqual({
      dimensions: { stage: 'test', family: 'abalone' },
      metadata: { runId: 'abalone-7aa1b19755' },
      metrics: [
        ['mse', 'None', REGRESSION.mse],
        ['rmse', 'None', REGRESSION.rmse],
        ['mae', 'None', REGRESSION.mae],
        ['r2', 'None', REGRESSION.r2],
        ['rows', 'Count', 4],
        ['gate_passed', 'Count', 1],
      ],
      published: 1,
    });
  });
});

describe('classification', () => {
  it('computes accuracy, macro scores, per-class counts and the confusion matrix', async () => {
    putClassificationPairs();
    putTrainingLabels(...CLASSIFICATION_TRAINING);
    const output = await evaluate(classificationInput(), deps().deps);

    expect(output.rows).toBe(10);
    expect(output.metrics.accuracy).toBe(0.5);
    expect(output.metrics.precision_macro).toBeCloseTo(5 / 9, 12);
    expect(output.metrics.recall_macro).toBeCloseTo(0.5, 12);
    expect(output.metrics.f1_macro).toBeCloseTo(18 / 35, 12);
    // No threshold for family iris: the baseline predicts the training channel's most frequent class, cat,
    // for the same 10 test rows: precision 3/10 and recall 1 for cat, 0 for the others: f1_macro 2/13.
    expect(output.gate).toEqual({
      metric: 'f1_macro',
      threshold: expect.closeTo(2 / 13 + 0.1 * (11 / 13), 12),
      direction: 'gte',
      rule: {
        kind: 'baseline',
        baseline: { predicts: 'majority-class', prediction: 2, label: 'cat', trainingRows: 6, value: expect.closeTo(2 / 13, 12) },
        margin: 0.1,
        marginSource: 'stage',
        reason: "family iris has no threshold: the upload sets none (mlops-threshold) and the stage's gateThresholds does not name the family",
      },
      value: output.metrics.f1_macro,
      passed: true,
      summary: "f1_macro = 0.514286 beats the baseline (predicting the majority class 'cat': f1_macro = 0.153846) by 42.6 %, at least 10 % (must be >= 0.238462; no threshold for family iris)",
    });
    const written = report();
    expect(written.confusionMatrix).toEqual({
      labels: ['ant', 'bee', 'cat'],
      matrix: [
        [2, 1, 1],
        [0, 1, 1],
        [1, 0, 2],
      ],
      invalidPredictions: [0, 1, 0],
    });
    expect(written.perClass!.map(({ label, support, predicted }) => ({ label, support, predicted }))).toEqual([
      { label: 'ant', support: 4, predicted: 3 },
      { label: 'bee', support: 3, predicted: 2 },
      { label: 'cat', support: 3, predicted: 4 },
    ]);
    expect(written.residualHistogram).toBeUndefined();
  });

  it('requires the class labels before reading anything', async () => {
    const input = classificationInput();
    delete input.run.task.classes;
    const error = await evaluate(input, deps().deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as Error).message).toBe('Invalid mlops_eval input: run.task.classes: is required for a classification run');
    expect(s3Mock.calls()).toHaveLength(0);
  });
});

describe('the gate', () => {
  it.each([
    [
      'regression, stage gate failed',
      sampleInput(),
      { GATE_THRESHOLDS: '{"abalone":{"metric":"mse","threshold":1}}' },
      { metric: 'mse', threshold: 1, passed: false, summary: 'mse = 1.3125 is above the threshold 1 (must be <= 1; set by the stage for family abalone)' },
    ],
    [
      'regression, override of metric and threshold',
      sampleInput((i) => (i.run.overrides.gate = { metric: 'r2', threshold: 0.9 })),
      {},
      { metric: 'r2', threshold: 0.9, direction: 'gte', passed: false, summary: 'r2 = 0.644068 is below the threshold 0.9 (must be >= 0.9; set by the upload)', rule: { kind: 'threshold', source: 'upload' } },
    ],
    [
      'regression, override of the threshold only',
      sampleInput((i) => (i.run.overrides.gate = { threshold: 2 })),
      { GATE_THRESHOLDS: '{"abalone":{"metric":"mse","threshold":1}}' },
      { metric: 'mse', threshold: 2, passed: true, rule: { kind: 'threshold', source: 'upload' } },
    ],
    [
      'regression, override naming the stage metric keeps the stage threshold',
      sampleInput((i) => (i.run.overrides.gate = { metric: 'mse' })),
      {},
      { metric: 'mse', threshold: 6, passed: true },
    ],
    ['regression, rmse at the threshold passes', sampleInput(), { GATE_THRESHOLDS: JSON.stringify({ abalone: { metric: 'rmse', threshold: Math.sqrt(1.3125) } }) }, { metric: 'rmse', passed: true }],
  ])('%s', async (_name, input, env, expected) => {
    putRegressionPairs();
    const output = await evaluate(input, deps(env).deps);
    expect(output.gate).toMatchObject(expected);
    expect(report().gate).toEqual(output.gate);
  });

  it.each([
    ['classification gate failed', { metric: 'accuracy' as const, threshold: 0.75 }, { passed: false, summary: 'accuracy = 0.5 is below the threshold 0.75 (must be >= 0.75; set by the upload)' }],
    ['classification gate passed', { metric: 'accuracy' as const, threshold: 0.5 }, { passed: true, summary: 'accuracy = 0.5 meets the threshold 0.5 (must be >= 0.5; set by the upload)' }],
  ])('%s', async (_name, gate, expected) => {
    putClassificationPairs();
    const output = await evaluate(classificationInput(gate), deps().deps);
    expect(output.gate).toMatchObject({ ...gate, direction: 'gte', ...expected });
  });

  it.each([
    ['a regression metric for classification', classificationInput({ metric: 'mse', threshold: 1 }), {}, "gate metric 'mse' (run.overrides.gate.metric) does not apply to classification: use one of accuracy, precision_macro, recall_macro, f1_macro"],
    [
      'a classification metric as the stage regression metric',
      sampleInput((i) => (i.run.family = 'sea-snails')),
      { GATE_METRIC: 'accuracy' },
      "gate metric 'accuracy' (GATE_METRIC) does not apply to regression: use one of mse, rmse, mae, r2",
    ],
    [
      "a classification metric as the family's stage threshold",
      sampleInput(),
      { GATE_THRESHOLDS: '{"abalone":{"metric":"accuracy","threshold":0.9}}' },
      "gate metric 'accuracy' (GATE_THRESHOLDS.abalone.metric) does not apply to regression: use one of mse, rmse, mae, r2",
    ],
  ])('rejects %s as a ConfigurationError before reading anything', async (_name, input, env, message) => {
    const error = await evaluate(input, deps(env).deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(message);
    expect(s3Mock.calls()).toHaveLength(0);
  });
});

describe('the baseline rule (no threshold for the dataset)', () => {
  const snails = (patch: (input: EvalInput) => void = () => undefined) =>
    sampleInput((input) => {
      input.run.family = 'sea-snails';
      patch(input);
    });
  const REASON = "family sea-snails has no threshold: the upload sets none (mlops-threshold) and the stage's gateThresholds does not name the family";
  // The test labels 3, 5, 2, 7 against the training mean 5: squared errors 4, 0, 9, 4.
  const BASELINE_MSE = 17 / 4;

  it('judges a family the stage sets no threshold for against the training mean, scored on the same test rows', async () => {
    putRegressionPairs();
    putTrainingLabels(...REGRESSION_TRAINING);
    const output = await evaluate(snails(), deps().deps);

    expect(output.gate).toEqual({
      metric: 'mse',
      threshold: BASELINE_MSE * 0.9,
      direction: 'lte',
      rule: { kind: 'baseline', baseline: { predicts: 'training-mean', prediction: 5, trainingRows: 4, value: BASELINE_MSE }, margin: 0.1, marginSource: 'stage', reason: REASON },
      value: 1.3125,
      passed: true,
      summary: 'mse = 1.3125 beats the baseline (predicting the training mean 5: mse = 4.25) by 69.1 %, at least 10 % (must be <= 3.825; no threshold for family sea-snails)',
    });
    expect(report().gate).toEqual(output.gate);
    // The training channel first (every object under its prefix, the folder marker aside), then the predictions, once.
    expect(s3Mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual([`${TRAIN}part-0.csv`, `${TRAIN}part-1.csv`, `${PREDICTIONS}test.csv.out`, `${PREDICTIONS}test2.csv.out`]);
  });

  it('fails a model that does not beat the baseline by the stage’s margin, and the Cause says so', async () => {
    putRegressionPairs();
    putTrainingLabels(...REGRESSION_TRAINING);
    const output = await evaluate(snails(), deps({ GATE_BASELINE_MARGIN: '0.75' }).deps);
    expect(output.gate).toMatchObject({
      passed: false,
      threshold: BASELINE_MSE * 0.25,
      rule: { kind: 'baseline', margin: 0.75, marginSource: 'stage' },
      summary: 'mse = 1.3125 does not beat the baseline (predicting the training mean 5: mse = 4.25) by 75 % (must be <= 1.0625; no threshold for family sea-snails)',
    });
  });

  it('takes the run’s margin over the stage’s', async () => {
    putRegressionPairs();
    putTrainingLabels(...REGRESSION_TRAINING);
    const output = await evaluate(snails((i) => (i.run.overrides.gate = { baselineMargin: 0.75 })), deps({ GATE_BASELINE_MARGIN: '0.1' }).deps);
    expect(output.gate).toMatchObject({ passed: false, rule: { margin: 0.75, marginSource: 'upload' } });
  });

  it('works in the score direction too (r2: the mean scores below 0 on the test rows)', async () => {
    putRegressionPairs();
    putTrainingLabels(...REGRESSION_TRAINING);
    const output = await evaluate(snails(), deps({ GATE_METRIC: 'r2' }).deps);
    const baseline = 1 - 17 / 14.75;
    expect(output.gate).toMatchObject({ metric: 'r2', direction: 'gte', value: REGRESSION.r2, passed: true, rule: { baseline: { value: baseline } } });
    expect(output.gate.threshold).toBeCloseTo(baseline + 0.1 * (1 - baseline), 12);
    expect(output.gate.summary).toBe('r2 = 0.644068 beats the baseline (predicting the training mean 5: r2 = -0.152542) by 69.1 %, at least 10 % (must be >= -0.0372881; no threshold for family sea-snails)');
  });

  it("judges the sample family by the baseline on a metric its stage threshold is not for", async () => {
    putRegressionPairs();
    putTrainingLabels(...REGRESSION_TRAINING);
    const output = await evaluate(sampleInput((i) => (i.run.overrides.gate = { metric: 'mae' })), deps().deps);
    expect(output.gate).toMatchObject({
      metric: 'mae',
      passed: true,
      rule: { kind: 'baseline', reason: "the upload names mae without a threshold, and the stage's threshold for family abalone is for mse" },
      summary: 'mae = 0.875 beats the baseline (predicting the training mean 5: mae = 1.75) by 50 %, at least 10 % (must be <= 1.575; no threshold for mae)',
    });
  });

  it('does not read the training channel when the dataset has a threshold', async () => {
    putRegressionPairs();
    putTrainingLabels(...REGRESSION_TRAINING);
    await evaluate(sampleInput(), deps().deps);
    await evaluate(snails((i) => (i.run.overrides.gate = { threshold: 2 })), deps().deps);
    expect(s3Mock.commandCalls(GetObjectCommand).filter((c) => c.args[0].input.Key!.startsWith(TRAIN))).toEqual([]);
    expect(s3Mock.commandCalls(ListObjectsV2Command).filter((c) => c.args[0].input.Prefix === TRAIN)).toEqual([]);
  });

  it('then compares with the champion, scored on the same rows (the baseline is scored once, with the challenger)', async () => {
    putRegressionPairs();
    putTrainingLabels(...REGRESSION_TRAINING);
    bucket.putChunks(`${RUN}champion-predictions/test.csv.out`, '3,3\n5,4\n2,2\n7,7\n');
    const input = snails((i) => {
      i.batch.champion = {
        endpointName: 'mlops-test-sea-snails',
        endpointConfigName: 'mlops-test-sea-snails-v1',
        modelName: 'mlops-test-sea-snails-v1',
        modelVersion: { arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-test-sea-snails/1', group: 'mlops-test-sea-snails', version: 1 },
        transformJobName: 'mlops-test-sea-snails-champion',
        transformOutput: `s3://${BUCKET}/${RUN}champion-predictions/`,
      };
    });
    const output = await evaluate(input, deps().deps);
    expect(output.gate).toMatchObject({
      passed: false,
      rule: { kind: 'baseline', baseline: { value: BASELINE_MSE } },
      summary: 'mse 1.31 (challenger) is worse than 0.25 (champion, sea-snails v1)',
      champion: { label: 'sea-snails v1', value: 0.25, passed: false },
    });
  });

  it('takes the lowest class index when classes tie for the majority', async () => {
    putClassificationPairs();
    putTrainingLabels(['1,0\n2,0\n', '1,0\n2,0\n0,0\n']);
    const output = await evaluate(classificationInput(), deps().deps);
    expect(output.gate.rule).toMatchObject({ kind: 'baseline', baseline: { predicts: 'majority-class', prediction: 1, label: 'bee', trainingRows: 5 } });
    // bee for all 10 rows: 3 right (accuracy 0.3, as cat's), bee's f1 2·0.3/1.3 over 3 classes.
    expect(output.gate.rule).toMatchObject({ baseline: { value: expect.closeTo(2 / 13, 12) } });
  });

  it('fails a classification model that does not beat the majority class by the margin', async () => {
    putClassificationPairs();
    putTrainingLabels(...CLASSIFICATION_TRAINING);
    const output = await evaluate(classificationInput({ metric: 'accuracy' }), deps({ GATE_BASELINE_MARGIN: '0.5' }).deps);
    expect(output.gate).toMatchObject({
      metric: 'accuracy',
      passed: false,
      summary: "accuracy = 0.5 does not beat the baseline (predicting the majority class 'cat': accuracy = 0.3) by 50 % (must be >= 0.65; no threshold for family iris)",
    });
    expect(output.gate.threshold).toBeCloseTo(0.65, 12);
  });

  describe('a training channel it cannot use', () => {
    it.each([
      ['a label that is not a number', snails(), ['4,1\n', 'x,2\n'], `${TRAIN_URI}part-0.csv line 2: the label is not a number in 'x,2'`],
      ['an empty label', snails(), ['4,1\n,2\n'], `${TRAIN_URI}part-0.csv line 2: the label is not a number in ',2'`],
      ['a class index out of range', classificationInput(), ['0,1\n3,1\n'], `${TRAIN_URI}part-0.csv line 2: label 3 is not a class index in [0, 2]`],
      ['a fractional class index', classificationInput(), ['0.5,1\n'], `${TRAIN_URI}part-0.csv line 1: label 0.5 is not a class index in [0, 2]`],
    ])('%s is a DatasetError naming the object and line', async (_name, input, chunks, message) => {
      bucket.putChunks(`${PREDICTIONS}test.csv.out`, '0,0\n');
      putTrainingLabels(chunks);
      const error = await evaluate(input, deps().deps).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetError);
      expect((error as Error).message).toBe(message);
      expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 0);
    });

    it('no rows is a DatasetError saying what needed them', async () => {
      putRegressionPairs();
      putTrainingLabels(['\n', '\r\n']);
      await expect(evaluate(snails(), deps().deps)).rejects.toThrow(new DatasetError(`the training channel under ${TRAIN_URI} has no rows: the gate's baseline needs its labels`));
    });

    it('a transient S3 error while reading it is S3TransientError, which the state machine retries', async () => {
      putRegressionPairs();
      putTrainingLabels(...REGRESSION_TRAINING);
      const slowDown = Object.assign(new Error('SlowDown from S3'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
      s3Mock.on(GetObjectCommand, { Key: `${TRAIN}part-1.csv` }).rejects(slowDown);
      const thrown = await evaluate(snails(), deps().deps).catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(S3TransientError);
      expect((thrown as Error).message).toBe(`reading the training labels under ${TRAIN_URI} failed transiently: SlowDown: SlowDown from S3`);
    });
  });
});

describe('bad transform output', () => {
  const uri = `s3://${BUCKET}/${PREDICTIONS}test.csv.out`;
  it.each([
    ['3,2.5\n4,abc\n', `${uri} line 2: the prediction is not a number in '4,abc'`],
    ['3,2.5\n\nseven,7\n', `${uri} line 3: the label is not a number in 'seven,7'`],
    ['3,2.5\n4\n', `${uri} line 2: expected "label,prediction", got '4'`],
    ['3,\n', `${uri} line 1: the prediction is not a number in '3,'`],
    ['3,Infinity\n', `${uri} line 1: the prediction is not a number in '3,Infinity'`],
  ])('names the object and line of %j', async (body, message) => {
    bucket.putChunks(`${PREDICTIONS}test.csv.out`, body);
    const error = await evaluate(sampleInput(), deps().deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toBe(message);
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 0);
  });

  it('names the line of a label that is no class index', async () => {
    bucket.putChunks(`${PREDICTIONS}test.csv.out`, '0,0\n3,1\n');
    const error = await evaluate(classificationInput({ metric: 'accuracy', threshold: 0.5 }), deps().deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toBe(`${uri} line 2: label 3 is not a class index in [0, 2]`);
  });

  it('fails when there are no .out objects', async () => {
    bucket.putChunks(`${PREDICTIONS}_SUCCESS`, '');
    await expect(evaluate(sampleInput(), deps().deps)).rejects.toThrow(
      new DatasetError(`no .out objects under s3://${BUCKET}/${PREDICTIONS}: the batch transform wrote no predictions`),
    );
  });

  it('fails when the .out objects hold no rows', async () => {
    bucket.putChunks(`${PREDICTIONS}a.csv.out`).putChunks(`${PREDICTIONS}b.csv.out`, '\n', '\r\n');
    await expect(evaluate(sampleInput(), deps().deps)).rejects.toThrow(
      new DatasetError(`the transform output under s3://${BUCKET}/${PREDICTIONS} has no rows (2 empty .out objects)`),
    );
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 0);
  });
});

describe('transient S3 failures', () => {
  const s3Error = (name: string, status: number) => Object.assign(new Error(`${name} from S3`), { name, $metadata: { httpStatusCode: status } });

  it.each([
    ['SlowDown on GetObject', 'get', s3Error('SlowDown', 503)],
    ['InternalError on ListObjectsV2', 'list', s3Error('InternalError', 500)],
  ] as const)('%s becomes S3TransientError, which the state machine retries', async (_name, operation, error) => {
    putRegressionPairs();
    if (operation === 'get') s3Mock.on(GetObjectCommand).rejects(error);
    else s3Mock.on(ListObjectsV2Command).rejects(error);
    const thrown = await evaluate(sampleInput(), deps().deps).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(S3TransientError);
    expect((thrown as Error).message).toBe(`reading the predictions under s3://${BUCKET}/${PREDICTIONS} failed transiently: ${error.name}: ${error.message}`);
    expect((thrown as Error).cause).toBe(error);
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 0);
  });

  it('a connection reset in the middle of a body becomes S3TransientError', async () => {
    putRegressionPairs();
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    async function* dropped() {
      yield Buffer.from('3,2.5\n5,5\n');
      throw reset;
    }
    s3Mock.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(Readable.from(dropped())) });
    const thrown = await evaluate(sampleInput(), deps().deps).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(S3TransientError);
    expect((thrown as Error).cause).toBe(reset);
  });

  it('a failed report write becomes S3TransientError too', async () => {
    putRegressionPairs();
    s3Mock.on(PutObjectCommand).rejects(s3Error('ServiceUnavailable', 503));
    const thrown = await evaluate(sampleInput(), deps().deps).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(S3TransientError);
    expect((thrown as Error).message).toBe(`writing s3://${BUCKET}/${REPORT} failed transiently: ServiceUnavailable: ServiceUnavailable from S3`);
  });

  it.each([
    ['AccessDenied', 403],
    ['NoSuchBucket', 404],
  ])('%s is not transient and comes out as it is', async (name, status) => {
    putRegressionPairs();
    const error = s3Error(name, status);
    s3Mock.on(ListObjectsV2Command).rejects(error);
    await expect(evaluate(sampleInput(), deps().deps)).rejects.toBe(error);
  });
});

describe('with a champion (the family endpoint’s model, transformed over the same rows)', () => {
  const CHAMPION_PREDICTIONS = `${RUN}champion-predictions/`;
  const V3 = { arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-test-abalone/3', group: 'mlops-test-abalone', version: 3 };
  /** The champion of the sample run, its predictions under champion-predictions/. */
  /** `null`: a champion deployed before the registry, without a version. */
  function withChampion(modelVersion: typeof V3 | null = V3): EvalInput {
    return sampleInput((input) => {
      input.batch.champion = {
        endpointName: 'mlops-test-abalone',
        endpointConfigName: 'mlops-test-abalone-v3',
        modelName: 'mlops-test-abalone-v3',
        ...(modelVersion ? { modelVersion } : {}),
        transformJobName: 'mlops-test-abalone-7aa1b19755-champion',
        transformOutput: `s3://${BUCKET}/${CHAMPION_PREDICTIONS}`,
      };
    });
  }
  /** The same labels as putRegressionPairs, predicted better: errors 0, 1, 0, 0. */
  function putChampionPairs(lines = '3,3\n5,4\n2,2\n7,7\n'): void {
    bucket.putChunks(`${CHAMPION_PREDICTIONS}test.csv.out`, lines);
  }
  const CHAMPION = { mse: 0.25, rmse: 0.5, mae: 0.25, r2: 1 - 1 / 14.75 };

  it('scores both on the same rows and judges the challenger against the champion', async () => {
    putRegressionPairs();
    putChampionPairs();
    const output = await evaluate(withChampion(), deps().deps);

    expect(output).toEqual({
      problemType: 'regression',
      rows: 4,
      metrics: REGRESSION,
      champion: { label: 'abalone v3', metrics: CHAMPION },
      gate: {
        metric: 'mse',
        threshold: 6,
        direction: 'lte',
        value: 1.3125,
        passed: false,
        rule: { kind: 'threshold', source: 'stage', reason: 'the stage sets a threshold for family abalone (gateThresholds)' },
        summary: 'mse 1.31 (challenger) is worse than 0.25 (champion, abalone v3)',
        champion: { label: 'abalone v3', value: 0.25, tolerance: 0, passed: false },
      },
      reportUri: `s3://${BUCKET}/${REPORT}`,
    });
    const read = s3Mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key);
    expect(read).toEqual([`${PREDICTIONS}test.csv.out`, `${PREDICTIONS}test2.csv.out`, `${CHAMPION_PREDICTIONS}test.csv.out`]);
  });

  it('passes a challenger within the stage’s tolerance of the champion', async () => {
    putRegressionPairs();
    putChampionPairs();
    const output = await evaluate(withChampion(), deps({ GATE_TOLERANCE: '1.1' }).deps);
    expect(output.gate).toMatchObject({
      passed: true,
      summary: 'mse = 1.3125 meets the threshold 6 (must be <= 6; set by the stage for family abalone), and mse 1.31 (challenger) is not worse than 0.25 (champion, abalone v3) by more than the tolerance 1.1',
      champion: { label: 'abalone v3', value: 0.25, tolerance: 1.1, passed: true },
    });
  });

  it('takes the upload’s tolerance over the stage’s', async () => {
    putRegressionPairs();
    putChampionPairs();
    const input = withChampion();
    input.run.overrides.gate = { tolerance: 1.1 };
    const output = await evaluate(input, deps({ GATE_TOLERANCE: '0' }).deps);
    expect(output.gate).toMatchObject({ passed: true, champion: { tolerance: 1.1, passed: true } });
  });

  it('puts the champion’s metrics, version, output and sample in the report', async () => {
    putRegressionPairs();
    putChampionPairs();
    await evaluate(withChampion(), deps().deps);
    const written = report();
    expect(written.metrics).toEqual(REGRESSION);
    expect(written.champion).toMatchObject({
      label: 'abalone v3',
      modelVersion: V3,
      metrics: CHAMPION,
      transformOutput: `s3://${BUCKET}/${CHAMPION_PREDICTIONS}`,
    });
    expect(written.champion!.sample).toEqual(
      expect.arrayContaining([
        { actual: 3, predicted: 3 },
        { actual: 5, predicted: 4 },
        { actual: 2, predicted: 2 },
        { actual: 7, predicted: 7 },
      ]),
    );
    expect(written.champion!.sample).toHaveLength(4);
    expect(written.champion!.residualHistogram!.reduce((sum, bin) => sum + bin.count, 0)).toBe(4);
    // The challenger's own sample is still the challenger's.
    expect(written.sample).toContainEqual({ actual: 2, predicted: 4 });
    expect(written.gate.champion).toEqual({ label: 'abalone v3', value: 0.25, tolerance: 0, passed: false });
  });

  it('labels a champion without a version as unregistered', async () => {
    putRegressionPairs();
    putChampionPairs();
    const output = await evaluate(withChampion(null), deps().deps);
    expect(output.champion!.label).toBe('abalone (unregistered)');
    expect(output.gate.summary).toBe('mse 1.31 (challenger) is worse than 0.25 (champion, abalone (unregistered))');
    expect(report().champion!.modelVersion).toBeUndefined();
  });

  it('fails with a DatasetError when the two did not predict the same number of rows, writing no report', async () => {
    putRegressionPairs();
    putChampionPairs('3,3\n5,4\n2,2\n');
    const error = await evaluate(withChampion(), deps().deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toBe('the champion (abalone v3) predicted 3 rows and the challenger 4: they must score the same test rows');
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 0);
  });

  it('fails with a DatasetError when the champion’s transform wrote nothing', async () => {
    putRegressionPairs();
    const error = await evaluate(withChampion(), deps().deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as Error).message).toBe(`no .out objects under s3://${BUCKET}/${CHAMPION_PREDICTIONS}: the batch transform wrote no predictions`);
  });

  it('judges classification in the metric’s direction (higher is better)', async () => {
    putClassificationPairs();
    // The champion predicts every class right: f1_macro 1.
    bucket.putChunks(`${CHAMPION_PREDICTIONS}test.csv.out`, '0,0\n0,0\n0,0\n1,1\n1,1\n2,2\n2,2\n2,2\n1,1\n0,0\n');
    const input = withChampion();
    input.run.family = 'iris';
    input.run.task = { problemType: 'classification', target: 'species', classes: ['ant', 'bee', 'cat'] };
    const output = await evaluate(input, deps({ GATE_THRESHOLDS: '{"iris":{"metric":"f1_macro","threshold":0.5}}' }).deps);
    expect(output.champion!.metrics.f1_macro).toBe(1);
    expect(output.gate).toMatchObject({ metric: 'f1_macro', direction: 'gte', passed: false, summary: 'f1_macro 0.514 (challenger) is worse than 1 (champion, iris v3)' });
    expect(report().champion!.confusionMatrix!.matrix).toEqual([
      [4, 0, 0],
      [0, 3, 0],
      [0, 0, 3],
    ]);
  });
});

