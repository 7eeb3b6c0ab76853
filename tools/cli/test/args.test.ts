/** `pnpm pipeline`'s options, its --help and the exit codes it documents. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLASSIFICATION_METRICS, REGRESSION_METRICS } from '@mlops/common';
import { ALIASES } from '@mlops/sagemaker-xgboost';
import { projectRoot } from '@mlops/serverless-config';
import { EXIT_CODES, parsePipelineArgs, uploadName } from '../src';
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
  it('refuses a metric that is not one, or not of the problem type, naming the metrics', () => {
    expect(() => parse(['--metric', 'auc', '--threshold', '0.9'])).toThrow(/--metric: 'auc' is not a metric \(regression: mse, rmse, mae, r2; classification: accuracy, precision_macro, recall_macro, f1_macro\)/);
    expect(() => parse(['--metric', 'mse', '--threshold', '2', '--problem', 'classification'])).toThrow("--metric: 'mse' is not a classification metric (one of accuracy, precision_macro, recall_macro, f1_macro)");
    expect(parse(['--metric', 'f1_macro', '--threshold', '0.8', '--problem', 'classification'])).toMatchObject({ metric: 'f1_macro', threshold: 0.8 });
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

  it('gives the defaults of target, header and delimiter', () => {
    expect(ingestDefaults()).toEqual({ target: 'last', header: false, problem: 'regression' });
    expect(text).toContain('Default: last (the last column).');
    expect(text).toContain('Default: --no-header');
    expect(text).toContain('comma-separated (the only delimiter');
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

describe('the README', () => {
  it('documents every exit code in its `pnpm pipeline` section, 2 (not 1) for a missing file', async () => {
    const readme = await readFile(join(projectRoot(), 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Run it offline'), readme.indexOf('### Stages by hand'));
    for (const { code } of EXIT_CODES) expect(section).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
    expect(section).toMatch(/^\| `2` \|.*missing/m);
    expect(section).not.toMatch(/missing or empty file[^|]{0,200}exit code 1\b/);
  });
});
