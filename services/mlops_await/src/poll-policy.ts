/**
 * How long the state machine waits before looking again at a job or endpoint still in progress.
 *
 * SageMaker's own waiters poll at a fixed cadence (training 120 s, transform 60 s, endpoint 30 s).
 * A fixed cadence either adds minutes of latency to short jobs or wastes polls on long ones, and
 * the state machine has a 400-poll budget per loop. Instead the wait is a fixed fraction of the
 * time the resource has been running:
 *
 *   wait = clamp(ceil(FRACTION × elapsed), FLOOR[kind], MAX_WAIT)
 *
 * - Detection latency is at most FRACTION (10 %) of the resource's duration, plus the floor: a job
 *   that ends after 5 min is seen within 30 s, one that ends after 1 h within 5 min.
 * - The poll count grows with the logarithm of the duration (each wait adds 10 %, so elapsed time
 *   grows ×1.1 per poll) until MAX_WAIT, then linearly: ≈ 37 polls for a 1 h training job,
 *   ≈ 315 for 24 h, inside the budget.
 * - FLOOR: nothing changes faster than instances launch. Training and endpoints take minutes
 *   before anything can be observed (the waiters use 120 s and 30 s; endpoint creation usually
 *   takes 5-10 min), so 30 s; transform jobs are often short, 20 s (its waiter: 60 s).
 * - MAX_WAIT 300 s bounds the latency of very long jobs.
 * - Finishing phases (a training job uploading its model or stopping, a transform job stopping)
 *   end within seconds to a few minutes, so they are polled every FINISHING_WAIT regardless of
 *   elapsed time: the result is usually one short wait away.
 * - With a deadline, the next poll falls within a second after it, so it is enforced on time.
 */
import type { ResourceKind } from '@mlops/common';

export const FRACTION = 0.1;
export const MAX_WAIT_SECONDS = 300;
export const FINISHING_WAIT_SECONDS = 10;
export const FLOOR_SECONDS: Readonly<Record<ResourceKind, number>> = { training: 30, transform: 20, endpoint: 30 };

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

/** Seconds until the next poll of a resource that is not done yet: an integer in [FINISHING_WAIT, MAX_WAIT]. */
export function nextWaitSeconds(input: PollPolicyInput): number {
  if (isFinishing(input)) return FINISHING_WAIT_SECONDS;
  const elapsed = Math.max(0, input.elapsedSeconds);
  let wait = Math.min(MAX_WAIT_SECONDS, Math.max(FLOOR_SECONDS[input.kind], Math.ceil(FRACTION * elapsed)));
  if (input.deadlineSeconds !== undefined) {
    wait = Math.min(wait, Math.max(FINISHING_WAIT_SECONDS, Math.floor(input.deadlineSeconds - elapsed) + 1));
  }
  return wait;
}
