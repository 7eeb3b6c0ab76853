import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { EvaluationReportSchema, type EvaluationReport } from '@mlops/common';
import type { AslDefinition, RunReport, StepTiming } from '../src';

/** An evaluation report.json as mlops_eval writes it (checked against the shared schema). */
export function evaluationReport(fields: Pick<EvaluationReport, 'problemType' | 'metrics' | 'gate'> & Partial<EvaluationReport>): EvaluationReport {
  return EvaluationReportSchema.parse({ runId: 'run-1', rows: 100, sample: [], transformOutput: 's3://bucket/runs/run-1/transform/', objects: [], createdAt: '2025-03-01T12:00:00Z', ...fields });
}

/** The pipeline's real state machine (statemachines/pipeline.asl.yml). */
export function pipelineDefinition(): AslDefinition {
  const file = join(__dirname, '..', '..', '..', 'statemachines', 'pipeline.asl.yml');
  return load(readFileSync(file, 'utf8')) as AslDefinition;
}

/** Path of a run that polls training 7 times, transform 3 times, endpoint 4 times and deploys. */
export function succeededPath(): string[] {
  const loop = (task: string, choice: string, wait: string, polls: number) => {
    const out: string[] = [];
    for (let i = 0; i < polls; i++) {
      out.push(task, choice);
      if (i < polls - 1) out.push(wait);
    }
    return out;
  };
  return [
    'Train',
    'TrainingPollInit',
    ...loop('AwaitTraining', 'TrainingDone', 'WaitForTraining', 7),
    'Batch',
    'TransformPollInit',
    ...loop('AwaitTransform', 'TransformDone', 'WaitForTransform', 3),
    'Evaluate',
    'QualityGate',
    'Deploy',
    'EndpointPollInit',
    ...loop('AwaitEndpoint', 'EndpointDone', 'WaitForEndpoint', 4),
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

export function regressionReport(): RunReport {
  const definition = pipelineDefinition();
  const path = succeededPath();
  const r = rng(42);
  const points = Array.from({ length: 300 }, () => {
    const actual = Math.round(3 + r() * 20);
    const predicted = actual * 0.82 + 1.8 + (r() - 0.5) * 5;
    return { actual, predicted: Number(predicted.toFixed(3)) };
  });
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
      { kind: 'transform', name: 'abalone-1a2b3c4d5e-transform', status: 'Completed', polls: 3, seconds: 1260 },
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
      gate: { metric: 'mse', threshold: 6, direction: 'lte', value: 4.812, passed: true, summary: 'mse = 4.812 meets the threshold 6 (must be <= 6)' },
      sample: points,
    }),
    endpoint: {
      name: 'mlops-abalone',
      configName: 'mlops-abalone-1a2b3c4d5e',
      checks: [
        { features: 'M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15', actual: '15', predicted: '11.84' },
        { features: 'F,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21', actual: '9', predicted: '10.27' },
        { features: 'I,0.33,0.255,0.08,0.205,0.0895,0.0395,0.055', actual: '7', predicted: '6.91' },
      ],
    },
    artifacts: {
      model: 's3://mlops-models-local/abalone-1a2b3c4d5e/output/model.tar.gz',
      transformOutput: 's3://mlops-data-local/transform/abalone-1a2b3c4d5e/',
      report: 's3://mlops-data-local/reports/abalone-1a2b3c4d5e/report.html',
    },
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
  const path = ['Train', 'TrainingPollInit', 'AwaitTraining', 'TrainingDone', 'WaitForTraining', 'AwaitTraining', 'TrainingDone', 'TrainingFailed'];
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
