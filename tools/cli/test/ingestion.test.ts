/** The upload and the wait for mlops_ingest's answer, over a fake stack (mocked S3 and Step Functions). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { runIdFor } from '@mlops/common';
import type { IngestOutcome, LocalStack } from '@mlops/local-stack';
import { FakeBucket, md5 } from '@mlops/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { createProgressView, InterruptedError, runPipeline, type PipelineOptions } from '../src';
import { awaitIngestion, ingestionDeadlineMs } from '../src/pipeline/run';

const BUCKET = 'mlops-local-data';
const STATE_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:mlops-local-pipeline';
const KEY = 'incoming/iris.csv';
const RUN = 'iris-0123456789';
const UPLOAD = { key: KEY, runId: RUN, executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${RUN}`, rejectedKey: `runs/rejected/${RUN}.json` };
const INGEST = { key: 'mlops_ingest', timeoutSeconds: 900, asyncConfig: { maximumRetryAttempts: 2 }, environment: { RUNS_PREFIX: 'runs/' } };

const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
let bucket: FakeBucket;
let outcome: IngestOutcome | undefined;
/** The keys runPipeline asked the trigger's outcome for (any key gets `outcome`, so a wrong key fails fast, not by a timeout). */
let asked: string[];

function fakeStack(): LocalStack {
  return {
    bucket: BUCKET,
    incomingPrefix: 'incoming/',
    clients: { s3: new S3Client({ region: 'us-east-1' }), sfn: new SFNClient({ region: 'us-east-1' }) },
    ingestOutcome: (key: string, inBucket?: string) => {
      asked.push(key);
      return (inBucket ?? BUCKET) === BUCKET ? outcome : undefined;
    },
    resources: { stateMachine: { arn: STATE_MACHINE, definition: { States: {} } }, functions: [INGEST] },
  } as unknown as LocalStack;
}

const noExecution = () => Object.assign(new Error('Execution does not exist'), { name: 'ExecutionDoesNotExist' });

beforeEach(() => {
  s3.reset();
  sfn.reset();
  bucket = new FakeBucket(s3);
  outcome = undefined;
  asked = [];
  sfn.on(DescribeExecutionCommand).rejects(noExecution());
});

describe('awaitIngestion', () => {
  it('shows a rejection as soon as ingest records it, before its invocation has returned', async () => {
    const started = Date.now();
    setTimeout(() => bucket.put(UPLOAD.rejectedKey, { body: JSON.stringify({ key: KEY, etag: 'e', reason: "target column 'nope' is not in the file", rejectedAt: '2026-12-06T00:00:00.000Z' }) }), 300);
    const result = await awaitIngestion(fakeStack(), UPLOAD, { deadlineMs: 3_000, pollMs: 20 });
    expect(result).toEqual({ rejection: "target column 'nope' is not in the file" });
    expect(outcome).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('ignores a rejection record of another upload with the same run id', async () => {
    bucket.put(UPLOAD.rejectedKey, { body: JSON.stringify({ key: 'incoming/other/iris.csv', etag: 'e', reason: 'old', rejectedAt: '2026-12-06T00:00:00.000Z' }) });
    expect(await awaitIngestion(fakeStack(), UPLOAD, { deadlineMs: 200, pollMs: 20 })).toEqual({ ingestFailure: expect.stringContaining('within 0 s') });
  });

  it('ends at once when ingest skipped the upload, rejected it, or failed', async () => {
    outcome = { key: KEY, result: { runs: [], skipped: [{ key: KEY, reason: 'empty object (0 bytes)' }] } };
    expect(await awaitIngestion(fakeStack(), UPLOAD, { deadlineMs: 60_000 })).toEqual({ rejection: 'mlops_ingest skipped the upload: empty object (0 bytes)' });
    outcome = { key: KEY, rejected: 'the file has a single column' };
    expect(await awaitIngestion(fakeStack(), UPLOAD, { deadlineMs: 60_000 })).toEqual({ rejection: 'the file has a single column' });
    outcome = { key: KEY, error: 'S3ServiceException: SlowDown' };
    expect(await awaitIngestion(fakeStack(), UPLOAD, { deadlineMs: 60_000 })).toEqual({ ingestFailure: 'S3ServiceException: SlowDown' });
    outcome = { key: KEY, result: { runs: [], skipped: [] } };
    expect(await awaitIngestion(fakeStack(), UPLOAD, { deadlineMs: 60_000 })).toEqual({ ingestFailure: `mlops_ingest returned without a run or a reason for ${KEY}` });
  });

  it('follows the execution ingest started, by its answer or by the execution itself', async () => {
    outcome = { key: KEY, result: { runs: [{ runId: RUN, executionArn: 'arn:from-ingest', status: 'started' }], skipped: [] } };
    expect(await awaitIngestion(fakeStack(), UPLOAD, { deadlineMs: 60_000 })).toEqual({ executionArn: 'arn:from-ingest' });
    outcome = undefined;
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    expect(await awaitIngestion(fakeStack(), UPLOAD, { deadlineMs: 60_000 })).toEqual({ executionArn: UPLOAD.executionArn });
  });

  it('gives ingest every attempt its configuration allows, not a fixed two minutes', () => {
    // 3 attempts of up to 900 s (+10 s init), the 60 s and 120 s retry intervals at 1/100, a 30 s margin.
    expect(ingestionDeadlineMs(INGEST, 100)).toBe(3 * 910_000 + 1_800 + 30_000);
    expect(ingestionDeadlineMs(INGEST, 1)).toBe(3 * 910_000 + 180_000 + 30_000);
    expect(ingestionDeadlineMs({ timeoutSeconds: 30, asyncConfig: { maximumRetryAttempts: 0 } }, 100)).toBe(40_000 + 1_800 + 30_000);
  });
});

describe('runPipeline before the execution', () => {
  let dir: string;
  const lines: string[] = [];
  const stream = { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-run-'));
    lines.length = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const options = (data: string): PipelineOptions => ({ data, json: false, timeScale: 100, outDir: join(dir, 'reports') });

  it('uploads a file not named .csv under a .csv key, so the trigger starts it, and returns the rejection', async () => {
    const data = join(dir, 'iris.data');
    await writeFile(data, 'a,b\n1,2\n');
    outcome = { key: KEY, rejected: 'the file has no label column' };
    const run = await runPipeline(fakeStack(), options(data), createProgressView(stream));
    expect(bucket.objects.has(KEY)).toBe(true);
    expect([...bucket.objects.keys()]).toEqual([KEY]);
    expect(new Set(asked)).toEqual(new Set([KEY]));
    expect(run).toMatchObject({ key: KEY, status: 'REJECTED', rejection: 'the file has no label column', runId: runIdFor({ bucket: BUCKET, key: KEY, etag: md5('a,b\n1,2\n') }) });
    expect(lines.join('')).toContain(`uploaded ${data} to s3://${BUCKET}/${KEY} (renamed: runs start only for keys ending in .csv)`);
  });

  it('says when ingest failed rather than calling it a rejection', async () => {
    const data = join(dir, 'iris.csv');
    await writeFile(data, 'a,b\n1,2\n');
    outcome = { key: KEY, error: 'Error: boom' };
    const run = await runPipeline(fakeStack(), options(data), createProgressView(stream));
    expect(run).toMatchObject({ status: 'INGEST_FAILED', error: 'IngestFailed', cause: 'Error: boom' });
    expect(run).not.toHaveProperty('rejection');
  });

  it('stops waiting when interrupted', async () => {
    const data = join(dir, 'iris.csv');
    await writeFile(data, 'a,b\n1,2\n');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 200);
    await expect(runPipeline(fakeStack(), options(data), createProgressView(stream), abort.signal)).rejects.toBeInstanceOf(InterruptedError);
  });
});
