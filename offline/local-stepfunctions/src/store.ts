import type { CompiledDefinition } from './definition';
import { EngineRun, type Outcome } from './engine';
import { buildHistory } from './history';
import type { ExecutionRunFields, ExecutionSnapshot, ExecutionStatus, HistoryEvent, Json, Logger, PersistedExecution, TaskHandlerResolver } from './types';

export interface RegisteredStateMachine {
  name: string;
  arn: string;
  definition: object;
  compiled: CompiledDefinition;
  roleArn: string;
  type: 'STANDARD';
  creationDate: Date;
}

export interface StartParameters {
  stateMachine: RegisteredStateMachine;
  executionArn: string;
  name: string;
  /** The input string as the caller sent it (DescribeExecution returns it verbatim). */
  input: string;
  parsedInput: Json;
  taskHandlers: TaskHandlerResolver;
  waitScale: number;
  region: string;
  logger?: Logger;
  /** The execution that started this one (its input's AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID). */
  parentExecutionArn?: string;
}

/** What the service keeps per execution: a run of the engine, or one restored from a previous server. */
export interface Execution extends Readonly<ExecutionRunFields> {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachine: RegisteredStateMachine;
  readonly closed: Promise<void>;
  stop(error: string | undefined, cause: string | undefined): void;
  history(): HistoryEvent[];
  snapshot(): ExecutionSnapshot;
  persisted(): PersistedExecution;
}

/** What exportState() writes of an execution. */
function persistedForm(execution: Execution): PersistedExecution {
  const { executionArn, name, input, startDate, status, stopDate, output, error, cause } = execution;
  return { executionArn, stateMachineArn: execution.stateMachine.arn, name, input, startDate, status, stopDate, output, error, cause, history: execution.history(), snapshot: execution.snapshot() };
}

/** The error a restored execution was aborted with when the previous server died while it ran. */
export const INTERRUPTED_ERROR = 'local-stepfunctions.Interrupted';

/**
 * An execution a previous server exported: it answers from what was saved. One that was RUNNING
 * cannot resume (the engine's in-memory state died with the server): it is ABORTED as of the
 * moment the previous server was last seen, with INTERRUPTED_ERROR and a cause naming the state it
 * was in, and its history ends with ExecutionAborted, as after StopExecution.
 */
export class RestoredExecution implements Execution {
  readonly executionArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  readonly status: ExecutionStatus;
  readonly stopDate?: Date;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly closed = Promise.resolve();
  /** The state it was in when interrupted ('' before any state), if it was. */
  readonly interruptedIn?: string;
  private readonly events: HistoryEvent[];
  private readonly saved: ExecutionSnapshot;

  constructor(
    saved: PersistedExecution,
    readonly stateMachine: RegisteredStateMachine,
    lastSeen: Date,
  ) {
    this.executionArn = saved.executionArn;
    this.name = saved.name;
    this.input = saved.input;
    this.startDate = saved.startDate;
    this.events = saved.history.map((e) => ({ ...e }));
    if (saved.status !== 'RUNNING') {
      this.status = saved.status;
      this.stopDate = saved.stopDate;
      this.output = saved.output;
      this.error = saved.error;
      this.cause = saved.cause;
      this.saved = saved.snapshot;
      return;
    }
    const entered = this.events.findLast((e) => e.type.endsWith('StateEntered'));
    const stateName = entered === undefined ? '' : (entered.stateEnteredEventDetails as { name: string }).name;
    const stopDate = new Date(Math.max(lastSeen.getTime(), this.events.at(-1)?.timestamp.getTime() ?? saved.startDate.getTime()));
    const cause = `The local Step Functions service stopped (the process was killed or crashed) while this execution ${
      stateName ? `was in state '${stateName}'` : 'was starting'
    }; an execution cannot resume after a restart: start it again.`;
    this.status = 'ABORTED';
    this.stopDate = stopDate;
    this.error = INTERRUPTED_ERROR;
    this.cause = cause;
    this.interruptedIn = stateName;
    const last = this.events.at(-1);
    this.events.push({
      id: (last?.id ?? 0) + 1,
      previousEventId: last?.id ?? 0,
      timestamp: stopDate,
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: INTERRUPTED_ERROR, cause },
    });
    this.saved = { ...saved.snapshot, status: 'ABORTED', stopDate, error: INTERRUPTED_ERROR, cause };
  }

  stop(): void {
    // Closed: StopExecution on a closed execution changes nothing.
  }

  history(): HistoryEvent[] {
    return this.events.map((e) => ({ ...e }));
  }

  snapshot(): ExecutionSnapshot {
    return { ...this.saved };
  }

  private form?: PersistedExecution;

  /** The same object every time: a restored execution never changes. */
  persisted(): PersistedExecution {
    this.form ??= persistedForm(this);
    return this.form;
  }
}

/** One execution: its API-visible state, and the engine run behind it. */
export class ExecutionRecord implements Execution {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachine: RegisteredStateMachine;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus = 'RUNNING';
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** Resolves when the execution is closed and its history complete. */
  readonly closed: Promise<void>;
  private readonly engine: EngineRun;
  private readonly waitScale: number;
  private readonly region: string;
  private readonly parentExecutionArn?: string;

  constructor(params: StartParameters) {
    this.parentExecutionArn = params.parentExecutionArn;
    this.executionArn = params.executionArn;
    this.name = params.name;
    this.stateMachine = params.stateMachine;
    this.input = params.input;
    this.waitScale = params.waitScale;
    this.region = params.region;
    // Taken right before the engine starts so the library's $$.Execution.StartTime falls in the same millisecond.
    this.startDate = new Date();
    this.engine = new EngineRun({
      compiled: params.stateMachine.compiled,
      input: params.parsedInput,
      identity: {
        executionArn: params.executionArn,
        executionName: params.name,
        stateMachineArn: params.stateMachine.arn,
        stateMachineName: params.stateMachine.name,
        roleArn: params.stateMachine.roleArn,
      },
      startDate: this.startDate,
      taskHandlers: params.taskHandlers,
      waitScale: params.waitScale,
      logger: params.logger,
    });
    this.closed = this.engine.done.then((outcome) => this.close(outcome));
  }

  /** StopExecution: ABORTED at once (as AWS answers), then the engine unwinds. */
  stop(error: string | undefined, cause: string | undefined): void {
    if (this.status !== 'RUNNING') return;
    this.status = 'ABORTED';
    this.stopDate = new Date();
    this.error = error;
    this.cause = cause;
    this.engine.abort();
  }

  private close(outcome: Outcome): void {
    if (this.status !== 'RUNNING') return; // stopped meanwhile: StopExecution's record stands
    if (outcome.status === 'FAILED') {
      this.error = outcome.error;
      this.cause = outcome.failedState === undefined ? outcome.cause : this.stateCause(outcome.failedState, outcome.cause ?? '');
    }
    this.stopDate = new Date();
    this.status = outcome.status;
    if (outcome.status === 'SUCCEEDED') this.output = JSON.stringify(outcome.output);
  }

  /**
   * AWS's Cause for an error in the evaluation of a state (States.Runtime): "An error occurred while executing
   * the state '<name>' (entered at the event id #<id>). <detail>". Called while the history has no closing event.
   */
  private stateCause(stateName: string, detail: string): string {
    const entered = this.history().findLast(
      (e) => e.type.endsWith('StateEntered') && (e.stateEnteredEventDetails as { name: string }).name === stateName,
    );
    const at = entered === undefined ? '' : ` (entered at the event id #${entered.id})`;
    return `An error occurred while executing the state '${stateName}'${at}. ${detail}`;
  }

  history(): HistoryEvent[] {
    const stateTypes = new Map([...this.stateMachine.compiled.states].map(([name, s]) => [name, s.type]));
    return buildHistory({
      events: this.engine.events,
      invocations: this.engine.invocations,
      stateTypes,
      region: this.region,
      execution: {
        input: this.input,
        roleArn: this.stateMachine.roleArn,
        startDate: this.startDate,
        status: this.status,
        stopDate: this.stopDate,
        output: this.output,
        error: this.error,
        cause: this.cause,
      },
    });
  }

  private closedForm?: PersistedExecution;

  /** Cached once closed: a closed execution's history no longer changes. */
  persisted(): PersistedExecution {
    if (this.closedForm) return this.closedForm;
    const form = persistedForm(this);
    if (this.status !== 'RUNNING' && form.history.at(-1)?.type.startsWith('Execution')) this.closedForm = form;
    return form;
  }

  snapshot(): ExecutionSnapshot {
    const waits = this.engine.waits.map((w) => ({ ...w }));
    const virtualWaitSeconds = waits.reduce((sum, w) => sum + w.seconds, 0);
    const realElapsed = ((this.stopDate ?? new Date()).getTime() - this.startDate.getTime()) / 1000;
    return {
      executionArn: this.executionArn,
      stateMachineArn: this.stateMachine.arn,
      stateMachineName: this.stateMachine.name,
      name: this.name,
      status: this.status,
      startDate: this.startDate,
      stopDate: this.stopDate,
      input: JSON.parse(this.input) as unknown,
      output: this.output === undefined ? undefined : (JSON.parse(this.output) as unknown),
      error: this.error,
      cause: this.cause,
      stateTransitions: this.engine.stateTransitions,
      waits,
      virtualWaitSeconds,
      // Each Wait slept seconds × waitScale of real time; count it at its requested length instead.
      virtualElapsedSeconds: realElapsed + virtualWaitSeconds * (1 - this.waitScale),
      retries: this.engine.retries.map((r) => ({ ...r })),
      ...(this.parentExecutionArn === undefined ? {} : { parentExecutionArn: this.parentExecutionArn }),
    };
  }
}
