/**
 * The functions reach the local services through fronts that answer them on their own clock
 * (src/clock-front.ts). A real function in the local Lambda runtime (its Date on the emulated
 * clock) asks the local SQS for a queue that does not exist: answered on the wall clock, the SDK
 * takes the error for a clock skew and retries it (spending its retry quota); through the front, it
 * is answered once.
 */
import { join } from 'node:path';
import { createLocalLambda, type LocalLambda } from '@mlops/local-lambda';
import { startLocalSqs, type LocalSqs } from '@mlops/local-sqs';
import { startClockFront } from '../src/clock-front';
import type { FaultProxy } from '../src/fault-proxy';
import { emulatedClock, formatAmzDate } from '../src/signing-clock';

// Started a minute ago at 100x: the emulated clock is 99 minutes ahead of the wall clock.
const EPOCH_MS = Date.now() - 60_000;
const RATE = 100;
let sqs: LocalSqs;
let front: FaultProxy;
let lambda: LocalLambda;

beforeAll(async () => {
  sqs = await startLocalSqs();
  front = await startClockFront(() => sqs.endpoint, emulatedClock({ epochMs: EPOCH_MS, rate: RATE }));
  lambda = createLocalLambda({
    functions: [{ name: 'sqs-caller', bundlePath: join(__dirname, 'fixtures/sqs-caller.js'), handlerExport: 'handler', timeoutSeconds: 30, environment: { AWS_ACCESS_KEY_ID: 'AKIDANY', AWS_SECRET_ACCESS_KEY: 'any' } }],
    clock: { epochMs: EPOCH_MS, rate: RATE },
  });
});
afterAll(async () => {
  await lambda?.close();
  await front?.close();
  await sqs?.close();
});

it('without the front, a function takes a wall-clock answer for a clock skew and retries a plain "does not exist"', async () => {
  expect(await lambda.invoke('sqs-caller', { endpoint: sqs.endpoint })).toEqual({ error: 'QueueDoesNotExist', attempts: 3, skewCorrected: true });
});

it('through the front, the function is answered on its clock: one attempt', async () => {
  expect(await lambda.invoke('sqs-caller', { endpoint: front.endpoint })).toEqual({ error: 'QueueDoesNotExist', attempts: 1, skewCorrected: false });
});

it("a caller on the wall clock keeps the service's own Date", async () => {
  const res = await fetch(`${front.endpoint}/`, { method: 'POST', headers: { 'x-amz-date': formatAmzDate(Date.now()) } });
  expect(Math.abs(Date.parse(res.headers.get('date')!) - Date.now())).toBeLessThan(5_000);
});
