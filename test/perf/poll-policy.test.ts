/**
 * The poll policy's promises, on the virtual clock of bench/poll/simulate.ts: the real state machines
 * on the local engine (the pipeline, with the training loop and the challenger's transform loop in
 * the Transforms Parallel, and the deploy execution it starts with startExecution.sync:2, with the
 * endpoint loop), the real mlops_await poll, Wait states in virtual seconds. Deterministic: no
 * wall-clock timing is measured or asserted here (docs/PERFORMANCE.md has the figures).
 */
import {
  EARLIEST_FINISH_SECONDS,
  FLOOR_SECONDS,
  FRACTION,
  MAX_LATENCY_SECONDS,
  POLL_OVERHEAD_SECONDS,
} from '@mlops/mlops_await/core';
import { HISTORY_LIMIT } from '../../bench/poll/bench';
import {
  FIXED_60,
  KINDS,
  latencyAt,
  loadPipelineAsl,
  NO_DEADLINES,
  only,
  POLICY,
  pollSchedule,
  simulateExecution,
  STAGE_DEADLINES,
} from '../../bench/poll/simulate';

const asl = loadPipelineAsl();
const LONGEST = STAGE_DEADLINES.trainingMaxRuntimeSeconds + 600;

describe('the poll loops the simulator drives', () => {
  it('are the ASL’s: training in the pipeline, the transform in the challenger’s Parallel branch, the endpoint in the deploy state machine', () => {
    expect(asl.loops).toEqual({
      training: { machine: 'pipeline', init: 'TrainingPollInit', task: 'AwaitTraining', choice: 'TrainingDone', wait: 'WaitForTraining' },
      transform: { machine: 'pipeline', init: 'ChallengerPollInit', task: 'AwaitChallengerTransform', choice: 'ChallengerTransformDone', wait: 'WaitForChallengerTransform' },
      endpoint: { machine: 'deploy', init: 'EndpointPollInit', task: 'AwaitEndpoint', choice: 'EndpointDone', wait: 'WaitForEndpoint' },
    });
    expect(asl.pollBudget).toBe(400);
  });
});

describe.each(KINDS)('polling a %s', (kind) => {
  let schedule: number[];
  beforeAll(async () => {
    schedule = await pollSchedule(POLICY, kind, LONGEST + MAX_LATENCY_SECONDS, asl, POLL_OVERHEAD_SECONDS);
  });

  it('sees a finish within 10 % of the elapsed time and within 5 minutes, for every finish time (1 s steps) from the earliest possible one to the longest allowed', () => {
    let worst = { finish: 0, latency: 0, bound: 0 };
    for (let finish = EARLIEST_FINISH_SECONDS[kind]; finish <= LONGEST; finish++) {
      const latency = latencyAt(schedule, finish);
      const bound = Math.min(FRACTION * finish, MAX_LATENCY_SECONDS);
      if (latency - bound > worst.latency - worst.bound) worst = { finish, latency, bound };
    }
    expect(worst.latency).toBeLessThanOrEqual(worst.bound);
  });

  it('sees an early failure (before the earliest possible success) within one floor', () => {
    for (let finish = 1; finish < EARLIEST_FINISH_SECONDS[kind]; finish++) {
      expect(latencyAt(schedule, finish)).toBeLessThanOrEqual(FLOOR_SECONDS[kind] + POLL_OVERHEAD_SECONDS);
    }
  });

  it('stays inside the state machine’s 400-poll budget for the longest allowed resource', () => {
    expect(schedule.filter((at) => at <= LONGEST).length).toBeLessThan(asl.pollBudget);
  });
});

describe('the history of one execution', () => {
  it('stays under a quarter of the 25,000-event limit for the longest run the stage allows, in the pipeline and in its deploy execution', async () => {
    const run = await simulateExecution(
      {
        policy: POLICY,
        durations: { training: STAGE_DEADLINES.trainingMaxRuntimeSeconds - 1, transform: STAGE_DEADLINES.transformDeadlineSeconds, endpoint: STAGE_DEADLINES.endpointDeadlineSeconds },
        deadlines: STAGE_DEADLINES,
      },
      asl,
    );
    expect(run.status).toBe('SUCCEEDED');
    // Each execution has its own limit; the endpoint's loop is in the deploy execution.
    expect(run.executions.pipeline!.events).toBeLessThan(HISTORY_LIMIT / 4);
    expect(run.executions.deploy!.events).toBeLessThan(HISTORY_LIMIT / 4);
    expect(run.events).toBe(Math.max(run.executions.pipeline!.events, run.executions.deploy!.events));
    expect(run.loops.endpoint.polls).toBeGreaterThan(1);
  });

  it('stays under a quarter of the limit when a training job runs into its deadline, which then fails the run', async () => {
    const run = await simulateExecution({ policy: POLICY, durations: { training: Infinity, transform: 0, endpoint: 0 }, deadlines: STAGE_DEADLINES }, asl);
    expect(run).toMatchObject({ status: 'FAILED', error: 'PollDeadlineExceededError' });
    expect(run.events).toBeLessThan(HISTORY_LIMIT / 4);
  });

  it.each(KINDS)('counts 3 transitions and 9 events per poll that finds the %s running, as the ASL has it (Task, Choice, Wait)', async (kind) => {
    const short = await simulateExecution({ policy: POLICY, durations: only(kind, 600), deadlines: NO_DEADLINES }, asl);
    const long = await simulateExecution({ policy: POLICY, durations: only(kind, 1200), deadlines: NO_DEADLINES }, asl);
    expect([short.status, long.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const extra = long.loops[kind].polls - short.loops[kind].polls;
    expect(extra).toBeGreaterThan(0);
    expect(long.loops[kind].transitions - short.loops[kind].transitions).toBe(3 * extra);
    expect(long.loops[kind].events - short.loops[kind].events).toBe(9 * extra);
  });
});

describe('against a fixed 60 s loop', () => {
  it('makes at least 4 times fewer state transitions for a 24 h job', async () => {
    const policy = await simulateExecution({ policy: POLICY, durations: only('training', 86_400), deadlines: NO_DEADLINES }, asl);
    const fixed = await simulateExecution({ policy: FIXED_60, durations: only('training', 86_400), deadlines: NO_DEADLINES }, asl);
    expect(fixed.loops.training.transitions / policy.loops.training.transitions).toBeGreaterThanOrEqual(4);
  });
});
