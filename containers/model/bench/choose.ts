// Measures the candidate libraries on abalone and prints the README's table.
//   pnpm --filter @mlops/model bench [path/to/abalone.data] [splits]
// Regression: rings from one-hot sex + 7 measurements. Classification: sex
// (M/F/I) from the measurements and rings, and rings binned into 3 classes
// (<=8, 9-10, >=11) from one-hot sex + measurements. Each split is a seeded
// 70/15/15 shuffle; the 15% test part is scored, the middle 15% is unused here.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { DecisionTreeClassifier, DecisionTreeRegression } from 'ml-cart';
import KNN from 'ml-knn';
import LogisticRegression from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';
import { GaussianNB } from 'ml-naivebayes';
import MultivariateLinearRegression from 'ml-regression-multivariate-linear';

import { parseHyperparameters } from '../src/hyperparameters';
import { classificationMetrics, regressionMetrics } from '../src/metrics';
import { createPredictor, fit, type Dataset } from '../src/model';
import { fitStandardisation, standardise } from '../src/preprocess';

type Task = 'regression' | 'sex' | 'rings3';
type Candidate = { name: string; task: Task; train: (data: Dataset) => (rows: number[][]) => number[] };

const file = process.argv[2] ?? path.resolve(__dirname, '../../../../shared/data/abalone.data');
const splits = Number(process.argv[3] ?? 3);

const SEXES = ['M', 'F', 'I'];
const records = readFileSync(file, 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split(','));

function taskData(task: Task, order: number[]): Dataset {
  const rows = order.map((i) => records[i]!);
  const measurements = (r: string[]) => r.slice(1, 8).map(Number);
  const oneHot = (r: string[]) => SEXES.map((s) => (r[0] === s ? 1 : 0));
  const rings = (r: string[]) => Number(r[8]);
  if (task === 'sex') {
    return { features: rows.map((r) => [...measurements(r), rings(r)]), labels: rows.map((r) => SEXES.indexOf(r[0]!)) };
  }
  const features = rows.map((r) => [...oneHot(r), ...measurements(r)]);
  const bin = (n: number) => (n <= 8 ? 0 : n <= 10 ? 1 : 2);
  return { features, labels: rows.map((r) => (task === 'regression' ? rings(r) : bin(rings(r)))) };
}

function shuffled(seed: number): number[] {
  // A small LCG keeps the splits reproducible without a dependency.
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const order = records.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function split(data: Dataset): { train: Dataset; test: Dataset } {
  const n = data.labels.length;
  const [trainEnd, testStart] = [Math.floor(n * 0.7), Math.floor(n * 0.85)];
  return {
    train: { features: data.features.slice(0, trainEnd), labels: data.labels.slice(0, trainEnd) },
    test: { features: data.features.slice(testStart), labels: data.labels.slice(testStart) },
  };
}

/** Library estimators on standardised features, as each one's README suggests using them. */
function scaled(train: Dataset, make: (x: number[][], y: number[]) => (x: number[][]) => number[]) {
  const s = fitStandardisation(train.features);
  const predict = make(train.features.map((r) => standardise(r, s)), train.labels);
  return (rows: number[][]) => predict(rows.map((r) => standardise(r, s)));
}

function ours(objective: string, extra: Record<string, string> = {}) {
  const numClass = objective === 'multi:softmax' ? { num_class: '3' } : {};
  const { hyperparameters } = parseHyperparameters({ objective, ...numClass, ...extra });
  return (train: Dataset) => createPredictor(fit(train, hyperparameters));
}

/** Stochastic gradient boosting over ml-cart trees: ml-cart's split search is O(n^2) per node, so each tree sees 256 rows. */
function boostedCart(train: Dataset, rounds: number, eta: number) {
  const mean = train.labels.reduce((a, b) => a + b, 0) / train.labels.length;
  const fitted = train.labels.map(() => mean);
  const trees: DecisionTreeRegression[] = [];
  const order = shuffled(7);
  for (let round = 0; round < rounds; round++) {
    const sample = Array.from({ length: 256 }, (_, i) => order[(round * 256 + i) % order.length]! % train.labels.length);
    const tree = new DecisionTreeRegression({ maxDepth: 3, minNumSamples: 5 });
    tree.train(sample.map((i) => train.features[i]!), sample.map((i) => train.labels[i]! - fitted[i]!));
    tree.predict(train.features).forEach((v, i) => (fitted[i]! += eta * v));
    trees.push(tree);
  }
  return (rows: number[][]) =>
    trees.reduce((sum, tree) => {
      const step = tree.predict(rows);
      return sum.map((v, i) => v + eta * step[i]!);
    }, rows.map(() => mean));
}

const classifiers = (task: Task, objective: string): Candidate[] => [
  { name: 'ml-logistic-regression, standardised, 200 steps', task, train: (d) => scaled(d, (x, y) => {
    const m = new LogisticRegression({ numSteps: 200, learningRate: 0.3 / y.length });
    m.train(new Matrix(x.map((r) => [...r, 1])), Matrix.columnVector(y));
    return (rows) => m.predict(new Matrix(rows.map((r) => [...r, 1])));
  }) },
  { name: 'ml-logistic-regression, whitened, 200 steps (chosen)', task, train: ours(objective) },
  { name: 'ml-naivebayes GaussianNB', task, train: (d) => scaled(d, (x, y) => {
    const m = new GaussianNB();
    m.train(x, y);
    return (rows) => m.predict(rows);
  }) },
  { name: 'ml-knn k=15', task, train: (d) => scaled(d, (x, y) => {
    const m = new KNN(x, y, { k: 15 });
    return (rows) => m.predict(rows);
  }) },
  { name: 'ml-cart DecisionTreeClassifier depth 5', task, train: (d) => {
    const m = new DecisionTreeClassifier({ maxDepth: 5 });
    m.train(d.features, d.labels);
    return (rows) => m.predict(rows);
  } },
];

const candidates: Candidate[] = [
  { name: 'ml-regression-multivariate-linear (OLS)', task: 'regression', train: (d) => {
    const m = new MultivariateLinearRegression(d.features, d.labels.map((v) => [v]), { statistics: false });
    return (rows) => m.predict(rows).map((out) => out[0]!);
  } },
  { name: 'ml-regression-multivariate-linear + ridge, lambda=1 (chosen)', task: 'regression', train: ours('reg:squarederror') },
  { name: 'ml-cart DecisionTreeRegression depth 5', task: 'regression', train: (d) => {
    const m = new DecisionTreeRegression({ maxDepth: 5 });
    m.train(d.features, d.labels);
    return (rows) => m.predict(rows);
  } },
  { name: 'gradient-boosted ml-cart, 30 trees depth 3', task: 'regression', train: (d) => boostedCart(d, 30, 0.3) },
  ...classifiers('sex', 'multi:softmax'),
  ...classifiers('rings3', 'multi:softmax'),
];

function timed<T>(f: () => T): [T, number] {
  const start = performance.now();
  const result = f();
  return [result, performance.now() - start];
}

const fmt = (v: number, digits: number) => v.toFixed(digits);
console.log(`abalone, ${splits} seeded 70/15/15 splits, mean over splits (min-max of the test metric)\n`);
console.log('| task | candidate | train ms | predict rows/s | test metric |');
console.log('| --- | --- | ---: | ---: | --- |');
for (const candidate of candidates) {
  const scores: number[] = [];
  let trainMs = 0;
  let predictMs = 0;
  let predicted = 0;
  for (let seed = 1; seed <= splits; seed++) {
    const { train, test } = split(taskData(candidate.task, shuffled(seed * 7919)));
    const [predict, ms] = timed(() => candidate.train(train));
    const [out, pms] = timed(() => predict(test.features));
    trainMs += ms;
    predictMs += pms;
    predicted += out.length;
    scores.push(
      candidate.task === 'regression'
        ? regressionMetrics(out, test.labels).mse!
        : classificationMetrics(out, test.labels, 3).accuracy!,
    );
  }
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const metric = candidate.task === 'regression' ? 'MSE' : 'accuracy';
  const range = `${fmt(Math.min(...scores), 3)}-${fmt(Math.max(...scores), 3)}`;
  const rate = Math.round(predicted / (predictMs / 1000));
  console.log(`| ${candidate.task} | ${candidate.name} | ${fmt(trainMs / splits, 0)} | ${rate} | ${metric} ${fmt(mean, 3)} (${range}) |`);
}
