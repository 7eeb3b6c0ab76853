// Evaluation metrics, reported per channel as SageMaker metric lines.

export type Metrics = Record<string, number>;

export function regressionMetrics(predicted: number[], actual: number[]): Metrics {
  const n = actual.length;
  const labelMean = actual.reduce((sum, v) => sum + v, 0) / n;
  let squared = 0;
  let absolute = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const error = predicted[i]! - actual[i]!;
    squared += error * error;
    absolute += Math.abs(error);
    total += (actual[i]! - labelMean) ** 2;
  }
  const mse = squared / n;
  // Constant labels leave r2 undefined; score it 1 if fitted exactly, else 0 (as scikit-learn does).
  const r2 = total > 0 ? 1 - squared / total : squared === 0 ? 1 : 0;
  return { mse, rmse: Math.sqrt(mse), mae: absolute / n, r2 };
}

function f1(predicted: number[], actual: number[], positive: number): number {
  let truePositive = 0;
  let predictedPositive = 0;
  let actualPositive = 0;
  for (let i = 0; i < actual.length; i++) {
    if (predicted[i] === positive) predictedPositive++;
    if (actual[i] === positive) actualPositive++;
    if (predicted[i] === positive && actual[i] === positive) truePositive++;
  }
  const denominator = predictedPositive + actualPositive;
  return denominator === 0 ? 0 : (2 * truePositive) / denominator;
}

/** f1 is the positive class's for two classes, else the macro average over classes present in either list. */
export function classificationMetrics(predicted: number[], actual: number[], numClass: number): Metrics {
  const correct = actual.reduce((count, label, i) => count + (predicted[i] === label ? 1 : 0), 0);
  const accuracy = correct / actual.length;
  if (numClass === 2) return { accuracy, f1: f1(predicted, actual, 1) };
  const present = [...new Set([...actual, ...predicted])];
  const macro = present.reduce((sum, label) => sum + f1(predicted, actual, label), 0) / present.length;
  return { accuracy, f1: macro };
}

/** Lines such as `#metric validation:mse=4.52`, one per metric, for SageMaker metric definitions. */
export function formatMetricLines(channel: string, metrics: Metrics): string[] {
  return Object.entries(metrics).map(([name, value]) => `#metric ${channel}:${name}=${Number(value.toPrecision(6))}`);
}
