/**
 * The built-in XGBoost 1.7-1 offline (offline/sagemaker-xgboost) against real XGBoost 1.7.4: the
 * committed references (Python xgboost 1.7.4, offline/sagemaker-xgboost/test/fixtures/make-reference.py)
 * on the same data, hyperparameters and split, plus the training time and prediction throughput.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvRecords, pyRepr, train } from '@mlops/sagemaker-xgboost';
import { ROOT } from '../lib/paths';
import { median } from '../lib/stats';

const FIXTURES = join(ROOT, 'offline/sagemaker-xgboost/test/fixtures');
const fixture = (name: string) => join(FIXTURES, name);

interface Reference {
  hyperparameters: Record<string, string>;
  modelSha256: string;
  testPredictions: string[];
  testMse?: number;
  testAccuracy?: number;
}

export interface XGBoostCase {
  dataset: 'abalone' | 'iris';
  trainRows: number;
  rounds: number;
  trainMs: number;
  modelIdentical: boolean;
  predictionsIdentical: number;
  testRows: number;
  /** Regression: test MSE here and in the reference; classification: accuracy. */
  metric: { name: 'mse' | 'accuracy'; value: number; reference: number };
}

export interface XGBoostBenchResult {
  cases: XGBoostCase[];
  predict: { rows: number; ms: number; rowsPerSecond: number };
}

function testSet(name: string) {
  const lines = readFileSync(fixture(`${name}-test.csv`), 'utf8').trim().split('\n');
  const labels = lines.map((line) => Number(line.split(',')[0]));
  const { rows, columns } = parseCsvRecords(lines.map((line) => line.slice(line.indexOf(',') + 1)).join('\n'));
  return { labels, rows, columns };
}

export async function runXGBoostBench({ runs, log }: { runs: number; log: (line: string) => void }): Promise<XGBoostBenchResult> {
  const references = JSON.parse(readFileSync(fixture('reference.json'), 'utf8')) as Record<'abalone' | 'iris', Reference>;
  const cases: XGBoostCase[] = [];
  let abaloneModel: ReturnType<typeof train>['model'] | undefined;
  for (const dataset of ['abalone', 'iris'] as const) {
    const reference = references[dataset];
    const times: number[] = [];
    let result!: ReturnType<typeof train>;
    for (let i = 0; i < runs; i++) {
      if (result) result.model.free();
      const started = performance.now();
      result = train(reference.hyperparameters, { train: [fixture(`${dataset}-train.csv`)], validation: [fixture(`${dataset}-validation.csv`)] });
      times.push(performance.now() - started);
    }
    const { labels, rows, columns } = testSet(dataset);
    const predictions = result.model.predict(rows, columns) as number[];
    const identical = predictions.filter((p, i) => pyRepr(p) === reference.testPredictions[i]).length;
    const metric =
      dataset === 'abalone'
        ? { name: 'mse' as const, value: predictions.reduce((s, p, i) => s + (p - labels[i]!) ** 2, 0) / labels.length, reference: reference.testMse! }
        : { name: 'accuracy' as const, value: predictions.filter((p, i) => p === labels[i]).length / labels.length, reference: reference.testAccuracy! };
    const sha = createHash('sha256').update(result.model.toBuffer()).digest('hex');
    cases.push({
      dataset,
      trainRows: readFileSync(fixture(`${dataset}-train.csv`), 'utf8').trim().split('\n').length,
      rounds: Number(reference.hyperparameters.num_round),
      trainMs: median(times),
      modelIdentical: sha === reference.modelSha256,
      predictionsIdentical: identical,
      testRows: labels.length,
      metric,
    });
    log(`${dataset}: ${median(times).toFixed(0)} ms, ${metric.name} ${metric.value} (reference ${metric.reference}), ${identical}/${labels.length} predictions identical`);
    if (dataset === 'abalone') abaloneModel = result.model;
    else result.model.free();
  }
  // Throughput: 100,000 abalone rows through the abalone model.
  const { rows, columns } = testSet('abalone');
  const many = Array.from({ length: 100_000 }, (_, i) => rows[i % rows.length]!);
  const started = performance.now();
  abaloneModel!.predict(many, columns);
  const ms = performance.now() - started;
  abaloneModel!.free();
  return { cases, predict: { rows: many.length, ms, rowsPerSecond: many.length / (ms / 1000) } };
}
