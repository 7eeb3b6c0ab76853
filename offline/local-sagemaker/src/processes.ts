import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import type { LogStore } from './logs';

export type ProcessKind = 'training' | 'transform' | 'processing' | 'endpoint';

export interface ProcessInfo {
  pid: number;
  kind: ProcessKind;
  /** The job or endpoint the process belongs to. */
  owner: string;
  argv: string[];
  port?: number;
  root: string;
  startedAt: Date;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The conventional exit status of a process: its code, or 128 + signal number. */
export function exitStatus(exit: ExitInfo): number {
  if (exit.code !== null) return exit.code;
  const signals: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGSEGV: 11, SIGABRT: 6 };
  return 128 + (exit.signal ? (signals[exit.signal] ?? 0) : 0);
}

export class ManagedProcess {
  readonly exited: Promise<ExitInfo>;
  exit?: ExitInfo;
  private stopping?: Promise<ExitInfo>;

  constructor(
    readonly info: ProcessInfo,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.info.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** SIGTERM, then SIGKILL after the grace period (SageMaker gives containers 120 s); resolves on exit. */
  stop(graceMs: number): Promise<ExitInfo> {
    if (this.exit) return Promise.resolve(this.exit);
    this.stopping ??= (async () => {
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.stopping;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.exit) return;
    try {
      this.child.kill(sig);
    } catch {
      /* already gone */
    }
  }
}

export interface SpawnOptions {
  kind: ProcessKind;
  owner: string;
  argv: [string, ...string[]];
  env: Record<string, string>;
  cwd: string;
  root: string;
  port?: number;
  /** Log stream to write stdout/stderr to (default: the owner's). */
  logName?: string;
}

/**
 * Every process the server starts goes through here: its output goes to the owner's log, it is
 * listed in the registry while it runs, and `stopAll()` (or the parent's exit) ends it.
 */
export class ProcessManager {
  private readonly live = new Set<ManagedProcess>();
  /** Ports handed out by reservePort() and not yet released: held from the pick until the process exits. */
  private readonly reservedPorts = new Set<number>();
  private closed = false;
  private readonly onParentExit = () => this.killAllNow();

  /** `onChange` runs right after a process starts or ends (the stack saves the list: a kill -9 must not lose a pid). */
  constructor(
    private readonly logs: LogStore,
    private readonly onChange: () => void = () => undefined,
    private readonly pickPort: () => Promise<number> = freePort,
  ) {
    process.on('exit', this.onParentExit);
  }

  spawn(opts: SpawnOptions): ManagedProcess {
    if (this.closed) throw new Error('the server is shutting down: no new processes');
    const [cmd, ...args] = opts.argv;
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: false, windowsHide: true });
    const logName = opts.logName ?? opts.owner;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => this.logs.append(logName, d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => this.logs.append(logName, d));
    // A spawn error (ENOENT, EACCES) surfaces as 'error' and then 'exit' may never come.
    const proc = new ManagedProcess(
      { pid: child.pid ?? -1, kind: opts.kind, owner: opts.owner, argv: opts.argv, port: opts.port, root: opts.root, startedAt: new Date() },
      child,
    );
    child.once('error', (err) => {
      this.logs.system(logName, `failed to start ${cmd}: ${err.message}`);
      if (child.pid === undefined) child.emit('exit', 127, null);
    });
    this.live.add(proc);
    this.onChange();
    void proc.exited.then((exit) => {
      this.live.delete(proc);
      if (opts.port !== undefined) this.releasePort(opts.port);
      this.onChange();
      this.logs.system(logName, `process ${proc.pid} (${opts.kind}) exited with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}`);
    });
    return proc;
  }

  /**
   * A free port that no process of this server holds or is about to hold. freePort() alone is not
   * enough: two instances started at once may both be handed the port the kernel just released
   * (seen: two endpoint instances on one port, the second dying with EADDRINUSE). The port stays
   * reserved until the process spawned with it exits, or releasePort() when none was spawned.
   */
  async reservePort(): Promise<number> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await this.pickPort();
      if (!this.reservedPorts.has(port)) {
        this.reservedPorts.add(port);
        return port;
      }
    }
    throw new Error('no free TCP port on 127.0.0.1 outside the ones already reserved');
  }

  releasePort(port: number): void {
    this.reservedPorts.delete(port);
  }

  reservedPort(port: number): boolean {
    return this.reservedPorts.has(port);
  }

  list(): ProcessInfo[] {
    return [...this.live].map((p) => ({ ...p.info }));
  }

  /** Refuses new processes from now on and stops the running ones. */
  async stopAll(graceMs: number): Promise<void> {
    this.closed = true;
    await Promise.all([...this.live].map((p) => p.stop(graceMs)));
  }

  /** Synchronous last resort when the parent exits: SIGKILL everything still running. */
  killAllNow(): void {
    for (const p of this.live) p.signal('SIGKILL');
  }

  dispose(): void {
    process.removeListener('exit', this.onParentExit);
  }
}

/** A free TCP port on 127.0.0.1 (bind to 0, read it, release it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
