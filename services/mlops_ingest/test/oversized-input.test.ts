/**
 * Uploads whose own strings are huge (a 1 MB header line, a 1 MB column name, long class labels)
 * end in a clear, recorded rejection, not in a failed invocation that Lambda retries: the reason
 * is capped (the function's result must pass the 256 KiB payload check) and a run whose execution
 * input would be too large for Step Functions is refused before StartExecution.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_STATE_PAYLOAD_BYTES, runIdFor, type IngestOutput } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { MAX_EXECUTION_INPUT_BYTES } from '../src/execution';
import { handler } from '../src/handler';
import { MAX_REASON_CHARS } from '../src/ingest';
import { MAX_CATEGORY_CHARS } from '../src/profile';
import { lambdaContextFor, FakeBucket, md5 } from '@mlops/testing';
import { BUCKET, STATE_MACHINE_ARN, s3Event } from './helpers';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
const context = lambdaContextFor('mlops-test-mlops_ingest');
const savedEnv = process.env;
/** Past the 256 KiB payload limit: enough to show the caps (the 1 MB case runs end to end in test/bad-input). */
const BIG = 300_000;
const key = 'incoming/huge.csv';
let bucket: FakeBucket;

beforeAll(() => {
  logger.setLogLevel('SILENT');
  // MAX_CLASSES raised: at the default 100, classes of at most MAX_CATEGORY_CHARS fit in an execution input.
  process.env = { ...savedEnv, AWS_REGION: 'us-east-1', STAGE: 'test', DATA_BUCKET: BUCKET, NAME_PREFIX: 'mlops-test', INCOMING_PREFIX: 'incoming/', STATE_MACHINE_ARN, MAX_CLASSES: '1000' };
});
afterAll(() => {
  process.env = savedEnv;
});
// The rejections are logged at WARN on purpose; keep them out of the test output.
beforeEach(() => jest.spyOn(logger, 'warn').mockImplementation(() => undefined));
afterEach(() => jest.restoreAllMocks());
beforeEach(() => {
  s3Mock.reset();
  sfnMock.reset();
  bucket = new FakeBucket(s3Mock, { chunkSize: 256 * 1024 });
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:x`, startDate: new Date(0) });
});

const rows = (n: number, row: (i: number) => string) => `${Array.from({ length: n }, (_, i) => row(i)).join('\n')}\n`;

async function rejectionOf(body: string, metadata: Record<string, string> = {}): Promise<string> {
  bucket.put(key, { body, metadata });
  const output = (await handler(s3Event({ key }), context)) as IngestOutput;
  expect(Buffer.byteLength(JSON.stringify(output))).toBeLessThan(MAX_STATE_PAYLOAD_BYTES);
  expect(output.runs).toEqual([]);
  expect(output.rejected).toHaveLength(1);
  expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 0);
  const { reason } = output.rejected[0]!;
  const record = bucket.json<{ key: string; reason: string }>(`runs/rejected/${runIdFor({ bucket: BUCKET, key, etag: md5(body) })}.json`);
  expect(record).toMatchObject({ key, reason });
  return reason;
}

describe('oversized uploads', () => {
  it('rejects a 300 KB first line read as data with a capped reason, not a PayloadTooLargeError failure', async () => {
    const reason = await rejectionOf(`a,b,${'y'.repeat(BIG)}\n${rows(40, (i) => `${i},${i % 7},${i % 5}`)}`);
    expect(reason).toMatch(/^line 1 \(data row 1\): the regression label 'yyy/);
    expect(reason).toMatch(/\.\.\. \(\d+ more characters\)$/);
    expect(reason.length).toBeLessThan(MAX_REASON_CHARS + 40);
  });

  it('rejects a 300 KB header of 40000 columns and an unknown target, listing the columns only in part', async () => {
    const header = Array.from({ length: 40_000 }, (_, i) => `col${i}`).join(',');
    const reason = await rejectionOf(`${header}\n${rows(40, () => 'x')}`, { 'mlops-header': 'true', 'mlops-target': 'rings' });
    expect(reason).toMatch(/^target column 'rings' is not in the file: its 40000 columns are col0, col1, /);
    expect(reason.length).toBeLessThan(MAX_REASON_CHARS + 40);
  });

  it('refuses a run whose target column name would make the execution input too large, before StartExecution', async () => {
    const reason = await rejectionOf(`a,b,${'t'.repeat(BIG)}\n${rows(40, (i) => `${i},${i % 7},${i % 5}`)}`, { 'mlops-header': 'true' });
    expect(reason).toMatch(new RegExp(`^the run's execution input would be \\d+ bytes, over the ${MAX_EXECUTION_INPUT_BYTES} bytes a run may start with: the target column's name has ${BIG} characters`));
  });

  it('refuses a class label longer than MAX_CATEGORY_CHARS, naming its line', async () => {
    const labels = ['a', 'b', 'c'].map((c) => c.repeat(25_000));
    const reason = await rejectionOf(rows(30, (i) => `${i},${i % 4},${labels[i % 3]}`), { 'mlops-problem': 'classification' });
    expect(reason).toBe(`the classification target 'column_2' has a value of 25000 characters on line 1, over the ${MAX_CATEGORY_CHARS} a class may have (MAX_CATEGORY_CHARS)`);
  });

  it('refuses a classification run whose class labels would make the execution input too large', async () => {
    const labels = Array.from({ length: 300 }, (_, i) => `${String(i).padStart(3, '0')}${'c'.repeat(250)}`);
    const reason = await rejectionOf(rows(900, (i) => `${i},${i % 4},${labels[i % 300]}`), { 'mlops-problem': 'classification' });
    expect(reason).toMatch(/execution input would be \d+ bytes.*the class labels 75900$/);
  });

  it('still starts a run whose labels are long but fit', async () => {
    const labels = ['a', 'b', 'c'].map((c) => c.repeat(MAX_CATEGORY_CHARS));
    bucket.put(key, { body: rows(60, (i) => `${i},${i % 4},${labels[i % 3]}`), metadata: { 'mlops-problem': 'classification' } });
    await expect(handler(s3Event({ key }), context)).resolves.toMatchObject({ runs: [{ key, status: 'started' }], rejected: [] });
  });
});
