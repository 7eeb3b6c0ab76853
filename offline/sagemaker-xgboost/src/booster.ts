import { UserError } from './errors';
import { customMetric, type RoundMetrics } from './metrics';
import { validateHyperparameters, type ValidatedHyperparameters } from './hyperparameters';
import {
  check,
  copyBytes,
  copyFloats,
  loadXGBoost,
  type BoosterHandle,
  type DMatrixHandle,
  type Env,
  type XGBoostApi,
} from './library';

// Training and prediction through the C API, call for call as Python
// xgboost 1.7.4's xgb.train / Booster.predict, so the models are identical.

export interface TrainingData {
  /** Label-first CSV files without header, read in this order by XGBoost's own CSV parser. */
  train: string[];
  validation?: string[];
}

export interface TrainOptions {
  env?: Env;
  /** Called after each round with its evaluation. */
  onRound?: (round: number, metrics: RoundMetrics) => void;
}

function count(api: XGBoostApi, fn: 'XGDMatrixNumRow' | 'XGDMatrixNumCol', handle: DMatrixHandle): number {
  const out: [number | bigint] = [0];
  check(api, api[fn](handle, out), fn);
  return Number(out[0]);
}

/** A DMatrix of CSV files, as the container makes it: `path?format=csv&label_column=0&delimiter=,`. */
export class CsvMatrix {
  readonly rows: number;
  readonly columns: number;
  private labelCache?: Float32Array;

  constructor(
    private readonly api: XGBoostApi,
    readonly handle: DMatrixHandle,
  ) {
    this.rows = count(api, 'XGDMatrixNumRow', handle);
    this.columns = count(api, 'XGDMatrixNumCol', handle);
  }

  static fromFiles(api: XGBoostApi, files: string[], weights = false): CsvMatrix {
    // dmlc reads ';'-separated files in order; these characters would split the URI.
    const bad = files.find((f) => /[;?#]/.test(f));
    if (bad) throw new UserError(`data file path '${bad}' contains ';', '?' or '#', which XGBoost's file URIs cannot hold`);
    const uri = `${files.join(';')}?format=csv&label_column=0&delimiter=,${weights ? '&weight_column=1' : ''}`;
    const out: [DMatrixHandle | null] = [null];
    check(api, api.XGDMatrixCreateFromFile(uri, 1, out), 'XGDMatrixCreateFromFile');
    return new CsvMatrix(api, out[0]!);
  }

  labels(): Float32Array {
    if (!this.labelCache) {
      const len: [number | bigint] = [0];
      const ptr: [unknown] = [null];
      check(this.api, this.api.XGDMatrixGetFloatInfo(this.handle, 'label', len, ptr), 'XGDMatrixGetFloatInfo');
      this.labelCache = copyFloats(ptr[0], Number(len[0]));
    }
    return this.labelCache;
  }

  free(): void {
    this.api.XGDMatrixFree(this.handle);
  }
}

/** What the saved model says about itself (Booster.save_config). */
export interface ModelInfo {
  objective: string;
  numClass: number;
  numFeature: number;
}

interface BoosterConfig {
  learner: {
    objective: { name: string };
    learner_model_param: Record<string, string>;
    gradient_booster: { name: string; gbtree_model_param?: { num_parallel_tree: string }; gbtree?: { gbtree_model_param: { num_parallel_tree: string } } };
  };
}

/** A trained or loaded booster. Call free() when done. */
export class XGBoostModel {
  private infoCache?: ModelInfo;

  constructor(
    readonly api: XGBoostApi,
    readonly handle: BoosterHandle,
  ) {}

  /** Loads a saved model (binary, JSON or UBJSON, as XGBoost tells them apart). */
  static load(bytes: Uint8Array, env: Env = process.env): XGBoostModel {
    const api = loadXGBoost(env);
    const model = XGBoostModel.create(api, []);
    check(api, api.XGBoosterLoadModelFromBuffer(model.handle, bytes, bytes.length), 'XGBoosterLoadModelFromBuffer');
    return model;
  }

  static create(api: XGBoostApi, cache: DMatrixHandle[]): XGBoostModel {
    const out: [BoosterHandle | null] = [null];
    check(api, api.XGBoosterCreate(cache, cache.length, out), 'XGBoosterCreate');
    return new XGBoostModel(api, out[0]!);
  }

  setParam(name: string, value: string): void {
    check(this.api, this.api.XGBoosterSetParam(this.handle, name, value), `XGBoosterSetParam(${name})`);
  }

  /** Booster.save_model('xgboost-model'): with no .json/.ubj extension XGBoost 1.7 writes its binary format. */
  save(file: string): void {
    check(this.api, this.api.XGBoosterSaveModel(this.handle, file), 'XGBoosterSaveModel');
  }

  /** The same bytes as save() writes. */
  toBuffer(): Buffer {
    const len: [number | bigint] = [0];
    const ptr: [unknown] = [null];
    check(this.api, this.api.XGBoosterSaveModelToBuffer(this.handle, '{"format":"deprecated"}', len, ptr), 'XGBoosterSaveModelToBuffer');
    return copyBytes(ptr[0], Number(len[0]));
  }

  /** Booster.save_config(). */
  config(): BoosterConfig {
    const len: [number | bigint] = [0];
    const out: [string | null] = [null];
    check(this.api, this.api.XGBoosterSaveJsonConfig(this.handle, len, out), 'XGBoosterSaveJsonConfig');
    return JSON.parse(out[0]!) as BoosterConfig;
  }

  info(): ModelInfo {
    if (!this.infoCache) {
      const { learner } = this.config();
      this.infoCache = {
        objective: learner.objective.name,
        numClass: Number(learner.learner_model_param.num_class ?? 0),
        numFeature: Number(learner.learner_model_param.num_feature ?? 0),
      };
    }
    return this.infoCache;
  }

  /** Predictions for a DMatrix, flat (rows × outputs); `margin` gives raw scores. */
  predictMatrix(dmat: DMatrixHandle, margin = false): Float32Array {
    const len: [number | bigint] = [0];
    const ptr: [unknown] = [null];
    check(this.api, this.api.XGBoosterPredict(this.handle, dmat, margin ? 1 : 0, 0, 0, len, ptr), 'XGBoosterPredict');
    return copyFloats(ptr[0], Number(len[0]));
  }

  /**
   * Predicts dense rows (NaN = missing), as the container's numpy path does:
   * float64 values become float32 inside XGBoost. Returns one array per row
   * for multi:softprob, else one number per row.
   */
  predict(rows: readonly (readonly number[])[], columns: number): number[] | number[][] {
    const data = new Float32Array(rows.length * columns);
    rows.forEach((row, i) => data.set(row, i * columns));
    const out: [DMatrixHandle | null] = [null];
    check(this.api, this.api.XGDMatrixCreateFromMat(data, rows.length, columns, Number.NaN, out), 'XGDMatrixCreateFromMat');
    try {
      const values = this.predictMatrix(out[0]!);
      const perRow = rows.length === 0 ? 1 : values.length / rows.length;
      if (perRow === 1) return Array.from(values);
      return rows.map((_, i) => Array.from(values.subarray(i * perRow, (i + 1) * perRow)));
    } finally {
      this.api.XGDMatrixFree(out[0]!);
    }
  }

  /**
   * What Python's training callbacks do after the last round without early
   * stopping: set the best_iteration and best_ntree_limit attributes, which
   * the saved model keeps.
   */
  setBestIteration(): void {
    const rounds: [number] = [0];
    check(this.api, this.api.XGBoosterBoostedRounds(this.handle, rounds), 'XGBoosterBoostedRounds');
    const booster = this.config().learner.gradient_booster;
    const layer = booster.name === 'gblinear' ? 0 : Number((booster.gbtree_model_param ?? booster.gbtree?.gbtree_model_param)?.num_parallel_tree ?? 1);
    const best = rounds[0] - 1;
    for (const [key, value] of [['best_iteration', best], ['best_ntree_limit', (best + 1) * layer]] as const) {
      check(this.api, this.api.XGBoosterSetAttr(this.handle, key, String(value)), 'XGBoosterSetAttr');
    }
  }

  /** Booster.copy(): serialise and load into a fresh booster, as xgb.train returns it. */
  copy(): XGBoostModel {
    const len: [number | bigint] = [0];
    const ptr: [unknown] = [null];
    check(this.api, this.api.XGBoosterSerializeToBuffer(this.handle, len, ptr), 'XGBoosterSerializeToBuffer');
    const bytes = copyBytes(ptr[0], Number(len[0]));
    const fresh = XGBoostModel.create(this.api, []);
    check(this.api, this.api.XGBoosterUnserializeFromBuffer(fresh.handle, bytes, bytes.length), 'XGBoosterUnserializeFromBuffer');
    fresh.setParam('validate_parameters', 'True');
    return fresh;
  }

  free(): void {
    this.api.XGBoosterFree(this.handle);
  }
}

/** Parses XGBoosterEvalOneIter's "[i]\tdata-metric:value..." into `metrics` (a later value replaces an earlier one). */
export function parseEvalLine(line: string, metrics: RoundMetrics = new Map()): RoundMetrics {
  for (const item of line.trim().split(/\s+/).slice(1)) {
    const colon = item.lastIndexOf(':');
    const dash = item.indexOf('-');
    const data = item.slice(0, dash);
    const metric = item.slice(dash + 1, colon);
    if (!metrics.has(data)) metrics.set(data, new Map());
    metrics.get(data)!.set(metric, Number(item.slice(colon + 1)));
  }
  return metrics;
}

export interface TrainResult {
  model: XGBoostModel;
  /** Each round's evaluation. */
  history: RoundMetrics[];
  trainRows: number;
  validationRows: number;
  features: number;
}

function isValidated(value: Record<string, string> | ValidatedHyperparameters): value is ValidatedHyperparameters {
  return Array.isArray(value.params);
}

/**
 * xgb.train(params, dtrain, num_round, evals=[(dtrain,'train'),(dval,'validation')])
 * as the container calls it: hyperparameters (strings, or already validated) and CSV files.
 */
export function train(hyperparameters: Record<string, string> | ValidatedHyperparameters, data: TrainingData, options: TrainOptions = {}): TrainResult {
  const hp = isValidated(hyperparameters) ? hyperparameters : validateHyperparameters(hyperparameters);
  const api = loadXGBoost(options.env);
  const matrices: { name: string; matrix: CsvMatrix }[] = [];
  let booster: XGBoostModel | undefined;
  try {
    matrices.push({ name: 'train', matrix: CsvMatrix.fromFiles(api, data.train, hp.csvWeights) });
    if (data.validation?.length) matrices.push({ name: 'validation', matrix: CsvMatrix.fromFiles(api, data.validation, hp.csvWeights) });
    const dtrain = matrices[0]!.matrix;
    const handles = matrices.map((m) => m.matrix.handle);
    const names = matrices.map((m) => m.name);

    booster = XGBoostModel.create(api, handles);
    for (const [name, value] of hp.params) booster.setParam(name, value);
    booster.setParam('validate_parameters', 'True');

    const history: RoundMetrics[] = [];
    for (let round = 0; round < hp.numRound; round++) {
      check(api, api.XGBoosterUpdateOneIter(booster.handle, round, dtrain.handle), 'XGBoosterUpdateOneIter');
      const out: [string | null] = [null];
      check(api, api.XGBoosterEvalOneIter(booster.handle, round, handles, names, handles.length, out), 'XGBoosterEvalOneIter');
      const metrics = parseEvalLine(out[0]!);
      // The container's own metrics get margins (feval, output_margin=True) and are printed with '%f'.
      for (const { name, matrix } of hp.customMetrics.length ? matrices : []) {
        const margins = booster.predictMatrix(matrix.handle, true);
        for (const metric of hp.customMetrics) {
          const value = Number(customMetric(metric, margins, matrix.labels()).toFixed(6));
          if (!metrics.has(name)) metrics.set(name, new Map());
          metrics.get(name)!.set(metric, value);
        }
      }
      history.push(metrics);
      options.onRound?.(round, metrics);
    }
    booster.setBestIteration();
    const model = booster.copy();
    return {
      model,
      history,
      trainRows: dtrain.rows,
      validationRows: matrices[1]?.matrix.rows ?? 0,
      features: dtrain.columns,
    };
  } finally {
    booster?.free();
    for (const { matrix } of matrices) matrix.free();
  }
}
