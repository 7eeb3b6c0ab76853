import type { ResourceType } from './arn';
import { type Context, errorMessage, sleep } from './context';
import { resourceInUse, validationException } from './errors';
import { type ListRequest, listResponse } from './listing';
import type { Tag, TagStore } from './tags';
import { clone } from './wire';

/**
 * The lifecycle every SageMaker job kind shares (training, transform, processing): one
 * store owns the records, the statuses and the stop/shutdown/fault handling; a per-kind runner
 * only says how a job runs and how it is described.
 */

/** TrainingJobStatus, TransformJobStatus and ProcessingJobStatus have the same values. */
export type JobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';
export type JobOutcome = 'Completed' | 'Failed' | 'Stopped';
export type StopReason = 'user' | 'maxRuntime' | 'shutdown';

const TERMINAL: readonly JobStatus[] = ['Completed', 'Failed', 'Stopped'];
const SHUTDOWN_GRACE_MS = 5000;

/** Thrown by a runner: the job ends `Failed` with the message as its FailureReason. */
export class JobFailed extends Error {
  override readonly name = 'JobFailed';
}

/** Thrown by a runner that noticed a stop: the job ends `Stopped`. */
export class JobStopped extends Error {
  override readonly name = 'JobStopped';
}

export interface SecondaryStatusTransition {
  Status: string;
  StartTime: Date;
  EndTime?: Date;
  StatusMessage?: string;
}

export interface StatusStep {
  status: string;
  message: string;
}

/** A process of a job (a ManagedProcess): stopped with the job. */
export interface JobProcess {
  stop(graceMs: number): Promise<unknown>;
}

export interface Job<Request, State> {
  readonly name: string;
  readonly arn: string;
  readonly request: Request;
  /** What the runner keeps about the job (folders, artifacts, containers...). */
  readonly state: State;
  status: JobStatus;
  /** Only for kinds that report SecondaryStatus. */
  secondaryStatus?: string;
  readonly transitions: SecondaryStatusTransition[];
  failureReason?: string;
  readonly creationTime: Date;
  lastModifiedTime: Date;
  /** When the work began (TrainingStartTime, TransformStartTime); the end time is only set after it. */
  startTime?: Date;
  endTime?: Date;
  stopReason?: StopReason;
  /** Aborted when the job is asked to stop. */
  readonly signal: AbortSignal;
  readonly processes: readonly JobProcess[];
}

/** What a runner may do to its job while it runs (bound to that job). */
export interface JobControl {
  /** A new secondary status; the previous one ends now. */
  transition(status: string, message: string): void;
  /** A new StatusMessage for the current secondary status. */
  message(text: string): void;
  log(text: string): void;
  /** LastModifiedTime = now. */
  touch(): void;
  /** The work begins: StartTime = now. */
  started(): void;
  /** Starts the MaxRuntimeInSeconds clock; when it runs out the job is stopped (reason `maxRuntime`). */
  limitRuntime(seconds: number): void;
  clearRuntimeLimit(): void;
  /** Throws JobStopped once a stop was requested (or the server is closing). */
  checkStopped(): void;
  /** The fault hooks: an injected failure throws JobFailed; a hang waits for the stop, then throws JobStopped. */
  injectFaults(): Promise<void>;
  /** Registers a process of the job: stopped with it (at once if the stop came first) and before it ends. */
  adopt(proc: JobProcess): void;
}

/** One job kind: how its jobs are validated, run and described. */
export interface JobRunner<Request, State> {
  /** API member stem: `TrainingJob` → `TrainingJobName`, `TrainingJobArn`, `TrainingJobSummaries`. */
  readonly member: string;
  readonly arnType: ResourceType;
  /** How messages name the kind, e.g. `training job`. */
  readonly noun: string;
  /** AWS's ResourceInUse message for a taken name. */
  conflictMessage(arn: string): string;
  /** AWS's ValidationException message for an unknown job (default `Requested resource not found.`). */
  notFoundMessage?(name: string): string;
  /** AWS accepts StopTransformJob on a Stopping job but rejects a second StopTrainingJob. */
  readonly acceptsRepeatedStop: boolean;
  /** For kinds that report SecondaryStatus: the first one (at creation) and the last one. */
  readonly secondaryStatus?: {
    initial: StatusStep;
    final(job: Job<Request, State>, outcome: JobOutcome): StatusStep;
  };
  /** The FailureReason the fault injector gives this job, if any. */
  injectedFailure(jobName: string): string | undefined;
  /** Checks what the API model cannot and builds the runner's state; throws AwsError. */
  prepare(request: Request, name: string, arn: string): State;
  /** The work: resolving means Completed; JobFailed means Failed; JobStopped means Stopped. */
  run(job: Job<Request, State>, control: JobControl): Promise<void>;
  /** After a stop, once the job's processes have exited (training uploads what was saved). Must not throw. */
  afterStop?(job: Job<Request, State>): Promise<void>;
  describe(job: Job<Request, State>): Record<string, unknown>;
  summary(job: Job<Request, State>): Record<string, unknown>;
  /** The state as data a restarted server can describe the job from (no processes). Default: as is. */
  persistedState?(state: State): State;
}

/** A job as exportState() writes it: everything Describe/List report, no processes or timers. */
export type PersistedJob<Request, State> = Omit<Job<Request, State>, 'signal' | 'processes'>;

interface JobRecord<Request, State> extends Job<Request, State> {
  readonly abort: AbortController;
  readonly processes: JobProcess[];
  runtimeLimit?: { seconds: number; timer: NodeJS.Timeout };
  done?: Promise<void>;
}

export type JobContext = Pick<Context, 'arns' | 'logs' | 'faults' | 'timings' | 'clock' | 'closing'>;

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Create/Describe/Stop/List for one job kind, and the shared state machine. */
export class JobStore<Request extends object, State> {
  private readonly jobs = new Map<string, JobRecord<Request, State>>();

  constructor(
    private readonly ctx: JobContext,
    private readonly tags: TagStore,
    private readonly runner: JobRunner<Request, State>,
  ) {}

  get(name: string): Job<Request, State> | undefined {
    return this.jobs.get(name.toLowerCase());
  }

  all(): Job<Request, State>[] {
    return [...this.jobs.values()];
  }

  create(input: Record<string, unknown>): Record<string, string> {
    const { runner } = this;
    const request = clone(input) as Request & { Tags?: Tag[] };
    const name = this.nameIn(input);
    const arn = this.ctx.arns.of(runner.arnType, name);
    if (this.jobs.has(name.toLowerCase())) throw resourceInUse(runner.conflictMessage(arn));
    const state = runner.prepare(request, name, arn);
    this.tags.add(arn, request.Tags);
    const now = this.ctx.clock.now();
    const initial = runner.secondaryStatus?.initial;
    const abort = new AbortController();
    const job: JobRecord<Request, State> = {
      name,
      arn,
      request,
      state,
      status: 'InProgress',
      secondaryStatus: initial?.status,
      transitions: initial ? [{ Status: initial.status, StartTime: now, StatusMessage: initial.message }] : [],
      creationTime: now,
      lastModifiedTime: now,
      abort,
      signal: abort.signal,
      processes: [],
    };
    this.jobs.set(name.toLowerCase(), job);
    this.ctx.logs.system(name, `${runner.noun} ${arn} created`);
    job.done = this.execute(job);
    return { [`${runner.member}Arn`]: arn };
  }

  describe(input: Record<string, unknown>): Record<string, unknown> {
    return this.runner.describe(this.find(input));
  }

  persisted(): PersistedJob<Request, State>[] {
    return this.all().map((job) => {
      const { name, arn, request, state, status, secondaryStatus, transitions, failureReason, creationTime, lastModifiedTime, startTime, endTime, stopReason } = job;
      const data = this.runner.persistedState ? this.runner.persistedState(state) : state;
      return { name, arn, request, state: data, status, secondaryStatus, transitions, failureReason, creationTime, lastModifiedTime, startTime, endTime, stopReason };
    });
  }

  /**
   * Puts back a job exportState() wrote. A job that was still running when the previous server
   * died cannot resume (its container is gone): it ends Failed, with `interruptedReason`.
   * Returns whether it was interrupted.
   */
  restore(saved: PersistedJob<Request, State>, interruptedReason: string): boolean {
    const abort = new AbortController();
    abort.abort();
    const job: JobRecord<Request, State> = { ...saved, transitions: [...saved.transitions], abort, signal: abort.signal, processes: [] };
    this.jobs.set(job.name.toLowerCase(), job);
    if (TERMINAL.includes(job.status)) return false;
    this.finish(job, 'Failed', interruptedReason);
    return true;
  }

  stop(input: Record<string, unknown>): Record<string, never> {
    const job = this.find(input);
    if (job.status === 'Stopping' && this.runner.acceptsRepeatedStop) return {};
    if (job.status !== 'InProgress') throw validationException(`The request was rejected because the ${this.runner.noun} is in status ${job.status}.`);
    this.requestStop(job, 'user');
    return {};
  }

  list(input: ListRequest): Record<string, unknown> {
    return listResponse(this.jobs.values(), input, `${this.runner.member}Summaries`, (job) => this.runner.summary(job));
  }

  /** Stops every unfinished job, kills its processes and waits until each has ended (server shutdown). */
  async shutdown(): Promise<void> {
    for (const job of this.jobs.values()) this.requestStop(job, 'shutdown');
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }

  // ------------------------------------------------------------------ state machine

  private nameIn(input: Record<string, unknown>): string {
    return String(input[`${this.runner.member}Name`]);
  }

  private find(input: Record<string, unknown>): JobRecord<Request, State> {
    const name = this.nameIn(input);
    const job = this.jobs.get(name.toLowerCase());
    if (!job) throw validationException(this.runner.notFoundMessage?.(name) ?? 'Requested resource not found.');
    return job;
  }

  private touch(job: JobRecord<Request, State>): void {
    job.lastModifiedTime = this.ctx.clock.now();
  }

  private endCurrentTransition(job: JobRecord<Request, State>, now: Date): void {
    const last = job.transitions[job.transitions.length - 1];
    if (last && !last.EndTime) last.EndTime = now;
  }

  private transition(job: JobRecord<Request, State>, status: string, message: string): void {
    const now = this.ctx.clock.now();
    this.endCurrentTransition(job, now);
    job.transitions.push({ Status: status, StartTime: now, StatusMessage: message });
    job.secondaryStatus = status;
    this.touch(job);
    this.ctx.logs.system(job.name, `${status} - ${message}`);
  }

  private clearRuntimeLimit(job: JobRecord<Request, State>): void {
    if (job.runtimeLimit) clearTimeout(job.runtimeLimit.timer);
  }

  private requestStop(job: JobRecord<Request, State>, why: StopReason): void {
    if (TERMINAL.includes(job.status) || job.stopReason) return;
    job.stopReason = why;
    job.status = 'Stopping';
    if (why === 'user' && this.runner.secondaryStatus) {
      this.transition(job, 'Stopping', `Stopping the ${this.runner.noun}`);
    } else {
      this.touch(job);
      const line = {
        user: `Stop${this.runner.member} received: stopping`,
        maxRuntime: `MaxRuntimeInSeconds (${job.runtimeLimit?.seconds} s) exceeded: stopping the ${this.runner.noun}`,
        shutdown: 'server shutting down: stopping',
      }[why];
      this.ctx.logs.system(job.name, line);
    }
    job.abort.abort();
    for (const p of job.processes) void p.stop(this.grace(job));
  }

  private grace(job: JobRecord<Request, State>): number {
    const grace = this.ctx.timings.stopGracePeriodMs;
    return job.stopReason === 'shutdown' ? Math.min(grace, SHUTDOWN_GRACE_MS) : grace;
  }

  private control(job: JobRecord<Request, State>): JobControl {
    return {
      transition: (status, message) => this.transition(job, status, message),
      message: (text) => {
        const last = job.transitions[job.transitions.length - 1];
        if (last) last.StatusMessage = text;
        this.touch(job);
        this.ctx.logs.system(job.name, `${job.secondaryStatus} - ${text}`);
      },
      log: (text) => this.ctx.logs.system(job.name, text),
      touch: () => this.touch(job),
      started: () => {
        job.startTime = this.ctx.clock.now();
      },
      limitRuntime: (seconds) => {
        this.clearRuntimeLimit(job);
        job.runtimeLimit = { seconds, timer: setTimeout(() => this.requestStop(job, 'maxRuntime'), this.ctx.clock.realMs(seconds)) };
      },
      clearRuntimeLimit: () => this.clearRuntimeLimit(job),
      checkStopped: () => {
        if (job.stopReason || this.ctx.closing) throw new JobStopped();
      },
      injectFaults: async () => {
        const injected = this.runner.injectedFailure(job.name);
        if (injected !== undefined) throw new JobFailed(injected);
        if (this.ctx.faults.hangs(job.name)) {
          this.ctx.logs.system(job.name, 'fault injection: this job hangs until stopped');
          await untilAborted(job.signal);
          throw new JobStopped();
        }
      },
      adopt: (proc) => {
        job.processes.push(proc);
        if (job.stopReason) void proc.stop(this.grace(job));
      },
    };
  }

  private async execute(job: JobRecord<Request, State>): Promise<void> {
    let outcome: JobOutcome;
    let reason: string | undefined;
    try {
      // The Create* response goes out before the work starts.
      await sleep(0);
      await this.runner.run(job, this.control(job));
      outcome = 'Completed';
    } catch (e) {
      if (job.stopReason || e instanceof JobStopped) outcome = 'Stopped';
      else if (e instanceof JobFailed) [outcome, reason] = ['Failed', e.message];
      else [outcome, reason] = ['Failed', `InternalServerError: ${errorMessage(e)}`];
    }
    // The containers are torn down before the job reports its end, as on SageMaker.
    await Promise.all(job.processes.map((p) => p.stop(this.grace(job))));
    if (outcome === 'Stopped') await this.runner.afterStop?.(job);
    this.finish(job, outcome, reason);
  }

  private finish(job: JobRecord<Request, State>, outcome: JobOutcome, reason?: string): void {
    this.clearRuntimeLimit(job);
    const now = this.ctx.clock.now();
    job.status = outcome;
    job.failureReason = reason;
    job.endTime = job.startTime ? now : undefined;
    job.lastModifiedTime = now;
    const suffix = reason ? `: ${reason}` : '';
    const last = this.runner.secondaryStatus?.final(job, outcome);
    if (last) {
      this.endCurrentTransition(job, now);
      job.transitions.push({ Status: last.status, StartTime: now, EndTime: now, StatusMessage: last.message });
      job.secondaryStatus = last.status;
      this.ctx.logs.system(job.name, `${last.status} - ${last.message}${suffix}`);
    } else {
      this.ctx.logs.system(job.name, `${outcome}${suffix}`);
    }
  }
}

/** One instance of a multi-instance job, as a task run on it sees it. */
export interface JobInstance {
  /** 0 for algo-1. */
  index: number;
  /** Aborted when the job stops or another instance of the job failed. */
  signal: AbortSignal;
}

/** Thrown by an instance's task that ended because another instance failed first (never reported). */
export class InstanceCancelled extends Error {
  override readonly name = 'InstanceCancelled';
}

/**
 * Runs a task on each of `count` instances in parallel (processing and transform jobs run one
 * container per instance). Once one fails, the others are cancelled (their signal aborts: a job
 * whose instance failed stops its other instances), every task is awaited, and the first failure
 * is thrown: the others' errors are only its consequences.
 */
export async function runOnInstances(count: number, jobSignal: AbortSignal, task: (instance: JobInstance) => Promise<void>): Promise<void> {
  const cancel = new AbortController();
  const signal = AbortSignal.any([jobSignal, cancel.signal]);
  let first: { error: unknown } | undefined;
  await Promise.all(
    Array.from({ length: count }, (_, index) =>
      task({ index, signal }).catch((error: unknown) => {
        if (first) return;
        first = { error };
        cancel.abort();
      }),
    ),
  );
  if (first) throw first.error;
}
