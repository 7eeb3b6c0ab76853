import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type RunOptions,
} from 'aws-local-stepfunctions';
import { type CompiledDefinition, type StatePlan, withEntryHook } from './definition';
import { StatesError, dataLimitExceeded, describeThrown, statesRuntime } from './errors';
import { evaluateIntrinsic } from './intrinsics';
import { applyPayloadTemplate, isIntrinsicExpression, queryPath } from './jsonpath';
import type { Json, Logger, RetryRecord, TaskContext, TaskHandlerResolver, WaitRecord } from './types';

/** AWS quota: 256 KiB of UTF-8 for any state's input or output. */
export const PAYLOAD_LIMIT_BYTES = 262_144;

type JsonValue = Parameters<StateMachine['run']>[0];
type EventLog = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'];
export type LibraryEvent = Exclude<EventLog, void>;

export type Outcome =
  | { status: 'SUCCEEDED'; output: Json }
  | { status: 'FAILED'; error?: string; cause?: string }
  | { status: 'TIMED_OUT'; error: string; cause: string }
  | { status: 'ABORTED' };

/** One call of a task handler, for the LambdaFunction… and Task… history events. */
export interface Invocation {
  stateName: string;
  resource: string;
  input: unknown;
  timeoutSeconds?: number;
  scheduledAt: Date;
  end?:
    | { kind: 'succeeded'; at: Date; output: unknown }
    | { kind: 'failed' | 'timedOut'; at: Date; error: string; cause: string };
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

/** Unwinds an execution that was stopped while a handler was running; never retried or caught. */
const abortedError = () => new StatesError('States.Aborted', 'The execution was stopped', true);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A handler's result as Lambda would return it: JSON only (`undefined` → null). */
function toJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value) ?? 'null') as Json);
}

/** A path's value, or undefined where it selects nothing. */
function valueAt(path: string, input: unknown, context: unknown): unknown {
  try {
    return queryPath(path, input, context);
  } catch {
    return undefined;
  }
}

/** Non-negative whole seconds from a path, as AWS requires for Wait SecondsPath. */
function asSeconds(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw statesRuntime(`The value of '${path}' must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Fail's ErrorPath/CausePath: a reference path or an intrinsic function, which must yield a string. */
function stringAt(expression: string, input: unknown, context: unknown): string {
  const value = isIntrinsicExpression(expression)
    ? evaluateIntrinsic(expression, (path) => queryPath(path, input, context))
    : queryPath(expression, input, context);
  if (typeof value !== 'string') throw statesRuntime(`'${expression}' must select a string, got ${JSON.stringify(value)}`);
  return value;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * One execution run by aws-local-stepfunctions, with our handlers for Task states (and for the Wait, Pass
 * and Fail states the definition rewrite turned into tasks), the `$$` context, and the records the API
 * needs: the library's event log, the task invocations, waits, retries and state transitions.
 */
export class EngineRun {
  readonly events: LibraryEvent[] = [];
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
  private readonly stateContext = { Name: '', EnteredTime: '', RetryCount: 0 };
  /** `$$` without State, for the paths and templates we evaluate ourselves. */
  private readonly baseContext: Record<string, unknown>;
  private readonly libraryAbort: () => void;
  private readonly lastError = new Map<string, string>();

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
    const libraryContext = { ...shared, Execution: execution };
    this.baseContext = { StateMachine: shared.StateMachine, Execution: { ...execution, Input: input } };

    const definition = withEntryHook(options.compiled.runnable, {
      onEnter: (name) => {
        const entry = { enteredTime: new Date().toISOString(), attempts: 0 };
        this.entries.set(name, entry);
        Object.assign(this.stateContext, { Name: name, EnteredTime: entry.enteredTime, RetryCount: 0 });
      },
      onAttempt: (name) => {
        const entry = this.entries.get(name) ?? { enteredTime: new Date().toISOString(), attempts: 0 };
        entry.attempts++;
        this.entries.set(name, entry);
        Object.assign(this.stateContext, { Name: name, EnteredTime: entry.enteredTime, RetryCount: entry.attempts - 1 });
      },
    });
    const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    for (const [name, { plan }] of options.compiled.states) if (plan) handlers[name] = this.handlerFor(name, plan);

    const runOptions: RunOptions = { overrides: { taskResourceLocalHandlers: handlers }, context: libraryContext };
    const run = new StateMachine(definition, { validationOptions: { noValidate: true } }).run(input as JsonValue, runOptions);
    this.libraryAbort = run.abort;

    const outcome = run.result
      .then(
        (output): Outcome => ({ status: 'SUCCEEDED', output: output as Json }),
        (error: unknown): Outcome => this.failureOutcome(error),
      )
      // Closed, possibly by the library's own execution timeout: nothing of ours may keep running.
      .finally(() => this.release());
    const drained = (async () => {
      for await (const event of run.eventLogs) this.record(event);
    })();
    this.done = Promise.all([outcome, drained]).then(([o]) => o);
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

  /** `$$` for a state we evaluate: its own entry, so concurrent branches cannot mix their State fields. */
  private contextOf(stateName: string): Record<string, unknown> {
    const entry = this.entries.get(stateName);
    return {
      ...this.baseContext,
      State: { Name: stateName, EnteredTime: entry?.enteredTime ?? '', RetryCount: Math.max(0, (entry?.attempts ?? 1) - 1) },
    };
  }

  private failureOutcome(error: unknown): Outcome {
    if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
    if (error instanceof ExecutionTimeoutError) {
      return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution exceeded the state machine TimeoutSeconds' };
    }
    const cause = error instanceof ExecutionError ? (error.cause as unknown) : error;
    if (cause instanceof FailStateError) return { status: 'FAILED', error: cause.failError, cause: cause.failCause };
    const described = describeThrown(cause);
    return { status: 'FAILED', error: described.error, cause: described.cause };
  }

  private record(event: LibraryEvent): void {
    this.events.push(event);
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
  }

  private handlerFor(stateName: string, plan: StatePlan): (input: JsonValue) => Promise<JsonValue> {
    const guarded = (run: (input: unknown) => Promise<unknown> | unknown) => async (input: JsonValue) => {
      if (this.controller.signal.aborted) throw abortedError();
      return (await run(input)) as JsonValue;
    };
    switch (plan.kind) {
      case 'task':
        return guarded((input) => this.runTask(stateName, plan, input));
      case 'wait':
        return guarded((input) => this.runWait(stateName, plan, input));
      case 'pass':
        return guarded((input) => {
          const effective = plan.parameters === undefined ? input : applyPayloadTemplate(plan.parameters, input, this.contextOf(stateName));
          return plan.hasResult ? toJson(plan.result) : effective;
        });
      case 'fail':
        return guarded((input) => {
          const context = this.contextOf(stateName);
          throw new FailStateError(
            plan.error ?? (plan.errorPath === undefined ? undefined : stringAt(plan.errorPath, input, context)),
            plan.cause ?? (plan.causePath === undefined ? undefined : stringAt(plan.causePath, input, context)),
          );
        });
    }
  }

  private async runWait(stateName: string, plan: Extract<StatePlan, { kind: 'wait' }>, input: unknown): Promise<unknown> {
    const context = this.contextOf(stateName);
    let seconds: number;
    if (plan.seconds !== undefined) seconds = plan.seconds;
    else if (plan.secondsPath !== undefined) seconds = asSeconds(queryPath(plan.secondsPath, input, context), plan.secondsPath);
    else {
      const timestamp = plan.timestamp ?? queryPath(plan.timestampPath ?? '$', input, context);
      if (typeof timestamp !== 'string' || !RFC3339.test(timestamp)) {
        throw statesRuntime(`The Wait timestamp must be an RFC3339 string, got ${JSON.stringify(timestamp)}`);
      }
      seconds = Math.max(0, (Date.parse(timestamp) - Date.now()) / 1000);
    }
    this.waits.push({ stateName, seconds, at: new Date() });
    await sleep(seconds * 1000 * this.options.waitScale, this.controller.signal);
    if (this.controller.signal.aborted) throw abortedError();
    return input;
  }

  private runTask(stateName: string, plan: Extract<StatePlan, { kind: 'task' }>, input: unknown): Promise<unknown> {
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
    const invocation: Invocation = { stateName, resource: plan.resource, input: effective, timeoutSeconds, scheduledAt: new Date() };
    this.invocations.push(invocation);
    const handler = this.options.taskHandlers(plan.resource, stateName);
    const local = new AbortController();
    const ctx: TaskContext = {
      executionArn: this.options.identity.executionArn,
      executionName: this.options.identity.executionName,
      stateMachineArn: this.options.identity.stateMachineArn,
      stateName,
      retryCount,
      signal: AbortSignal.any([this.controller.signal, local.signal]),
    };

    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.pending.delete(reject);
        fn();
      };
      this.pending.add(reject);
      // Our timer is armed before the library's (same duration), so it fires first: the invocation is
      // recorded as timed out and this promise stays pending until the library raises States.Timeout.
      const timer =
        timeoutSeconds === undefined
          ? undefined
          : setTimeout(() => {
              settled = true;
              this.pending.delete(reject);
              invocation.end = { kind: 'timedOut', at: new Date(), error: 'States.Timeout', cause: `Task timed out after ${timeoutSeconds} seconds` };
              local.abort();
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
            if (Buffer.byteLength(JSON.stringify(output)) > PAYLOAD_LIMIT_BYTES) {
              const err = dataLimitExceeded(`The task result exceeds the ${PAYLOAD_LIMIT_BYTES}-byte payload quota`);
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
