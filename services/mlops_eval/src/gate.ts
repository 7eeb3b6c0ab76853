import { ConfigurationError, gateSummary, metricDirection, metricsFor, type EvalConfig, type Gate, type GateResult, type PipelineInput } from '@mlops/common';

export interface ResolvedGate extends Gate {
  direction: 'lte' | 'gte';
  /** How much worse than the champion the challenger may be: the upload's, else the stage's. */
  tolerance: number;
}

/**
 * The quality gate of a run: the upload's override (run.overrides.gate) where given, else the
 * stage's gate for the problem type. Checked before any data is read, so a misconfigured gate
 * fails fast instead of after streaming millions of rows.
 */
export function resolveGate(run: PipelineInput, config: EvalConfig): ResolvedGate {
  const { problemType } = run.task;
  const stage =
    problemType === 'regression'
      ? { metric: config.GATE_METRIC, threshold: config.GATE_THRESHOLD, source: 'GATE_METRIC' }
      : { metric: config.CLASSIFICATION_GATE_METRIC, threshold: config.CLASSIFICATION_GATE_THRESHOLD, source: 'CLASSIFICATION_GATE_METRIC' };
  const override = run.overrides.gate ?? {};
  const metric = override.metric ?? stage.metric;
  const source = override.metric ? 'run.overrides.gate.metric' : stage.source;
  const applicable = metricsFor(problemType);
  if (!applicable.includes(metric)) {
    throw new ConfigurationError(`gate metric '${metric}' (${source}) does not apply to ${problemType}: use one of ${applicable.join(', ')}`);
  }
  // A threshold belongs to its metric: the stage's threshold only carries over to the stage's metric.
  const threshold = override.threshold ?? (metric === stage.metric ? stage.threshold : undefined);
  if (threshold === undefined) {
    throw new ConfigurationError(`run.overrides.gate names the metric '${metric}' without a threshold (the stage's threshold is for ${stage.metric})`);
  }
  return { metric, threshold, direction: metricDirection(metric), tolerance: override.tolerance ?? config.GATE_TOLERANCE };
}

export interface ChampionScore {
  /** `abalone v3` */
  label: string;
  value: number;
}

/** Enough significant digits (3 at least) that two different values never print the same. */
export function distinguishable(a: number, b: number): [string, string] {
  for (let digits = 3; digits < 12; digits++) {
    const [x, y] = [a, b].map((v) => Number(v.toPrecision(digits)).toString()) as [string, string];
    if (x !== y || a === b) return [x, y];
  }
  return [String(a), String(b)];
}

/**
 * The quality gate: the stage's threshold, and, when the family has a champion, not worse than the
 * champion by more than `tolerance`, in the metric's own direction. The first model of a family is
 * judged by the threshold alone.
 */
export function judge(gate: Omit<ResolvedGate, 'tolerance'>, value: number, champion: ChampionScore | undefined, tolerance: number): GateResult {
  const rule = { metric: gate.metric, threshold: gate.threshold, direction: gate.direction };
  const threshold = gateSummary(rule.metric, value, rule.threshold, rule.direction);
  const base = { ...rule, value };
  if (!champion) return { ...base, ...threshold };
  const notWorse = gate.direction === 'lte' ? value <= champion.value + tolerance : value >= champion.value - tolerance;
  const comparison = { label: champion.label, value: champion.value, tolerance, passed: notWorse };
  const [mine, theirs] = distinguishable(value, champion.value);
  const versus = `${theirs} (champion, ${champion.label})`;
  const allowance = tolerance > 0 ? ` by more than the tolerance ${Number(tolerance.toPrecision(6))}` : '';
  if (!threshold.passed) return { ...base, passed: false, summary: threshold.summary, champion: comparison };
  if (!notWorse) return { ...base, passed: false, summary: `${gate.metric} ${mine} (challenger) is worse than ${versus}${allowance}`, champion: comparison };
  return { ...base, passed: true, summary: `${threshold.summary}, and ${gate.metric} ${mine} (challenger) is not worse than ${versus}${allowance}`, champion: comparison };
}
