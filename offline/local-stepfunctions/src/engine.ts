import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { isLambdaFunctionArn, taskResourceParts } from './arn';
import { type CompiledDefinition, type EntryHooks, PAYLOAD_LIMIT_BYTES, type StatePlan, withEntryHook } from './definition';
import { StatesError, dataLimitExceeded, describeThrown, statesRuntime } from './errors';
import { evaluateIntrinsic } from './intrinsics';
import { applyPayloadTemplate, isIntrinsicExpression, missingPathDetail, queryPath } from './jsonpath';
import type { Json, Logger, RetryRecord, TaskContext, TaskHandlerResolver, WaitRecord } from './types';

type JsonValue = Parameters<StateMachine['run']>[0];
type EventLog = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'];
export type LibraryEvent = Exclude<EventLog, void>;

/** Map and Parallel events we record ourselves (the library does not run those states any more). */
type LocalEvent =
  | { type: 'MapStateStarted'; timestamp: number; length: number }
  | { type: 'MapStateSucceeded' | 'MapStateFailed' | 'ParallelStateStarted' | 'ParallelStateSucceeded' | 'ParallelStateFailed'; timestamp: number }
  | {
      type: 'MapIterationStarted' | 'MapIterationSucceeded' | 'MapIterationFailed' | 'MapIterationAborted';
      timestamp: number;
      index: number;
      parentState: { name: string };
    };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event of the execution or of one of its nested runs (`scope`: 0 for the execution, one per branch or iteration). */
export type EngineEvent = (LibraryEvent | LocalEvent) & { scope: number };

export type Outcome =
  | { status: 'SUCCEEDED'; output: Json }
  /** `failedState`: the Cause is to be prefixed with AWS's "An error occurred while executing the state ..." */
  | { status: 'FAILED'; error?: string; cause?: string; failedState?: string }
  | { status: 'TIMED_OUT' }
  | { status: 'ABORTED' };

/** One call of a task handler, for the LambdaFunction… and Task… history events. */
export interface Invocation {
  stateName: string;
  /** The run it belongs to (see EngineEvent). */
  scope: number;
  resource: string;
  input: unknown;
  timeoutSeconds?: number;
  scheduledAt: Date;
  end?:
    | { kind: 'succeeded'; at: Date; output: unknown }
    | { kind: 'failed'; at: Date; error: string; cause: string }
    | { kind: 'timedOut'; at: Date; error: string };
}

export interface ExecutionIdentity {
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn: string;
}

export interface EngineOptions {
  compiled: CompiledDefinition;
  input: Json;
  identity: ExecutionIdentity;
  startDate: Date;
  taskHandlers: TaskHandlerResolver;
  waitScale: number;
  logger?: Logger;
}

/** Raised by a Fail state; keeps "no Error" / "no Cause" apart from empty strings. */
class FailStateError extends StatesError {
  constructor(
    readonly failError: string | undefined,
    readonly failCause: string | undefined,
  ) {
    super(failError ?? '', failCause ?? '');
  }
}

const matchesTimeout = (errorEquals: string[] | undefined) => !!errorEquals?.some((e) => e === 'States.Timeout' || e === 'States.ALL');

/**
 * A task's States.Timeout, raised by our timer. AWS gives it no Cause (a catcher sees `"Cause": ""`, the
 * history events carry none). The library's own timeout error says "States.Timeout" as its Cause, and the
 * library lets `States.TaskFailed` match every error but that (private) class; so this error tells the library,
 * per retrier and catcher, whether it may match at all. aws-local-stepfunctions 3.0.0 reads `isRetryable` once
 * per retrier and `isCatchable` once per catcher, in order (StateExecutor.shouldRetry / catchError).
 */
class TaskTimeoutError extends StatesError {
  private retrier = 0;
  private catcher = 0;
  constructor(private readonly errorEquals: { retry: string[][]; catch: string[][] }) {
    super('States.Timeout', '');
  }
  override get isRetryable(): boolean {
    return matchesTimeout(this.errorEquals.retry[this.retrier++]);
  }
  override get isCatchable(): boolean {
    return matchesTimeout(this.errorEquals.catch[this.catcher++]);
  }
}

/** Unwinds an execution that was stopped while a handler was running; never retried or caught. */
const abortedError = () => new StatesError('States.Aborted', 'The execution was stopped', true);

/** Longest delay Node's setTimeout honours; a longer one fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** setTimeout without Node's overflow: a longer delay runs as a chain of timers. Returns the cancel function. */
export function setLongTimeout(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const arm = (remaining: number) => {
    timer = setTimeout(() => (remaining > MAX_TIMER_MS ? arm(remaining - MAX_TIMER_MS) : fn()), Math.min(remaining, MAX_TIMER_MS));
  };
  arm(ms);
  return () => clearTimeout(timer);
}

/** Resolves after `ms` (any length) or as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      cancel();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const cancel = setLongTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A handler's result as Lambda would return it: JSON only (`undefined` → null). */
function toJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value) ?? 'null') as Json);
}

const oversized = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '') > PAYLOAD_LIMIT_BYTES;

/** A path's value, or undefined where it selects nothing. */
function valueAt(path: string, input: unknown, context: unknown): unknown {
  try {
    return queryPath(path, input, context);
  } catch {
    return undefined;
  }
}

/** A value as AWS quotes it after `==` in Wait errors: strings bare, the rest as JSON. */
const shown = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Wait SecondsPath: a non-negative whole number, with AWS's wording for each failure (AWS-validated, LocalStack wait tests). */
function secondsAt(path: string, input: unknown, context: unknown): number {
  const value = valueAt(path, input, context);
  if (value === undefined) throw statesRuntime(`The SecondsPath parameter does not reference an input value: ${path}`);
  if (typeof value !== 'number' || !Number.isInteger(value)) throw statesRuntime(`The SecondsPath parameter cannot be parsed as a long value: ${path} == ${shown(value)}`);
  if (value < 0) throw statesRuntime(`The SecondsPath parameter references a negative value: ${path} == ${value}`);
  return value;
}

/** Fail's ErrorPath/CausePath: a reference path or an intrinsic function, which must yield a string. */
function stringAt(expression: string, field: string, input: unknown, context: unknown): string {
  const value = isIntrinsicExpression(expression)
    ? evaluateIntrinsic(expression, (path) => queryPath(path, input, context, field))
    : queryPath(expression, input, context, field);
  if (typeof value !== 'string') throw statesRuntime(`The value of the field '${field}' must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * RFC 3339 date-time as Wait timestamps require ("an ISO-8601 extended offset date-time"): `T` separator,
 * an offset, and real calendar values (Date.parse alone accepts month 13 in some forms and rolls Feb 30 over).
 */
const RFC3339 = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
function isTimestamp(value: unknown): value is string {
  const match = typeof value === 'string' ? RFC3339.exec(value) : null;
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

/** States that run work and can be retried: the only ones whose `$$.State` has a RetryCount. */
const EXECUTION_STATES = new Set(['Task', 'Map', 'Parallel']);

/** AWS inline Map: at most 40 concurrent iterations, also when MaxConcurrency is 0 (no limit). */
const MAX_INLINE_CONCURRENCY = 40;

/** Events of one run (the execution, a branch or an iteration) and of the Map/Parallel states it is running. */
interface Scope {
  id: number;
  sink: EngineEvent[];
  /** Events of a Map/Parallel attempt in progress, flushed when the library reports that state's end. */
  buffers: Map<string, EngineEvent[]>;
  signal: AbortSignal;
}

type ChildOutcome = { ok: true; output: unknown } | { ok: false; error: unknown };
interface Child {
  settled: Promise<ChildOutcome>;
  events: EngineEvent[];
  abort(): void;
}

/**
 * One execution run by aws-local-stepfunctions, with our handlers for Task states (and for the Wait, Pass,
 * Fail, Map and Parallel states the definition rewrite turned into tasks), the `$$` context, and the records
 * the API needs: the events, the task invocations, waits, retries and state transitions.
 */
export class EngineRun {
  readonly events: EngineEvent[] = [];
  readonly invocations: Invocation[] = [];
  readonly waits: WaitRecord[] = [];
  readonly retries: RetryRecord[] = [];
  stateTransitions = 0;
  /** Settles (never rejects) once the outcome is known and the event log is fully drained. */
  readonly done: Promise<Outcome>;

  private readonly controller = new AbortController();
  private readonly pending = new Set<(error: Error) => void>();
  /** Current entry of each state: when it was entered and how many attempts it has started. */
  private readonly entries = new Map<string, { enteredTime: string; attempts: number }>();
  /** `$$.State` as the library sees it: shared by reference with its context object, updated on entry/attempt. */
  private readonly stateContext: { Name: string; EnteredTime: string; RetryCount?: number } = { Name: '', EnteredTime: '' };
  /** `$$` without State, for the paths and templates we evaluate ourselves. */
  private readonly baseContext: Record<string, unknown>;
  /** The context handed to the library (its runs add Execution.Input and StartTime). */
  private readonly libraryContext: RunOptions['context'];
  private readonly hooks: EntryHooks;
  private readonly libraryAbort: () => void;
  private readonly lastError = new Map<string, string>();
  private scopeCount = 0;

  constructor(private readonly options: EngineOptions) {
    const { identity, startDate, input } = options;
    const execution = {
      Id: identity.executionArn,
      Name: identity.executionName,
      RoleArn: identity.roleArn,
      StartTime: startDate.toISOString(),
      RedriveCount: 0,
    };
    const shared = { StateMachine: { Id: identity.stateMachineArn, Name: identity.stateMachineName }, State: this.stateContext };
    // The library adds Execution.Input and its own Execution.StartTime, stamped synchronously inside run()
    // right after startDate was taken (so normally the same millisecond). Templates we evaluate use startDate.
    this.libraryContext = { ...shared, Execution: execution };
    this.baseContext = { StateMachine: shared.StateMachine, Execution: { ...execution, Input: input } };

    this.hooks = {
      onEnter: (name) => {
        const entry = { enteredTime: new Date().toISOString(), attempts: 0 };
        this.entries.set(name, entry);
        Object.assign(this.stateContext, { Name: name, EnteredTime: entry.enteredTime });
        if (this.isExecutionState(name)) this.stateContext.RetryCount = 0;
        else delete this.stateContext.RetryCount;
      },
      onAttempt: (name) => {
        const entry = this.entries.get(name) ?? { enteredTime: new Date().toISOString(), attempts: 0 };
        entry.attempts++;
        this.entries.set(name, entry);
        if (this.isExecutionState(name)) this.stateContext.RetryCount = entry.attempts - 1;
      },
    };
    const root: Scope = { id: 0, sink: this.events, buffers: new Map(), signal: this.controller.signal };
    const runOptions: RunOptions = { overrides: { taskResourceLocalHandlers: this.handlersFor(root) }, context: this.libraryContext };
    const run = new StateMachine(withEntryHook(options.compiled.runnable, this.hooks), { validationOptions: { noValidate: true } }).run(
      input as JsonValue,
      runOptions,
    );
    this.libraryAbort = run.abort;

    const outcome = run.result
      .then(
        (output): Outcome => ({ status: 'SUCCEEDED', output: output as Json }),
        (error: unknown): Outcome => this.failureOutcome(error),
      )
      // Closed, possibly by the library's own execution timeout: nothing of ours may keep running.
      .finally(() => this.release());
    this.done = Promise.all([outcome, this.drain(run, root)]).then(([o]) => this.explainPathError(o));
  }

  /** StopExecution: the library aborts, our sleeps end, running handlers see their signal aborted. */
  abort(): void {
    if (this.controller.signal.aborted) return;
    this.libraryAbort();
    this.release();
  }

  /** Ends our sleeps, aborts the handlers' signals and unwinds the library from calls still pending. */
  private release(): void {
    this.controller.abort();
    for (const reject of this.pending) reject(abortedError());
    this.pending.clear();
  }

  private isExecutionState(name: string): boolean {
    return EXECUTION_STATES.has(this.options.compiled.states.get(name)?.type ?? '');
  }

  /** `$$` for a state we evaluate: its own entry, so concurrent branches cannot mix their State fields. */
  private contextOf(stateName: string): Record<string, unknown> {
    const entry = this.entries.get(stateName);
    const state: Record<string, unknown> = { Name: stateName, EnteredTime: entry?.enteredTime ?? '' };
    if (this.isExecutionState(stateName)) state.RetryCount = Math.max(0, (entry?.attempts ?? 1) - 1);
    return { ...this.baseContext, State: state };
  }

  private failureOutcome(error: unknown): Outcome {
    if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
    // AWS: a TIMED_OUT execution has no error or cause.
    if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT' };
    const cause = error instanceof ExecutionError ? (error.cause as unknown) : error;
    if (cause instanceof FailStateError) return { status: 'FAILED', error: cause.failError, cause: cause.failCause };
    if (cause instanceof TaskTimeoutError) return { status: 'FAILED', error: cause.name };
    const described = describeThrown(cause);
    const failedState = cause instanceof StatesError ? cause.stateName : undefined;
    return { status: 'FAILED', error: described.error, cause: described.cause, ...(failedState === undefined ? {} : { failedState }) };
  }

  /**
   * The library words a path that selects nothing (InputPath, OutputPath, TimeoutSecondsPath) as "Path
   * expression '$.x' does not point to a value"; AWS as "Invalid path '$.x' : No results for path: $['x']"
   * (AWS-validated `test_invalid_jsonpath` in LocalStack's scenarios). The state is the one whose StateFailed
   * carries that error first (States.Runtime is never caught, so later ones are its enclosing Map/Parallel).
   */
  private explainPathError(outcome: Outcome): Outcome {
    if (outcome.status !== 'FAILED' || outcome.failedState !== undefined || outcome.error !== 'States.Runtime') return outcome;
    const path = /^Path expression '(.+)' does not point to a value$/.exec(outcome.cause ?? '')?.[1];
    const failed = this.events.find((e) => e.type === 'StateFailed' && e.Error === 'States.Runtime' && e.Cause === outcome.cause);
    if (path === undefined || failed?.type !== 'StateFailed') return outcome;
    const name = failed.state.name;
    // InputPath applies to the raw state input, which the event carries; other paths' data is not recorded.
    const data = this.options.compiled.inputPaths.get(name) === path ? failed.state.input : undefined;
    return { ...outcome, cause: `Invalid path '${path}' : ${missingPathDetail(path, data)}`, failedState: name };
  }

  private async drain(run: ReturnType<StateMachine['run']>, scope: Scope): Promise<void> {
    for await (const event of run.eventLogs) this.record(event, scope);
    // Stopped mid-state: keep what the interrupted Map/Parallel recorded.
    for (const name of [...scope.buffers.keys()]) this.flush(scope, name);
  }

  private flush(scope: Scope, stateName: string): void {
    const buffer = scope.buffers.get(stateName);
    if (!buffer) return;
    scope.sink.push(...buffer);
    scope.buffers.delete(stateName);
  }

  private record(event: LibraryEvent, scope: Scope): void {
    if (event.type === 'StateEntered') this.stateTransitions++;
    if (event.type === 'StateFailed') this.lastError.set(event.state.name, event.Error);
    if (event.type === 'StateRetried') {
      // AWS bills retries as state transitions.
      this.stateTransitions++;
      const { retrier, attempt } = event.retry;
      const scale = this.options.waitScale;
      const interval = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** (attempt - 1);
      const capped = retrier.MaxDelaySeconds === undefined ? interval : Math.min(interval, retrier.MaxDelaySeconds);
      this.retries.push({
        stateName: event.state.name,
        attempt,
        error: this.lastError.get(event.state.name) ?? '',
        nominalDelaySeconds: capped / scale,
      });
    }
    // A Map/Parallel attempt is over once the library reports it: its own events go before that report.
    if (event.type === 'StateExited' || event.type === 'StateFailed') this.flush(scope, event.state.name);
    scope.sink.push({ ...event, scope: scope.id });
  }

  /** Our handlers for one run: each knows the run (scope) its events and invocations belong to. */
  private handlersFor(scope: Scope): Record<string, (input: JsonValue) => Promise<JsonValue>> {
    const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    for (const [name, { plan }] of this.options.compiled.states) if (plan) handlers[name] = this.handlerFor(name, plan, scope);
    return handlers;
  }

  private handlerFor(stateName: string, plan: StatePlan, scope: Scope): (input: JsonValue) => Promise<JsonValue> {
    const guarded = (run: (input: unknown) => Promise<unknown> | unknown) => async (input: JsonValue) => {
      if (scope.signal.aborted) throw abortedError();
      try {
        return (await run(input)) as JsonValue;
      } catch (e) {
        // The state that failed, for AWS's Cause prefix; errors of nested states keep their own.
        if (e instanceof StatesError && e.name === 'States.Runtime') e.stateName ??= stateName;
        throw e;
      }
    };
    switch (plan.kind) {
      case 'task':
        return guarded((input) => this.runTask(stateName, plan, input, scope));
      case 'wait':
        return guarded((input) => this.runWait(stateName, plan, input, scope));
      case 'map':
        return guarded((input) => this.runMap(stateName, plan, input, scope));
      case 'parallel':
        return guarded((input) => this.runParallel(stateName, plan, input, scope));
      case 'pass':
        return guarded((input) => {
          const effective = plan.parameters === undefined ? input : applyPayloadTemplate(plan.parameters, input, this.contextOf(stateName));
          const result = plan.hasResult ? toJson(plan.result) : effective;
          // AWS quota on a state's output; AWS names the state in the Cause.
          if (oversized(result)) throw dataLimitExceeded(stateName);
          return result;
        });
      case 'fail':
        return guarded((input) => {
          const context = this.contextOf(stateName);
          throw new FailStateError(
            plan.error ?? (plan.errorPath === undefined ? undefined : stringAt(plan.errorPath, 'ErrorPath', input, context)),
            plan.cause ?? (plan.causePath === undefined ? undefined : stringAt(plan.causePath, 'CausePath', input, context)),
          );
        });
    }
  }

  private async runWait(stateName: string, plan: Extract<StatePlan, { kind: 'wait' }>, input: unknown, scope: Scope): Promise<unknown> {
    const context = this.contextOf(stateName);
    let seconds: number;
    if (plan.seconds !== undefined) seconds = plan.seconds;
    else if (plan.secondsPath !== undefined) seconds = secondsAt(plan.secondsPath, input, context);
    else {
      // AWS wording (AWS-validated, LocalStack wait tests): "The Timestamp field cannot be parsed ..." /
      // "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time ...".
      let timestamp: unknown;
      if (plan.timestamp !== undefined) {
        timestamp = plan.timestamp;
        if (!isTimestamp(timestamp)) throw statesRuntime(`The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${plan.timestamp}`);
      } else {
        const path = plan.timestampPath ?? '$';
        timestamp = valueAt(path, input, context);
        if (timestamp === undefined) throw statesRuntime(`The TimestampPath parameter does not reference an input value: ${path}`);
        if (!isTimestamp(timestamp)) {
          throw statesRuntime(`The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${path} == ${shown(timestamp)}`);
        }
      }
      seconds = Math.max(0, (Date.parse(timestamp as string) - Date.now()) / 1000);
    }
    this.waits.push({ stateName, seconds, at: new Date() });
    await sleep(seconds * 1000 * this.options.waitScale, scope.signal);
    if (scope.signal.aborted) throw abortedError();
    return input;
  }

  /** Runs a branch or an iteration as a nested library run whose events and invocations we record. */
  private runChild(definition: StateMachineDefinition, input: unknown, parent: Scope): Child {
    const controller = new AbortController();
    const scope: Scope = { id: ++this.scopeCount, sink: [], buffers: new Map(), signal: AbortSignal.any([parent.signal, controller.signal]) };
    const run = new StateMachine(withEntryHook(definition, this.hooks), { validationOptions: { noValidate: true } }).run(input as JsonValue, {
      overrides: { taskResourceLocalHandlers: this.handlersFor(scope) },
      context: this.libraryContext,
    });
    const abort = () => {
      controller.abort();
      run.abort();
    };
    parent.signal.addEventListener('abort', abort, { once: true });
    const result = run.result.then(
      (output): ChildOutcome => ({ ok: true, output }),
      (error: unknown): ChildOutcome => ({ ok: false, error: error instanceof ExecutionError ? (error.cause as unknown) : error }),
    );
    const settled = Promise.all([result, this.drain(run, scope)]).then(([outcome]) => {
      parent.signal.removeEventListener('abort', abort);
      return outcome;
    });
    return { settled, events: scope.sink, abort };
  }

  /** The buffer of a Map/Parallel attempt, and a function adding one of our events to it. */
  private openBuffer(scope: Scope, stateName: string) {
    const buffer: EngineEvent[] = [];
    scope.buffers.set(stateName, buffer);
    const note = (event: DistributiveOmit<LocalEvent, 'timestamp'>) => buffer.push({ ...event, timestamp: Date.now(), scope: scope.id } as EngineEvent);
    return { buffer, note };
  }

  /**
   * AWS Map (inline): ItemsPath on the effective input, ItemSelector with `$$.Map.Item`, at most MaxConcurrency
   * iterations at a time (the next one starts once an earlier one has ended), MapStateStarted/MapIteration…/
   * MapStateSucceeded|Failed events; the first failing iteration fails the state and aborts the others.
   */
  private async runMap(stateName: string, plan: Extract<StatePlan, { kind: 'map' }>, input: unknown, scope: Scope): Promise<unknown> {
    const context = this.contextOf(stateName);
    const items = plan.itemsPath === undefined ? input : queryPath(plan.itemsPath, input, context, 'ItemsPath');
    if (!Array.isArray(items)) throw statesRuntime(`Map state input must be an array but was: ${JSON.stringify(items)}`);
    let maxConcurrency = plan.maxConcurrency ?? 0;
    if (plan.maxConcurrencyPath !== undefined) {
      const value = queryPath(plan.maxConcurrencyPath, input, context, 'MaxConcurrencyPath');
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw statesRuntime(`The MaxConcurrencyPath field refers to value ${JSON.stringify(value)} which is not a valid non-negative integer`);
      }
      maxConcurrency = value;
    }
    const { buffer, note } = this.openBuffer(scope, stateName);
    note({ type: 'MapStateStarted', length: items.length });
    const iteration = (index: number) => ({ index, parentState: { name: stateName } });
    const results: unknown[] = new Array(items.length);
    const running = new Set<Child>();
    let failure: { error: unknown } | undefined;
    const fail = (error: unknown) => {
      failure ??= { error };
      for (const child of running) child.abort();
    };
    let next = 0;
    const worker = async () => {
      while (!failure && next < items.length && !scope.signal.aborted) {
        const index = next++;
        note({ type: 'MapIterationStarted', ...iteration(index) });
        let child: Child;
        try {
          const itemContext = { ...context, Map: { Item: { Index: index, Value: items[index] as unknown } } };
          child = this.runChild(plan.processor, plan.itemSelector === undefined ? items[index] : applyPayloadTemplate(plan.itemSelector, input, itemContext), scope);
        } catch (e) {
          note({ type: 'MapIterationFailed', ...iteration(index) });
          fail(e);
          return;
        }
        running.add(child);
        const outcome = await child.settled;
        running.delete(child);
        buffer.push(...child.events);
        if (outcome.ok) {
          results[index] = outcome.output;
          note({ type: 'MapIterationSucceeded', ...iteration(index) });
        } else if (outcome.error instanceof ExecutionAbortedError) {
          note({ type: 'MapIterationAborted', ...iteration(index) });
        } else {
          note({ type: 'MapIterationFailed', ...iteration(index) });
          fail(outcome.error);
        }
      }
    };
    const workers = Math.min(items.length, maxConcurrency === 0 ? MAX_INLINE_CONCURRENCY : Math.min(maxConcurrency, MAX_INLINE_CONCURRENCY));
    await Promise.all(Array.from({ length: workers }, worker));
    if (scope.signal.aborted) throw abortedError();
    if (failure) {
      note({ type: 'MapStateFailed' });
      throw failure.error;
    }
    note({ type: 'MapStateSucceeded' });
    return plan.resultSelector === undefined ? results : applyPayloadTemplate(plan.resultSelector, results, context);
  }

  /** AWS Parallel: every branch gets the (Parameters-transformed) input; the first failing branch fails the state. */
  private async runParallel(stateName: string, plan: Extract<StatePlan, { kind: 'parallel' }>, input: unknown, scope: Scope): Promise<unknown> {
    const context = this.contextOf(stateName);
    const branchInput = plan.parameters === undefined ? input : applyPayloadTemplate(plan.parameters, input, context);
    const { buffer, note } = this.openBuffer(scope, stateName);
    note({ type: 'ParallelStateStarted' });
    const children = plan.branches.map((branch) => this.runChild(branch, branchInput, scope));
    let failure: { error: unknown } | undefined;
    const outcomes = await Promise.all(
      children.map(async (child) => {
        const outcome = await child.settled;
        if (!outcome.ok && !failure) {
          failure = { error: outcome.error };
          for (const other of children) other.abort();
        }
        return outcome;
      }),
    );
    for (const child of children) buffer.push(...child.events);
    if (scope.signal.aborted) throw abortedError();
    if (failure) {
      note({ type: 'ParallelStateFailed' });
      throw failure.error;
    }
    note({ type: 'ParallelStateSucceeded' });
    const results = outcomes.map((o) => (o.ok ? o.output : null));
    return plan.resultSelector === undefined ? results : applyPayloadTemplate(plan.resultSelector, results, context);
  }

  private runTask(stateName: string, plan: Extract<StatePlan, { kind: 'task' }>, input: unknown, scope: Scope): Promise<unknown> {
    const context = this.contextOf(stateName);
    const retryCount = (context.State as { RetryCount: number }).RetryCount;
    const effective = plan.parameters === undefined ? input : applyPayloadTemplate(plan.parameters, input, context);
    let timeoutSeconds = plan.timeoutSeconds;
    if (plan.timeoutSecondsPath !== undefined) {
      // The library evaluates TimeoutSecondsPath on the same input, right after calling us, and fails the
      // state itself when the value is unusable: then the handler must not run and our promise never settles.
      const value = valueAt(plan.timeoutSecondsPath, input, context);
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) return new Promise(() => {});
      timeoutSeconds = value;
    }
    const invocation: Invocation = { stateName, scope: scope.id, resource: plan.resource, input: effective, timeoutSeconds, scheduledAt: new Date() };
    this.invocations.push(invocation);
    const handler = this.options.taskHandlers(plan.resource, stateName);
    const local = new AbortController();
    const ctx: TaskContext = {
      executionArn: this.options.identity.executionArn,
      executionName: this.options.identity.executionName,
      stateMachineArn: this.options.identity.stateMachineArn,
      stateName,
      retryCount,
      signal: AbortSignal.any([scope.signal, local.signal]),
    };

    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        cancelTimer?.();
        this.pending.delete(reject);
        fn();
      };
      this.pending.add(reject);
      // Armed before the library's timer of the same length, so ours fails the state (with AWS's cause-less
      // States.Timeout) and the library's is cleared; the handler's late result is ignored.
      const cancelTimer =
        timeoutSeconds === undefined
          ? undefined
          : setLongTimeout(() => {
              local.abort();
              settle(() => {
                invocation.end = { kind: 'timedOut', at: new Date(), error: 'States.Timeout' };
                reject(new TaskTimeoutError(plan.errorEquals));
              });
            }, timeoutSeconds * 1000);
      const fail = (error: string, cause: string, thrown: Error) =>
        settle(() => {
          invocation.end = { kind: 'failed', at: new Date(), error, cause };
          reject(thrown);
        });

      if (!handler) {
        const lambda = /^arn:aws[\w-]*:lambda:/.test(plan.resource);
        const error = lambda ? 'Lambda.ResourceNotFoundException' : 'States.TaskFailed';
        const cause = `No local handler for resource '${plan.resource}' (state '${stateName}')`;
        this.options.logger?.warn('local-stepfunctions: no task handler', { resource: plan.resource, stateName });
        fail(error, cause, new StatesError(error, cause));
        return;
      }
      Promise.resolve()
        .then(() => handler(toJson(effective), ctx))
        .then(
          (result) => {
            let output: Json;
            try {
              output = toJson(result);
            } catch (e) {
              const { error, cause } = describeThrown(e);
              fail(error, cause, new StatesError(error, cause));
              return;
            }
            if (oversized(output)) {
              // AWS names the Lambda function ARN, or the integration's resource type (`lambda`, `sagemaker`...).
              const err = dataLimitExceeded(isLambdaFunctionArn(plan.resource) ? plan.resource : taskResourceParts(plan.resource).resourceType);
              fail(err.name, err.message, err);
              return;
            }
            settle(() => {
              invocation.end = { kind: 'succeeded', at: new Date(), output };
              try {
                resolve(plan.resultSelector === undefined ? output : applyPayloadTemplate(plan.resultSelector, output, context));
              } catch (e) {
                reject(e);
              }
            });
          },
          (thrown: unknown) => {
            const { error, cause } = describeThrown(thrown);
            fail(error, cause, new StatesError(error, cause));
          },
        );
    });
  }
}
