/**
 * The offline stack has two clocks. Outside callers (tests, the AWS CLI, the developer's scripts)
 * live on the wall clock; the functions live on the emulated clock, which runs as much faster as
 * the Step Functions waits are scaled (local-lambda sets their `Date`). The SDK in a function signs
 * its S3 requests with emulated time, and s3rver, like S3, refuses a request more than 15 minutes
 * off its own (wall) clock. So the S3 front recognises a request signed on the emulated clock,
 * rewrites its timestamp to wall time for s3rver (which does not verify signatures), and answers
 * with a `Date` header on the emulated clock: the SDK corrects its clock offset from that header,
 * and a wall-clock `Date` would make it sign the next request on neither clock.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** S3 refuses a request whose time is further than this from its own. */
export const S3_SKEW_TOLERANCE_MS = 15 * 60_000;

export interface EmulatedClock {
  /** Emulated milliseconds since the epoch. */
  now(): number;
  /** The wall-clock instant of an emulated one. */
  toWall(emulatedMs: number): number;
}

/** The clock that runs `rate` times faster than the wall clock from `epochMs` on. */
export function emulatedClock({ epochMs, rate }: { epochMs: number; rate: number }): EmulatedClock {
  return { now: () => Math.round(epochMs + (Date.now() - epochMs) * rate), toWall: (ms) => Math.round(epochMs + (ms - epochMs) / rate) };
}

/**
 * The emulated clock runs `rate` times faster than the wall clock. A restarted stack's clock goes
 * on from where the previous one's stopped (`resumeAt`), so no timestamp runs backwards.
 */
export function continuedClock(rate: number, resumeAt: number | undefined): { epochMs: number; rate: number } {
  const now = Date.now();
  if (resumeAt === undefined || rate <= 1 || resumeAt <= now) return { epochMs: now, rate };
  // epoch + (now - epoch) * rate = resumeAt
  return { epochMs: now - (resumeAt - now) / (rate - 1), rate };
}

/** A timestamp signed on the emulated clock, moved to the wall clock; others unchanged. */
export function toWallAmzDate(amzDate: string, clock: EmulatedClock | undefined): string {
  return signedOnEmulatedClock(amzDate, clock) ? formatAmzDate(clock!.toWall(parseAmzDate(amzDate)!)) : amzDate;
}

/** `20261205T235219Z`, SigV4's timestamp. */
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export function parseAmzDate(value: string): number | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(ms) ? undefined : ms;
}

export const formatAmzDate = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/**
 * Whether a SigV4 timestamp belongs to the emulated clock: nearer emulated now than wall now. The
 * choice must be stable for a caller: the `Date` it is answered with sets the SDK's clock offset,
 * and a caller answered on one clock after signing on the other would sign its next request with
 * a corrected offset that drifts off both, and meanwhile count every answer as a clock-skew error
 * to retry (a 404 included).
 */
export function signedOnEmulatedClock(amzDate: string | undefined, clock: EmulatedClock | undefined, wallNow = Date.now()): boolean {
  if (clock === undefined || amzDate === undefined) return false;
  const signed = parseAmzDate(amzDate);
  if (signed === undefined) return false;
  return Math.abs(signed - clock.now()) < Math.abs(signed - wallNow);
}

/** A request's SigV4 timestamp: the `x-amz-date` header, or a presigned URL's `X-Amz-Date`. */
export function requestAmzDate(path: string, headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-amz-date'];
  if (typeof header === 'string') return header;
  const queryAt = path.indexOf('?');
  return queryAt === -1 ? undefined : (new URLSearchParams(path.slice(queryAt)).get('X-Amz-Date') ?? undefined);
}

/** The `Date` header a caller should read: its own clock's (none added for the wall clock's: the server's own). */
export function answerDate(request: { path: string; headers: IncomingHttpHeaders }, clock: EmulatedClock | undefined): Record<string, string> {
  return signedOnEmulatedClock(requestAmzDate(request.path, request.headers), clock) ? { date: new Date(clock!.now()).toUTCString() } : {};
}
