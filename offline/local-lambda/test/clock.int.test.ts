/**
 * The offline stack scales its waits (100x faster by default); with `clock`, the functions' Date
 * runs at the same rate, so a handler measuring elapsed time sees what the waits stand for.
 */
import { createLocalLambda, type LocalLambda } from '../src';
import { handlerSpec } from './helpers';

describe('the emulated clock', () => {
  let lambda: LocalLambda;
  const epochMs = Date.now() - 1000;
  afterAll(() => lambda.close());

  it('runs Date.now() and new Date() at the rate from the epoch; dates from values, instanceof and the environment stay as they were', async () => {
    lambda = createLocalLambda({ functions: [handlerSpec('clock')], clock: { epochMs, rate: 100 } });
    const realBefore = Date.now();
    const payload = await lambda.invoke('clock', {});
    const realAfter = Date.now();
    const result = payload as { now: number; constructed: number; fromValue: string; isDate: boolean; leaked: string | null };
    // At least 1 s of real time since the epoch: at least 100 s of emulated time.
    expect(result.now).toBeGreaterThanOrEqual(epochMs + (realBefore - epochMs) * 100 - 5);
    expect(result.now).toBeLessThanOrEqual(epochMs + (realAfter - epochMs) * 100 + 5);
    expect(Math.abs(result.constructed - result.now)).toBeLessThan(1000);
    expect(result.fromValue).toBe('1970-01-01T00:00:00.000Z');
    expect(result.isDate).toBe(true);
    expect(result.leaked).toBeNull();
  });
});
