import { trafficSteps } from '../src/endpoints';

describe('trafficSteps', () => {
  it.each([
    [{ Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 }, 4, [1]],
    [{ Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 25 }, WaitIntervalInSeconds: 600 }, 4, [0.25, 1]],
    [{ Type: 'CANARY', CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 }, WaitIntervalInSeconds: 600 }, 2, [0.5, 1]],
    [{ Type: 'LINEAR', LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 30 }, WaitIntervalInSeconds: 60 }, 4, [0.3, 0.6, 0.9, 1]],
    [{ Type: 'LINEAR', LinearStepSize: { Type: 'INSTANCE_COUNT', Value: 1 }, WaitIntervalInSeconds: 60 }, 4, [0.25, 0.5, 0.75, 1]],
  ] as const)('%j over %i instances shifts %j', (routing, instances, steps) => {
    const got = trafficSteps(routing as never, instances);
    expect(got).toHaveLength(steps.length);
    got.forEach((share, i) => expect(share).toBeCloseTo(steps[i]!, 10));
  });
});
