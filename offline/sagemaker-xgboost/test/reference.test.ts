// The Node-trained models against the ones Python xgboost 1.7.4 made (fixtures/make-reference.py).
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { encodePredictions, parseCsvRecords, pyRepr, train, XGBoostModel, type RoundMetrics } from '../src';

const fixtures = path.join(__dirname, 'fixtures');
const fixture = (name: string) => path.join(fixtures, name);

interface Reference {
  hyperparameters: Record<string, string>;
  modelFile: string;
  modelSha256: string;
  testPredictions: string[];
  testMse?: number;
  testAccuracy?: number;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function testSet(name: string): Promise<{ labels: number[]; rows: number[][]; columns: number }> {
  const lines = (await readFile(fixture(`${name}-test.csv`), 'utf8')).trim().split('\n');
  const labels = lines.map((line) => Number(line.split(',')[0]));
  const { rows, columns } = parseCsvRecords(lines.map((line) => line.slice(line.indexOf(',') + 1)).join('\n'));
  return { labels, rows, columns };
}

let references: Record<'abalone' | 'iris', Reference>;
beforeAll(async () => {
  references = JSON.parse(await readFile(fixture('reference.json'), 'utf8')) as typeof references;
});

describe.each(['abalone', 'iris'] as const)('%s', (name) => {
  let model: XGBoostModel;
  let history: RoundMetrics[];
  beforeAll(() => {
    const result = train(references[name].hyperparameters, {
      train: [fixture(`${name}-train.csv`)],
      validation: [fixture(`${name}-validation.csv`)],
    });
    model = result.model;
    history = result.history;
  });
  afterAll(() => model.free());

  it('trains a model byte-identical to Python xgboost 1.7.4', async () => {
    const reference = await readFile(fixture(references[name].modelFile));
    expect(sha256(reference)).toBe(references[name].modelSha256);
    expect(sha256(model.toBuffer())).toBe(references[name].modelSha256);

    const dir = await mkdtemp(path.join(tmpdir(), 'xgb-save-'));
    try {
      model.save(path.join(dir, 'xgboost-model'));
      expect(sha256(await readFile(path.join(dir, 'xgboost-model')))).toBe(references[name].modelSha256);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('evaluates train and validation every round', () => {
    expect(history).toHaveLength(Number(references[name].hyperparameters.num_round));
    expect([...history.at(-1)!.keys()]).toEqual(['train', 'validation']);
  });

  it('predicts the test set exactly as the container does', async () => {
    const { rows, columns, labels } = await testSet(name);
    const predictions = model.predict(rows, columns) as number[];
    expect(predictions.map(pyRepr)).toEqual(references[name].testPredictions);

    // The saved reference file loads and predicts the same.
    const loaded = XGBoostModel.load(await readFile(fixture(references[name].modelFile)));
    try {
      expect(encodePredictions(loaded.predict(rows, columns), 'text/csv', false)).toBe(`${references[name].testPredictions.join('\n')}\n`);
    } finally {
      loaded.free();
    }

    if (name === 'abalone') {
      const mse = predictions.reduce((s, p, i) => s + (p - labels[i]!) ** 2, 0) / labels.length;
      expect(Math.abs(mse - references.abalone.testMse!) / references.abalone.testMse!).toBeLessThan(0.02);
    } else {
      const accuracy = predictions.filter((p, i) => p === labels[i]).length / labels.length;
      expect(accuracy).toBeGreaterThanOrEqual(0.93);
      expect(accuracy).toBe(references.iris.testAccuracy);
    }
  });
});
