/** Public types of the local Step Functions service. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What a task handler learns about the call (the Lambda context's counterpart). */
export interface TaskContext {
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  stateName: string;
  /** 0 for the first attempt of this state entry, n for the n-th retry. */
  retryCount: number;
  /** Aborted when the execution is stopped or the state's TimeoutSeconds elapses: the result will be ignored. */
  signal: AbortSignal;
}

/**
 * Runs one Task state. Throw an Error whose `name` is the ASL error name (what Retry/Catch `ErrorEquals`
 * match, e.g. `Lambda.ServiceException`); its `message` becomes the error's Cause.
 */
export type TaskHandler = (input: unknown, ctx: TaskContext) => Promise<unknown>;

/** Picks the handler for a Task state's `Resource` (undefined: no local handler, the task fails). */
export type TaskHandlerResolver = (resource: string, stateName: string) => TaskHandler | undefined;

export interface StateMachineConfig {
  name: string;
  /** The ASL definition (JSONPath query language). */
  definition: object;
  roleArn?: string;
  type?: 'STANDARD';
}

export interface Logger {
  debug?(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface ServiceOptions {
  region?: string;
  accountId?: string;
  stateMachines: StateMachineConfig[];
  taskHandlers: TaskHandlerResolver;
  /**
   * Real seconds per virtual second for Wait states and Retry intervals (default 1). With 0.01 a
   * `Wait` of 30 s takes 0.3 s; the requested (virtual) seconds are recorded per execution.
   */
  waitScale?: number;
  logger?: Logger;
  /**
   * Executions a previous service exported (`exportState()`), and when it was last seen alive:
   * they come back as they were; RUNNING ones are ABORTED as of `lastSeen` (see RestoredExecution).
   */
  restore?: { executions: PersistedExecution[]; lastSeen: Date };
  /**
   * Called on every status change of an execution, with the event Step Functions sends to EventBridge
   * ("Step Functions Execution Status Change"): RUNNING when it starts; SUCCEEDED, FAILED, TIMED_OUT or
   * ABORTED when it closes (StopExecution, shutdown, or, for an execution a restore finds interrupted,
   * at the restore). A throwing listener is logged and ignored.
   */
  onEvent?: (event: ExecutionStatusChangeEvent) => void;
}

/**
 * The event Step Functions sends to the default EventBridge bus on an execution's status change
 * (Step Functions developer guide, "EventBridge (CloudWatch Events) for Step Functions execution
 * status changes"): `resources` is the execution ARN; dates are epoch milliseconds; absent values are null.
 */
export interface ExecutionStatusChangeEvent {
  source: 'aws.states';
  'detail-type': 'Step Functions Execution Status Change';
  /** When the status changed (the start date, or the stop date). */
  time: Date;
  resources: [string];
  detail: ExecutionStatusChangeDetail;
}

export interface ExecutionStatusChangeDetail {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate: number | null;
  input: string;
  inputDetails: { included: boolean };
  output: string | null;
  outputDetails: { included: boolean } | null;
  error: string | null;
  cause: string | null;
}

export interface ExecutionsRestoreReport {
  restored: number;
  /** Executions that were RUNNING: now ABORTED, with the state they were in. */
  interrupted: { executionArn: string; name: string; state: string; cause: string }[];
  /** Executions of a state machine this service does not have (not restored). */
  unknownStateMachine: string[];
}

export interface ServerOptions extends ServiceOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: '127.0.0.1';
}

/** One Wait state's pause, in virtual seconds (as the definition asked for it). */
export interface WaitRecord {
  stateName: string;
  seconds: number;
  at: Date;
}

/** One retry of a state, with the nominal backoff (before jitter) in virtual seconds. */
export interface RetryRecord {
  stateName: string;
  /** 1 for the first retry of this retrier. */
  attempt: number;
  error: string;
  nominalDelaySeconds: number;
}

/** A point-in-time view of an execution for tests and tooling. */
export interface ExecutionSnapshot {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  /** What AWS bills for STANDARD workflows: every state entered, plus every retry. */
  stateTransitions: number;
  waits: WaitRecord[];
  /** Sum of the Wait states' requested seconds. */
  virtualWaitSeconds: number;
  /** Wall-clock duration with each Wait counted at its requested (unscaled) length. */
  virtualElapsedSeconds: number;
  retries: RetryRecord[];
  /**
   * The execution that started this one, from its input's `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID`
   * (AWS associates a nested execution with its parent by that input key).
   */
  parentExecutionArn?: string;
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  [details: string]: unknown;
}

export interface ExecutionInspector {
  /** Newest first. */
  list(filter?: { stateMachineName?: string; status?: ExecutionStatus }): ExecutionSnapshot[];
  get(executionArn: string): ExecutionSnapshot | undefined;
  /** Resolves once the execution has closed and its history is complete. */
  waitForCompletion(executionArn: string, options?: { timeoutMs?: number }): Promise<ExecutionSnapshot>;
  history(executionArn: string, options?: { includeExecutionData?: boolean }): HistoryEvent[];
}

/** What DescribeExecution reports of an execution's run: its input, dates, status and outcome. */
export interface ExecutionRunFields {
  input: string;
  startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
}

/** An execution as exportState() writes it: what the API reports, the history included. */
export interface PersistedExecution extends ExecutionRunFields {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  history: HistoryEvent[];
  snapshot: ExecutionSnapshot;
}

