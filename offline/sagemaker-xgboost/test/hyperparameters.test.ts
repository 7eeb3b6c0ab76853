import { UserError, validateHyperparameters } from '../src';

const base = { num_round: '10' };

describe('validateHyperparameters', () => {
  it.each([
    ['an unknown name', { ...base, max_dept: '5' }, 'Extraneous hyperparameter found: max_dept'],
    ['a value out of range', { ...base, eta: '1.5' }, 'Hyperparameter eta: 1.5 is not in [0, 1]'],
    ['an open bound', { ...base, subsample: '0' }, 'Hyperparameter subsample: 0.0 is not in (0, 1]'],
    ['a wrong type', { ...base, max_depth: 'five' }, "Hyperparameter max_depth: could not parse value 'five' as an integer (caused by ValueError)"],
    ['a float for an integer', { ...base, num_round: '2.5' }, "Hyperparameter num_round: could not parse value '2.5' as an integer (caused by ValueError)"],
    ['a missing num_round', { eta: '0.1' }, 'Missing required hyperparameter: num_round'],
    ['num_round below 1', { num_round: '0' }, 'Hyperparameter num_round: 0 is not in [1, +inf)'],
    ['multi:softmax without num_class', { ...base, objective: 'multi:softmax' }, "Require input for parameter 'num_class' for multi-classification"],
    ['an unknown objective', { ...base, objective: 'reg:foo' }, /^Hyperparameter objective: reg:foo is not in \['aft_loss_distribution', 'binary:logistic'/],
    ['an unknown eval_metric', { ...base, eval_metric: 'rmse,foo' }, /^Hyperparameter eval_metric: value \['rmse', 'foo'\] not in range \[/],
    ['auc for regression', { ...base, eval_metric: 'auc' }, "Metric 'auc' can only be applied for classification and ranking problems."],
    ['an unknown tree_method', { ...base, tree_method: 'fast' }, "Hyperparameter tree_method: fast is not in ['auto', 'exact', 'approx', 'hist', 'gpu_hist']"],
    ['gpu_hist', { ...base, tree_method: 'gpu_hist' }, /^Hyperparameter tree_method: gpu_hist needs a GPU/],
    ['early stopping', { ...base, early_stopping_rounds: '5' }, /^Hyperparameter early_stopping_rounds: early stopping is not emulated/],
    ['num_class below 2', { ...base, objective: 'multi:softprob', num_class: '1' }, 'Hyperparameter num_class: 1 is not in [2, +inf)'],
  ])('refuses %s, naming the hyperparameter', (_, hyperparameters, message) => {
    const run = () => validateHyperparameters(hyperparameters);
    expect(run).toThrow(UserError);
    expect(run).toThrow(message);
  });

  it('hands XGBoost what the container hands it: str() of each parsed value', () => {
    const hp = validateHyperparameters({
      objective: 'reg:squarederror',
      num_round: '50',
      max_depth: '5',
      learning_rate: '0.2',
      gamma: '4',
      subsample: '0.7',
      csv_weights: '0',
      sagemaker_estimator_class_name: 'Estimator',
    });
    expect(hp.numRound).toBe(50);
    expect(hp.params).toEqual([
      ['objective', 'reg:squarederror'],
      ['max_depth', '5'],
      ['eta', '0.2'],
      ['gamma', '4.0'],
      ['subsample', '0.7'],
      ['csv_weights', '0'],
    ]);
    expect(hp.ignored).toEqual(['sagemaker_estimator_class_name']);
  });

  it('splits eval_metric between XGBoost and the container, adding the tuning objective', () => {
    const hp = validateHyperparameters({
      ...base,
      objective: 'binary:logistic',
      eval_metric: 'auc,error@0.7',
      _tuning_objective_metric: 'validation:f1',
    });
    expect(hp.customMetrics).toEqual(['f1']);
    expect(hp.params.filter(([name]) => name === 'eval_metric').map(([, v]) => v)).toEqual(['auc', 'error@0.7']);
    expect(hp.params.map(([name]) => name)).not.toContain('_tuning_objective_metric');
  });
});
