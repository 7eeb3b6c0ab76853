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

  it('names an unknown target column, lists the columns and says the file has no header row', async () => {
    expect(await rejectionOf({ body: abalone, metadata: { 'mlops-target': 'age' } })).toBe(
      "target column 'age' is not in the file: it has no header row (none was detected), so its 9 columns are sex, length, diameter, height, whole_weight, shucked_weight, viscera_weight, shell_weight, rings; if its first row names the columns, set mlops-header=true (pnpm pipeline --header); else give the target as a 0-based index or last",
    );
  });

  it('names an unknown target column of a file with a header, suggesting the name in another case', async () => {
    const body = `Length,Width,Quality\n${rows(20, (i) => `${i},${i % 3},${i % 5}`)}`;
    expect(await rejectionOf({ body, metadata: { 'mlops-target': 'quality' } })).toBe(
      "target column 'quality' is not in the file: its 3 columns are Length, Width, Quality (did you mean 'Quality'? names are case-sensitive)",
    );
    expect(await rejectionOf({ body, metadata: { 'mlops-target': 'age' } })).toBe("target column 'age' is not in the file: its 3 columns are Length, Width, Quality (or use a 0-based index or last)");
  });

  it('says which first row names the target when mlops-header=false reads it as data', async () => {
    const body = `a,b,quality\n${rows(20, (i) => `${i},${i % 3},${i % 5}`)}`;
    expect(await rejectionOf({ body, metadata: { 'mlops-target': 'quality', 'mlops-header': 'false' } })).toBe(
      "target column 'quality' is not in the file: it has no header row (its mlops-header=false says so), so its 3 columns are column_0, column_1, column_2; its first row does name 'quality': set mlops-header=true (pnpm pipeline --header)",
    );
  });

  it('says a target index is out of range, with the column count', async () => {
    expect(await rejectionOf({ body: rows(20, (i) => `${i},${i % 3},${i % 5}`), metadata: { 'mlops-target': '12' } })).toBe(
      'target column 12 is out of range: the file has 3 columns, 0 to 2 (0-based), named column_0, column_1, column_2',
    );
  });

  it('rejects a feature column without any value, suggesting to drop it', async () => {
    expect(await rejectionOf({ body: rows(20, (i) => `${i},${i % 2 ? 'NA' : ''},${i * 3}`) })).toBe(
      "feature column 'column_1' has no values (all 20 of its cells are missing); to leave it out, set mlops-drop=column_1 (pnpm pipeline --drop column_1)",
    );
  });

  it('names the line of a non-numeric regression label, suggesting a header for the first row, else classification', async () => {
    expect(await rejectionOf({ body: `x,y\n${rows(20, (i) => `${i},${i}`)}`, metadata: { 'mlops-header': 'false' } })).toBe(
      "line 1 (data row 1): the regression label 'y' in column 'column_1' is not a number; if the first row names the columns, set mlops-header=true (pnpm pipeline --header)",
    );
    const lines = abalone.split('\n');
    lines[9] = 'F,0.5,0.4,0.1,0.6,0.2,0.1,0.2,ten';
    expect(await rejectionOf({ body: lines.join('\n') })).toBe(
      "line 10 (data row 10): the regression label 'ten' in column 'rings' is not a number; if 'rings' holds classes, set mlops-problem=classification (pnpm pipeline --problem classification)",
    );
  });

  it('rejects labels that are missing, counting the rows', async () => {
    expect(await rejectionOf({ body: rows(10, (i) => (i === 3 ? '1,' : `1,${i}`)) })).toBe(
      "the target column 'column_1' has no value on 1 row of 10, the first on line 4 (data row 4: empty); a row without its label can be neither trained on nor scored: fill in or remove those rows",
    );
    expect(await rejectionOf({ body: rows(12, (i) => `${i},${['n/a', 'NULL', ''][i % 4] ?? i}`) })).toBe(
      "the target column 'column_1' has no value on 9 rows of 12, the first on line 1 (data row 1: 'n/a', an NA value (mlops-na-values sets them)); a row without its label can be neither trained on nor scored: fill in or remove those rows",
    );
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

  it('rejects a file that is not CSV, saying which delimiter it was read with and how to force another', async () => {
    expect(await rejectionOf({ body: 'a,"b"c,1\n' })).toBe(
      'the file is not valid CSV (delimiter \',\', detected): Invalid Closing Quote: got "c" at line 1 instead of delimiter, record delimiter, trimable character (if activated) or comment; if another delimiter separates its fields, set mlops-delimiter (pnpm pipeline --delimiter)',
    );
    expect(await rejectionOf({ body: 'a;"b"c;1\n', metadata: { 'mlops-delimiter': ';' } })).toBe(
      'the file is not valid CSV (delimiter \';\', given): Invalid Closing Quote: got "c" at line 1 instead of delimiter, record delimiter, trimable character (if activated) or comment',
    );
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
    [
      { 'mlops-metric': 'accuracy', 'mlops-threshold': '1' },
      "metadata mlops-metric: 'accuracy' is not a regression metric (one of mse, rmse, mae, r2); for a classification target, set mlops-problem=classification (pnpm pipeline --problem classification)",
    ],
    [{ 'mlops-metric': 'rsme', 'mlops-threshold': '1' }, "metadata mlops-metric: 'rsme' is not a regression metric (one of mse, rmse, mae, r2)"],
    [{ 'mlops-metric': 'mae' }, 'metadata mlops-metric: needs mlops-threshold as well'],
    [{ 'mlops-threshold': 'low' }, "metadata mlops-threshold: must be a finite number (got 'low')"],
    [{ 'mlops-hyperparameters': '{"eta":0.2}' }, 'metadata mlops-hyperparameters: must be a JSON object of strings (eta: Invalid input: expected string, received number)'],
    [{ 'mlops-hyperparameters': 'eta=0.2' }, 'metadata mlops-hyperparameters: must be a JSON object of strings (it is not valid JSON)'],
    [
      { 'mlops-targt': 'rings' },
      'metadata mlops-targt: unknown option (known: mlops-target, mlops-problem, mlops-header, mlops-delimiter, mlops-na-values, mlops-drop, mlops-metric, mlops-threshold, mlops-tolerance, mlops-baseline-margin, mlops-hyperparameters, mlops-preprocess)',
    ],
    [{ 'mlops-delimiter': ':' }, "metadata mlops-delimiter: must be one of ',' ';' '|' tab (or comma, semicolon, pipe) (got ':')"],
    [{ 'mlops-drop': ' , ' }, "metadata mlops-drop: must name at least one column (got ' , ')"],
    [{ 'mlops-drop': 'id,id' }, "metadata mlops-drop: names a column twice (got 'id,id')"],
    [{ 'mlops-baseline-margin': '1' }, "metadata mlops-baseline-margin: must be a number from 0 up to but not including 1 (0.1: remove 10 % of the baseline's error) (got '1')"],
    [{ 'mlops-baseline-margin': 'ten percent' }, "metadata mlops-baseline-margin: must be a number from 0 up to but not including 1 (0.1: remove 10 % of the baseline's error) (got 'ten percent')"],
    [{ 'mlops-baseline-margin': '0.2', 'mlops-threshold': '5' }, 'metadata mlops-baseline-margin: has no effect with mlops-threshold (the threshold rule applies then); give one or the other'],
    [{ 'mlops-tolerance': '-1' }, "metadata mlops-tolerance: must be a non-negative number (got '-1')"],
    [{ 'mlops-tolerance': 'lots' }, "metadata mlops-tolerance: must be a non-negative number (got 'lots')"],
  ])('rejects bad metadata %j', async (metadata, reason) => {
    expect(await rejectionOf({ body: abalone, metadata })).toBe(reason);
    expect(s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([expect.stringMatching(/^runs\/rejected\//)]);
  });
});
