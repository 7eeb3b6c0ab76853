/**
 * The deployed entry point: the event contract is checked before any AWS call, and a malformed
 * event is an InputValidationError naming the field.
 */
import fc from 'fast-check';
import type { InputValidationError } from '@mlops/common';
import { FakeBucket, loadHandler, withValueAt, type LoadedHandler } from '@mlops/testing';
import { event, fixture } from './helpers';

// The function's `local` stage environment, its S3 and Step Functions clients mocked in a fresh module registry.
const start = loadHandler({ name: 'mlops_ingest', clients: ['s3', 'sfn'], module: () => require('../src/handler') });
let loaded: LoadedHandler<'s3' | 'sfn'>;
beforeEach(() => {
  loaded = start();
});
const sample = event('s3-put-abalone.json');

const setAt = (root: unknown, path: string, value: unknown) => withValueAt(root, path.split('.'), value);

async function expectRejected(input: unknown, field: string): Promise<void> {
  const error = await loaded.handler(input, loaded.context).then(
    () => undefined,
    (e: unknown) => e,
  );
  // By name: the handler's @mlops/common is its fresh registry's copy, not this file's.
  expect(error).toMatchObject({ name: 'InputValidationError' });
  const issues = (error as InputValidationError).issues;
  expect(issues.some((issue) => issue.path === field || issue.path.startsWith(`${field}.`))).toBe(true);
  expect((error as Error).message).toMatch(/^Invalid mlops_ingest input: /);
  expect(loaded.mocks.s3.calls()).toHaveLength(0);
  expect(loaded.mocks.sfn.calls()).toHaveLength(0);
}

describe('mlops_ingest handler', () => {
  it('ingests the sample event end to end with the configured environment', async () => {
    const rows = fixture('abalone-1000.csv').split('\n').slice(0, 50).join('\n');
    const { handler, context, mocks, sdk } = loaded;
    new FakeBucket(mocks.s3, { sdk: sdk.s3 }).put('incoming/abalone.csv', { body: rows, etag: 'a769fd0119787cac09158fe08971e480' });
    mocks.sfn.on(sdk.sfn.StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:mlops-test-pipeline:abalone-x', startDate: new Date(0) });

    const output = await handler(sample, context);
    expect(output).toMatchObject({ runs: [{ key: 'incoming/abalone.csv', status: 'started' }], skipped: [], rejected: [] });
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
