import { ConfigurationError, metricDirection, metricsFor, type EvalConfig, type Gate, type PipelineInput } from '@mlops/common';

export interface ResolvedGate extends Gate {
  direction: 'lte' | 'gte';
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
  return { metric, threshold, direction: metricDirection(metric) };
}
