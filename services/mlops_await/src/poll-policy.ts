/**
 * How long the state machine waits before looking again at a job or endpoint still in progress.
 *
 * The promise to the user is a detection latency (from the moment the resource finishes to the
 * poll that sees it) of at most FRACTION (10 %) of the resource's elapsed time and never more than
 * MAX_LATENCY (5 min). Every poll costs the same (Task → Choice → Wait: 3 state transitions,
 * 9 history events, one Lambda invocation), so the cheapest policy that keeps that promise is the
 * one with the longest waits that still keep it:
 *
 *   elapsed <  EARLIEST_FINISH[kind]:  wait = FLOOR[kind], shortened so that a poll lands on EARLIEST_FINISH
 *   elapsed >= EARLIEST_FINISH[kind]:  wait = min(MAX_LATENCY, floor(FRACTION × elapsed)) − POLL_OVERHEAD
 *   a finishing phase (Uploading, Stopping...): wait = FINISHING_WAIT
 *   with a deadline: the next poll falls within a second after it
 *
 * - Why geometric: a job that ends just after a poll at elapsed e is seen at the next one, so the
 *   gap between polls bounds the latency; the gap may be 10 % of e and no more. Polls then grow
 *   ×1.1 apart, the fewest any schedule can make under that promise: ln(T / EARLIEST_FINISH) /
 *   ln(1.1) polls up to T (≈ 35 to reach the 5-minute cap at 50 min), then one per 5 minutes.
 *   bench/poll simulates it on the real state machine and compares it with a fixed 60 s loop and
 *   the SDK waiters' delays; docs/PERFORMANCE.md has the figures.
 * - POLL_OVERHEAD: the poll itself takes time (Lambda, three state transitions) between one
 *   Describe and the next; the wait leaves a second for it so the promise holds between Describes.
 * - EARLIEST_FINISH: no SageMaker training, transform or processing job or endpoint change completes in
 *   under two minutes (instances are provisioned, the container pulled and started first), so
 *   before 110 s nothing can succeed and the 10 % promise starts there. Before it, the FLOOR cadence
 *   only catches early failures (capacity, image or role errors) within a floor; it is no slower
 *   than the SDK waiters (120 s, 60 s, 30 s) and keeps offline runs, where jobs take a second, quick.
 * - Finishing phases (a training job uploading its model or stopping, a transform job stopping)
 *   end within seconds to a few minutes, so they are polled every FINISHING_WAIT. A processing job
 *   reports no phases, only Stopping.
 * - MaxRuntimeInSeconds enters through the deadline: past it SageMaker stops the job, and the
 *   poll right after the deadline sees that (or stops a job SageMaker failed to stop).
 */
import type { ResourceKind } from '@mlops/common';

export interface PollPolicyParameters {
  /** Detection latency as a fraction of elapsed time (after EARLIEST_FINISH). */
  fraction: number;
  /** Detection latency cap, seconds. */
  maxLatencySeconds: number;
  /** Seconds a poll takes between its Describe and the start of its Wait (Lambda + transitions). */
  pollOverheadSeconds: number;
  /** Wait in a finishing phase, and the shortest wait there is. */
  finishingWaitSeconds: number;
  /** Cadence before a resource can possibly have succeeded. */
  floorSeconds: Readonly<Record<ResourceKind, number>>;
  /** Elapsed time before which the resource cannot have succeeded. */
  earliestFinishSeconds: Readonly<Record<ResourceKind, number>>;
}

export const FRACTION = 0.1;
export const MAX_LATENCY_SECONDS = 300;
export const POLL_OVERHEAD_SECONDS = 1;
export const MAX_WAIT_SECONDS = MAX_LATENCY_SECONDS - POLL_OVERHEAD_SECONDS;
export const FINISHING_WAIT_SECONDS = 10;
export const FLOOR_SECONDS: Readonly<Record<ResourceKind, number>> = { training: 30, transform: 20, processing: 30, endpoint: 30 };
export const EARLIEST_FINISH_SECONDS: Readonly<Record<ResourceKind, number>> = { training: 110, transform: 110, processing: 110, endpoint: 110 };

export const DEFAULT_POLL_POLICY: Readonly<PollPolicyParameters> = {
  fraction: FRACTION,
  maxLatencySeconds: MAX_LATENCY_SECONDS,
  pollOverheadSeconds: POLL_OVERHEAD_SECONDS,
  finishingWaitSeconds: FINISHING_WAIT_SECONDS,
  floorSeconds: FLOOR_SECONDS,
  earliestFinishSeconds: EARLIEST_FINISH_SECONDS,
};

/** Training SecondaryStatus values after which the job ends within moments. */
const FINISHING_TRAINING_PHASES = new Set(['Uploading', 'Completed', 'Failed', 'Stopping', 'Stopped', 'MaxRuntimeExceeded', 'MaxWaitTimeExceeded']);

export interface PollPolicyInput {
  kind: ResourceKind;
  status: string;
  secondaryStatus?: string;
  /** Seconds since the job was created, or since the endpoint last changed. */
  elapsedSeconds: number;
  /** Elapsed time at which the resource is given up on, if any. */
  deadlineSeconds?: number;
}

function isFinishing({ kind, status, secondaryStatus }: PollPolicyInput): boolean {
  if (kind === 'endpoint') return false;
  if (status === 'Stopping') return true;
  return kind === 'training' && secondaryStatus !== undefined && FINISHING_TRAINING_PHASES.has(secondaryStatus);
}

/** The policy for other parameters (the benchmark's trade-off table); the pipeline uses nextWaitSeconds. */
export function pollPolicy(p: Readonly<PollPolicyParameters>): (input: PollPolicyInput) => number {
  const maxWait = p.maxLatencySeconds - p.pollOverheadSeconds;
  return (input) => {
    if (isFinishing(input)) return p.finishingWaitSeconds;
    const elapsed = Math.max(0, input.elapsedSeconds);
    const earliest = p.earliestFinishSeconds[input.kind];
    let wait =
      elapsed < earliest
        ? Math.min(p.floorSeconds[input.kind], Math.max(p.finishingWaitSeconds, Math.floor(earliest - elapsed) - p.pollOverheadSeconds))
        : Math.max(p.finishingWaitSeconds, Math.min(maxWait, Math.floor(p.fraction * Math.floor(elapsed)) - p.pollOverheadSeconds));
    if (input.deadlineSeconds !== undefined) {
      wait = Math.min(wait, Math.max(p.finishingWaitSeconds, Math.floor(input.deadlineSeconds - elapsed) + 1));
    }
    return wait;
  };
}

/** Seconds until the next poll of a resource that is not done yet: an integer in [FINISHING_WAIT, MAX_WAIT]. */
export const nextWaitSeconds: (input: PollPolicyInput) => number = pollPolicy(DEFAULT_POLL_POLICY);
