import type { Arns } from './arn';
import type { Faults } from './faults';
import type { ImageResolver } from './images';
import type { LogStore } from './logs';
import type { ProcessManager } from './processes';
import type { S3Transfer } from './s3';

export interface Logger {
  debug?(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export interface Timings {
  /** How long a serving container has to answer GET /ping with 200 (AWS: minutes; default 60 s). */
  healthCheckTimeoutMs: number;
  /** Interval between /ping attempts. */
  healthCheckIntervalMs: number;
  /** SIGTERM → SIGKILL grace when stopping a job (AWS gives 120 s; default here 10 s). */
  stopGracePeriodMs: number;
  /** Real-time InvokeEndpoint timeout (AWS: 60 s). */
  invocationTimeoutMs: number;
}

/**
 * The emulator's time. SageMaker reports its timestamps and measures MaxRuntimeInSeconds on it; the
 * offline stack runs it faster than real time at the rate its Step Functions waits are scaled, so a
 * job that takes 1 s of real time looks, to whoever polls it, like one that took 1 s × rate on AWS.
 */
export interface Clock {
  now(): Date;
  /** Real milliseconds of a span of emulated seconds (for timers). */
  realMs(seconds: number): number;
}

export function virtualClock(rate = 1, epochMs = Date.now()): Clock {
  if (!(rate > 0)) throw new Error(`clock rate must be a positive number, got ${rate}`);
  return {
    now: () => new Date(Math.round(epochMs + (Date.now() - epochMs) * rate)),
    realMs: (seconds) => (seconds * 1000) / rate,
  };
}

/**
 * An event as SageMaker sends it to EventBridge (source `aws.sagemaker`), minus the envelope members
 * EventBridge adds itself (`version`, `id`, `account`, `region`).
 */
export interface SageMakerEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
  resources: string[];
  /** When it happened, on the emulator's clock. */
  time: Date;
}

/** An alarm's state as CloudWatch's DescribeAlarms reports it. */
export interface AlarmState {
  name: string;
  /** OK, ALARM or INSUFFICIENT_DATA. */
  state: string;
  reason?: string;
}

/** Reads the states of the named alarms (unknown names are left out), as SageMaker does during a rollout's bake. */
export type AlarmSource = (names: string[]) => AlarmState[] | Promise<AlarmState[]>;

/** What every resource service shares. */
export interface Context {
  region: string;
  accountId: string;
  arns: Arns;
  s3: S3Transfer;
  images: ImageResolver;
  procs: ProcessManager;
  logs: LogStore;
  faults: Faults;
  logger: Logger;
  workDir: string;
  timings: Timings;
  /** Pass the server's whole environment (minus every AWS_* setting) to containers (default: a minimal one, as a container gets). */
  inheritEnv: boolean;
  /** Region, S3 endpoint and credentials of the local stack: what containers get instead of the host's AWS settings. */
  stackEnvironment: Record<string, string>;
  clock: Clock;
  /** Set once close() starts: no new processes, run loops wind down. */
  closing: boolean;
  /** Receives the EventBridge events SageMaker would send (a throwing receiver is logged, never fails the call). */
  onEvent?: (event: SageMakerEvent) => void;
  /** CloudWatch, for UpdateEndpoint's AutoRollbackConfiguration; absent: no alarm ever fires. */
  alarms?: AlarmSource;
}

/** Hands an event to `ctx.onEvent`; a receiver's error is logged and does not fail the API call. */
export function emitEvent(ctx: Pick<Context, 'onEvent' | 'logger'>, event: SageMakerEvent): void {
  if (!ctx.onEvent) return;
  try {
    ctx.onEvent(event);
  } catch (e) {
    ctx.logger.error(`local-sagemaker: the onEvent receiver failed on ${event['detail-type']} (${event.resources.join(', ')}): ${errorMessage(e)}`);
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
