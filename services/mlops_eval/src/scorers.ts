import { ClassificationAccumulator, PointSample, RegressionAccumulator, type MetricName, type ScorerReport } from '@mlops/common';
import { StreamingHistogram } from './histogram';

/** Everything evaluation keeps while streaming: O(1) per run (O(K²) for K classes), whatever the row count. */
export interface Scorer {
  add(actual: number, predicted: number): void;
  /** The metrics of the problem type (metricsFor). */
  metrics(): Partial<Record<MetricName, number>>;
  report(): ScorerReport;
}

export class RegressionScorer implements Scorer {
  private readonly accumulator = new RegressionAccumulator();
  private readonly sample = new PointSample();
  private readonly residuals = new StreamingHistogram(30);
  private index = 0;

  add(actual: number, predicted: number): void {
    this.accumulator.add(actual, predicted);
    this.sample.add(this.index++, actual, predicted);
    this.residuals.add(predicted - actual);
  }

  metrics(): Partial<Record<MetricName, number>> {
    return { ...this.accumulator.result() };
  }

  report(): ScorerReport {
    return { sample: this.sample.values(), residualHistogram: this.residuals.result() };
  }
}

export class ClassificationScorer implements Scorer {
  private readonly accumulator: ClassificationAccumulator;
  private readonly sample = new PointSample();
  private index = 0;

  constructor(private readonly classes: readonly string[]) {
    this.accumulator = new ClassificationAccumulator(classes);
  }

  add(actual: number, predicted: number): void {
    this.accumulator.add(actual, predicted);
    this.sample.add(this.index++, actual, predicted);
  }

  metrics(): Partial<Record<MetricName, number>> {
    return { ...this.accumulator.result() };
  }

  report(): ScorerReport {
    return {
      sample: this.sample.values(),
      perClass: this.accumulator.perClass(),
      confusionMatrix: { labels: [...this.classes], matrix: this.accumulator.confusion, invalidPredictions: this.accumulator.invalid },
    };
  }
}
