/**
 * Wall-clock time in an IANA time zone, with Node's own time-zone data (Intl). A "wall" time is held
 * as the epoch milliseconds of the same calendar fields read as UTC (2024-03-10T02:30 in New York is
 * Date.UTC(2024, 2, 10, 2, 30)): the cron matcher runs on wall times, and these helpers turn them into
 * instants and back, so daylight-saving gaps and repeats are decided here, as Scheduler decides them.
 */

const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** Whether Node knows the IANA zone. Offsets (`+01:00`), which Intl also takes, are not zone names. */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return false;
  try {
    format(name);
    return true;
  } catch {
    return false;
  }
}

/** The wall time (as UTC-read milliseconds, whole seconds) at an instant. */
export function toWall(instantMs: number, timeZone: string): number {
  const parts: Record<string, string> = {};
  for (const p of format(timeZone).formatToParts(new Date(instantMs))) parts[p.type] = p.value;
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall + (((instantMs % 1000) + 1000) % 1000);
}

/**
 * The instants that show a wall time, earliest first: none in a spring-forward gap, two in a
 * fall-back repeat, one otherwise. The zone's offset is read a day either side, which is enough for
 * every real zone (no zone changes its offset twice within two days).
 */
export function fromWall(wallMs: number, timeZone: string): number[] {
  const offsets = new Set([wallMs - DAY_MS, wallMs, wallMs + DAY_MS].map((t) => toWall(t, timeZone) - t));
  const instants = [...offsets].map((offset) => wallMs - offset).filter((t) => toWall(t, timeZone) === wallMs);
  return [...new Set(instants)].sort((a, b) => a - b);
}
