import LogisticRegression from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';
import MultivariateLinearRegression from 'ml-regression-multivariate-linear';

import type { Hyperparameters, Objective, ProblemType } from './hyperparameters';
import { fitStandardisation, fitWhitening, project, standardise, type Standardisation } from './preprocess';

// The estimators are mljs libraries, chosen by measurement (bench/choose.ts,
// README): ml-regression-multivariate-linear for regression and
// ml-logistic-regression for classification. This file is the glue: scaling,
// ridge penalty, intercept and class-index mapping, (de)serialisation.

export interface Dataset {
  /** One row of numeric features per record. */
  features: number[][];
  labels: number[];
}

export const MODEL_FORMAT = 'mlops-model/1';

interface ArtifactBase {
  format: typeof MODEL_FORMAT;
  objective: Objective;
  problemType: ProblemType;
  featureCount: number;
  hyperparameters: Hyperparameters;
  standardisation: Standardisation;
  /** The library estimator's own JSON, reloaded with its static load(). */
  estimator: unknown;
}

export interface LinearArtifact extends ArtifactBase {
  algorithm: 'linear';
  /** Intercept: the model is fitted on centred labels. */
  labelMean: number;
}

export interface LogisticArtifact extends ArtifactBase {
  algorithm: 'logistic';
  whitening: number[][];
  /** Class index predicted for each estimator output 0..n-1 (the classes seen in training). */
  classes: number[];
}

/** What train writes to model/model.json and serve reads back. */
export type ModelArtifact = LinearArtifact | LogisticArtifact;

/** Predicts one value per row: a regression value or a class index. */
export type Predictor = (rows: number[][]) => number[];

/** Matrix instances become plain arrays, so the artifact in memory equals the one on disk. */
function plainJson(value: object): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function base(data: Dataset, hyperparameters: Hyperparameters) {
  return {
    format: MODEL_FORMAT,
    objective: hyperparameters.objective,
    problemType: hyperparameters.problemType,
    featureCount: data.features[0]?.length ?? 0,
    hyperparameters,
    standardisation: fitStandardisation(data.features),
  } as const;
}

/**
 * Ridge regression through the library's least squares: appending the rows
 * sqrt(lambda) * I with target 0 adds exactly lambda * |w|^2 to the loss. On
 * standardised features and centred labels the unpenalised intercept is the
 * label mean, so the library fits without one.
 */
function fitLinear(data: Dataset, hyperparameters: Hyperparameters): LinearArtifact {
  const head = base(data, hyperparameters);
  const labelMean = mean(data.labels);
  const penalty = Math.sqrt(hyperparameters.lambda);
  const width = head.featureCount;
  const x = data.features
    .map((row) => standardise(row, head.standardisation))
    .concat(Array.from({ length: width }, (_, j) => Array.from({ length: width }, (_, k) => (j === k ? penalty : 0))));
  const y = data.labels.map((label) => [label - labelMean]).concat(Array.from({ length: width }, () => [0]));
  const estimator = new MultivariateLinearRegression(x, y, { intercept: false, statistics: false });
  return { ...head, algorithm: 'linear', labelMean, estimator: plainJson(estimator) };
}

function logisticDesign(rows: number[][], standardisation: Standardisation, whitening: number[][]): Matrix {
  // The library fits no intercept: a constant column provides it.
  return new Matrix(rows.map((row) => [...project(standardise(row, standardisation), whitening), 1]));
}

function fitLogistic(data: Dataset, hyperparameters: Hyperparameters): LogisticArtifact {
  const head = base(data, hyperparameters);
  const whitening = fitWhitening(data.features.map((row) => standardise(row, head.standardisation)));
  // The library numbers its one-vs-rest classifiers 0..n-1 by distinct label
  // count, so labels are mapped onto the classes actually present.
  const classes = [...new Set(data.labels)].sort((a, b) => a - b);
  const position = new Map(classes.map((label, i) => [label, i]));
  const estimator = new LogisticRegression({
    numSteps: hyperparameters.numRound,
    // The library steps along the summed gradient; eta is per-row like XGBoost's.
    learningRate: hyperparameters.eta / data.labels.length,
  });
  estimator.train(
    logisticDesign(data.features, head.standardisation, whitening),
    Matrix.columnVector(data.labels.map((label) => position.get(label)!)),
  );
  return { ...head, algorithm: 'logistic', whitening, classes, estimator: plainJson(estimator) };
}

/** Fits the model the hyperparameters select. `data` must be non-empty with equal-length rows. */
export function fit(data: Dataset, hyperparameters: Hyperparameters): ModelArtifact {
  return hyperparameters.algorithm === 'linear' ? fitLinear(data, hyperparameters) : fitLogistic(data, hyperparameters);
}

export function createPredictor(artifact: ModelArtifact): Predictor {
  const { standardisation } = artifact;
  if (artifact.algorithm === 'linear') {
    const estimator = MultivariateLinearRegression.load(artifact.estimator as MultivariateLinearRegression.MLRModel);
    return (rows) =>
      rows.length === 0
        ? []
        : estimator.predict(rows.map((row) => standardise(row, standardisation))).map((out) => out[0]! + artifact.labelMean);
  }
  const estimator = LogisticRegression.load(artifact.estimator);
  const { whitening, classes } = artifact;
  return (rows) =>
    rows.length === 0 ? [] : estimator.predict(logisticDesign(rows, standardisation, whitening)).map((i) => classes[i]!);
}

/** Checks that parsed model.json is an artifact this version can serve (the library load() checks the estimator). */
export function parseModelArtifact(json: unknown): ModelArtifact {
  const artifact = json as Partial<ModelArtifact> | null;
  if (artifact === null || typeof artifact !== 'object' || artifact.format !== MODEL_FORMAT) {
    throw new Error(`not a model of format ${MODEL_FORMAT}`);
  }
  if (artifact.algorithm !== 'linear' && artifact.algorithm !== 'logistic') {
    throw new Error(`unknown algorithm ${JSON.stringify(artifact.algorithm)}`);
  }
  if (!Number.isInteger(artifact.featureCount) || (artifact.featureCount ?? 0) < 1) {
    throw new Error(`invalid featureCount ${JSON.stringify(artifact.featureCount)}`);
  }
  return artifact as ModelArtifact;
}
