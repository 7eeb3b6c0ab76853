/**
 * The control-plane state of a persistent stack (`pnpm local:up`, `.local/stack/state`), so that a
 * restart, even after `kill -9`, finds what the previous stack had: executions and their history,
 * SageMaker jobs, models, configurations and endpoints, SQS queues and their messages. S3 keeps its
 * own objects on disk.
 *
 * - The services export their state as data; this file writes it every SAVE_INTERVAL_MS when it
 *   changed (atomically: a temporary file, then a rename), and once more on a clean close. A kill
 *   loses at most the last interval.
 * - `stack.json` says which process owns the folder and when it was last seen alive: a second stack
 *   on the same folder is refused while the first one is alive; a dead one's processes are reaped.
 * - Processes: the local SageMaker's containers (training, transform, serving) outlive a killed
 *   parent, so the ones the saved state lists are killed on start, if they still run the same
 *   command line (a recycled pid is left alone). The functions' runtimes exit by themselves when
 *   their parent's IPC channel closes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EndpointRestore, PersistedSageMaker } from '@mlops/local-sagemaker';
import type { PersistedSqs } from '@mlops/local-sqs';
import type { PersistedCloudWatch } from '@mlops/local-cloudwatch';
import type { ExecutionsRestoreReport, PersistedExecution } from '@mlops/local-stepfunctions';

const SAVE_INTERVAL_MS = 250;
/** A stack not seen for this long is dead, whatever its pid now is. */
const ALIVE_WITHIN_MS = 5_000;
const FILES = { stack: 'stack.json', sageMaker: 'sagemaker.json', stepFunctions: 'stepfunctions.json', sqs: 'sqs.json', cloudWatch: 'cloudwatch.json' } as const;

interface StackFile {
  pid: number;
  startedAt: Date;
  lastSeen: Date;
  /** The emulated clock's time when last seen: a restarted stack's clock goes on from there. */
  emulatedNow: number;
  /** False once the stack closed cleanly. */
  running: boolean;
}

export interface PreviousStack {
  pid: number;
  lastSeen: Date;
  emulatedNow: number;
  /** Whether it ended without closing (killed or crashed). */
  interrupted: boolean;
  sageMaker?: PersistedSageMaker;
  executions?: PersistedExecution[];
  /** The local SQS's queues and messages. */
  sqs?: PersistedSqs;
  /** The local CloudWatch's alarms. */
  cloudWatch?: PersistedCloudWatch;
}

export interface ReapedProcess {
  pid: number;
  kind: string;
  owner: string;
}

export interface StackRestoreReport {
  previousPid: number;
  lastSeen: Date;
  /** The previous stack ended without closing (killed or crashed). */
  interrupted: boolean;
  /** Its containers that were still running, now killed. */
  reapedProcesses: ReapedProcess[];
  /** Executions that were running: ABORTED, with the state they were in. */
  interruptedExecutions: ExecutionsRestoreReport['interrupted'];
  /** SageMaker jobs that were running: Failed. */
  interruptedJobs: string[];
  endpoints: EndpointRestore[];
}

export interface StateSources {
  sageMaker: () => PersistedSageMaker;
  executions: () => PersistedExecution[];
  sqs?: () => PersistedSqs;
  cloudWatch?: () => PersistedCloudWatch;
  emulatedNow: () => number;
}

/** Dates survive JSON as `{"$date": ISO}`; everything else the services export is plain data. */
export function encodeState(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : v;
  });
}

export function decodeState<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const tagged = (v as { $date?: unknown }).$date;
      if (keys.length === 1 && typeof tagged === 'string') return new Date(tagged);
    }
    return v;
  }) as T;
}

function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

function readIfPresent<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return decodeState<T>(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`the offline stack's saved state ${file} cannot be read (${(error as Error).message}); remove it to start empty`);
  }
}

/** A process's command line, or undefined when it is not running (or cannot be seen). */
export function commandLine(pid: number): string[] | undefined {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    // No /proc (macOS): ps prints the arguments joined by spaces.
    try {
      const line = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
      return line ? line.split(' ') : undefined;
    } catch {
      return undefined;
    }
  }
}

const sameCommand = (running: string[], argv: string[]) => running.join(' ') === argv.join(' ');

/** Kills the processes a dead stack left running; returns the ones it killed. */
export function reapProcesses(processes: PersistedSageMaker['processes']): ReapedProcess[] {
  const reaped: ReapedProcess[] = [];
  for (const p of processes) {
    const running = commandLine(p.pid);
    if (!running || !sameCommand(running, p.argv)) continue;
    try {
      process.kill(p.pid, 'SIGKILL');
      reaped.push({ pid: p.pid, kind: p.kind, owner: p.owner });
    } catch {
      // gone meanwhile
    }
  }
  return reaped;
}

/** The pid of a live stack that owns the state folder `dir`, if one does. */
export function liveStackPid(dir: string): number | undefined {
  const stack = readIfPresent<StackFile>(join(dir, FILES.stack));
  if (!stack) return undefined;
  const alive = stack.running && stack.pid !== process.pid && commandLine(stack.pid) !== undefined && Date.now() - stack.lastSeen.getTime() < ALIVE_WITHIN_MS;
  return alive ? stack.pid : undefined;
}

export class StackState {
  readonly previous?: PreviousStack;
  private timer?: NodeJS.Timeout;
  private sources?: StateSources;
  private readonly written = new Map<string, string>();
  /** Encoded executions by identity: a closed one's persisted form is the same object every time, so it is encoded once. */
  private readonly encodedExecutions = new WeakMap<PersistedExecution, string>();
  private readonly startedAt = new Date();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const stack = readIfPresent<StackFile>(join(dir, FILES.stack));
    if (stack) {
      const live = liveStackPid(dir);
      if (live !== undefined) throw new Error(`another offline stack (pid ${live}) is running on ${dir}: stop it first (Ctrl-C in its terminal, or kill ${live})`);
      this.previous = {
        pid: stack.pid,
        lastSeen: stack.lastSeen,
        emulatedNow: stack.emulatedNow,
        interrupted: stack.running,
        sageMaker: readIfPresent<PersistedSageMaker>(join(dir, FILES.sageMaker)),
        executions: readIfPresent<PersistedExecution[]>(join(dir, FILES.stepFunctions)),
        sqs: readIfPresent<PersistedSqs>(join(dir, FILES.sqs)),
        cloudWatch: readIfPresent<PersistedCloudWatch>(join(dir, FILES.cloudWatch)),
      };
    }
  }

  /** Starts saving what the services hold. */
  track(sources: StateSources): void {
    this.sources = sources;
    this.save(true);
    this.timer = setInterval(() => this.save(true), SAVE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Saves now (a container started: its pid must be on disk before a kill can strike). */
  saveNow(): void {
    if (this.sources) this.save(true);
  }

  /** The last save, after the services closed: nothing is left running. */
  close(): void {
    clearInterval(this.timer);
    if (this.sources) this.save(false);
  }

  private save(running: boolean): void {
    const sources = this.sources!;
    const now = new Date();
    this.write(FILES.sageMaker, encodeState(sources.sageMaker()));
    this.write(FILES.stepFunctions, `[${sources.executions().map((e) => this.encodedExecution(e)).join(',')}]`);
    if (sources.sqs) this.write(FILES.sqs, encodeState(sources.sqs()));
    if (sources.cloudWatch) this.write(FILES.cloudWatch, encodeState(sources.cloudWatch()));
    // Last: a stack file that says "seen at t" vouches for the state files written before it.
    this.write(FILES.stack, encodeState({ pid: process.pid, startedAt: this.startedAt, lastSeen: now, emulatedNow: sources.emulatedNow(), running } satisfies StackFile));
  }

  private encodedExecution(execution: PersistedExecution): string {
    let text = this.encodedExecutions.get(execution);
    if (text === undefined) {
      text = encodeState(execution);
      this.encodedExecutions.set(execution, text);
    }
    return text;
  }

  private write(name: string, text: string): void {
    if (this.written.get(name) === text) return;
    writeAtomically(join(this.dir, name), text);
    this.written.set(name, text);
  }
}

/** What the user must know about the previous stack on this folder: what was interrupted and how it ended. */
export function restoreSummary(r: StackRestoreReport): string {
  const lines = [
    r.interrupted
      ? `The previous offline stack (pid ${r.previousPid}) stopped without closing (killed or crashed); last seen ${r.lastSeen.toISOString()}. Its state is restored:`
      : `Restored the state of the previous offline stack (pid ${r.previousPid}, closed ${r.lastSeen.toISOString()}):`,
  ];
  for (const p of r.reapedProcesses) lines.push(`  killed its leftover ${p.kind} process ${p.pid} (${p.owner})`);
  for (const e of r.interruptedExecutions) {
    lines.push(`  execution ${e.name} was interrupted${e.state ? ` in state ${e.state}` : ''}: ABORTED (local-stepfunctions.Interrupted); to run it again, upload the file under a new key (a key and its content name the run)`);
  }
  for (const job of r.interruptedJobs) lines.push(`  SageMaker job ${job} was running: Failed`);
  for (const e of r.endpoints) {
    const how = { redeploying: 'serving again (SystemUpdating until its instances are up)', kept: 'kept as it was', failed: `Failed: ${e.detail ?? ''}`, deleted: 'its deletion completed' }[e.outcome];
    lines.push(`  endpoint ${e.name}: ${how}`);
  }
  if (lines.length === 1) lines.push('  nothing was in flight');
  return `${lines.join('\n')}\n\n`;
}

