import path from 'node:path';
import { createLocalLambda, LambdaFunctionError, LambdaServiceError, statesErrorOf, type LocalLambda } from '../src';
import { eventually, FIXTURES, handlerSpec, rejectionOf, waitUntilDead } from './helpers';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe('function errors as Step Functions sees them', () => {
  let lambda: LocalLambda;

  beforeAll(() => {
    lambda = createLocalLambda({
      functions: [
        handlerSpec('fails'),
        handlerSpec('failsWithUnnamedClass'),
        handlerSpec('throwsString'),
        handlerSpec('callbackError'),
        handlerSpec('bigint'),
        handlerSpec('returnsBytes'),
        handlerSpec('counter'),
      ],
    });
  });

  afterAll(() => lambda.close());

  it('propagates a custom error name and message, with the Lambda error payload', async () => {
    const err = await rejectionOf(lambda.invoke('fails', { job: 'j-42' }));
    expect(err).toBeInstanceOf(LambdaFunctionError);
    expect(err.name).toBe('TrainingJobFailed');
    expect(err.message).toBe('training job j-42 failed');
    const { payload } = err as unknown as LambdaFunctionError;
    expect(payload).toEqual({
      errorType: 'TrainingJobFailed',
      errorMessage: 'training job j-42 failed',
      trace: expect.arrayContaining([expect.stringContaining('handlers.js')]),
    });
    expect(payload.trace?.[0]).toBe('TrainingJobFailed: training job j-42 failed');
    expect(statesErrorOf(err as unknown as LambdaFunctionError)).toEqual({ error: 'TrainingJobFailed', cause: JSON.stringify(payload) });
    expect(lambda.stats().fails).toMatchObject({ invocations: 1, errors: 1, instances: 1 });
  });

  it('uses error.name, not the class name, as Lambda does', async () => {
    await expect(lambda.invoke('failsWithUnnamedClass', {})).rejects.toMatchObject({ name: 'Error', message: 'name not set' });
  });

  it('reports a thrown non-error by its type', async () => {
    const err = await rejectionOf(lambda.invoke('throwsString', {}));
    expect((err as unknown as LambdaFunctionError).payload).toEqual({ errorType: 'string', errorMessage: 'plain string', trace: [] });
  });

  it('reports an error passed to the callback', async () => {
    await expect(lambda.invoke('callbackError', {})).rejects.toMatchObject({ name: 'TrainingJobFailed', message: 'reported through the callback' });
  });

  it('keeps the environment warm after a handler error', async () => {
    await rejectionOf(lambda.invoke('fails', { job: 'again' }));
    expect(lambda.stats().fails).toMatchObject({ invocations: 2, coldStarts: 1, errors: 2 });
  });

  it('fails a response that is not JSON-serialisable as runtime 3.x does', async () => {
    await expect(lambda.invoke('bigint', {})).rejects.toMatchObject({ name: 'Error', message: 'Unable to stringify response body' });
  });

  it('fails a response over 6 MB with Function.ResponseSizeTooLarge and recycles the environment', async () => {
    const ok = await lambda.invokeWithDetails('returnsBytes', { bytes: 6_291_556 - 2 });
    expect((ok.payload as string).length).toBe(6_291_554);
    const err = await rejectionOf(lambda.invoke('returnsBytes', { bytes: 6_291_556 - 1 }));
    expect(err).toMatchObject({
      name: 'Function.ResponseSizeTooLarge',
      message: 'Response payload size (6291557 bytes) exceeded maximum allowed payload size (6291556 bytes).',
    });
    expect((await lambda.invokeWithDetails('returnsBytes', { bytes: 1 })).coldStart).toBe(true);
  });

  it('refuses a request over 6 MB before invoking, as the service does', async () => {
    const before = lambda.stats().counter?.invocations;
    const err = await rejectionOf(lambda.invoke('counter', { blob: 'x'.repeat(6_291_456) }));
    expect(err).toBeInstanceOf(LambdaServiceError);
    expect(err.name).toBe('Lambda.RequestEntityTooLargeException');
    expect(err.message).toMatch(/^\d+ byte payload is too large for the RequestResponse invocation type \(limit 6291456 bytes\)$/);
    expect(lambda.stats().counter?.invocations).toBe(before);
  });

  it('accepts the function ARN as FunctionName, for the unpublished version only', async () => {
    await expect(lambda.invoke('arn:aws:lambda:us-east-1:123456789012:function:counter', {})).resolves.toHaveProperty('invocations');
    await expect(lambda.invoke('counter:$LATEST', {})).resolves.toHaveProperty('invocations');
    await expect(lambda.invoke('counter:prod', {})).rejects.toMatchObject({
      name: 'Lambda.ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:counter:prod',
    });
    await expect(lambda.invoke('arn:aws:lambda:eu-west-1:123456789012:function:counter', {})).rejects.toMatchObject({
      name: 'Lambda.ResourceNotFoundException',
    });
  });

  it('refuses an unknown function with Lambda.ResourceNotFoundException', async () => {
    await expect(lambda.invoke('no_such_function', {})).rejects.toMatchObject({
      name: 'Lambda.ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:no_such_function',
    });
  });
});

describe('timeouts and crashes', () => {
  let lambda: LocalLambda;

  beforeAll(() => {
    lambda = createLocalLambda({
      functions: [
        handlerSpec('sleeps', { timeoutSeconds: 1 }),
        handlerSpec('spins', { timeoutSeconds: 1 }),
        handlerSpec('exits'),
        handlerSpec('throwsInTimer'),
        handlerSpec('rejectsUnhandled'),
      ],
    });
  });

  afterAll(() => lambda.close());

  it('kills an environment that exceeds its timeout: Sandbox.Timedout, then a cold start', async () => {
    const warm = await lambda.invokeWithDetails('sleeps', { ms: 10 });
    const pid = (warm.payload as { pid: number }).pid;
    const err = await rejectionOf(lambda.invoke('sleeps', { ms: 5_000 }, { awsRequestId: '11111111-2222-4333-8444-555555555555' }));
    expect(err).toBeInstanceOf(LambdaFunctionError);
    expect(err.name).toBe('Sandbox.Timedout');
    expect(err.message).toBe('RequestId: 11111111-2222-4333-8444-555555555555 Error: Task timed out after 1.00 seconds');
    expect(await waitUntilDead(pid)).toBe(true);

    const after = await lambda.invokeWithDetails('sleeps', { ms: 10 });
    expect(after.coldStart).toBe(true);
    expect((after.payload as { pid: number }).pid).not.toBe(pid);
    expect(lambda.stats().sleeps).toMatchObject({ invocations: 3, coldStarts: 2, errors: 1, timeouts: 1 });
    const report = lambda.logs('sleeps').filter((e) => e.requestId === '11111111-2222-4333-8444-555555555555').map((e) => e.message);
    expect(report).toContainEqual(expect.stringMatching(/ 11111111-2222-4333-8444-555555555555 Task timed out after 1\.00 seconds$/));
    expect(report.at(-1)).toMatch(/\tStatus: timeout$/);
  });

  it('times out a handler that never yields the event loop', async () => {
    await expect(lambda.invoke('spins', {})).rejects.toMatchObject({ name: 'Sandbox.Timedout' });
    expect(await eventually(() => lambda.stats().spins?.instances === 0)).toBe(true);
  });

  it('reports a process that exits mid-invocation as Runtime.ExitError', async () => {
    const err = await rejectionOf(lambda.invoke('exits', {}));
    expect(err.name).toBe('Runtime.ExitError');
    expect(err.message).toMatch(new RegExp(`^RequestId: ${UUID.source} Error: Runtime exited with error: exit status 1$`));
    expect((err as unknown as LambdaFunctionError).payload).not.toHaveProperty('trace');
    await rejectionOf(lambda.invoke('exits', {}));
    expect(lambda.stats().exits).toMatchObject({ invocations: 2, coldStarts: 2, errors: 2, instances: 0 });
  });

  it('reports an uncaught exception in a timer as the runtime does, then replaces the environment', async () => {
    // The Node.js runtime posts the uncaught error to the invocation, then exits (status 129).
    const err = await rejectionOf(lambda.invoke('throwsInTimer', {}));
    expect(err).toMatchObject({ name: 'TypeError', message: 'timer exploded' });
    expect(lambda.logs('throwsInTimer').map((e) => e.message)).toContainEqual(expect.stringMatching(/\tERROR\tUncaught Exception \t\{"errorType":"TypeError"/));
    await rejectionOf(lambda.invoke('throwsInTimer', {}));
    expect(lambda.stats().throwsInTimer?.coldStarts).toBe(2);
  });

  it('reports an unhandled rejection as Runtime.UnhandledPromiseRejection', async () => {
    await expect(lambda.invoke('rejectsUnhandled', {})).rejects.toMatchObject({
      name: 'Runtime.UnhandledPromiseRejection',
      message: 'Error: nobody listens',
    });
  });
});

describe('init failures', () => {
  let lambda: LocalLambda;
  const fixture = (file: string): string => path.join(FIXTURES, file);

  beforeAll(() => {
    lambda = createLocalLambda({
      functions: [
        handlerSpec('noSuchExport'),
        handlerSpec('notAFunction'),
        { name: 'missingBundle', bundlePath: fixture('does-not-exist.js') },
        { name: 'missingDependency', bundlePath: fixture('missing-dependency.js') },
        { name: 'syntaxError', bundlePath: fixture('syntax-error.js') },
        { name: 'initThrows', bundlePath: fixture('init-throws.js') },
        { name: 'initExits', bundlePath: fixture('init-exits.js') },
      ],
    });
  });

  afterAll(() => lambda.close());

  it('reports a missing handler export as Runtime.HandlerNotFound', async () => {
    await expect(lambda.invoke('noSuchExport', {})).rejects.toMatchObject({
      name: 'Runtime.HandlerNotFound',
      message: 'handlers.noSuchExport is undefined or not exported',
    });
    await expect(lambda.invoke('notAFunction', {})).rejects.toMatchObject({
      name: 'Runtime.HandlerNotFound',
      message: 'handlers.notAFunction is not a function',
    });
  });

  it('reports a bundle or dependency that cannot be found as Runtime.ImportModuleError', async () => {
    await expect(lambda.invoke('missingBundle', {})).rejects.toMatchObject({
      name: 'Runtime.ImportModuleError',
      message: expect.stringMatching(/^Error: Cannot find module '.*does-not-exist\.js'/),
    });
    await expect(lambda.invoke('missingDependency', {})).rejects.toMatchObject({
      name: 'Runtime.ImportModuleError',
      message: expect.stringContaining("Cannot find module 'a-package-that-is-not-bundled'"),
    });
  });

  it('reports a syntax error as Runtime.UserCodeSyntaxError', async () => {
    await expect(lambda.invoke('syntaxError', {})).rejects.toMatchObject({
      name: 'Runtime.UserCodeSyntaxError',
      message: expect.stringMatching(/^SyntaxError: /),
    });
  });

  it('reports an error thrown while loading by its own name', async () => {
    await expect(lambda.invoke('initThrows', {})).rejects.toMatchObject({ name: 'ConfigurationError', message: 'MODEL_BUCKET is not set' });
  });

  it('reports a bundle that exits while loading as Runtime.ExitError', async () => {
    await expect(lambda.invoke('initExits', {})).rejects.toMatchObject({
      name: 'Runtime.ExitError',
      message: expect.stringMatching(/Error: Runtime exited with error: exit status 3$/),
    });
  });

  it('retries init on every invoke (each is a cold start); a failed init leaves no environment', async () => {
    await rejectionOf(lambda.invoke('noSuchExport', {}));
    expect(lambda.stats().noSuchExport).toMatchObject({ invocations: 2, coldStarts: 2, errors: 2, initDurationMs: [] });
    expect(await eventually(() => lambda.pids().length === 0)).toBe(true);
  });
});
