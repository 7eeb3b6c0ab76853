/**
 * `pnpm pipeline --help`. The lists in it come from the code that defines them, so the help cannot drift: the
 * metric names from @mlops/common's contracts, the defaults from mlops_ingest's configuration schema, the
 * hyperparameter names from the offline twin of the default training image (SageMaker's built-in XGBoost
 * 1.7-1, which validates them with the container's own table), the exit codes from exit-codes.ts.
 */
import { CLASSIFICATION_METRICS, DEFAULT_NA_VALUES, EvalConfigSchema, IngestConfigSchema, REGRESSION_METRICS, metricDirection, type MetricName } from '@mlops/common';
import { ALIASES, HYPERPARAMETERS } from '@mlops/sagemaker-xgboost';
import { EXIT_CODES } from './exit-codes';

const WIDTH = 100;

/**
 * `items` joined by `separator` and wrapped at WIDTH: the first line starts at column `indent + first` (after
 * whatever precedes it on that line), the next ones at `indent`.
 */
function wrap(items: readonly string[], indent: number, { first = 0, separator = ', ' } = {}): string {
  const lines: string[] = [];
  let line = '';
  let column = indent + first;
  for (const [i, item] of items.entries()) {
    const piece = `${item}${i < items.length - 1 ? separator.trimEnd() : ''}`;
    if (line && column + line.length + 1 + piece.length > WIDTH) {
      lines.push(line);
      line = piece;
      column = indent;
    } else line = line ? `${line} ${piece}` : piece;
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

/** Hyperparameter names a user may set: SageMaker's `_`-prefixed tuning internals are left out. */
export function hyperparameterNames(): string[] {
  return Object.keys(HYPERPARAMETERS).filter((name) => !name.startsWith('_'));
}

/**
 * Every name the image accepts (its `_`-prefixed internals and the aliases included): `--hyperparameters` refuses
 * any other before the stack starts. The one list is the offline twin's copy of the container's validation table.
 */
export function acceptedHyperparameters(): Set<string> {
  return new Set([...Object.keys(HYPERPARAMETERS), ...Object.keys(ALIASES)]);
}

/**
 * The defaults mlops_ingest applies when an upload sets nothing (serverless.yml's params repeat them for every
 * stage). The header: `true` when the stage's CSV_HEADER forces one, else `detected` (from the file's first rows).
 */
export function ingestDefaults(): { target: string; header: true | 'detected'; problem: string } {
  const shape = IngestConfigSchema.shape;
  return { target: shape.LABEL_COLUMN.parse(undefined), header: shape.CSV_HEADER.parse(undefined) ? true : 'detected', problem: shape.PROBLEM_TYPE.parse(undefined) };
}

/** `mse, rmse, mae (lower is better); r2 (higher is better)`: the metrics by the direction the gate reads them in. */
function metricList(metrics: readonly MetricName[]): string {
  const lower = metrics.filter((m) => metricDirection(m) === 'lte');
  const higher = metrics.filter((m) => metricDirection(m) === 'gte');
  return [lower.length ? `${lower.join(', ')} (lower is better)` : '', higher.length ? `${higher.join(', ')} (higher is better)` : ''].filter(Boolean).join('; ');
}

export function usage(reportsDir = '.local/reports'): string {
  const defaults = ingestDefaults();
  const aliases = Object.entries(ALIASES).map(([alias, name]) => `${alias} (${name})`);
  const exitCodes = EXIT_CODES.map(({ code, meaning }) => `  ${String(code).padStart(3)}  ${wrap(meaning.split(' '), 7, { separator: ' ' })}`);
  return `Usage: pnpm pipeline [--data <file>] [--family <name>] [--target <column>] [--header | --no-header]
                     [--delimiter <d>] [--na-values <list>] [--drop <columns>]
                     [--problem regression|classification] [--metric <name> --threshold <value>]
                     [--baseline-margin <share>] [--hyperparameters '<json>']
                     [--preprocess auto|lambda|processing] [--time-scale <n>] [--json]

Runs the whole MLOps pipeline offline: local S3, SageMaker, Step Functions and Lambda, in a
temporary stack that closes when the command ends. Without --data it runs the bundled UCI Abalone
sample (predict rings; gate mse <= 6).

Options (each travels with the upload as the S3 metadata mlops-<option>, e.g. mlops-na-values)
  --data <file>       the dataset: UTF-8 text, fields separated by , ; tab or | (RFC 4180 quotes
                      are read). A relative path is taken from the directory you run the command in.
                      It is uploaded to incoming/[<family>/]<name>.csv: runs start only for keys
                      ending in .csv, so another name (iris.data, rows) is uploaded as iris.csv.
  --family <name>     the model family: lowercase letters, digits and single hyphens. Default: the
                      file's stem. Each family has its own endpoint (mlops-local-<family>), schema.
  --target <column>   the label column: a header name, a 0-based index, or last.
                      Default: ${defaults.target}${defaults.target === 'last' ? ' (the last column)' : ''}.
  --header, --no-header
                      whether the first row names the columns. Default: ${
                        defaults.header === true
                          ? '--header (the stage sets csvHeader).'
                          : `detected: it does when it
                      names the --target column, or holds text in at least half of the columns
                      whose other rows are numbers (a file whose columns are all text: give it).`
                      }
  --delimiter <d>     , ; tab or | (or comma, semicolon, pipe). Default: detected from the first
                      64 KiB, the one that gives every line the same number of fields.
  --na-values <list>  the cells besides an empty one that are missing, comma-separated, any case.
                      Default: ${DEFAULT_NA_VALUES.join(',')}. --na-values '' leaves only the empty cell.
                      A missing feature is filled (numeric: the column's mean; categorical: no
                      category); a missing label rejects the dataset.
  --drop <columns>    columns to leave out (IDs, names), comma-separated names; without a header
                      they are column_0, column_1, ...
  --problem <type>    regression or classification. Default: ${defaults.problem}.
  --metric <name>     the quality gate's metric; give --threshold with it. Without them the stage's
  --threshold <value> gate for the family applies (abalone: mse <= 6), else the model must beat a
                      baseline (the training mean, or the majority class).
                      regression metrics: ${wrap(metricList(REGRESSION_METRICS).split(' '), 22, { first: 20, separator: ' ' })}
                      classification metrics: ${wrap(metricList(CLASSIFICATION_METRICS).split(' '), 22, { first: 24, separator: ' ' })}
  --baseline-margin <share>
                      how much of the baseline's error the model must remove, from 0 up to 1
                      (default: the stage's gateBaselineMargin, ${EvalConfigSchema.shape.GATE_BASELINE_MARGIN.parse(undefined)}); not with --threshold.
  --hyperparameters '<json>'
                      a JSON object of name to value, over the stage's (serverless.yml params
                      hyperparameters); the pipeline sets objective and num_class from the problem.
                      An unknown name is refused before the stack starts.
                      Names the default image (SageMaker's built-in XGBoost 1.7-1) accepts:
                        ${wrap(hyperparameterNames(), 24)}
                      and the aliases ${wrap(aliases, 22, { first: 16 })}.
  --preprocess auto|lambda|processing
                      which path splits the dataset: mlops_ingest itself, or SageMaker Processing
                      jobs (README: Data at scale); auto (default) goes by the stage's
                      preprocessThresholdBytes.
  --time-scale <n>    the stack's clock runs n times faster than AWS's (default 100): waits, retries
                      and SageMaker's timestamps, so the poll policy decides as on AWS.
  --json              one JSON summary on stdout; progress goes to stderr either way.
  -h, --help          this text.

Reports
  Each run is kept in its own folder, ${reportsDir}/<family>/<UTC timestamp>-<runId>/ (e.g.
  ${reportsDir}/abalone/20250301T100412Z-abalone-7aa1b19755/): report.html and report.json, and in
  artifacts/ what the run left in the temporary stack's S3, copied before the stack closes:
  model.tar.gz, schema.json (the dataset's), family-schema.json, predictions/challenger/ and
  predictions/champion/ (the .out objects of both batch transforms), evaluation.json and run.json
  (the run record). A failed run keeps whatever it got to write. The same dataset run twice is two
  runs, two folders.

Progress (stderr)
  One line per state; a Choice state prints as a question with the branch it took
  (TrainingDone? → WaitForTraining). A SageMaker job shows its job status and its secondary status
  (SageMaker's DescribeTrainingJob fields), e.g. "job status InProgress, secondary status Training".

Exit codes
${exitCodes.join('\n')}`;
}
