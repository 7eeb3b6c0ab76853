/**
 * AWS's cron dialect (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions,
 * the same for EventBridge Scheduler): six fields `minutes hours day-of-month month day-of-week year`,
 * day-of-week 1-7 = SUN-SAT, `?` in exactly one of day-of-month and day-of-week, `L`, `W` and `#`.
 *
 * This file only checks the grammar and translates it; the calendar search (next matching time,
 * last day of month, nearest weekday, nth weekday) is croner's. Croner speaks a different dialect
 * (seconds first, day-of-week 0-6, `a/n` refused, no wrap-around ranges, `?` allowed anywhere, no
 * day-of-month/day-of-week exclusivity), so each field is validated here and handed over as an
 * explicit list of values, or one of croner's special forms, which both dialects mean the same way.
 */
import { Cron } from 'croner';

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Ranges may wrap past the end (`20-2` in hours: 20..23, 0..2), as AWS's documented example does. */
  wraps: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59, wraps: true },
  { name: 'hours', min: 0, max: 23, wraps: true },
  { name: 'day-of-month', min: 1, max: 31, wraps: true },
  { name: 'month', min: 1, max: 12, names: MONTHS, wraps: true },
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS, wraps: true },
  { name: 'year', min: 1970, max: 2199, wraps: false },
];
const [MINUTES, HOURS, DAY_OF_MONTH, MONTH, DAY_OF_WEEK, YEAR] = FIELDS as [FieldSpec, FieldSpec, FieldSpec, FieldSpec, FieldSpec, FieldSpec];

/** A grammar error; the caller wraps it in AWS's ValidationException. */
export class CronSyntaxError extends Error {}

function value(text: string, spec: FieldSpec): number {
  let n: number;
  if (/^\d+$/.test(text)) n = Number(text);
  else {
    const i = spec.names?.indexOf(text.toUpperCase()) ?? -1;
    if (i < 0 && (spec === DAY_OF_MONTH || spec === DAY_OF_WEEK) && /[LW#]/i.test(text)) {
      throw new CronSyntaxError(`${spec.name}: '${text}': L, W and # stand alone in the field, not in a list or range`);
    }
    if (i < 0) throw new CronSyntaxError(`${spec.name}: '${text}' is not a number${spec.names ? ` or a name (${spec.names[0]}-${spec.names.at(-1)})` : ''}`);
    n = i + 1;
  }
  if (n < spec.min || n > spec.max) throw new CronSyntaxError(`${spec.name}: ${n} is outside ${spec.min}-${spec.max}`);
  return n;
}

/** One comma-separated item: `*`, `a`, `a-b`, with an optional `/step`. */
function item(text: string, spec: FieldSpec): number[] {
  const [range, step, extra] = text.split('/');
  if (extra !== undefined || range === undefined || range === '') throw new CronSyntaxError(`${spec.name}: '${text}' is not a value, range or increment`);
  let from: number;
  let to: number;
  if (range === '*') [from, to] = [spec.min, spec.max];
  else if (range.includes('-')) {
    const [a, b, more] = range.split('-');
    if (more !== undefined || !a || !b) throw new CronSyntaxError(`${spec.name}: '${range}' is not a range`);
    [from, to] = [value(a, spec), value(b, spec)];
    if (from > to && !spec.wraps) throw new CronSyntaxError(`${spec.name}: range ${range} runs backwards`);
  } else {
    from = value(range, spec);
    // `a/n` is "from a to the end, every n" (AWS's `0/15` minutes); a plain `a` is just a.
    to = step === undefined ? from : spec.max;
  }
  let every = 1;
  if (step !== undefined) {
    const size = spec.max - spec.min + 1;
    if (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > size) throw new CronSyntaxError(`${spec.name}: increment '${step}' is not a number from 1 to ${size}`);
    every = Number(step);
  }
  // A wrapping range counts on past the end: 20-2/2 in hours is 20, 22, 0, 2.
  const span = from <= to ? to - from : spec.max - from + 1 + (to - spec.min);
  const values: number[] = [];
  for (let k = 0; k <= span; k += every) values.push(((from - spec.min + k) % (spec.max - spec.min + 1)) + spec.min);
  return values;
}

/** A plain field: `*` or a list of items. Returns croner's text for it. */
function plain(text: string, spec: FieldSpec, shift = 0): string {
  if (text === '*') return spec === YEAR ? `${spec.min}-${spec.max}` : '*';
  if (text === '?') throw new CronSyntaxError(`${spec.name}: '?' is only allowed in day-of-month or day-of-week`);
  const values = new Set<number>();
  for (const part of text.split(',')) for (const v of item(part, spec)) values.add(v + shift);
  return [...values].sort((a, b) => a - b).join(',');
}

function dayOfMonth(text: string): string {
  if (text === '?') return '*';
  if (text === 'L') return 'L';
  const w = /^(\d+)W$/.exec(text);
  if (w) return `${value(w[1]!, DAY_OF_MONTH)}W`;
  return plain(text, DAY_OF_MONTH);
}

/** Croner counts weekdays 0-6 from Sunday; AWS 1-7 from Sunday. */
function dayOfWeek(text: string): string {
  if (text === '?') return '*';
  // `L` alone is the last day of the week: Saturday.
  if (text === 'L') return '6';
  const last = /^(\d+|[A-Z]{3})L$/i.exec(text);
  if (last) return `${value(last[1]!, DAY_OF_WEEK) - 1}#L`;
  if (text.includes('#')) {
    // AWS: "If you use a '#' character, you can define only one expression in the day-of-week field."
    const nth = /^(\d+|[A-Z]{3})#(\d+)$/i.exec(text);
    if (!nth) throw new CronSyntaxError(`day-of-week: '${text}' is not one day#n (only one expression is allowed with #)`);
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new CronSyntaxError(`day-of-week: '#${nth[2]}' is not an occurrence from 1 to 5`);
    return `${value(nth[1]!, DAY_OF_WEEK) - 1}#${n}`;
  }
  return plain(text, DAY_OF_WEEK, -1);
}

export interface CompiledCron {
  /** The six AWS fields as written. */
  fields: readonly string[];
  /** The croner pattern they translate to (seconds first, weekday 0-6). */
  pattern: string;
  /** The first matching wall time strictly after `wallMs` (both read as UTC), or null if none. */
  nextWall(wallMs: number): number | null;
}

/** Checks and compiles the inside of `cron(...)`; throws CronSyntaxError. */
export function compileCron(body: string): CompiledCron {
  if (body !== body.trim() || body === '') throw new CronSyntaxError('expected 6 fields separated by spaces');
  const fields = body.split(/ +/);
  if (fields.length !== 6) throw new CronSyntaxError(`expected 6 fields (minutes hours day-of-month month day-of-week year), found ${fields.length}`);
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  const pattern = ['0', plain(min, MINUTES), plain(hour, HOURS), dayOfMonth(dom), plain(month, MONTH), dayOfWeek(dow), plain(year, YEAR)].join(' ');
  // "You can't specify the Day-of-month and Day-of-week fields in the same cron expression. If you
  // specify a value or a * in one of the fields, you must use a ? in the other." Both `?` is refused
  // too, as Quartz (whose dialect this is) refuses it.
  if ((dom === '?') === (dow === '?')) throw new CronSyntaxError('exactly one of day-of-month and day-of-week must be ?');
  // Wall times are searched as UTC (time zones are applied by the caller). domAndDow: with `?` on one
  // side, AND is what AWS means; croner's default OR would also match every day of the other field.
  const cron = new Cron(pattern, { timezone: 'Etc/UTC', mode: '7-part', domAndDow: true });
  return {
    fields,
    pattern,
    nextWall(wallMs) {
      const next = cron.nextRun(new Date(wallMs));
      return next ? next.getTime() : null;
    },
  };
}
