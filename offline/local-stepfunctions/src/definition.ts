import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { usesIntrinsics } from './jsonpath';

/**
 * Definition rewrites: the definition aws-local-stepfunctions runs is derived from the one the caller gave
 * (which DescribeStateMachine keeps returning) so that the library's deviations from AWS disappear and Wait
 * states run on the scaled clock. Each rewrite below names the deviation it removes; see README.md.
 */

/** Longest delay Node's setTimeout honours (2^31-1 ms); longer ones fire after 1 ms. */
export const MAX_TIMER_SECONDS = 2_147_483;

/** Resource of the Task states that stand in for Wait, Pass and Fail states (run by our own handlers). */
export const SYNTHETIC_RESOURCE = 'arn:aws:states:::local:synthetic';

type AnyState = Record<string, unknown> & { Type: string };
type StatesMap = Record<string, AnyState>;
interface Machine {
  StartAt: string;
  States: StatesMap;
  TimeoutSeconds?: number;
  [key: string]: unknown;
}

/** What our handlers do for a state, beyond what the library does itself. */
export type StatePlan =
  | {
      kind: 'task';
      resource: string;
      /** Parameters / ResultSelector, evaluated by our handler rather than by the library. */
      parameters?: unknown;
      resultSelector?: unknown;
      /** The state's own timeout, as the library will enforce it (absent: no timeout, as on AWS). */
      timeoutSeconds?: number;
      timeoutSecondsPath?: string;
    }
  | { kind: 'wait'; seconds?: number; secondsPath?: string; timestamp?: string; timestampPath?: string }
  | { kind: 'pass'; parameters?: unknown; hasResult: boolean; result?: unknown }
  | { kind: 'fail'; error?: string; errorPath?: string; cause?: string; causePath?: string };

export interface CompiledDefinition {
  /** What the caller registered, untouched. */
  original: object;
  /** What the library runs. */
  runnable: StateMachineDefinition;
  /** Every state (nested ones included) by name: its original Type and our plan for it. */
  states: Map<string, { type: string; plan?: StatePlan }>;
  /** Features left to the library where it is known to deviate (logged at startup). */
  warnings: string[];
}

export class DefinitionError extends Error {
  override name = 'DefinitionError';
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** AWS (ASL spec): "States.ALL ... MUST appear alone in the ErrorEquals array and MUST appear in the last Retrier/Catcher". */
function checkWildcards(stateName: string, field: 'Retry' | 'Catch', list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const problems: string[] = [];
  list.forEach((entry: { ErrorEquals?: unknown }, i) => {
    const names = Array.isArray(entry.ErrorEquals) ? entry.ErrorEquals : [];
    if (names.includes('States.ALL') && (names.length > 1 || i !== list.length - 1)) {
      problems.push(`${stateName}.${field}[${i}]: States.ALL must appear alone in ErrorEquals and in the last ${field === 'Retry' ? 'retrier' : 'catcher'}`);
    }
  });
  return problems;
}

const TYPE_GUARDS: [RegExp, string][] = [
  [/^String/, 'IsString'],
  [/^Numeric/, 'IsNumeric'],
  [/^Boolean/, 'IsBoolean'],
  [/^Timestamp/, 'IsTimestamp'],
];
const TYPE_TESTS = ['IsPresent', 'IsNull', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'];

/**
 * Choice rules. Two library deviations:
 * - `IsPresent: false` (and every `IsX: false`) never matches; AWS matches when the test fails → `Not`.
 * - comparisons coerce like JavaScript (`null <= 1`, `"5" >= 1` match); AWS only compares values of the
 *   operator's type → guard each comparison with the matching type test.
 */
export function rewriteChoiceRule(rule: Record<string, unknown>): Record<string, unknown> {
  const { Next, ...test } = rule;
  const withNext = (r: Record<string, unknown>) => (Next === undefined ? r : { ...r, Next });
  if (Array.isArray(test.And)) return withNext({ And: test.And.map((r) => rewriteChoiceRule(r as Record<string, unknown>)) });
  if (Array.isArray(test.Or)) return withNext({ Or: test.Or.map((r) => rewriteChoiceRule(r as Record<string, unknown>)) });
  if (test.Not && typeof test.Not === 'object') return withNext({ Not: rewriteChoiceRule(test.Not as Record<string, unknown>) });
  const operator = Object.keys(test).find((k) => k !== 'Variable');
  if (!operator) return rule;
  if (TYPE_TESTS.includes(operator)) {
    return test[operator] === false ? withNext({ Not: { Variable: test.Variable, [operator]: true } }) : rule;
  }
  const guard = TYPE_GUARDS.find(([re]) => re.test(operator))?.[1];
  if (!guard) return rule;
  return withNext({ And: [{ Variable: test.Variable, [guard]: true }, test] });
}

interface RewriteOptions {
  waitScale: number;
}

function rewriteRetriers(retry: unknown, waitScale: number): unknown {
  if (!Array.isArray(retry) || waitScale === 1) return retry;
  // Retry intervals run on the scaled clock; the library computes interval × rate^n, capped by MaxDelaySeconds.
  return retry.map((r: Record<string, unknown>) => ({
    ...r,
    IntervalSeconds: ((r.IntervalSeconds as number | undefined) ?? 1) * waitScale,
    ...(typeof r.MaxDelaySeconds === 'number' ? { MaxDelaySeconds: r.MaxDelaySeconds * waitScale } : {}),
  }));
}

/** AWS: an explicit `ResultPath: "$"` is the default (replace the input); the library nests under a `"$"` key. */
function dropDollarResultPath(state: AnyState): void {
  if (state.ResultPath === '$') delete state.ResultPath;
  if (Array.isArray(state.Catch)) {
    state.Catch = state.Catch.map((c: Record<string, unknown>) => {
      if (c.ResultPath !== '$') return c;
      const { ResultPath: _dropped, ...rest } = c;
      return rest;
    });
  }
}

/** A Task the library runs with our handler in place of a Wait, Pass or Fail state. */
function syntheticTask(state: AnyState, keep: string[]): AnyState {
  const out: AnyState = { Type: 'Task', Resource: SYNTHETIC_RESOURCE, TimeoutSeconds: MAX_TIMER_SECONDS };
  for (const field of keep) if (field in state) out[field] = state[field];
  if (!('Next' in out)) out.End = true;
  return out;
}

function rewriteState(name: string, source: AnyState, opts: RewriteOptions, info: CompiledDefinition['states']): AnyState {
  const state = clone(source);
  const plan = (p: StatePlan) => info.set(name, { type: source.Type, plan: p });
  info.set(name, { type: source.Type });
  dropDollarResultPath(state);
  if ('Retry' in state) state.Retry = rewriteRetriers(state.Retry, opts.waitScale);

  switch (source.Type) {
    case 'Task': {
      // Payload templates of tasks are evaluated by our handler: the library strips backslashes from intrinsic
      // results, and its context has a static $$.State and its own $$.Execution.StartTime.
      const task: Extract<StatePlan, { kind: 'task' }> = { kind: 'task', resource: String(source.Resource) };
      if ('Parameters' in source) task.parameters = source.Parameters;
      if ('ResultSelector' in source) task.resultSelector = source.ResultSelector;
      delete state.Parameters;
      delete state.ResultSelector;
      // The library times tasks out after 60 s by default; AWS has no default task timeout.
      if (typeof source.TimeoutSeconds === 'number') {
        state.TimeoutSeconds = Math.min(source.TimeoutSeconds, MAX_TIMER_SECONDS);
        task.timeoutSeconds = state.TimeoutSeconds as number;
      } else if (typeof source.TimeoutSecondsPath === 'string') {
        task.timeoutSecondsPath = source.TimeoutSecondsPath;
      } else {
        state.TimeoutSeconds = MAX_TIMER_SECONDS;
      }
      plan(task);
      return state;
    }
    case 'Wait': {
      // Our handler sleeps for the requested seconds × waitScale (the library only offers fixed per-state overrides).
      plan({
        kind: 'wait',
        seconds: source.Seconds as number | undefined,
        secondsPath: source.SecondsPath as string | undefined,
        timestamp: source.Timestamp as string | undefined,
        timestampPath: source.TimestampPath as string | undefined,
      });
      return syntheticTask(state, ['InputPath', 'OutputPath', 'Next', 'End']);
    }
    case 'Pass': {
      // The library ignores a falsy Result (0, false, "", null); Parameters are evaluated by us as for tasks.
      const falsyResult = 'Result' in source && !source.Result;
      if (!falsyResult && !('Parameters' in source)) return state;
      plan({ kind: 'pass', parameters: source.Parameters, hasResult: 'Result' in source, result: source.Result });
      return syntheticTask(state, ['InputPath', 'ResultPath', 'OutputPath', 'Next', 'End']);
    }
    case 'Fail': {
      // The library names a Fail without Error "FailStateError" (AWS: no error) and only reads paths, not intrinsics.
      plan({
        kind: 'fail',
        error: source.Error as string | undefined,
        errorPath: source.ErrorPath as string | undefined,
        cause: source.Cause as string | undefined,
        causePath: source.CausePath as string | undefined,
      });
      return syntheticTask(state, []);
    }
    case 'Choice':
      if (Array.isArray(state.Choices)) state.Choices = state.Choices.map((r: Record<string, unknown>) => rewriteChoiceRule(r));
      return state;
    case 'Parallel':
      state.Branches = (source.Branches as Machine[]).map((b) => rewriteMachine(b, opts, info));
      return state;
    case 'Map':
      for (const field of ['ItemProcessor', 'Iterator'] as const) {
        if (source[field]) state[field] = rewriteMachine(source[field] as Machine, opts, info);
      }
      return state;
    default:
      return state;
  }
}

function rewriteMachine(machine: Machine, opts: RewriteOptions, info: CompiledDefinition['states']): Machine {
  const States: StatesMap = {};
  for (const [name, state] of Object.entries(machine.States)) States[name] = rewriteState(name, state, opts, info);
  const out: Machine = { ...clone(machine), States };
  if (typeof machine.TimeoutSeconds === 'number') out.TimeoutSeconds = Math.min(machine.TimeoutSeconds, MAX_TIMER_SECONDS);
  return out;
}

function collectProblems(machine: Machine, problems: string[], warnings: string[]): void {
  if ((machine as { QueryLanguage?: string }).QueryLanguage === 'JSONata') problems.push('JSONata is not supported (JSONPath only)');
  for (const [name, state] of Object.entries(machine.States ?? {})) {
    if ((state.Type === 'Map' || state.Type === 'Parallel') && ['Parameters', 'ItemSelector', 'ResultSelector'].some((f) => usesIntrinsics(state[f]))) {
      warnings.push(`${name}: intrinsic functions in a ${state.Type} state are evaluated by aws-local-stepfunctions (string results lose backslashes)`);
    }
    if ((state as { QueryLanguage?: string }).QueryLanguage === 'JSONata') problems.push(`${name}: JSONata is not supported`);
    problems.push(...checkWildcards(name, 'Retry', state.Retry), ...checkWildcards(name, 'Catch', state.Catch));
    for (const nested of [...((state.Branches as Machine[] | undefined) ?? []), state.ItemProcessor, state.Iterator]) {
      if (nested) collectProblems(nested as Machine, problems, warnings);
    }
  }
}

/** asl-validator compiles its schemas on every call (~100 ms); remember the definitions that passed. */
const validDefinitions = new Set<string>();

function validateWithLibrary(definition: object): void {
  const key = JSON.stringify(definition);
  if (validDefinitions.has(key)) return;
  try {
    // On a copy: asl-validator writes defaults (QueryLanguage) into the definition it checks.
    new StateMachine(clone(definition) as StateMachineDefinition, { validationOptions: { checkArn: true, checkPaths: true } });
  } catch (e) {
    throw new DefinitionError((e as Error).message);
  }
  if (validDefinitions.size > 500) validDefinitions.clear();
  validDefinitions.add(key);
}

/**
 * Validates a definition as CreateStateMachine would (asl-validator through the library, plus the
 * States.ALL placement rule it does not check) and derives the runnable definition.
 */
export function compileDefinition(definition: object, opts: RewriteOptions): CompiledDefinition {
  validateWithLibrary(definition);
  const problems: string[] = [];
  const warnings: string[] = [];
  collectProblems(definition as Machine, problems, warnings);
  if (problems.length > 0) throw new DefinitionError(`State machine definition is invalid:\n ${problems.join('\n ')}`);
  const states: CompiledDefinition['states'] = new Map();
  const runnable = rewriteMachine(definition as Machine, opts, states) as unknown as StateMachineDefinition;
  return { original: definition, runnable, states, warnings };
}

export interface EntryHooks {
  /** The library moves to a state (reads `States[name]`). */
  onEnter(stateName: string): void;
  /** The library starts an attempt of the state: the first one, or a retry (reads `"InputPath" in state`). */
  onAttempt(stateName: string): void;
}

/**
 * A per-execution view of the runnable definition that reports state entries and attempts. The library
 * builds its context object once per execution and never updates `$$.State`; these two reads happen
 * exactly when AWS would change `State.Name`/`EnteredTime` and `State.RetryCount`, before the state's
 * paths and templates are evaluated.
 */
export function withEntryHook(definition: StateMachineDefinition, hooks: EntryHooks): StateMachineDefinition {
  const wrapState = (name: string, state: AnyState): AnyState => {
    const copy: AnyState = { ...state };
    if (Array.isArray(state.Branches)) copy.Branches = (state.Branches as Machine[]).map(wrapMachine);
    if (state.ItemProcessor) copy.ItemProcessor = wrapMachine(state.ItemProcessor as Machine);
    if (state.Iterator) copy.Iterator = wrapMachine(state.Iterator as Machine);
    return new Proxy(copy, {
      has(target, key) {
        if (key === 'InputPath') hooks.onAttempt(name);
        return Reflect.has(target, key);
      },
    });
  };
  const wrapMachine = (machine: Machine): Machine => {
    const states: StatesMap = {};
    for (const [name, state] of Object.entries(machine.States)) states[name] = wrapState(name, state);
    const proxy = new Proxy(states, {
      get(target, key, receiver) {
        if (typeof key === 'string' && Object.hasOwn(target, key)) hooks.onEnter(key);
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    return { ...machine, States: proxy };
  };
  return wrapMachine(definition as unknown as Machine) as unknown as StateMachineDefinition;
}
