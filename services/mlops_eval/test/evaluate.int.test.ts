/**
 * mlops_eval against a real S3 implementation (s3rver on loopback): hundreds of thousands of
 * rows in several objects streamed over HTTP, metrics checked against an independent
 * computation in the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { logger } from '@mlops/common/lambda';
import type { EvaluationReport } from '@mlops/common';
import { evaluate } from '../src/evaluate';
import { BUCKET, evalConfig, recordingMetrics, sampleInput } from './helpers';

jest.setTimeout(120_000);

let server: S3rver;
let directory: string;
let s3: S3Client;
const PREDICTIONS = 'runs/abalone-7aa1b19755/predictions/';
const TRAIN = 'runs/abalone-7aa1b19755/data/train/';

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  directory = mkdtempSync(path.join(tmpdir(), 'mlops-eval-s3-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  s3 = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(async () => {
  s3?.destroy();
  await server?.close();
  rmSync(directory, { recursive: true, force: true });
});

/** A small deterministic generator (LCG), so the data is the same on every run. */
function generator(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}

async function putObjects(prefix: string, objects: string[][]): Promise<void> {
  for (const [i, lines] of objects.entries()) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}part-${i}.csv.out`, Body: `${lines.join(i % 2 ? '\r\n' : '\n')}\n` }));
  }
}

const deps = () => ({ s3, config: evalConfig(), metrics: recordingMetrics().sink, now: () => new Date(0) });
const readReport = async (key: string) => JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString()) as EvaluationReport;

describe('mlops_eval with s3rver', () => {
  it('computes regression metrics over 300,000 rows in four objects', async () => {
    const random = generator(1);
    const pairs: [number, number][] = [];
    const objects = Array.from({ length: 4 }, () =>
      Array.from({ length: 75_000 }, () => {
        const actual = 1 + Math.floor(random() * 29);
        const predicted = Number((actual + (random() - 0.5) * 6).toFixed(3));
        pairs.push([actual, predicted]);
        return `${actual},${predicted}`;
      }),
    );
    await putObjects(`${PREDICTIONS}regression/`, objects);

    const output = await evaluate(sampleInput((i) => (i.batch.transformOutput = `s3://${BUCKET}/${PREDICTIONS}regression/`)), deps());

    // Independently: the textbook two-pass formulas.
    const n = pairs.length;
    const mean = pairs.reduce((s, [a]) => s + a, 0) / n;
    const sse = pairs.reduce((s, [a, p]) => s + (p - a) ** 2, 0);
    const sae = pairs.reduce((s, [a, p]) => s + Math.abs(p - a), 0);
    const sst = pairs.reduce((s, [a]) => s + (a - mean) ** 2, 0);
    const close = (value: number, expected: number) => expect(Math.abs(value - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
    expect(output.rows).toBe(300_000);
    close(output.metrics.mse!, sse / n);
    close(output.metrics.rmse!, Math.sqrt(sse / n));
    close(output.metrics.mae!, sae / n);
    close(output.metrics.r2!, 1 - sse / sst);
    expect(output.gate).toMatchObject({ metric: 'mse', threshold: 6, passed: true });

    const report = await readReport('runs/abalone-7aa1b19755/evaluation/report.json');
    expect(report.objects.map((o) => o.rows)).toEqual([75_000, 75_000, 75_000, 75_000]);
    expect(report.residualHistogram!.reduce((s, b) => s + b.count, 0)).toBe(300_000);
    expect(report.sample).toHaveLength(2000);
  });

  it('computes the confusion matrix over 200,000 rows in three objects', async () => {
    const classes = ['Adelie', 'Chinstrap', 'Gentoo', 'Macaroni'];
    const random = generator(2);
    const confusion = classes.map(() => classes.map(() => 0));
    const objects = Array.from({ length: 3 }, (_, o) =>
      Array.from({ length: o === 2 ? 50_000 : 75_000 }, () => {
        const actual = Math.floor(random() * 4);
        const predicted = random() < 0.8 ? actual : Math.floor(random() * 4);
        confusion[actual]![predicted]!++;
        return `${actual},0.5,${predicted}.0`;
      }),
    );
    await putObjects(`${PREDICTIONS}classification/`, objects);

    // A family the stage sets no threshold for: judged against the training channel's majority class,
    // streamed from two objects (Gentoo most frequent), scored on the same test rows.
    const trainingCounts = [0, 0, 0, 0];
    const training = Array.from({ length: 2 }, () =>
      Array.from({ length: 60_000 }, () => {
        const label = random() < 0.4 ? 2 : Math.floor(random() * 4);
        trainingCounts[label]!++;
        return `${label},${random().toFixed(4)},1`;
      }),
    );
    for (const [i, lines] of training.entries()) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${TRAIN}train-${i}.csv`, Body: `${lines.join('\n')}\n` }));
    const input = sampleInput((i) => {
      i.run.family = 'penguins';
      i.batch.transformOutput = `s3://${BUCKET}/${PREDICTIONS}classification/`;
      i.run.task = { problemType: 'classification', target: 'species', classes };
    });
    const output = await evaluate(input, deps());

    const total = 200_000;
    const correct = confusion.reduce((s, row, c) => s + row[c]!, 0);
    const precision = classes.map((_, c) => confusion[c]![c]! / confusion.reduce((s, row) => s + row[c]!, 0));
    const recall = classes.map((_, c) => confusion[c]![c]! / confusion[c]!.reduce((s, x) => s + x, 0));
    const f1 = precision.map((p, c) => (2 * p * recall[c]!) / (p + recall[c]!));
    const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(output.rows).toBe(total);
    expect(output.metrics.accuracy).toBe(correct / total);
    expect(output.metrics.precision_macro).toBeCloseTo(avg(precision), 12);
    expect(output.metrics.recall_macro).toBeCloseTo(avg(recall), 12);
    expect(output.metrics.f1_macro).toBeCloseTo(avg(f1), 12);
    const report = await readReport('runs/abalone-7aa1b19755/evaluation/report.json');
    expect(report.confusionMatrix).toEqual({ labels: classes, matrix: confusion, invalidPredictions: [0, 0, 0, 0] });

    // The baseline: Gentoo for every test row; its f1 is 2p/(1+p) with p its share of the test rows, 0 for the other classes.
    const majority = trainingCounts.indexOf(Math.max(...trainingCounts));
    expect(majority).toBe(2);
    const share = confusion[2]!.reduce((sum, x) => sum + x, 0) / total;
    const baseline = (2 * share) / (1 + share) / classes.length;
    expect(output.gate.rule).toEqual({
      kind: 'baseline',
      baseline: { predicts: 'majority-class', prediction: 2, label: 'Gentoo', trainingRows: 120_000, value: expect.closeTo(baseline, 12) },
      margin: 0.1,
      marginSource: 'stage',
      reason: "family penguins has no threshold: the upload sets none (mlops-threshold) and the stage's gateThresholds does not name the family",
    });
    expect(output.gate.threshold).toBeCloseTo(baseline + 0.1 * (1 - baseline), 12);
    expect(output.gate.passed).toBe(true);
  });

  it("streams a large training channel for the regression baseline: the labels' mean, exactly enough", async () => {
    const random = generator(3);
    // Labels far from 0 with small spread: a naive running sum would lose digits.
    const labels: number[] = [];
    const training = Array.from({ length: 3 }, () =>
      Array.from({ length: 100_000 }, () => {
        const label = Number((1e9 + random() * 10).toFixed(3));
        labels.push(label);
        return `${label},${random().toFixed(3)},0`;
      }),
    );
    for (const [i, lines] of training.entries()) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${TRAIN}regression-${i}.csv`, Body: `${lines.join(i === 1 ? '\r\n' : '\n')}\n` }));
    const tests = Array.from({ length: 1000 }, () => {
      const actual = Number((1e9 + random() * 10).toFixed(3));
      return [actual, actual + (random() - 0.5)] as const;
    });
    await putObjects(`${PREDICTIONS}regression-baseline/`, [tests.map(([a, p]) => `${a},${p}`)]);
    const input = sampleInput((i) => {
      i.run.family = 'heavy-snails';
      i.run.dataset.train = `s3://${BUCKET}/${TRAIN}`;
      i.batch.transformOutput = `s3://${BUCKET}/${PREDICTIONS}regression-baseline/`;
    });
    // Only this test's objects under the prefix: the classification test's are removed first.
    for (const i of [0, 1]) await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${TRAIN}train-${i}.csv` }));
    const output = await evaluate(input, deps());

    // Independently: an exact sum of the labels in thousandths (integers below 2^53).
    const mean = labels.reduce((sum, x) => sum + Math.round((x - 1e9) * 1000), 0) / 1000 / labels.length + 1e9;
    const baselineMse = tests.reduce((sum, [a]) => sum + (mean - a) ** 2, 0) / tests.length;
    expect(output.gate.rule).toMatchObject({ kind: 'baseline', baseline: { predicts: 'training-mean', trainingRows: 300_000 } });
    const rule = output.gate.rule as { baseline: { prediction: number; value: number } };
    expect(Math.abs(rule.baseline.prediction - mean)).toBeLessThanOrEqual(1e-6);
    expect(rule.baseline.value).toBeCloseTo(baselineMse, 3);
    expect(output.gate.passed).toBe(true);
  });
});
