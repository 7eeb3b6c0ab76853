import path from 'node:path';
import { createLocalLambda, type LocalLambda, type LogEvent } from '../src';
import { FIXTURES, handlerSpec } from './helpers';

describe('invoking a bundle as Lambda does', () => {
  let lambda: LocalLambda;
  const lines: Array<[string, string]> = [];
  const parentOnly = 'PARENT_ONLY_VARIABLE_' + process.pid;

  beforeAll(() => {
    process.env[parentOnly] = 'must not leak';
    lambda = createLocalLambda({
      functions: [
        handlerSpec('context', { name: 'mlops_context', memorySizeMB: 256, region: 'eu-west-1', accountId: '111122223333' }),
        handlerSpec('env', { environment: { MODEL_BUCKET: 'models', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569' } }),
        handlerSpec('counter'),
        handlerSpec('logs'),
        handlerSpec('callback'),
        handlerSpec('callbackLeavesTimer'),
        handlerSpec('syncNoAnswer'),
        handlerSpec('neverSettles'),
        handlerSpec('returnsDate'),
        handlerSpec('nested.handler', { name: 'nested' }),
        { name: 'esm', bundlePath: path.join(FIXTURES, 'esm.mjs') },
      ],
      parentEnv: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local-secret', AWS_SESSION_TOKEN: 'token' },
      onLog: (fn, line) => lines.push([fn, line]),
    });
  });

  afterAll(async () => {
    delete process.env[parentOnly];
    await lambda.close();
  });

  it('passes the event and a Lambda context, and returns the response payload', async () => {
    const result = (await lambda.invoke('mlops_context', { job: 'j-1' }, {
      awsRequestId: '0b9b3f7e-0000-4000-8000-000000000001',
      clientContext: { custom: { caller: 'test' } },
    })) as Record<string, unknown>;
    expect(result).toMatchObject({
      event: { job: 'j-1' },
      functionName: 'mlops_context',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:mlops_context',
      memoryLimitInMB: '256',
      awsRequestId: '0b9b3f7e-0000-4000-8000-000000000001',
      logGroupName: '/aws/lambda/mlops_context',
      clientContext: { custom: { caller: 'test' } },
      callbackWaitsForEmptyEventLoop: true,
      cwd: FIXTURES,
    });
    expect(result.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(result.remaining).toBeGreaterThan(5_000);
    expect(result.remaining).toBeLessThanOrEqual(10_000);
    expect(result.traceId).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });

  it('gives the function exactly its environment plus what Lambda sets', async () => {
    const env = (await lambda.invoke('env', {})) as Record<string, string>;
    expect(env).toMatchObject({
      MODEL_BUCKET: 'models',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569',
      AWS_LAMBDA_FUNCTION_NAME: 'env',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/env',
      LAMBDA_TASK_ROOT: FIXTURES,
      TZ: ':UTC',
      NODE_OPTIONS: '--enable-source-maps',
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
      AWS_SESSION_TOKEN: 'token',
      _HANDLER: 'handlers.env',
    });
    expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/\[\$LATEST\]/);
    expect(env).not.toHaveProperty(parentOnly);
    expect(env).not.toHaveProperty('JEST_WORKER_ID');
    expect(Object.keys(env).sort()).toEqual(
      [
        ...['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'], // from the parent
        ...['MODEL_BUCKET', 'AWS_ENDPOINT_URL_S3'], // the function's configuration
        ...['PATH', 'LANG', 'NODE_OPTIONS'],
        ...['_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_EXECUTION_ENV', 'TZ'],
        ...['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE'],
        ...['AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME'],
        ...['LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR'],
      ].sort(),
    );
  });

  it('reuses a warm environment: module state survives, one cold start', async () => {
    const first = (await lambda.invokeWithDetails('counter', {}));
    const second = (await lambda.invokeWithDetails('counter', {}));
    const third = (await lambda.invokeWithDetails('counter', {}));
    expect([first, second, third].map((r) => (r.payload as { invocations: number }).invocations)).toEqual([1, 2, 3]);
    expect(new Set([first, second, third].map((r) => (r.payload as { pid: number }).pid)).size).toBe(1);
    expect([first.coldStart, second.coldStart, third.coldStart]).toEqual([true, false, false]);
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(second.initDurationMs).toBeUndefined();
    expect(first.logStreamName).toBe(third.logStreamName);
    const stats = lambda.stats().counter;
    expect(stats).toMatchObject({ invocations: 3, coldStarts: 1, errors: 0, instances: 1 });
    expect(stats?.initDurationMs).toHaveLength(1);
  });

  it('keeps each function\'s log lines, Lambda-formatted, with START/END/REPORT', async () => {
    const { requestId } = await lambda.invokeWithDetails('logs', { tag: 'T1' });
    const mine = lambda.logs('logs').filter((e: LogEvent) => e.requestId === requestId);
    const messages = mine.map((e) => e.message);
    expect(messages[0]).toBe(`START RequestId: ${requestId} Version: $LATEST`);
    expect(messages).toContainEqual(expect.stringMatching(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${requestId}\\tINFO\\tto stdout T1$`)));
    expect(messages).toContainEqual(expect.stringMatching(/\tWARN\tmulti\rline$/));
    expect(messages).toContainEqual(expect.stringMatching(/\tERROR\tto stderr via console$/));
    expect(messages).toContain('raw stderr');
    expect(messages).toContain('raw stdout');
    expect(mine.find((e) => e.message === 'raw stderr')?.source).toBe('stderr');
    expect(messages.at(-2)).toBe(`END RequestId: ${requestId}`);
    expect(messages.at(-1)).toMatch(new RegExp(`^REPORT RequestId: ${requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms$`));
    // Init-phase output belongs to no request and is logged with requestId "undefined", as in Lambda.
    expect(lambda.logs('logs').find((e) => e.message.endsWith('\tINFO\tmodule loaded'))?.message).toMatch(/\tundefined\tINFO\t/);
    expect(lines).toContainEqual(['logs', `END RequestId: ${requestId}`]);
    expect(lambda.logs().some((e) => e.functionName === 'counter')).toBe(true);
  });

  it('supports callback-style handlers', async () => {
    await expect(lambda.invoke('callback', {})).resolves.toMatchObject({ via: 'callback' });
  });

  it('waits for the event loop to empty after the callback unless told not to', async () => {
    const waited = await lambda.invokeWithDetails('callbackLeavesTimer', { wait: true });
    expect(waited.payload).toBe('answered');
    const waitedLines = lambda.logs('callbackLeavesTimer').filter((e) => e.requestId === waited.requestId).map((e) => e.message);
    const fired = waitedLines.findIndex((m) => m.endsWith('leftover timer fired'));
    expect(fired).toBeGreaterThanOrEqual(0);
    expect(fired).toBeLessThan(waitedLines.indexOf(`END RequestId: ${waited.requestId}`));

    const early = await lambda.invokeWithDetails('callbackLeavesTimer', { wait: false });
    expect(early.payload).toBe('answered');
    const earlyLines = lambda.logs('callbackLeavesTimer').filter((e) => e.requestId === early.requestId).map((e) => e.message);
    expect(earlyLines.some((m) => m.endsWith('leftover timer fired'))).toBe(false);
  });

  it('answers null for a sync handler that never calls back', async () => {
    await expect(lambda.invoke('syncNoAnswer', {})).resolves.toBeNull();
  });

  it('fails an async handler whose promise never settles with Runtime.NodeJsExit', async () => {
    await expect(lambda.invoke('neverSettles', {})).rejects.toMatchObject({
      name: 'Runtime.NodeJsExit',
      message: expect.stringContaining('Promise that was never settled'),
    });
  });

  it('returns the payload as it crosses JSON (Dates become strings, undefined and functions vanish)', async () => {
    await expect(lambda.invoke('returnsDate', {})).resolves.toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });

  it('resolves nested handler exports and ES module bundles', async () => {
    await expect(lambda.invoke('nested', {})).resolves.toBe('nested export');
    await expect(lambda.invoke('esm', { a: 1 })).resolves.toEqual({ esm: true, event: { a: 1 } });
  });

  it('runs each function in its own execution environments, even from one bundle', async () => {
    const counter = (await lambda.invoke('counter', {})) as { pid: number };
    const context = (await lambda.invokeWithDetails('mlops_context', {})).logStreamName;
    expect(lambda.pids()).toContain(counter.pid);
    expect(lambda.logs('counter').some((e) => e.logStreamName === context)).toBe(false);
  });
});
