import { ValueError } from './errors';

// Hyperparameters use XGBoost's names and defaults where the meaning overlaps,
// so one stage configuration also drives SageMaker's built-in XGBoost image.

export const OBJECTIVES = ['reg:squarederror', 'reg:linear', 'binary:logistic', 'multi:softmax'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export const ALGORITHMS = ['linear', 'logistic'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export type ProblemType = 'regression' | 'classification';

export interface Hyperparameters {
  objective: Objective;
  problemType: ProblemType;
  algorithm: Algorithm;
  /** Number of classes K; labels are class indices 0..K-1. Classification only. */
  numClass?: number;
  /** L2 penalty of the linear model (XGBoost `lambda`). */
  lambda: number;
  /** Gradient step size of the logistic model (XGBoost `eta`). */
  eta: number;
  /** Gradient steps of the logistic model (XGBoost `num_round`). */
  numRound: number;
}

export interface ParsedHyperparameters {
  hyperparameters: Hyperparameters;
  /** Names this model does not use (e.g. XGBoost's max_depth); the caller logs them. */
  ignored: string[];
}

const ALIASES: Record<string, string> = { reg_lambda: 'lambda', l2: 'lambda', learning_rate: 'eta' };
const KNOWN = new Set(['objective', 'algorithm', 'num_class', 'lambda', 'eta', 'num_round']);

interface Range {
  min: number;
  minExclusive?: boolean;
  max?: number;
  integer?: boolean;
}

function describeRange(range: Range): string {
  const kind = range.integer ? 'an integer' : 'a number';
  if (range.max === undefined) return `${kind} ${range.minExclusive ? '>' : '>='} ${range.min}`;
  return `${kind} in ${range.minExclusive ? '(' : '['}${range.min}, ${range.max}]`;
}

function parseNumber(name: string, raw: string, range: Range): number {
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  const ok =
    Number.isFinite(value) &&
    (!range.integer || Number.isInteger(value)) &&
    (range.minExclusive ? value > range.min : value >= range.min) &&
    (range.max === undefined || value <= range.max);
  if (!ok) throw new ValueError(`hyperparameter '${name}' must be ${describeRange(range)} (got '${raw}')`);
  return value;
}

function parseChoice<T extends string>(name: string, raw: string, choices: readonly T[]): T {
  const choice = choices.find((c) => c === raw.trim());
  if (choice === undefined) {
    throw new ValueError(`hyperparameter '${name}' must be one of ${choices.join(', ')} (got '${raw}')`);
  }
  return choice;
}

interface Given {
  /** The name as written, which may be an alias: error messages quote it. */
  key: string;
  value: string;
}

/** Maps aliases to canonical names; values may be numbers when not written by SageMaker itself. */
function canonicalise(raw: Record<string, unknown>): { given: Map<string, Given>; ignored: string[] } {
  const given = new Map<string, Given>();
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const name = ALIASES[key] ?? key;
    if (!KNOWN.has(name)) {
      ignored.push(key);
      continue;
    }
    const previous = given.get(name);
    if (previous !== undefined) {
      throw new ValueError(`hyperparameters '${previous.key}' and '${key}' are aliases of each other; set only one`);
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new ValueError(`hyperparameter '${key}' must be a string (got ${JSON.stringify(value)})`);
    }
    given.set(name, { key, value: String(value) });
  }
  return { given, ignored };
}

function resolveNumClass(objective: Objective, numClass: Given | undefined): number | undefined {
  const value = numClass && parseNumber(numClass.key, numClass.value, { min: 2, integer: true });
  if (objective === 'multi:softmax') {
    if (value === undefined) throw new ValueError("hyperparameter 'num_class' is required when objective is multi:softmax");
    return value;
  }
  if (objective === 'binary:logistic') {
    if (value !== undefined && value !== 2) {
      throw new ValueError(`hyperparameter 'num_class' must be 2 when objective is binary:logistic (got '${numClass?.value}')`);
    }
    return 2;
  }
  return undefined;
}

/**
 * Validates hyperparameters as SageMaker writes them (hyperparameters.json, all
 * values strings). Invalid values of known names throw a ValueError; unknown
 * names are returned as ignored.
 */
export function parseHyperparameters(raw: Record<string, unknown>): ParsedHyperparameters {
  const { given, ignored } = canonicalise(raw);
  const choice = <T extends string>(name: string, fallback: T, choices: readonly T[]): T => {
    const entry = given.get(name);
    return entry ? parseChoice(entry.key, entry.value, choices) : fallback;
  };
  const number = (name: string, fallback: number, range: Range): number => {
    const entry = given.get(name);
    return entry ? parseNumber(entry.key, entry.value, range) : fallback;
  };

  const objective = choice<Objective>('objective', 'reg:squarederror', OBJECTIVES);
  const problemType: ProblemType = objective.startsWith('reg:') ? 'regression' : 'classification';
  const expectedAlgorithm: Algorithm = problemType === 'regression' ? 'linear' : 'logistic';
  const algorithm = choice<Algorithm>('algorithm', expectedAlgorithm, ALGORITHMS);
  if (algorithm !== expectedAlgorithm) {
    throw new ValueError(
      `hyperparameter 'algorithm' ${algorithm} cannot be used with objective ${objective} (use ${expectedAlgorithm})`,
    );
  }
  const numClass = resolveNumClass(objective, given.get('num_class'));
  const hyperparameters: Hyperparameters = {
    objective,
    problemType,
    algorithm,
    lambda: number('lambda', 1, { min: 0 }),
    eta: number('eta', 0.3, { min: 0, minExclusive: true, max: 1 }),
    numRound: number('num_round', 200, { min: 1, max: 100_000, integer: true }),
  };
  if (numClass !== undefined) hyperparameters.numClass = numClass;
  return { hyperparameters, ignored };
}
