import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { main } from '../src/training';

const fixture = (name: string) => readFile(path.join(__dirname, 'fixtures', name), 'utf8');

/** abalone fixture rows relabelled: rings binned into 3 classes (<=8, 9-10, >=11). */
const ringClasses = (csv: string) =>
  csv
    .trim()
    .split('\n')
    .map((line) => {
      const [rings, ...features] = line.split(',');
      const n = Number(rings);
      return [n <= 8 ? 0 : n <= 10 ? 1 : 2, ...features].join(',');
    })
    .join('\n');

interface Job {
  /** An object is written as JSON, a string as is. */
  hyperparameters?: Record<string, string> | string;
  inputDataConfig?: object;
  channels?: Record<string, Record<string, string>>;
}

let root: string;
let logs: string[];

async function run(job: Job, env: Record<string, string> = {}): Promise<number> {
  const config = path.join(root, 'input/config');
  await mkdir(config, { recursive: true });
  if (job.hyperparameters !== undefined) {
    const text = typeof job.hyperparameters === 'string' ? job.hyperparameters : JSON.stringify(job.hyperparameters);
    await writeFile(path.join(config, 'hyperparameters.json'), text);
  }
  if (job.inputDataConfig) await writeFile(path.join(config, 'inputdataconfig.json'), JSON.stringify(job.inputDataConfig));
  for (const [channel, files] of Object.entries(job.channels ?? {})) {
    await mkdir(path.join(root, 'input/data', channel), { recursive: true });
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(root, 'input/data', channel, name), text);
  }
  return main({ SAGEMAKER_BASE_DIR: root, ...env }, (line) => logs.push(line));
}

const read = (file: string) => readFile(path.join(root, file), 'utf8');
const csvConfig = { train: { ContentType: 'text/csv', TrainingInputMode: 'File' } };

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'model-training-'));
  logs = [];
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(async () => {
  jest.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

describe('a successful training job', () => {
  it('fits abalone regression, writes the model and reports metrics', async () => {
    const channels = { train: { 'data.csv': await fixture('abalone-train.csv') }, validation: { 'data.csv': await fixture('abalone-validation.csv') } };
    expect(await run({ hyperparameters: { objective: 'reg:squarederror', max_depth: '5' }, channels })).toBe(0);

    const model = JSON.parse(await read('model/model.json')) as Record<string, unknown>;
    expect(model).toMatchObject({ algorithm: 'linear', problemType: 'regression', featureCount: 10 });
    const metrics = JSON.parse(await read('output/data/metrics.json')) as Record<string, Record<string, number>>;
    expect(Object.keys(metrics.validation!)).toEqual(['mse', 'rmse', 'mae', 'r2']);
    expect(metrics.validation!.mse).toBeLessThan(6);
    expect(logs).toContain("ignoring hyperparameter 'max_depth': not used by this model");
    expect(logs).toContain(`#metric validation:mse=${Number(metrics.validation!.mse!.toPrecision(6))}`);
    expect(logs.filter((line) => line.startsWith('#metric train:'))).toHaveLength(4);
  });

  it('fits a 3-class problem and honours the SM_* directory variables', async () => {
    const train = path.join(root, 'elsewhere/train');
    await mkdir(train, { recursive: true });
    await writeFile(path.join(train, 'part-0.csv'), ringClasses(await fixture('abalone-train.csv')));
    const env = { SM_CHANNEL_TRAIN: train, SM_MODEL_DIR: path.join(root, 'm'), SM_OUTPUT_DATA_DIR: path.join(root, 'o') };
    expect(await run({ hyperparameters: { objective: 'multi:softmax', num_class: '3' } }, env)).toBe(0);

    expect(JSON.parse(await read('m/model.json'))).toMatchObject({ algorithm: 'logistic', classes: [0, 1, 2] });
    const metrics = JSON.parse(await read('o/metrics.json')) as Record<string, Record<string, number>>;
    expect(Object.keys(metrics)).toEqual(['train']);
    expect(metrics.train!.accuracy).toBeGreaterThan(0.5);
    expect(logs.some((line) => line.startsWith('#metric train:f1='))).toBe(true);
  });
});

describe('a failing training job', () => {
  const train = { 'data.csv': '1,0.5,2\n0,0.25,1\n' };

  it.each<[string, Job, unknown]>([
    [
      'an invalid objective',
      { hyperparameters: { objective: 'foo' }, channels: { train } },
      "ValueError: hyperparameter 'objective' must be one of reg:squarederror, reg:linear, binary:logistic, multi:softmax (got 'foo')",
    ],
    [
      'a label outside num_class',
      { hyperparameters: { objective: 'multi:softmax', num_class: '3' }, channels: { train: { 'data.csv': '1,1\n3,2\n' } } },
      'DataError: row 2 of train/data.csv: label 3 is not a class index 0..2 (num_class=3)',
    ],
    [
      'a non-numeric feature',
      { channels: { train: { 'data.csv': '1,2\n1,2\n1,x\n' } } },
      "DataError: row 3 of train/data.csv: feature 1 is not a number (got 'x')",
    ],
    [
      'Pipe mode',
      { inputDataConfig: { train: { TrainingInputMode: 'Pipe' } }, channels: { train } },
      "ValueError: channel 'train' uses Pipe input mode; only File and FastFile are supported",
    ],
    [
      'a non-CSV content type',
      { inputDataConfig: { train: { ContentType: 'text/libsvm' } }, channels: { train } },
      "ValueError: channel 'train' has ContentType 'text/libsvm'; only text/csv is supported",
    ],
    ['a hyperparameters.json array', { hyperparameters: '[]', channels: { train } }, 'ValueError: hyperparameters.json must hold a JSON object'],
    [
      'a hyperparameters.json that is not JSON',
      { hyperparameters: '{', channels: { train } },
      expect.stringMatching(/^ValueError: hyperparameters.json is not valid JSON: /),
    ],
  ])('%s', async (_, job, reason) => {
    expect(await run(job)).toBe(1);
    expect(await read('output/failure')).toEqual(reason);
  });

  it('needs training data', async () => {
    expect(await run({ inputDataConfig: csvConfig, channels: { train: {} } })).toBe(1);
    expect(await read('output/failure')).toBe(
      `DataError: no training data in channel 'train' (${path.join(root, 'input/data/train')} has no CSV rows)`,
    );
  });

  it('needs rows in a declared validation channel', async () => {
    const inputDataConfig = { ...csvConfig, validation: { ContentType: 'text/csv' } };
    expect(await run({ inputDataConfig, channels: { train, validation: {} } })).toBe(1);
    expect(await read('output/failure')).toMatch(/^DataError: no training data in channel 'validation'/);
  });

  it('needs validation rows as wide as the training rows', async () => {
    expect(await run({ channels: { train, validation: { 'v.csv': '1,2\n' } } })).toBe(1);
    expect(await read('output/failure')).toBe('DataError: row 1 of validation/v.csv: expected 2 features, got 1');
  });
});
