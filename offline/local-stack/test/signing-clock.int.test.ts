/**
 * The S3 front serves callers on both clocks (src/signing-clock.ts): the functions sign on the
 * emulated clock, everyone else on the wall clock. Through the real SDK: each is accepted and
 * answered on its own clock, so the SDK's clock offset stays where it was (a caller answered on
 * the other clock would re-correct and sign its next request on neither); a request off both
 * gets S3's RequestTimeTooSkewed. The emulated caller is a real function in the local Lambda
 * runtime, whose Date runs on the clock (the SDK there signs and reads answers on it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type S3ServiceException } from '@aws-sdk/client-s3';
import { createLocalLambda } from '@mlops/local-lambda';
import { startLocalS3, type LocalS3 } from '../src/local-s3';
import { emulatedClock, formatAmzDate, parseAmzDate, signedOnEmulatedClock, toWallAmzDate } from '../src/signing-clock';

const BUCKET = 'clock-bucket';
const HOUR = 3_600_000;
// Started a minute ago at 100x: the emulated clock is 99 minutes ahead of the wall clock.
const EPOCH_MS = Date.now() - 60_000;
const RATE = 100;
const clock = emulatedClock({ epochMs: EPOCH_MS, rate: RATE });
const root = mkdtempSync(join(tmpdir(), 'signing-clock-'));
let s3: LocalS3;

/** A client whose clock reads `offsetMs` ahead of the wall clock, as the SDK's systemClockOffset does. */
const clientAt = (offsetMs: number) =>
  new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'AKIDANY', secretAccessKey: 'any' }, maxAttempts: 1, systemClockOffset: offsetMs });

beforeAll(async () => {
  s3 = await startLocalS3({ directory: join(root, 'data'), clock });
  await clientAt(0).send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  await s3?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('SigV4 timestamps', () => {
  it('parses and formats SigV4 timestamps, and refuses what is not one', () => {
    expect(formatAmzDate(Date.UTC(2026, 11, 5, 23, 52, 19, 640))).toBe('20261205T235219Z');
    expect(parseAmzDate('20261205T235219Z')).toBe(Date.UTC(2026, 11, 5, 23, 52, 19));
    for (const bad of ['2026-12-05T23:52:19Z', '20261205T235219', 'tomorrow', '']) expect(parseAmzDate(bad)).toBeUndefined();
  });

  it('takes a timestamp for the emulated clock only when it is nearer emulated now than wall now', () => {
    const wall = Date.now();
    expect(signedOnEmulatedClock(formatAmzDate(clock.now()), clock, wall)).toBe(true);
    expect(signedOnEmulatedClock(formatAmzDate(wall), clock, wall)).toBe(false);
    expect(signedOnEmulatedClock(formatAmzDate(wall), undefined, wall)).toBe(false);
    expect(signedOnEmulatedClock('not a date', clock, wall)).toBe(false);
  });

  it('moves an emulated timestamp to the wall instant it stands for, and leaves a wall one alone', () => {
    const wallNow = formatAmzDate(Date.now());
    expect(toWallAmzDate(wallNow, clock)).toBe(wallNow);
    const moved = parseAmzDate(toWallAmzDate(formatAmzDate(clock.now()), clock))!;
    expect(Math.abs(moved - Date.now())).toBeLessThan(2_000);
  });
});

describe('callers on both clocks', () => {
  it('accepts a caller on the wall clock (tests, the AWS CLI) and answers on the wall clock', async () => {
    const client = clientAt(0);
    const before = client.config.systemClockOffset;
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k.txt', Body: 'hello' }));
    await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'k.txt' }));
    expect(await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'k.txt' }))).Body!.transformToString()).toBe('hello');
    // The SDK re-corrects its offset when an answer's Date is more than 5 minutes off its clock.
    expect(Math.abs(client.config.systemClockOffset - before)).toBeLessThan(5 * 60_000);
  });

  it('serves a function whose Date runs on the emulated clock: its calls succeed, its 404 is a plain 404, its SDK keeps its clock', async () => {
    // The function runs in the local Lambda runtime with the stack's clock, as the pipeline's do.
    const lambda = createLocalLambda({
      functions: [{ name: 's3-caller', bundlePath: join(__dirname, 'fixtures/s3-caller.js'), handlerExport: 'handler', timeoutSeconds: 30, environment: { AWS_ACCESS_KEY_ID: 'AKIDANY', AWS_SECRET_ACCESS_KEY: 'any' } }],
      clock: { epochMs: EPOCH_MS, rate: RATE },
    });
    try {
      const results = (await lambda.invoke('s3-caller', { endpoint: s3.endpoint, bucket: BUCKET })) as { name: string; ok: boolean; body?: string; error?: string; skewCorrected?: boolean; offsetMs: number }[];
      expect(results.map(({ name, ok, body, error, skewCorrected }) => ({ name, ok, body, error, skewCorrected }))).toEqual([
        { name: 'put', ok: true, body: undefined, error: undefined, skewCorrected: undefined },
        { name: 'head', ok: true, body: undefined, error: undefined, skewCorrected: undefined },
        { name: 'get', ok: true, body: 'from the function', error: undefined, skewCorrected: undefined },
        // On a wall-clock Date the SDK would count this 404 as a corrected clock skew, and retry it.
        { name: 'missing', ok: false, body: undefined, error: 'NoSuchKey', skewCorrected: false },
      ]);
      // Answered on its own clock, the SDK never moved its offset (it does when a Date is 4+ minutes off).
      for (const r of results) expect(Math.abs(r.offsetMs)).toBeLessThan(240_000);
    } finally {
      await lambda.close();
    }
  });

  it("refuses a request off both clocks with S3's RequestTimeTooSkewed", async () => {
    const error = await clientAt(-3 * HOUR).send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'k.txt' })).then(() => undefined, (e: S3ServiceException) => e);
    expect(error?.$metadata.httpStatusCode).toBe(403);
    const put = await clientAt(-3 * HOUR).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k2.txt', Body: 'x' })).then(() => undefined, (e: S3ServiceException) => e);
    expect(put?.name).toBe('RequestTimeTooSkewed');
  });
});
