/**
 * The scheduler's time. No package this one may import exports a clock type with a way to wait (the
 * offline stack's emulated clock, offline/local-stack/src/signing-clock.ts, and local-sagemaker's Clock
 * only read the time), so this is the minimal one: read the time, wait a span of that time.
 * `scaledClock` is the stack's emulated clock: pass it the same `{ epochMs, rate }` the stack makes
 * with continuedClock(1 / waitScale, ...), and schedules fire on the time SageMaker and the functions see.
 */

export interface SchedulerClock {
  now(): Date;
  /**
   * Resolves once `ms` milliseconds of this clock's time have passed, or at once when `signal` is
   * (or becomes) aborted. Never rejects.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function realSleep(realMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    // setTimeout takes at most 2^31-1 ms; a longer wait wakes early and the scheduler waits again.
    const timer = setTimeout(done, Math.min(Math.max(0, realMs), 2 ** 31 - 1));
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The wall clock. */
export const systemClock: SchedulerClock = {
  now: () => new Date(),
  sleep: realSleep,
};

/**
 * A clock running `rate` times faster than the wall clock from `epochMs` on (the offline stack's
 * emulated clock: now = epoch + (Date.now() - epoch) × rate). A wait of `ms` takes ms / rate real ms.
 */
export function scaledClock({ epochMs, rate }: { epochMs: number; rate: number }): SchedulerClock {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`clock rate must be a positive number, got ${rate}`);
  return {
    now: () => new Date(Math.round(epochMs + (Date.now() - epochMs) * rate)),
    sleep: (ms, signal) => realSleep(ms / rate, signal),
  };
}

/**
 * A clock that moves only when told (tests): `advance(ms)` moves time forward and wakes, in time
 * order, every sleeper whose time has come, letting each one's continuation run before the next.
 */
export class ManualClock implements SchedulerClock {
  private nowMs: number;
  private sleepers: { until: number; resolve: () => void }[] = [];

  constructor(start: Date | number = Date.UTC(2024, 0, 1)) {
    this.nowMs = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = {
        until: this.nowMs + Math.max(0, ms),
        resolve: () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          signal?.removeEventListener('abort', sleeper.resolve);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', sleeper.resolve, { once: true });
    });
  }

  /** Sleepers waiting now (a test can check nothing is left waiting). */
  get pending(): number {
    return this.sleepers.length;
  }

  /** Moves time forward by `ms`, waking due sleepers in order; resolves when their work has settled. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new Error(`a ManualClock only moves forward (advance by ${ms} ms)`);
    const target = this.nowMs + ms;
    for (;;) {
      await settle();
      const due = this.sleepers.filter((s) => s.until <= target).sort((a, b) => a.until - b.until)[0];
      if (!due) break;
      this.nowMs = Math.max(this.nowMs, due.until);
      due.resolve();
    }
    this.nowMs = target;
    await settle();
  }

  /**
   * Moves time forward at once, as a host that was suspended sees it: every sleeper due meanwhile
   * wakes at the new time, late.
   */
  async jump(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new Error(`a ManualClock only moves forward (jump by ${ms} ms)`);
    this.nowMs += ms;
    await this.advance(0);
  }

  /** Moves time forward to `date` (see advance). */
  advanceTo(date: Date | number): Promise<void> {
    return this.advance((typeof date === 'number' ? date : date.getTime()) - this.nowMs);
  }
}

/** Lets pending promise continuations (and what they start) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
