/**
 * When a schedule fires, as EventBridge Scheduler documents it
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):
 *
 * - rate: the first invocation is at StartDate, or "immediately" (at creation) without one, then one
 *   every interval. A minute, hour or day is a fixed duration (a day is 24 hours, also across a
 *   daylight-saving change), so the time zone plays no part.
 * - cron: evaluated in ScheduleExpressionTimezone. A wall time that does not exist (spring forward)
 *   is skipped; one that happens twice (fall back) fires once, at its first occurrence.
 * - at: once, at that wall time in the zone; StartDate and EndDate are ignored, as Scheduler does.
 *
 * StartDate and EndDate bound recurring schedules: no invocation before StartDate or after EndDate
 * ("invocations might occur on, or after, the StartDate", "might stop on, or before, the EndDate").
 * Times are whole seconds (cron: whole minutes); Scheduler's "60 second precision" (an invocation
 * within the minute) is not imitated: invocations here are at the exact time.
 */
import { checkTimezone, parseScheduleExpression, type Dialect, type ParsedExpression } from './expression';
import { fromWall, toWall } from './timezone';

export interface FireWindow {
  /** The anchor of a rate schedule and the earliest invocation of a recurring one. */
  startDate?: Date;
  /** No recurring invocation after it. */
  endDate?: Date;
  /** IANA zone for cron and at (default UTC). */
  timezone?: string;
}

export interface NextFireTimesOptions extends FireWindow {
  /** Only times strictly after this one. */
  after: Date;
  count: number;
  /** 'rule' for a scheduled EventBridge rule's ScheduleExpression (default 'scheduler'). */
  dialect?: Dialect;
}

/**
 * The next `count` fire times strictly after `after`. A rate schedule without a startDate is anchored
 * at `after` (rounded down to the second), so its first time is one interval later; give startDate
 * (the creation time, for a schedule created without one) to get its phase right.
 */
export function nextFireTimes(expression: string | ParsedExpression, options: NextFireTimesOptions): Date[] {
  const dialect = options.dialect ?? 'scheduler';
  const parsed = typeof expression === 'string' ? parseScheduleExpression(expression, dialect) : expression;
  const timezone = checkTimezone(options.timezone, dialect);
  const afterMs = options.after.getTime();
  if (Number.isNaN(afterMs)) throw new TypeError('nextFireTimes: `after` is not a valid date');
  const window = { ...options, timezone };
  if (parsed.kind === 'rate' && window.startDate === undefined) window.startDate = new Date(Math.floor(afterMs / 1000) * 1000);
  const times: Date[] = [];
  for (const t of fireTimesFrom(parsed, afterMs + 1, window)) {
    if (times.length >= options.count) break;
    times.push(new Date(t));
  }
  return times;
}

/** Cap on wall times tried for one result: only a cron that matches nothing but gap times gets near it. */
const MAX_SKIPS = 100_000;

/**
 * Fire times (epoch ms) at or after `fromMs`, in order. A rate schedule needs `startDate` (its anchor).
 */
export function* fireTimesFrom(parsed: ParsedExpression, fromMs: number, window: FireWindow): Generator<number, void, undefined> {
  const timezone = window.timezone ?? 'UTC';
  if (parsed.kind === 'at') {
    const t = atInstant(parsed.wallMs, timezone);
    if (t >= fromMs) yield t;
    return;
  }
  const startMs = window.startDate?.getTime();
  const endMs = window.endDate?.getTime() ?? Infinity;
  const lower = Math.max(fromMs, startMs ?? -Infinity);
  if (parsed.kind === 'rate') {
    if (startMs === undefined) throw new Error('a rate schedule needs its anchor (startDate)');
    const k = Math.max(0, Math.ceil((lower - startMs) / parsed.intervalMs));
    for (let t = startMs + k * parsed.intervalMs; t <= endMs; t += parsed.intervalMs) yield t;
    return;
  }
  // cron: walk the wall times from the wall time of `lower` on. A wall time's first instant before
  // `lower` was either passed or is a fall-back repeat, which Scheduler does not run again.
  let wall = toWall(lower, timezone) - 1;
  let skips = 0;
  for (;;) {
    const next = parsed.cron.nextWall(wall);
    if (next === null) return;
    wall = next;
    const first = fromWall(wall, timezone)[0];
    if (first === undefined || first < lower) {
      if (++skips > MAX_SKIPS) return;
      continue;
    }
    if (first > endMs) return;
    skips = 0;
    yield first;
  }
}

/**
 * An at() time: its first instant when the wall time repeats; in a spring-forward gap (AWS does not
 * say), the instant the same distance past the gap's start, as JavaScript and Temporal resolve it.
 */
function atInstant(wallMs: number, timezone: string): number {
  const instants = fromWall(wallMs, timezone);
  if (instants[0] !== undefined) return instants[0];
  const offsetBefore = toWall(wallMs - 86_400_000, timezone) - (wallMs - 86_400_000);
  return wallMs - offsetBefore;
}
