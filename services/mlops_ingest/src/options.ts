/**
 * Per-upload options: the stage's configuration, overridden by the uploader through S3 user
 * metadata (`x-amz-meta-mlops-*`), so one bucket serves datasets of different shapes.
 */
import {
  DatasetError,
  GateSchema,
  HyperparametersSchema,
  MetricNameSchema,
  ProblemTypeSchema,
  UPLOAD_METADATA_KEYS,
  metricsFor,
  type IngestConfig,
  type ProblemType,
  type RunOverrides,
} from '@mlops/common';

const METADATA_KEYS = UPLOAD_METADATA_KEYS;
const KNOWN_KEYS = new Set<string>(Object.values(METADATA_KEYS));

export interface UploadOptions {
  header: boolean;
  /** The label column: a name, a 0-based index, or `last`. */
  target: string;
  problemType: ProblemType;
  overrides: RunOverrides;
}

function invalid(key: string, why: string): DatasetError {
  return new DatasetError(`metadata ${key}: ${why}`);
}

function parseBoolean(key: string, value: string): boolean {
  const lower = value.trim().toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  throw invalid(key, `must be true or false (got '${value}')`);
}

function parseHyperparameters(value: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw invalid(METADATA_KEYS.hyperparameters, 'must be a JSON object of strings (it is not valid JSON)');
  }
  const parsed = HyperparametersSchema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
    throw invalid(METADATA_KEYS.hyperparameters, `must be a JSON object of strings (${detail})`);
  }
  return parsed.data;
}

function parseGate(metricText: string | undefined, thresholdText: string | undefined, problemType: ProblemType): RunOverrides['gate'] {
  if (metricText === undefined && thresholdText === undefined) return undefined;
  const gate: NonNullable<RunOverrides['gate']> = {};
  if (metricText !== undefined) {
    const metric = MetricNameSchema.safeParse(metricText.trim());
    const applicable = metricsFor(problemType);
    if (!metric.success || !applicable.includes(metric.data)) {
      throw invalid(METADATA_KEYS.metric, `'${metricText}' is not a ${problemType} metric (one of ${applicable.join(', ')})`);
    }
    // A threshold belongs to its metric: the stage's threshold for another metric would be meaningless.
    if (thresholdText === undefined) throw invalid(METADATA_KEYS.metric, `needs ${METADATA_KEYS.threshold} as well`);
    gate.metric = metric.data;
  }
  if (thresholdText !== undefined) {
    const threshold = thresholdText.trim() === '' ? NaN : Number(thresholdText);
    if (!GateSchema.shape.threshold.safeParse(threshold).success) throw invalid(METADATA_KEYS.threshold, `must be a finite number (got '${thresholdText}')`);
    gate.threshold = threshold;
  }
  return gate;
}

/** Merges the upload's metadata over the configuration; bad metadata is a DatasetError naming the key. */
export function uploadOptions(config: IngestConfig, metadata: Record<string, string> = {}): UploadOptions {
  // The SDK hands user metadata back with lowercased keys and without the x-amz-meta- prefix.
  const meta = new Map(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
  const unknown = [...meta.keys()].filter((k) => k.startsWith('mlops-') && !KNOWN_KEYS.has(k));
  if (unknown.length > 0) throw invalid(unknown[0]!, `unknown option (known: ${[...KNOWN_KEYS].join(', ')})`);

  const problemText = meta.get(METADATA_KEYS.problem);
  let problemType = config.PROBLEM_TYPE;
  if (problemText !== undefined) {
    const parsed = ProblemTypeSchema.safeParse(problemText.trim().toLowerCase());
    if (!parsed.success) throw invalid(METADATA_KEYS.problem, `must be regression or classification (got '${problemText}')`);
    problemType = parsed.data;
  }
  const headerText = meta.get(METADATA_KEYS.header);
  const targetText = meta.get(METADATA_KEYS.target);
  if (targetText !== undefined && targetText.trim() === '') throw invalid(METADATA_KEYS.target, 'must name a column, a 0-based index or last');

  const overrides: RunOverrides = {};
  const hyperparameters = meta.get(METADATA_KEYS.hyperparameters);
  if (hyperparameters !== undefined) overrides.hyperparameters = parseHyperparameters(hyperparameters);
  const gate = parseGate(meta.get(METADATA_KEYS.metric), meta.get(METADATA_KEYS.threshold), problemType);
  const toleranceText = meta.get(METADATA_KEYS.tolerance);
  if (toleranceText !== undefined) {
    const tolerance = toleranceText.trim() === '' ? NaN : Number(toleranceText);
    if (!Number.isFinite(tolerance) || tolerance < 0) throw invalid(METADATA_KEYS.tolerance, `must be a non-negative number (got '${toleranceText}')`);
    overrides.gate = { ...gate, tolerance };
  } else if (gate) overrides.gate = gate;

  return {
    header: headerText === undefined ? config.CSV_HEADER : parseBoolean(METADATA_KEYS.header, headerText),
    target: targetText?.trim() ?? config.LABEL_COLUMN,
    problemType,
    overrides,
  };
}
