import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Arns } from '../src/arn';
import type { AwsError } from '../src/errors';
import { Faults } from '../src/faults';
import { type Job, type JobContext, type JobControl, JobFailed, type JobOutcome, type JobProcess, type JobRunner, JobStore } from '../src/jobs';
import { virtualClock } from '../src/context';
import { LogStore } from '../src/logs';
import { TagStore } from '../src/tags';

/** What the fake runner does, chosen per job by its request. */
type Behavior = 'complete' | 'fail' | 'crash' | 'process' | 'faults' | 'timeout' | 'timeout-5s';

interface FakeRequest {
  FakeJobName: string;
  Behavior: Behavior;
  Tags?: { Key: string; Value: string }[];
}

interface FakeState {
  afterStop: number;
}

type FakeJob = Job<FakeRequest, FakeState>;

/** A process that exits as soon as it is asked to stop, remembering the grace it was given. */
class FakeProcess implements JobProcess {
  readonly graces: number[] = [];
  private exit!: () => void;
  readonly exited = new Promise<void>((resolve) => (this.exit = resolve));

  async stop(graceMs: number): Promise<void> {
    this.graces.push(graceMs);
    this.exit();
    await this.exited;
  }
}

class FakeRunner implements JobRunner<FakeRequest, FakeState> {
  readonly member = 'FakeJob';
  readonly arnType = 'training-job';
  readonly noun = 'fake job';
  readonly processes = new Map<string, FakeProcess>();
  readonly secondaryStatus = {
    initial: { status: 'Starting', message: 'Starting the fake job' },
    final: (job: FakeJob, outcome: JobOutcome) => ({ status: job.stopReason === 'maxRuntime' ? 'MaxRuntimeExceeded' : outcome, message: `fake job ${outcome}` }),
  };

  constructor(
    readonly acceptsRepeatedStop: boolean,
    private readonly faults: Faults,
  ) {}

  conflictMessage(arn: string): string {
    return `Fake job names must be unique (${arn})`;
  }

  injectedFailure(jobName: string): string | undefined {
    return this.faults.trainingFailure(jobName);
  }

  prepare(): FakeState {
    return { afterStop: 0 };
  }

  async run(job: FakeJob, control: JobControl): Promise<void> {
    control.started();
    control.transition('Working', 'Doing the fake work');
    switch (job.request.Behavior) {
      case 'fail':
        throw new JobFailed('ClientError: the fake job failed');
      case 'crash':
        throw new Error('boom');
      case 'faults':
        await control.injectFaults();
        return;
      case 'timeout':
        control.limitRuntime(0.05);
        break;
      case 'timeout-5s':
        control.limitRuntime(5);
        break;
    }
    if (job.request.Behavior !== 'complete') {
      const proc = new FakeProcess();
      this.processes.set(job.name, proc);
      control.adopt(proc);
      await proc.exited;
      control.checkStopped();
    }
  }

  async afterStop(job: FakeJob): Promise<void> {
    job.state.afterStop++;
  }

  describe(job: FakeJob): Record<string, unknown> {
    return { FakeJobName: job.name, FakeJobStatus: job.status, SecondaryStatus: job.secondaryStatus, FailureReason: job.failureReason };
  }

  summary(job: FakeJob): Record<string, unknown> {
    return { FakeJobName: job.name, FakeJobStatus: job.status };
  }
}

let dir: string;
let ctx: JobContext;
let runner: FakeRunner;
let store: JobStore<FakeRequest, FakeState>;

function setup(acceptsRepeatedStop = false, clock = virtualClock()): void {
  ctx = {
    clock,
    arns: new Arns('us-east-1', '123456789012'),
    logs: new LogStore(path.join(dir, 'logs')),
    faults: new Faults(),
    timings: { healthCheckTimeoutMs: 1000, healthCheckIntervalMs: 10, stopGracePeriodMs: 10_000, invocationTimeoutMs: 1000 },
    closing: false,
  };
  runner = new FakeRunner(acceptsRepeatedStop, ctx.faults);
  store = new JobStore(ctx, new TagStore(), runner);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jobs-test-'));
  setup();
});
afterEach(async () => {
  await store.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

const create = (name: string, behavior: Behavior) => store.create({ FakeJobName: name, Behavior: behavior });
const job = (name: string) => store.get(name)!;

function errorOf(f: () => unknown): AwsError {
  try {
    f();
  } catch (e) {
    return e as AwsError;
  }
  throw new Error('expected an error');
}

/** Polls until the job has ended (the store runs jobs in the background). */
async function ended(name: string): Promise<FakeJob> {
  for (let i = 0; i < 500; i++) {
    if (['Completed', 'Failed', 'Stopped'].includes(job(name).status)) return job(name);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${name} did not end: ${job(name).status}`);
}

/** Waits until the fake runner has adopted the job's process. */
async function running(name: string): Promise<FakeProcess> {
  for (let i = 0; i < 500; i++) {
    const proc = runner.processes.get(name);
    if (proc) return proc;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${name} never started its process`);
}

describe('JobStore: create, describe, names', () => {
  it('creates a job InProgress with its first secondary status and answers the ARN member', () => {
    expect(create('Job-1', 'complete')).toEqual({ FakeJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/job-1' });
    expect(store.describe({ FakeJobName: 'job-1' })).toEqual({ FakeJobName: 'Job-1', FakeJobStatus: 'InProgress', SecondaryStatus: 'Starting', FailureReason: undefined });
    expect(job('JOB-1').transitions).toEqual([{ Status: 'Starting', StartTime: expect.any(Date), StatusMessage: 'Starting the fake job' }]);
  });

  it('a taken name (case-insensitive) answers ResourceInUse with the runner message', () => {
    create('dup', 'complete');
    const e = errorOf(() => create('DUP', 'complete'));
    expect([e.name, e.message]).toEqual(['ResourceInUse', 'Fake job names must be unique (arn:aws:sagemaker:us-east-1:123456789012:training-job/dup)']);
    expect(store.all()).toHaveLength(1);
  });

  it('an unknown job answers ValidationException "Requested resource not found." to Describe and Stop', () => {
    for (const call of [() => store.describe({ FakeJobName: 'ghost' }), () => store.stop({ FakeJobName: 'ghost' })]) {
      const e = errorOf(call);
      expect([e.name, e.message]).toEqual(['ValidationException', 'Requested resource not found.']);
    }
  });
});

describe('JobStore: outcomes and transitions', () => {
  it('Completed: every transition ends where the next begins, the end time is set', async () => {
    create('ok', 'complete');
    const done = await ended('ok');
    expect([done.status, done.secondaryStatus, done.failureReason]).toEqual(['Completed', 'Completed', undefined]);
    expect(done.transitions.map((t) => [t.Status, t.StatusMessage])).toEqual([
      ['Starting', 'Starting the fake job'],
      ['Working', 'Doing the fake work'],
      ['Completed', 'fake job Completed'],
    ]);
    for (const [i, t] of done.transitions.entries()) {
      expect(t.EndTime).toBeInstanceOf(Date);
      if (i > 0) expect(t.StartTime).toEqual(done.transitions[i - 1]!.EndTime);
    }
    expect(done.endTime!.getTime()).toBeGreaterThanOrEqual(done.startTime!.getTime());
    expect(ctx.logs.read('ok')).toContain('Completed - fake job Completed');
  });

  it('JobFailed gives its message as FailureReason; any other error is an InternalServerError', async () => {
    create('fails', 'fail');
    create('crashes', 'crash');
    expect([(await ended('fails')).status, job('fails').failureReason]).toEqual(['Failed', 'ClientError: the fake job failed']);
    expect([(await ended('crashes')).status, job('crashes').failureReason]).toEqual(['Failed', 'InternalServerError: boom']);
  });
});

describe('JobStore: stop', () => {
  it('stopping a running job: Stopping at once, the process stopped with the grace period, then Stopped', async () => {
    create('runner', 'process');
    const proc = await running('runner');
    expect(store.stop({ FakeJobName: 'runner' })).toEqual({});
    expect([job('runner').status, job('runner').secondaryStatus, job('runner').stopReason]).toEqual(['Stopping', 'Stopping', 'user']);
    const done = await ended('runner');
    expect(done.transitions.map((t) => t.Status)).toEqual(['Starting', 'Working', 'Stopping', 'Stopped']);
    expect(proc.graces[0]).toBe(10_000);
    expect(done.state.afterStop).toBe(1);
  });

  it('a process adopted after the stop is stopped at once', async () => {
    create('early', 'process');
    store.stop({ FakeJobName: 'early' });
    const proc = await running('early');
    expect((await ended('early')).status).toBe('Stopped');
    expect(proc.graces[0]).toBe(10_000);
  });

  it('a finished job cannot be stopped: ValidationException naming its status', async () => {
    create('finished', 'complete');
    await ended('finished');
    const e = errorOf(() => store.stop({ FakeJobName: 'finished' }));
    expect([e.name, e.message]).toEqual(['ValidationException', 'The request was rejected because the fake job is in status Completed.']);
  });

  it('a second stop of a Stopping job is rejected, or accepted when the kind allows it', async () => {
    create('twice', 'process');
    await running('twice');
    store.stop({ FakeJobName: 'twice' });
    expect(errorOf(() => store.stop({ FakeJobName: 'twice' })).message).toBe('The request was rejected because the fake job is in status Stopping.');
    await ended('twice');

    await store.shutdown();
    setup(true);
    create('twice', 'process');
    await running('twice');
    store.stop({ FakeJobName: 'twice' });
    expect(store.stop({ FakeJobName: 'twice' })).toEqual({});
    expect((await ended('twice')).status).toBe('Stopped');
  });

  it('MaxRuntimeInSeconds: the job is stopped when its clock runs out', async () => {
    create('slow', 'timeout');
    const done = await ended('slow');
    expect([done.status, done.secondaryStatus, done.stopReason]).toEqual(['Stopped', 'MaxRuntimeExceeded', 'maxRuntime']);
    expect(ctx.logs.read('slow')).toContain('MaxRuntimeInSeconds (0.05 s) exceeded: stopping the fake job');
  });

  it('runs on the emulated clock: MaxRuntimeInSeconds counts emulated seconds, timestamps follow the clock', async () => {
    await store.shutdown();
    const epoch = Date.now();
    setup(false, virtualClock(100, epoch));
    const realStart = Date.now();
    create('fast', 'timeout-5s');
    const done = await ended('fast');
    const real = Date.now() - realStart;
    // 5 emulated seconds at 100x are 50 ms of real time (at 1x the job would run 5 s).
    expect(done.stopReason).toBe('maxRuntime');
    expect(real).toBeLessThan(2000);
    expect(done.lastModifiedTime.getTime() - done.creationTime.getTime()).toBeGreaterThanOrEqual(5000);
  });

  it('virtualClock: emulated time runs `rate` times faster from its epoch; timers get the real span', async () => {
    const epoch = Date.now();
    const clock = virtualClock(100, epoch);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(clock.now().getTime() - epoch).toBeGreaterThanOrEqual(4500);
    expect(clock.realMs(60)).toBe(600);
    expect(() => virtualClock(0)).toThrow('clock rate must be a positive number, got 0');
  });
});

describe('JobStore: shutdown', () => {
  it('stops every unfinished job (grace capped at 5 s), waits for them, leaves finished jobs alone', async () => {
    create('a', 'process');
    create('b', 'process');
    create('c', 'complete');
    const [a, b] = [await running('a'), await running('b')];
    await ended('c');
    await store.shutdown();
    expect(store.all().map((j) => [j.name, j.status, j.stopReason])).toEqual([
      ['a', 'Stopped', 'shutdown'],
      ['b', 'Stopped', 'shutdown'],
      ['c', 'Completed', undefined],
    ]);
    expect([a.graces[0], b.graces[0]]).toEqual([5000, 5000]);
  });
});

describe('JobStore: fault hooks', () => {
  it('an injected failure fails the job with the configured reason', async () => {
    ctx.faults.set({ trainingFailure: { jobNamePattern: '^doomed', reason: 'AlgorithmError: injected' } });
    create('doomed-1', 'faults');
    expect([(await ended('doomed-1')).status, job('doomed-1').failureReason]).toEqual(['Failed', 'AlgorithmError: injected']);
  });

  it('a hanging job stays InProgress until it is stopped', async () => {
    ctx.faults.set({ hang: { jobNamePattern: 'stuck' } });
    create('stuck-1', 'faults');
    await new Promise((r) => setTimeout(r, 50));
    expect(job('stuck-1').status).toBe('InProgress');
    expect(ctx.logs.read('stuck-1')).toContain('fault injection: this job hangs until stopped');
    store.stop({ FakeJobName: 'stuck-1' });
    expect((await ended('stuck-1')).status).toBe('Stopped');
    expect(ctx.faults.stats().hangs).toBe(1);
  });
});

describe('JobStore: list', () => {
  it('filters, sorts and pages as the List* operations do', async () => {
    create('alpha', 'complete');
    await ended('alpha');
    create('beta', 'fail');
    await ended('beta');
    create('gamma-x', 'process');
    await running('gamma-x');
    expect(store.list({})).toEqual({
      FakeJobSummaries: [
        { FakeJobName: 'gamma-x', FakeJobStatus: 'InProgress' },
        { FakeJobName: 'beta', FakeJobStatus: 'Failed' },
        { FakeJobName: 'alpha', FakeJobStatus: 'Completed' },
      ],
      NextToken: undefined,
    });
    expect(store.list({ StatusEquals: 'Failed' })).toMatchObject({ FakeJobSummaries: [{ FakeJobName: 'beta' }] });
    expect(store.list({ NameContains: 'A-X' })).toMatchObject({ FakeJobSummaries: [{ FakeJobName: 'gamma-x' }] });
    const first = store.list({ SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 2 }) as { FakeJobSummaries: unknown[]; NextToken: string };
    expect(first.FakeJobSummaries).toEqual([
      { FakeJobName: 'alpha', FakeJobStatus: 'Completed' },
      { FakeJobName: 'beta', FakeJobStatus: 'Failed' },
    ]);
    expect(store.list({ SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 2, NextToken: first.NextToken })).toEqual({
      FakeJobSummaries: [{ FakeJobName: 'gamma-x', FakeJobStatus: 'InProgress' }],
      NextToken: undefined,
    });
  });
});
