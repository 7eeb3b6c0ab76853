/** `pnpm pipeline` options. Every mistake is reported with the option's name and the reason. */
import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve } from 'node:path';
import { CLASSIFICATION_METRICS, FAMILY_NAME_MAX, MetricNameSchema, REGRESSION_METRICS, UPLOAD_METADATA_KEYS, familyOfKey, metricsFor, sanitizeFamily, type ProblemType } from '@mlops/common';
import { parseArgs } from 'node:util';

export interface PipelineOptions {
  data: string;
  /** The model family (uploaded to incoming/<family>/<file>); without it, the file's stem names it. */
  family?: string;
  target?: string;
  problem?: 'regression' | 'classification';
  metric?: string;
  threshold?: number;
  header?: boolean;
  hyperparameters?: Record<string, string>;
  json: boolean;
  /** The state machine's waits run this many times faster than asked (the poll policy's decisions are kept). */
  timeScale: number;
  /** Where runs are kept: `<outDir>/<family>/<UTC timestamp>-<runId>/`. */
  outDir: string;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
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
        hyperparameters: { type: 'string' },
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
  // Checked here as mlops_ingest checks it, so a misspelt metric costs no stack start and no upload.
  if (v.metric !== undefined) {
    const metric = MetricNameSchema.safeParse(v.metric.trim());
    const applicable = v.problem === undefined ? undefined : metricsFor(v.problem as ProblemType);
    if (!metric.success) throw new UsageError(`--metric: '${v.metric}' is not a metric (regression: ${REGRESSION_METRICS.join(', ')}; classification: ${CLASSIFICATION_METRICS.join(', ')})`);
    if (applicable && !applicable.includes(metric.data)) throw new UsageError(`--metric: '${v.metric}' is not a ${v.problem} metric (one of ${applicable.join(', ')})`);
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
  }
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
    hyperparameters,
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
  if (options.metric !== undefined) metadata[keys.metric] = options.metric;
  if (options.threshold !== undefined) metadata[keys.threshold] = String(options.threshold);
  if (options.hyperparameters !== undefined) metadata[keys.hyperparameters] = JSON.stringify(options.hyperparameters);
  return metadata;
}
