// Runs the real `train` and `serve` programs as child processes (through tsx), as the local SageMaker emulator does.
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, runNodeProgram, startServeProgram } from '@mlops/testing';

const packageDir = path.resolve(__dirname, '..');
const fixtures = path.join(__dirname, 'fixtures');
const ABALONE = { objective: 'reg:squarederror', num_round: '50', max_depth: '5', eta: '0.2', gamma: '4', min_child_weight: '6', subsample: '0.7' };

const runProgram = (program: string, env: Record<string, string>) => runNodeProgram(['--import', 'tsx', `src/${program}.ts`], { cwd: packageDir, env });

const roots: string[] = [];
afterAll(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

/** A SageMaker root with the abalone fixtures as train and validation channels. */
async function trainingRoot(hyperparameters: Record<string, string>, contentType = 'text/csv'): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'sm-xgboost-'));
  roots.push(root);
  await mkdir(path.join(root, 'input/config'), { recursive: true });
  await writeFile(path.join(root, 'input/config/hyperparameters.json'), JSON.stringify(hyperparameters));
  const channels = Object.fromEntries(['train', 'validation'].map((c) => [c, { ContentType: contentType, TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated' }]));
  await writeFile(path.join(root, 'input/config/inputdataconfig.json'), JSON.stringify(channels));
  for (const channel of ['train', 'validation']) {
    await mkdir(path.join(root, 'input/data', channel, 'part'), { recursive: true });
    await cp(path.join(fixtures, `abalone-${channel}.csv`), path.join(root, 'input/data', channel, 'part', `${channel}.csv`));
    await writeFile(path.join(root, 'input/data', channel, '.hidden'), 'not data');
  }
  return root;
}

const failure = (root: string) => readFile(path.join(root, 'output/failure'), 'utf8');

describe('train', () => {
  it('writes xgboost-model identical to the Python reference and prints metrics', async () => {
    const root = await trainingRoot(ABALONE);
    const result = await runProgram('train', { SAGEMAKER_BASE_DIR: root });

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^\[0\]\ttrain-rmse:\d+\.\d{5}\tvalidation-rmse:\d+\.\d{5}$/m);
    expect(result.stdout).toMatch(/^\[49\]\ttrain-rmse:1\.64757\tvalidation-rmse:2\.13928$/m);
    expect(result.stdout).toMatch(/^#metric train:rmse=1\.64757$/m);
    expect(result.stdout).toMatch(/^#metric validation:rmse=2\.13928$/m);
    const reference = JSON.parse(await readFile(path.join(fixtures, 'reference.json'), 'utf8')) as { abalone: { modelSha256: string } };
    const model = await readFile(path.join(root, 'model/xgboost-model'));
    expect(createHash('sha256').update(model).digest('hex')).toBe(reference.abalone.modelSha256);
  });

  it.each([
    ['an unknown hyperparameter', { ...ABALONE, max_dept: '5' }, 'text/csv', 'UserError: Extraneous hyperparameter found: max_dept'],
    ['a missing num_round', { objective: 'reg:squarederror' }, 'text/csv', 'UserError: Missing required hyperparameter: num_round'],
    ['libsvm data', ABALONE, 'text/libsvm', "UserError: channel 'train' has ContentType 'text/libsvm'; only text/csv is emulated offline (libsvm, parquet and recordio-protobuf are not)"],
  ])('fails the job with a reason for %s', async (_, hyperparameters, contentType, reason) => {
    const root = await trainingRoot(hyperparameters, contentType);
    const result = await runProgram('train', { SAGEMAKER_BASE_DIR: root });
    expect(result.code).toBe(1);
    expect(await failure(root)).toBe(reason);
    expect(result.stderr).toContain(reason);
  });

  it('fails the job with what to install when libxgboost is missing', async () => {
    const root = await trainingRoot(ABALONE);
    const result = await runProgram('train', { SAGEMAKER_BASE_DIR: root, MLOPS_XGBOOST_LIBRARY: path.join(root, 'no-libxgboost.so') });
    expect(result.code).toBe(1);
    const reason = await failure(root);
    expect(reason).toMatch(/^PlatformError: the XGBoost 1\.7\.4 library was not found/);
    expect(reason).toContain("'apt-get install -y libxgboost0'");
    expect(reason.length).toBeLessThanOrEqual(1024);
  });
});


describe('serve', () => {
  let server: ChildProcess;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let base: string;
  let reference: string[];
  let records: string[];

  beforeAll(async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'sm-xgboost-serve-'));
    roots.push(root);
    await mkdir(path.join(root, 'model'));
    await cp(path.join(fixtures, 'abalone.xgboost-model'), path.join(root, 'model/xgboost-model'));
    reference = (JSON.parse(await readFile(path.join(fixtures, 'reference.json'), 'utf8')) as { abalone: { testPredictions: string[] } }).abalone.testPredictions;
    records = (await readFile(path.join(fixtures, 'abalone-test.csv'), 'utf8')).trim().split('\n').map((line) => line.slice(line.indexOf(',') + 1));

    ({ process: server, base, exited } = await startServeProgram(['--import', 'tsx', 'src/serve.ts'], { cwd: packageDir, env: { SAGEMAKER_BASE_DIR: root } }));
  });
  afterAll(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });

  const invoke = (body: string, headers: Record<string, string>) => fetch(`${base}/invocations`, { method: 'POST', body, headers });

  it('answers /ping and /execution-parameters', async () => {
    expect((await fetch(`${base}/ping`)).status).toBe(200);
    expect(await (await fetch(`${base}/execution-parameters`)).json()).toMatchObject({ BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 6 });
  });

  it('predicts text/csv records as the container: one value per line', async () => {
    const response = await invoke(`${records.join('\n')}\n`, { 'Content-Type': 'text/csv' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(await response.text()).toBe(`${reference.join('\n')}\n`);
  });

  it('answers JSON when asked', async () => {
    const response = await invoke(records[0]!, { 'Content-Type': 'text/csv', Accept: 'application/json' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`{"predictions": [{"score": ${reference[0]}}]}`);
  });

  // A small adult male of the abalone data (features only).
  const record = '1,0,0,0.455,0.365,0.095,0.514,0.2245,0.101,0.15';
  it.each([
    ['a non-numeric value', '1,0,0,0.4,abc,0.1,0.5,0.2,0.1,0.1', { 'Content-Type': 'text/csv' }, 400, /line 1, column 5: not a number/],
    ['a record with a label', `9,${record}`, { 'Content-Type': 'text/csv' }, 400, /11 values per row, but the model has 10 features/],
    ['libsvm content', '1:0.5 2:0.3', { 'Content-Type': 'text/libsvm' }, 415, /text\/csv only/],
    ['an unsupported Accept', record, { 'Content-Type': 'text/csv', Accept: 'image/png' }, 406, /Accept type image\/png is not supported/],
  ])('refuses %s', async (_, body, headers, status, message) => {
    const response = await invoke(body, headers);
    expect(response.status).toBe(status);
    expect(await response.text()).toMatch(message);
  });

  it('exits 0 on SIGTERM', async () => {
    server.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});

describe('serve without libxgboost', () => {
  it('exits 1 saying what to install', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'sm-xgboost-nolib-'));
    roots.push(root);
    await mkdir(path.join(root, 'model'));
    await cp(path.join(fixtures, 'abalone.xgboost-model'), path.join(root, 'model/xgboost-model'));
    const result = await runProgram('serve', { SAGEMAKER_BASE_DIR: root, SAGEMAKER_BIND_TO_PORT: String(await freePort()), MLOPS_XGBOOST_LIBRARY: '/nonexistent/libxgboost.so' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^serve: cannot start: PlatformError: .*apt-get install -y libxgboost0/);
  });
});
