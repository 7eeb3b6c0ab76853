import { type RunResult, type TaskHandler, type TaskHandlerResolver, runStateMachine } from '../src';

export const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** An Error carrying an ASL error name, as a Lambda handler would throw it. */
export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Task handlers keyed by state name. */
export const byState =
  (handlers: Record<string, TaskHandler>): TaskHandlerResolver =>
  (_resource, stateName) =>
    handlers[stateName];

/** A handler that fails with `errors` in turn, then returns `result`; counts its calls. */
export function flaky(errors: Error[], result: unknown = { ok: true }): TaskHandler & { calls: number } {
  const handler = Object.assign(
    async () => {
      const error = errors[handler.calls++];
      if (error) throw error;
      return result;
    },
    { calls: 0 },
  );
  return handler;
}

export const echo: TaskHandler = async (input) => input;

/** Runs a definition to completion in process; generous real-time guard so a hang fails instead of timing out jest. */
export function run(definition: object, input: unknown, handlers: TaskHandlerResolver = byState({}), waitScale = 0.001): Promise<RunResult> {
  return runStateMachine(definition, input, { taskHandlers: handlers, waitScale, timeoutMs: 60_000 });
}

/** A one-state machine around `state` (terminal unless it is a Fail or Succeed state). */
export const single = (state: { Type: string } & Record<string, unknown>) => ({
  StartAt: 'S',
  States: { S: state.Type === 'Fail' || state.Type === 'Succeed' ? state : { ...state, End: true } },
});
