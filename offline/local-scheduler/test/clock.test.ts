/**
 * The clocks: scaledClock reads and waits the offline stack's emulated time (jest's fake timers stand
 * in for the wall clock, so nothing waits for real); ManualClock wakes sleepers in time order.
 */
import { LocalScheduler, ManualClock, scaledClock, type Invocation } from '../src';

describe('scaledClock', () => {
  const EPOCH = Date.UTC(2024, 5, 3, 9, 0, 0);

  beforeEach(() => jest.useFakeTimers({ now: EPOCH }));
  afterEach(() => jest.useRealTimers());

  it('runs `rate` times faster than the wall clock from its epoch, as the stack\'s emulated clock', () => {
    const clock = scaledClock({ epochMs: EPOCH, rate: 100 });
    expect(clock.now().toISOString()).toBe('2024-06-03T09:00:00.000Z');
    jest.advanceTimersByTime(600); // 0.6 s of wall time
    expect(clock.now().toISOString()).toBe('2024-06-03T09:01:00.000Z');
  });

  it('waits ms / rate of wall time, and wakes at once when aborted', async () => {
    const clock = scaledClock({ epochMs: EPOCH, rate: 100 });
    let woke = false;
    const sleeping = clock.sleep(60_000).then(() => (woke = true));
    jest.advanceTimersByTime(599);
    await Promise.resolve();
    expect(woke).toBe(false);
    jest.advanceTimersByTime(1);
    await sleeping;
    expect(woke).toBe(true);

    const controller = new AbortController();
    const aborted = clock.sleep(3_600_000, controller.signal);
    expect(jest.getTimerCount()).toBe(1);
    controller.abort();
    await aborted;
    expect(jest.getTimerCount()).toBe(0);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => scaledClock({ epochMs: EPOCH, rate: 0 })).toThrow('clock rate must be a positive number, got 0');
  });

  it('drives the scheduler: a 5-minute rate fires every 3 s of wall time at rate 100', async () => {
    const clock = scaledClock({ epochMs: EPOCH, rate: 100 });
    const scheduler = new LocalScheduler({ clock, logger: { info() {}, warn() {}, error() {} } });
    const calls: Invocation[] = [];
    scheduler.add({ name: 'r', expression: 'rate(5 minutes)', target: (i) => void calls.push(i) });
    scheduler.start();
    for (let i = 0; i < 3; i++) await jest.advanceTimersByTimeAsync(3000);
    expect(calls.map((c) => c.scheduledTime)).toEqual(['2024-06-03T09:00:00Z', '2024-06-03T09:05:00Z', '2024-06-03T09:10:00Z', '2024-06-03T09:15:00Z']);
    await scheduler.stop();
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('ManualClock', () => {
  it('wakes sleepers in time order at their own time, and counts those left', async () => {
    const clock = new ManualClock(Date.UTC(2024, 0, 1));
    const woke: string[] = [];
    void clock.sleep(3000).then(() => woke.push(`b@${clock.now().toISOString()}`));
    void clock.sleep(1000).then(() => woke.push(`a@${clock.now().toISOString()}`));
    void clock.sleep(9000).then(() => woke.push('c'));
    expect(clock.pending).toBe(3);
    await clock.advance(5000);
    expect(woke).toEqual(['a@2024-01-01T00:00:01.000Z', 'b@2024-01-01T00:00:03.000Z']);
    expect(clock.now().toISOString()).toBe('2024-01-01T00:00:05.000Z');
    expect(clock.pending).toBe(1);
  });

  it('only moves forward', async () => {
    const clock = new ManualClock(Date.UTC(2024, 0, 1));
    await expect(clock.advance(-1)).rejects.toThrow('a ManualClock only moves forward (advance by -1 ms)');
    await expect(clock.advanceTo(Date.UTC(2023, 0, 1))).rejects.toThrow(/only moves forward/);
  });

  it('jump() wakes the due sleepers late, at the new time', async () => {
    const clock = new ManualClock(Date.UTC(2024, 0, 1));
    let at = '';
    void clock.sleep(1000).then(() => (at = clock.now().toISOString()));
    await clock.jump(60_000);
    expect(at).toBe('2024-01-01T00:01:00.000Z');
  });
});
