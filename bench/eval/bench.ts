/**
 * mlops_eval streaming batch-transform output (`label,prediction` lines) from a local S3, for 1 M
 * and 10 M rows, against a naive read-everything evaluation in the same run: rows/s and peak RSS.
 * The S3 runs in its own process and every measurement in a fresh one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { buildBundle, buildFunction, handlerEntry } from '../lib/bundles';
import { baselineCommit, baselineOptions } from '../coldstart/variants';
import { predictionsCsv, uploadFile } from '../lib/data';
import { ROOT, WORK } from '../lib/paths';
import { runJson, startS3Server } from '../lib/processes';
import { CREDENTIALS, REGION } from '../lib/s3';
import { median } from '../lib/stats';

const BUCKET = 'mlops-bench-data';

interface WorkerResult {
  ms: number;
  rows: number;
  mse: number;
  rssBeforeMb: number;
  maxRssMb: number;
}

export interface EvalCase {
  rows: number;
  bytes: number;
  stream: { ms: number[]; medianMs: number; rowsPerSecond: number; maxRssMb: number; rssBeforeMb: number };
  naive: { ms: number[]; medianMs: number; rowsPerSecond: number; maxRssMb: number; rssBeforeMb: number } | { failed: string };
  mseAgrees: boolean;
  /** The same evaluation built from the baseline commit (before this work), one run. */
  baseline?: { ms: number; rowsPerSecond: number; maxRssMb: number };
}

export interface EvalBenchResult {
  generatedAt: string;
  runs: number;
  cases: EvalCase[];
}

const workerNodeArgs = () => (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);

export async function runEvalBench(options: { rows: number[]; runs: number; log?: (line: string) => void }): Promise<EvalBenchResult> {
  const log = options.log ?? (() => undefined);
  const bundle = await buildFunction('mlops_eval');
  const commit = baselineCommit();
  const baselineBundle = commit ? await buildBundle(handlerEntry('mlops_eval'), join(WORK, 'bundles', 'baseline', 'mlops_eval'), baselineOptions(commit)) : undefined;
  const s3Server = await startS3Server([BUCKET]);
  const s3 = new S3Client({ endpoint: s3Server.endpoint, forcePathStyle: true, region: REGION, credentials: CREDENTIALS });
  const sample = JSON.parse(readFileSync(join(ROOT, 'services/mlops_eval/events/eval-regression.json'), 'utf8')) as { run: Record<string, unknown> };
  const env = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: s3Server.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_SERVICE_NAME: 'mlops_eval',
    POWERTOOLS_METRICS_NAMESPACE: 'MlopsBench',
    STAGE: 'bench',
    DATA_BUCKET: BUCKET,
    NAME_PREFIX: 'mlops-bench',
    GATE_METRIC: 'mse',
    // The sample's threshold, so the bench measures the predictions' pass alone (no baseline read);
    // GATE_THRESHOLD for a baseline bundle built before GATE_THRESHOLDS.
    GATE_THRESHOLDS: '{"abalone":{"metric":"mse","threshold":6}}',
    GATE_THRESHOLD: '6',
  };
  const cases: EvalCase[] = [];
  try {
    for (const rows of options.rows) {
      const prefix = `runs/bench-${rows}/predictions/`;
      const { bytes } = await uploadFile(s3, BUCKET, `${prefix}test.csv.out`, predictionsCsv(rows));
      const transformOutput = `s3://${BUCKET}/${prefix}`;
      const event = { run: { ...sample.run, runId: `bench-${rows}`, runPrefix: `s3://${BUCKET}/runs/bench-${rows}/` }, transformOutput };
      const args = (bundlePath: string) => JSON.stringify({ bundle: bundlePath, endpoint: s3Server.endpoint, event, transformOutput });
      const run = (mode: string, bundlePath = bundle.path) =>
        runJson<WorkerResult>(join(ROOT, 'bench/eval/worker.cjs'), { nodeArgs: ['--enable-source-maps', ...workerNodeArgs()], args: [mode, args(bundlePath)], env, timeoutMs: 1_800_000 });
      const stream: WorkerResult[] = [];
      const naive: WorkerResult[] = [];
      let naiveFailure: string | undefined;
      for (let i = 0; i < options.runs; i++) {
        stream.push(await run('stream'));
        if (stream.at(-1)!.rows !== rows) throw new Error(`mlops_eval counted ${stream.at(-1)!.rows} rows, not ${rows}`);
        if (!naiveFailure) {
          try {
            naive.push(await run('naive'));
          } catch (error) {
            naiveFailure = (error as Error).message.split('\n').slice(0, 3).join(' ');
          }
        }
        log(`eval: ${rows} rows, run ${i + 1}: stream ${stream.at(-1)!.ms.toFixed(0)} ms, naive ${naive.at(-1)?.ms.toFixed(0) ?? naiveFailure}`);
      }
      const before = baselineBundle ? await run('stream', baselineBundle.path) : undefined;
      const summary = (results: WorkerResult[]) => {
        const ms = median(results.map((r) => r.ms));
        return { ms: results.map((r) => r.ms), medianMs: ms, rowsPerSecond: rows / (ms / 1000), maxRssMb: Math.max(...results.map((r) => r.maxRssMb)), rssBeforeMb: median(results.map((r) => r.rssBeforeMb)) };
      };
      cases.push({
        rows,
        bytes,
        stream: summary(stream),
        naive: naiveFailure ? { failed: naiveFailure } : summary(naive),
        mseAgrees: naive.length === 0 || Math.abs(naive[0]!.mse - stream[0]!.mse) <= 1e-9 * Math.abs(stream[0]!.mse),
        ...(before ? { baseline: { ms: before.ms, rowsPerSecond: rows / (before.ms / 1000), maxRssMb: before.maxRssMb } } : {}),
      });
    }
  } finally {
    s3.destroy();
    await s3Server.stop();
  }
  return { generatedAt: new Date().toISOString(), runs: options.runs, cases };
}
