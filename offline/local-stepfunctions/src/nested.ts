import { randomUUID } from 'node:crypto';
import { SfnError } from './errors';
import type { Execution } from './store';
import type { TaskContext, TaskHandler } from './types';

/**
 * The Step Functions service integration with itself (AWS developer guide, "Start a new AWS Step Functions
 * state machine from a running execution" and "Start workflow executions from a task state"):
 *
 * - `arn:aws:states:::states:startExecution` (request-response): StartExecution's answer, `ExecutionArn` and
 *   `StartDate`.
 * - `...startExecution.sync`: waits for the child to close; its result is the DescribeExecution response
 *   with the members in PascalCase and `Input` / `Output` as JSON text.
 * - `...startExecution.sync:2`: the same, with `Input` and `Output` parsed ("returns JSON" rather than an
 *   escaped string).
 * - A child that ends FAILED, TIMED_OUT or ABORTED fails the task with `States.TaskFailed`, whose Cause is
 *   that DescribeExecution response as JSON (`"Error"`, `"Cause"`, `"Status"` ... in PascalCase), the form
 *   AWS records (LocalStack's AWS-validated `StateTaskServiceSfn` sync resolvers).
 * - An API error of StartExecution fails the task with `StepFunctions.<Code>Exception` and the Java SDK's
 *   message: "<message> (Service: AWSStepFunctions; Status Code: 400; Error Code: <Code>; Request ID: <id>; Proxy: null)".
 * - Stopping the parent (or the task's TimeoutSeconds) stops a child started with `.sync` / `.sync:2`, as
 *   the "Run a Job (.sync)" pattern does: the parent's task no longer waits and its job is stopped.
 *
 * Dates are epoch milliseconds, as AWS serializes them in service integration results.
 */
export type NestedPattern = 'request' | 'sync' | 'sync2';

const RESOURCE = /^arn:aws[\w-]*:states:::states:startExecution(\.sync(:2)?)?$/;

export function nestedPattern(resource: string): NestedPattern | undefined {
  const match = RESOURCE.exec(resource);
  if (!match) return undefined;
  return match[2] ? 'sync2' : match[1] ? 'sync' : 'request';
}

/** The key that associates a child execution with its parent (AWS: "nested workflow executions"). */
export const STARTED_BY_KEY = 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID';

/** What the integration needs of the service. */
export interface NestedHost {
  /** StartExecution as the API runs it (throws SfnError). */
  start(request: Record<string, unknown>): { executionArn: string; startDate: Date };
  execution(executionArn: string): Execution | undefined;
}

/** StartExecution parameters of the task: `Input` may be JSON (sent as text) or text; absent is `{}`. */
function startRequest(parameters: unknown): Record<string, unknown> {
  const p = (parameters ?? {}) as { StateMachineArn?: unknown; Name?: unknown; Input?: unknown };
  const request: Record<string, unknown> = { stateMachineArn: p.StateMachineArn };
  if (p.Name !== undefined) request.name = p.Name;
  request.input = typeof p.Input === 'string' ? p.Input : JSON.stringify(p.Input ?? {});
  return request;
}

/** An API error as a task error: how the Java SDK names and words it. */
function integrationError(error: SfnError): Error {
  const name = `StepFunctions.${error.code.endsWith('Exception') ? error.code : `${error.code}Exception`}`;
  const detail = `Service: AWSStepFunctions; Status Code: ${error.status}; Error Code: ${error.code}; Request ID: ${randomUUID()}; Proxy: null`;
  return Object.assign(new Error(`${error.message} (${detail})`), { name });
}

/** DescribeExecution of a closed child as the .sync patterns return it. */
export function describedForTask(execution: Execution, pattern: 'sync' | 'sync2'): Record<string, unknown> {
  const data = (text: string | undefined) => (text === undefined ? undefined : pattern === 'sync2' ? (JSON.parse(text) as unknown) : text);
  const out: Record<string, unknown> = {
    ExecutionArn: execution.executionArn,
    StateMachineArn: execution.stateMachine.arn,
    Name: execution.name,
    Status: execution.status,
    StartDate: execution.startDate.getTime(),
    StopDate: execution.stopDate?.getTime(),
    Input: data(execution.input),
    InputDetails: { Included: true },
    Output: data(execution.output),
    OutputDetails: execution.output === undefined ? undefined : { Included: true },
    Error: execution.error,
    Cause: execution.cause,
    RedriveCount: 0,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** Resolves once the execution closed, or the task's signal aborted (then it stops the child). */
function awaitChild(execution: Execution, ctx: TaskContext): Promise<'closed' | 'aborted'> {
  if (ctx.signal.aborted) {
    execution.stop(undefined, undefined);
    return Promise.resolve('aborted');
  }
  return new Promise((resolve) => {
    const onAbort = () => {
      // Synchronously: once the parent's StopExecution answers, the child is ABORTED too.
      execution.stop(undefined, undefined);
      resolve('aborted');
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    void execution.closed.then(() => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve('closed');
    });
  });
}

export function nestedHandler(pattern: NestedPattern, host: NestedHost): TaskHandler {
  return async (parameters, ctx) => {
    let started: { executionArn: string; startDate: Date };
    try {
      started = host.start(startRequest(parameters));
    } catch (e) {
      if (e instanceof SfnError) throw integrationError(e);
      throw e;
    }
    if (pattern === 'request') return { ExecutionArn: started.executionArn, StartDate: started.startDate.getTime() };
    const child = host.execution(started.executionArn)!;
    if ((await awaitChild(child, ctx)) === 'aborted') return undefined; // the engine ignores a late result
    const described = describedForTask(child, pattern);
    if (child.status === 'SUCCEEDED') return described;
    throw Object.assign(new Error(JSON.stringify(described)), { name: 'States.TaskFailed' });
  };
}

/** The parent execution named by an input's AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID, if any. */
export function startedBy(input: unknown): string | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
  const value = (input as Record<string, unknown>)[STARTED_BY_KEY];
  return typeof value === 'string' ? value : undefined;
}
