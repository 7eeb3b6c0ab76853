import { parseHyperparameters, ValueError } from '../src';

describe('parseHyperparameters', () => {
  it('defaults to XGBoost-compatible regression', () => {
    expect(parseHyperparameters({})).toEqual({
      hyperparameters: {
        objective: 'reg:squarederror',
        problemType: 'regression',
        algorithm: 'linear',
        lambda: 1,
        eta: 0.3,
        numRound: 200,
      },
      ignored: [],
    });
  });

  it('reads string values, aliases and ignores names it does not use', () => {
    const { hyperparameters, ignored } = parseHyperparameters({
      objective: 'multi:softmax',
      num_class: '4',
      learning_rate: '0.5',
      reg_lambda: '0',
      num_round: 50,
      max_depth: '6',
      subsample: '0.8',
      sagemaker_program: 'x',
    });
    expect(hyperparameters).toEqual({
      objective: 'multi:softmax',
      problemType: 'classification',
      algorithm: 'logistic',
      numClass: 4,
      lambda: 0,
      eta: 0.5,
      numRound: 50,
    });
    expect(ignored).toEqual(['max_depth', 'subsample', 'sagemaker_program']);
  });

  it('treats reg:linear as squared-error regression and binary:logistic as two classes', () => {
    expect(parseHyperparameters({ objective: 'reg:linear' }).hyperparameters).toMatchObject({
      problemType: 'regression',
      algorithm: 'linear',
    });
    expect(parseHyperparameters({ objective: 'binary:logistic' }).hyperparameters).toMatchObject({
      problemType: 'classification',
      numClass: 2,
    });
  });

  it.each([
    [
      { objective: 'foo' },
      "hyperparameter 'objective' must be one of reg:squarederror, reg:linear, binary:logistic, multi:softmax (got 'foo')",
    ],
    [{ objective: 'multi:softmax', num_class: '-1' }, "hyperparameter 'num_class' must be an integer >= 2 (got '-1')"],
    [{ objective: 'multi:softmax', num_class: '2.5' }, "hyperparameter 'num_class' must be an integer >= 2 (got '2.5')"],
    [{ objective: 'multi:softmax' }, "hyperparameter 'num_class' is required when objective is multi:softmax"],
    [{ objective: 'binary:logistic', num_class: '3' }, "hyperparameter 'num_class' must be 2 when objective is binary:logistic (got '3')"],
    [{ num_class: 'many' }, "hyperparameter 'num_class' must be an integer >= 2 (got 'many')"],
    [{ eta: 'abc' }, "hyperparameter 'eta' must be a number in (0, 1] (got 'abc')"],
    [{ learning_rate: '0' }, "hyperparameter 'learning_rate' must be a number in (0, 1] (got '0')"],
    [{ eta: '' }, "hyperparameter 'eta' must be a number in (0, 1] (got '')"],
    [{ lambda: '-1' }, "hyperparameter 'lambda' must be a number >= 0 (got '-1')"],
    [{ num_round: '0' }, "hyperparameter 'num_round' must be an integer in [1, 100000] (got '0')"],
    [{ algorithm: 'forest' }, "hyperparameter 'algorithm' must be one of linear, logistic (got 'forest')"],
    [
      { algorithm: 'logistic' },
      "hyperparameter 'algorithm' logistic cannot be used with objective reg:squarederror (use linear)",
    ],
    [{ lambda: '1', l2: '2' }, "hyperparameters 'lambda' and 'l2' are aliases of each other; set only one"],
    [{ eta: true }, "hyperparameter 'eta' must be a string (got true)"],
  ])('rejects %j', (raw, message) => {
    expect(() => parseHyperparameters(raw)).toThrow(new ValueError(message));
  });
});
