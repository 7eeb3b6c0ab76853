/** The gate's baseline: the training labels' mean or majority class, and its score on the test rows. */
import type { Task } from '@mlops/common';
import { BaselineScorer, TrainingLabels } from '../src/baseline';

const REGRESSION: Task = { problemType: 'regression', target: 'rings' };
const CLASSIFICATION: Task = { problemType: 'classification', target: 'species', classes: ['ant', 'bee', 'cat'] };

describe('TrainingLabels', () => {
  it('predicts the mean of regression labels', () => {
    const labels = new TrainingLabels(REGRESSION);
    for (const x of [4, 6, 5, 5, -2.5]) labels.add(x);
    expect(labels.count).toBe(5);
    expect(labels.baseline()).toEqual({ predicts: 'training-mean', prediction: 3.5, trainingRows: 5 });
  });

  it('keeps the mean exact where a running sum would drift (compensated summation)', () => {
    const labels = new TrainingLabels(REGRESSION);
    // 1e16 then a million 1s, then -1e16: a naive sum ends at 0 (each 1 is lost against 1e16).
    labels.add(1e16);
    for (let i = 0; i < 1_000_000; i++) labels.add(1);
    labels.add(-1e16);
    expect(labels.baseline().prediction).toBe(1_000_000 / 1_000_002);
  });

  it('predicts the most frequent class, the lowest index on a tie', () => {
    const labels = new TrainingLabels(CLASSIFICATION);
    for (const c of [2, 1, 2, 1, 0]) labels.add(c);
    expect(labels.baseline()).toEqual({ predicts: 'majority-class', prediction: 1, label: 'bee', trainingRows: 5 });
    labels.add(2);
    expect(labels.baseline()).toMatchObject({ prediction: 2, label: 'cat', trainingRows: 6 });
  });

  it.each([3, -1, 0.5, NaN])('refuses class label %p', (label) => {
    expect(() => new TrainingLabels(CLASSIFICATION).add(label)).toThrow(`label ${label} is not a class index in [0, 2]`);
  });

  it('has no baseline without labels', () => {
    expect(() => new TrainingLabels(REGRESSION).baseline()).toThrow('no training labels');
  });
});

describe('BaselineScorer', () => {
  it('scores the one prediction against each test label, in the regression metrics', () => {
    const scorer = new BaselineScorer({ predicts: 'training-mean', prediction: 5, trainingRows: 4 }, REGRESSION);
    for (const actual of [3, 5, 2, 7]) scorer.add(actual);
    expect(scorer.metrics()).toEqual({ mse: 17 / 4, rmse: Math.sqrt(17 / 4), mae: 7 / 4, r2: 1 - 17 / 14.75 });
  });

  it('and in the classification metrics', () => {
    const scorer = new BaselineScorer({ predicts: 'majority-class', prediction: 0, label: 'ant', trainingRows: 9 }, CLASSIFICATION);
    for (const actual of [0, 0, 1, 2]) scorer.add(actual);
    // ant: precision 1/2, recall 1, f1 2/3; the other classes 0.
    expect(scorer.metrics()).toMatchObject({ accuracy: 0.5, recall_macro: 1 / 3 });
    expect(scorer.metrics().f1_macro).toBeCloseTo(2 / 9, 12);
  });
});
