import type { SchedulerClock } from './clock';
import type { Dialect } from './expression';

export type ScheduleState = 'ENABLED' | 'DISABLED';

/** What a target is called with, once per attempt. */
export interface Invocation {
  scheduleArn: string;
  scheduleName: string;
  groupName: string;
  /** The time the invocation was due, ISO 8601 UTC to the second: 2022-03-22T18:59:43Z. */
  scheduledTime: string;
  /** One per invocation (the same for its retries): 16 lowercase letters and digits. */
  executionId: string;
  /** 1 for the first attempt, 2 for the first retry... */
  attempt: number;
  /** The schedule's input with the context attributes substituted; absent when it has none. */
  input?: string;
}

/**
 * Called once per attempt; a rejection (or throw) is a failed attempt. An error with
 * `retryable === false` is not retried (as Scheduler does not retry, say, a missing permission).
 */
export type Target = (invocation: Invocation) => Promise<void> | void;

/** Target.RetryPolicy (AWS defaults: 185 retries, 86 400 s). */
export interface RetryPolicy {
  /** Retries after the first attempt, 0-185 (default 185). */
  maximumRetryAttempts?: number;
  /** How long after its scheduled time an invocation may still be attempted, 60-86400 s (default 86 400). */
  maximumEventAgeInSeconds?: number;
}

export interface ScheduleDefinition {
  name: string;
  /** 'default' when absent. Groups need not be created first here (AWS: ResourceNotFoundException). */
  groupName?: string;
  /** rate(...), cron(...) or at(...). */
  expression: string;
  /** ScheduleExpressionTimezone, IANA (default UTC). */
  timezone?: string;
  startDate?: Date;
  endDate?: Date;
  /** Default ENABLED, as CreateSchedule. */
  state?: ScheduleState;
  target: Target;
  /** Target.Input; the context attributes in it are substituted on each attempt. */
  input?: string;
  retryPolicy?: RetryPolicy;
  /** Target.DeadLetterConfig.Arn, passed on in the dead-letter record (nothing is sent there by itself). */
  deadLetterArn?: string;
  description?: string;
  /** 'rule' checks the expression as a scheduled EventBridge rule's (UTC only, no at()). */
  dialect?: Dialect;
}

export interface ScheduleSummary {
  name: string;
  groupName: string;
  arn: string;
  expression: string;
  timezone: string;
  state: ScheduleState;
  startDate?: Date;
  endDate?: Date;
  description?: string;
  creationDate: Date;
  /** The next time it would fire, from now (none: disabled, or no time left). */
  nextInvocation?: Date;
}

/** An invocation that failed for good, as handed to the dead-letter function. */
export interface DeadLetterRecord {
  scheduleArn: string;
  scheduleName: string;
  groupName: string;
  scheduledTime: string;
  executionId: string;
  /** Attempts made. */
  attempts: number;
  /**
   * RetriesExhausted: MaximumRetryAttempts reached; EventAgeExceeded: the next attempt would be past
   * MaximumEventAgeInSeconds; NotRetryable: the target's error said so.
   */
  reason: 'RetriesExhausted' | 'EventAgeExceeded' | 'NotRetryable';
  /** The last attempt's error. */
  error: string;
  /** The input of the last attempt. */
  input?: string;
  deadLetterArn?: string;
}

export interface InvocationRecord {
  scheduleName: string;
  groupName: string;
  scheduledTime: string;
  executionId?: string;
  /**
   * succeeded / failed (for good: see the dead-letter record) / dropped (the scheduler stopped, or the
   * schedule was removed or disabled, between attempts) / skipped (not attempted: maxInFlight of the
   * schedule's invocations were still running).
   */
  status: 'succeeded' | 'failed' | 'dropped' | 'skipped';
  attempts: number;
  error?: string;
  /** When it ended, on the scheduler's clock (ISO). */
  finishedAt: string;
}

export interface Logger {
  debug?(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface LocalSchedulerOptions {
  /** Default: the wall clock. Pass scaledClock(...) for the stack's emulated time, ManualClock in tests. */
  clock?: SchedulerClock;
  region?: string;
  accountId?: string;
  /** Default: console's info, warn and error (no debug lines). */
  logger?: Logger;
  /** Receives invocations that failed for good; without it they are logged (and kept: failures()). */
  deadLetter?: (record: DeadLetterRecord) => Promise<void> | void;
  /**
   * The wait before retry n is baseDelayMs × 2^(n-1), capped at maxDelayMs, in clock time (defaults
   * 1 s and 5 min). AWS says "exponential backoff" and publishes no numbers.
   */
  retryBackoff?: { baseDelayMs?: number; maxDelayMs?: number };
  /**
   * Invocations of one schedule running at once (first attempt or retries), default 1: a fire that
   * comes due while that many are still running is skipped and recorded (status 'skipped'). AWS
   * would invoke anyway; this keeps a slow or failing target from piling up invocations.
   */
  maxInFlightPerSchedule?: number;
  /**
   * A fire time reached more than this late (clock ms, default 5 min) is missed, not fired: the
   * process was suspended or blocked. As with fires while stopped, nothing is replayed.
   */
  lateToleranceMs?: number;
  /** Invocation records kept (oldest dropped first), default 1000. */
  historyLimit?: number;
}

export interface SchedulerStats {
  schedules: number;
  fired: number;
  succeeded: number;
  failed: number;
  retries: number;
  skipped: number;
  dropped: number;
  inFlight: number;
}
