import {
  exitPayload,
  functionNotFoundError,
  injectedError,
  LambdaFunctionError,
  requestTooLargeError,
  responseTooLargePayload,
  statesErrorOf,
  throttledError,
  timeoutPayload,
} from '../src/errors';

const id = '6bc28136-f2b5-4f39-9d4c-1a2b3c4d5e6f';

describe('Lambda error shapes', () => {
  it('times out as Sandbox.Timedout with the platform message', () => {
    expect(timeoutPayload(id, 1)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${id} Error: Task timed out after 1.00 seconds`,
    });
  });

  it.each([
    [1, null, 'Runtime exited with error: exit status 1'],
    [129, null, 'Runtime exited with error: exit status 129'],
    [null, 'SIGKILL', 'Runtime exited with error: signal: killed'],
    [null, 'SIGTERM', 'Runtime exited with error: signal: terminated'],
    [0, null, 'Runtime exited without providing a reason'],
  ] as const)('reports exit %p / %p as Runtime.ExitError', (code, signal, reason) => {
    expect(exitPayload(id, code, signal)).toEqual({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${id} Error: ${reason}` });
  });

  it('reports an oversized response as Function.ResponseSizeTooLarge', () => {
    expect(responseTooLargePayload(9706999)).toEqual({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size (9706999 bytes) exceeded maximum allowed payload size (6291556 bytes).',
    });
  });

  it('names service errors as Step Functions does', () => {
    expect(throttledError()).toMatchObject({ name: 'Lambda.TooManyRequestsException', message: 'Rate Exceeded.', statusCode: 429 });
    expect(requestTooLargeError(6291478)).toMatchObject({
      name: 'Lambda.RequestEntityTooLargeException',
      message: '6291478 byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)',
      statusCode: 413,
    });
    expect(functionNotFoundError('arn:aws:lambda:us-east-1:1:function:x').name).toBe('Lambda.ResourceNotFoundException');
    expect(injectedError('Lambda.ServiceException', 'boom')).toMatchObject({ name: 'Lambda.ServiceException', code: 'ServiceException', statusCode: 500 });
    expect(injectedError('Lambda.TooManyRequestsException', 'slow down').statusCode).toBe(429);
  });

  it('makes a function error carry the errorType as its name and the payload', () => {
    const payload = { errorType: 'TrainingJobFailed', errorMessage: 'job failed', trace: ['TrainingJobFailed: job failed', '    at handler (/var/task/index.js:1:1)'] };
    const err = new LambdaFunctionError('mlops_train', id, payload);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('TrainingJobFailed');
    expect(err.message).toBe('job failed');
    expect(err.payload).toBe(payload);
    expect(err.stack).toContain('at handler (/var/task/index.js:1:1)');
    expect(statesErrorOf(err)).toEqual({ error: 'TrainingJobFailed', cause: JSON.stringify(payload) });
  });

  it('gives a service error a Step Functions style cause', () => {
    expect(statesErrorOf(throttledError())).toEqual({
      error: 'Lambda.TooManyRequestsException',
      cause: 'Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException)',
    });
  });
});
