/**
 * mlops_eval: scores the batch transform's predictions of the test channel, writes the
 * evaluation report next to the run, publishes the metrics, and applies the quality gate
 * (the state machine's QualityGate Choice reads `gate.passed`).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DatasetError, InputValidationError, gateSummary, joinKey, parseS3Uri, s3Uri, withS3TransientAsRetryable, type EvalConfig, type EvalInput, type EvaluationReport, type EvalOutput, type GateResult } from '@mlops/common';
import { logger, type metrics as powertoolsMetrics } from '@mlops/common/lambda';
import { resolveGate } from './gate';
import { listOutputObjects, streamPairs } from './predictions';
import { ClassificationScorer, RegressionScorer, type Scorer } from './scorers';

export type MetricsSink = Pick<typeof powertoolsMetrics, 'addDimension' | 'addMetric' | 'addMetadata' | 'publishStoredMetrics'>;

export interface EvalDeps {
  s3: S3Client;
  config: EvalConfig;
  metrics: MetricsSink;
  now?: () => Date;
}

function scorerFor(input: EvalInput): Scorer {
  const { task } = input.run;
  if (task.problemType === 'regression') return new RegressionScorer();
  if (!task.classes) throw new InputValidationError('mlops_eval input', [{ path: 'run.task.classes', message: 'is required for a classification run' }]);
  return new ClassificationScorer(task.classes);
}

async function scorePredictions(s3: S3Client, transformOutput: string, scorer: Scorer): Promise<{ perObject: EvaluationReport['objects']; rows: number }> {
  const objects = await listOutputObjects(s3, transformOutput);
  if (objects.length === 0) throw new DatasetError(`no .out objects under ${transformOutput}: the batch transform wrote no predictions`);
  const perObject: EvaluationReport['objects'] = [];
  let rows = 0;
  for (const object of objects) {
    const count = await streamPairs(s3, object, (actual, predicted) => scorer.add(actual, predicted));
    perObject.push({ uri: s3Uri(object.bucket, object.key), rows: count });
    rows += count;
  }
  if (rows === 0) throw new DatasetError(`the transform output under ${transformOutput} has no rows (${objects.length} empty .out objects)`);
  return { perObject, rows };
}

export async function evaluate(input: EvalInput, deps: EvalDeps): Promise<EvalOutput> {
  const { run, transformOutput } = input;
  const { s3, config } = deps;
  // Both checks come before any S3 call: a bad gate or input should not cost a full read.
  const gate = resolveGate(run, config);
  const scorer = scorerFor(input);

  // A retry (S3TransientError) starts over with a fresh scorer: nothing read so far is counted twice.
  const { perObject, rows } = await withS3TransientAsRetryable(`reading the predictions under ${transformOutput}`, () => scorePredictions(s3, transformOutput, scorer));

  const metrics = scorer.metrics() as Record<string, number>;
  // resolveGate admits only metrics of the run's problem type, which the scorer computes.
  const value = metrics[gate.metric]!;
  const result: GateResult = { ...gate, value, ...gateSummary(gate.metric, value, gate.threshold, gate.direction) };

  const location = parseS3Uri(run.runPrefix);
  const reportKey = joinKey(location.key, 'evaluation/report.json');
  const report: EvaluationReport = {
    runId: run.runId,
    problemType: run.task.problemType,
    rows,
    metrics,
    gate: result,
    ...scorer.report(),
    transformOutput,
    objects: perObject,
    createdAt: (deps.now ?? (() => new Date()))().toISOString(),
  };
  await withS3TransientAsRetryable(`writing ${s3Uri(location.bucket, reportKey)}`, () =>
    s3.send(new PutObjectCommand({ Bucket: location.bucket, Key: reportKey, Body: JSON.stringify(report, null, 2), ContentType: 'application/json' })),
  );

  deps.metrics.addDimension('stage', config.STAGE);
  deps.metrics.addMetadata('runId', run.runId);
  for (const [name, metricValue] of Object.entries(metrics)) deps.metrics.addMetric(name, 'None', metricValue);
  deps.metrics.addMetric('rows', 'Count', rows);
  deps.metrics.addMetric('gate_passed', 'Count', result.passed ? 1 : 0);
  deps.metrics.publishStoredMetrics();

  logger.info('evaluated', { runId: run.runId, rows, metrics, gate: result.summary, passed: result.passed });
  return { problemType: run.task.problemType, rows, metrics, gate: result, reportUri: s3Uri(location.bucket, reportKey) };
}
