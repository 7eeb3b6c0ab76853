/**
 * The endpoint's contract end to end, in process: the real mlops_ingest writes the channels of the
 * real abalone data, the real mlops_train says how the pipeline trains (its objective), SageMaker's
 * XGBoost 1.7-1 (offline/sagemaker-xgboost: the real libxgboost 1.7.4 and the container's serving
 * code) trains on the channels and answers requests, and decodePredictions reads the answers. A row
 * sent in the dataset's columns gets the very prediction the model makes for its test-channel line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { invoke, train, type XGBoostModel } from '@mlops/sagemaker-xgboost';
import { decodePredictions, encodeRows, type ClassificationPrediction, type RegressionPrediction } from '../src';
import { ABALONE, abaloneRows, ingester, trainer, type Ingested } from './support/pipeline';

const ingest = ingester();
const hyperparametersOf = trainer();

/** The model the pipeline would train on the run's channels, and the container's answer to a request body. */
async function trainedModel(ingested: Ingested): Promise<{ hyperparameters: Record<string, string>; model: XGBoostModel; answer: (body: string) => string }> {
  const hyperparameters = await hyperparametersOf(ingested.run);
  const dir = await mkdtemp(path.join(tmpdir(), 'predict-contract-'));
  try {
    const file = async (channel: 'train' | 'validation') => {
      const name = path.join(dir, `${channel}.csv`);
      await writeFile(name, `${ingested.channels[channel].join('\n')}\n`);
      return name;
    };
    const { model } = train(hyperparameters, { train: [await file('train')], validation: [await file('validation')] });
    const answer = (body: string) => {
      const response = invoke({ model, env: {} }, { contentType: 'text/csv', accept: 'text/csv', body });
      if (response.status !== 200) throw new Error(`the container answered ${response.status}: ${response.body}`);
      return response.body;
    };
    return { hyperparameters, model, answer };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The test channel's lines without their label: what the pipeline's transform job sends the model. */
const testFeatures = (ingested: Ingested) => ingested.channels.test.map((line) => line.slice(line.indexOf(',') + 1));

describe('regression: abalone rings', () => {
  let abalone: Ingested;
  let trained: Awaited<ReturnType<typeof trainedModel>>;
  beforeAll(async () => {
    abalone = await ingest({ family: 'abalone', csv: ABALONE });
    trained = await trainedModel(abalone);
  });
  afterAll(() => trained?.model.free());

  it('the pipeline trains reg:squarederror, and a row in the dataset’s columns gets the number the model gives its channel line, named rings', () => {
    expect(trained.hyperparameters.objective).toBe('reg:squarederror');
    const rows = abaloneRows();
    const byLine = new Map(rows.map((r) => [encodeRows(abalone.familySchema, [r.slice(0, 8)])[0]!, r]));
    const lines = testFeatures(abalone).slice(0, 200);
    const sourceRows = lines.map((line) => byLine.get(line)!.slice(0, 8));

    const body = trained.answer(`${encodeRows(abalone.familySchema, sourceRows).join('\n')}\n`);
    const predictions = decodePredictions(abalone.familySchema, body, { rows: sourceRows.length }) as RegressionPrediction[];
    expect(body).toBe(trained.answer(`${lines.join('\n')}\n`));
    expect(predictions.map((p) => p.value)).toEqual(body.trim().split('\n').map(Number));
    expect(predictions[0]).toEqual({ problemType: 'regression', target: 'rings', value: expect.any(Number) });
    // A model of the rings, not noise: most predictions within 3 rings of the truth.
    const close = predictions.filter((p, i) => Math.abs(p.value - Number(byLine.get(lines[i]!)![8])) <= 3).length;
    expect(close / predictions.length).toBeGreaterThan(0.7);
  });
});

describe('classification: abalone sex from the measurements and rings', () => {
  let ingested: Ingested;
  let trained: Awaited<ReturnType<typeof trainedModel>>;
  beforeAll(async () => {
    ingested = await ingest({ family: 'abalone-sex', csv: ABALONE, metadata: { target: 'sex', problem: 'classification' } });
    trained = await trainedModel(ingested);
  });
  afterAll(() => trained?.model.free());

  it('the pipeline trains multi:softmax, whose answer is the class index: decoded to the class name, no probabilities', () => {
    expect(trained.hyperparameters).toMatchObject({ objective: 'multi:softmax', num_class: '3' });
    const rows = abaloneRows().slice(0, 300);
    const body = trained.answer(`${encodeRows(ingested.familySchema, rows.map((r) => r.slice(1))).join('\n')}\n`);
    expect(body).toMatch(/^([012]\.0\n)+$/);
    const predictions = decodePredictions(ingested.familySchema, body, { rows: rows.length }) as ClassificationPrediction[];
    expect(predictions.map((p) => p.value)).toEqual(body.trim().split('\n').map((index) => ['F', 'I', 'M'][Number(index)]));
    expect(predictions[0]).toEqual({ problemType: 'classification', target: 'sex', value: expect.stringMatching(/^[FIM]$/), classIndex: expect.any(Number), objective: 'multi:softmax' });
    // Infants are told from adults by size: most of them are predicted I.
    const infants = predictions.filter((_, i) => rows[i]![0] === 'I');
    expect(infants.filter((p) => p.value === 'I').length / infants.length).toBeGreaterThan(0.6);
  });

  it('decodes the probabilities of a run that overrides the objective with multi:softprob: the same classes, with each one’s probability', async () => {
    const softprob = await ingest({ family: 'abalone-sex', csv: ABALONE, metadata: { target: 'sex', problem: 'classification', hyperparameters: '{"objective":"multi:softprob"}' } });
    const probable = await trainedModel(softprob);
    try {
      expect(probable.hyperparameters).toMatchObject({ objective: 'multi:softprob', num_class: '3' });
      const rows = abaloneRows().slice(0, 300);
      const request = `${encodeRows(softprob.familySchema, rows.map((r) => r.slice(1))).join('\n')}\n`;
      const body = probable.answer(request);
      expect(body.split('\n')[0]).toMatch(/^[0-9.e-]+,[0-9.e-]+,[0-9.e-]+$/);
      const predictions = decodePredictions(softprob.familySchema, body) as ClassificationPrediction[];
      expect(predictions).toHaveLength(rows.length);
      for (const p of predictions) {
        expect(p.objective).toBe('multi:softprob');
        expect(Object.keys(p.probabilities!)).toEqual(['F', 'I', 'M']);
        expect(Object.values(p.probabilities!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(p.probabilities![p.value]).toBe(Math.max(...Object.values(p.probabilities!)));
      }
      // softprob grows the trees softmax grows: the most probable class is softmax's answer.
      const softmax = decodePredictions(ingested.familySchema, trained.answer(request)) as ClassificationPrediction[];
      expect(predictions.map((p) => p.value)).toEqual(softmax.map((p) => p.value));
    } finally {
      probable.model.free();
    }
  });
});
