/**
 * decodePredictions over answers as SageMaker's XGBoost 1.7-1 writes them (the container's own
 * formatter, offline/sagemaker-xgboost encodePredictions: Python's repr of the float32 prediction,
 * one line per row), against schemas the real mlops_ingest wrote.
 */
import { encodePredictions } from '@mlops/sagemaker-xgboost';
import { decodePredictions, PredictError } from '../src';
import { ABALONE, abaloneRows, ingester, type Ingested } from './support/pipeline';

const ingest = ingester();
const csv = (predictions: number[] | number[][]) => encodePredictions(predictions, 'text/csv', false);
let abalone: Ingested;
let sex: Ingested;
let femaleOrMale: Ingested;
beforeAll(async () => {
  abalone = await ingest({ family: 'abalone', csv: ABALONE });
  sex = await ingest({ family: 'abalone-sex', csv: ABALONE, metadata: { target: 'sex', problem: 'classification' } });
  const adults = abaloneRows().filter((r) => r[0] !== 'I');
  femaleOrMale = await ingest({ family: 'abalone-fm', csv: `${adults.map((r) => r.join(',')).join('\n')}\n`, metadata: { target: 'sex', problem: 'classification' } });
});

function failure(run: () => unknown): PredictError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PredictError);
    expect((error as PredictError).code).toBe('invalid-response');
    return error as PredictError;
  }
  throw new Error('decoded');
}

describe('regression (reg:squarederror)', () => {
  it('answers each row with the number, named by the target', () => {
    const body = csv([9.723464965820312, 7.5, 11]);
    expect(body).toBe('9.723464965820312\n7.5\n11.0\n');
    expect(decodePredictions(abalone.familySchema, body, { rows: 3 })).toEqual([
      { problemType: 'regression', target: 'rings', value: 9.723464965820312 },
      { problemType: 'regression', target: 'rings', value: 7.5 },
      { problemType: 'regression', target: 'rings', value: 11 },
    ]);
  });

  it('refuses an answer with another number of lines, a value that is not a number, or several values per line', () => {
    expect(failure(() => decodePredictions(abalone.familySchema, csv([1, 2]), { rows: 3 })).message).toBe('the endpoint answered 2 prediction lines for 3 rows');
    expect(failure(() => decodePredictions(abalone.familySchema, '9.5\nnan\n')).message).toBe("prediction 2 ('nan'): 'nan' is not a number");
    expect(failure(() => decodePredictions(abalone.familySchema, '0.1,0.9\n')).message).toBe("prediction 1 ('0.1,0.9'): a regression model answers one value per row, this line has 2");
  });
});

describe('classification', () => {
  it("multi:softmax (the pipeline's): the class index, as the class name", () => {
    expect(decodePredictions(sex.familySchema, csv([2, 0, 1]), { rows: 3 })).toEqual([
      { problemType: 'classification', target: 'sex', value: 'M', classIndex: 2, objective: 'multi:softmax' },
      { problemType: 'classification', target: 'sex', value: 'F', classIndex: 0, objective: 'multi:softmax' },
      { problemType: 'classification', target: 'sex', value: 'I', classIndex: 1, objective: 'multi:softmax' },
    ]);
    // Two classes under the pipeline's objective: still an index.
    expect(decodePredictions(femaleOrMale.familySchema, csv([1, 0])).map((p) => p.value)).toEqual(['M', 'F']);
  });

  it('refuses an index that names no class', () => {
    expect(failure(() => decodePredictions(sex.familySchema, csv([3]))).message).toBe("prediction 1 ('3.0'): 3 is not a class index (multi:softmax answers 0 to 2, the indexes of 'F', 'I', 'M')");
    expect(failure(() => decodePredictions(sex.familySchema, csv([0.5]))).message).toContain('0.5 is not a class index');
  });

  it('binary:logistic: the probability of the second class, read by its shape or by the objective named', () => {
    const body = csv([0.8125, 0.25]);
    const expected = [
      { problemType: 'classification', target: 'sex', value: 'M', classIndex: 1, probabilities: { F: 0.1875, M: 0.8125 }, objective: 'binary:logistic' },
      { problemType: 'classification', target: 'sex', value: 'F', classIndex: 0, probabilities: { F: 0.75, M: 0.25 }, objective: 'binary:logistic' },
    ];
    expect(decodePredictions(femaleOrMale.familySchema, body)).toEqual(expected);
    expect(decodePredictions(femaleOrMale.familySchema, body, { objective: 'binary:logistic' })).toEqual(expected);
    expect(decodePredictions(femaleOrMale.familySchema, csv([1]), { objective: 'binary:logistic' })[0]).toMatchObject({ value: 'M', probabilities: { F: 0, M: 1 } });
    expect(failure(() => decodePredictions(sex.familySchema, body, { objective: 'binary:logistic' })).message).toContain('binary:logistic needs two classes, the family has 3');
    expect(failure(() => decodePredictions(femaleOrMale.familySchema, csv([1.5]), { objective: 'binary:logistic' })).message).toContain('1.5 is not a probability');
  });

  it('multi:softprob: one probability per class, the most probable named', () => {
    const body = csv([
      [0.125, 0.25, 0.625],
      [0.5, 0.25, 0.25],
    ]);
    expect(body).toBe('0.125,0.25,0.625\n0.5,0.25,0.25\n');
    expect(decodePredictions(sex.familySchema, body, { rows: 2 })).toEqual([
      { problemType: 'classification', target: 'sex', value: 'M', classIndex: 2, probabilities: { F: 0.125, I: 0.25, M: 0.625 }, objective: 'multi:softprob' },
      { problemType: 'classification', target: 'sex', value: 'F', classIndex: 0, probabilities: { F: 0.5, I: 0.25, M: 0.25 }, objective: 'multi:softprob' },
    ]);
    expect(failure(() => decodePredictions(sex.familySchema, '0.5,0.5\n', { objective: 'multi:softprob' })).message).toBe("prediction 1 ('0.5,0.5'): multi:softprob answers one probability per class (3), this line has 2");
  });
});
