import { UserError } from './errors';
import { fixed5 } from './format';

/** One round's evaluation: data set name → metric name → value, in XGBoost's order. */
export type RoundMetrics = Map<string, Map<string, number>>;

// The metrics the container computes itself with scikit-learn
// (metrics/custom_metrics.py), from margins: class = argmax for several
// classes, margin > 0 for two. And the log lines of each round.

function classes(margins: Float32Array, rows: number): number[] {
  const k = margins.length / rows;
  if (k === 1) return Array.from(margins, (m) => (m > 0 ? 1 : 0));
  return Array.from({ length: rows }, (_, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (margins[i * k + c]! > margins[i * k + best]!) best = c;
    return best;
  });
}

interface Counts {
  labels: number[];
  tp: Map<number, number>;
  truth: Map<number, number>;
  predicted: Map<number, number>;
}

function counts(truth: ArrayLike<number>, predicted: number[]): Counts {
  const c: Counts = { labels: [], tp: new Map(), truth: new Map(), predicted: new Map() };
  const add = (m: Map<number, number>, key: number) => m.set(key, (m.get(key) ?? 0) + 1);
  for (let i = 0; i < predicted.length; i++) {
    add(c.truth, truth[i]!);
    add(c.predicted, predicted[i]!);
    if (truth[i] === predicted[i]) add(c.tp, predicted[i]!);
  }
  c.labels = [...new Set([...c.truth.keys(), ...c.predicted.keys()])].sort((a, b) => a - b);
  return c;
}

/** scikit-learn's precision/recall/F1 of one label, 0 on a zero division. */
function scores(c: Counts, label: number): { precision: number; recall: number; f1: number } {
  const tp = c.tp.get(label) ?? 0;
  const precision = tp === 0 ? 0 : tp / c.predicted.get(label)!;
  const recall = tp === 0 ? 0 : tp / c.truth.get(label)!;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

function binary(c: Counts, key: 'precision' | 'recall' | 'f1'): number {
  if (c.labels.some((l) => l !== 0 && l !== 1)) {
    throw new UserError("Target is multiclass but average='binary'. Please choose another average setting, one of [None, 'micro', 'macro', 'weighted'].");
  }
  return scores(c, 1)[key];
}

const macro = (c: Counts, key: 'precision' | 'recall' | 'f1') => c.labels.reduce((s, l) => s + scores(c, l)[key], 0) / c.labels.length;

function regression(metric: string, margins: Float32Array, labels: Float32Array): number {
  let squared = 0;
  let absolute = 0;
  let mean = 0;
  for (let i = 0; i < labels.length; i++) mean += labels[i]! / labels.length;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const d = labels[i]! - margins[i]!;
    squared += d * d;
    absolute += Math.abs(d);
    total += (labels[i]! - mean) ** 2;
  }
  const n = labels.length;
  if (metric === 'mse') return squared / n;
  if (metric === 'rmse') return Math.sqrt(squared / n);
  if (metric === 'mae') return absolute / n;
  // r2; scikit-learn's answer for a constant target.
  if (total === 0) return squared === 0 ? 1 : 0;
  return 1 - squared / total;
}

/** One of the container's own metrics (CUSTOM_METRICS) of margins against labels. */
export function customMetric(metric: string, margins: Float32Array, labels: Float32Array): number {
  if (['mse', 'rmse', 'mae', 'r2'].includes(metric)) return regression(metric, margins, labels);
  const predicted = classes(margins, labels.length);
  const c = counts(labels, predicted);
  const correct = [...c.tp.values()].reduce((a, b) => a + b, 0);
  switch (metric) {
    case 'accuracy':
    case 'precision_micro':
    case 'recall_micro':
      return correct / labels.length;
    case 'balanced_accuracy': {
      const present = [...c.truth.keys()];
      return present.reduce((s, l) => s + (c.tp.get(l) ?? 0) / c.truth.get(l)!, 0) / present.length;
    }
    case 'f1':
    case 'f1_macro':
      return macro(c, 'f1');
    case 'f1_binary':
      return binary(c, 'f1');
    case 'precision':
      return binary(c, 'precision');
    case 'recall':
      return binary(c, 'recall');
    case 'precision_macro':
      return macro(c, 'precision');
    case 'recall_macro':
      return macro(c, 'recall');
    default:
      throw new Error(`unknown custom metric ${metric}`);
  }
}

/** XGBoost's EvaluationMonitor line: `[3]\ttrain-rmse:2.15372\tvalidation-rmse:2.20513` (CloudWatch shows the tabs as #011). */
export function formatRound(round: number, metrics: RoundMetrics): string {
  let line = `[${round}]`;
  for (const [data, values] of metrics) for (const [metric, value] of values) line += `\t${data}-${metric}:${fixed5(value)}`;
  return line;
}

/** The final values as SageMaker names them, one line each: `#metric validation:rmse=2.20513`. */
export function formatFinalMetrics(metrics: RoundMetrics): string[] {
  const lines: string[] = [];
  for (const [data, values] of metrics) for (const [metric, value] of values) lines.push(`#metric ${data}:${metric}=${fixed5(value)}`);
  return lines;
}

/**
 * MetricDefinitions that read this image's log: the container's own per-round
 * regex (SageMaker's XGBoost definitions match `#011`, a tab as CloudWatch
 * writes it) does not match raw tabs, so these read the `#metric` lines.
 */
export function metricDefinitions(metrics: readonly string[]): { Name: string; Regex: string }[] {
  return ['train', 'validation'].flatMap((data) =>
    metrics.map((metric) => ({ Name: `${data}:${metric}`, Regex: `#metric ${data}:${metric.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}=([-+0-9.eE]+|nan|inf)` })),
  );
}
