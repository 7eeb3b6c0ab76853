import { createLocalLambda, LambdaServiceError, type LocalLambda } from '../src';
import { handlerSpec, rejectionOf } from './helpers';

type Slept = { slept: number; pid: number };

describe('concurrency', () => {
  let lambda: LocalLambda | undefined;
  afterEach(async () => {
    await lambda?.close();
    lambda = undefined;
  });

  it('serves concurrent invokes from separate environments, then reuses them warm', async () => {
    lambda = createLocalLambda({ functions: [handlerSpec('sleeps')] });
    const [a, b] = await Promise.all([
      lambda.invokeWithDetails('sleeps', { ms: 300 }),
      lambda.invokeWithDetails('sleeps', { ms: 300 }),
    ]);
    expect((a.payload as Slept).pid).not.toBe((b.payload as Slept).pid);
    expect([a.coldStart, b.coldStart]).toEqual([true, true]);
    expect(lambda.stats().sleeps).toMatchObject({ invocations: 2, coldStarts: 2, instances: 2 });

    const [c, d] = await Promise.all([lambda.invokeWithDetails('sleeps', { ms: 50 }), lambda.invokeWithDetails('sleeps', { ms: 50 })]);
    expect([c.coldStart, d.coldStart]).toEqual([false, false]);
    expect(new Set([c, d].map((r) => (r.payload as Slept).pid))).toEqual(new Set([a, b].map((r) => (r.payload as Slept).pid)));
    expect(lambda.stats().sleeps?.coldStarts).toBe(2);
  });

  it('queues invokes beyond the local instance cap instead of failing them', async () => {
    lambda = createLocalLambda({ functions: [handlerSpec('sleeps')], maxConcurrencyPerFunction: 1 });
    const results = await Promise.all([1, 2, 3].map(() => lambda!.invokeWithDetails('sleeps', { ms: 50 })));
    expect(new Set(results.map((r) => (r.payload as Slept).pid)).size).toBe(1);
    expect(results.filter((r) => r.coldStart)).toHaveLength(1);
    expect(lambda.stats().sleeps).toMatchObject({ invocations: 3, coldStarts: 1, instances: 1, throttles: 0 });
  });

  it('throttles beyond reserved concurrency with Lambda.TooManyRequestsException', async () => {
    lambda = createLocalLambda({ functions: [handlerSpec('sleeps', { reservedConcurrency: 1 })] });
    const first = lambda.invoke('sleeps', { ms: 500 });
    const err = await rejectionOf(lambda.invoke('sleeps', { ms: 1 }));
    expect(err).toBeInstanceOf(LambdaServiceError);
    expect(err).toMatchObject({ name: 'Lambda.TooManyRequestsException', message: 'Rate Exceeded.', statusCode: 429 });
    await expect(first).resolves.toMatchObject({ slept: 500 });
    await expect(lambda.invoke('sleeps', { ms: 1 })).resolves.toMatchObject({ slept: 1 });
    expect(lambda.stats().sleeps).toMatchObject({ invocations: 2, throttles: 1 });
  });

  it('throttles every invoke of a function with reserved concurrency 0', async () => {
    lambda = createLocalLambda({ functions: [handlerSpec('counter', { reservedConcurrency: 0 })] });
    await expect(lambda.invoke('counter', {})).rejects.toMatchObject({ name: 'Lambda.TooManyRequestsException' });
  });
});

describe('fault injection', () => {
  let lambda: LocalLambda | undefined;
  afterEach(async () => {
    await lambda?.close();
    lambda = undefined;
  });

  it('fails the first invokes with service errors before the handler runs', async () => {
    const seen: Array<[string, number]> = [];
    lambda = createLocalLambda({
      functions: [handlerSpec('counter'), handlerSpec('context')],
      faults: {
        before(fn, attempt) {
          seen.push([fn, attempt]);
          if (fn !== 'counter') return undefined;
          if (attempt === 1) return { name: 'Lambda.ServiceException', message: 'Lambda is unavailable' };
          if (attempt === 2) return { name: 'Lambda.TooManyRequestsException', message: 'Rate Exceeded.' };
          return undefined;
        },
      },
    });
    await expect(lambda.invoke('counter', {})).rejects.toMatchObject({ name: 'Lambda.ServiceException', message: 'Lambda is unavailable', statusCode: 500 });
    await expect(lambda.invoke('counter', {})).rejects.toMatchObject({ name: 'Lambda.TooManyRequestsException', statusCode: 429 });
    // The handler never ran for the failed attempts: its module counter starts at 1.
    await expect(lambda.invoke('counter', {})).resolves.toMatchObject({ invocations: 1 });
    await lambda.invoke('context', {});
    expect(seen).toEqual([
      ['counter', 1],
      ['counter', 2],
      ['counter', 3],
      ['context', 1],
    ]);
    expect(lambda.stats().counter).toMatchObject({ invocations: 1, injectedFaults: 2, errors: 0, coldStarts: 1 });
  });
});
