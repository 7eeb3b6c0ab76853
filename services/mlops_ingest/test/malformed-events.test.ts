/**
 * Every way to break mlops_ingest's input contract (the S3 event, generated from the zod schema,
 * see @mlops/testing's arbitraries.ts) is refused with an InputValidationError naming the field,
 * before any AWS call. In a multi-record event a single bad record refuses the whole event, even
 * when the records before it are valid: keys are decoded and records validated before the first call.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { S3EventSchema } from '@mlops/common';
import { sweepViolations, type Violation, mockEveryClient, useFunctionEnvironment, lambdaContextFor } from '@mlops/testing';
import multiRecord from '../events/s3-multi-record.json';
import single from '../events/s3-put-abalone.json';
import { handler } from '../src/handler';

const mocks = mockEveryClient();
useFunctionEnvironment('mlops_ingest');

/** Keys S3 could never have URL-encoded: the handler refuses them by path, before reading anything. */
const badlyEncodedKey = (record: number): Violation => ({
  path: ['Records', String(record), 's3', 'object', 'key'],
  kind: 'not valid URL encoding',
  values: fc.oneof(
    fc.constantFrom('%', 'incoming/%zz.csv', 'incoming/bad%E0%A4%A.csv', 'incoming/%C3%28.csv', 'incoming/%ED%A0%80.csv'),
    fc.string({ maxLength: 20 }).map((s) => `incoming/${encodeURIComponent(s)}%`),
  ),
});

describe('mlops_ingest malformed events', () => {
  it('reaches S3 through the mocked client with the valid sample (the control)', async () => {
    mocks.s3.on(HeadObjectCommand).rejects(Object.assign(new Error('stop here'), { name: 'SlowDown' }));
    await expect(handler(single, lambdaContextFor('mlops-local-mlops_ingest'))).rejects.toThrow('stop here');
    expect(mocks.s3.calls().length).toBeGreaterThan(0);
  });

  it('refuses every contract violation of a one-record event by field name, with zero SDK calls (property)', async () => {
    const { violations, cases } = await sweepViolations({ name: 'mlops_ingest', handler, schema: S3EventSchema, sample: single, mocks, runsPerViolation: 15, extra: [badlyEncodedKey(0)] });
    const paths = new Set(violations.map((v) => v.path.join('.')));
    for (const p of ['', 'Records', 'Records.0.eventSource', 'Records.0.eventName', 'Records.0.s3.bucket.name', 'Records.0.s3.object.key', 'Records.0.s3.object.size', 'Records.0.s3.object.versionId']) {
      expect(paths).toContain(p);
    }
    // Each field the handler needs is both removed and given a value of each wrong JSON type.
    const broken = (kind: string) => new Set(violations.filter((v) => v.kind === kind).map((v) => v.path.join('.')));
    const [missing, mistyped] = [broken('missing'), broken('wrong type')];
    for (const p of ['Records', 'Records.0.eventSource', 'Records.0.eventName', 'Records.0.s3', 'Records.0.s3.bucket', 'Records.0.s3.bucket.name', 'Records.0.s3.object', 'Records.0.s3.object.key']) {
      expect({ p, missing: missing.has(p), mistyped: mistyped.has(p) }).toEqual({ p, missing: true, mistyped: true });
    }
    expect(cases).toBeGreaterThan(400);
  });

  it('refuses a multi-record event when any one record is malformed, with zero SDK calls (property)', async () => {
    const { violations } = await sweepViolations({
      name: 'mlops_ingest',
      handler,
      schema: S3EventSchema,
      sample: multiRecord,
      mocks,
      everyElement: true,
      extra: [badlyEncodedKey(0), badlyEncodedKey(1)],
    });
    // The second record is broken in every way the first is, while the first stays valid.
    const second = violations.filter((v) => v.path[1] === '1').map((v) => `${v.path.slice(2).join('.')} ${v.kind}`);
    const first = violations.filter((v) => v.path[1] === '0').map((v) => `${v.path.slice(2).join('.')} ${v.kind}`);
    expect(second.sort()).toEqual(first.sort());
  });
});
