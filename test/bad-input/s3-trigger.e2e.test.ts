/**
 * Bad input at the S3 trigger, end to end on one offline stack: real objects uploaded through the
 * S3 API, the bucket's notification (prefix `incoming/`, suffix `.csv`, as serverless.yml says)
 * invoking the mlops_ingest bundle, and the outcome read back from Step Functions (ListExecutions),
 * the recorded rejections (`runs/rejected/<runId>.json`), the function's logs and its invocation
 * counters. Every upload must give exactly one execution, or one clear and logged rejection, or a
 * skip; uploads outside the filter must not even invoke the function.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, StopExecutionCommand, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { projectRoot } from '@mlops/serverless-config';
import { runIdFor } from '@mlops/common';
import { encodeS3EventKey } from '@mlops/local-stack';
import { startLocalStack, type LocalStack } from '@mlops/local-stack';

const root = projectRoot();
const abalone = readFileSync(join(root, 'data/abalone.csv'), 'utf8').trim().split('\n');
const HEADER = 'sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight,rings';
const MB = 1024 * 1024;
const csv = (lines: string[]) => `${lines.join('\n')}\n`;
/** 40 abalone rows, headerless like the local stage expects: a small, valid regression dataset. */
const valid = csv(abalone.slice(0, 40));

let stack: LocalStack;
/** While set, the S3 notification's invocations of mlops_ingest fail before reaching the function (a lost event). */
let loseNotifications = false;
const ingestName = 'mlops-local-mlops_ingest';
const etags = new Map<string, string>();

async function upload(key: string, body: string, metadata?: Record<string, string>): Promise<string> {
  const out = await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: Buffer.from(body), Metadata: metadata }));
  const etag = out.ETag!.replace(/"/g, '');
  etags.set(key, etag);
  return etag;
}
const runIdOf = (key: string) => runIdFor({ bucket: stack.bucket, key, etag: etags.get(key)! });
const ingestStats = () => stack.lambda.stats()[ingestName]!;

async function executions(): Promise<ExecutionListItem[]> {
  const page = await stack.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.resources.stateMachine.arn, maxResults: 1000 }));
  return page.executions ?? [];
}
async function readJson<T>(key: string): Promise<T | undefined> {
  try {
    const out = await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: key }));
    return JSON.parse(await out.Body!.transformToString()) as T;
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}
/** The function's log lines that match, waiting a little: stdout is collected apart from the invocation's result. */
async function ingestLogLines(match: (line: string) => boolean): Promise<string[]> {
  for (let i = 0; ; i++) {
    const lines = stack.lambda.logs(ingestName).map((e) => e.message).filter(match);
    if (lines.length > 0 || i >= 50) return lines;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Uploads that must start exactly one run each, and what they show about the key or the data. */
const RUNS: [string, string, Record<string, string>?][] = [
  ['incoming/with space.csv', valid],
  ['incoming/a+b.csv', valid],
  ['incoming/ünïcødé-数据.csv', valid],
  ['incoming/100%.csv', valid],
  ['incoming/nested/file.csv', valid],
  // One text value in an otherwise numeric feature column of few distinct values: the column is
  // profiled as categorical and one-hot encoded (profile.ts), so the run starts.
  ['incoming/typo-few-values.csv', csv(abalone.slice(0, 40).map((line, i) => (i === 17 ? line.replace(/^([^,]*),([^,]*),/, '$1,abc,') : line)))],
];

/** Uploads that must be rejected (recorded, logged, no execution), with the reason they must give. */
const hugeName = `rings${'x'.repeat(MB)}`;
const REJECTIONS: [string, string, Record<string, string> | undefined, RegExp][] = [
  ['incoming/ragged.csv', csv(abalone.slice(0, 40).map((line, i) => (i === 4 ? line.split(',').slice(1).join(',') : line))), undefined, /^line 5 \(data row 5\) has 8 fields, expected 9 like the first row$/],
  // The same typo in a column of many distinct values cannot be one-hot encoded: a rejection naming column, value and line.
  [
    'incoming/typo-many-values.csv',
    csv(abalone.slice(0, 400).map((line, i) => (i === 99 ? line.split(',').map((v, j) => (j === 4 ? 'abc' : v)).join(',') : line))),
    undefined,
    /^feature column 'whole_weight' is not numeric \(e\.g\. 'abc' on line 100\) and has more than 50 distinct values, too many to one-hot encode$/,
  ],
  ['incoming/header-only.csv', csv([HEADER]), { 'mlops-header': 'true' }, /^the file has a header but no data rows$/],
  [
    'incoming/single-class.csv',
    csv(abalone.filter((line) => line.startsWith('M,')).slice(0, 40)),
    { 'mlops-problem': 'classification', 'mlops-target': 'sex' },
    /^the classification target 'sex' has a single class \('M'\): there is nothing to learn$/,
  ],
  // A 1 MB header line, declared as a header: the schema.json that would hold its names is over its
  // limit (MAX_SCHEMA_BYTES), so it is rejected before the execution input is even built.
  [
    'incoming/huge-header.csv',
    csv([HEADER.replace('rings', hugeName), ...abalone.slice(0, 40)]),
    { 'mlops-header': 'true' },
    /^the dataset's schema\.json would be 3\.0 MiB, over the 1\.0 MiB it may have \(MAX_SCHEMA_BYTES\)/,
  ],
  // The same 1 MB header line not declared as a header: read as data, its label is not a number;
  // the reason quotes it only in part.
  ['incoming/huge-header-as-data.csv', csv([HEADER.replace('rings', hugeName), ...abalone.slice(0, 40)]), undefined, /^line 1 \(data row 1\): the regression label 'ringsxxx+\.\.\. \(\d+ more characters\)$/],
];

beforeAll(async () => {
  stack = await startLocalStack({
    waitScale: 0.01,
    lambdaFaults: { before: (fn) => (loseNotifications && fn === ingestName ? { name: 'ServiceUnavailableException', message: 'notification lost (test)' } : undefined) },
  });
  expect(stack.resources.functions.find((f) => f.key === 'mlops_ingest')?.name).toBe(ingestName);
}, 120_000);

afterAll(async () => {
  // No run is left to finish: stop whatever still runs, then shut everything down.
  if (stack) {
    for (const e of await executions().catch(() => [])) {
      if (e.status === 'RUNNING') await stack.clients.sfn.send(new StopExecutionCommand({ executionArn: e.executionArn!, cause: 'test over' })).catch(() => undefined);
    }
    await stack.close();
  }
}, 60_000);

describe('the S3 trigger with bad input', () => {
  it('does not invoke mlops_ingest for objects outside the prefix or the suffix, nor for folder markers', async () => {
    await upload('other/x.csv', valid);
    await upload('incoming/x.txt', valid);
    await upload('incoming/folder/', '');
    // A sentinel inside the filter, uploaded last: the notifications are routed in order.
    await upload('incoming/empty.csv', '');
    await stack.settled();
    expect(ingestStats()).toMatchObject({ invocations: 1, errors: 0 });
    expect(stack.ingestOutcome('other/x.csv')).toBeUndefined();
    expect(stack.ingestOutcome('incoming/x.txt')).toBeUndefined();
    expect(stack.ingestOutcome('incoming/folder/')).toBeUndefined();
    // The empty object is invoked for and skipped: no run, no rejection.
    expect(stack.ingestOutcome('incoming/empty.csv')?.result).toEqual({ runs: [], rejected: [], skipped: [{ key: 'incoming/empty.csv', reason: 'empty object (0 bytes)' }] });
    expect(await readJson(`runs/rejected/${runIdOf('incoming/empty.csv')}.json`)).toBeUndefined();
    expect(await executions()).toEqual([]);
  });

  it('skips a part of a folder dataset (a key below incoming/<family>/<dataset>/): only its _SUCCESS marker starts a run', async () => {
    const key = 'incoming/nested/dir/file.csv';
    await upload(key, valid);
    await stack.settled();
    expect(stack.ingestOutcome(key)?.result).toEqual({ runs: [], rejected: [], skipped: [{ key, reason: 'a part of the folder dataset incoming/nested/dir/: its _SUCCESS marker starts the run' }] });
    expect(await executions()).toEqual([]);
  });

  describe('uploads into incoming/', () => {
    beforeAll(async () => {
      for (const [key, body, metadata] of [...RUNS, ...REJECTIONS]) await upload(key, body, metadata);
      await stack.settled();
    }, 90_000);

    it('invokes mlops_ingest exactly once per upload, without a function error (so no retry)', () => {
      // The sentinel, the folder dataset's part, then each upload once; the run data it writes under runs/ triggers nothing.
      expect(ingestStats()).toMatchObject({ invocations: 2 + RUNS.length + REJECTIONS.length, errors: 0, injectedFaults: 0 });
    });

    it.each(RUNS.map(([key]) => [key]))('starts exactly one execution for %s, with the key decoded exactly', async (key) => {
      const runId = runIdOf(key);
      expect(stack.ingestOutcome(key)?.error).toBeUndefined();
      expect(stack.ingestOutcome(key)?.result).toEqual({ runs: [{ runId, key, executionArn: expect.stringMatching(new RegExp(`:${runId}$`)), status: 'started' }], skipped: [], rejected: [] });
      const mine = (await executions()).filter((e) => e.name === runId);
      expect(mine).toHaveLength(1);
      const described = await stack.clients.sfn.send(new DescribeExecutionCommand({ executionArn: mine[0]!.executionArn! }));
      expect(JSON.parse(described.input!).source).toEqual({ bucket: stack.bucket, key, etag: etags.get(key) });
      expect(await readJson(`runs/rejected/${runId}.json`)).toBeUndefined();
    });

    it('one-hot encodes a numeric column with one text value among few distinct values (documented profiling)', async () => {
      const schema = await readJson<{ columns: { name: string; type: string; categories?: string[] }[] }>(`runs/${runIdOf('incoming/typo-few-values.csv')}/data/schema.json`);
      const length = schema!.columns.find((c) => c.name === 'length')!;
      expect(length.type).toBe('categorical');
      expect(length.categories).toContain('abc');
    });

    it.each(REJECTIONS.map(([key, , , reason]) => [key, reason] as const))('rejects %s with a clear reason, recorded and logged, and starts nothing', async (key, reason) => {
      const runId = runIdOf(key);
      const outcome = stack.ingestOutcome(key)!;
      expect(outcome.error).toBeUndefined();
      expect(outcome.result).toEqual({ runs: [], skipped: [], rejected: [{ key, reason: expect.stringMatching(reason) }] });
      const record = await readJson<Record<string, string>>(`runs/rejected/${runId}.json`);
      expect(record).toEqual({ key, etag: etags.get(key), reason: outcome.result!.rejected![0]!.reason, rejectedAt: expect.any(String) });
      expect(record!.reason!.length).toBeLessThan(1100);
      const logged = await ingestLogLines((line) => line.includes('"upload rejected"') && line.includes(JSON.stringify(key)));
      expect(logged).toHaveLength(1);
      expect(logged[0]!.length).toBeLessThan(4096);
      expect((await executions()).filter((e) => e.name === runId)).toEqual([]);
    });

    it('has exactly the executions of the runs, nothing for rejections, skips or filtered objects', async () => {
      expect((await executions()).map((e) => e.name).sort()).toEqual(RUNS.map(([key]) => runIdOf(key)).sort());
    });
  });

  describe('a multi-record event delivered directly, twice', () => {
    const good = 'incoming/batch/one two+three.csv';
    const bad = 'incoming/batch/ragged.csv';
    const marker = 'incoming/batch/';
    let event: unknown;
    let first: { runs: { runId: string; key: string; executionArn: string; status: string }[]; rejected: { key: string; reason: string }[]; skipped: { key: string; reason: string }[] };

    beforeAll(async () => {
      // The objects' own notifications are lost (each attempt fails before the function), so the
      // direct event below is their first delivery.
      const before = ingestStats();
      loseNotifications = true;
      try {
        await upload(good, valid);
        await upload(bad, csv(abalone.slice(0, 40).map((line, i) => (i === 9 ? `${line},extra` : line))));
        await upload(marker, '');
        await stack.settled();
      } finally {
        loseNotifications = false;
      }
      expect(ingestStats()).toMatchObject({ invocations: before.invocations, injectedFaults: before.injectedFaults + 2 * 3 });
      const record = async (key: string) => {
        const head = await stack.clients.s3.send(new HeadObjectCommand({ Bucket: stack.bucket, Key: key }));
        return {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: stack.resources.region,
          eventName: 'ObjectCreated:Put',
          s3: { s3SchemaVersion: '1.0', bucket: { name: stack.bucket, arn: `arn:aws:s3:::${stack.bucket}` }, object: { key: encodeS3EventKey(key), size: head.ContentLength, eTag: head.ETag!.replace(/"/g, '') } },
        };
      };
      event = { Records: [await record(good), await record(bad), await record(marker)] };
    }, 30_000);

    it('gives one run, one rejection and one skip on the first delivery', async () => {
      const executionsBefore = (await executions()).length;
      first = (await stack.lambda.invoke(ingestName, event)) as typeof first;
      expect(first).toEqual({
        runs: [{ runId: runIdOf(good), key: good, executionArn: expect.stringMatching(new RegExp(`:${runIdOf(good)}$`)), status: 'started' }],
        rejected: [{ key: bad, reason: 'line 10 (data row 10) has 10 fields, expected 9 like the first row' }],
        skipped: [{ key: marker, reason: 'folder marker, not a file' }],
      });
      expect((await executions()).length).toBe(executionsBefore + 1);
    });

    it('starts nothing more on a second delivery of the same event, once the run is closed', async () => {
      // Stop every run still going now that each is started (none needs to finish for this test).
      for (const e of await executions()) {
        if (e.status === 'RUNNING') await stack.clients.sfn.send(new StopExecutionCommand({ executionArn: e.executionArn!, cause: 'bad-input test: started is enough' })).catch(() => undefined);
      }
      for (const e of await executions()) await stack.stepFunctions.executions.waitForCompletion(e.executionArn!, { timeoutMs: 20_000 });
      const before = await executions();
      // Closed: stopped, or already finished on the scaled clock (a 40-row run may also fail its gate).
      expect(before.filter((e) => e.status === 'RUNNING')).toEqual([]);

      const second = (await stack.lambda.invoke(ingestName, event)) as typeof first;
      expect(second).toEqual({ ...first, runs: [{ ...first.runs[0]!, status: 'duplicate' }] });
      expect((await executions()).map((e) => `${e.name} ${e.status}`).sort()).toEqual(before.map((e) => `${e.name} ${e.status}`).sort());
      expect(ingestStats().errors).toBe(0);
    });
  });
});
