/**
 * mlops_ingest splitting a generated abalone-like CSV (1 GiB by default) on a local S3, against a
 * plain copy of the same object on the same S3: MB/s and peak memory. The S3 (s3rver) runs in its
 * own process and every measurement in a fresh one, as Lambda and S3 would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildBundle, buildFunction, handlerEntry } from '../lib/bundles';
import { baselineCommit, baselineOptions } from '../coldstart/variants';
import { abaloneCsv, uploadFile } from '../lib/data';
import { ROOT, WORK } from '../lib/paths';
import { runJson, startS3Server } from '../lib/processes';
import { CREDENTIALS, REGION } from '../lib/s3';
import { median } from '../lib/stats';

const BUCKET = 'mlops-bench-data';
const COLUMNS = 'sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight,rings';

/** Extra Node flags for the measured processes, e.g. BENCH_WORKER_NODE_ARGS=--cpu-prof to profile them. */
export const workerNodeArgs = () => (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);

interface WorkerResult {
  ms: number;
  bytes: number;
  rssBeforeMb: number;
  maxRssMb: number;
  result: { runs?: { runId: string; status: string }[]; rejected?: unknown[] };
}

export interface IngestBenchResult {
  generatedAt: string;
  megabytes: number;
  bytes: number;
  runs: number;
  ingest: { ms: number[]; medianMs: number; mbPerSecond: number; maxRssMb: number[]; rssBeforeMb: number };
  copy: { ms: number[]; medianMs: number; mbPerSecond: number; maxRssMb: number[] };
  serverCopy: { ms: number };
  /** The same ingest built from the baseline commit (before this work), one run. */
  baseline?: { commit: string; ms: number; mbPerSecond: number; maxRssMb: number };
  ratio: number;
  rowsApprox: number;
}

/** A Step Functions stand-in that accepts StartExecution (the one call ingest makes to it). */
async function startSfnStub(): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ executionArn: 'arn:aws:states:us-east-1:000000000000:execution:mlops-bench-pipeline:bench', startDate: Date.now() / 1000 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function runIngestBench(options: { megabytes: number; runs: number; log?: (line: string) => void; minify?: boolean; baseline?: boolean }): Promise<IngestBenchResult> {
  const log = options.log ?? (() => undefined);
  const file = abaloneCsv(options.megabytes);
  const bundle = options.minify === false ? await buildFunction('mlops_ingest', 'unminified', { minify: false }) : await buildFunction('mlops_ingest');
  const s3Server = await startS3Server([BUCKET]);
  const sfn = await startSfnStub();
  const s3 = new S3Client({ endpoint: s3Server.endpoint, forcePathStyle: true, region: REGION, credentials: CREDENTIALS });
  try {
    const key = `incoming/abalone-${options.megabytes}MiB.csv`;
    const { bytes, etag } = await uploadFile(s3, BUCKET, key, file, { contentType: 'text/csv' });
    log(`ingest: uploaded ${(bytes / 1e6).toFixed(0)} MB`);
    const env = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3Server.endpoint,
      AWS_ENDPOINT_URL_SFN: sfn.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_MAX_ATTEMPTS: '5',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      POWERTOOLS_SERVICE_NAME: 'mlops_ingest',
      STAGE: 'bench',
      DATA_BUCKET: BUCKET,
      RUNS_PREFIX: 'runs/',
      NAME_PREFIX: 'mlops-bench',
      INCOMING_PREFIX: 'incoming/',
      STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:mlops-bench-pipeline',
      // The Lambda path whatever the size: at the stage's default (1 GiB) a 1 GiB upload would go to the processing path (section 7).
      PREPROCESS_THRESHOLD_BYTES: String(Number.MAX_SAFE_INTEGER),
      SPLIT_RATIOS: '70,15,15',
      CSV_HEADER: 'false',
      COLUMN_NAMES: COLUMNS,
      LABEL_COLUMN: 'last',
      PROBLEM_TYPE: 'regression',
    };
    const worker = join(ROOT, 'bench/ingest/worker.cjs');
    const args = { bundle: bundle.path, endpoint: s3Server.endpoint, bucket: BUCKET, key, bytes, etag };
    const run = (mode: string, bundlePath = bundle.path) =>
      runJson<WorkerResult>(worker, { nodeArgs: ['--enable-source-maps', ...workerNodeArgs()], args: [mode, JSON.stringify({ ...args, bundle: bundlePath })], env, timeoutMs: 3_600_000 });

    const ingest: WorkerResult[] = [];
    const copy: WorkerResult[] = [];
    for (let i = 0; i < options.runs; i++) {
      copy.push(await run('copy'));
      log(`ingest: copy ${i + 1}: ${(copy.at(-1)!.ms / 1000).toFixed(1)} s`);
      const result = await run('ingest');
      if (result.result.runs?.length !== 1) throw new Error(`ingest did not start a run: ${JSON.stringify(result.result)}`);
      ingest.push(result);
      log(`ingest: ingest ${i + 1}: ${(result.ms / 1000).toFixed(1)} s`);
      // A complete split is reused on redelivery; remove its marker so the next run splits again.
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `runs/${result.result.runs[0]!.runId}/data/schema.json` }));
    }
    const serverCopy = await run('server-copy');
    let baseline: IngestBenchResult['baseline'];
    const commit = options.baseline === false ? undefined : baselineCommit();
    if (commit) {
      const built = await buildBundle(handlerEntry('mlops_ingest'), join(WORK, 'bundles', 'baseline', 'mlops_ingest'), baselineOptions(commit));
      const result = await run('ingest', built.path);
      baseline = { commit, ms: result.ms, mbPerSecond: bytes / 1e6 / (result.ms / 1000), maxRssMb: result.maxRssMb };
      log(`ingest: baseline ${commit.slice(0, 7)}: ${(result.ms / 1000).toFixed(1)} s`);
    }
    const mbps = (ms: number) => bytes / 1e6 / (ms / 1000);
    const ingestMs = median(ingest.map((r) => r.ms));
    const copyMs = median(copy.map((r) => r.ms));
    return {
      generatedAt: new Date().toISOString(),
      megabytes: options.megabytes,
      bytes,
      runs: options.runs,
      ingest: { ms: ingest.map((r) => r.ms), medianMs: ingestMs, mbPerSecond: mbps(ingestMs), maxRssMb: ingest.map((r) => r.maxRssMb), rssBeforeMb: median(ingest.map((r) => r.rssBeforeMb)) },
      copy: { ms: copy.map((r) => r.ms), medianMs: copyMs, mbPerSecond: mbps(copyMs), maxRssMb: copy.map((r) => r.maxRssMb) },
      serverCopy: { ms: serverCopy.ms },
      ...(baseline ? { baseline } : {}),
      ratio: ingestMs / copyMs,
      rowsApprox: Math.round(bytes / 46),
    };
  } finally {
    s3.destroy();
    sfn.server.close();
    await s3Server.stop();
  }
}
