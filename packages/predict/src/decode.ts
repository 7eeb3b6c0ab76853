/**
 * The endpoint's text/csv answer → predictions in the dataset's terms. SageMaker's XGBoost answers one
 * line per row, the line depending on the model's objective (services/mlops_train sets it):
 *
 * - regression, `reg:squarederror` (the pipeline's): the predicted value, `9.723464965820312`;
 * - classification, `multi:softmax` (the pipeline's, for two classes too): the class index as a float,
 *   `2.0`, an index into the schema's classes (no probabilities: the objective gives none);
 * - `binary:logistic` (a run's override, two classes): the probability of the second class, `0.73`;
 * - `multi:softprob` (a run's override): one probability per class, `0.1,0.7,0.2`.
 *
 * Without `objective`, a classification line is read by its shape: as many values as classes is
 * softprob; one whole number below the class count is softmax's index; otherwise, with two classes,
 * one value in [0, 1] is binary:logistic's probability (exactly 0 or 1 reads as an index, which names
 * the same class).
 */
import { PredictError } from './errors';
import { resolveSchema, type PredictSchema } from './schema';

export const CLASSIFICATION_OBJECTIVES = ['multi:softmax', 'binary:logistic', 'multi:softprob'] as const;
export type ClassificationObjective = (typeof CLASSIFICATION_OBJECTIVES)[number];

export interface RegressionPrediction {
  problemType: 'regression';
  /** The label's name in the dataset (`rings`). */
  target: string;
  value: number;
}

export interface ClassificationPrediction {
  problemType: 'classification';
  target: string;
  /** The predicted class, as the dataset writes it. */
  value: string;
  /** Its index in the schema's classes (the model's numbering). */
  classIndex: number;
  /** binary:logistic and multi:softprob: each class's probability, by class name. */
  probabilities?: Record<string, number>;
  /** How the line was read. */
  objective: ClassificationObjective;
}

export type Prediction = RegressionPrediction | ClassificationPrediction;

export interface DecodeOptions {
  /** The classification model's objective, when known; else each line is read by its shape (see above). */
  objective?: ClassificationObjective;
  /** How many rows were sent: a different number of lines is an error. */
  rows?: number;
}

/** The answer's lines: `\n`-separated, a final newline and CRs dropped, blank lines (a trailing one) skipped. */
function answerLines(body: string): string[] {
  return body
    .split('\n')
    .map((l) => l.replace(/\r$/, '').trim())
    .filter((l) => l !== '');
}

export function decodePredictions(schema: PredictSchema, body: string, options: DecodeOptions = {}): Prediction[] {
  const { label } = resolveSchema(schema);
  const lines = answerLines(body);
  if (options.rows !== undefined && lines.length !== options.rows) {
    throw new PredictError('invalid-response', `the endpoint answered ${lines.length} prediction line${lines.length === 1 ? '' : 's'} for ${options.rows} row${options.rows === 1 ? '' : 's'}`);
  }
  return lines.map((line, i): Prediction => {
    const fail = (reason: string) => new PredictError('invalid-response', `prediction ${i + 1} ('${line.length > 80 ? `${line.slice(0, 80)}...` : line}'): ${reason}`, { row: i + 1 });
    const values = line.split(',').map((field) => {
      const text = field.trim();
      const value = text === '' ? NaN : Number(text);
      if (!Number.isFinite(value)) throw fail(`'${text}' is not a number`);
      return value;
    });
    if (label.problemType === 'regression') {
      if (values.length !== 1) throw fail(`a regression model answers one value per row, this line has ${values.length}`);
      return { problemType: 'regression', target: label.name, value: values[0]! };
    }
    const classes = label.classes!;
    const k = classes.length;
    const isIndex = (v: number) => Number.isInteger(v) && v >= 0 && v < k;
    const objective: ClassificationObjective =
      options.objective ?? (values.length === k ? 'multi:softprob' : values.length === 1 && !isIndex(values[0]!) && k === 2 ? 'binary:logistic' : 'multi:softmax');
    const named = (index: number, probabilities?: number[]): ClassificationPrediction => ({
      problemType: 'classification',
      target: label.name,
      value: classes[index]!,
      classIndex: index,
      ...(probabilities ? { probabilities: Object.fromEntries(classes.map((c, j) => [c, probabilities[j]!])) } : {}),
      objective,
    });
    if (objective === 'multi:softprob') {
      if (values.length !== k) throw fail(`multi:softprob answers one probability per class (${k}), this line has ${values.length}`);
      // The first of the most probable, as XGBoost's argmax (multi:softmax) picks it.
      const best = values.reduce((top, v, j) => (v > values[top]! ? j : top), 0);
      return named(best, values);
    }
    if (values.length !== 1) throw fail(`${objective} answers one value per row, this line has ${values.length} (the family has ${k} classes)`);
    const value = values[0]!;
    if (objective === 'binary:logistic') {
      if (k !== 2) throw fail(`binary:logistic needs two classes, the family has ${k}`);
      if (value < 0 || value > 1) throw fail(`${value} is not a probability`);
      // XGBoost's classifiers call a probability above one half the positive (second) class.
      return named(value > 0.5 ? 1 : 0, [1 - value, value]);
    }
    if (!isIndex(value)) throw fail(`${value} is not a class index (multi:softmax answers 0 to ${k - 1}, the indexes of ${classes.map((c) => `'${c}'`).join(', ')})`);
    return named(value);
  });
}
