/**
 * The local EventBridge Scheduler: schedules fire their target on the injected clock.
 *
 * As Scheduler does it (user guide: schedule types, context attributes, retry policy, dead-letter
 * queue): each fire time is one invocation, with an execution id, attempted up to
 * 1 + MaximumRetryAttempts times with exponential backoff while younger than MaximumEventAgeInSeconds
 * (defaults 185 and 86 400, as GetSchedule reports them), then handed to the dead-letter function.
 * The target input's `<aws.scheduler.*>` keywords are replaced on each attempt. A disabled schedule
 * does not fire. Fires are independent: one invocation's retries do not hold back the next fire,
 * up to maxInFlightPerSchedule (see types.ts).
 *
 * Time: nothing fires while the scheduler is stopped, and on start() nothing missed is replayed
 * (AWS has no stopped state: its schedules fire whether anyone looks or not; what the local stack
 * did not see while it was down is simply lost, as the rest of its state moves on from where it was).
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type SchedulerClock } from './clock';
import { ConflictException, constraintViolation, ResourceNotFoundException, ValidationException } from './errors';
import { checkTimezone, parseScheduleExpression, type ParsedExpression } from './expression';
import { fireTimesFrom } from './next';
import type {
  DeadLetterRecord,
  Invocation,
  InvocationRecord,
  LocalSchedulerOptions,
  Logger,
  ScheduleDefinition,
  SchedulerStats,
  ScheduleState,
  ScheduleSummary,
} from './types';

const NAME_PATTERN = /^[0-9a-zA-Z-_.]+$/; // Name and ScheduleGroupName: 1-64 of these
const DEFAULT_RETRY = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 };

interface Entry {
  def: ScheduleDefinition;
  groupName: string;
  arn: string;
  parsed: ParsedExpression;
  timezone: string;
  state: ScheduleState;
  creationMs: number;
  /** A rate schedule's phase: StartDate, or the creation time to the second. */
  anchorMs: number;
  retry: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number };
  /** Fire times before this are done with (fired, skipped or missed). */
  notBeforeMs: number;
  /** Aborted to end this schedule's loop and pending retries (stop, remove, disable). */
  controller?: AbortController;
  loop?: Promise<void>;
  inFlight: number;
}

/** `<aws.scheduler.*>` context attributes (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html). */
export function substituteContextAttributes(input: string, invocation: Omit<Invocation, 'input'>): string {
  return input
    .replaceAll('<aws.scheduler.schedule-arn>', invocation.scheduleArn)
    .replaceAll('<aws.scheduler.scheduled-time>', invocation.scheduledTime)
    .replaceAll('<aws.scheduler.execution-id>', invocation.executionId)
    .replaceAll('<aws.scheduler.attempt-number>', String(invocation.attempt));
}

export function scheduleArn(region: string, accountId: string, groupName: string, name: string): string {
  return `arn:aws:scheduler:${region}:${accountId}:schedule/${groupName}/${name}`;
}

/** Scheduler's time format in invocations: ISO 8601, UTC, whole seconds. */
export const scheduledTimeText = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Like Scheduler's (d32c5kddcf5bb8c3): 16 lowercase letters and digits. */
function executionId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(16)].map((b) => alphabet[b % alphabet.length]).join('');
}

const describe = (err: unknown): string => (err instanceof Error ? (err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message) : String(err));
const floorSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

export class LocalScheduler {
  readonly region: string;
  readonly accountId: string;
  private readonly clock: SchedulerClock;
  private readonly logger: Logger;
  private readonly backoff: { baseDelayMs: number; maxDelayMs: number };
  private readonly maxInFlight: number;
  private readonly lateToleranceMs: number;
  private readonly historyLimit: number;
  private readonly entries = new Map<string, Entry>();
  private readonly deliveries = new Set<Promise<void>>();
  private readonly history: InvocationRecord[] = [];
  private readonly deadLetters: DeadLetterRecord[] = [];
  private readonly counters = { fired: 0, succeeded: 0, failed: 0, retries: 0, skipped: 0, dropped: 0 };
  private running = false;

  constructor(private readonly options: LocalSchedulerOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.clock = options.clock ?? systemClock;
    // console without debug: a schedule's every invocation is not worth a line by default.
    this.logger = options.logger ?? { info: console.info.bind(console), warn: console.warn.bind(console), error: console.error.bind(console) };
    this.backoff = { baseDelayMs: options.retryBackoff?.baseDelayMs ?? 1000, maxDelayMs: options.retryBackoff?.maxDelayMs ?? 300_000 };
    this.maxInFlight = options.maxInFlightPerSchedule ?? 1;
    if (!(this.maxInFlight >= 1)) throw new Error(`maxInFlightPerSchedule must be at least 1, got ${this.maxInFlight}`);
    this.lateToleranceMs = options.lateToleranceMs ?? 300_000;
    this.historyLimit = options.historyLimit ?? 1000;
  }

  /** CreateSchedule: checks the definition as the API would; fires from now on if started. */
  add(def: ScheduleDefinition): { scheduleArn: string } {
    const groupName = def.groupName ?? 'default';
    checkName(def.name, 'name');
    checkName(groupName, 'groupName');
    const key = `${groupName}/${def.name}`;
    // AWS's ConflictException text for an existing name is not recorded; this one is ours.
    if (this.entries.has(key)) throw new ConflictException(`Schedule ${def.name} already exists.`);
    const state = def.state ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') throw constraintViolation(state, 'state', 'Member must satisfy enum value set: [ENABLED, DISABLED]');
    if (typeof def.target !== 'function') throw new ValidationException('Target is required: a function called for each attempt.');
    if (def.input !== undefined && (typeof def.input !== 'string' || def.input.length < 1)) throw constraintViolation(def.input, 'target.input', 'Member must have length greater than or equal to 1');
    const parsed = parseScheduleExpression(def.expression, def.dialect);
    const timezone = checkTimezone(def.timezone, def.dialect);
    for (const [field, date] of [['startDate', def.startDate], ['endDate', def.endDate]] as const) {
      if (date !== undefined && (!(date instanceof Date) || Number.isNaN(date.getTime()))) throw new ValidationException(`${field} is not a valid timestamp.`);
    }
    if (def.startDate && def.endDate && def.endDate.getTime() <= def.startDate.getTime()) {
      throw new ValidationException('The EndDate must be after the StartDate.', 'AWS refuses it too; its wording is not recorded');
    }
    const retry = {
      maximumRetryAttempts: def.retryPolicy?.maximumRetryAttempts ?? DEFAULT_RETRY.maximumRetryAttempts,
      maximumEventAgeInSeconds: def.retryPolicy?.maximumEventAgeInSeconds ?? DEFAULT_RETRY.maximumEventAgeInSeconds,
    };
    checkRange(retry.maximumRetryAttempts, 'target.retryPolicy.maximumRetryAttempts', 0, 185);
    checkRange(retry.maximumEventAgeInSeconds, 'target.retryPolicy.maximumEventAgeInSeconds', 60, 86_400);

    const creationMs = this.clock.now().getTime();
    const entry: Entry = {
      def,
      groupName,
      arn: scheduleArn(this.region, this.accountId, groupName, def.name),
      parsed,
      timezone,
      state,
      creationMs,
      // "If you do not provide a StartDate for a rate-based schedule, your schedule starts invoking its
      // target immediately": the first fire is at creation (to the second), then every interval.
      anchorMs: def.startDate?.getTime() ?? floorSecond(creationMs),
      retry,
      notBeforeMs: floorSecond(creationMs),
      inFlight: 0,
    };
    this.entries.set(key, entry);
    this.logger.debug?.('schedule added', { schedule: entry.arn, expression: def.expression, timezone, state });
    if (this.running && state === 'ENABLED') this.startLoop(entry);
    return { scheduleArn: entry.arn };
  }

  /** DeleteSchedule: no more fires; pending retries are dropped; an attempt running now finishes. */
  remove(name: string, groupName = 'default'): void {
    const entry = this.entries.get(`${groupName}/${name}`);
    if (!entry) throw new ResourceNotFoundException(`Schedule ${name} does not exist.`);
    this.entries.delete(`${groupName}/${name}`);
    entry.controller?.abort();
    this.logger.debug?.('schedule removed', { schedule: entry.arn });
  }

  /** UpdateSchedule's State: DISABLED stops the fires (and pending retries); ENABLED fires from now on. */
  setState(name: string, state: ScheduleState, groupName = 'default'): void {
    const entry = this.entries.get(`${groupName}/${name}`);
    if (!entry) throw new ResourceNotFoundException(`Schedule ${name} does not exist.`);
    if (state !== 'ENABLED' && state !== 'DISABLED') throw constraintViolation(state, 'state', 'Member must satisfy enum value set: [ENABLED, DISABLED]');
    if (entry.state === state) return;
    entry.state = state;
    if (state === 'DISABLED') entry.controller?.abort();
    else if (this.running) this.startLoop(entry);
  }

  list(): ScheduleSummary[] {
    const nowMs = this.clock.now().getTime();
    return [...this.entries.values()].map((e) => {
      const next = e.state === 'ENABLED' ? this.nextFire(e, Math.max(e.notBeforeMs, floorSecond(nowMs))) : undefined;
      return {
        name: e.def.name,
        groupName: e.groupName,
        arn: e.arn,
        expression: e.def.expression,
        timezone: e.timezone,
        state: e.state,
        ...(e.def.startDate ? { startDate: e.def.startDate } : {}),
        ...(e.def.endDate ? { endDate: e.def.endDate } : {}),
        ...(e.def.description !== undefined ? { description: e.def.description } : {}),
        creationDate: new Date(e.creationMs),
        ...(next !== undefined ? { nextInvocation: new Date(next) } : {}),
      };
    });
  }

  /** Starts firing. Fire times that passed while stopped are not replayed. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const entry of this.entries.values()) if (entry.state === 'ENABLED') this.startLoop(entry);
  }

  /**
   * Stops firing and waits for the attempts running now to finish; pending retries are dropped
   * (recorded as such). No timer or sleeper is left behind.
   */
  async stop(): Promise<void> {
    this.running = false;
    const loops: Promise<void>[] = [];
    for (const entry of this.entries.values()) {
      entry.controller?.abort();
      if (entry.loop) loops.push(entry.loop);
    }
    await Promise.allSettled(loops);
    await this.idle();
  }

  /** Resolves when no invocation is running or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.allSettled([...this.deliveries]);
  }

  /** Finished invocations, oldest first (the last historyLimit). */
  invocations(): InvocationRecord[] {
    return [...this.history];
  }

  /** Invocations that failed for good (also handed to the dead-letter function). */
  failures(): DeadLetterRecord[] {
    return [...this.deadLetters];
  }

  stats(): SchedulerStats {
    return { schedules: this.entries.size, ...this.counters, inFlight: this.deliveries.size };
  }

  private window(entry: Entry) {
    return {
      timezone: entry.timezone,
      ...(entry.parsed.kind === 'rate' ? { startDate: new Date(entry.anchorMs) } : entry.def.startDate ? { startDate: entry.def.startDate } : {}),
      ...(entry.def.endDate ? { endDate: entry.def.endDate } : {}),
    };
  }

  private nextFire(entry: Entry, fromMs: number): number | undefined {
    for (const t of fireTimesFrom(entry.parsed, fromMs, this.window(entry))) return t;
    return undefined;
  }

  private startLoop(entry: Entry): void {
    const controller = new AbortController();
    entry.controller = controller;
    // Nothing before now is replayed (stopped, or disabled, meanwhile).
    entry.notBeforeMs = Math.max(entry.notBeforeMs, floorSecond(this.clock.now().getTime()));
    const loop = this.run(entry, controller.signal).catch((err) => this.logger.error('schedule loop failed', { schedule: entry.arn, error: describe(err) }));
    entry.loop = loop;
  }

  private async run(entry: Entry, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const due = this.nextFire(entry, entry.notBeforeMs);
      if (due === undefined) {
        this.logger.debug?.('schedule has no more fire times', { schedule: entry.arn });
        return;
      }
      for (let wait = due - this.clock.now().getTime(); wait > 0; wait = due - this.clock.now().getTime()) {
        await this.clock.sleep(wait, signal);
        if (signal.aborted) return;
      }
      const nowMs = this.clock.now().getTime();
      if (nowMs - due > this.lateToleranceMs) {
        // Reached far too late (suspended host, blocked loop): skip to now, as for fires while stopped.
        const resumeAt = floorSecond(nowMs - this.lateToleranceMs);
        this.logger.warn('schedule fire times missed: the scheduler reached them too late', {
          schedule: entry.arn,
          from: scheduledTimeText(due),
          before: scheduledTimeText(resumeAt),
        });
        entry.notBeforeMs = Math.max(due + 1, resumeAt);
        continue;
      }
      entry.notBeforeMs = due + 1;
      this.fire(entry, due, signal);
    }
  }

  private fire(entry: Entry, scheduledMs: number, signal: AbortSignal): void {
    this.counters.fired++;
    const scheduledTime = scheduledTimeText(scheduledMs);
    if (entry.inFlight >= this.maxInFlight) {
      this.counters.skipped++;
      this.logger.warn('schedule fire skipped: its previous invocation is still running', { schedule: entry.arn, scheduledTime, inFlight: entry.inFlight });
      this.record({ scheduleName: entry.def.name, groupName: entry.groupName, scheduledTime, status: 'skipped', attempts: 0 });
      return;
    }
    entry.inFlight++;
    const delivery: Promise<void> = this.deliver(entry, scheduledMs, signal)
      .catch((err) => this.logger.error('schedule invocation failed unexpectedly', { schedule: entry.arn, error: describe(err) }))
      .finally(() => {
        entry.inFlight--;
        this.deliveries.delete(delivery);
      });
    this.deliveries.add(delivery);
  }

  private async deliver(entry: Entry, scheduledMs: number, signal: AbortSignal): Promise<void> {
    const base = { scheduleArn: entry.arn, scheduleName: entry.def.name, groupName: entry.groupName, scheduledTime: scheduledTimeText(scheduledMs), executionId: executionId() };
    const deadlineMs = scheduledMs + entry.retry.maximumEventAgeInSeconds * 1000;
    for (let attempt = 1; ; attempt++) {
      const invocation: Invocation = { ...base, attempt };
      if (entry.def.input !== undefined) invocation.input = substituteContextAttributes(entry.def.input, invocation);
      try {
        await entry.def.target(invocation);
        this.counters.succeeded++;
        this.record({ ...this.recordBase(base), status: 'succeeded', attempts: attempt });
        this.logger.debug?.('schedule invoked its target', { schedule: entry.arn, scheduledTime: base.scheduledTime, attempt });
        return;
      } catch (err) {
        const error = describe(err);
        const delay = Math.min(this.backoff.maxDelayMs, this.backoff.baseDelayMs * 2 ** (attempt - 1));
        let reason: DeadLetterRecord['reason'] | undefined;
        if (typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === false) reason = 'NotRetryable';
        else if (attempt > entry.retry.maximumRetryAttempts) reason = 'RetriesExhausted';
        else if (this.clock.now().getTime() + delay > deadlineMs) reason = 'EventAgeExceeded';
        if (reason) {
          await this.deadLetter(entry, { ...base, attempts: attempt, reason, error, ...(invocation.input !== undefined ? { input: invocation.input } : {}) });
          return;
        }
        this.counters.retries++;
        this.logger.warn('schedule target failed; retrying', { schedule: entry.arn, scheduledTime: base.scheduledTime, attempt, delayMs: delay, error });
        await this.clock.sleep(delay, signal);
        if (signal.aborted) {
          this.counters.dropped++;
          this.record({ ...this.recordBase(base), status: 'dropped', attempts: attempt, error: `not retried: ${this.running ? 'the schedule was removed or disabled' : 'the scheduler stopped'} (last error: ${error})` });
          this.logger.warn('schedule invocation dropped between retries', { schedule: entry.arn, scheduledTime: base.scheduledTime, attempts: attempt });
          return;
        }
      }
    }
  }

  private async deadLetter(entry: Entry, record: Omit<DeadLetterRecord, 'deadLetterArn'>): Promise<void> {
    const full: DeadLetterRecord = { ...record, ...(entry.def.deadLetterArn ? { deadLetterArn: entry.def.deadLetterArn } : {}) };
    this.counters.failed++;
    this.deadLetters.push(full);
    if (this.deadLetters.length > this.historyLimit) this.deadLetters.shift();
    this.record({ ...this.recordBase(record), status: 'failed', attempts: record.attempts, error: record.error });
    if (!this.options.deadLetter) {
      this.logger.error('schedule invocation failed for good and was dropped', { ...full });
      return;
    }
    try {
      await this.options.deadLetter(full);
    } catch (err) {
      this.logger.error('schedule invocation failed for good and the dead-letter function failed too', { ...full, deadLetterError: describe(err) });
    }
  }

  private recordBase(base: { scheduleName: string; groupName: string; scheduledTime: string; executionId: string }) {
    return { scheduleName: base.scheduleName, groupName: base.groupName, scheduledTime: base.scheduledTime, executionId: base.executionId };
  }

  private record(r: Omit<InvocationRecord, 'finishedAt'>): void {
    this.history.push({ ...r, finishedAt: this.clock.now().toISOString() });
    if (this.history.length > this.historyLimit) this.history.shift();
  }
}

function checkName(value: unknown, path: string): void {
  if (typeof value !== 'string' || value.length < 1 || value.length > 64) {
    throw constraintViolation(value, path, `Member must have length ${typeof value === 'string' && value.length > 64 ? 'less than or equal to 64' : 'greater than or equal to 1'}`);
  }
  if (!NAME_PATTERN.test(value)) throw constraintViolation(value, path, 'Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$');
}

function checkRange(value: number, path: string, min: number, max: number): void {
  if (!Number.isInteger(value)) throw constraintViolation(value, path, 'Member must be an integer');
  if (value < min) throw constraintViolation(value, path, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw constraintViolation(value, path, `Member must have value less than or equal to ${max}`);
}
