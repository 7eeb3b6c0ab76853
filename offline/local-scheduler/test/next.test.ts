/**
 * nextFireTimes: time zones, daylight saving, StartDate/EndDate, rate anchoring, at().
 * Daylight saving as Scheduler documents it (AWS re:Post, "EventBridge Scheduler adjust DST"): "When
 * the time shifts forward in Spring, your schedule invocation gets skipped if the cron expression
 * falls on a non-existent date and time. When the time shifts back in the Fall, your schedule runs
 * only once and doesn't repeat its invocation", and for rates "days represents a 24-hour duration".
 */
import fc from 'fast-check';
import { nextFireTimes, ValidationException } from '../src';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString().replace('.000Z', 'Z'));
const at = (text: string) => new Date(text);
const next = (expression: string, after: string, count: number, timezone?: string) => iso(nextFireTimes(expression, { after: at(after), count, ...(timezone ? { timezone } : {}) }));

describe('time zones', () => {
  it('evaluates cron in ScheduleExpressionTimezone (default UTC)', () => {
    expect(next('cron(0 9 * * ? *)', '2024-06-03T00:00:00Z', 1)).toEqual(['2024-06-03T09:00:00Z']);
    expect(next('cron(0 9 * * ? *)', '2024-06-03T00:00:00Z', 1, 'Europe/Paris')).toEqual(['2024-06-03T07:00:00Z']);
    expect(next('cron(0 9 * * ? *)', '2024-06-03T00:00:00Z', 1, 'Asia/Kolkata')).toEqual(['2024-06-03T03:30:00Z']);
    expect(next('cron(0 9 * * ? *)', '2024-06-03T00:00:00Z', 1, 'America/New_York')).toEqual(['2024-06-03T13:00:00Z']);
  });

  it('day-of-week and day-of-month are the zone\'s, not UTC\'s', () => {
    // 23:30 on Monday in New York is 03:30 on Tuesday UTC.
    expect(next('cron(30 23 ? * MON *)', '2024-06-01T00:00:00Z', 2, 'America/New_York')).toEqual(['2024-06-04T03:30:00Z', '2024-06-11T03:30:00Z']);
    expect(next('cron(30 0 1 * ? *)', '2024-06-01T00:00:00Z', 1, 'Asia/Tokyo')).toEqual(['2024-06-30T15:30:00Z']);
  });

  it('refuses an unknown zone or an offset, and the model\'s length', () => {
    expect(() => nextFireTimes('rate(1 hour)', { after: new Date(), count: 1, timezone: 'Mars/Olympus_Mons' })).toThrow(new ValidationException('Invalid ScheduleExpressionTimezone Mars/Olympus_Mons.'));
    expect(() => nextFireTimes('rate(1 hour)', { after: new Date(), count: 1, timezone: '+01:00' })).toThrow('Invalid ScheduleExpressionTimezone +01:00.');
    expect(() => nextFireTimes('rate(1 hour)', { after: new Date(), count: 1, timezone: 'A'.repeat(51) })).toThrow(/at 'scheduleExpressionTimezone' failed to satisfy constraint: Member must have length less than or equal to 50/);
    expect(next('cron(0 9 * * ? *)', '2024-06-03T00:00:00Z', 1, 'Etc/GMT+5')).toEqual(['2024-06-03T14:00:00Z']);
  });

  it('scheduled rules run in UTC only', () => {
    expect(iso(nextFireTimes('cron(0 9 * * ? *)', { after: at('2024-06-03T00:00:00Z'), count: 1, dialect: 'rule' }))).toEqual(['2024-06-03T09:00:00Z']);
    expect(() => nextFireTimes('cron(0 9 * * ? *)', { after: new Date(), count: 1, dialect: 'rule', timezone: 'Europe/Paris' })).toThrow(ValidationException);
  });
});

describe('daylight saving time', () => {
  it('spring forward: a time that does not exist is skipped (New York, 10 March 2024, 02:00 -> 03:00)', () => {
    expect(next('cron(30 2 * * ? *)', '2024-03-08T12:00:00Z', 3, 'America/New_York')).toEqual([
      '2024-03-09T07:30:00Z', // 02:30 EST
      '2024-03-11T06:30:00Z', // 02:30 EDT; none on the 10th
      '2024-03-12T06:30:00Z',
    ]);
    expect(next('cron(0/30 * * * ? *)', '2024-03-10T06:00:00Z', 3, 'America/New_York')).toEqual([
      '2024-03-10T06:30:00Z', // 01:30 EST
      '2024-03-10T07:00:00Z', // 03:00 EDT: 02:00 and 02:30 do not exist
      '2024-03-10T07:30:00Z',
    ]);
  });

  it('fall back: a time that happens twice fires once, at its first occurrence (New York, 3 November 2024, 02:00 -> 01:00)', () => {
    expect(next('cron(30 1 * * ? *)', '2024-11-02T12:00:00Z', 3, 'America/New_York')).toEqual([
      '2024-11-03T05:30:00Z', // 01:30 EDT; not again at 01:30 EST (06:30Z)
      '2024-11-04T06:30:00Z',
      '2024-11-05T06:30:00Z',
    ]);
    expect(next('cron(0/30 * * * ? *)', '2024-11-03T04:45:00Z', 4, 'America/New_York')).toEqual([
      '2024-11-03T05:00:00Z', // 01:00 EDT
      '2024-11-03T05:30:00Z', // 01:30 EDT
      '2024-11-03T07:00:00Z', // 02:00 EST: the repeated 01:00 and 01:30 EST do not fire again
      '2024-11-03T07:30:00Z',
    ]);
  });

  it('from inside the repeated hour, the times already passed in its first pass are not repeated', () => {
    // 06:10Z is 01:10 EST, the second pass: 01:30 already fired at 05:30Z.
    expect(next('cron(30 * * * ? *)', '2024-11-03T06:10:00Z', 2, 'America/New_York')).toEqual(['2024-11-03T07:30:00Z', '2024-11-03T08:30:00Z']);
  });

  it('southern hemisphere and half-hour shifts (Sydney in April, Lord Howe Island in October)', () => {
    // Sydney, 7 April 2024: 03:00 AEDT -> 02:00 AEST; 02:30 happens twice.
    expect(next('cron(30 2 * * ? *)', '2024-04-06T00:00:00Z', 2, 'Australia/Sydney')).toEqual(['2024-04-06T15:30:00Z', '2024-04-07T16:30:00Z']);
    // Lord Howe, 6 October 2024: 02:00 +10:30 -> 02:30 +11; 02:15 does not exist.
    expect(next('cron(15 2 * * ? *)', '2024-10-04T00:00:00Z', 2, 'Australia/Lord_Howe')).toEqual(['2024-10-04T15:45:00Z', '2024-10-06T15:15:00Z']);
  });

  it('a rate day is 24 hours across the change; its wall-clock time moves', () => {
    const times = nextFireTimes('rate(1 day)', { after: at('2024-03-09T11:00:00Z'), count: 3, timezone: 'America/New_York', startDate: at('2024-03-09T12:00:00Z') });
    expect(iso(times)).toEqual(['2024-03-09T12:00:00Z', '2024-03-10T12:00:00Z', '2024-03-11T12:00:00Z']); // 07:00 EST, then 08:00 EDT
  });

  it('property: hourly cron in any zone gives increasing times after `after`, each at minute 0 of a distinct wall hour', () => {
    const zones = ['UTC', 'America/New_York', 'Europe/London', 'Australia/Sydney', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago'];
    const wall = (d: Date, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(d);
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2025, 0, 1) }), fc.constantFrom(...zones), (afterMs, timeZone) => {
        const times = nextFireTimes('cron(0 * * * ? *)', { after: new Date(afterMs), count: 30, timezone: timeZone });
        expect(times).toHaveLength(30);
        expect(times[0]!.getTime()).toBeGreaterThan(afterMs);
        const walls = times.map((t) => wall(t, timeZone));
        for (let i = 0; i < times.length; i++) {
          if (i > 0) expect(times[i]!.getTime()).toBeGreaterThan(times[i - 1]!.getTime());
          if (i > 0) expect(times[i]!.getTime() - times[i - 1]!.getTime()).toBeLessThanOrEqual(2 * 3_600_000); // a gap skips at most an hour
          expect(walls[i]).toMatch(/ \d\d:00$|, \d\d:00$/);
        }
        expect(new Set(walls).size).toBe(walls.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('StartDate, EndDate and rate anchoring', () => {
  it('a rate fires at its StartDate, then every interval, whatever `after` is', () => {
    const startDate = at('2024-06-03T09:03:20Z');
    expect(iso(nextFireTimes('rate(10 minutes)', { after: at('2024-06-03T09:30:00Z'), count: 2, startDate }))).toEqual(['2024-06-03T09:33:20Z', '2024-06-03T09:43:20Z']);
    expect(iso(nextFireTimes('rate(10 minutes)', { after: at('2024-06-01T00:00:00Z'), count: 2, startDate }))).toEqual(['2024-06-03T09:03:20Z', '2024-06-03T09:13:20Z']);
  });

  it('without a StartDate a rate is anchored at `after`, to the second', () => {
    expect(iso(nextFireTimes('rate(1 minute)', { after: at('2024-06-03T09:03:20.750Z'), count: 2 }))).toEqual(['2024-06-03T09:04:20Z', '2024-06-03T09:05:20Z']);
  });

  it('cron: nothing before StartDate nor after EndDate (inclusive)', () => {
    const window = { startDate: at('2024-06-05T00:00:00Z'), endDate: at('2024-06-07T10:00:00Z') };
    expect(iso(nextFireTimes('cron(0 10 * * ? *)', { after: at('2024-06-03T00:00:00Z'), count: 5, ...window }))).toEqual(['2024-06-05T10:00:00Z', '2024-06-06T10:00:00Z', '2024-06-07T10:00:00Z']);
    expect(iso(nextFireTimes('rate(1 day)', { after: at('2024-06-03T00:00:00Z'), count: 5, ...window }))).toEqual(['2024-06-05T00:00:00Z', '2024-06-06T00:00:00Z', '2024-06-07T00:00:00Z']);
  });

  it('a cron with no time left gives none', () => {
    expect(nextFireTimes('cron(0 8 1 1 ? 2020)', { after: at('2024-06-03T00:00:00Z'), count: 3 })).toEqual([]);
    expect(nextFireTimes('cron(0 8 30 2 ? *)', { after: at('2024-06-03T00:00:00Z'), count: 3 })).toEqual([]);
  });
});

describe('at()', () => {
  it('fires once, at the wall time in the zone; StartDate and EndDate are ignored', () => {
    const options = { after: at('2024-06-01T00:00:00Z'), count: 3, startDate: at('2024-07-01T00:00:00Z'), endDate: at('2024-07-02T00:00:00Z') };
    expect(iso(nextFireTimes('at(2024-06-03T11:00:00)', options))).toEqual(['2024-06-03T11:00:00Z']);
    expect(iso(nextFireTimes('at(2024-06-03T11:00:00)', { ...options, timezone: 'Europe/Paris' }))).toEqual(['2024-06-03T09:00:00Z']);
    expect(nextFireTimes('at(2024-06-03T11:00:00)', { after: at('2024-06-03T11:00:00Z'), count: 1 })).toEqual([]);
  });

  it('a repeated wall time is its first occurrence; one in a gap is read past the gap', () => {
    expect(iso(nextFireTimes('at(2024-11-03T01:30:00)', { after: at('2024-11-01T00:00:00Z'), count: 1, timezone: 'America/New_York' }))).toEqual(['2024-11-03T05:30:00Z']);
    expect(iso(nextFireTimes('at(2024-03-10T02:30:00)', { after: at('2024-03-01T00:00:00Z'), count: 1, timezone: 'America/New_York' }))).toEqual(['2024-03-10T07:30:00Z']); // 03:30 EDT
  });
});
