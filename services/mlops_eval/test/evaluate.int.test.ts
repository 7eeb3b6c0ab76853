/**
 * mlops_eval against a real S3 implementation (s3rver on loopback): hundreds of thousands of
 * rows in several objects streamed over HTTP, metrics checked against an independent
 * computation in the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
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

    const input = sampleInput((i) => {
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
  });
});
