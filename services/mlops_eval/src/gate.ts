/**
 * The quality gate (README: Model lifecycle, point 2). Two rules, one per run:
 *
 * - threshold: the dataset has a threshold. The upload's (`mlops-threshold`, run.overrides.gate)
 *   always counts; the stage's counts only for the families it names (GATE_THRESHOLDS, serverless.yml
 *   `gateThresholds`: the sample family abalone, mse <= 6 from the SageMaker abalone template). A
 *   threshold is in its target's units, so a stage-wide number would judge every other dataset on
 *   the sample's scale, silently: an mse of 6 is out of reach for house prices and meaningless for a
 *   target in [0, 1].
 * - baseline: no threshold for the dataset. The model must beat a baseline scored on the same test
 *   rows, one that predicts the training channel's label mean (regression) or its most frequent class
 *   (classification), by a margin: the share of the baseline's error it removes (GATE_BASELINE_MARGIN,
 *   or the run's override). The error is the metric itself for mse/rmse/mae and 1 − score for r2 and
 *   the classification scores, so the rule reads the same in both directions and stays meaningful
 *   where the baseline's score is near 0 (r2).
 *
 * Either way the challenger must then not be worse than the family's champion by more than the
 * tolerance. The rule is chosen before any data is read, so a misconfigured gate fails fast.
 */
import { ConfigurationError, gateSummary, metricDirection, metricsFor, type EvalConfig, type GateResult, type GateRule, type MetricName, type PipelineInput } from '@mlops/common';
import type { Baseline } from './baseline';

/** The rule chosen before reading; the baseline rule still needs the baseline's score on the test rows. */
export type RuleChoice =
  | { kind: 'threshold'; threshold: number; source: 'upload' | 'stage'; reason: string; origin: string }
  | { kind: 'baseline'; margin: number; marginSource: 'upload' | 'stage'; reason: string; origin: string };

export interface ResolvedGate {
  metric: MetricName;
  direction: 'lte' | 'gte';
  /** How much worse than the champion the challenger may be: the upload's, else the stage's. */
  tolerance: number;
  rule: RuleChoice;
}

/**
 * The gate of a run. The metric: the upload's, else the one the stage's threshold for the family is
 * for, else the stage's metric for the problem type. The rule: a threshold when the upload gives one,
 * or when the stage gives one for the family and this metric (a threshold belongs to its metric);
 * otherwise the baseline rule on that metric.
 */
export function resolveGate(run: PipelineInput, config: EvalConfig): ResolvedGate {
  const { problemType } = run.task;
  const { family } = run;
  const stageMetric =
    problemType === 'regression' ? { metric: config.GATE_METRIC, source: 'GATE_METRIC' } : { metric: config.CLASSIFICATION_GATE_METRIC, source: 'CLASSIFICATION_GATE_METRIC' };
  const familyGate = Object.hasOwn(config.GATE_THRESHOLDS, family) ? config.GATE_THRESHOLDS[family] : undefined;
  const override = run.overrides.gate ?? {};
  const chosen = override.metric
    ? { metric: override.metric, source: 'run.overrides.gate.metric' }
    : familyGate
      ? { metric: familyGate.metric, source: `GATE_THRESHOLDS.${family}.metric` }
      : stageMetric;
  const applicable = metricsFor(problemType);
  if (!applicable.includes(chosen.metric)) {
    throw new ConfigurationError(`gate metric '${chosen.metric}' (${chosen.source}) does not apply to ${problemType}: use one of ${applicable.join(', ')}`);
  }
  const { metric } = chosen;
  let rule: RuleChoice;
  if (override.threshold !== undefined) {
    rule = { kind: 'threshold', threshold: override.threshold, source: 'upload', reason: 'the upload sets a threshold (mlops-threshold)', origin: 'set by the upload' };
  } else if (familyGate && familyGate.metric === metric) {
    rule = {
      kind: 'threshold',
      threshold: familyGate.threshold,
      source: 'stage',
      reason: `the stage sets a threshold for family ${family} (gateThresholds)`,
      origin: `set by the stage for family ${family}`,
    };
  } else {
    const reason = familyGate
      ? `the upload names ${metric} without a threshold, and the stage's threshold for family ${family} is for ${familyGate.metric}`
      : `family ${family} has no threshold: the upload sets none (mlops-threshold) and the stage's gateThresholds does not name the family`;
    rule = {
      kind: 'baseline',
      margin: override.baselineMargin ?? config.GATE_BASELINE_MARGIN,
      marginSource: override.baselineMargin !== undefined ? 'upload' : 'stage',
      reason,
      origin: familyGate ? `no threshold for ${metric}` : `no threshold for family ${family}`,
    };
  }
  return { metric, direction: metricDirection(metric), tolerance: override.tolerance ?? config.GATE_TOLERANCE, rule };
}

export interface ChampionScore {
  /** `abalone v3` */
  label: string;
  value: number;
}

/** The baseline scored on the test rows: what it predicts, and its value of the gate metric. */
export interface BaselineScore extends Baseline {
  value: number;
}

/**
 * The bound of the baseline rule: the baseline's error reduced by the margin. For an error metric
 * b × (1 − margin); for a score (1 at best) b + margin × (1 − b).
 */
export function baselineBound(direction: 'lte' | 'gte', baseline: number, margin: number): number {
  return direction === 'lte' ? baseline * (1 - margin) : baseline + margin * (1 - baseline);
}

/** The share of the baseline's error the value removes; undefined when the baseline has none (a perfect score). */
export function improvementOver(direction: 'lte' | 'gte', baseline: number, value: number): number | undefined {
  const error = direction === 'lte' ? baseline : 1 - baseline;
  if (!(error > 0)) return undefined;
  return direction === 'lte' ? (baseline - value) / error : (value - baseline) / error;
}

const fmt = (x: number) => Number(x.toPrecision(6)).toString();
const percent = (share: number, digits: number) => `${Number((share * 100).toPrecision(digits))} %`;

/** Enough significant digits (3 at least) that two different values never print the same. */
export function distinguishable(a: number, b: number): [string, string] {
  for (let digits = 3; digits < 12; digits++) {
    const [x, y] = [a, b].map((v) => Number(v.toPrecision(digits)).toString()) as [string, string];
    if (x !== y || a === b) return [x, y];
  }
  return [String(a), String(b)];
}

function baselineVerdict(gate: ResolvedGate & { rule: { kind: 'baseline' } }, value: number, baseline: BaselineScore): { threshold: number; passed: boolean; summary: string; rule: GateRule } {
  const { metric, direction } = gate;
  const { margin, marginSource, reason, origin } = gate.rule;
  const bound = baselineBound(direction, baseline.value, margin);
  const passed = direction === 'lte' ? value <= bound : value >= bound;
  const what = baseline.predicts === 'training-mean' ? `predicting the training mean ${fmt(baseline.prediction)}` : `predicting the majority class '${baseline.label ?? baseline.prediction}'`;
  const against = `the baseline (${what}: ${metric} = ${fmt(baseline.value)})`;
  const must = `(must be ${direction === 'lte' ? '<=' : '>='} ${fmt(bound)}; ${origin})`;
  const gain = improvementOver(direction, baseline.value, value);
  let sentence: string;
  if (!passed) sentence = margin === 0 ? `is worse than ${against}` : `does not beat ${against} by ${percent(margin, 6)}`;
  else if (gain === undefined) sentence = `matches ${against}, a perfect score`;
  else if (margin === 0) sentence = `is not worse than ${against}`;
  else sentence = `beats ${against} by ${percent(gain, 3)}, at least ${percent(margin, 6)}`;
  const { predicts, prediction, label, trainingRows } = baseline;
  return {
    threshold: bound,
    passed,
    summary: `${metric} = ${fmt(value)} ${sentence} ${must}`,
    rule: { kind: 'baseline', baseline: { predicts, prediction, ...(label !== undefined ? { label } : {}), trainingRows, value: baseline.value }, margin, marginSource, reason },
  };
}

/**
 * The quality gate: the rule (the threshold, or beating the baseline by the margin), and, when the
 * family has a champion, not worse than the champion by more than the tolerance, in the metric's own
 * direction. The first model of a family is judged by the rule alone. `baseline` is required for the
 * baseline rule.
 */
export function judge(gate: ResolvedGate, value: number, champion: ChampionScore | undefined, baseline?: BaselineScore): GateResult {
  const { metric, direction, tolerance } = gate;
  let verdict: { threshold: number; passed: boolean; summary: string; rule: GateRule };
  if (gate.rule.kind === 'threshold') {
    const { threshold, source, reason, origin } = gate.rule;
    verdict = { threshold, ...gateSummary(metric, value, threshold, direction, origin), rule: { kind: 'threshold', source, reason } };
  } else {
    if (!baseline) throw new Error('the baseline rule needs the baseline’s score');
    verdict = baselineVerdict(gate as ResolvedGate & { rule: { kind: 'baseline' } }, value, baseline);
  }
  const base = { metric, threshold: verdict.threshold, direction, rule: verdict.rule, value };
  if (!champion) return { ...base, passed: verdict.passed, summary: verdict.summary };
  const notWorse = direction === 'lte' ? value <= champion.value + tolerance : value >= champion.value - tolerance;
  const comparison = { label: champion.label, value: champion.value, tolerance, passed: notWorse };
  const [mine, theirs] = distinguishable(value, champion.value);
  const versus = `${theirs} (champion, ${champion.label})`;
  const allowance = tolerance > 0 ? ` by more than the tolerance ${Number(tolerance.toPrecision(6))}` : '';
  if (!verdict.passed) return { ...base, passed: false, summary: verdict.summary, champion: comparison };
  if (!notWorse) return { ...base, passed: false, summary: `${metric} ${mine} (challenger) is worse than ${versus}${allowance}`, champion: comparison };
  return { ...base, passed: true, summary: `${verdict.summary}, and ${metric} ${mine} (challenger) is not worse than ${versus}${allowance}`, champion: comparison };
}
