/**
 * mlops_eval: scores the challenger's batch predictions of the test channel and, when the family has
 * a live model, the champion's predictions of the same rows; writes the evaluation report next to the
 * run, publishes the metrics, and applies the quality gate (the dataset's threshold, or beating the
 * training-label baseline when it has none; and not worse than the champion: gate.ts). The state
 * machine's QualityGate Choice reads `gate.passed`.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DatasetError, InputValidationError, joinKey, modelLabel, parseS3Uri, s3Uri, withS3TransientAsRetryable, type EvalConfig, type EvalInput, type EvaluationReport, type EvalOutput } from '@mlops/common';
import { logger, type metrics as powertoolsMetrics } from '@mlops/common/lambda';
import { BaselineScorer, trainingBaseline, type Baseline } from './baseline';
import { judge, resolveGate } from './gate';
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

async function scorePredictions(s3: S3Client, transformOutput: string, scorer: Scorer, baseline?: BaselineScorer): Promise<{ perObject: EvaluationReport['objects']; rows: number }> {
  const objects = await listOutputObjects(s3, transformOutput);
  if (objects.length === 0) throw new DatasetError(`no .out objects under ${transformOutput}: the batch transform wrote no predictions`);
  const perObject: EvaluationReport['objects'] = [];
  let rows = 0;
  for (const object of objects) {
    const count = await streamPairs(
      s3,
      object,
      baseline
        ? (actual, predicted) => {
            scorer.add(actual, predicted);
            baseline.add(actual);
          }
        : (actual, predicted) => scorer.add(actual, predicted),
    );
    perObject.push({ uri: s3Uri(object.bucket, object.key), rows: count });
    rows += count;
  }
  if (rows === 0) throw new DatasetError(`the transform output under ${transformOutput} has no rows (${objects.length} empty .out objects)`);
  return { perObject, rows };
}

/**
 * Scores one model's predictions, and the baseline's on the same rows when given; a retry
 * (S3TransientError) starts over with fresh scorers, so nothing is counted twice.
 */
async function score(s3: S3Client, input: EvalInput, transformOutput: string, baseline?: Baseline) {
  let scorer = scorerFor(input);
  let baselineScorer: BaselineScorer | undefined;
  const read = await withS3TransientAsRetryable(`reading the predictions under ${transformOutput}`, () => {
    scorer = scorerFor(input);
    baselineScorer = baseline && new BaselineScorer(baseline, input.run.task);
    return scorePredictions(s3, transformOutput, scorer, baselineScorer);
  });
  return { ...read, scorer, metrics: scorer.metrics() as Record<string, number>, baselineMetrics: baselineScorer?.metrics() as Record<string, number> | undefined };
}

export async function evaluate(input: EvalInput, deps: EvalDeps): Promise<EvalOutput> {
  const { run, batch } = input;
  const { transformOutput } = batch;
  const { s3, config } = deps;
  // Both checks come before any S3 call: a bad gate or input should not cost a full read.
  const gate = resolveGate(run, config);
  scorerFor(input);

  // The baseline rule only: the training labels' mean or majority class, scored with the challenger's rows.
  const baseline = gate.rule.kind === 'baseline' ? await trainingBaseline(s3, run.dataset.train, run.task) : undefined;
  const challenger = await score(s3, input, transformOutput, baseline);
  const { perObject, rows, scorer, metrics } = challenger;
  const championOf = batch.champion;
  const champion = championOf && { ...(await score(s3, input, championOf.transformOutput)), label: modelLabel(run.family, championOf.modelVersion) };
  if (champion && champion.rows !== rows) {
    throw new DatasetError(`the champion (${champion.label}) predicted ${champion.rows} rows and the challenger ${rows}: they must score the same test rows`);
  }

  // resolveGate admits only metrics of the run's problem type, which the scorer computes.
  const value = metrics[gate.metric]!;
  const baselineScore = baseline && { ...baseline, value: challenger.baselineMetrics![gate.metric]! };
  const result = judge(gate, value, champion && { label: champion.label, value: champion.metrics[gate.metric]! }, baselineScore);

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
    ...(champion && championOf
      ? { champion: { label: champion.label, ...(championOf.modelVersion ? { modelVersion: championOf.modelVersion } : {}), metrics: champion.metrics, transformOutput: championOf.transformOutput, ...champion.scorer.report() } }
      : {}),
    createdAt: (deps.now ?? (() => new Date()))().toISOString(),
  };
  await withS3TransientAsRetryable(`writing ${s3Uri(location.bucket, reportKey)}`, () =>
    s3.send(new PutObjectCommand({ Bucket: location.bucket, Key: reportKey, Body: JSON.stringify(report, null, 2), ContentType: 'application/json' })),
  );

  deps.metrics.addDimension('stage', config.STAGE);
  deps.metrics.addMetadata('runId', run.runId);
  deps.metrics.addDimension('family', run.family);
  for (const [name, metricValue] of Object.entries(metrics)) deps.metrics.addMetric(name, 'None', metricValue);
  deps.metrics.addMetric('rows', 'Count', rows);
  deps.metrics.addMetric('gate_passed', 'Count', result.passed ? 1 : 0);
  deps.metrics.publishStoredMetrics();

  logger.info('evaluated', { runId: run.runId, rows, metrics, rule: gate.rule.kind, gate: result.summary, passed: result.passed });
  return {
    problemType: run.task.problemType,
    rows,
    metrics,
    ...(champion ? { champion: { label: champion.label, metrics: champion.metrics } } : {}),
    gate: result,
    reportUri: s3Uri(location.bucket, reportKey),
  };
}
