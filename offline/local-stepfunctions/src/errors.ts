/**
 * API errors as Step Functions answers them over JSON 1.0: status 400 and
 * `{"__type": "com.amazonaws.swf.service.v2.model#<Code>", "message": ...}`. The SDKs keep what follows `#`.
 */
export class SfnError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Namespace of `__type`: SFN's own errors use the service's, front-end validation uses Coral's. */
    readonly namespace = 'com.amazonaws.swf.service.v2.model',
  ) {
    super(message);
    this.name = code;
  }
}

export const validationException = (message: string) => new SfnError('ValidationException', message, 400, 'com.amazon.coral.validate');
export const invalidArn = (detail: string) => new SfnError('InvalidArn', `Invalid Arn: '${detail}'`);
export const invalidName = (name: string) => new SfnError('InvalidName', `Invalid Name: '${name}'`);
export const invalidToken = (token: string) => new SfnError('InvalidToken', `Invalid Token: '${token}'`);
export const invalidExecutionInput = (detail: string) =>
  new SfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${detail}'`);
export const stateMachineDoesNotExist = (arn: string) =>
  new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
export const executionDoesNotExist = (arn: string) => new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
export const executionAlreadyExists = (arn: string) => new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
export const unknownOperation = (target: string) =>
  new SfnError('UnknownOperationException', `Operation ${target} is not supported by the local Step Functions service.`, 400, 'com.amazon.coral.service');
export const serializationException = (message: string) =>
  new SfnError('SerializationException', message, 400, 'com.amazon.coral.service');
export const internalFailure = (message: string) =>
  new SfnError('InternalFailure', message, 500, 'com.amazon.coral.service');

/**
 * An ASL error raised inside an execution (a state's Error/Cause). aws-local-stepfunctions reads
 * `name` for `ErrorEquals` matching, `message` as the Cause, and the optional `isRetryable` /
 * `isCatchable` getters to keep terminal errors (States.Runtime) away from Retry and Catch, as AWS does.
 */
export class StatesError extends Error {
  /** The state whose evaluation failed, for AWS's "An error occurred while executing the state ..." Cause. */
  stateName?: string;

  constructor(
    name: string,
    message: string,
    private readonly terminal = false,
  ) {
    super(message);
    this.name = name;
  }
  get isRetryable(): boolean {
    return !this.terminal;
  }
  get isCatchable(): boolean {
    return !this.terminal;
  }
}

/** AWS: "A States.Runtime error isn't retriable, and will always cause the execution to fail." */
export const statesRuntime = (message: string) => new StatesError('States.Runtime', message, true);

/**
 * A state's result over the payload quota. The developer guide calls States.DataLimitExceeded terminal and
 * out of reach of States.ALL, but AWS catches it, with `ErrorEquals: ["States.DataLimitExceeded"]` and with
 * States.ALL alike (LocalStack's AWS-validated `test_states_errors` snapshots), so it is an ordinary error
 * here. `source` is what AWS names: the Lambda ARN, the integration's resource type, or the state's name.
 */
export const dataLimitExceeded = (source: string) =>
  new StatesError(
    'States.DataLimitExceeded',
    `The state/task '${source}' returned a result with a size exceeding the maximum number of bytes service limit.`,
  );

/** Error name and cause of anything a handler may throw (AWS Lambda's errorType / errorMessage). */
export function describeThrown(thrown: unknown): { error: string; cause: string } {
  if (thrown instanceof Error) return { error: thrown.name || 'Error', cause: thrown.message };
  if (typeof thrown === 'string') return { error: 'Error', cause: thrown };
  try {
    return { error: 'Error', cause: JSON.stringify(thrown) ?? String(thrown) };
  } catch {
    return { error: 'Error', cause: String(thrown) };
  }
}
