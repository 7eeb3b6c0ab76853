import { sageMakerWaiters } from '@mlops/aws-models';
import fc from 'fast-check';
import { FINISHING_WAIT_SECONDS, FLOOR_SECONDS, MAX_WAIT_SECONDS, nextWaitSeconds, type PollPolicyInput } from '../src/poll-policy';

const kinds = ['training', 'transform', 'endpoint'] as const;
const steady: Record<(typeof kinds)[number], Pick<PollPolicyInput, 'status' | 'secondaryStatus'>> = {
  training: { status: 'InProgress', secondaryStatus: 'Training' },
  transform: { status: 'InProgress' },
  endpoint: { status: 'Creating' },
};

/** Polls a resource that finishes after `duration` s from the first poll; returns polls made and when it was seen done. */
function simulate(kind: (typeof kinds)[number], duration: number, deadlineSeconds?: number) {
  let elapsed = 1;
  let polls = 1;
  while (elapsed < duration) {
    elapsed += nextWaitSeconds({ kind, ...steady[kind], elapsedSeconds: elapsed, deadlineSeconds });
    polls++;
  }
  return { polls, seenAt: elapsed };
}

describe('nextWaitSeconds', () => {
  it.each([
    ['training', 'InProgress', 'Starting', 0, 30],
    ['training', 'InProgress', 'Training', 100, 30],
    ['training', 'InProgress', 'Training', 1000, 100],
    ['training', 'InProgress', 'Training', 2999, 300],
    ['training', 'InProgress', 'Training', 50_000, 300],
    ['training', 'InProgress', 'Uploading', 50_000, 10],
    ['training', 'InProgress', 'Completed', 2000, 10],
    ['training', 'Stopping', 'Stopping', 2000, 10],
    ['training', 'Stopping', 'MaxRuntimeExceeded', 2000, 10],
    ['transform', 'InProgress', undefined, 0, 20],
    ['transform', 'InProgress', undefined, 450, 45],
    ['transform', 'Stopping', undefined, 5000, 10],
    ['endpoint', 'Creating', undefined, 0, 30],
    ['endpoint', 'Updating', undefined, 600, 60],
    ['endpoint', 'RollingBack', undefined, 10_000, 300],
  ] as const)('%s %s/%s after %i s waits %i s', (kind, status, secondaryStatus, elapsedSeconds, expected) => {
    expect(nextWaitSeconds({ kind, status, secondaryStatus, elapsedSeconds })).toBe(expected);
  });

  it('starts no slower than SageMaker’s official waiters', () => {
    expect(FLOOR_SECONDS.training).toBeLessThanOrEqual(sageMakerWaiters.TrainingJobCompletedOrStopped!.delay);
    expect(FLOOR_SECONDS.transform).toBeLessThanOrEqual(sageMakerWaiters.TransformJobCompletedOrStopped!.delay);
    expect(FLOOR_SECONDS.endpoint).toBeLessThanOrEqual(sageMakerWaiters.EndpointInService!.delay);
  });

  it('does not sleep past a deadline by more than a second', () => {
    expect(nextWaitSeconds({ kind: 'transform', status: 'InProgress', elapsedSeconds: 3500, deadlineSeconds: 3600 })).toBe(101);
    expect(nextWaitSeconds({ kind: 'transform', status: 'InProgress', elapsedSeconds: 3599, deadlineSeconds: 3600 })).toBe(FINISHING_WAIT_SECONDS);
    expect(nextWaitSeconds({ kind: 'transform', status: 'InProgress', elapsedSeconds: 1000, deadlineSeconds: 3600 })).toBe(100);
  });

  const input = fc.record({
    kind: fc.constantFrom(...kinds),
    status: fc.constantFrom('InProgress', 'Stopping', 'Creating', 'Updating', 'SystemUpdating', 'RollingBack'),
    secondaryStatus: fc.option(fc.constantFrom('Starting', 'Downloading', 'Training', 'Uploading', 'Completed', 'Interrupted', 'Restarting'), { nil: undefined }),
    elapsedSeconds: fc.double({ min: 0, max: 10 * 86_400, noNaN: true }),
    deadlineSeconds: fc.option(fc.integer({ min: 1, max: 10 * 86_400 }), { nil: undefined }),
  });

  it('is always a whole number of seconds within [FINISHING_WAIT, MAX_WAIT], never 0 for a resource not done', () => {
    fc.assert(
      fc.property(input, (i) => {
        const wait = nextWaitSeconds(i);
        expect(Number.isInteger(wait)).toBe(true);
        expect(wait).toBeGreaterThanOrEqual(FINISHING_WAIT_SECONDS);
        expect(wait).toBeLessThanOrEqual(MAX_WAIT_SECONDS);
      }),
    );
  });

  it('never waits less than the kind’s floor in a steady phase without a deadline', () => {
    fc.assert(fc.property(input, (i) => expect(nextWaitSeconds({ ...i, ...steady[i.kind], deadlineSeconds: undefined })).toBeGreaterThanOrEqual(FLOOR_SECONDS[i.kind])));
  });

  it('is monotone in elapsed time for a steady status', () => {
    fc.assert(
      fc.property(input, fc.double({ min: 0, max: 86_400, noNaN: true }), (i, later) => {
        const now = nextWaitSeconds({ ...i, deadlineSeconds: undefined });
        const next = nextWaitSeconds({ ...i, deadlineSeconds: undefined, elapsedSeconds: i.elapsedSeconds + later });
        expect(next).toBeGreaterThanOrEqual(now);
      }),
    );
  });

  it('never sleeps past a deadline by more than a second, unless only the shortest wait remains', () => {
    fc.assert(
      fc.property(input, (i) => {
        fc.pre(i.deadlineSeconds !== undefined && i.elapsedSeconds < i.deadlineSeconds);
        const wait = nextWaitSeconds(i);
        expect(wait === FINISHING_WAIT_SECONDS || i.elapsedSeconds + wait <= i.deadlineSeconds! + 1).toBe(true);
      }),
    );
  });

  it('keeps detection latency within 10 % of the duration (or one floor) and within the 400-poll budget', () => {
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.integer({ min: 1, max: 86_400 + 600 }), (kind, duration) => {
        const { polls, seenAt } = simulate(kind, duration);
        expect(seenAt - duration).toBeLessThanOrEqual(Math.max(FLOOR_SECONDS[kind], Math.ceil(0.1 * duration)));
        expect(polls).toBeLessThan(400);
      }),
    );
  });

  it.each([
    ['training', 3600, 40],
    ['training', 86_400 + 600, 320],
    ['transform', 7200, 60],
    ['endpoint', 600, 20],
  ] as const)('polls a %s lasting %i s at most %i times', (kind, duration, most) => {
    expect(simulate(kind, duration).polls).toBeLessThanOrEqual(most);
  });
});
