import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { parseIntrinsic } from './intrinsics';
import { isIntrinsicExpression, templateExpressions } from './jsonpath';

/**
 * Definition rewrites: the definition aws-local-stepfunctions runs is derived from the one the caller gave
 * (which DescribeStateMachine keeps returning) so that the library's deviations from AWS disappear and Wait
 * states run on the scaled clock. Each rewrite below names the deviation it removes; see README.md.
 */

/** Longest delay Node's setTimeout honours (2^31-1 ms); longer ones fire after 1 ms. */
export const MAX_TIMER_SECONDS = 2_147_483;

/** AWS quota: 256 KiB of UTF-8 for any state's input or output. */
export const PAYLOAD_LIMIT_BYTES = 262_144;

/** Resource of the Task states that stand in for Wait, Pass, Fail, Map and Parallel states (run by our own handlers). */
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
      /** ErrorEquals of each retrier and catcher, for our States.Timeout error (see engine.ts). */
      errorEquals: { retry: string[][]; catch: string[][] };
    }
  | { kind: 'wait'; seconds?: number; secondsPath?: string; timestamp?: string; timestampPath?: string }
  | { kind: 'pass'; parameters?: unknown; hasResult: boolean; result?: unknown }
  | { kind: 'fail'; error?: string; errorPath?: string; cause?: string; causePath?: string }
  | {
      kind: 'map';
      /** The runnable ItemProcessor (or legacy Iterator). */
      processor: StateMachineDefinition;
      itemsPath?: string;
      /** ItemSelector, or the legacy Parameters. */
      itemSelector?: unknown;
      maxConcurrency?: number;
      maxConcurrencyPath?: string;
      resultSelector?: unknown;
    }
  | { kind: 'parallel'; branches: StateMachineDefinition[]; parameters?: unknown; resultSelector?: unknown };

export interface CompiledDefinition {
  /** What the caller registered, untouched. */
  original: object;
  /** What the library runs. */
  runnable: StateMachineDefinition;
  /** Every state (nested ones included) by name: its original Type and our plan for it. */
  states: Map<string, { type: string; plan?: StatePlan }>;
  /** InputPath of the states that have one, to word the library's path errors as AWS does. */
  inputPaths: Map<string, string>;
}

export class DefinitionError extends Error {
  override name = 'DefinitionError';
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** AWS's CreateStateMachine wording for one problem: "SCHEMA_VALIDATION_FAILED: <what> at <JSON pointer>". */
const schemaProblem = (what: string, at: string) => `SCHEMA_VALIDATION_FAILED: ${what} at ${at}`;

/** AWS (ASL spec): "States.ALL ... MUST appear alone in the ErrorEquals array and MUST appear in the last Retrier/Catcher". */
function checkWildcards(at: string, field: 'Retry' | 'Catch', list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const problems: string[] = [];
  list.forEach((entry: { ErrorEquals?: unknown }, i) => {
    const names = Array.isArray(entry.ErrorEquals) ? entry.ErrorEquals : [];
    if (names.includes('States.ALL') && (names.length > 1 || i !== list.length - 1)) {
      const what = `States.ALL must appear alone in ErrorEquals and in the last ${field === 'Retry' ? 'retrier' : 'catcher'}`;
      problems.push(schemaProblem(what, `${at}/${field}/${i}/ErrorEquals`));
    }
  });
  return problems;
}

/**
 * Intrinsic function calls are parsed by CreateStateMachine: a malformed one (an illegal escape such as `\"`)
 * rejects the definition with "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic
 * function call" (AWS-validated `escape_sequences_illegal_intrinsic_function` in LocalStack's scenarios).
 */
function checkIntrinsics(at: string, state: AnyState): string[] {
  const fields = ['Parameters', 'ResultSelector', 'ItemSelector'].flatMap((f) => templateExpressions(state[f], `${at}/${f}`));
  for (const f of ['ErrorPath', 'CausePath']) {
    if (typeof state[f] === 'string') fields.push({ field: f, expression: state[f], at: `${at}/${f}` });
  }
  return fields
    .filter(({ expression }) => isIntrinsicExpression(expression))
    .flatMap(({ field, expression, at: where }) => {
      try {
        parseIntrinsic(expression);
        return [];
      } catch {
        return [schemaProblem(`The value for the field '${field}' must be a valid JSONPath or a valid intrinsic function call`, where)];
      }
    });
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

const errorEqualsOf = (list: unknown) => (Array.isArray(list) ? list.map((e: { ErrorEquals?: string[] }) => e.ErrorEquals ?? []) : []);

/** Fields the library still applies around our handler for Map and Parallel states. */
const AROUND_HANDLER = ['InputPath', 'ResultPath', 'OutputPath', 'Retry', 'Catch', 'Next', 'End'];

/** A Task the library runs with our handler in place of a Wait, Pass, Fail, Map or Parallel state. */
function syntheticTask(state: AnyState, keep: string[]): AnyState {
  const out: AnyState = { Type: 'Task', Resource: SYNTHETIC_RESOURCE, TimeoutSeconds: MAX_TIMER_SECONDS };
  for (const field of keep) if (field in state) out[field] = state[field];
  if (!('Next' in out)) out.End = true;
  return out;
}

function rewriteState(name: string, source: AnyState, opts: RewriteOptions, info: Info): AnyState {
  const state = clone(source);
  const plan = (p: StatePlan) => info.states.set(name, { type: source.Type, plan: p });
  info.states.set(name, { type: source.Type });
  if (typeof source.InputPath === 'string') info.inputPaths.set(name, source.InputPath);
  dropDollarResultPath(state);
  if ('Retry' in state) state.Retry = rewriteRetriers(state.Retry, opts.waitScale);

  switch (source.Type) {
    case 'Task': {
      // Payload templates of tasks are evaluated by our handler: the library strips backslashes from intrinsic
      // results, and its context has a static $$.State and its own $$.Execution.StartTime.
      const task: Extract<StatePlan, { kind: 'task' }> = {
        kind: 'task',
        resource: String(source.Resource),
        errorEquals: { retry: errorEqualsOf(source.Retry), catch: errorEqualsOf(source.Catch) },
      };
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
      // The library ignores a falsy Result (0, false, "", null); Parameters are evaluated by us as for tasks;
      // a Result over the payload quota must fail at run time (States.DataLimitExceeded), which our handler does.
      const falsyResult = 'Result' in source && !source.Result;
      const oversized = 'Result' in source && Buffer.byteLength(JSON.stringify(source.Result)) > PAYLOAD_LIMIT_BYTES;
      if (!falsyResult && !oversized && !('Parameters' in source)) return state;
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
    // Map and Parallel run in our handlers (branches and iterations are nested library runs), so that their
    // history events, ordering, templates and JSONPath follow AWS; the library applies the fields around them.
    case 'Parallel':
      plan({
        kind: 'parallel',
        branches: (source.Branches as Machine[]).map((b) => rewriteMachine(b, opts, info) as unknown as StateMachineDefinition),
        parameters: source.Parameters,
        resultSelector: source.ResultSelector,
      });
      return syntheticTask(state, AROUND_HANDLER);
    case 'Map':
      plan({
        kind: 'map',
        processor: rewriteMachine((source.ItemProcessor ?? source.Iterator) as Machine, opts, info) as unknown as StateMachineDefinition,
        itemsPath: source.ItemsPath as string | undefined,
        itemSelector: source.ItemSelector ?? source.Parameters,
        maxConcurrency: source.MaxConcurrency as number | undefined,
        maxConcurrencyPath: source.MaxConcurrencyPath as string | undefined,
        resultSelector: source.ResultSelector,
      });
      return syntheticTask(state, AROUND_HANDLER);
    default:
      return state;
  }
}

type Info = Pick<CompiledDefinition, 'states' | 'inputPaths'>;

function rewriteMachine(machine: Machine, opts: RewriteOptions, info: Info): Machine {
  const States: StatesMap = {};
  for (const [name, state] of Object.entries(machine.States)) States[name] = rewriteState(name, state, opts, info);
  const out: Machine = { ...clone(machine), States };
  if (typeof machine.TimeoutSeconds === 'number') out.TimeoutSeconds = Math.min(machine.TimeoutSeconds, MAX_TIMER_SECONDS);
  return out;
}

/** Problems CreateStateMachine reports that asl-validator does not; `at` is the machine's JSON pointer. */
function collectProblems(machine: Machine, at: string, problems: string[]): void {
  if ((machine as { QueryLanguage?: string }).QueryLanguage === 'JSONata') problems.push(`JSONata is not supported (JSONPath only) at ${at || '/'}`);
  for (const [name, state] of Object.entries(machine.States ?? {})) {
    const where = `${at}/States/${name}`;
    if ((state as { QueryLanguage?: string }).QueryLanguage === 'JSONata') problems.push(`JSONata is not supported at ${where}`);
    problems.push(...checkWildcards(where, 'Retry', state.Retry), ...checkWildcards(where, 'Catch', state.Catch), ...checkIntrinsics(where, state));
    ((state.Branches as Machine[] | undefined) ?? []).forEach((branch, i) => collectProblems(branch, `${where}/Branches/${i}`, problems));
    for (const field of ['ItemProcessor', 'Iterator'] as const) {
      if (state[field]) collectProblems(state[field] as Machine, `${where}/${field}`, problems);
    }
  }
}

/** AWS's InvalidDefinition message: "Invalid State Machine Definition: '<problem>, <problem>'". */
const invalidDefinition = (problems: string[]) => new DefinitionError(`Invalid State Machine Definition: '${problems.join(', ')}'`);

/** asl-validator compiles its schemas on every call (~100 ms); remember the definitions that passed. */
const validDefinitions = new Set<string>();

function validateWithLibrary(definition: object): void {
  const key = JSON.stringify(definition);
  if (validDefinitions.has(key)) return;
  try {
    // On a copy: asl-validator writes defaults (QueryLanguage) into the definition it checks.
    new StateMachine(clone(definition) as StateMachineDefinition, { validationOptions: { checkArn: true, checkPaths: true } });
  } catch (e) {
    // asl-validator already words its errors as AWS does ("SCHEMA_VALIDATION_FAILED: /States/X/Field is invalid..."), one a line.
    const details = (e as Error).message.replace(/^State machine definition is invalid, see error\(s\) below:/, '');
    const problems = details.split('\n').map((line) => line.trim()).filter(Boolean);
    throw invalidDefinition(problems.map((p) => (p.startsWith('SCHEMA_VALIDATION_FAILED') ? p : `SCHEMA_VALIDATION_FAILED: ${p}`)));
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
  collectProblems(definition as Machine, '', problems);
  if (problems.length > 0) throw invalidDefinition(problems);
  const info: Info = { states: new Map(), inputPaths: new Map() };
  const runnable = rewriteMachine(definition as Machine, opts, info) as unknown as StateMachineDefinition;
  return { original: definition, runnable, ...info };
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
  // Map and Parallel are synthetic tasks in the runnable definition: no nested machine to wrap here.
  const wrapState = (name: string, state: AnyState): AnyState =>
    new Proxy({ ...state }, {
      has(target, key) {
        if (key === 'InputPath') hooks.onAttempt(name);
        return Reflect.has(target, key);
      },
    });
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
