// Runs the real `train` and `serve` programs as child processes, as the local
// SageMaker emulator does: the esbuild bundles (and train once through tsx).
import { execFile, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runNodeProgram, startServeProgram } from '@mlops/testing';
import { promisify } from 'node:util';

const packageDir = path.resolve(__dirname, '..');
const fixtures = path.join(__dirname, 'fixtures');

/** Runs node (22 under jest) with the given arguments in a clean SageMaker-like environment. */
const runNode = (args: string[], env: Record<string, string>) => runNodeProgram(args, { cwd: packageDir, env });

/** A SageMaker root with the abalone fixtures as train and validation channels. */
async function trainingRoot(hyperparameters: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'model-int-'));
  await mkdir(path.join(root, 'input/config'), { recursive: true });
  await writeFile(path.join(root, 'input/config/hyperparameters.json'), JSON.stringify(hyperparameters));
  const inputDataConfig = Object.fromEntries(
    ['train', 'validation'].map((channel) => [channel, { ContentType: 'text/csv', TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated' }]),
  );
  await writeFile(path.join(root, 'input/config/inputdataconfig.json'), JSON.stringify(inputDataConfig));
  for (const channel of ['train', 'validation']) {
    await mkdir(path.join(root, 'input/data', channel), { recursive: true });
    await cp(path.join(fixtures, `abalone-${channel}.csv`), path.join(root, 'input/data', channel, `${channel}.csv`));
  }
  return root;
}

/** Relabels a channel file in place: rings binned into classes 0 (<=8), 1 (9-10), 2 (>=11). */
async function binRings(file: string): Promise<void> {
  const lines = (await readFile(file, 'utf8')).trim().split('\n');
  const binned = lines.map((line) => {
    const [rings, ...features] = line.split(',');
    const n = Number(rings);
    return [n <= 8 ? 0 : n <= 10 ? 1 : 2, ...features].join(',');
  });
  await writeFile(file, `${binned.join('\n')}\n`);
}


const roots: string[] = [];
beforeAll(async () => {
  await promisify(execFile)(process.execPath, ['build.mjs'], { cwd: packageDir });
});
afterAll(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

async function newRoot(hyperparameters: Record<string, string>): Promise<string> {
  const root = await trainingRoot(hyperparameters);
  roots.push(root);
  return root;
}

describe('train', () => {
  it('writes the model and metrics and prints metric lines', async () => {
    const root = await newRoot({ objective: 'reg:squarederror', num_round: '100', max_depth: '5' });
    const result = await runNode(['dist/train.js'], { SAGEMAKER_BASE_DIR: root });

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^#metric validation:mse=\d+(\.\d+)?$/m);
    expect(result.stdout).toMatch(/^#metric train:r2=/m);
    const model = JSON.parse(await readFile(path.join(root, 'model/model.json'), 'utf8')) as Record<string, unknown>;
    expect(model).toMatchObject({ format: 'mlops-model/1', algorithm: 'linear', featureCount: 10 });
    const metrics = JSON.parse(await readFile(path.join(root, 'output/data/metrics.json'), 'utf8')) as Record<string, object>;
    expect(Object.keys(metrics)).toEqual(['train', 'validation']);
  });

  it('runs from source through tsx and fits a multi-class model', async () => {
    const root = await newRoot({ objective: 'multi:softmax', num_class: '3' });
    for (const channel of ['train', 'validation']) await binRings(path.join(root, 'input/data', channel, `${channel}.csv`));
    const result = await runNode(['--import', 'tsx', 'src/train.ts'], { SAGEMAKER_BASE_DIR: root });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^#metric validation:accuracy=0\.\d+$/m);
    expect(result.stdout).toMatch(/^#metric validation:f1=/m);
    const model = JSON.parse(await readFile(path.join(root, 'model/model.json'), 'utf8')) as Record<string, unknown>;
    expect(model).toMatchObject({ algorithm: 'logistic', problemType: 'classification', classes: [0, 1, 2] });
  });

  it('fails the job with a reason for an invalid hyperparameter', async () => {
    const root = await newRoot({ objective: 'multi:softmax', num_class: '-1' });
    const result = await runNode(['dist/train.js'], { SAGEMAKER_BASE_DIR: root });

    expect(result.code).not.toBe(0);
    const reason = "ValueError: hyperparameter 'num_class' must be an integer >= 2 (got '-1')";
    expect(await readFile(path.join(root, 'output/failure'), 'utf8')).toBe(reason);
    expect(result.stderr).toContain(reason);
  });
});

describe('serve', () => {
  let server: ChildProcess;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let base: string;
  const records = ['1,0,0,0.455,0.365,0.095,0.514,0.2245,0.101,0.15', '0,0,1,0.33,0.255,0.08,0.205,0.0895,0.0395,0.055'];

  beforeAll(async () => {
    const root = await newRoot({});
    expect((await runNode(['dist/train.js'], { SAGEMAKER_BASE_DIR: root })).code).toBe(0);
    ({ process: server, base, exited } = await startServeProgram(['dist/serve.js'], { cwd: packageDir, env: { SAGEMAKER_BASE_DIR: root, SAGEMAKER_MODEL_SERVER_WORKERS: '2' } }));
  });
  afterAll(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });

  const invoke = (body: string, headers: Record<string, string>) =>
    fetch(`${base}/invocations`, { method: 'POST', body, headers });

  it('answers /ping', async () => {
    expect((await fetch(`${base}/ping`)).status).toBe(200);
  });

  it('predicts one text/csv line per record', async () => {
    const response = await invoke(`${records.join('\n')}\n`, { 'Content-Type': 'text/csv' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv');
    const predictions = (await response.text()).split('\n').map(Number);
    expect(predictions).toHaveLength(2);
    // A large adult male above a small infant, both in abalone's range of rings.
    expect(predictions[0]).toBeGreaterThan(predictions[1]!);
    for (const rings of predictions) {
      expect(rings).toBeGreaterThan(1);
      expect(rings).toBeLessThan(30);
    }
  });

  it('answers JSON when asked', async () => {
    const response = await invoke(records[0]!, { 'Content-Type': 'text/csv; charset=utf-8', Accept: 'application/json' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { predictions: number[] };
    expect(body.predictions).toHaveLength(1);
  });

  it.each([
    ['a non-numeric value', '1,0,0,0.4,abc,0.1,0.5,0.2,0.1,0.1', { 'Content-Type': 'text/csv' }, 400, /^line 1, column 5: /],
    ['a record with a label', `9,${records[0]}`, { 'Content-Type': 'text/csv' }, 400, /^line 1: expected 10 features, got 11/],
    ['JSON content', '{"instances":[]}', { 'Content-Type': 'application/json' }, 415, /Content-Type/],
    ['an unsupported Accept', records[0]!, { 'Content-Type': 'text/csv', Accept: 'application/x-recordio-protobuf' }, 406, /text\/csv/],
  ])('refuses %s', async (_, body, headers, status, message) => {
    const response = await invoke(body, headers);
    expect(response.status).toBe(status);
    expect(await response.text()).toMatch(message);
  });

  it('answers 404 for unknown paths', async () => {
    expect((await fetch(`${base}/models`)).status).toBe(404);
  });

  it('exits 0 on SIGTERM', async () => {
    server.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
