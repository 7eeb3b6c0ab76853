/**
 * The execution environments of one function, and its counters. Like Lambda, a request goes
 * to an idle (warm) environment if there is one, otherwise to a new one (cold start), up to
 * the function's concurrency.
 */
import { throttledError } from './errors';
import { instanceEnvironment } from './environment';
import { Instance, RUNTIME_DIR } from './instance';
import { LogStore } from './log-store';
import { logStreamName } from './naming';
import type { ResolvedFunction } from './spec';
import type { FunctionStats, LocalLambdaLogger, LogEvent, VirtualClockSetting } from './types';

export interface Lease {
  instance: Instance;
  cold: boolean;
}

export interface PoolOptions {
  fn: ResolvedFunction;
  /** Local cap on live environments; beyond it requests wait. */
  maxInstances: number;
  nodePath: string;
  parentEnv: NodeJS.ProcessEnv;
  clock?: VirtualClockSetting;
  logs: LogStore;
  onLog?: (functionName: string, line: string, event: LogEvent) => void;
  logger?: LocalLambdaLogger;
}

export class PoolClosedError extends Error {
  override readonly name = 'LocalLambdaClosed';
  constructor() {
    super('the local Lambda emulator is closed');
  }
}

export class FunctionPool {
  readonly fn: ResolvedFunction;
  readonly counters: Omit<FunctionStats, 'instances' | 'initDurationMs'> = {
    invocations: 0,
    coldStarts: 0,
    errors: 0,
    timeouts: 0,
    throttles: 0,
    injectedFaults: 0,
  };
  readonly initDurationMs: number[] = [];
  /** Invoke calls so far, the fault hook's `attempt`. */
  attempts = 0;

  private readonly instances = new Set<Instance>();
  private readonly idle: Instance[] = [];
  private readonly waiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    this.fn = options.fn;
  }

  stats(): FunctionStats {
    return { ...this.counters, initDurationMs: [...this.initDurationMs], instances: this.instances.size };
  }

  fnLogs(): LogEvent[] {
    return this.options.logs.all();
  }

  pids(): number[] {
    return [...this.instances].flatMap((i) => (i.pid === undefined ? [] : [i.pid]));
  }

  async acquire(): Promise<Lease> {
    for (;;) {
      if (this.closed) throw new PoolClosedError();
      const warm = this.idle.pop();
      if (warm) return { instance: warm, cold: false };
      const reserved = this.fn.reservedConcurrency;
      if (reserved !== undefined && this.instances.size >= reserved) {
        this.counters.throttles++;
        throw throttledError();
      }
      if (this.instances.size < this.options.maxInstances) return { instance: this.spawn(), cold: true };
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  release(instance: Instance): void {
    instance.requestId = undefined;
    if (instance.alive && !instance.retiring && !this.closed) this.idle.push(instance);
    else if (instance.alive) instance.kill();
    this.waiters.shift()?.();
  }

  /** Terminates every environment; waiting requests fail with PoolClosedError. */
  async close(graceMs: number): Promise<void> {
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake();
    this.idle.length = 0;
    await Promise.all([...this.instances].map((i) => i.terminate(graceMs)));
  }

  /** Writes a line to the function's log, as the Lambda platform does for START/END/REPORT. */
  platformLog(instance: Instance, message: string, requestId?: string): void {
    this.log({
      timestamp: Date.now(),
      logStreamName: instance.logStreamName,
      ...(requestId === undefined ? {} : { requestId }),
      source: 'platform',
      message,
    });
  }

  private log(event: Omit<LogEvent, 'functionName'>): void {
    const full: LogEvent = { functionName: this.fn.name, ...event };
    this.options.logs.add(full);
    this.options.onLog?.(this.fn.name, full.message, full);
  }

  private spawn(): Instance {
    const stream = logStreamName(new Date());
    const instance = new Instance({
      fn: this.fn,
      env: instanceEnvironment(this.fn, { parentEnv: this.options.parentEnv, logStreamName: stream, runtimeDir: RUNTIME_DIR, clock: this.options.clock }),
      logStreamName: stream,
      nodePath: this.options.nodePath,
      log: (event) => this.log(event),
      onExit: (gone) => this.forget(gone),
    });
    this.instances.add(instance);
    this.options.logger?.debug('local-lambda: new execution environment', { function: this.fn.name, pid: instance.pid, logStream: stream });
    return instance;
  }

  private forget(instance: Instance): void {
    this.instances.delete(instance);
    const at = this.idle.indexOf(instance);
    if (at >= 0) {
      // Died between invocations (a stray timer threw, or it exited): the next request is cold.
      this.idle.splice(at, 1);
      this.options.logger?.warn('local-lambda: idle execution environment exited', { function: this.fn.name, pid: instance.pid });
    }
    this.waiters.shift()?.();
  }
}
