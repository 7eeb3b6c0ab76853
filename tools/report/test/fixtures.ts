import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { EvaluationReportSchema, type EvaluationReport } from '@mlops/common';
import { SchemaDocumentSchema, type SchemaDocument } from '@mlops/mlops_ingest/core';
import type { AslDefinition, RunReport, StepTiming, TrainingSummary } from '../src';

/** An evaluation report.json as mlops_eval writes it (checked against the shared schema). */
export function evaluationReport(fields: Pick<EvaluationReport, 'problemType' | 'metrics' | 'gate'> & Partial<EvaluationReport>): EvaluationReport {
  return EvaluationReportSchema.parse({ runId: 'run-1', rows: 100, sample: [], transformOutput: 's3://bucket/runs/run-1/transform/', objects: [], createdAt: '2025-03-01T12:00:00Z', ...fields });
}

/** The pipeline's real state machine (statemachines/pipeline.asl.yml). */
export function pipelineDefinition(): AslDefinition {
  const file = join(__dirname, '..', '..', '..', 'statemachines', 'pipeline.asl.yml');
  return load(readFileSync(file, 'utf8')) as AslDefinition;
}

function loop(task: string, choice: string, wait: string, polls: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < polls; i++) {
    out.push(task, choice);
    if (i < polls - 1) out.push(wait);
  }
  return out;
}

/** The challenger's branch of the Parallel `Transforms`: a transform polled `polls` times. */
export function challengerBranch(polls = 3): string[] {
  return ['ChallengerPollInit', ...loop('AwaitChallengerTransform', 'ChallengerTransformDone', 'WaitForChallengerTransform', polls), 'ChallengerTransformed'];
}

/** The champion's branch: its transform polled `polls` times, or (0) no champion. */
export function championBranch(polls = 2): string[] {
  if (polls === 0) return ['HasChampion', 'NoChampion'];
  return ['HasChampion', 'ChampionPollInit', ...loop('AwaitChampionTransform', 'ChampionTransformDone', 'WaitForChampionTransform', polls), 'ChampionTransformed'];
}

/** Two branches' events as AWS records them while both run: interleaved, one state each in turn. */
export function interleave(a: string[], b: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(a[i]!);
    if (i < b.length) out.push(b[i]!);
  }
  return out;
}

/**
 * Path of a run that polls training 7 times, transforms the challenger (3 polls) and the champion (2 polls)
 * side by side (`interleaved`: as on AWS; else one branch after the other, as the offline twin records them),
 * passes the gate, registers, deploys and records.
 */
export function succeededPath(options: { interleaved?: boolean; championPolls?: number } = {}): string[] {
  const challenger = challengerBranch(3);
  const champion = championBranch(options.championPolls ?? 2);
  return [
    'Train',
    'TrainingPollInit',
    ...loop('AwaitTraining', 'TrainingDone', 'WaitForTraining', 7),
    'Batch',
    'Transforms',
    ...(options.interleaved === false ? [...challenger, ...champion] : interleave(challenger, champion)),
    'Evaluate',
    'QualityGate',
    'Register',
    'Approval',
    'Deploy',
    'RecordRun',
    'Outcome',
    'Deployed',
  ];
}

export function stepsFor(definition: AslDefinition, path: string[], start = Date.parse('2025-03-01T10:00:00Z')): StepTiming[] {
  const steps = new Map<string, StepTiming>();
  let t = start;
  for (const s of path) {
    const type = definition.States[s]?.Type ?? 'Task';
    const ms = type === 'Wait' ? 1500 : type === 'Task' ? (s === 'Evaluate' ? 2400 : 350) : 4;
    const cur = steps.get(s) ?? { state: s, type, entries: 0, totalMs: 0, firstEnteredAt: new Date(t).toISOString() };
    cur.entries++;
    cur.totalMs += ms;
    steps.set(s, cur);
    t += ms;
  }
  return [...steps.values()];
}

/** A deterministic pseudo-random sequence (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPLIT = { ratios: [70, 15, 15], seed: 42, hash: 'murmur3_x86_32/utf16le', edges: [3006477107, 3650722201], stratified: false };

/** The abalone sample's data/schema.json as mlops_ingest writes it (docs/ENDPOINT.md), checked against its schema. */
export function abaloneSchema(): SchemaDocument {
  const numeric = (name: string, index: number, mean: number) => ({ name, index, role: 'feature', type: 'numeric', mean, outputColumns: [name] });
  return SchemaDocumentSchema.parse({
    version: 1,
    source: { bucket: 'mlops-local-data', key: 'incoming/abalone.csv', etag: '"abc"' },
    header: true,
    columns: [
      { name: 'sex', index: 0, role: 'feature', type: 'categorical', categories: ['F', 'I', 'M'], outputColumns: ['sex_F', 'sex_I', 'sex_M'] },
      numeric('length', 1, 0.523992099593009),
      numeric('diameter', 2, 0.4078812544888676),
      numeric('height', 3, 0.1395163993296624),
      numeric('whole_weight', 4, 0.8287421594445771),
      numeric('shucked_weight', 5, 0.3593674886282016),
      numeric('viscera_weight', 6, 0.1805936078525254),
      numeric('shell_weight', 7, 0.2388308588700017),
      { name: 'rings', index: 8, role: 'label', type: 'numeric', outputColumns: ['rings'] },
    ],
    label: { name: 'rings', index: 8, problemType: 'regression' },
    featureCount: 10,
    rows: { train: 2924, validation: 626, test: 627 },
    split: SPLIT,
  });
}

/** Iris: four numeric features, the species the classes (the label's categories are the classes). */
export function irisSchema(): SchemaDocument {
  const names = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
  const means = [5.84, 3.06, 3.76, 1.2];
  return SchemaDocumentSchema.parse({
    version: 1,
    source: { bucket: 'mlops-local-data', key: 'incoming/iris.csv', etag: '"i"' },
    header: true,
    columns: [
      ...names.map((name, index) => ({ name, index, role: 'feature', type: 'numeric', mean: means[index], outputColumns: [name] })),
      { name: 'species', index: 4, role: 'label', type: 'categorical', categories: ['setosa', 'versicolor', 'virginica'], outputColumns: ['species'] },
    ],
    label: { name: 'species', index: 4, problemType: 'classification', classes: ['setosa', 'versicolor', 'virginica'] },
    featureCount: 4,
    rows: { train: 105, validation: 22, test: 23 },
    split: { ratios: [0.7, 0.15, 0.15], seed: 7, hash: 'murmur3_x86_32/utf16le', stratified: true, stratifiedBy: 'species', strata: [] },
  });
}

/**
 * A synthetic wide dataset: `columns` source columns, the label first, then numeric features and every tenth
 * one categorical (three categories), so it encodes to more model features than it has columns.
 */
export function wideSchema(columns = 200): SchemaDocument {
  const features = Array.from({ length: columns - 1 }, (_, i) => {
    const index = i + 1;
    const name = `f${String(index).padStart(3, '0')}`;
    if (index % 10 === 0) return { name, index, role: 'feature', type: 'categorical', categories: ['a', 'b', 'c'], outputColumns: [`${name}_a`, `${name}_b`, `${name}_c`] };
    return { name, index, role: 'feature', type: 'numeric', mean: index / 4, outputColumns: [name] };
  });
  const featureCount = features.reduce((n, f) => n + f.outputColumns.length, 0);
  return SchemaDocumentSchema.parse({
    version: 1,
    source: { bucket: 'mlops-local-data', key: 'incoming/wide.csv', etag: '"w"' },
    header: true,
    columns: [{ name: 'target', index: 0, role: 'label', type: 'numeric', outputColumns: ['target'] }, ...features],
    label: { name: 'target', index: 0, problemType: 'regression' },
    featureCount,
    rows: { train: 700, validation: 150, test: 150 },
    split: SPLIT,
  });
}

/** The abalone training job as DescribeTrainingJob shows it: the stage's hyperparameters, one overridden by the run. */
export function trainingSummary(): TrainingSummary {
  return {
    jobName: 'mlops-local-abalone-1a2b3c4d5e-train',
    image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    hyperparameters: [
      { name: 'eta', value: '0.2', source: 'stage' },
      { name: 'gamma', value: '4', source: 'stage' },
      { name: 'max_depth', value: '8', source: 'run', stageValue: '5' },
      { name: 'min_child_weight', value: '6', source: 'stage' },
      { name: 'num_round', value: '50', source: 'stage' },
      { name: 'objective', value: 'reg:squarederror', source: 'stage' },
      { name: 'subsample', value: '0.7', source: 'stage' },
    ],
    finalMetrics: [
      { name: 'train:rmse', value: 1.70312 },
      { name: 'validation:rmse', value: 2.15704 },
    ],
  };
}

export function regressionReport(): RunReport {
  const definition = pipelineDefinition();
  const path = succeededPath();
  const r = rng(42);
  const points = Array.from({ length: 300 }, () => {
    const actual = Math.round(3 + r() * 20);
    const predicted = actual * 0.82 + 1.8 + (r() - 0.5) * 5;
    return { actual, predicted: Number(predicted.toFixed(3)) };
  });
  // The champion on the same rows: a little worse.
  const championPoints = points.map((p) => ({ actual: p.actual, predicted: Number((p.actual * 0.78 + 2.3 + (r() - 0.5) * 6).toFixed(3)) }));
  return {
    title: 'abalone-1a2b3c4d5e — SUCCEEDED',
    generatedAt: '2025-03-01T10:04:12.000Z',
    execution: {
      name: 'abalone-1a2b3c4d5e',
      arn: 'arn:aws:states:us-east-1:000000000000:execution:mlops-pipeline-local:abalone-1a2b3c4d5e',
      status: 'SUCCEEDED',
      startedAt: '2025-03-01T10:00:00.000Z',
      stoppedAt: '2025-03-01T10:04:10.500Z',
      wallSeconds: 250.5,
      virtualSeconds: 2 * 3600 + 14 * 60 + 30,
    },
    dataset: {
      source: 's3://mlops-data-local/uploads/abalone.csv',
      rows: { train: 2923, validation: 627, test: 627 },
      featureCount: 10,
      problemType: 'regression',
      target: 'rings',
    },
    schema: abaloneSchema(),
    training: trainingSummary(),
    definition,
    path,
    steps: stepsFor(definition, path),
    jobs: [
      {
        kind: 'training',
        name: 'abalone-1a2b3c4d5e-train',
        status: 'Completed',
        polls: 7,
        seconds: 5400,
        transitions: [
          { status: 'Starting', start: '2025-03-01T10:00:01Z', end: '2025-03-01T10:10:00Z', message: 'Preparing the instances for training' },
          { status: 'Downloading', start: '2025-03-01T10:10:00Z', end: '2025-03-01T10:15:00Z' },
          { status: 'Training', start: '2025-03-01T10:15:00Z', end: '2025-03-01T11:25:00Z' },
          { status: 'Uploading', start: '2025-03-01T11:25:00Z', end: '2025-03-01T11:30:00Z' },
          { status: 'Completed', start: '2025-03-01T11:30:00Z', end: '2025-03-01T11:30:01Z', message: 'Training job completed' },
        ],
      },
      { kind: 'transform', role: 'challenger', name: 'abalone-1a2b3c4d5e-transform', status: 'Completed', polls: 3, seconds: 1260 },
      { kind: 'transform', role: 'champion', name: 'abalone-1a2b3c4d5e-champion', status: 'Completed', polls: 2, seconds: 900 },
      {
        kind: 'endpoint',
        name: 'mlops-abalone',
        status: 'InService',
        polls: 4,
        seconds: 540,
        transitions: [
          { status: 'Creating', start: '2025-03-01T12:00:00Z', end: '2025-03-01T12:09:00Z' },
          { status: 'InService', start: '2025-03-01T12:09:00Z' },
        ],
      },
    ],
    evaluation: evaluationReport({
      problemType: 'regression',
      metrics: { mse: 4.812, rmse: 2.1936, mae: 1.6402, r2: 0.5387 },
      gate: {
        metric: 'mse',
        threshold: 6,
        direction: 'lte',
        value: 4.812,
        passed: true,
        summary: 'mse 4.812 (challenger) meets the threshold 6 and is not worse than 5.377 (champion, abalone v3)',
        rule: { kind: 'threshold', source: 'stage', reason: 'the stage sets a threshold for family abalone (gateThresholds)' },
        champion: { label: 'abalone v3', value: 5.377, tolerance: 0, passed: true },
      },
      sample: points,
      champion: {
        label: 'abalone v3',
        modelVersion: { arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/3', group: 'mlops-local-abalone', version: 3 },
        metrics: { mse: 5.377, rmse: 2.3188, mae: 1.7911, r2: 0.4846 },
        transformOutput: 's3://bucket/runs/run-1/champion-transform/',
        sample: championPoints,
      },
    }),
    model: { label: 'abalone v4', arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/4', group: 'mlops-local-abalone', version: 4, approvalStatus: 'Approved' },
    deployment: {
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-deploy:abalone-1a2b3c4d5e-v4',
      status: 'SUCCEEDED',
      model: 'abalone v4',
      endpointName: 'mlops-local-abalone',
      endpointConfigName: 'mlops-local-abalone-v4',
      action: 'updated',
      previousConfigName: 'mlops-local-abalone-v3',
    },
    endpoint: {
      name: 'mlops-abalone',
      configName: 'mlops-abalone-1a2b3c4d5e',
      checks: [
        // The test channel's lines without their label: the encoded features (sex one-hot), as sent.
        { features: '0,0,1,0.455,0.365,0.095,0.514,0.2245,0.101,0.15', actual: '15', predicted: '11.84' },
        { features: '1,0,0,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21', actual: '9', predicted: '10.27' },
        { features: '0,1,0,0.33,0.255,0.08,0.205,0.0895,0.0395,0.055', actual: '7', predicted: '6.91' },
      ],
    },
    artifacts: {
      model: 's3://mlops-models-local/abalone-1a2b3c4d5e/output/model.tar.gz',
      transformOutput: 's3://mlops-data-local/transform/abalone-1a2b3c4d5e/',
      report: 's3://mlops-data-local/reports/abalone-1a2b3c4d5e/report.html',
    },
  };
}

/** A family's first model: no champion transform, judged by the threshold alone, created the endpoint. */
export function firstModelReport(): RunReport {
  const base = regressionReport();
  const { champion: _champion, ...evaluation } = base.evaluation!;
  const { champion: _vs, ...gate } = evaluation.gate;
  return {
    ...base,
    path: succeededPath({ championPolls: 0 }),
    steps: stepsFor(base.definition, succeededPath({ championPolls: 0 })),
    jobs: base.jobs.filter((j) => j.role !== 'champion'),
    evaluation: { ...evaluation, gate: { ...gate, summary: 'mse = 4.812 meets the threshold 6 (must be <= 6; set by the stage for family abalone)' } },
    model: { ...base.model!, label: 'abalone v1', version: 1, arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/1' },
    deployment: { ...base.deployment!, model: 'abalone v1', endpointConfigName: 'mlops-local-abalone-v1', action: 'created', previousConfigName: undefined },
  };
}

export function classificationReport(): RunReport {
  const base = regressionReport();
  const classes = ['setosa', 'versicolor', 'virginica'];
  const path = succeededPath();
  return {
    ...base,
    title: 'iris-9f8e7d6c5b — SUCCEEDED',
    execution: { ...base.execution, name: 'iris-9f8e7d6c5b' },
    dataset: { source: 's3://mlops-data-local/uploads/iris.csv', rows: { train: 105, validation: 22, test: 23 }, featureCount: 4, problemType: 'classification', target: 'species', classes },
    schema: irisSchema(),
    training: {
      jobName: 'mlops-local-iris-9f8e7d6c5b-train',
      hyperparameters: [
        { name: 'num_class', value: '3', source: 'pipeline' },
        { name: 'num_round', value: '50', source: 'stage' },
        { name: 'objective', value: 'multi:softmax', source: 'pipeline', stageValue: 'reg:squarederror' },
      ],
      finalMetrics: [
        { name: 'train:mlogloss', value: 0.0623 },
        { name: 'validation:mlogloss', value: 0.1875 },
        { name: 'train:merror', value: 0 },
        { name: 'validation:merror', value: 0.0455 },
      ],
    },
    path,
    evaluation: evaluationReport({
      problemType: 'classification',
      metrics: { accuracy: 0.913, macro_f1: 0.905 },
      gate: { metric: 'accuracy', threshold: 0.85, direction: 'gte', value: 0.913, passed: true, summary: 'accuracy = 0.913 meets the threshold 0.85 (must be >= 0.85)' },
      confusionMatrix: {
        labels: classes,
        matrix: [
          [8, 0, 0],
          [0, 6, 1],
          [0, 1, 7],
        ],
        invalidPredictions: [0, 0, 0],
      },
      champion: {
        label: 'iris v2',
        metrics: { accuracy: 0.826, macro_f1: 0.81 },
        transformOutput: 's3://bucket/runs/run-1/champion-transform/',
        sample: [],
        confusionMatrix: {
          labels: classes,
          matrix: [
            [8, 0, 0],
            [0, 5, 2],
            [0, 2, 6],
          ],
          invalidPredictions: [0, 0, 0],
        },
        perClass: [
          { label: 'setosa', support: 8, predicted: 8, precision: 1, recall: 1, f1: 1 },
          { label: 'versicolor', support: 7, predicted: 7, precision: 0.714, recall: 0.714, f1: 0.714 },
          { label: 'virginica', support: 8, predicted: 8, precision: 0.75, recall: 0.75, f1: 0.75 },
        ],
      },
      perClass: [
        { label: 'setosa', support: 8, predicted: 8, precision: 1, recall: 1, f1: 1 },
        { label: 'versicolor', support: 7, predicted: 7, precision: 0.857, recall: 0.857, f1: 0.857 },
        { label: 'virginica', support: 8, predicted: 8, precision: 0.875, recall: 0.875, f1: 0.875 },
      ],
    }),
    endpoint: {
      name: 'mlops-iris',
      checks: [
        { features: '5.1,3.5,1.4,0.2', actual: 'setosa', predicted: 'setosa' },
        { features: '6.3,2.5,4.9,1.5', actual: 'versicolor', predicted: 'virginica' },
      ],
    },
  };
}

/** A run whose training job failed: no evaluation, no endpoint. The cause carries markup that must be escaped. */
export function failedBeforeEvalReport(): RunReport {
  const definition = pipelineDefinition();
  const path = ['Train', 'TrainingPollInit', 'AwaitTraining', 'TrainingDone', 'WaitForTraining', 'AwaitTraining', 'TrainingDone', 'TrainingFailed', 'RecordRun', 'Outcome', 'PipelineFailed'];
  return {
    title: 'abalone-<b>x</b> — FAILED',
    generatedAt: '2025-03-01T10:01:00.000Z',
    execution: {
      name: 'abalone-deadbeef00',
      arn: 'arn:aws:states:us-east-1:000000000000:execution:mlops-pipeline-local:abalone-deadbeef00',
      status: 'FAILED',
      error: 'TrainingJobFailed',
      cause: 'AlgorithmError: <script>alert("x")</script> column "rings" not found & exit code 1',
      startedAt: '2025-03-01T10:00:00.000Z',
      stoppedAt: '2025-03-01T10:00:40.000Z',
      wallSeconds: 40,
      virtualSeconds: 620,
    },
    dataset: { source: 's3://mlops-data-local/uploads/abalone.csv', rows: { train: 2923, validation: 627, test: 627 }, featureCount: 10, problemType: 'regression', target: 'rings' },
    definition,
    path,
    steps: stepsFor(definition, path),
    jobs: [
      {
        kind: 'training',
        name: 'abalone-deadbeef00-train',
        status: 'Failed',
        polls: 2,
        seconds: 600,
        transitions: [
          { status: 'Starting', start: '2025-03-01T10:00:01Z', end: '2025-03-01T10:05:00Z' },
          { status: 'Failed', start: '2025-03-01T10:05:00Z', end: '2025-03-01T10:05:01Z', message: 'AlgorithmError: <script>alert(1)</script>' },
        ],
      },
    ],
  };
}
