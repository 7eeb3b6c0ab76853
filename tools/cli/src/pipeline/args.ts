/** `pnpm pipeline` options. Every mistake is reported with the option's name and the reason. */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { FAMILY_NAME_MAX, UPLOAD_METADATA_KEYS, sanitizeFamily } from '@mlops/common';
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

export const USAGE = `Usage: pnpm pipeline [--data <file.csv>] [--family <name>] [--target <column name or 0-based index>]
                     [--problem regression|classification] [--metric <name>] [--threshold <value>]
                     [--header | --no-header] [--hyperparameters '<json>'] [--time-scale <n>] [--json]

Runs the whole MLOps pipeline offline: local S3, SageMaker, Step Functions and Lambda.
Without --data it runs the bundled UCI Abalone sample (predict rings; gate mse <= 6).
The upload goes to incoming/<family>/<file> with --family, else to incoming/<file>, whose stem names
the family: each family has its own endpoint (mlops-local-<family>) and schema.

Each run is kept in its own folder, .local/reports/<family>/<UTC timestamp>-<runId>/ (e.g.
.local/reports/abalone/20250301T100412Z-abalone-7aa1b19755/): report.html and report.json, and in
artifacts/ what the run left in the temporary stack's S3, copied before the stack closes: model.tar.gz,
schema.json (the dataset's), family-schema.json, predictions/challenger/ and predictions/champion/
(the .out objects of both batch transforms), evaluation.json and run.json (the run record). A failed run
keeps whatever it got to write. The same dataset run twice is two runs, two folders.`;

export function parsePipelineArgs(argv: string[], defaults: { data: string; outDir: string }): PipelineOptions | 'help' {
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
    throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const data = resolve(v.data ?? defaults.data);
  if (!existsSync(data)) throw new UsageError(`--data: file not found: ${data}`);
  const stat = statSync(data);
  if (!stat.isFile()) throw new UsageError(`--data: not a file: ${data}`);
  if (stat.size === 0) throw new UsageError(`--data: the file is empty: ${data}`);
  if (v.family !== undefined && (v.family === '' || sanitizeFamily(v.family) !== v.family)) {
    throw new UsageError(`--family: must be lowercase letters, digits and single hyphens, at most ${FAMILY_NAME_MAX} characters (got '${v.family}'${sanitizeFamily(v.family) ? `; try '${sanitizeFamily(v.family)}'` : ''})`);
  }
  if (v.problem !== undefined && v.problem !== 'regression' && v.problem !== 'classification') {
    throw new UsageError(`--problem: must be regression or classification (got '${v.problem}')`);
  }
  let threshold: number | undefined;
  if (v.threshold !== undefined) {
    threshold = Number(v.threshold);
    if (v.threshold.trim() === '' || !Number.isFinite(threshold)) throw new UsageError(`--threshold: must be a number (got '${v.threshold}')`);
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
      throw new UsageError(`--hyperparameters: must be a JSON object, e.g. '{"l2":"0.1"}'`);
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
