/**
 * One execution environment: a Node 22 child process running runtime/bootstrap.mts for one
 * function. It serves one request at a time; the pool decides when it is reused or retired.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import type { LambdaErrorPayload } from './errors';
import { LineSplitter } from './line-splitter';
import type { FromRuntime, InvokeMessage, OutputMark, ResultMessage } from './protocol';
import type { ResolvedFunction } from './spec';
import type { LogEvent } from './types';

export const RUNTIME_DIR = realpathSync(path.join(__dirname, 'runtime'));
const BOOTSTRAP = path.join(RUNTIME_DIR, 'bootstrap.mts');

/** How long to wait for output the runtime says it wrote, or for pipes to close after an exit. */
const OUTPUT_SETTLE_MS = 500;

export type Outcome =
  | { kind: 'ready' }
  | { kind: 'init-error'; error: LambdaErrorPayload }
  | { kind: 'result'; message: ResultMessage }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'timeout' };

export interface InstanceOptions {
  fn: ResolvedFunction;
  env: Record<string, string>;
  logStreamName: string;
  nodePath: string;
  log: (event: Omit<LogEvent, 'functionName'>) => void;
  onExit: (instance: Instance) => void;
}

// Children of every emulator in this process, killed if the process exits without close().
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of liveChildren) c.kill('SIGKILL');
    });
  }
}

export class Instance {
  readonly logStreamName: string;
  readonly startedAt = performance.now();
  /** Set by the pool for the duration of an invocation, to attribute log lines. */
  requestId: string | undefined;
  /** No longer to be reused: the runtime announced its exit, or the pool retired it. */
  retiring = false;

  private readonly child: ChildProcess;
  private readonly received = { stdoutBytes: 0, stderrBytes: 0 };
  private readonly drainWaiters = new Set<() => void>();
  private streamsOpen = 2;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitWaiters = new Set<() => void>();
  private waiter: { timer: NodeJS.Timeout; resolve: (outcome: Outcome) => void } | undefined;

  constructor(private readonly options: InstanceOptions) {
    const { fn } = options;
    this.logStreamName = options.logStreamName;
    this.child = fork(BOOTSTRAP, [fn.bundlePath, fn.handlerExport], {
      cwd: existsSync(fn.taskRoot) ? fn.taskRoot : process.cwd(),
      env: options.env,
      execPath: options.nodePath,
      // Not the parent's execArgv (jest's or tsx's loaders must not leak into the function).
      execArgv: ['--enable-source-maps', '--experimental-strip-types'],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    track(this.child);
    // An idle environment must not keep the parent alive; waits below hold a timer instead.
    this.child.unref();
    this.child.channel?.unref();
    this.pipe('stdout');
    this.pipe('stderr');
    this.child.on('message', (message: FromRuntime) => this.onMessage(message));
    this.child.on('exit', (code, signal) => this.onExit(code, signal));
    this.child.on('error', (error) => {
      // Spawn failure (no such node binary...): say why, and report it as an exit so waiters settle.
      if (this.child.pid !== undefined) return;
      this.emit('stderr', `local-lambda: cannot start ${options.nodePath}: ${error.message}`);
      this.onExit(null, null);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** Waits for the end of the Init phase. */
  waitForInit(deadlineMs: number): Promise<Outcome> {
    return this.next(deadlineMs);
  }

  invoke(message: InvokeMessage, deadlineMs: number): Promise<Outcome> {
    const outcome = this.next(deadlineMs);
    if (this.alive) this.child.send(message);
    return outcome;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.alive) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
  async terminate(graceMs: number): Promise<void> {
    if (!this.alive) return;
    this.retiring = true;
    this.kill('SIGTERM');
    if (await this.exited(graceMs)) return;
    this.kill('SIGKILL');
    await this.exited(60_000);
  }

  private exited(timeoutMs: number): Promise<boolean> {
    if (!this.alive) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.exitWaiters.delete(done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.exitWaiters.add(done);
    });
  }

  private next(deadlineMs: number): Promise<Outcome> {
    if (this.exitInfo) return Promise.resolve({ kind: 'exit', ...this.exitInfo });
    return new Promise((resolve) => {
      // Lambda's timer, and the handle that keeps the parent alive while it waits.
      const timer = setTimeout(() => {
        this.waiter = undefined;
        this.retiring = true;
        this.kill('SIGKILL');
        resolve({ kind: 'timeout' });
      }, Math.max(0, deadlineMs - Date.now()));
      this.waiter = { timer, resolve };
    });
  }

  /** Stops the clock (the answer came in time) and hands the settle function to the caller. */
  private takeWaiter(): ((outcome: Outcome) => void) | undefined {
    const waiter = this.waiter;
    if (!waiter) return undefined;
    this.waiter = undefined;
    // Keep the parent alive until the outcome is delivered, as the deadline timer did.
    const keepAlive = setTimeout(() => {}, OUTPUT_SETTLE_MS * 2);
    clearTimeout(waiter.timer);
    return (outcome) => {
      clearTimeout(keepAlive);
      waiter.resolve(outcome);
    };
  }

  private onMessage(message: FromRuntime): void {
    const settle = this.takeWaiter();
    if (!settle) return;
    if (message.type === 'result' && message.exiting) this.retiring = true;
    const outcome: Outcome =
      message.type === 'ready'
        ? { kind: 'ready' }
        : message.type === 'init-error'
          ? { kind: 'init-error', error: message.error }
          : { kind: 'result', message };
    // Settle only once the output written before the message is read, so logs are complete
    // and in order when the caller sees the outcome.
    void this.drained(message.output).then(() => settle(outcome));
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exitInfo) return;
    this.exitInfo = { code, signal };
    this.retiring = true;
    for (const done of this.exitWaiters) done();
    this.exitWaiters.clear();
    // A result sent just before exiting may still be in the channel: let it land first.
    void this.streamsClosed()
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(() => this.takeWaiter()?.({ kind: 'exit', code, signal }));
    this.options.onExit(this);
  }

  private pipe(name: 'stdout' | 'stderr'): void {
    const stream = this.child[name];
    if (!stream) {
      this.streamsOpen--;
      return;
    }
    (stream as Socket).unref?.();
    const splitter = new LineSplitter();
    const key = name === 'stdout' ? 'stdoutBytes' : 'stderrBytes';
    stream.on('data', (chunk: Buffer) => {
      for (const line of splitter.push(chunk)) this.emit(name, line);
      this.received[key] += chunk.byteLength;
      this.checkDrained();
    });
    stream.on('close', () => {
      for (const line of splitter.end()) this.emit(name, line);
      this.streamsOpen--;
      this.checkDrained();
    });
  }

  private emit(source: 'stdout' | 'stderr', message: string): void {
    this.options.log({
      timestamp: Date.now(),
      logStreamName: this.logStreamName,
      ...(this.requestId === undefined ? {} : { requestId: this.requestId }),
      source,
      message,
    });
  }

  private drained(mark: OutputMark): Promise<void> {
    const done = (): boolean =>
      (this.received.stdoutBytes >= mark.stdoutBytes && this.received.stderrBytes >= mark.stderrBytes) || this.streamsOpen === 0;
    return this.settleWhen(done);
  }

  private streamsClosed(): Promise<void> {
    return this.settleWhen(() => this.streamsOpen === 0);
  }

  private settleWhen(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.drainWaiters.delete(check);
        resolve();
      };
      const check = (): void => {
        if (done()) finish();
      };
      // A grandchild holding the pipes open, or bytes written around the counters, must not hang us.
      const timer = setTimeout(finish, OUTPUT_SETTLE_MS);
      this.drainWaiters.add(check);
    });
  }

  private checkDrained(): void {
    for (const check of [...this.drainWaiters]) check();
  }
}
