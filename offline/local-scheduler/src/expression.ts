/**
 * Schedule expressions, as EventBridge Scheduler takes them in CreateSchedule's ScheduleExpression
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):
 *   rate(value unit)            unit minute|minutes|hour|hours|day|days, value a positive integer
 *   cron(fields)                AWS's six-field cron (cron.ts)
 *   at(yyyy-mm-ddThh:mm:ss)     one time, in ScheduleExpressionTimezone
 * and as scheduled EventBridge rules take them in PutRule's ScheduleExpression (dialect 'rule'): the
 * same rate and cron, no at(), always UTC, and a rate's unit singular for 1 and plural otherwise.
 *
 * Scheduler answers any malformed expression with `ValidationException: Invalid Schedule Expression
 * <expression>.` and PutRule with `Parameter ScheduleExpression is not valid.` (both recorded from the
 * real APIs); neither says why, so the exception here also carries a `reason`.
 */
import { CronSyntaxError, compileCron, type CompiledCron } from './cron';
import { constraintViolation, ValidationException } from './errors';
import { isTimeZone } from './timezone';

export type Dialect = 'scheduler' | 'rule';

export type RateUnit = 'minute' | 'hour' | 'day';

export type ParsedExpression =
  | { kind: 'rate'; expression: string; value: number; unit: RateUnit; intervalMs: number }
  | { kind: 'cron'; expression: string; cron: CompiledCron }
  /** `wallMs`: the date and time written, read as UTC; the time zone places it. */
  | { kind: 'at'; expression: string; wallMs: number };

const UNIT_MS: Record<RateUnit, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MAX_EXPRESSION_LENGTH = 256; // ScheduleExpression: min 1, max 256 (scheduler-2021-06-30)
const MAX_TIMEZONE_LENGTH = 50; // ScheduleExpressionTimezone: min 1, max 50

function invalid(expression: string, dialect: Dialect, reason: string): ValidationException {
  return new ValidationException(dialect === 'rule' ? 'Parameter ScheduleExpression is not valid.' : `Invalid Schedule Expression ${expression}.`, reason);
}

/** Parses and checks an expression; throws ValidationException as the API would. */
export function parseScheduleExpression(expression: string, dialect: Dialect = 'scheduler'): ParsedExpression {
  if (typeof expression !== 'string') throw new ValidationException('ScheduleExpression is required.', 'not a string');
  if (dialect === 'scheduler' && (expression.length < 1 || expression.length > MAX_EXPRESSION_LENGTH)) {
    throw constraintViolation(expression, 'scheduleExpression', `Member must have length ${expression.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_EXPRESSION_LENGTH}`}`);
  }
  // No space is allowed around the expression or inside its parentheses: AWS refuses
  // `rate( 10 minutes )` and ` rate(10 minutes)`.
  const call = /^(rate|cron|at)\((.*)\)$/s.exec(expression);
  if (!call) throw invalid(expression, dialect, 'expected rate(value unit), cron(fields) or at(yyyy-mm-ddThh:mm:ss)');
  const [, kind, body] = call as unknown as [string, 'rate' | 'cron' | 'at', string];
  if (kind === 'rate') return parseRate(expression, body, dialect);
  if (kind === 'cron') {
    try {
      return { kind, expression, cron: compileCron(body) };
    } catch (e) {
      if (e instanceof CronSyntaxError) throw invalid(expression, dialect, e.message);
      throw e;
    }
  }
  if (dialect === 'rule') throw invalid(expression, dialect, 'at() is a Scheduler expression; rules take rate() and cron() only');
  return parseAt(expression, body);
}

function parseRate(expression: string, body: string, dialect: Dialect): ParsedExpression {
  const m = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body);
  if (!m) throw invalid(expression, dialect, 'expected rate(value unit) with a whole number and minute(s), hour(s) or day(s)');
  const value = Number(m[1]);
  const written = m[2]!;
  if (!Number.isSafeInteger(value) || value < 1) throw invalid(expression, dialect, 'the value must be a positive whole number');
  // EventBridge rules: "If the value is equal to 1, then the unit must be singular. If the value is
  // greater than 1, the unit must be plural." Scheduler does not check it: UpdateSchedule took
  // `rate(2 minute)` (recorded against AWS in localstack's validated scheduler suite).
  if (dialect === 'rule' && (value === 1) !== !written.endsWith('s')) {
    throw invalid(expression, dialect, value === 1 ? `a value of 1 takes the singular unit (${written.replace(/s$/, '')})` : `a value above 1 takes the plural unit (${written}s)`);
  }
  const unit = written.replace(/s$/, '') as RateUnit;
  return { kind: 'rate', expression, value, unit, intervalMs: value * UNIT_MS[unit] };
}

function parseAt(expression: string, body: string): ParsedExpression {
  // Local date and time without offset or Z: `at(2021-12-31T23:59:59Z)` and `at(2021-12-31)` are refused.
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!m) throw invalid(expression, 'scheduler', 'expected at(yyyy-mm-ddThh:mm:ss), a local date and time without offset');
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const wallMs = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(wallMs);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw invalid(expression, 'scheduler', `${body} is not a date and time of the calendar`);
  }
  return { kind: 'at', expression, wallMs };
}

/**
 * ScheduleExpressionTimezone: an IANA name (default UTC). The model only bounds its length; an
 * unknown zone is refused here with our own wording (AWS's text for it is not recorded).
 */
export function checkTimezone(timezone: string | undefined, dialect: Dialect = 'scheduler'): string {
  if (timezone === undefined) return 'UTC';
  if (dialect === 'rule') {
    // Scheduled rules always run in UTC+0; PutRule has no time zone parameter.
    if (timezone !== 'UTC' && timezone !== 'Etc/UTC') throw new ValidationException(`EventBridge rules' schedules run in UTC; time zone ${timezone} is not available to them.`);
    return 'UTC';
  }
  if (typeof timezone !== 'string' || timezone.length < 1 || timezone.length > MAX_TIMEZONE_LENGTH) {
    throw constraintViolation(timezone, 'scheduleExpressionTimezone', `Member must have length ${String(timezone).length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_TIMEZONE_LENGTH}`}`);
  }
  if (!isTimeZone(timezone)) throw new ValidationException(`Invalid ScheduleExpressionTimezone ${timezone}.`, 'not an IANA time zone known to this Node');
  return timezone;
}
