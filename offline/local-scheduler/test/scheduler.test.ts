/**
 * LocalScheduler on a ManualClock: fires at the right instants with Scheduler's context attributes,
 * retries per the RetryPolicy and hands what fails for good to the dead-letter function, stops
 * cleanly, and neither fires disabled schedules nor replays what passed while stopped. Nothing here
 * waits on the wall clock: time moves only when a test advances it.
 */
import {
  ConflictException,
  type DeadLetterRecord,
  type Invocation,
  LocalScheduler,
  type LocalSchedulerOptions,
  type Logger,
  ManualClock,
  ResourceNotFoundException,
  type ScheduleDefinition,
  ValidationException,
} from '../src';

const START = new Date('2024-06-03T09:00:30Z');
const MINUTE = 60_000;
const ARN = 'arn:aws:scheduler:eu-west-1:111122223333:schedule/default/every-15';

interface Call extends Invocation {
  /** The clock when the target was called. */
  at: string;
}

function setup(options: Partial<LocalSchedulerOptions> = {}) {
  const clock = new ManualClock(START);
  const logs: { level: string; message: string; details?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    debug: (message, details) => logs.push({ level: 'debug', message, ...(details ? { details } : {}) }),
    info: (message, details) => logs.push({ level: 'info', message, ...(details ? { details } : {}) }),
    warn: (message, details) => logs.push({ level: 'warn', message, ...(details ? { details } : {}) }),
    error: (message, details) => logs.push({ level: 'error', message, ...(details ? { details } : {}) }),
  };
  const scheduler = new LocalScheduler({ clock, logger, region: 'eu-west-1', accountId: '111122223333', ...options });
  const calls: Call[] = [];
  /** A target that records its calls and runs `behaviour` (default: succeed). */
  const target =
    (behaviour: (call: Call) => unknown = () => undefined) =>
    async (invocation: Invocation) => {
      const call = { ...invocation, at: clock.now().toISOString() };
      calls.push(call);
      await behaviour(call);
    };
  const schedule = (def: Partial<ScheduleDefinition> & Pick<ScheduleDefinition, 'expression'>): ScheduleDefinition => ({ name: 'every-15', target: target(), ...def });
  return { clock, scheduler, logs, calls, target, schedule };
}

function failing(message = 'target down'): never {
  throw new Error(message);
}

describe('firing', () => {
  it('fires a cron schedule at its instants, with the context attributes substituted in the input', async () => {
    const { clock, scheduler, calls, schedule } = setup();
    const input = '{"time":"<aws.scheduler.scheduled-time>","arn":"<aws.scheduler.schedule-arn>","id":"<aws.scheduler.execution-id>","attempt":<aws.scheduler.attempt-number>}';
    expect(scheduler.add(schedule({ expression: 'cron(0/15 * * * ? *)', input }))).toEqual({ scheduleArn: ARN });
    scheduler.start();
    await clock.advance(45 * MINUTE);
    expect(calls.map((c) => c.at)).toEqual(['2024-06-03T09:15:00.000Z', '2024-06-03T09:30:00.000Z', '2024-06-03T09:45:00.000Z']);
    expect(calls.map((c) => c.scheduledTime)).toEqual(['2024-06-03T09:15:00Z', '2024-06-03T09:30:00Z', '2024-06-03T09:45:00Z']);
    for (const call of calls) {
      expect(call).toMatchObject({ scheduleArn: ARN, scheduleName: 'every-15', groupName: 'default', attempt: 1 });
      expect(call.executionId).toMatch(/^[a-z0-9]{16}$/);
      expect(JSON.parse(call.input!)).toEqual({ time: call.scheduledTime, arn: ARN, id: call.executionId, attempt: 1 });
    }
    expect(new Set(calls.map((c) => c.executionId)).size).toBe(3);
    expect(scheduler.invocations().map((r) => [r.scheduledTime, r.status, r.attempts])).toEqual([
      ['2024-06-03T09:15:00Z', 'succeeded', 1],
      ['2024-06-03T09:30:00Z', 'succeeded', 1],
      ['2024-06-03T09:45:00Z', 'succeeded', 1],
    ]);
    await scheduler.stop();
  });

  it('fires a rate schedule at creation ("immediately"), then every interval; with a StartDate from then', async () => {
    const { clock, scheduler, calls, schedule } = setup();
    scheduler.start();
    scheduler.add(schedule({ name: 'now', expression: 'rate(10 minutes)' }));
    scheduler.add(schedule({ name: 'later', expression: 'rate(1 hour)', startDate: new Date('2024-06-03T09:20:00Z') }));
    await clock.advance(60 * MINUTE);
    const times = (name: string) => calls.filter((c) => c.scheduleName === name).map((c) => c.scheduledTime);
    expect(times('now')).toEqual(['2024-06-03T09:00:30Z', '2024-06-03T09:10:30Z', '2024-06-03T09:20:30Z', '2024-06-03T09:30:30Z', '2024-06-03T09:40:30Z', '2024-06-03T09:50:30Z', '2024-06-03T10:00:30Z']);
    expect(times('later')).toEqual(['2024-06-03T09:20:00Z']);
    await scheduler.stop();
  });

  it('fires cron in its time zone across a DST change: once in the repeated hour, never in the gap', async () => {
    const { clock, scheduler, calls, schedule } = setup();
    await clock.advanceTo(new Date('2024-11-02T12:00:00Z'));
    scheduler.add(schedule({ name: 'fall', expression: 'cron(30 1 * * ? *)', timezone: 'America/New_York' }));
    scheduler.start();
    await clock.advanceTo(new Date('2024-11-05T00:00:00Z'));
    expect(calls.map((c) => c.at)).toEqual(['2024-11-03T05:30:00.000Z', '2024-11-04T06:30:00.000Z']);
    await scheduler.stop();

    calls.length = 0;
    scheduler.remove('fall');
    await clock.advanceTo(new Date('2025-03-07T12:00:00Z'));
    scheduler.add(schedule({ name: 'spring', expression: 'cron(30 2 * * ? *)', timezone: 'America/New_York' }));
    scheduler.start();
    await clock.advanceTo(new Date('2025-03-11T12:00:00Z'));
    // 9 March 2025: 02:00 -> 03:00 in New York; 02:30 does not exist that day.
    expect(calls.map((c) => c.at)).toEqual(['2025-03-08T07:30:00.000Z', '2025-03-10T06:30:00.000Z', '2025-03-11T06:30:00.000Z']);
    await scheduler.stop();
  });

  it('fires an at() schedule once, in its zone, and then has nothing left', async () => {
    const { clock, scheduler, calls, schedule } = setup();
    scheduler.add(schedule({ name: 'once', expression: 'at(2024-06-03T12:00:00)', timezone: 'Europe/Paris' }));
    scheduler.start();
    expect(scheduler.list()[0]!.nextInvocation).toEqual(new Date('2024-06-03T10:00:00Z'));
    await clock.advance(24 * 60 * MINUTE);
    expect(calls.map((c) => c.at)).toEqual(['2024-06-03T10:00:00.000Z']);
    expect(scheduler.list()[0]!.nextInvocation).toBeUndefined();
    expect(clock.pending).toBe(0); // its loop ended
    await scheduler.stop();
  });

  it('stops at EndDate', async () => {
    const { clock, scheduler, calls, schedule } = setup();
    scheduler.add(schedule({ expression: 'cron(0/15 * * * ? *)', endDate: new Date('2024-06-03T09:30:00Z') }));
    scheduler.start();
    await clock.advance(120 * MINUTE);
    expect(calls.map((c) => c.scheduledTime)).toEqual(['2024-06-03T09:15:00Z', '2024-06-03T09:30:00Z']);
    await scheduler.stop();
  });

  it('lists schedules with their next invocation', () => {
    const { scheduler, schedule } = setup();
    scheduler.add(schedule({ expression: 'cron(0 10 * * ? *)', timezone: 'Europe/Paris', description: 'daily' }));
    scheduler.add(schedule({ name: 'off', groupName: 'ops', expression: 'rate(5 minutes)', state: 'DISABLED' }));
    expect(scheduler.list()).toEqual([
      { name: 'every-15', groupName: 'default', arn: ARN, expression: 'cron(0 10 * * ? *)', timezone: 'Europe/Paris', state: 'ENABLED', description: 'daily', creationDate: START, nextInvocation: new Date('2024-06-04T08:00:00Z') },
      { name: 'off', groupName: 'ops', arn: 'arn:aws:scheduler:eu-west-1:111122223333:schedule/ops/off', expression: 'rate(5 minutes)', timezone: 'UTC', state: 'DISABLED', creationDate: START },
    ]);
  });
});

describe('disabled, stopped, removed', () => {
  it('a disabled schedule does not fire; enabled later it fires from then on, without replaying', async () => {
    const { clock, scheduler, calls, schedule } = setup();
    scheduler.add(schedule({ expression: 'cron(0/15 * * * ? *)', state: 'DISABLED' }));
    scheduler.start();
    await clock.advance(40 * MINUTE);
    expect(calls).toEqual([]);
    expect(clock.pending).toBe(0);
    scheduler.setState('every-15', 'ENABLED'); // 09:40:30: 09:15 and 09:30 are not replayed
    await clock.advance(10 * MINUTE);
    expect(calls.map((c) => c.scheduledTime)).toEqual(['2024-06-03T09:45:00Z']);
    scheduler.setState('every-15', 'DISABLED');
    await clock.advance(60 * MINUTE);
    expect(calls).toHaveLength(1);
    await scheduler.stop();
  });

  it('nothing fires before start() nor after stop(), and what passed meanwhile is not replayed', async () => {
    const { clock, scheduler, calls, schedule } = setup();
    scheduler.add(schedule({ expression: 'rate(10 minutes)' })); // phase: 09:00:30
    await clock.advance(5 * MINUTE);
    expect(calls).toEqual([]);
    scheduler.start(); // 09:05:30: the 09:00:30 fire passed while stopped
    await clock.advance(10 * MINUTE);
    expect(calls.map((c) => c.scheduledTime)).toEqual(['2024-06-03T09:10:30Z']);
    await scheduler.stop();
    await clock.advance(55 * MINUTE); // 10:10:30
    expect(calls).toHaveLength(1);
    scheduler.start();
    await clock.advance(11 * MINUTE);
    expect(calls.map((c) => c.scheduledTime)).toEqual(['2024-06-03T09:10:30Z', '2024-06-03T10:10:30Z', '2024-06-03T10:20:30Z']);
    await scheduler.stop();
  });

  it('stop() waits for the attempt running now and leaves no sleeper behind', async () => {
    const { clock, scheduler, calls, target, schedule } = setup();
    let release!: () => void;
    const running = new Promise<void>((resolve) => (release = resolve));
    scheduler.add(schedule({ expression: 'rate(1 minute)', target: target(() => running) }));
    scheduler.start();
    await clock.advance(0);
    expect(calls).toHaveLength(1);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await clock.advance(0);
    expect(stopped).toBe(false);
    expect(scheduler.stats().inFlight).toBe(1);
    release();
    await stopping;
    expect(scheduler.stats()).toMatchObject({ inFlight: 0, succeeded: 1 });
    expect(clock.pending).toBe(0);
    await clock.advance(10 * MINUTE);
    expect(calls).toHaveLength(1);
  });

  it('stop() drops an invocation waiting for a retry, and records why', async () => {
    const { clock, scheduler, calls, target, schedule } = setup();
    scheduler.add(schedule({ expression: 'rate(1 hour)', target: target(() => failing()) }));
    scheduler.start();
    await clock.advance(0);
    expect(calls).toHaveLength(1);
    expect(clock.pending).toBe(2); // the loop's wait and the retry's
    await scheduler.stop();
    expect(clock.pending).toBe(0);
    expect(scheduler.invocations()).toEqual([
      expect.objectContaining({ status: 'dropped', attempts: 1, error: 'not retried: the scheduler stopped (last error: target down)' }),
    ]);
    expect(scheduler.failures()).toEqual([]);
  });

  it('stop() with the wall clock clears its timers', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const scheduler = new LocalScheduler({ logger: { info() {}, warn() {}, error() {} } });
    const calls: Invocation[] = [];
    scheduler.add({ name: 'daily', expression: 'cron(0 0 * * ? *)', target: (i) => void calls.push(i) });
    scheduler.start();
    await new Promise((resolve) => setImmediate(resolve));
    expect(timers()).toBe(before + 1);
    await scheduler.stop();
    expect(timers()).toBe(before);
  });

  it('remove() ends the schedule; an unknown name is ResourceNotFoundException with AWS\'s message', async () => {
    const { clock, scheduler, calls, schedule } = setup();
    scheduler.add(schedule({ expression: 'cron(0/15 * * * ? *)' }));
    scheduler.start();
    await clock.advance(15 * MINUTE);
    scheduler.remove('every-15');
    await clock.advance(60 * MINUTE);
    expect(calls).toHaveLength(1);
    expect(scheduler.list()).toEqual([]);
    expect(() => scheduler.remove('every-15')).toThrow(new ResourceNotFoundException('Schedule every-15 does not exist.'));
    await scheduler.stop();
  });
});

describe('retries and dead letters', () => {
  it('retries a failed invocation with backoff, same execution id, the attempt number counting up', async () => {
    const { clock, scheduler, calls, target, schedule } = setup({ retryBackoff: { baseDelayMs: 1000, maxDelayMs: 60_000 } });
    scheduler.add(schedule({ expression: 'cron(0/15 * * * ? *)', input: 'attempt <aws.scheduler.attempt-number> of <aws.scheduler.scheduled-time>', target: target((c) => (c.attempt < 3 ? failing() : undefined)) }));
    scheduler.start();
    await clock.advance(15 * MINUTE);
    expect(calls.map((c) => [c.at, c.attempt, c.input])).toEqual([
      ['2024-06-03T09:15:00.000Z', 1, 'attempt 1 of 2024-06-03T09:15:00Z'],
      ['2024-06-03T09:15:01.000Z', 2, 'attempt 2 of 2024-06-03T09:15:00Z'],
      ['2024-06-03T09:15:03.000Z', 3, 'attempt 3 of 2024-06-03T09:15:00Z'],
    ]);
    expect(new Set(calls.map((c) => c.executionId)).size).toBe(1);
    expect(scheduler.stats()).toMatchObject({ fired: 1, succeeded: 1, retries: 2, failed: 0 });
    await scheduler.stop();
  });

  it('after MaximumRetryAttempts, hands the invocation to the dead-letter function', async () => {
    const deadLetters: DeadLetterRecord[] = [];
    const { clock, scheduler, calls, target, logs, schedule } = setup({ retryBackoff: { baseDelayMs: 1000, maxDelayMs: 4000 }, deadLetter: (r) => void deadLetters.push(r) });
    const deadLetterArn = 'arn:aws:sqs:eu-west-1:111122223333:scheduler-dlq';
    scheduler.add(schedule({ expression: 'at(2024-06-03T09:10:00)', input: '<aws.scheduler.attempt-number>', retryPolicy: { maximumRetryAttempts: 4 }, deadLetterArn, target: target(() => failing('ThrottlingException')) }));
    scheduler.start();
    await clock.advance(60 * MINUTE);
    // 1 + 4 attempts, waits of 1, 2, 4, 4 s (capped).
    expect(calls.map((c) => c.at)).toEqual(['2024-06-03T09:10:00.000Z', '2024-06-03T09:10:01.000Z', '2024-06-03T09:10:03.000Z', '2024-06-03T09:10:07.000Z', '2024-06-03T09:10:11.000Z']);
    expect(deadLetters).toEqual([
      {
        scheduleArn: ARN,
        scheduleName: 'every-15',
        groupName: 'default',
        scheduledTime: '2024-06-03T09:10:00Z',
        executionId: calls[0]!.executionId,
        attempts: 5,
        reason: 'RetriesExhausted',
        error: 'ThrottlingException',
        input: '5',
        deadLetterArn,
      },
    ]);
    expect(scheduler.failures()).toEqual(deadLetters);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
    expect(scheduler.invocations()).toEqual([expect.objectContaining({ status: 'failed', attempts: 5, error: 'ThrottlingException' })]);
    await scheduler.stop();
  });

  it('stops retrying when the next attempt would be older than MaximumEventAgeInSeconds', async () => {
    const { clock, scheduler, calls, target, schedule } = setup({ retryBackoff: { baseDelayMs: 20_000, maxDelayMs: 20_000 } });
    scheduler.add(schedule({ expression: 'at(2024-06-03T09:10:00)', retryPolicy: { maximumEventAgeInSeconds: 60 }, target: target(() => failing()) }));
    scheduler.start();
    await clock.advance(60 * MINUTE);
    // Attempts at +0, +20, +40, +60 s; the next (+80 s) would be past 60 s.
    expect(calls.map((c) => c.at)).toEqual(['2024-06-03T09:10:00.000Z', '2024-06-03T09:10:20.000Z', '2024-06-03T09:10:40.000Z', '2024-06-03T09:11:00.000Z']);
    expect(scheduler.failures()).toEqual([expect.objectContaining({ reason: 'EventAgeExceeded', attempts: 4 })]);
    await scheduler.stop();
  });

  it('does not retry an error marked retryable: false, and without a dead-letter function logs the drop', async () => {
    const { clock, scheduler, calls, target, logs, schedule } = setup();
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', retryable: false });
    scheduler.add(schedule({ expression: 'at(2024-06-03T09:10:00)', target: target(() => Promise.reject(denied)) }));
    scheduler.start();
    await clock.advance(60 * MINUTE);
    expect(calls).toHaveLength(1);
    expect(logs.filter((l) => l.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'schedule invocation failed for good and was dropped',
        details: expect.objectContaining({ reason: 'NotRetryable', error: 'AccessDeniedException: not authorized', attempts: 1, scheduledTime: '2024-06-03T09:10:00Z' }),
      },
    ]);
    await scheduler.stop();
  });

  it('the defaults are AWS\'s: 185 retries over at most 24 hours', async () => {
    const { clock, scheduler, calls, target, schedule } = setup({ retryBackoff: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    scheduler.add(schedule({ expression: 'at(2024-06-03T09:10:00)', target: target(() => failing()) }));
    scheduler.start();
    await clock.advance(24 * 60 * MINUTE);
    expect(calls).toHaveLength(186); // one a minute: 1 + 185, well within the day
    expect(scheduler.failures()).toEqual([expect.objectContaining({ reason: 'RetriesExhausted', attempts: 186 })]);
    await scheduler.stop();
  });

  it('a failing dead-letter function is logged, not thrown', async () => {
    const { clock, scheduler, target, logs, schedule } = setup({ deadLetter: () => failing('queue gone') });
    scheduler.add(schedule({ expression: 'at(2024-06-03T09:10:00)', retryPolicy: { maximumRetryAttempts: 0 }, target: target(() => failing()) }));
    scheduler.start();
    await clock.advance(60 * MINUTE);
    expect(logs.filter((l) => l.level === 'error').map((l) => [l.message, l.details?.deadLetterError])).toEqual([['schedule invocation failed for good and the dead-letter function failed too', 'queue gone']]);
    await scheduler.stop();
  });
});

describe('overlap and lateness', () => {
  it('skips a fire while the previous invocation still runs (maxInFlightPerSchedule 1), and records it', async () => {
    const { clock, scheduler, calls, target, logs, schedule } = setup();
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    scheduler.add(schedule({ expression: 'rate(1 minute)', target: target((c) => (c.scheduledTime === '2024-06-03T09:00:30Z' ? slow : undefined)) }));
    scheduler.start();
    await clock.advance(2 * MINUTE);
    expect(calls.map((c) => c.scheduledTime)).toEqual(['2024-06-03T09:00:30Z']);
    release();
    await clock.advance(MINUTE);
    expect(calls.map((c) => c.scheduledTime)).toEqual(['2024-06-03T09:00:30Z', '2024-06-03T09:03:30Z']);
    expect(scheduler.invocations().map((r) => [r.scheduledTime, r.status])).toEqual([
      ['2024-06-03T09:01:30Z', 'skipped'],
      ['2024-06-03T09:02:30Z', 'skipped'],
      ['2024-06-03T09:00:30Z', 'succeeded'],
      ['2024-06-03T09:03:30Z', 'succeeded'],
    ]);
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual(['schedule fire skipped: its previous invocation is still running', 'schedule fire skipped: its previous invocation is still running']);
    await scheduler.stop();
  });

  it('with a higher maxInFlightPerSchedule, fires overlap as on AWS', async () => {
    const { clock, scheduler, calls, target, schedule } = setup({ maxInFlightPerSchedule: 3 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    scheduler.add(schedule({ expression: 'rate(1 minute)', target: target(() => held) }));
    scheduler.start();
    await clock.advance(5 * MINUTE);
    expect(calls.map((c) => c.scheduledTime)).toEqual(['2024-06-03T09:00:30Z', '2024-06-03T09:01:30Z', '2024-06-03T09:02:30Z']);
    expect(scheduler.stats()).toMatchObject({ fired: 6, skipped: 3, inFlight: 3 });
    release();
    await scheduler.stop();
    expect(scheduler.stats()).toMatchObject({ succeeded: 3, inFlight: 0 });
  });

  it('fire times reached far too late (a suspended host) are missed, not replayed', async () => {
    const { clock, scheduler, calls, logs, schedule } = setup({ lateToleranceMs: 2 * MINUTE });
    scheduler.add(schedule({ expression: 'cron(0/15 * * * ? *)' }));
    scheduler.start();
    await clock.jump(60 * MINUTE); // 10:00:30: 09:15, 09:30 and 09:45 passed unseen; 10:00 is 30 s late
    expect(calls.map((c) => c.scheduledTime)).toEqual(['2024-06-03T10:00:00Z']);
    expect(logs.find((l) => l.level === 'warn')).toMatchObject({ message: 'schedule fire times missed: the scheduler reached them too late', details: { from: '2024-06-03T09:15:00Z', before: '2024-06-03T09:58:30Z' } });
    await clock.advance(15 * MINUTE);
    expect(calls.map((c) => c.scheduledTime)).toEqual(['2024-06-03T10:00:00Z', '2024-06-03T10:15:00Z']);
    await scheduler.stop();
  });
});

describe('checks, as CreateSchedule', () => {
  const { scheduler, schedule } = setup();

  it('refuses an invalid expression with AWS\'s message and our reason', () => {
    const error = (() => {
      try {
        scheduler.add(schedule({ expression: 'cron(0 1 * * * *)' }));
      } catch (e) {
        return e as ValidationException;
      }
    })();
    expect(error).toBeInstanceOf(ValidationException);
    expect(error).toMatchObject({ message: 'Invalid Schedule Expression cron(0 1 * * * *).', reason: 'exactly one of day-of-month and day-of-week must be ?', $metadata: { httpStatusCode: 400 } });
  });

  it('refuses names, states and retry policies outside the model', () => {
    expect(() => scheduler.add(schedule({ name: 'has space', expression: 'rate(1 hour)' }))).toThrow(
      "1 validation error detected: Value 'has space' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$",
    );
    expect(() => scheduler.add(schedule({ name: 'x'.repeat(65), expression: 'rate(1 hour)' }))).toThrow(/at 'name' failed to satisfy constraint: Member must have length less than or equal to 64/);
    expect(() => scheduler.add(schedule({ groupName: '', expression: 'rate(1 hour)' }))).toThrow(/at 'groupName' failed to satisfy constraint: Member must have length greater than or equal to 1/);
    expect(() => scheduler.add(schedule({ expression: 'rate(1 hour)', state: 'PAUSED' as never }))).toThrow("Value 'PAUSED' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]");
    expect(() => scheduler.add(schedule({ expression: 'rate(1 hour)', retryPolicy: { maximumRetryAttempts: 186 } }))).toThrow(
      "Value '186' at 'target.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 185",
    );
    expect(() => scheduler.add(schedule({ expression: 'rate(1 hour)', retryPolicy: { maximumEventAgeInSeconds: 59 } }))).toThrow(
      "Value '59' at 'target.retryPolicy.maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60",
    );
    expect(() => scheduler.add(schedule({ expression: 'rate(1 hour)', input: '' }))).toThrow(/at 'target.input' failed to satisfy constraint/);
    expect(() => scheduler.add(schedule({ expression: 'rate(1 hour)', timezone: 'Nowhere/Land' }))).toThrow('Invalid ScheduleExpressionTimezone Nowhere/Land.');
    expect(() => scheduler.add(schedule({ expression: 'rate(1 hour)', startDate: new Date('2024-07-01'), endDate: new Date('2024-06-01') }))).toThrow(ValidationException);
    expect(() => scheduler.add(schedule({ expression: 'rate(5 minute)', dialect: 'rule' }))).toThrow('Parameter ScheduleExpression is not valid.');
    expect(scheduler.list()).toEqual([]);
  });

  it('refuses a second schedule of the same name in the same group', () => {
    scheduler.add(schedule({ expression: 'rate(1 hour)' }));
    expect(() => scheduler.add(schedule({ expression: 'rate(2 hours)' }))).toThrow(ConflictException);
    expect(scheduler.add(schedule({ groupName: 'other', expression: 'rate(2 hours)' })).scheduleArn).toBe('arn:aws:scheduler:eu-west-1:111122223333:schedule/other/every-15');
  });
});
