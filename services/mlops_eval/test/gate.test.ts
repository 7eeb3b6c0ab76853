/**
 * The quality gate: which rule applies (the dataset's threshold, or the baseline when it has none),
 * its judgement, then not worse than the family's champion by more than the tolerance, in the
 * metric's own direction; the summary is the Fail state's Cause.
 */
import fc from 'fast-check';
import { ConfigurationError, EvalInputSchema, GateResultSchema, metricDirection, type EvalConfig, type MetricName, type PipelineInput } from '@mlops/common';
import { baselineBound, distinguishable, improvementOver, judge, resolveGate, type BaselineScore, type ResolvedGate } from '../src/gate';
import { evalConfig, sampleInput } from './helpers';

const STAGE_ORIGIN = 'set by the stage for family abalone';
const gate = (metric: MetricName, threshold: number, tolerance = 0): ResolvedGate => ({
  metric,
  direction: metricDirection(metric),
  tolerance,
  rule: { kind: 'threshold', threshold, source: 'stage', reason: 'the stage sets a threshold for family abalone (gateThresholds)', origin: STAGE_ORIGIN },
});
const MSE = gate('mse', 6);
const V3 = { label: 'abalone v3', value: 4.86 };
const STAGE_RULE = { kind: 'threshold', source: 'stage', reason: 'the stage sets a threshold for family abalone (gateThresholds)' };

describe('judge', () => {
  it('judges the first model of a family (no champion) by the threshold alone', () => {
    expect(judge(MSE, 5.91, undefined)).toEqual({
      metric: 'mse',
      threshold: 6,
      direction: 'lte',
      rule: STAGE_RULE,
      value: 5.91,
      passed: true,
      summary: 'mse = 5.91 meets the threshold 6 (must be <= 6; set by the stage for family abalone)',
    });
    expect(judge(MSE, 6.5, undefined)).toMatchObject({ passed: false, summary: 'mse = 6.5 is above the threshold 6 (must be <= 6; set by the stage for family abalone)' });
    expect(judge(MSE, 6.5, undefined)).not.toHaveProperty('champion');
  });

  describe('mse: lower is better', () => {
    it('fails a challenger worse than the champion, with the Cause naming both', () => {
      expect(judge(MSE, 5.91, V3)).toEqual({
        metric: 'mse',
        threshold: 6,
        direction: 'lte',
        rule: STAGE_RULE,
        value: 5.91,
        passed: false,
        summary: 'mse 5.91 (challenger) is worse than 4.86 (champion, abalone v3)',
        champion: { label: 'abalone v3', value: 4.86, tolerance: 0, passed: false },
      });
    });

    it('passes a better challenger, and says so after the threshold', () => {
      expect(judge(MSE, 4.5, V3)).toEqual({
        metric: 'mse',
        threshold: 6,
        direction: 'lte',
        rule: STAGE_RULE,
        value: 4.5,
        passed: true,
        summary: 'mse = 4.5 meets the threshold 6 (must be <= 6; set by the stage for family abalone), and mse 4.5 (challenger) is not worse than 4.86 (champion, abalone v3)',
        champion: { label: 'abalone v3', value: 4.86, tolerance: 0, passed: true },
      });
    });

    it('passes an equal challenger with tolerance 0 (not worse)', () => {
      expect(judge(MSE, 4.86, V3)).toMatchObject({ passed: true, champion: { passed: true } });
    });

    it('passes a slightly worse challenger within the tolerance, up to its edge', () => {
      const champion = { label: 'abalone v3', value: 4.5 };
      expect(judge(gate('mse', 6, 0.25), 4.75, champion)).toMatchObject({
        passed: true,
        summary: 'mse = 4.75 meets the threshold 6 (must be <= 6; set by the stage for family abalone), and mse 4.75 (challenger) is not worse than 4.5 (champion, abalone v3) by more than the tolerance 0.25',
        champion: { label: 'abalone v3', value: 4.5, tolerance: 0.25, passed: true },
      });
      expect(judge(gate('mse', 6, 0.25), 4.7500001, champion)).toMatchObject({ passed: false, champion: { passed: false } });
    });

    it('fails a challenger worse than the champion by more than the tolerance', () => {
      expect(judge(gate('mse', 6, 0.5), 5.91, V3)).toMatchObject({
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
      expect(judge(g, 0.8, champion)).toEqual({
        metric,
        threshold,
        direction: 'gte',
        rule: STAGE_RULE,
        value: 0.8,
        passed: false,
        summary: `${metric} 0.8 (challenger) is worse than 0.85 (champion, iris v2)`,
        champion: { label: 'iris v2', value: 0.85, tolerance: 0, passed: false },
      });
    });

    it('passes a higher score', () => {
      expect(judge(g, 0.9, champion)).toMatchObject({
        passed: true,
        summary: `${metric} = 0.9 meets the threshold 0.5 (must be >= 0.5; set by the stage for family abalone), and ${metric} 0.9 (challenger) is not worse than 0.85 (champion, iris v2)`,
      });
    });

    it('passes a lower score within the tolerance, and fails one beyond it', () => {
      expect(judge(gate(metric, threshold, 0.1), 0.8, champion)).toMatchObject({ passed: true, champion: { tolerance: 0.1, passed: true } });
      expect(judge(gate(metric, threshold, 0.1), 0.7, champion)).toMatchObject({
        passed: false,
        summary: `${metric} 0.7 (challenger) is worse than 0.85 (champion, iris v2) by more than the tolerance 0.1`,
      });
    });
  });

  describe('a threshold failure wins over the comparison', () => {
    it('when the challenger beats the champion but misses the threshold', () => {
      expect(judge(MSE, 7, { label: 'abalone v3', value: 8 })).toEqual({
        metric: 'mse',
        threshold: 6,
        direction: 'lte',
        rule: STAGE_RULE,
        value: 7,
        passed: false,
        summary: 'mse = 7 is above the threshold 6 (must be <= 6; set by the stage for family abalone)',
        champion: { label: 'abalone v3', value: 8, tolerance: 0, passed: true },
      });
    });

    it('when it misses both', () => {
      expect(judge(gate('accuracy', 0.75), 0.6, { label: 'iris v2', value: 0.7 })).toMatchObject({
        passed: false,
        summary: 'accuracy = 0.6 is below the threshold 0.75 (must be >= 0.75; set by the stage for family abalone)',
        champion: { passed: false },
      });
    });
  });

  it('prints close values apart in the Cause', () => {
    expect(judge(MSE, 4.8634, { label: 'abalone v3', value: 4.8612 }).summary).toBe('mse 4.863 (challenger) is worse than 4.861 (champion, abalone v3)');
  });

  it('always returns a result of the contract, passed exactly when both checks pass (property)', () => {
    const value = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(fc.constantFrom<MetricName>('mse', 'rmse', 'mae', 'r2', 'accuracy', 'f1_macro'), value, value, value, fc.double({ min: 0, max: 10, noNaN: true }), (metric, threshold, mine, theirs, tolerance) => {
        const g = gate(metric, threshold, tolerance);
        const result = GateResultSchema.parse(judge(g, mine, { label: 'abalone v3', value: theirs }));
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

describe('resolveGate: which rule applies', () => {
  const regression = (patch: (run: PipelineInput) => void = () => undefined) => sampleInput((i) => patch(i.run)).run;
  const classification = (patch: (run: PipelineInput) => void = () => undefined) =>
    regression((run) => {
      run.family = 'iris';
      run.task = { problemType: 'classification', target: 'species', classes: ['setosa', 'versicolor', 'virginica'] };
      patch(run);
    });
  const config = (env: Record<string, string> = {}): EvalConfig => evalConfig(env);

  it("applies the stage's threshold to the family it is set for (the sample, abalone)", () => {
    expect(resolveGate(regression(), config())).toEqual({
      metric: 'mse',
      direction: 'lte',
      tolerance: 0,
      rule: { kind: 'threshold', threshold: 6, source: 'stage', reason: 'the stage sets a threshold for family abalone (gateThresholds)', origin: STAGE_ORIGIN },
    });
  });

  it("judges any other regression family by the baseline on the stage's metric, with the stage's margin", () => {
    expect(resolveGate(regression((run) => (run.family = 'house-prices')), config())).toEqual({
      metric: 'mse',
      direction: 'lte',
      tolerance: 0,
      rule: {
        kind: 'baseline',
        margin: 0.1,
        marginSource: 'stage',
        reason: "family house-prices has no threshold: the upload sets none (mlops-threshold) and the stage's gateThresholds does not name the family",
        origin: 'no threshold for family house-prices',
      },
    });
    expect(resolveGate(regression((run) => (run.family = 'house-prices')), config({ GATE_METRIC: 'r2', GATE_BASELINE_MARGIN: '0.25' }))).toMatchObject({
      metric: 'r2',
      direction: 'gte',
      rule: { kind: 'baseline', margin: 0.25, marginSource: 'stage' },
    });
  });

  it("judges a classification family by the baseline on the stage's classification metric, unless the stage names the family", () => {
    expect(resolveGate(classification(), config())).toMatchObject({ metric: 'f1_macro', direction: 'gte', rule: { kind: 'baseline', margin: 0.1, origin: 'no threshold for family iris' } });
    expect(resolveGate(classification(), config({ GATE_THRESHOLDS: '{"abalone":{"metric":"mse","threshold":6},"iris":{"metric":"accuracy","threshold":0.9}}' }))).toMatchObject({
      metric: 'accuracy',
      direction: 'gte',
      rule: { kind: 'threshold', threshold: 0.9, source: 'stage', origin: 'set by the stage for family iris' },
    });
  });

  it('no longer applies a threshold to every family: without gateThresholds even abalone is judged by the baseline', () => {
    expect(resolveGate(regression(), config({ GATE_THRESHOLDS: '{}' })).rule.kind).toBe('baseline');
  });

  it("always applies the upload's threshold, on the upload's metric or else the family's", () => {
    const upload = { kind: 'threshold', source: 'upload', reason: 'the upload sets a threshold (mlops-threshold)', origin: 'set by the upload' };
    expect(resolveGate(regression((run) => (run.overrides.gate = { threshold: 0.01 })), config())).toMatchObject({ metric: 'mse', rule: { ...upload, threshold: 0.01 } });
    expect(resolveGate(regression((run) => (run.overrides.gate = { metric: 'r2', threshold: 0.9 })), config())).toMatchObject({ metric: 'r2', direction: 'gte', rule: { ...upload, threshold: 0.9 } });
    // A family the stage does not name: the threshold applies to the stage's metric for the problem type.
    expect(resolveGate(regression((run) => ((run.family = 'house-prices'), (run.overrides.gate = { threshold: 25e6 }))), config())).toMatchObject({ metric: 'mse', rule: { ...upload, threshold: 25e6 } });
    expect(resolveGate(classification((run) => (run.overrides.gate = { threshold: 0.8 })), config())).toMatchObject({ metric: 'f1_macro', rule: { ...upload, threshold: 0.8 } });
  });

  it("takes the upload's margin over the stage's", () => {
    expect(resolveGate(regression((run) => ((run.family = 'house-prices'), (run.overrides.gate = { baselineMargin: 0.3, tolerance: 2 }))), config())).toMatchObject({
      tolerance: 2,
      rule: { kind: 'baseline', margin: 0.3, marginSource: 'upload' },
    });
    // A threshold wins: the margin is for the baseline rule only.
    expect(resolveGate(regression((run) => (run.overrides.gate = { baselineMargin: 0.3 })), config()).rule).toMatchObject({ kind: 'threshold', source: 'stage' });
  });

  it("judges a metric the stage's threshold is not for by the baseline, and says why", () => {
    expect(resolveGate(regression((run) => (run.overrides.gate = { metric: 'mae' })), config())).toMatchObject({
      metric: 'mae',
      rule: { kind: 'baseline', reason: "the upload names mae without a threshold, and the stage's threshold for family abalone is for mse", origin: 'no threshold for mae' },
    });
  });

  it.each([
    ['a regression metric for classification', classification((run) => (run.overrides.gate = { metric: 'mse', threshold: 1 })), {}, "gate metric 'mse' (run.overrides.gate.metric) does not apply to classification: use one of accuracy, precision_macro, recall_macro, f1_macro"],
    ['a classification metric as the stage regression metric', regression((run) => (run.family = 'house-prices')), { GATE_METRIC: 'accuracy' }, "gate metric 'accuracy' (GATE_METRIC) does not apply to regression: use one of mse, rmse, mae, r2"],
    ['a regression metric as the stage classification metric', classification(), { CLASSIFICATION_GATE_METRIC: 'rmse' }, "gate metric 'rmse' (CLASSIFICATION_GATE_METRIC) does not apply to classification: use one of accuracy, precision_macro, recall_macro, f1_macro"],
    ["the family's stage threshold on a metric of the other problem type", regression(), { GATE_THRESHOLDS: '{"abalone":{"metric":"accuracy","threshold":0.9}}' }, "gate metric 'accuracy' (GATE_THRESHOLDS.abalone.metric) does not apply to regression: use one of mse, rmse, mae, r2"],
  ])('rejects %s as a ConfigurationError', (_name, run, env, message) => {
    expect(() => resolveGate(run, config(env))).toThrow(new ConfigurationError(message));
  });

  it('keeps the contract: the override fields are validated as execution input', () => {
    const input = sampleInput();
    expect(EvalInputSchema.safeParse({ ...input, run: { ...input.run, overrides: { gate: { baselineMargin: 1 } } } }).success).toBe(false);
    expect(EvalInputSchema.safeParse({ ...input, run: { ...input.run, overrides: { gate: { baselineMargin: -0.1 } } } }).success).toBe(false);
    expect(EvalInputSchema.safeParse({ ...input, run: { ...input.run, overrides: { gate: { baselineMargin: 0 } } } }).success).toBe(true);
  });
});

describe('judge: the baseline rule', () => {
  const baselineGate = (metric: MetricName, margin = 0.1, tolerance = 0): ResolvedGate => ({
    metric,
    direction: metricDirection(metric),
    tolerance,
    rule: { kind: 'baseline', margin, marginSource: 'stage', reason: 'family x has no threshold', origin: 'no threshold for family x' },
  });
  const MEAN: BaselineScore = { predicts: 'training-mean', prediction: 9.93, trainingRows: 2924, value: 10.2 };
  const MAJORITY = (value: number): BaselineScore => ({ predicts: 'majority-class', prediction: 2, label: 'M', trainingRows: 700, value });

  describe('mse: lower is better, the bound is the baseline less the margin', () => {
    it('passes a model that removes at least the margin of the baseline’s error, saying by how much', () => {
      const result = judge(baselineGate('mse'), 3.1, undefined, MEAN);
      expect(result).toEqual({
        metric: 'mse',
        threshold: 10.2 * 0.9,
        direction: 'lte',
        value: 3.1,
        passed: true,
        summary: 'mse = 3.1 beats the baseline (predicting the training mean 9.93: mse = 10.2) by 69.6 %, at least 10 % (must be <= 9.18; no threshold for family x)',
        rule: { kind: 'baseline', baseline: { predicts: 'training-mean', prediction: 9.93, trainingRows: 2924, value: 10.2 }, margin: 0.1, marginSource: 'stage', reason: 'family x has no threshold' },
      });
      expect(GateResultSchema.parse(result)).toEqual(result);
    });

    it('fails a model better than the baseline by less than the margin, naming the baseline and the margin', () => {
      expect(judge(baselineGate('mse'), 9.5, undefined, MEAN)).toMatchObject({
        passed: false,
        threshold: 10.2 * 0.9,
        summary: 'mse = 9.5 does not beat the baseline (predicting the training mean 9.93: mse = 10.2) by 10 % (must be <= 9.18; no threshold for family x)',
      });
    });

    it('passes at the bound exactly, fails just above it', () => {
      const bound = baselineBound('lte', 10.2, 0.1);
      expect(judge(baselineGate('mse'), bound, undefined, MEAN).passed).toBe(true);
      expect(judge(baselineGate('mse'), bound + 1e-9, undefined, MEAN).passed).toBe(false);
    });

    it('with a margin of 0, requires not worse than the baseline', () => {
      expect(judge(baselineGate('mae', 0), 10.2, undefined, MEAN)).toMatchObject({ passed: true, summary: 'mae = 10.2 is not worse than the baseline (predicting the training mean 9.93: mae = 10.2) (must be <= 10.2; no threshold for family x)' });
      expect(judge(baselineGate('mae', 0), 10.3, undefined, MEAN)).toMatchObject({ passed: false, summary: 'mae = 10.3 is worse than the baseline (predicting the training mean 9.93: mae = 10.2) (must be <= 10.2; no threshold for family x)' });
    });

    it('a baseline without error (a constant target) can only be matched', () => {
      const perfect = { ...MEAN, value: 0 };
      expect(judge(baselineGate('mse'), 0, undefined, perfect)).toMatchObject({ passed: true, threshold: 0, summary: 'mse = 0 matches the baseline (predicting the training mean 9.93: mse = 0), a perfect score (must be <= 0; no threshold for family x)' });
      expect(judge(baselineGate('mse'), 0.01, undefined, perfect).passed).toBe(false);
    });
  });

  describe('scores: higher is better, the margin is of the distance to a perfect score', () => {
    it('r2: a baseline near 0 (the training mean) still needs a real improvement', () => {
      const baseline: BaselineScore = { ...MEAN, value: -0.02 };
      const result = judge(baselineGate('r2'), 0.55, undefined, baseline);
      expect(result.threshold).toBeCloseTo(-0.02 + 0.1 * 1.02, 12);
      expect(result).toMatchObject({ passed: true, direction: 'gte', summary: 'r2 = 0.55 beats the baseline (predicting the training mean 9.93: r2 = -0.02) by 55.9 %, at least 10 % (must be >= 0.082; no threshold for family x)' });
      expect(judge(baselineGate('r2'), 0.05, undefined, baseline)).toMatchObject({ passed: false, summary: 'r2 = 0.05 does not beat the baseline (predicting the training mean 9.93: r2 = -0.02) by 10 % (must be >= 0.082; no threshold for family x)' });
    });

    it.each([
      ['f1_macro', 0.4, 0.25, true, "f1_macro = 0.4 beats the baseline (predicting the majority class 'M': f1_macro = 0.25) by 20 %, at least 10 % (must be >= 0.325; no threshold for family x)"],
      ['f1_macro', 0.3, 0.25, false, "f1_macro = 0.3 does not beat the baseline (predicting the majority class 'M': f1_macro = 0.25) by 10 % (must be >= 0.325; no threshold for family x)"],
      ['accuracy', 0.9, 0.6, true, "accuracy = 0.9 beats the baseline (predicting the majority class 'M': accuracy = 0.6) by 75 %, at least 10 % (must be >= 0.64; no threshold for family x)"],
      ['accuracy', 0.62, 0.6, false, "accuracy = 0.62 does not beat the baseline (predicting the majority class 'M': accuracy = 0.6) by 10 % (must be >= 0.64; no threshold for family x)"],
    ] as const)('%s %p against a baseline of %p: passed %p', (metric, value, baseline, passed, summary) => {
      const result = judge(baselineGate(metric), value, undefined, MAJORITY(baseline));
      expect(result).toMatchObject({ passed, direction: 'gte', rule: { kind: 'baseline', baseline: { predicts: 'majority-class', label: 'M', prediction: 2 } } });
      expect(result.summary).toBe(summary);
    });

    it('a perfect baseline (one class in the test rows, accuracy 1) can only be matched', () => {
      expect(judge(baselineGate('accuracy'), 1, undefined, MAJORITY(1))).toMatchObject({ passed: true, summary: "accuracy = 1 matches the baseline (predicting the majority class 'M': accuracy = 1), a perfect score (must be >= 1; no threshold for family x)" });
      expect(judge(baselineGate('accuracy'), 0.99, undefined, MAJORITY(1)).passed).toBe(false);
    });
  });

  it('then compares with the champion; a baseline failure wins, as a threshold failure does', () => {
    const champion = { label: 'prices v2', value: 4 };
    expect(judge(baselineGate('mse'), 3.1, champion, MEAN)).toMatchObject({
      passed: true,
      summary: 'mse = 3.1 beats the baseline (predicting the training mean 9.93: mse = 10.2) by 69.6 %, at least 10 % (must be <= 9.18; no threshold for family x), and mse 3.1 (challenger) is not worse than 4 (champion, prices v2)',
      champion: { passed: true },
    });
    expect(judge(baselineGate('mse'), 5, champion, MEAN)).toMatchObject({ passed: false, summary: 'mse 5 (challenger) is worse than 4 (champion, prices v2)' });
    expect(judge(baselineGate('mse'), 9.5, { label: 'prices v2', value: 9.9 }, MEAN)).toMatchObject({ passed: false, summary: expect.stringMatching(/^mse = 9\.5 does not beat the baseline/), champion: { passed: true } });
  });

  it('needs the baseline’s score', () => {
    expect(() => judge(baselineGate('mse'), 3, undefined)).toThrow('the baseline rule needs the baseline’s score');
  });

  it('passes exactly when the value meets the bound and the champion check, in both directions (property)', () => {
    const score = fc.double({ min: -5, max: 1, noNaN: true });
    const error = fc.double({ min: 0, max: 1e6, noNaN: true });
    const margin = fc.double({ min: 0, max: 0.99, noNaN: true });
    fc.assert(
      fc.property(fc.constantFrom<MetricName>('mse', 'rmse', 'mae', 'r2', 'accuracy', 'f1_macro'), error, error, score, score, margin, (metric, e1, e2, s1, s2, m) => {
        const direction = metricDirection(metric);
        const [value, baseline] = direction === 'lte' ? [e1, e2] : [s1, s2];
        const result = GateResultSchema.parse(judge(baselineGate(metric, m), value, undefined, { ...MEAN, value: baseline }));
        const bound = baselineBound(direction, baseline, m);
        expect(result.threshold).toBe(bound);
        expect(result.passed).toBe(direction === 'lte' ? value <= bound : value >= bound);
        // The bound is never easier than the baseline itself, and a passing value removes at least the margin of its error.
        expect(direction === 'lte' ? bound <= baseline : bound >= baseline).toBe(true);
        const gain = improvementOver(direction, baseline, value);
        if (result.passed && gain !== undefined) expect(gain).toBeGreaterThanOrEqual(m - 1e-9);
      }),
    );
  });
});

describe('baselineBound and improvementOver', () => {
  it.each([
    ['lte', 10, 0.1, 9],
    ['lte', 10, 0, 10],
    ['lte', 0, 0.5, 0],
    ['gte', 0.5, 0.1, 0.55],
    ['gte', -0.2, 0.5, 0.4],
    ['gte', 1, 0.3, 1],
  ] as const)('%s baseline %p, margin %p: bound %p', (direction, baseline, margin, bound) => {
    expect(baselineBound(direction, baseline, margin)).toBeCloseTo(bound, 12);
  });

  it('measures the share of the baseline’s error removed, none for a perfect baseline', () => {
    expect(improvementOver('lte', 10, 2.5)).toBe(0.75);
    expect(improvementOver('lte', 10, 12)).toBe(-0.2);
    expect(improvementOver('gte', 0.6, 0.9)).toBeCloseTo(0.75, 12);
    expect(improvementOver('lte', 0, 0)).toBeUndefined();
    expect(improvementOver('gte', 1, 1)).toBeUndefined();
  });
});
