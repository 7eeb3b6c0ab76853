/**
 * The poll policy against a fixed 60 s loop and the SDK waiters' delays, on the virtual clock
 * (bench/poll/simulate.ts): polls, state transitions, Lambda invocations, history events, dollars,
 * detection latency; the history budget of the longest allowed execution; the Describe* rate of 50
 * pipelines; and the latency/cost trade-off of the policy's one free parameter.
 */
import { EARLIEST_FINISH_SECONDS, FRACTION, MAX_LATENCY_SECONDS } from '@mlops/mlops_await/core';
import {
  FIXED_60,
  KINDS,
  loadPipelineAsl,
  latencyAt,
  NO_DEADLINES,
  only,
  POLICY,
  policyVariant,
  PREVIOUS,
  pollSchedule,
  simulateExecution,
  STAGE_DEADLINES,
  WAITER,
  WAITER_DELAY_SECONDS,
  type Kind,
  type Policy,
} from './simulate';

/** Prices (us-east-1) used for the dollar figures. */
export const PRICES = {
  stepFunctionsStandardPerTransition: 0.025 / 1000,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1_000_000,
};
/** mlops_await runs with the provider's memorySize (serverless.yml: 512 MB); a warm DescribeX poll bills about 100 ms. */
export const AWAIT_MEMORY_MB = 512;
export const AWAIT_BILLED_MS = 100;
export const DURATIONS = [120, 900, 3600, 21_600, 86_400];
/** Finish times are spread ±10 % around each duration, second by second, for the latency figures. */
export const BAND = 0.1;
export const HISTORY_LIMIT = 25_000;
export const PIPELINES = 50;
/** Describe* budget: AWS publishes no per-operation default; the working figure, and a pessimistic one. */
export const API_BUDGET_TPS = { assumed: 20, pessimistic: 2 };

export interface Row {
  kind: Kind;
  duration: number;
  policy: string;
  polls: number;
  transitions: number;
  events: number;
  invocations: number;
  costUsd: number;
  worstLatency: number;
  meanLatency: number;
  worstLatencyPct: number;
  overBudget: boolean;
}

export interface PollBenchResult {
  generatedAt: string;
  assumptions: Record<string, number | string>;
  rows: Row[];
  /** Per kind: worst latency over every finish time from the earliest finish to 24 h, second by second. */
  invariant: Record<Kind, { from: number; to: number; worstPct: number; worstSeconds: number; worstPctAt: number }>;
  history: { scenario: string; status: string; error?: string; events: number; transitions: number; pctOfLimit: number; polls: Record<Kind, number> }[];
  apiRate: { policy: string; start: string; peak1s: number; peak60sPerSecond: number; meanPerSecond: number }[];
  tradeoff: { fraction: number; polls1h: number; ratio1h: number; ratio6h: number; ratio24h: number; worstPct: number }[];
  /** The policy this work replaced, training job: polls and worst latency per duration. */
  previous: { duration: number; polls: number; nowPolls: number; worstLatencyPct: number; nowWorstLatencyPct: number }[];
  lowerBound: { fixedPollsAt1h: number; fourXFromSeconds: number; pollsFor4xAt1h: number; minEarliestFinishFor4x: number; minFractionFor4x: number; pollsAt1hAt10pct: number };
}

export function lambdaCost(invocations: number): number {
  return invocations * (PRICES.lambdaPerRequest + (AWAIT_MEMORY_MB / 1024) * (AWAIT_BILLED_MS / 1000) * PRICES.lambdaArmPerGbSecond);
}
export function transitionsCost(transitions: number): number {
  return transitions * PRICES.stepFunctionsStandardPerTransition;
}

function bandLatency(schedule: number[], duration: number): { worst: number; mean: number; worstPct: number } {
  let worst = 0;
  let worstPct = 0;
  let sum = 0;
  let n = 0;
  for (let finish = Math.ceil((1 - BAND) * duration); finish <= Math.floor((1 + BAND) * duration); finish++) {
    const latency = latencyAt(schedule, finish);
    worst = Math.max(worst, latency);
    worstPct = Math.max(worstPct, latency / finish);
    sum += latency;
    n++;
  }
  return { worst, mean: sum / n, worstPct: 100 * worstPct };
}

export interface PollBenchOptions {
  quick?: boolean;
  log?: (line: string) => void;
}

export async function runPollBench(options: PollBenchOptions = {}): Promise<PollBenchResult> {
  const log = options.log ?? (() => undefined);
  const asl = loadPipelineAsl();
  const policies: Policy[] = [POLICY, FIXED_60, WAITER];
  const horizon = Math.ceil((1 + BAND) * Math.max(...DURATIONS)) + 1;

  // One schedule per policy and kind covers every duration's band (the status is steady until done).
  const schedules = new Map<string, number[]>();
  for (const policy of policies) {
    for (const kind of KINDS) {
      schedules.set(`${policy.id}/${kind}`, await pollSchedule(policy, kind, horizon, asl));
      log(`poll: schedule ${policy.id} ${kind}`);
    }
  }

  const rows: Row[] = [];
  for (const kind of KINDS) {
    for (const duration of DURATIONS) {
      for (const policy of policies) {
        // The exact execution for a resource finishing at `duration`: counts come from its history.
        const run = await simulateExecution({ policy, durations: only(kind, duration), deadlines: NO_DEADLINES }, asl);
        const loop = run.loops[kind];
        const latency = bandLatency(schedules.get(`${policy.id}/${kind}`)!, duration);
        rows.push({
          kind,
          duration,
          policy: policy.id,
          polls: loop.polls,
          transitions: loop.transitions,
          events: loop.events,
          invocations: loop.polls,
          costUsd: transitionsCost(loop.transitions) + lambdaCost(loop.polls),
          worstLatency: latency.worst,
          meanLatency: latency.mean,
          worstLatencyPct: latency.worstPct,
          overBudget: loop.polls > asl.pollBudget,
        });
      }
      log(`poll: ${kind} ${duration} s`);
    }
  }

  // The promise, checked for every finish time (1-second steps) from the earliest finish to 24 h.
  const invariant = {} as PollBenchResult['invariant'];
  for (const kind of KINDS) {
    const schedule = schedules.get(`policy/${kind}`)!;
    const from = EARLIEST_FINISH_SECONDS[kind];
    const to = 86_400;
    let worstPct = 0;
    let worstPctAt = from;
    let worstSeconds = 0;
    for (let finish = from; finish <= to; finish++) {
      const latency = latencyAt(schedule, finish);
      if (latency / finish > worstPct) {
        worstPct = latency / finish;
        worstPctAt = finish;
      }
      worstSeconds = Math.max(worstSeconds, latency);
    }
    invariant[kind] = { from, to, worstPct: 100 * worstPct, worstSeconds, worstPctAt };
  }

  // History budget: the longest execution the stage allows, succeeding, and running into the training deadline.
  const history: PollBenchResult['history'] = [];
  const maxRuntime = STAGE_DEADLINES.trainingMaxRuntimeSeconds;
  for (const [scenario, durations] of [
    ['longest successful run (training 24 h, transform 2 h, endpoint 1 h: each just inside its limit)', { training: maxRuntime - 1, transform: STAGE_DEADLINES.transformDeadlineSeconds, endpoint: STAGE_DEADLINES.endpointDeadlineSeconds }],
    ['training never ends (stopped at MaxRuntimeInSeconds + 600 s margin)', { training: Infinity, transform: 0, endpoint: 0 }],
  ] as const) {
    const run = await simulateExecution({ policy: POLICY, durations, deadlines: STAGE_DEADLINES }, asl);
    history.push({
      scenario,
      status: run.status,
      error: run.error,
      events: run.events,
      transitions: run.transitions,
      pctOfLimit: (100 * run.events) / HISTORY_LIMIT,
      polls: Object.fromEntries(KINDS.map((k) => [k, run.loops[k].polls])) as Record<Kind, number>,
    });
  }
  log('poll: history budget');

  // Describe* calls of 50 pipelines (training 1 h, transform 15 min, endpoint 8 min), started at once or spread over an hour.
  const apiRate: PollBenchResult['apiRate'] = [];
  for (const policy of policies) {
    const run = await simulateExecution({ policy, durations: { training: 3600, transform: 900, endpoint: 480 }, deadlines: NO_DEADLINES }, asl);
    const times = run.polls.map((p) => p.time);
    for (const [start, offsets] of [
      ['all 50 at once', Array.from({ length: PIPELINES }, () => 0)],
      ['spread over 1 h', spread(PIPELINES, 3600)],
    ] as const) {
      apiRate.push({ policy: policy.id, start, ...rates(offsets.flatMap((o) => times.map((t) => t + o))) });
    }
  }
  log('poll: API rate');

  // The one free parameter: latency as a fraction of elapsed time, against transitions saved.
  const fixed = (duration: number) => rows.find((r) => r.kind === 'training' && r.duration === duration && r.policy === 'fixed60')!.transitions;
  const tradeoff: PollBenchResult['tradeoff'] = [];
  for (const fraction of options.quick ? [0.1, 0.25] : [0.1, 0.15, 0.2, 0.25, 0.3]) {
    const variant = policyVariant(`f${fraction}`, `${fraction * 100} %`, { fraction });
    const counts = [];
    for (const duration of [3600, 21_600, 86_400]) {
      counts.push((await simulateExecution({ policy: variant, durations: only('training', duration), deadlines: NO_DEADLINES }, asl)).loops.training);
    }
    const schedule = await pollSchedule(variant, 'training', horizon, asl);
    let worst = 0;
    for (let finish = EARLIEST_FINISH_SECONDS.training; finish <= 86_400; finish++) worst = Math.max(worst, latencyAt(schedule, finish) / finish);
    tradeoff.push({
      fraction,
      polls1h: counts[0]!.polls,
      ratio1h: fixed(3600) / counts[0]!.transitions,
      ratio6h: fixed(21_600) / counts[1]!.transitions,
      ratio24h: fixed(86_400) / counts[2]!.transitions,
      worstPct: 100 * worst,
    });
  }
  log('poll: trade-off');

  // The policy this work replaced, for the record.
  const previousSchedule = await pollSchedule(PREVIOUS, 'training', horizon, asl);
  const previous: PollBenchResult['previous'] = [];
  for (const duration of DURATIONS) {
    const run = await simulateExecution({ policy: PREVIOUS, durations: only('training', duration), deadlines: NO_DEADLINES }, asl);
    const now = rows.find((r) => r.kind === 'training' && r.duration === duration && r.policy === 'policy')!;
    previous.push({ duration, polls: run.loops.training.polls, nowPolls: now.polls, worstLatencyPct: bandLatency(previousSchedule, duration).worstPct, nowWorstLatencyPct: now.worstLatencyPct });
  }
  log('poll: previous policy');

  // What 4× at 1 h would take: at most a quarter of the fixed loop's polls (each costs the same three
  // transitions in both designs). The ideal schedule under a latency promise (no poll overhead, no
  // early floor polls) shows how far any policy could go.
  const fixed1hPolls = rows.find((r) => r.kind === 'training' && r.duration === 3600 && r.policy === 'fixed60')!.polls;
  const pollsFor4xAt1h = Math.floor(fixed1hPolls / 4);
  const t0 = EARLIEST_FINISH_SECONDS.training;
  let minFractionFor4x = Infinity;
  for (let f = 0.1; f <= 3; f += 0.01) if (idealPolls(3600, f, MAX_LATENCY_SECONDS, t0) <= pollsFor4xAt1h) { minFractionFor4x = f; break; }
  let minEarliestFinishFor4x = Infinity;
  for (let start = t0; start <= 3600; start += 10) if (idealPolls(3600, FRACTION, MAX_LATENCY_SECONDS, start) <= pollsFor4xAt1h) { minEarliestFinishFor4x = start; break; }
  // From which job duration the policy makes 4× fewer polls (and so transitions) than the fixed loop.
  const pollsUntil = (schedule: number[], end: number) => schedule.filter((t) => t < end).length + 1;
  let fourXFromSeconds = Infinity;
  for (let end = 3600; end <= 86_400; end += 60) {
    if (pollsUntil(schedules.get('fixed60/training')!, end) >= 4 * pollsUntil(schedules.get('policy/training')!, end)) {
      fourXFromSeconds = end;
      break;
    }
  }
  const lowerBound = {
    fixedPollsAt1h: fixed1hPolls,
    fourXFromSeconds,
    pollsFor4xAt1h,
    minEarliestFinishFor4x,
    minFractionFor4x,
    pollsAt1hAt10pct: idealPolls(3600, FRACTION, MAX_LATENCY_SECONDS, t0),
  };

  return {
    generatedAt: new Date().toISOString(),
    assumptions: {
      pollOverheadSeconds: 1,
      otherTaskSeconds: 1,
      awaitMemoryMb: AWAIT_MEMORY_MB,
      awaitBilledMs: AWAIT_BILLED_MS,
      stepFunctionsUsdPer1000Transitions: 0.025,
      lambdaArmUsdPerGbSecond: PRICES.lambdaArmPerGbSecond,
      lambdaUsdPerMillionRequests: 0.2,
      band: BAND,
      fraction: FRACTION,
      maxLatencySeconds: MAX_LATENCY_SECONDS,
      earliestFinishSeconds: EARLIEST_FINISH_SECONDS.training,
      waiterDelays: `training ${WAITER_DELAY_SECONDS.training} s, transform ${WAITER_DELAY_SECONDS.transform} s, endpoint ${WAITER_DELAY_SECONDS.endpoint} s`,
      pollBudget: asl.pollBudget,
    },
    rows,
    invariant,
    history,
    apiRate,
    tradeoff,
    previous,
    lowerBound,
  };
}

/**
 * Polls of the cheapest schedule that keeps latency within min(fraction × elapsed, cap) for every
 * finish time after `earliest`: one poll at creation, one at `earliest`, then each gap as long as allowed.
 */
export function idealPolls(until: number, fraction: number, cap: number, earliest: number): number {
  let polls = 2;
  for (let t = earliest; t < until; t += Math.min(fraction * t, cap)) polls++;
  return polls;
}

/** Deterministic offsets spread over `span` seconds (a seeded LCG: the same figures every run). */
function spread(n: number, span: number): number[] {
  let seed = 12345;
  return Array.from({ length: n }, () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return Math.floor((seed / 2 ** 32) * span);
  });
}

function rates(times: number[]): { peak1s: number; peak60sPerSecond: number; meanPerSecond: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const peakIn = (window: number) => {
    let best = 0;
    let lo = 0;
    for (let hi = 0; hi < sorted.length; hi++) {
      while (sorted[hi]! - sorted[lo]! >= window) lo++;
      best = Math.max(best, hi - lo + 1);
    }
    return best;
  };
  const span = Math.max(1, sorted[sorted.length - 1]! - sorted[0]!);
  return { peak1s: peakIn(1), peak60sPerSecond: peakIn(60) / 60, meanPerSecond: sorted.length / span };
}
