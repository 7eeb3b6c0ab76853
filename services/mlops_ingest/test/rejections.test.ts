import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { runIdFor } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { ingest } from '../src/ingest';
import { FakeBucket, md5, type StoredObject } from '@mlops/testing';
import { BUCKET, resetIngestMocks, clients, fixture, ingestConfig, s3Event } from './helpers';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
let bucket: FakeBucket;

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  bucket = resetIngestMocks(s3Mock, sfnMock, { startExecution: false });
});

const key = 'incoming/data.csv';
const abalone = fixture('abalone-1000.csv');
const rows = (n: number, row: (i: number) => string) => `${Array.from({ length: n }, (_, i) => row(i)).join('\n')}\n`;

async function rejectionOf(object: StoredObject, env: Record<string, string> = {}): Promise<string> {
  bucket.put(key, object);
  const output = await ingest(s3Event({ key }), { ...clients(), config: ingestConfig(env), now: () => new Date('2025-01-02T03:04:05Z') });

  expect(output.runs).toEqual([]);
  expect(output.rejected).toHaveLength(1);
  const { reason } = output.rejected[0]!;
  expect(output.rejected[0]).toEqual({ key, reason });
  // No execution, no schema (the mark of a complete split); the rejection is recorded for the uploader.
  expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  const runId = runIdFor({ bucket: BUCKET, key, etag: md5(object.body) });
  expect([...bucket.objects.keys()].filter((k) => k.endsWith('schema.json'))).toEqual([]);
  expect(bucket.json(`runs/rejected/${runId}.json`)).toEqual({ key, etag: md5(object.body), reason, rejectedAt: '2025-01-02T03:04:05.000Z' });
  return reason;
}

describe('rejecting unusable uploads', () => {
  it.each([
    ['a file of blank lines', '\n\r\n  \n', 'the file is empty'],
    ['a header only', 'a,b,c\n', 'the file has a header but no data rows'],
  ])('rejects %s', async (_name, body, reason) => {
    expect(await rejectionOf({ body, metadata: { 'mlops-header': String(body.startsWith('a')) } })).toBe(reason);
  });

  it('names the line and the counts of a ragged row', async () => {
    const lines = abalone.split('\n');
    lines[4] = 'M,0.44,0.365,0.125,0.516,0.2155,0.114,15';
    expect(await rejectionOf({ body: lines.join('\n') })).toBe('line 5 (data row 5) has 8 fields, expected 9 like the first row');
  });

  it('names an unknown target column and lists the columns', async () => {
    expect(await rejectionOf({ body: abalone, metadata: { 'mlops-target': 'age' } })).toBe(
      "target column 'age' is not in the file: its 9 columns are sex, length, diameter, height, whole_weight, shucked_weight, viscera_weight, shell_weight, rings (or use a 0-based index or last)",
    );
  });

  it('rejects a feature column without any value', async () => {
    expect(await rejectionOf({ body: rows(20, (i) => `${i},,${i * 3}`) })).toBe("feature column 'column_1' has no values (every cell is empty)");
  });

  it('names the line of a non-numeric regression label, hinting at a header', async () => {
    expect(await rejectionOf({ body: `x,y\n${rows(20, (i) => `${i},${i}`)}` })).toBe(
      "line 1 (data row 1): the regression label 'y' in column 'column_1' is not a number (if the file has a header row, set mlops-header=true)",
    );
    const lines = abalone.split('\n');
    lines[9] = 'F,0.5,0.4,0.1,0.6,0.2,0.1,0.2,ten';
    expect(await rejectionOf({ body: lines.join('\n') })).toBe("line 10 (data row 10): the regression label 'ten' in column 'rings' is not a number");
  });

  it('rejects an empty label', async () => {
    expect(await rejectionOf({ body: rows(10, (i) => (i === 3 ? '1,' : `1,${i}`)) })).toBe("line 4 (data row 4) has an empty label in column 'column_1'");
  });

  it('rejects a single-class classification target', async () => {
    expect(await rejectionOf({ body: rows(20, (i) => `${i},yes`), metadata: { 'mlops-problem': 'classification' } })).toBe(
      "the classification target 'column_1' has a single class ('yes'): there is nothing to learn",
    );
  });

  it('rejects more classes than MAX_CLASSES', async () => {
    expect(await rejectionOf({ body: rows(20, (i) => `${i},c${i % 5}`) }, { PROBLEM_TYPE: 'classification', MAX_CLASSES: '4' })).toBe(
      "the classification target 'column_1' has more than 4 classes (MAX_CLASSES)",
    );
  });

  it('rejects a text column with too many distinct values to one-hot encode', async () => {
    expect(await rejectionOf({ body: rows(80, (i) => `id${i},${i}`) })).toBe(
      "feature column 'column_0' is not numeric (e.g. 'id0' on line 1) and has more than 50 distinct values, too many to one-hot encode",
    );
  });

  it('rejects too few rows for a train and a test row', async () => {
    expect(await rejectionOf({ body: '1,2\n' })).toMatch(/^too few rows for the split: 1 rows gave train=\d, validation=\d, test=\d; at least one train and one test row are needed$/);
  });

  it('rejects a file that is not CSV', async () => {
    expect(await rejectionOf({ body: 'a,"b"c,1\n' })).toMatch(/^the file is not valid CSV: Invalid Closing Quote/);
  });

  it('rejects a file with only the target column', async () => {
    expect(await rejectionOf({ body: rows(10, (i) => `${i}`) })).toBe("the file has no feature columns besides the target 'column_0'");
  });

  it('rejects a duplicated header name', async () => {
    expect(await rejectionOf({ body: 'a,b,a\n1,2,3\n', metadata: { 'mlops-header': 'true' } })).toBe(
      "the header names column 'a' twice (columns 0 and 2, 0-based)",
    );
  });

  it.each([
    [{ 'mlops-problem': 'clustering' }, "metadata mlops-problem: must be regression or classification (got 'clustering')"],
    [{ 'mlops-header': 'yes' }, "metadata mlops-header: must be true or false (got 'yes')"],
    [{ 'mlops-target': ' ' }, 'metadata mlops-target: must name a column, a 0-based index or last'],
    [{ 'mlops-metric': 'accuracy', 'mlops-threshold': '1' }, "metadata mlops-metric: 'accuracy' is not a regression metric (one of mse, rmse, mae, r2)"],
    [{ 'mlops-metric': 'mae' }, 'metadata mlops-metric: needs mlops-threshold as well'],
    [{ 'mlops-threshold': 'low' }, "metadata mlops-threshold: must be a finite number (got 'low')"],
    [{ 'mlops-hyperparameters': '{"eta":0.2}' }, 'metadata mlops-hyperparameters: must be a JSON object of strings (eta: Invalid input: expected string, received number)'],
    [{ 'mlops-hyperparameters': 'eta=0.2' }, 'metadata mlops-hyperparameters: must be a JSON object of strings (it is not valid JSON)'],
    [{ 'mlops-targt': 'rings' }, 'metadata mlops-targt: unknown option (known: mlops-target, mlops-problem, mlops-header, mlops-metric, mlops-threshold, mlops-tolerance, mlops-hyperparameters)'],
    [{ 'mlops-tolerance': '-1' }, "metadata mlops-tolerance: must be a non-negative number (got '-1')"],
    [{ 'mlops-tolerance': 'lots' }, "metadata mlops-tolerance: must be a non-negative number (got 'lots')"],
  ])('rejects bad metadata %j', async (metadata, reason) => {
    expect(await rejectionOf({ body: abalone, metadata })).toBe(reason);
    expect(s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([expect.stringMatching(/^runs\/rejected\//)]);
  });
});
