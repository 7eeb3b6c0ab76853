/**
 * Schedule expressions. The valid examples are the ones AWS documents (EventBridge "Cron expressions
 * reference" and "Rate expressions", the Scheduler user guide's schedule types) with the times they
 * describe; the "recorded" invalid expressions and their messages are what CreateSchedule answered
 * (recorded against AWS in localstack's validated suite, tests/aws/services/scheduler/
 * test_scheduler.snapshot.json), as are the valid ones marked so.
 */
import { nextFireTimes, parseScheduleExpression, ValidationException, type Dialect } from '../src';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString().replace('.000Z', 'Z'));
/** Monday 3 June 2024, 09:07 UTC. */
const MONDAY = new Date('2024-06-03T09:07:00Z');

function refusal(expression: string, dialect: Dialect = 'scheduler'): ValidationException {
  try {
    parseScheduleExpression(expression, dialect);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationException);
    expect((e as Error).name).toBe('ValidationException');
    return e as ValidationException;
  }
  throw new Error(`accepted: ${expression}`);
}

describe('the documented examples', () => {
  it.each<[string, string, string[]]>([
    ['cron(0 10 * * ? *)', '10:00 every day', ['2024-06-03T10:00:00Z', '2024-06-04T10:00:00Z', '2024-06-05T10:00:00Z']],
    ['cron(15 12 * * ? *)', '12:15 every day', ['2024-06-03T12:15:00Z', '2024-06-04T12:15:00Z', '2024-06-05T12:15:00Z']],
    ['cron(0 18 ? * MON-FRI *)', '18:00 Monday to Friday', ['2024-06-03T18:00:00Z', '2024-06-04T18:00:00Z', '2024-06-05T18:00:00Z', '2024-06-06T18:00:00Z', '2024-06-07T18:00:00Z', '2024-06-10T18:00:00Z']],
    ['cron(0 8 1 * ? *)', '08:00 on the 1st of the month', ['2024-07-01T08:00:00Z', '2024-08-01T08:00:00Z', '2024-09-01T08:00:00Z']],
    ['cron(0/15 * * * ? *)', 'every 15 minutes', ['2024-06-03T09:15:00Z', '2024-06-03T09:30:00Z', '2024-06-03T09:45:00Z', '2024-06-03T10:00:00Z']],
    ['cron(0/10 * ? * MON-FRI *)', 'every 10 minutes on weekdays', ['2024-06-03T09:10:00Z', '2024-06-03T09:20:00Z', '2024-06-03T09:30:00Z']],
    ['cron(0 9 ? * 2#1 *)', '09:00 on the first Monday of the month', ['2024-07-01T09:00:00Z', '2024-08-05T09:00:00Z', '2024-09-02T09:00:00Z']],
    ['cron(15 10 ? * 6L 2019-2022)', '10:15 on the last Friday of the month, 2019 to 2022: none left', []],
    ['cron(15 10 ? * 6L 2019-2025)', '10:15 on the last Friday of the month', ['2024-06-28T10:15:00Z', '2024-07-26T10:15:00Z', '2024-08-30T10:15:00Z']],
    ['cron(5,35 14 * * ? *)', '14:05 and 14:35 every day', ['2024-06-03T14:05:00Z', '2024-06-03T14:35:00Z', '2024-06-04T14:05:00Z']],
    ['rate(5 minutes)', 'every 5 minutes from the anchor', ['2024-06-03T09:12:00Z', '2024-06-03T09:17:00Z', '2024-06-03T09:22:00Z']],
    ['rate(1 hour)', 'every hour', ['2024-06-03T10:07:00Z', '2024-06-03T11:07:00Z', '2024-06-03T12:07:00Z']],
    ['rate(7 days)', 'every 7 days', ['2024-06-10T09:07:00Z', '2024-06-17T09:07:00Z', '2024-06-24T09:07:00Z']],
  ])('%s: %s', (expression, _meaning, expected) => {
    expect(iso(nextFireTimes(expression, { after: MONDAY, count: expected.length || 3 }))).toEqual(expected);
  });

  it('cron(0/5 8-17 ? * MON-FRI *): every 5 minutes from 08:00 to 17:55 on weekdays', () => {
    const times = iso(nextFireTimes('cron(0/5 8-17 ? * MON-FRI *)', { after: new Date('2024-06-07T17:50:00Z'), count: 3 })); // a Friday
    expect(times).toEqual(['2024-06-07T17:55:00Z', '2024-06-10T08:00:00Z', '2024-06-10T08:05:00Z']);
  });

  it('cron(0/30 20-2 ? * MON-FRI *): a range across midnight (every 30 minutes from 22:00 to 02:00 in the guide)', () => {
    const times = iso(nextFireTimes('cron(0/30 20-2 ? * MON-FRI *)', { after: new Date('2024-06-03T23:00:00Z'), count: 8 }));
    expect(times).toEqual([
      '2024-06-03T23:30:00Z',
      '2024-06-04T00:00:00Z',
      '2024-06-04T00:30:00Z',
      '2024-06-04T01:00:00Z',
      '2024-06-04T01:30:00Z',
      '2024-06-04T02:00:00Z',
      '2024-06-04T02:30:00Z',
      '2024-06-04T20:00:00Z',
    ]);
  });

  it('accepts the cron expressions AWS accepted (recorded)', () => {
    for (const e of ['cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)', 'cron(30-30 13-13 ? * 2,4,6 *)', 'cron(1-31/30 1-1 ? * 1,7 *)', 'cron(0 18 ? * MON-FRI *)', 'cron(*/15 * * * ? *)', 'cron(0-59/10 0-23/2 ? * * *)']) {
      expect(parseScheduleExpression(e).kind).toBe('cron');
    }
    expect(iso(nextFireTimes('cron(1-31/30 1-1 ? * 1,7 *)', { after: MONDAY, count: 3 }))).toEqual(['2024-06-08T01:01:00Z', '2024-06-08T01:31:00Z', '2024-06-09T01:01:00Z']);
    expect(iso(nextFireTimes('cron(0-59/10 0-23/2 ? * * *)', { after: MONDAY, count: 3 }))).toEqual(['2024-06-03T10:00:00Z', '2024-06-03T10:10:00Z', '2024-06-03T10:20:00Z']);
  });

  it('takes fields separated by more than one space ("separated by white space"), none at the ends', () => {
    expect(iso(nextFireTimes('cron(0  10 * *  ? *)', { after: MONDAY, count: 1 }))).toEqual(['2024-06-03T10:00:00Z']);
  });

  it('accepts at(yyyy-mm-ddThh:mm:ss) (recorded: at(2022-12-31T23:59:59))', () => {
    expect(parseScheduleExpression('at(2022-12-31T23:59:59)')).toMatchObject({ kind: 'at', wallMs: Date.UTC(2022, 11, 31, 23, 59, 59) });
  });
});

describe('cron wildcards', () => {
  const next = (expression: string, after = MONDAY, count = 3) => iso(nextFireTimes(expression, { after, count }));

  it('L in day-of-month: the last day of the month', () => {
    expect(next('cron(0 8 L * ? *)')).toEqual(['2024-06-30T08:00:00Z', '2024-07-31T08:00:00Z', '2024-08-31T08:00:00Z']);
    expect(next('cron(0 8 L 2 ? 2024-2025)', new Date('2024-01-01T00:00:00Z'), 2)).toEqual(['2024-02-29T08:00:00Z', '2025-02-28T08:00:00Z']);
  });

  it('L alone in day-of-week: the last day of the week, Saturday', () => {
    expect(next('cron(0 8 ? * L *)')).toEqual(['2024-06-08T08:00:00Z', '2024-06-15T08:00:00Z', '2024-06-22T08:00:00Z']);
  });

  it('W: the weekday nearest the day, within the month', () => {
    // 15 June 2024 is a Saturday: Friday the 14th. 1 June 2024 is a Saturday: Monday the 3rd (not May).
    // 3W in the guide: the weekday closest to the 3rd; 3 August 2024 is a Saturday: Friday the 2nd.
    expect(next('cron(0 8 15W * ? *)', new Date('2024-06-01T00:00:00Z'), 2)).toEqual(['2024-06-14T08:00:00Z', '2024-07-15T08:00:00Z']);
    expect(next('cron(0 8 1W * ? *)', new Date('2024-05-20T00:00:00Z'), 2)).toEqual(['2024-06-03T08:00:00Z', '2024-07-01T08:00:00Z']);
    expect(next('cron(0 8 3W * ? *)', new Date('2024-07-20T00:00:00Z'), 1)).toEqual(['2024-08-02T08:00:00Z']);
  });

  it('#: the nth weekday of the month (3#2 is the second Tuesday), by number or name', () => {
    expect(next('cron(0 8 ? * 3#2 *)')).toEqual(['2024-06-11T08:00:00Z', '2024-07-09T08:00:00Z', '2024-08-13T08:00:00Z']);
    expect(next('cron(0 8 ? * TUE#2 *)')).toEqual(next('cron(0 8 ? * 3#2 *)'));
    // No fifth Monday in June 2024 (3, 10, 17, 24): the next is in July (1, 8, 15, 22, 29).
    expect(next('cron(0 8 ? * 2#5 *)', MONDAY, 1)).toEqual(['2024-07-29T08:00:00Z']);
  });

  it('names: JAN-DEC and SUN-SAT, lists, ranges and increments', () => {
    expect(next('cron(0 0 1 JAN,JUL ? *)')).toEqual(['2024-07-01T00:00:00Z', '2025-01-01T00:00:00Z', '2025-07-01T00:00:00Z']);
    expect(next('cron(0 0 1 jan,jul ? *)')).toEqual(next('cron(0 0 1 JAN,JUL ? *)'));
    expect(next('cron(0 12 ? * SAT,SUN *)')).toEqual(['2024-06-08T12:00:00Z', '2024-06-09T12:00:00Z', '2024-06-15T12:00:00Z']);
    expect(next('cron(0 12 ? * 1,7 *)')).toEqual(next('cron(0 12 ? * SAT,SUN *)'));
    expect(next('cron(0 0 1 NOV-FEB ? *)', MONDAY, 4)).toEqual(['2024-11-01T00:00:00Z', '2024-12-01T00:00:00Z', '2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z']);
    expect(next('cron(10-20/5 9 * * ? *)')).toEqual(['2024-06-03T09:10:00Z', '2024-06-03T09:15:00Z', '2024-06-03T09:20:00Z']);
    expect(next('cron(0 0 1 1 ? 2030/5)', MONDAY, 2)).toEqual(['2030-01-01T00:00:00Z', '2035-01-01T00:00:00Z']);
  });
});

describe('refused expressions', () => {
  it.each([
    'cron(0 1 * * * *)',
    'cron(7 20 * * NOT *)',
    'cron(INVALID)',
    'cron(0 dummy ? * MON-FRI *)',
    'cron(71 8 1 * ? *)',
    'cron()',
    'rate(10 seconds)',
    'rate(10 years)',
    'rate()',
    'rate(10)',
    'rate(10 minutess)',
    'rate(foo minutes)',
    'rate(-10 minutes)',
    'rate( 10 minutes )',
    ' rate(10 minutes)',
    'at(2021-12-31T23:59:59Z)',
    'at(2021-12-31)',
  ])('%j: AWS\'s message (recorded)', (expression) => {
    expect(refusal(expression).message).toBe(`Invalid Schedule Expression ${expression}.`);
  });

  it.each<[string, string]>([
    ['cron(0 1 * * * *)', 'exactly one of day-of-month and day-of-week must be ?'],
    ['cron(0 10 ? * ? *)', 'exactly one of day-of-month and day-of-week must be ?'],
    ['cron(0 10 1 * MON *)', 'exactly one of day-of-month and day-of-week must be ?'],
    ['cron(7 20 * * NOT *)', "day-of-week: 'NOT' is not a number or a name (SUN-SAT)"],
    ['cron(INVALID)', 'expected 6 fields (minutes hours day-of-month month day-of-week year), found 1'],
    ['cron(0 10 * * ?)', 'expected 6 fields (minutes hours day-of-month month day-of-week year), found 5'],
    ['cron(0 0 10 * * ? *)', 'expected 6 fields (minutes hours day-of-month month day-of-week year), found 7'],
    ['cron(0 dummy ? * MON-FRI *)', "hours: 'dummy' is not a number"],
    ['cron(71 8 1 * ? *)', 'minutes: 71 is outside 0-59'],
    ['cron(0 24 * * ? *)', 'hours: 24 is outside 0-23'],
    ['cron(0 8 32 * ? *)', 'day-of-month: 32 is outside 1-31'],
    ['cron(0 8 ? 13 MON *)', 'month: 13 is outside 1-12'],
    ['cron(0 8 ? * 0 *)', 'day-of-week: 0 is outside 1-7'],
    ['cron(0 8 * * ? 1969)', 'year: 1969 is outside 1970-2199'],
    ['cron(0 8 * * ? 2200)', 'year: 2200 is outside 1970-2199'],
    ['cron(0 8 * * ? 2030-2025)', 'year: range 2030-2025 runs backwards'],
    ['cron(0/0 * * * ? *)', "minutes: increment '0' is not a number from 1 to 60"],
    ['cron(0/61 * * * ? *)', "minutes: increment '61' is not a number from 1 to 60"],
    ['cron(? 8 * * ? *)', "minutes: '?' is only allowed in day-of-month or day-of-week"],
    ['cron(0 8 L,15 * ? *)', "day-of-month: 'L': L, W and # stand alone in the field, not in a list or range"],
    ['cron(0 8 ? * 3#1,6#3 *)', "day-of-week: '3#1,6#3' is not one day#n (only one expression is allowed with #)"],
    ['cron(0 8 ? * 2#6 *)', "day-of-week: '#6' is not an occurrence from 1 to 5"],
    ['cron(0 8 ? * 8L *)', 'day-of-week: 8 is outside 1-7'],
    ['cron(0 8 ? FOO * *)', "month: 'FOO' is not a number or a name (JAN-DEC)"],
    ['cron(0 8 1,,2 * ? *)', "day-of-month: '' is not a value, range or increment"],
    ['cron( 0 8 * * ? *)', 'expected 6 fields separated by spaces'],
    ['rate(0 minutes)', 'the value must be a positive whole number'],
    ['rate(1.5 hours)', 'expected rate(value unit) with a whole number and minute(s), hour(s) or day(s)'],
    ['rate(5 Minutes)', 'expected rate(value unit) with a whole number and minute(s), hour(s) or day(s)'],
    ['at(2024-02-30T10:00:00)', '2024-02-30T10:00:00 is not a date and time of the calendar'],
    ['at(2024-06-01T24:00:00)', '2024-06-01T24:00:00 is not a date and time of the calendar'],
    ['at(2024-06-01T10:00)', 'expected at(yyyy-mm-ddThh:mm:ss), a local date and time without offset'],
    ['every(5 minutes)', 'expected rate(value unit), cron(fields) or at(yyyy-mm-ddThh:mm:ss)'],
  ])('%j: %s', (expression, reason) => {
    const e = refusal(expression);
    expect(e.message).toBe(`Invalid Schedule Expression ${expression}.`);
    expect(e.reason).toBe(reason);
  });

  it('more than 256 characters: the model constraint', () => {
    const long = `cron(${'0,'.repeat(130)}0 8 * * ? *)`;
    expect(refusal(long).message).toBe(`1 validation error detected: Value '${long}' at 'scheduleExpression' failed to satisfy constraint: Member must have length less than or equal to 256`);
  });
});

describe('units: Scheduler is lenient, rules are not', () => {
  it('Scheduler takes either form of the unit (it accepted rate(2 minute), recorded)', () => {
    expect(parseScheduleExpression('rate(2 minute)')).toMatchObject({ kind: 'rate', value: 2, unit: 'minute', intervalMs: 120_000 });
    expect(parseScheduleExpression('rate(1 minutes)')).toMatchObject({ intervalMs: 60_000 });
    expect(parseScheduleExpression('rate(1 day)')).toMatchObject({ intervalMs: 86_400_000 });
  });

  it('EventBridge rules: singular for 1, plural above ("rate(1 hours) and rate(5 hour) aren\'t valid")', () => {
    expect(parseScheduleExpression('rate(1 hour)', 'rule')).toMatchObject({ intervalMs: 3_600_000 });
    expect(parseScheduleExpression('rate(5 hours)', 'rule')).toMatchObject({ intervalMs: 18_000_000 });
    const one = refusal('rate(1 hours)', 'rule');
    expect(one.message).toBe('Parameter ScheduleExpression is not valid.');
    expect(one.reason).toBe('a value of 1 takes the singular unit (hour)');
    expect(refusal('rate(5 hour)', 'rule').reason).toBe('a value above 1 takes the plural unit (hours)');
  });

  it('EventBridge rules take the same cron, but no at()', () => {
    expect(parseScheduleExpression('cron(0 18 ? * MON-FRI *)', 'rule').kind).toBe('cron');
    expect(refusal('cron(0 1 * * * *)', 'rule').message).toBe('Parameter ScheduleExpression is not valid.');
    expect(refusal('at(2030-01-01T00:00:00)', 'rule').reason).toBe('at() is a Scheduler expression; rules take rate() and cron() only');
  });
});
