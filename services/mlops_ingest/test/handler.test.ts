/**
 * The deployed entry point: the event contract is checked before any AWS call, and a malformed
 * event is an InputValidationError naming the field.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { InputValidationError } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { handler } from '../src/handler';
import { lambdaContextFor, withValueAt } from '@mlops/testing';
import { BUCKET, FakeBucket, STATE_MACHINE_ARN, event, fixture } from './helpers';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
const sample = event('s3-put-abalone.json');
const context = lambdaContextFor('mlops-test-mlops_ingest');
const savedEnv = process.env;

beforeAll(() => {
  logger.setLogLevel('SILENT');
  process.env = { ...savedEnv, AWS_REGION: 'us-east-1', STAGE: 'test', DATA_BUCKET: BUCKET, NAME_PREFIX: 'mlops-test', INCOMING_PREFIX: 'incoming/', STATE_MACHINE_ARN };
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(() => {
  s3Mock.reset();
  sfnMock.reset();
});

const setAt = (root: unknown, path: string, value: unknown) => withValueAt(root, path.split('.'), value);

async function expectRejected(input: unknown, field: string): Promise<void> {
  const error = await handler(input, context).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputValidationError);
  const issues = (error as InputValidationError).issues;
  expect(issues.some((issue) => issue.path === field || issue.path.startsWith(`${field}.`))).toBe(true);
  expect((error as Error).message).toMatch(/^Invalid mlops_ingest input: /);
  expect(s3Mock.calls()).toHaveLength(0);
  expect(sfnMock.calls()).toHaveLength(0);
}

describe('mlops_ingest handler', () => {
  it('ingests the sample event end to end with the configured environment', async () => {
    const rows = fixture('abalone-1000.csv').split('\n').slice(0, 50).join('\n');
    new FakeBucket(s3Mock).put('incoming/abalone.csv', { body: rows, etag: 'a769fd0119787cac09158fe08971e480' });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:mlops-test-pipeline:abalone-x', startDate: new Date(0) });

    const output = await handler(sample, context);
    expect(output).toMatchObject({ runs: [{ key: 'incoming/abalone.csv', status: 'started' }], skipped: [], rejected: [] });
  });

  const required = [
    'Records',
    'Records.0.eventSource',
    'Records.0.eventName',
    'Records.0.s3',
    'Records.0.s3.bucket',
    'Records.0.s3.bucket.name',
    'Records.0.s3.object',
    'Records.0.s3.object.key',
  ];
  const wrongType = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }));

  it('rejects a missing or mistyped field by name, with zero AWS calls', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...required), wrongType, (path, value) => expectRejected(setAt(sample, path, value), path)));
  });

  it('rejects wrong values of the right type by name, with zero AWS calls', async () => {
    const cases = fc.oneof(
      fc.record({ path: fc.constant('Records.0.eventSource'), value: fc.string().filter((s) => s !== 'aws:s3') }),
      fc.record({ path: fc.constant('Records.0.eventName'), value: fc.string().filter((s) => !s.startsWith('ObjectCreated:')) }),
      fc.record({ path: fc.constant('Records.0.s3.bucket.name'), value: fc.string({ maxLength: 2 }) }),
      fc.record({ path: fc.constant('Records.0.s3.object.key'), value: fc.constant('') }),
      fc.record({ path: fc.constant('Records.0.s3.object.size'), value: fc.oneof(fc.integer({ max: -1 }), fc.double().filter((x) => !Number.isInteger(x)), fc.string()) }),
      fc.record({ path: fc.constant('Records'), value: fc.constant([]) }),
    );
    await fc.assert(fc.asyncProperty(cases, ({ path, value }) => expectRejected(setAt(sample, path, value), path)));
  });

  it('rejects an event that is not an object', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.integer())), (input) => expectRejected(input, '')));
  });

  it('rejects a key that is not valid URL encoding before any AWS call', async () => {
    await expectRejected(setAt(sample, 'Records.0.s3.object.key', 'incoming/bad%E0%A4%A.csv'), 'Records.0.s3.object.key');
  });
});
