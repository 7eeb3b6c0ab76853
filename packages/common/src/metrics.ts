/**
 * Streaming evaluation metrics: each accumulator takes one (actual, predicted) pair at a time
 * and keeps O(1) state (O(K²) for K classes), so evaluation memory stays flat with row count.
 */
import type { MetricName } from './contracts';
import type { ClassReport } from './reports';
import { fnv1a32OfIndex } from './hash';

export interface RegressionMetrics {
  mse: number;
  rmse: number;
  mae: number;
  r2: number;
}

export class RegressionAccumulator {
  private n = 0;
  private sumSquaredError = 0;
  private sumAbsError = 0;
  // Welford's running mean and sum of squares of the actuals, for a stable R².
  private mean = 0;
  private m2 = 0;

  add(actual: number, predicted: number): void {
    const error = predicted - actual;
    this.n++;
    this.sumSquaredError += error * error;
    this.sumAbsError += Math.abs(error);
    const delta = actual - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (actual - this.mean);
  }

  get count(): number {
    return this.n;
  }

  result(): RegressionMetrics {
    if (this.n === 0) throw new Error('no rows to evaluate');
    const mse = this.sumSquaredError / this.n;
    return {
      mse,
      rmse: Math.sqrt(mse),
      mae: this.sumAbsError / this.n,
      // R² is undefined for a constant target; report 0 (no better than the mean) rather than NaN.
      r2: this.m2 === 0 ? 0 : 1 - this.sumSquaredError / this.m2,
    };
  }
}

export interface ClassificationMetrics {
  accuracy: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
}

export class ClassificationAccumulator {
  /** confusion[actual][predicted] */
  readonly confusion: number[][];
  /** Per actual class: predictions that were not a valid class index (always wrong). */
  readonly invalid: number[];
  private n = 0;

  constructor(readonly classes: readonly string[]) {
    this.confusion = classes.map(() => classes.map(() => 0));
    this.invalid = classes.map(() => 0);
  }

  add(actual: number, predicted: number): void {
    const k = this.classes.length;
    if (!Number.isInteger(actual) || actual < 0 || actual >= k) throw new Error(`label ${actual} is not a class index in [0, ${k - 1}]`);
    // Models emit class indices as numbers ("2.0"); anything else counts as a wrong answer.
    const p = Math.round(predicted);
    this.n++;
    if (Number.isFinite(predicted) && p >= 0 && p < k) this.confusion[actual]![p]!++;
    else this.invalid[actual]!++;
  }

  get count(): number {
    return this.n;
  }

  perClass(): ClassReport[] {
    return this.classes.map((label, c) => {
      const tp = this.confusion[c]![c]!;
      const support = this.confusion[c]!.reduce((a, b) => a + b, 0) + this.invalid[c]!;
      const predicted = this.confusion.reduce((sum, row) => sum + row[c]!, 0);
      const precision = predicted === 0 ? 0 : tp / predicted;
      const recall = support === 0 ? 0 : tp / support;
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      return { label, support, predicted, precision, recall, f1 };
    });
  }

  result(): ClassificationMetrics {
    if (this.n === 0) throw new Error('no rows to evaluate');
    const correct = this.classes.reduce((sum, _label, c) => sum + this.confusion[c]![c]!, 0);
    // Macro averages over the classes that occur (in the labels or the predictions), as scikit-learn does.
    const present = this.perClass().filter((r) => r.support > 0 || r.predicted > 0);
    const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
    return {
      accuracy: correct / this.n,
      precision_macro: mean(present.map((r) => r.precision)),
      recall_macro: mean(present.map((r) => r.recall)),
      f1_macro: mean(present.map((r) => r.f1)),
    };
  }
}

/**
 * A deterministic bounded sample of points for plots (predicted vs actual): keeps the rows whose
 * hash falls lowest, so the same data always yields the same picture.
 */
export class PointSample {
  private readonly points: { h: number; actual: number; predicted: number }[] = [];
  constructor(private readonly capacity = 2000) {}

  add(index: number, actual: number, predicted: number): void {
    const h = fnv1a32OfIndex(index, 7); // fnv1a32(String(index), 7)
    if (this.points.length < this.capacity) {
      this.points.push({ h, actual, predicted });
      if (this.points.length === this.capacity) this.points.sort((a, b) => a.h - b.h);
      return;
    }
    const last = this.points[this.capacity - 1]!;
    if (h >= last.h) return;
    this.points.pop();
    let i = this.points.findIndex((p) => p.h > h);
    if (i < 0) i = this.points.length;
    this.points.splice(i, 0, { h, actual, predicted });
  }

  values(): { actual: number; predicted: number }[] {
    return this.points.map(({ actual, predicted }) => ({ actual, predicted }));
  }
}

/** `origin` says where the threshold comes from, e.g. "set by the upload": it ends the parenthesis. */
export function gateSummary(metric: MetricName, value: number, threshold: number, direction: 'lte' | 'gte', origin?: string): { passed: boolean; summary: string } {
  const passed = direction === 'lte' ? value <= threshold : value >= threshold;
  const fmt = (x: number) => Number(x.toPrecision(6)).toString();
  const relation = passed ? 'meets' : direction === 'lte' ? 'is above' : 'is below';
  return { passed, summary: `${metric} = ${fmt(value)} ${relation} the threshold ${fmt(threshold)} (must be ${direction === 'lte' ? '<=' : '>='} ${fmt(threshold)}${origin ? `; ${origin}` : ''})` };
}
