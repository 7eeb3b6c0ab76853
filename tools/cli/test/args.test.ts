/** `pnpm pipeline`'s options, its --help and the exit codes it documents. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLASSIFICATION_METRICS, DEFAULT_NA_VALUES, REGRESSION_METRICS, UPLOAD_METADATA_KEYS } from '@mlops/common';
import { ALIASES } from '@mlops/sagemaker-xgboost';
import { projectRoot } from '@mlops/serverless-config';
import { EXIT_CODES, parsePipelineArgs, uploadName } from '../src';
import { uploadMetadata, type PipelineOptions } from '../src/pipeline/args';
import { hyperparameterNames, ingestDefaults, usage } from '../src/pipeline/help';
import { invocationDir } from '../src/pipeline/main';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-args-'));
  await writeFile(join(dir, 'rows.csv'), '1,2,3\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const parse = (argv: string[], cwd = dir) => parsePipelineArgs(argv, { data: join(dir, 'rows.csv'), outDir: join(dir, 'reports'), cwd });

describe('the upload name', () => {
  it('keeps a .csv name and gives any other a .csv one, which the S3 trigger starts runs for', () => {
    expect(uploadName('/d/abalone.csv')).toBe('abalone.csv');
    expect(uploadName('/d/iris.data')).toBe('iris.csv');
    expect(uploadName('/d/train.CSV')).toBe('train.csv');
    expect(uploadName('/d/rows')).toBe('rows.csv');
    expect(uploadName('/d/.hidden')).toBe('.hidden.csv');
    for (const name of ['/d/iris.data', '/d/train.CSV', '/d/rows', '/d/a.tsv']) expect(uploadName(name)).toMatch(/\.csv$/);
  });

  it('refuses up front a file whose name gives no family, unless --family names one', async () => {
    await writeFile(join(dir, '___.txt'), '1,2\n');
    expect(() => parse(['--data', '___.txt'])).toThrow(/--data: the file name '___\.txt' names no family .*--family/);
    expect(parse(['--data', '___.txt', '--family', 'numbers'])).toMatchObject({ data: join(dir, '___.txt'), family: 'numbers' });
  });
});

describe('--data is relative to the directory the command ran in', () => {
  it('resolves against the given directory, not the process’s', async () => {
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'mine.csv'), '1,2\n');
    expect(parse(['--data', 'mine.csv'], join(dir, 'sub'))).toMatchObject({ data: join(dir, 'sub', 'mine.csv') });
    expect(parse(['--data', '../rows.csv'], join(dir, 'sub'))).toMatchObject({ data: join(dir, 'rows.csv') });
    expect(() => parse(['--data', 'mine.csv'], dir)).toThrow(`--data: file not found: ${join(dir, 'mine.csv')} ('mine.csv' from ${dir}, where the command ran)`);
  });

  it('takes that directory from INIT_CWD, which pnpm sets to where `pnpm pipeline` was typed', () => {
    expect(invocationDir({ INIT_CWD: '/home/me/data' }, '/repo')).toBe('/home/me/data');
    expect(invocationDir({}, '/repo')).toBe('/repo');
    expect(invocationDir({ INIT_CWD: '' }, '/repo')).toBe('/repo');
  });
});

describe('options checked before anything starts', () => {
  it('refuses a metric that is not one of the problem type’s, naming the flag and the metrics', () => {
    expect(() => parse(['--metric', 'rsme', '--threshold', '2'])).toThrow(new Error('--metric rsme: not a regression metric; one of mse, rmse, mae, r2'));
    expect(() => parse(['--metric', 'auc', '--threshold', '0.9', '--problem', 'classification'])).toThrow(
      new Error('--metric auc: not a classification metric; one of accuracy, precision_macro, recall_macro, f1_macro'),
    );
    expect(() => parse(['--metric', 'mse', '--threshold', '2', '--problem', 'classification'])).toThrow(
      new Error('--metric mse: not a classification metric; one of accuracy, precision_macro, recall_macro, f1_macro'),
    );
    // Without --problem the stage's problem type (regression) applies, as in mlops_ingest: a classification metric says what to add.
    expect(() => parse(['--metric', 'f1_macro', '--threshold', '0.8'])).toThrow(
      new Error('--metric f1_macro: not a regression metric; one of mse, rmse, mae, r2 (f1_macro is a classification metric: add --problem classification)'),
    );
    expect(parse(['--metric', 'f1_macro', '--threshold', '0.8', '--problem', 'classification'])).toMatchObject({ metric: 'f1_macro', threshold: 0.8 });
    expect(parse(['--metric', 'rmse', '--threshold', '2'])).toMatchObject({ metric: 'rmse', threshold: 2 });
  });

  it('refuses hyperparameter names the built-in XGBoost image does not accept, listing the ones it does', () => {
    const names = hyperparameterNames().join(', ');
    expect(() => parse(['--hyperparameters', '{"max_dept":"6","eta":"0.1"}'])).toThrow(new Error(`--hyperparameters: unknown name 'max_dept'; the built-in XGBoost 1.7-1 image accepts ${names}`));
    expect(() => parse(['--hyperparameters', '{"depth":"6","rounds":"9"}'])).toThrow(new Error(`--hyperparameters: unknown names 'depth', 'rounds'; the built-in XGBoost 1.7-1 image accepts ${names}`));
    expect(parse(['--hyperparameters', '{"max_depth":6,"learning_rate":"0.1","num_round":"20"}'])).toMatchObject({ hyperparameters: { max_depth: '6', learning_rate: '0.1', num_round: '20' } });
  });

  it('reads the reading options with the upload options’ schemas, and refuses bad values naming the flag', () => {
    expect(parse(['--delimiter', ';', '--na-values', 'NA, ?', '--drop', 'id,name', '--baseline-margin', '0.2'])).toMatchObject({
      delimiter: ';',
      naValues: ['NA', '?'],
      drop: ['id', 'name'],
      baselineMargin: 0.2,
    });
    expect(parse(['--delimiter', 'tab', '--na-values', ''])).toMatchObject({ delimiter: '\t', naValues: [] });
    expect(parse([])).toMatchObject({ delimiter: undefined, naValues: undefined, drop: undefined, baselineMargin: undefined, header: undefined });
    expect(() => parse(['--delimiter', ':'])).toThrow(new Error("--delimiter: must be one of ',' ';' '|' tab (or comma, semicolon, pipe) (got ':')"));
    expect(() => parse(['--drop', 'id,id'])).toThrow(new Error("--drop: names a column twice (got 'id,id')"));
    expect(() => parse(['--baseline-margin', '1.5'])).toThrow(new Error("--baseline-margin: must be a number from 0 up to but not including 1 (0.1: remove 10 % of the baseline's error) (got '1.5')"));
    expect(() => parse(['--baseline-margin', '0.2', '--threshold', '3'])).toThrow(
      new Error('--baseline-margin: has no effect with --threshold (the threshold rule applies then); give one or the other'),
    );
  });

  it('points to --help after an unknown option instead of reprinting it', () => {
    expect(() => parse(['--frobnicate'])).toThrow(/Unknown option '--frobnicate' \(pnpm pipeline --help lists the options\)$/);
  });
});

describe('--help', () => {
  const text = usage('.local/reports');

  it('lists every metric name the gate accepts, from the contracts', () => {
    for (const metric of [...REGRESSION_METRICS, ...CLASSIFICATION_METRICS]) expect(text).toMatch(new RegExp(`\\b${metric}\\b`));
    expect(text).toContain('regression metrics: mse, rmse, mae (lower is better); r2 (higher is better)');
  });

  it('lists every hyperparameter name (and alias) the default XGBoost image accepts, from its validation table', () => {
    const names = hyperparameterNames();
    expect(names).toEqual(expect.arrayContaining(['num_round', 'max_depth', 'eta', 'objective', 'num_class', 'eval_metric']));
    expect(names.some((n) => n.startsWith('_'))).toBe(false);
    for (const name of [...names, ...Object.keys(ALIASES)]) expect(text).toMatch(new RegExp(`(^|[\\s,])${name}[,.\\s(]`, 'm'));
  });

  it('gives the defaults of target, header, delimiter and NA values', () => {
    expect(ingestDefaults()).toEqual({ target: 'last', header: 'detected', problem: 'regression' });
    expect(text).toContain('Default: last (the last column).');
    expect(text).toMatch(/whether the first row names the columns\. Default: detected: it does when it\n +names the --target column/);
    expect(text).toMatch(/--delimiter <d> +, ; tab or \| \(or comma, semicolon, pipe\)\. Default: detected/);
    expect(text).toContain(`Default: ${DEFAULT_NA_VALUES.join(',')}. --na-values '' leaves only the empty cell.`);
    expect(text).toContain("(default: the stage's gateBaselineMargin, 0.1); not with --threshold.");
  });

  it('has a flag for every upload metadata key but mlops-tolerance, named after it', () => {
    const flags = [...text.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
    for (const key of Object.values(UPLOAD_METADATA_KEYS)) {
      if (key === UPLOAD_METADATA_KEYS.tolerance) expect(flags).not.toContain('--tolerance');
      else expect(flags).toContain(`--${key.slice('mlops-'.length)}`);
    }
  });

  it('says where the reports go and what a run keeps', () => {
    expect(text).toContain('.local/reports/<family>/<UTC timestamp>-<runId>/');
    expect(text).toMatch(/report\.html and report\.json/);
  });

  it('lists every exit code with its meaning', () => {
    for (const { code, meaning } of EXIT_CODES) expect(text).toContain(`  ${String(code).padStart(3)}  ${meaning.split(' ').slice(0, 4).join(' ')}`);
  });

  it('keeps its lines within 100 columns', () => {
    expect(text.split('\n').filter((line) => line.length > 100)).toEqual([]);
  });

  // The help takes the defaults from mlops_ingest's configuration schema; serverless.yml sets them per stage.
  it('states the defaults the local stage really uses (serverless.yml params)', async () => {
    const yml = await readFile(join(projectRoot(), 'serverless.yml'), 'utf8');
    expect(yml).toMatch(/^ {4}labelColumn: last$/m);
    expect(yml).toMatch(/^ {4}csvHeader: 'false'$/m);
    expect(yml).toMatch(/^ {4}problemType: regression$/m);
    expect(yml.match(/^ {4}(labelColumn|csvHeader|problemType):/gm)).toHaveLength(3);
  });
});

describe('the upload metadata', () => {
  it('carries every option under its key, as mlops_ingest reads it (a delimiter by name, lists comma-separated)', () => {
    const options: PipelineOptions = {
      data: '/d/wine.csv',
      target: 'quality',
      problem: 'regression',
      header: false,
      delimiter: '\t',
      naValues: ['NA', '?'],
      drop: ['id', 'name'],
      metric: 'mae',
      threshold: 0.5,
      baselineMargin: 0.2,
      hyperparameters: { max_depth: '3' },
      json: false,
      timeScale: 100,
      outDir: '/tmp',
    };
    expect(uploadMetadata(options)).toEqual({
      'mlops-target': 'quality',
      'mlops-problem': 'regression',
      'mlops-header': 'false',
      'mlops-delimiter': 'tab',
      'mlops-na-values': 'NA,?',
      'mlops-drop': 'id,name',
      'mlops-metric': 'mae',
      'mlops-threshold': '0.5',
      'mlops-baseline-margin': '0.2',
      'mlops-hyperparameters': '{"max_depth":"3"}',
    });
    expect(uploadMetadata({ ...options, naValues: [], delimiter: ';' })).toMatchObject({ 'mlops-na-values': '', 'mlops-delimiter': 'semicolon' });
    expect(uploadMetadata({ data: '/d/x.csv', json: false, timeScale: 100, outDir: '/tmp' })).toEqual({});
  });
});

describe('the README', () => {
  it('documents every exit code in its `pnpm pipeline` section, 2 (not 1) for a missing file', async () => {
    const readme = await readFile(join(projectRoot(), 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Run it offline'), readme.indexOf('### Stages by hand'));
    for (const { code } of EXIT_CODES) expect(section).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
    expect(section).toMatch(/^\| `2` \|.*missing/m);
    expect(section).not.toMatch(/missing or empty file[^|]{0,200}exit code 1\b/);
  });
});
