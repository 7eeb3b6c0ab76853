/** `pnpm pipeline` options. Every mistake is reported with the option's name and the reason. */
import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import {
  BaselineMarginOptionSchema,
  ColumnListOptionSchema,
  DELIMITER_NAMES,
  DelimiterOptionSchema,
  FAMILY_NAME_MAX,
  MetricNameSchema,
  NaValuesOptionSchema,
  PreprocessModeSchema,
  UPLOAD_METADATA_KEYS,
  familyOfKey,
  metricsFor,
  sanitizeFamily,
  type CsvDelimiter,
  type PreprocessMode,
  type ProblemType,
} from '@mlops/common';
import { parseArgs } from 'node:util';
import { acceptedHyperparameters, hyperparameterNames, ingestDefaults } from './help';

export interface PipelineOptions {
  data: string;
  /** The model family (uploaded to incoming/<family>/<file>); without it, the file's stem names it. */
  family?: string;
  target?: string;
  problem?: 'regression' | 'classification';
  metric?: string;
  threshold?: number;
  header?: boolean;
  delimiter?: CsvDelimiter;
  /** The cells besides an empty one that are missing (an empty list: only the empty cell). */
  naValues?: string[];
  /** Columns to leave out, by name. */
  drop?: string[];
  baselineMargin?: number;
  hyperparameters?: Record<string, string>;
  /** Which path splits the dataset (`mlops-preprocess`): by the stage's threshold, or forced. */
  preprocess?: PreprocessMode;
  json: boolean;
  /** The state machine's waits run this many times faster than asked (the poll policy's decisions are kept). */
  timeScale: number;
  /** Where runs are kept: `<outDir>/<family>/<UTC timestamp>-<runId>/`. */
  outDir: string;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A flag's value parsed by its upload option's schema (@mlops/common, which mlops_ingest parses the metadata with). */
function optionValue<T>(flag: string, schema: { safeParse(value: string): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }, text: string): T {
  const parsed = schema.safeParse(text);
  if (parsed.success) return parsed.data;
  throw new UsageError(`${flag}: ${parsed.error.issues[0]!.message} (got '${text}')`);
}

/**
 * The name the file is uploaded under: the S3 trigger (resources/bucket.yml) starts runs only for keys ending in
 * `.csv`, so any other name (`iris.data`, `train.CSV`, `rows`) goes up as `<stem>.csv` rather than sit unseen.
 */
export function uploadName(data: string): string {
  const name = basename(data);
  if (name.endsWith('.csv')) return name;
  const dot = name.lastIndexOf('.');
  return `${dot > 0 ? name.slice(0, dot) : name}.csv`;
}

/**
 * `cwd` is where a relative `--data` resolves: the directory the user ran the command in (main passes
 * invocationDir()), not the process's, which pnpm sets to the package root.
 */
export function parsePipelineArgs(argv: string[], defaults: { data: string; outDir: string; cwd?: string }): PipelineOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowNegative: true,
      options: {
        data: { type: 'string' },
        family: { type: 'string' },
        target: { type: 'string' },
        problem: { type: 'string' },
        metric: { type: 'string' },
        threshold: { type: 'string' },
        header: { type: 'boolean' },
        delimiter: { type: 'string' },
        'na-values': { type: 'string' },
        drop: { type: 'string' },
        'baseline-margin': { type: 'string' },
        hyperparameters: { type: 'string' },
        preprocess: { type: 'string' },
        'time-scale': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (pnpm pipeline --help lists the options)`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const cwd = defaults.cwd ?? process.cwd();
  const data = resolve(cwd, v.data ?? defaults.data);
  if (!existsSync(data)) throw new UsageError(`--data: file not found: ${data}${v.data !== undefined && !isAbsolute(v.data) ? ` ('${v.data}' from ${cwd}, where the command ran)` : ''}`);
  const stat = statSync(data);
  if (!stat.isFile()) throw new UsageError(`--data: not a file: ${data}`);
  if (stat.size === 0) throw new UsageError(`--data: the file is empty: ${data}`);
  if (v.family !== undefined && (v.family === '' || sanitizeFamily(v.family) !== v.family)) {
    throw new UsageError(`--family: must be lowercase letters, digits and single hyphens, at most ${FAMILY_NAME_MAX} characters (got '${v.family}'${sanitizeFamily(v.family) ? `; try '${sanitizeFamily(v.family)}'` : ''})`);
  }
  // Without --family the file's stem names the family; one with no letter or digit (`.csv`, `___.csv`) would only be rejected after the upload.
  if (v.family === undefined && 'rejection' in familyOfKey(uploadName(data), '')) {
    throw new UsageError(`--data: the file name '${basename(data)}' names no family (its stem has no letter or digit); give one with --family`);
  }
  if (v.problem !== undefined && v.problem !== 'regression' && v.problem !== 'classification') {
    throw new UsageError(`--problem: must be regression or classification (got '${v.problem}')`);
  }
  let threshold: number | undefined;
  if (v.threshold !== undefined) {
    threshold = Number(v.threshold);
    if (v.threshold.trim() === '' || !Number.isFinite(threshold)) throw new UsageError(`--threshold: must be a number (got '${v.threshold}')`);
  }
  // Checked here as mlops_ingest checks it (against the stage's problem type when --problem is not given), so a
  // misspelt metric costs no stack start and no upload.
  if (v.metric !== undefined) {
    const problem = (v.problem ?? ingestDefaults().problem) as ProblemType;
    const metric = MetricNameSchema.safeParse(v.metric.trim());
    const applicable = metricsFor(problem);
    if (!metric.success || !applicable.includes(metric.data)) {
      const other: ProblemType = problem === 'regression' ? 'classification' : 'regression';
      const hint = metric.success && v.problem === undefined ? ` (${metric.data} is a ${other} metric: add --problem ${other})` : '';
      throw new UsageError(`--metric ${v.metric}: not a ${problem} metric; one of ${applicable.join(', ')}${hint}`);
    }
  }
  // A threshold alone applies to the stage's gate metric; a metric alone has no threshold to meet.
  if (v.metric !== undefined && threshold === undefined) throw new UsageError('--metric: give --threshold with it (the gate needs both)');
  let hyperparameters: Record<string, string> | undefined;
  if (v.hyperparameters !== undefined) {
    try {
      const value = JSON.parse(v.hyperparameters) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
      hyperparameters = Object.fromEntries(Object.entries(value).map(([k, x]) => [k, String(x)]));
    } catch {
      throw new UsageError(`--hyperparameters: must be a JSON object, e.g. '{"max_depth":"6","eta":"0.1"}' (pnpm pipeline --help lists the names)`);
    }
    // The default training image refuses an unknown name only once the training job runs: caught here before the stack starts.
    const accepted = acceptedHyperparameters();
    const unknown = Object.keys(hyperparameters).filter((name) => !accepted.has(name));
    if (unknown.length > 0) {
      throw new UsageError(
        `--hyperparameters: unknown name${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}; the built-in XGBoost 1.7-1 image accepts ${hyperparameterNames().join(', ')}`,
      );
    }
  }
  const delimiter = v.delimiter === undefined ? undefined : optionValue('--delimiter', DelimiterOptionSchema, v.delimiter);
  const naValues = v['na-values'] === undefined ? undefined : optionValue('--na-values', NaValuesOptionSchema, v['na-values']);
  const drop = v.drop === undefined ? undefined : optionValue('--drop', ColumnListOptionSchema, v.drop);
  const baselineMargin = v['baseline-margin'] === undefined ? undefined : optionValue('--baseline-margin', BaselineMarginOptionSchema, v['baseline-margin']);
  if (baselineMargin !== undefined && threshold !== undefined) {
    throw new UsageError('--baseline-margin: has no effect with --threshold (the threshold rule applies then); give one or the other');
  }
  const preprocess = v.preprocess === undefined ? undefined : optionValue('--preprocess', PreprocessModeSchema, v.preprocess);
  const timeScale = v['time-scale'] === undefined ? 100 : Number(v['time-scale']);
  if (!Number.isFinite(timeScale) || timeScale < 1) throw new UsageError(`--time-scale: must be a number >= 1 (got '${v['time-scale']}')`);
  return {
    data,
    family: v.family,
    target: v.target,
    problem: v.problem as PipelineOptions['problem'],
    metric: v.metric,
    threshold,
    header: v.header,
    delimiter,
    naValues,
    drop,
    baselineMargin,
    hyperparameters,
    preprocess,
    json: v.json ?? false,
    timeScale,
    outDir: defaults.outDir,
  };
}

/** The per-upload options travel as S3 user metadata, which mlops_ingest reads. */
export function uploadMetadata(options: PipelineOptions): Record<string, string> {
  const metadata: Record<string, string> = {};
  const keys = UPLOAD_METADATA_KEYS;
  if (options.target !== undefined) metadata[keys.target] = options.target;
  if (options.problem !== undefined) metadata[keys.problem] = options.problem;
  if (options.header !== undefined) metadata[keys.header] = String(options.header);
  // By name: a tab alone would not survive an HTTP header.
  if (options.delimiter !== undefined) metadata[keys.delimiter] = DELIMITER_NAMES[options.delimiter];
  if (options.naValues !== undefined) metadata[keys.naValues] = options.naValues.join(',');
  if (options.drop !== undefined) metadata[keys.drop] = options.drop.join(',');
  if (options.metric !== undefined) metadata[keys.metric] = options.metric;
  if (options.threshold !== undefined) metadata[keys.threshold] = String(options.threshold);
  if (options.baselineMargin !== undefined) metadata[keys.baselineMargin] = String(options.baselineMargin);
  if (options.hyperparameters !== undefined) metadata[keys.hyperparameters] = JSON.stringify(options.hyperparameters);
  if (options.preprocess !== undefined) metadata[keys.preprocess] = options.preprocess;
  return metadata;
}
