/**
 * Per-upload options: the stage's configuration, overridden by the uploader through S3 user
 * metadata (`x-amz-meta-mlops-*`), so one bucket serves datasets of different shapes.
 */
import {
  BaselineMarginOptionSchema,
  ColumnListOptionSchema,
  DEFAULT_NA_VALUES,
  DatasetError,
  DelimiterOptionSchema,
  GateSchema,
  HyperparametersSchema,
  MetricNameSchema,
  NaValuesOptionSchema,
  ProblemTypeSchema,
  UPLOAD_METADATA_KEYS,
  metricsFor,
  type CsvDelimiter,
  type IngestConfig,
  type ProblemType,
  type RunOverrides,
  type UploadMetadataKey,
  PreprocessModeSchema,
  type PreprocessMode,
} from '@mlops/common';

const METADATA_KEYS = UPLOAD_METADATA_KEYS;
const KNOWN_KEYS = new Set<string>(Object.values(METADATA_KEYS));

export interface UploadOptions {
  /** Given by the upload's metadata or the stage (CSV_HEADER=true); absent: detected from the file. */
  header?: { present: boolean; source: 'upload' | 'stage' };
  /** Given by the upload's metadata; absent: detected from the file. */
  delimiter?: CsvDelimiter;
  /** The cells besides an empty one that are missing. */
  naValues: string[];
  /** Columns removed before profiling, by name. */
  drop: string[];
  /** The label column: a name, a 0-based index, or `last`. */
  target: string;
  problemType: ProblemType;
  overrides: RunOverrides;
  /** Which path splits the dataset: `auto` (by the stage's PREPROCESS_THRESHOLD_BYTES), `lambda` or `processing`. */
  preprocess: PreprocessMode;
}

/**
 * How to set an option, for a rejection's advice: the metadata and the `pnpm pipeline` flag, which is
 * the key without `mlops-` (`mlops-header=false` is `--no-header`).
 */
export function howToSet(key: UploadMetadataKey, value: string): string {
  const flag = key.slice('mlops-'.length);
  const cli = key === METADATA_KEYS.header ? (value === 'true' ? '--header' : '--no-header') : `--${flag} ${value}`;
  return `set ${key}=${value} (pnpm pipeline ${cli})`;
}

function invalid(key: string, why: string): DatasetError {
  return new DatasetError(`metadata ${key}: ${why}`);
}

/** A value parsed by its option schema from @mlops/common, or the rejection naming the key, the reason and the value. */
function optionValue<T>(key: UploadMetadataKey, schema: { safeParse(value: string): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, text: string): T {
  const parsed = schema.safeParse(text);
  if (parsed.success) return parsed.data;
  throw invalid(key, `${parsed.error.issues[0]!.message} (got '${text}')`);
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
      const other: ProblemType = problemType === 'regression' ? 'classification' : 'regression';
      const hint = metric.success ? `; for a ${other} target, ${howToSet(METADATA_KEYS.problem, other)}` : '';
      throw invalid(METADATA_KEYS.metric, `'${metricText}' is not a ${problemType} metric (one of ${applicable.join(', ')})${hint}`);
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
  const delimiterText = meta.get(METADATA_KEYS.delimiter);
  const naValuesText = meta.get(METADATA_KEYS.naValues);
  const dropText = meta.get(METADATA_KEYS.drop);

  const overrides: RunOverrides = {};
  const hyperparameters = meta.get(METADATA_KEYS.hyperparameters);
  if (hyperparameters !== undefined) overrides.hyperparameters = parseHyperparameters(hyperparameters);
  const gate = parseGate(meta.get(METADATA_KEYS.metric), meta.get(METADATA_KEYS.threshold), problemType) ?? {};
  const toleranceText = meta.get(METADATA_KEYS.tolerance);
  if (toleranceText !== undefined) {
    const tolerance = toleranceText.trim() === '' ? NaN : Number(toleranceText);
    if (!Number.isFinite(tolerance) || tolerance < 0) throw invalid(METADATA_KEYS.tolerance, `must be a non-negative number (got '${toleranceText}')`);
    gate.tolerance = tolerance;
  }
  const marginText = meta.get(METADATA_KEYS.baselineMargin);
  if (marginText !== undefined) {
    // The margin is the baseline rule's, which applies only without a threshold: with one it would be ignored without a word.
    if (gate.threshold !== undefined) throw invalid(METADATA_KEYS.baselineMargin, `has no effect with ${METADATA_KEYS.threshold} (the threshold rule applies then); give one or the other`);
    gate.baselineMargin = optionValue(METADATA_KEYS.baselineMargin, BaselineMarginOptionSchema, marginText);
  }
  if (Object.keys(gate).length > 0) overrides.gate = gate;

  const preprocessText = meta.get(METADATA_KEYS.preprocess);
  let preprocess: PreprocessMode = 'auto';
  if (preprocessText !== undefined) {
    const parsed = PreprocessModeSchema.safeParse(preprocessText.trim().toLowerCase());
    if (!parsed.success) throw invalid(METADATA_KEYS.preprocess, `must be auto, lambda or processing (got '${preprocessText}')`);
    preprocess = parsed.data;
  }
  const header = headerText !== undefined ? { present: parseBoolean(METADATA_KEYS.header, headerText), source: 'upload' as const } : config.CSV_HEADER ? { present: true, source: 'stage' as const } : undefined;
  return {
    ...(header ? { header } : {}),
    ...(delimiterText !== undefined ? { delimiter: optionValue(METADATA_KEYS.delimiter, DelimiterOptionSchema, delimiterText) } : {}),
    naValues: naValuesText === undefined ? [...DEFAULT_NA_VALUES] : optionValue(METADATA_KEYS.naValues, NaValuesOptionSchema, naValuesText),
    drop: dropText === undefined ? [] : optionValue(METADATA_KEYS.drop, ColumnListOptionSchema, dropText),
    target: targetText?.trim() ?? config.LABEL_COLUMN,
    problemType,
    overrides,
    preprocess,
  };
}
