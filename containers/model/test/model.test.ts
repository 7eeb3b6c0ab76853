import { createPredictor, fit, parseHyperparameters, parseModelArtifact, type Dataset, type ModelArtifact } from '../src';

const hyper = (raw: Record<string, string>) => parseHyperparameters(raw).hyperparameters;

/** A deterministic pseudo-random sequence in [0, 1). */
function sequence(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** Points scattered around the given centres, labelled with the centre's index. */
function clusters(centres: number[][], perClass: number, spread: number): Dataset {
  const random = sequence(3);
  const data: Dataset = { features: [], labels: [] };
  centres.forEach((centre, label) => {
    for (let i = 0; i < perClass; i++) {
      data.features.push(centre.map((c) => c + (random() - 0.5) * spread));
      data.labels.push(label);
    }
  });
  return data;
}

const roundTrip = (artifact: ModelArtifact) => parseModelArtifact(JSON.parse(JSON.stringify(artifact)));

describe('linear regression', () => {
  const random = sequence(1);
  const features = Array.from({ length: 200 }, () => [random() * 10, random() * 100 - 50, random()]);
  const relation = ([a, b, c]: number[]) => 3 + 2 * a! - 0.5 * b! + 10 * c!;
  const data: Dataset = { features, labels: features.map(relation) };

  it('recovers an exact linear relation without penalty', () => {
    const artifact = fit(data, hyper({ lambda: '0' }));
    const probe = [
      [1, 2, 3],
      [-4, 0, 0.5],
    ];
    createPredictor(artifact)(probe).forEach((value, i) => expect(value).toBeCloseTo(relation(probe[i]!), 8));
    expect(artifact).toMatchObject({ algorithm: 'linear', problemType: 'regression', featureCount: 3 });
  });

  it('shrinks coefficients as lambda grows', () => {
    const spread = (lambda: string) => {
      const [low, high] = createPredictor(fit(data, hyper({ lambda })))([
        [0, 0, 0],
        [10, 0, 0],
      ]);
      return high! - low!;
    };
    expect(spread('0')).toBeCloseTo(20, 8);
    expect(spread('1')).toBeLessThan(20);
    expect(spread('1')).toBeGreaterThan(19);
    expect(spread('1e6')).toBeLessThan(1);
  });

  it('copes with exactly collinear columns (one-hot plus intercept)', () => {
    const oneHot: Dataset = {
      features: [[1, 0], [0, 1], [1, 0], [0, 1]],
      labels: [5, 7, 5, 7],
    };
    const predict = createPredictor(fit(oneHot, hyper({ lambda: '0' })));
    expect(predict([[1, 0], [0, 1]]).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([5, 7]);
  });

  it('predicts the same after a JSON round trip', () => {
    const artifact = fit(data, hyper({}));
    expect(createPredictor(roundTrip(artifact))(features.slice(0, 5))).toEqual(createPredictor(artifact)(features.slice(0, 5)));
  });
});

describe('logistic classification', () => {
  it('separates two classes with binary:logistic', () => {
    const data = clusters([[0, 0], [5, 5]], 50, 2);
    const artifact = fit(data, hyper({ objective: 'binary:logistic' }));
    expect(createPredictor(artifact)(data.features)).toEqual(data.labels);
    expect(artifact).toMatchObject({ algorithm: 'logistic', problemType: 'classification', classes: [0, 1] });
  });

  it('separates four classes with multi:softmax, also after a JSON round trip', () => {
    const data = clusters([[0, 0, 1], [6, 0, 1], [0, 6, 1], [6, 6, 1]], 40, 2);
    const artifact = roundTrip(fit(data, hyper({ objective: 'multi:softmax', num_class: '4' })));
    expect(createPredictor(artifact)(data.features)).toEqual(data.labels);
    expect(createPredictor(artifact)([[6.2, 5.9, 1]])).toEqual([3]);
  });

  it('predicts class indices even when a class is absent from training', () => {
    const data = clusters([[0, 0], [5, 5]], 30, 2);
    data.labels = data.labels.map((label) => label * 2);
    const artifact = fit(data, hyper({ objective: 'multi:softmax', num_class: '3' }));
    expect(artifact).toMatchObject({ classes: [0, 2] });
    expect(createPredictor(artifact)([[0, 0], [5, 5]])).toEqual([0, 2]);
  });

  it('predicts nothing for no rows', () => {
    expect(createPredictor(fit(clusters([[0], [1]], 5, 0.1), hyper({ objective: 'binary:logistic' })))([])).toEqual([]);
  });
});

describe('parseModelArtifact', () => {
  it.each([
    [null, 'not a model of format mlops-model/1'],
    [{ format: 'other' }, 'not a model of format mlops-model/1'],
    [{ format: 'mlops-model/1', algorithm: 'forest' }, 'unknown algorithm "forest"'],
    [{ format: 'mlops-model/1', algorithm: 'linear', featureCount: 0 }, 'invalid featureCount 0'],
  ])('rejects %j', (json, message) => {
    expect(() => parseModelArtifact(json)).toThrow(message);
  });
});
