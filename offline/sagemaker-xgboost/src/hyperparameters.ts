import { UserError } from './errors';
import { pyRepr } from './format';

// The hyperparameters of SageMaker's XGBoost 1.7-1 algorithm mode, with the
// names, types, ranges and messages of the container's validation
// (algorithm_mode/hyperparameter_validation.py and the algorithm toolkit).

/** Evaluation metrics the container knows (xgb_constants.py): objective-metric names are `validation:<metric>`. */
export const MAXIMIZE_METRICS = [
  'accuracy', 'auc', 'aucpr', 'balanced_accuracy', 'f1', 'f1_binary', 'f1_macro', 'map', 'ndcg', 'precision', 'r2',
  'recall', 'precision_macro', 'precision_micro', 'recall_macro', 'recall_micro',
];
export const MINIMIZE_METRICS = [
  'aft-nloglik', 'cox-nloglik', 'error', 'gamma-deviance', 'gamma-nloglik', 'interval-regression-accuracy', 'logloss',
  'mae', 'mape', 'merror', 'mlogloss', 'mphe', 'mse', 'poisson-nloglik', 'rmse', 'rmsle', 'tweedie-nloglik',
];
const METRICS = [...MAXIMIZE_METRICS, ...MINIMIZE_METRICS];

export const OBJECTIVES = [
  'aft_loss_distribution', 'binary:logistic', 'binary:logitraw', 'binary:hinge', 'count:poisson', 'multi:softmax',
  'multi:softprob', 'rank:pairwise', 'rank:ndcg', 'rank:map', 'reg:linear', 'reg:squarederror', 'reg:logistic',
  'reg:gamma', 'reg:pseudohubererror', 'reg:squaredlogerror', 'reg:absoluteerror', 'reg:tweedie', 'survival:aft',
  'survival:cox',
];

const TREE_UPDATERS = ['grow_colmaker', 'distcol', 'grow_histmaker', 'grow_skmaker', 'sync', 'refresh', 'prune', 'grow_quantile_histmaker'];
const TREE_GROWERS = ['grow_colmaker', 'distcol', 'grow_histmaker', 'grow_quantile_histmaker'];
const LINEAR_UPDATERS = ['shotgun', 'coord_descent'];
const UPDATERS = ['grow_colmaker', 'distcol', 'grow_histmaker', 'grow_skmaker', 'sync', 'refresh', 'prune', 'shotgun', 'coord_descent'];

/** Bounds as the toolkit's Interval; the strings keep Python's spelling for messages ("[0, 1]", "(1.0, +inf)"). */
interface Interval {
  minOpen?: string;
  minClosed?: string;
  maxOpen?: string;
  maxClosed?: string;
}

function inInterval(value: number, r: Interval): boolean {
  return !(
    (r.minOpen !== undefined && value <= Number(r.minOpen)) ||
    (r.minClosed !== undefined && value < Number(r.minClosed)) ||
    (r.maxOpen !== undefined && value >= Number(r.maxOpen)) ||
    (r.maxClosed !== undefined && value > Number(r.maxClosed))
  );
}

function intervalText(r: Interval): string {
  const low = r.minOpen !== undefined ? `(${r.minOpen}` : r.minClosed !== undefined ? `[${r.minClosed}` : '(-inf';
  const high = r.maxOpen !== undefined ? `${r.maxOpen})` : r.maxClosed !== undefined ? `${r.maxClosed}]` : '+inf)';
  return `${low}, ${high}`;
}

/** Python's str() of a list of strings. */
const pyList = (values: readonly string[]) => `[${values.map((v) => `'${v}'`).join(', ')}]`;

type Spec =
  | { type: 'integer'; range: Interval }
  | { type: 'continuous'; range: Interval }
  | { type: 'categorical'; values: readonly string[] }
  | { type: 'list'; accepts: (item: string) => boolean; rangeText: string }
  | { type: 'tuple' }
  | { type: 'nested' };

const int = (range: Interval): Spec => ({ type: 'integer', range });
const float = (range: Interval): Spec => ({ type: 'continuous', range });
const oneOf = (...values: string[]): Spec => ({ type: 'categorical', values });
const unit: Interval = { minClosed: '0', maxClosed: '1' };
const fraction: Interval = { minOpen: '0', maxClosed: '1' };
const nonNegative: Interval = { minClosed: '0' };

function acceptsMetric(metric: string): boolean {
  if (metric.includes('<function')) throw new UserError(`User defined evaluation metric ${metric} is not supported yet.`);
  if (!metric.includes('@')) return METRICS.includes(metric);
  const [name = '', threshold = ''] = metric.split('@').map((s) => s.trim());
  if (!['error', 'ndcg', 'map'].includes(name)) {
    throw new UserError(
      `Metric '${metric}' is not supported. Parameter 'eval_metric' with customized threshold should be one of these options: 'error', 'ndcg', 'map'.`,
    );
  }
  if (parsePythonFloat(threshold) === undefined) throw new UserError(`Threshold value 't' in '${name}@t' expects float input.`);
  return true;
}

export const HYPERPARAMETERS: Readonly<Record<string, Spec>> = {
  num_round: int({ minClosed: '1' }),
  csv_weights: int(unit),
  early_stopping_rounds: int({ minClosed: '1' }),
  booster: oneOf('gbtree', 'gblinear', 'dart'),
  verbosity: int({ minClosed: '0', maxClosed: '3' }),
  nthread: int({ minClosed: '1' }),
  eta: float(unit),
  gamma: float(nonNegative),
  max_depth: int(nonNegative),
  min_child_weight: float(nonNegative),
  max_delta_step: float(nonNegative),
  subsample: float(fraction),
  colsample_bytree: float(fraction),
  colsample_bylevel: float(fraction),
  colsample_bynode: float(fraction),
  lambda: float(nonNegative),
  alpha: float(nonNegative),
  tree_method: oneOf('auto', 'exact', 'approx', 'hist', 'gpu_hist'),
  sketch_eps: float({ minOpen: '0', maxOpen: '1' }),
  scale_pos_weight: float({ minOpen: '0' }),
  updater: { type: 'list', accepts: (u) => UPDATERS.includes(u), rangeText: pyList(UPDATERS) },
  dsplit: oneOf('row', 'col'),
  refresh_leaf: int(unit),
  process_type: oneOf('default', 'update'),
  grow_policy: oneOf('depthwise', 'lossguide'),
  max_leaves: int(nonNegative),
  max_bin: int(nonNegative),
  predictor: oneOf('auto', 'cpu_predictor', 'gpu_predictor'),
  monotone_constraints: { type: 'tuple' },
  interaction_constraints: { type: 'nested' },
  sample_type: oneOf('uniform', 'weighted'),
  normalize_type: oneOf('tree', 'forest'),
  rate_drop: float(unit),
  one_drop: int(unit),
  skip_drop: float(unit),
  lambda_bias: float(unit),
  tweedie_variance_power: float({ minOpen: '1', maxOpen: '2' }),
  objective: oneOf(...OBJECTIVES),
  num_class: int({ minClosed: '2' }),
  base_score: float(nonNegative),
  _kfold: int({ minClosed: '2' }),
  _num_cv_round: int({ minClosed: '1' }),
  _tuning_objective_metric: oneOf(...METRICS.map((m) => `validation:${m}`)),
  eval_metric: { type: 'list', accepts: acceptsMetric, rangeText: pyList(METRICS) },
  seed: int({ minOpen: '-2147483648', maxOpen: '2147483647' }),
  num_parallel_tree: int({ minClosed: '1' }),
  save_model_on_termination: oneOf('true', 'false'),
  aft_loss_distribution: oneOf('normal', 'logistic', 'extreme'),
  aft_loss_distribution_scale: float(nonNegative),
  deterministic_histogram: oneOf('true', 'false'),
  sampling_method: oneOf('uniform', 'gradient_based'),
  prob_buffer_row: int({ minOpen: '1.0' }),
  use_dask_gpu_training: oneOf('true', 'false'),
};

/** XGBoost's alternative names, replaced before validation as the container does. */
export const ALIASES: Readonly<Record<string, string>> = {
  learning_rate: 'eta',
  min_split_loss: 'gamma',
  reg_lambda: 'lambda',
  reg_alpha: 'alpha',
};

/** What the offline emulation cannot do, though the container accepts it. */
const NOT_EMULATED: Record<string, (value: string) => string | undefined> = {
  tree_method: (v) => (v === 'gpu_hist' ? 'gpu_hist needs a GPU' : undefined),
  predictor: (v) => (v === 'gpu_predictor' ? 'gpu_predictor needs a GPU' : undefined),
  use_dask_gpu_training: (v) => (v === 'true' ? 'Dask GPU training needs GPUs and several hosts' : undefined),
  _kfold: () => 'k-fold cross-validation is not emulated',
  early_stopping_rounds: () => 'early stopping is not emulated',
};

/** Python's int(): optional sign, digits, single underscores between digits, surrounding whitespace. */
export function parsePythonInt(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(t)) return undefined;
  const n = Number(t.replaceAll('_', ''));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Python's float() for finite values: decimal or exponent notation, surrounding whitespace. */
export function parsePythonFloat(text: string): number | undefined {
  const t = text.trim().replaceAll(/(?<=\d)_(?=\d)/g, '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

export interface ValidatedHyperparameters {
  /** Validated values as the container holds them after parsing (numbers, strings, string lists). */
  values: Record<string, number | string | string[]>;
  /** num_round: boosting rounds. */
  numRound: number;
  /** What the container hands to xgb.train as params, as (name, str(value)) pairs in order. */
  params: [string, string][];
  /** eval_metric entries the container computes itself in Python (custom_metrics.py), not XGBoost. */
  customMetrics: string[];
  csvWeights: boolean;
  /** Keys ignored on purpose (SageMaker's own `sagemaker_*`). */
  ignored: string[];
}

/** Keys the container pops before xgb.train (algorithm_mode/train.py). */
const NOT_PARAMS = new Set(['num_round', 'save_model_on_termination', '_tuning_objective_metric', 'eval_metric', 'early_stopping_rounds', '_kfold', '_num_cv_round', 'use_dask_gpu_training']);

/** Computed by the container with scikit-learn through `feval` (custom_metrics.py). */
export const CUSTOM_METRICS = [
  'accuracy', 'balanced_accuracy', 'f1', 'f1_binary', 'f1_macro', 'mse', 'rmse', 'mae', 'precision', 'precision_macro',
  'precision_micro', 'r2', 'recall', 'recall_macro', 'recall_micro',
];

function parseValue(name: string, spec: Spec, raw: string): number | string | string[] {
  const unparsable = (expected: string) =>
    new UserError(`Hyperparameter ${name}: could not parse value '${raw}' as ${expected} (caused by ValueError)`);
  switch (spec.type) {
    case 'integer': {
      const n = parsePythonInt(raw);
      if (n === undefined) throw unparsable('an integer');
      return n;
    }
    case 'continuous': {
      const n = parsePythonFloat(raw);
      if (n === undefined) throw unparsable('a float');
      return n;
    }
    case 'list':
      return raw.split(',');
    case 'tuple': {
      const items = raw.trim().replace(/^\(|\)$/g, '').split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (items.length === 0 || items.some((s) => parsePythonInt(s) === undefined)) throw unparsable('a tuple of integers like (1,0,-1)');
      return items;
    }
    case 'nested': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw unparsable('a list of lists of feature indices like [[0, 1], [2, 3]]');
      }
      if (!Array.isArray(parsed) || !parsed.every((g) => Array.isArray(g) && g.every((i) => Number.isInteger(i)))) {
        throw unparsable('a list of lists of feature indices like [[0, 1], [2, 3]]');
      }
      return (parsed as number[][]).map((g) => `[${g.join(', ')}]`);
    }
    case 'categorical':
      return raw;
  }
}

function checkRange(name: string, spec: Spec, value: number | string | string[]): void {
  switch (spec.type) {
    case 'integer':
    case 'continuous': {
      const n = value as number;
      if (!inInterval(n, spec.range)) {
        const shown = spec.type === 'integer' ? String(n) : pyRepr(n);
        throw new UserError(`Hyperparameter ${name}: ${shown} is not in ${intervalText(spec.range)}`);
      }
      return;
    }
    case 'categorical':
      if (!spec.values.includes(value as string)) throw new UserError(`Hyperparameter ${name}: ${value as string} is not in ${pyList(spec.values)}`);
      return;
    case 'list': {
      const items = value as string[];
      if (!items.every((item) => spec.accepts(item))) {
        throw new UserError(`Hyperparameter ${name}: value ${pyList(items)} not in range ${spec.rangeText}`);
      }
      return;
    }
    case 'tuple':
      if (!(value as string[]).every((v) => ['-1', '0', '1'].includes(String(parsePythonInt(v))))) {
        throw new UserError(`Hyperparameter ${name}: value (${(value as string[]).join(', ')}) not in range [-1, 0, 1]`);
      }
      return;
    case 'nested':
      return;
  }
}

function checkDependencies(values: Record<string, number | string | string[]>): void {
  const objective = values.objective as string | undefined;
  if ((objective === 'multi:softmax' || objective === 'multi:softprob') && values.num_class === undefined) {
    throw new UserError("Require input for parameter 'num_class' for multi-classification");
  }
  const updater = values.updater as string[] | undefined;
  if (updater) {
    if (values.booster === 'gblinear') {
      if (!(updater.length === 1 && LINEAR_UPDATERS.includes(updater[0]!))) {
        throw new UserError("Linear updater should be one of these options: 'shotgun', 'coord_descent'.");
      }
    } else if (values.process_type === 'update') {
      if (!updater.every((u) => u === 'refresh' || u === 'prune')) {
        throw new UserError("process_type 'update' can only be used with updater 'refresh' and 'prune'");
      }
    } else {
      if (!updater.every((u) => TREE_UPDATERS.includes(u))) {
        throw new UserError(
          "Tree updater should be selected from these options: 'grow_colmaker', 'distcol', 'grow_histmaker', 'grow_skmaker', 'grow_quantile_histmaker', 'sync', 'refresh', 'prune', 'shortgun', 'coord_descent'.",
        );
      }
      if (updater.filter((u) => TREE_GROWERS.includes(u)).length > 1) {
        throw new UserError(
          "Only one tree grow plugin can be selected. Choose one from the following: 'grow_colmaker', 'distcol', 'grow_histmaker', 'grow_skmaker'",
        );
      }
    }
  }
  const metrics = values.eval_metric as string[] | undefined;
  if (metrics) {
    // XGBoost's default objective when none is given.
    const objective = (values.objective as string | undefined) ?? 'reg:squarederror';
    if (metrics.includes('auc') && !objective.startsWith('binary:') && !objective.startsWith('rank:')) {
      throw new UserError("Metric 'auc' can only be applied for classification and ranking problems.");
    }
    if (metrics.includes('aft-nloglik') && objective !== 'survival:aft') {
      throw new UserError("Metric 'aft-nloglik' can only be applied for 'survival:aft' objective.");
    }
  }
  const treeMethod = values.tree_method as string | undefined;
  if (values.monotone_constraints !== undefined && treeMethod !== 'exact' && treeMethod !== 'hist') {
    throw new UserError("monotone_constraints can be used only when the tree_method parameter is set to either 'exact' or 'hist'.");
  }
  if (values.interaction_constraints !== undefined && treeMethod !== 'exact' && treeMethod !== 'hist' && treeMethod !== 'approx') {
    throw new UserError("interaction_constraints can be used only when the tree_method parameter is set to either 'exact', 'hist' or 'approx'.");
  }
}

/** str(value) of the parsed value, as Python hands it to XGBoosterSetParam. */
function paramText(spec: Spec, value: number | string | string[]): string {
  switch (spec.type) {
    case 'integer':
      return String(value);
    case 'continuous':
      return pyRepr(value as number);
    case 'list':
      return (value as string[]).join(',');
    case 'tuple': {
      const items = (value as string[]).map((v) => String(parsePythonInt(v)));
      return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    }
    case 'nested':
      return `[${(value as string[]).join(', ')}]`;
    case 'categorical':
      return value as string;
  }
}

/**
 * Validates hyperparameters.json (all values strings) as the container does:
 * aliases, required num_round, no unknown names, types, ranges, dependencies.
 * Throws a UserError whose message names the hyperparameter.
 */
export function validateHyperparameters(raw: Record<string, unknown>): ValidatedHyperparameters {
  const ignored: string[] = [];
  const given: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    // SageMaker (tuning, the SDK) may add its own sagemaker_* keys; they are not XGBoost's.
    if (key.startsWith('sagemaker_')) {
      ignored.push(key);
      continue;
    }
    given[ALIASES[key] ?? key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  if (given.num_round === undefined) throw new UserError('Missing required hyperparameter: num_round');

  const values: Record<string, number | string | string[]> = {};
  for (const [name, text] of Object.entries(given)) {
    const spec = HYPERPARAMETERS[name];
    if (!spec) throw new UserError(`Extraneous hyperparameter found: ${name}`);
    values[name] = parseValue(name, spec, text);
  }
  for (const [name, value] of Object.entries(values)) checkRange(name, HYPERPARAMETERS[name]!, value);
  checkDependencies(values);
  for (const [name, value] of Object.entries(given)) {
    const reason = NOT_EMULATED[name]?.(value);
    if (reason) throw new UserError(`Hyperparameter ${name}: ${reason}; the offline SageMaker XGBoost emulation does not support it`);
  }

  // eval_metric plus the tuning objective's metric (train_utils.get_eval_metrics_and_feval).
  const tuning = values._tuning_objective_metric as string | undefined;
  const requested = (values.eval_metric as string[] | undefined) ?? [];
  const union = tuning ? [...new Set([...requested, tuning.split(':')[1]!])].sort() : requested;
  const customMetrics = union.filter((m) => CUSTOM_METRICS.includes(m));
  const xgboostMetrics = union.filter((m) => !CUSTOM_METRICS.includes(m));

  const params: [string, string][] = Object.entries(values)
    .filter(([name]) => !NOT_PARAMS.has(name))
    .map(([name, value]) => [name, paramText(HYPERPARAMETERS[name]!, value)]);
  for (const metric of xgboostMetrics) params.push(['eval_metric', metric]);

  return { values, numRound: values.num_round as number, params, customMetrics, csvWeights: values.csv_weights === 1, ignored };
}
