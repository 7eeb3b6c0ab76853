/**
 * The quality gate's judgement: the stage's threshold, then not worse than the family's champion by
 * more than the tolerance, in the metric's own direction; the summary is the Fail state's Cause.
 */
import fc from 'fast-check';
import { GateResultSchema, metricDirection, type MetricName } from '@mlops/common';
import { distinguishable, judge, type ResolvedGate } from '../src/gate';

const gate = (metric: MetricName, threshold: number): ResolvedGate => ({ metric, threshold, direction: metricDirection(metric), tolerance: 0 });
const MSE = gate('mse', 6);
const V3 = { label: 'abalone v3', value: 4.86 };

describe('judge', () => {
  it('judges the first model of a family (no champion) by the threshold alone', () => {
    expect(judge(MSE, 5.91, undefined, 0)).toEqual({
      metric: 'mse',
      threshold: 6,
      direction: 'lte',
      value: 5.91,
      passed: true,
      summary: 'mse = 5.91 meets the threshold 6 (must be <= 6)',
    });
    expect(judge(MSE, 6.5, undefined, 0)).toMatchObject({ passed: false, summary: 'mse = 6.5 is above the threshold 6 (must be <= 6)' });
    expect(judge(MSE, 6.5, undefined, 0)).not.toHaveProperty('champion');
  });

  describe('mse: lower is better', () => {
    it('fails a challenger worse than the champion, with the Cause naming both', () => {
      expect(judge(MSE, 5.91, V3, 0)).toEqual({
        metric: 'mse',
        threshold: 6,
        direction: 'lte',
        value: 5.91,
        passed: false,
        summary: 'mse 5.91 (challenger) is worse than 4.86 (champion, abalone v3)',
        champion: { label: 'abalone v3', value: 4.86, tolerance: 0, passed: false },
      });
    });

    it('passes a better challenger, and says so after the threshold', () => {
      expect(judge(MSE, 4.5, V3, 0)).toEqual({
        metric: 'mse',
        threshold: 6,
        direction: 'lte',
        value: 4.5,
        passed: true,
        summary: 'mse = 4.5 meets the threshold 6 (must be <= 6), and mse 4.5 (challenger) is not worse than 4.86 (champion, abalone v3)',
        champion: { label: 'abalone v3', value: 4.86, tolerance: 0, passed: true },
      });
    });

    it('passes an equal challenger with tolerance 0 (not worse)', () => {
      expect(judge(MSE, 4.86, V3, 0)).toMatchObject({ passed: true, champion: { passed: true } });
    });

    it('passes a slightly worse challenger within the tolerance, up to its edge', () => {
      const champion = { label: 'abalone v3', value: 4.5 };
      expect(judge(MSE, 4.75, champion, 0.25)).toMatchObject({
        passed: true,
        summary: 'mse = 4.75 meets the threshold 6 (must be <= 6), and mse 4.75 (challenger) is not worse than 4.5 (champion, abalone v3) by more than the tolerance 0.25',
        champion: { label: 'abalone v3', value: 4.5, tolerance: 0.25, passed: true },
      });
      expect(judge(MSE, 4.7500001, champion, 0.25)).toMatchObject({ passed: false, champion: { passed: false } });
    });

    it('fails a challenger worse than the champion by more than the tolerance', () => {
      expect(judge(MSE, 5.91, V3, 0.5)).toMatchObject({
        passed: false,
        summary: 'mse 5.91 (challenger) is worse than 4.86 (champion, abalone v3) by more than the tolerance 0.5',
        champion: { tolerance: 0.5, passed: false },
      });
    });
  });

  describe.each([
    ['accuracy', 0.5],
    ['f1_macro', 0.5],
  ] as const)('%s: higher is better', (metric, threshold) => {
    const g = gate(metric, threshold);
    const champion = { label: 'iris v2', value: 0.85 };

    it('fails a lower score than the champion’s', () => {
      expect(judge(g, 0.8, champion, 0)).toEqual({
        metric,
        threshold,
        direction: 'gte',
        value: 0.8,
        passed: false,
        summary: `${metric} 0.8 (challenger) is worse than 0.85 (champion, iris v2)`,
        champion: { label: 'iris v2', value: 0.85, tolerance: 0, passed: false },
      });
    });

    it('passes a higher score', () => {
      expect(judge(g, 0.9, champion, 0)).toMatchObject({
        passed: true,
        summary: `${metric} = 0.9 meets the threshold 0.5 (must be >= 0.5), and ${metric} 0.9 (challenger) is not worse than 0.85 (champion, iris v2)`,
      });
    });

    it('passes a lower score within the tolerance, and fails one beyond it', () => {
      expect(judge(g, 0.8, champion, 0.1)).toMatchObject({ passed: true, champion: { tolerance: 0.1, passed: true } });
      expect(judge(g, 0.7, champion, 0.1)).toMatchObject({
        passed: false,
        summary: `${metric} 0.7 (challenger) is worse than 0.85 (champion, iris v2) by more than the tolerance 0.1`,
      });
    });
  });

  describe('a threshold failure wins over the comparison', () => {
    it('when the challenger beats the champion but misses the threshold', () => {
      expect(judge(MSE, 7, { label: 'abalone v3', value: 8 }, 0)).toEqual({
        metric: 'mse',
        threshold: 6,
        direction: 'lte',
        value: 7,
        passed: false,
        summary: 'mse = 7 is above the threshold 6 (must be <= 6)',
        champion: { label: 'abalone v3', value: 8, tolerance: 0, passed: true },
      });
    });

    it('when it misses both', () => {
      expect(judge(gate('accuracy', 0.75), 0.6, { label: 'iris v2', value: 0.7 }, 0)).toMatchObject({
        passed: false,
        summary: 'accuracy = 0.6 is below the threshold 0.75 (must be >= 0.75)',
        champion: { passed: false },
      });
    });
  });

  it('prints close values apart in the Cause', () => {
    expect(judge(MSE, 4.8634, { label: 'abalone v3', value: 4.8612 }, 0).summary).toBe('mse 4.863 (challenger) is worse than 4.861 (champion, abalone v3)');
  });

  it('always returns a result of the contract, passed exactly when both checks pass (property)', () => {
    const value = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(fc.constantFrom<MetricName>('mse', 'rmse', 'mae', 'r2', 'accuracy', 'f1_macro'), value, value, value, fc.double({ min: 0, max: 10, noNaN: true }), (metric, threshold, mine, theirs, tolerance) => {
        const g = gate(metric, threshold);
        const result = GateResultSchema.parse(judge(g, mine, { label: 'abalone v3', value: theirs }, tolerance));
        const meets = g.direction === 'lte' ? mine <= threshold : mine >= threshold;
        const notWorse = g.direction === 'lte' ? mine <= theirs + tolerance : mine >= theirs - tolerance;
        expect(result.passed).toBe(meets && notWorse);
        expect(result.champion!.passed).toBe(notWorse);
      }),
    );
  });
});

describe('distinguishable', () => {
  it.each([
    [5.91, 4.86, '5.91', '4.86'],
    [4.8634, 4.8612, '4.863', '4.861'],
    [0.123456789, 0.123456781, '0.12345679', '0.12345678'],
    [123456, 123457, '123456', '123457'],
    [1.3125, 0.25, '1.31', '0.25'],
    [4.86123, 4.86123, '4.86', '4.86'],
  ])('%p and %p print as %p and %p', (a, b, x, y) => {
    expect(distinguishable(a, b)).toEqual([x, y]);
  });

  it('never prints two different values the same (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), (a, b) => {
        const [x, y] = distinguishable(a, b);
        if (a !== b) expect(x).not.toBe(y);
        else expect(x).toBe(y);
      }),
    );
  });
});
