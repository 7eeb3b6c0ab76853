import { classificationMetrics, formatMetricLines, regressionMetrics } from '../src';

describe('metrics', () => {
  it('computes regression errors and r2', () => {
    // errors 0, -1, 2; labels' mean 7/3, total sum of squares 8/3
    const metrics = regressionMetrics([1, 2, 5], [1, 3, 3]);
    expect(metrics.mse).toBeCloseTo(5 / 3);
    expect(metrics.rmse).toBeCloseTo(Math.sqrt(5 / 3));
    expect(metrics.mae).toBeCloseTo(1);
    expect(metrics.r2).toBeCloseTo(1 - 5 / (8 / 3));
  });

  it('scores r2 of constant labels as 1 when exact, else 0', () => {
    expect(regressionMetrics([2, 2], [2, 2]).r2).toBe(1);
    expect(regressionMetrics([1, 3], [2, 2]).r2).toBe(0);
  });

  it('uses the positive class f1 for two classes', () => {
    // tp = 1, fp = 1, fn = 1
    expect(classificationMetrics([1, 1, 0, 0], [1, 0, 1, 0], 2)).toEqual({ accuracy: 0.5, f1: 0.5 });
  });

  it('macro-averages f1 over the classes present for more classes', () => {
    // class 0: f1 1; class 1: tp 1, fp 1, fn 0 -> 2/3; class 2: tp 0, fn 1 -> 0
    const { accuracy, f1 } = classificationMetrics([0, 1, 1], [0, 1, 2], 3);
    expect(accuracy).toBeCloseTo(2 / 3);
    expect(f1).toBeCloseTo((1 + 2 / 3 + 0) / 3);
  });

  it('formats one SageMaker metric line per value', () => {
    expect(formatMetricLines('validation', { mse: 4.523456789, r2: 0.5 })).toEqual([
      '#metric validation:mse=4.52346',
      '#metric validation:r2=0.5',
    ]);
  });
});
