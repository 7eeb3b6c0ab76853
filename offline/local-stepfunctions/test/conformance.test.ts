/**
 * ASL conformance: one small state machine per feature the pipeline relies on, each asserting the
 * behaviour AWS documents (rule quoted in the comment above each test). Where aws-local-stepfunctions
 * deviates, the package's definition rewrites and handlers fix it; README.md lists each deviation.
 */
import type { TaskContext } from '../src';
import { DefinitionError, compileDefinition } from '../src';
import { byState, echo, flaky, lambdaArn, namedError, run, single } from './helpers';

const FN = lambdaArn('fn');

describe('Task input processing', () => {
  // AWS "Parameters": a field whose name ends in `.$` takes the value its path selects; `$$` selects the
  // context object (Execution.Id, Execution.Name, Execution.Input, Execution.StartTime, StateMachine.Id/Name,
  // State.Name, State.EnteredTime, State.RetryCount); other fields are copied as they are.
  it('builds the effective input from static values, paths and the context object', async () => {
    const seen: { input: unknown; ctx: TaskContext }[] = [];
    const result = await run(
      {
        StartAt: 'Train',
        States: {
          Train: {
            Type: 'Task',
            Resource: FN,
            Parameters: {
              kind: 'training',
              nested: { 'bucket.$': '$.data.bucket', fixed: [1, 2] },
              'name.$': '$.name',
              'executionArn.$': '$$.Execution.Id',
              'executionName.$': '$$.Execution.Name',
              'run.$': '$$.Execution.Input',
              'startTime.$': '$$.Execution.StartTime',
              'stateMachine.$': '$$.StateMachine.Name',
              'stateMachineId.$': '$$.StateMachine.Id',
              'state.$': '$$.State.Name',
              'enteredTime.$': '$$.State.EnteredTime',
              'retryCount.$': '$$.State.RetryCount',
            },
            End: true,
          },
        },
      },
      { name: 'job-1', data: { bucket: 'b' } },
      byState({
        Train: async (input, ctx) => {
          seen.push({ input, ctx });
          return 'ok';
        },
      }),
    );
    expect(result.status).toBe('SUCCEEDED');
    const input = seen[0]!.input as Record<string, unknown>;
    expect(input).toEqual({
      kind: 'training',
      nested: { bucket: 'b', fixed: [1, 2] },
      name: 'job-1',
      executionArn: result.executionArn,
      executionName: result.name,
      run: { name: 'job-1', data: { bucket: 'b' } },
      startTime: result.startDate.toISOString(),
      stateMachine: 'local',
      stateMachineId: result.stateMachineArn,
      state: 'Train',
      enteredTime: expect.any(String),
      retryCount: 0,
    });
    const entered = Date.parse(input.enteredTime as string);
    expect(entered).toBeGreaterThanOrEqual(result.startDate.getTime());
    expect(entered).toBeLessThanOrEqual(result.stopDate!.getTime());
    expect(seen[0]!.ctx).toMatchObject({ executionArn: result.executionArn, executionName: result.name, stateName: 'Train', retryCount: 0 });
  });

  // AWS context object: State.RetryCount is "the number of retries" of the current state entry.
  it('counts retries in $$.State.RetryCount', async () => {
    const counts: unknown[] = [];
    const handler = flaky([namedError('Transient', 'a'), namedError('Transient', 'b')]);
    await run(
      single({ Type: 'Task', Resource: FN, Parameters: { 'n.$': '$$.State.RetryCount' }, Retry: [{ ErrorEquals: ['Transient'] }] }),
      {},
      byState({ S: async (input, ctx) => (counts.push([(input as { n: number }).n, ctx.retryCount]), handler(input, ctx)) }),
    );
    expect(counts).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
  });

  // AWS "Reference paths": a path that selects nothing fails the state with States.Runtime, which
  // "isn't retriable, and will always cause the execution to fail" (States.ALL does not catch it).
  it('fails with States.Runtime on a missing path, past Retry and Catch on States.ALL', async () => {
    const handler = flaky([]);
    const result = await run(
      {
        StartAt: 'S',
        States: {
          S: {
            Type: 'Task',
            Resource: FN,
            Parameters: { 'x.$': '$.missing' },
            Retry: [{ ErrorEquals: ['States.ALL'] }],
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
            End: true,
          },
          Caught: { Type: 'Succeed' },
        },
      },
      {},
      byState({ S: handler }),
    );
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toContain('$.missing');
    expect(handler.calls).toBe(0);
  });
});

describe('Task output processing', () => {
  // AWS "ResultSelector": builds a new result from the task result before ResultPath applies.
  it('reshapes the task result with ResultSelector', async () => {
    const result = await run(
      single({ Type: 'Task', Resource: FN, ResultSelector: { 'model.$': '$.Payload.model', source: 'sagemaker' } }),
      { keep: true },
      byState({ S: async () => ({ Payload: { model: 'm-1', noise: 1 }, StatusCode: 200 }) }),
    );
    expect(result.output).toEqual({ model: 'm-1', source: 'sagemaker' });
  });

  // AWS "ResultPath": "$.training" inserts the result into the state's input, which is otherwise kept.
  it('writes the result into a key with ResultPath and keeps the rest of the input', async () => {
    const result = await run(single({ Type: 'Task', Resource: FN, ResultPath: '$.training' }), { run: { id: 1 } }, byState({ S: async () => ({ jobName: 'j' }) }));
    expect(result.output).toEqual({ run: { id: 1 }, training: { jobName: 'j' } });
  });

  it('creates the intermediate objects of a nested ResultPath', async () => {
    const result = await run(single({ Type: 'Task', Resource: FN, ResultPath: '$.a.b' }), { x: 1 }, byState({ S: async () => 2 }));
    expect(result.output).toEqual({ x: 1, a: { b: 2 } });
  });

  // AWS "ResultPath": `"ResultPath": "$"` (the default) replaces the whole input with the result.
  // Library deviation: an explicit "$" nests the result under a "$" key; the rewrite drops it.
  it('replaces the input with an explicit ResultPath "$"', async () => {
    const result = await run(single({ Type: 'Task', Resource: FN, ResultPath: '$' }), { old: true }, byState({ S: async () => ({ fresh: 1 }) }));
    expect(result.output).toEqual({ fresh: 1 });
  });

  // AWS "ResultPath": null discards the result; the state's output is its raw input.
  it('discards the result with ResultPath null', async () => {
    const result = await run(single({ Type: 'Task', Resource: FN, ResultPath: null }), { untouched: [1] }, byState({ S: async () => ({ dropped: true }) }));
    expect(result.output).toEqual({ untouched: [1] });
  });

  // AWS "OutputPath": selects the part of the (ResultPath-combined) output passed on.
  it('selects the state output with OutputPath after ResultPath', async () => {
    const result = await run(
      single({ Type: 'Task', Resource: FN, ResultPath: '$.result', OutputPath: '$.result.value' }),
      { a: 1 },
      byState({ S: async () => ({ value: { v: 42 } }) }),
    );
    expect(result.output).toEqual({ v: 42 });
  });

  // AWS "InputPath": selects the part of the raw input the task receives; ResultPath still merges into the raw input.
  it('applies InputPath before Parameters and ResultPath into the raw input', async () => {
    const seen: unknown[] = [];
    const result = await run(
      single({ Type: 'Task', Resource: FN, InputPath: '$.job', Parameters: { 'n.$': '$.name' }, ResultPath: '$.out' }),
      { job: { name: 'j' }, other: 1 },
      byState({ S: async (input) => (seen.push(input), 'r') }),
    );
    expect(seen).toEqual([{ n: 'j' }]);
    expect(result.output).toEqual({ job: { name: 'j' }, other: 1, out: 'r' });
  });
});

describe('Retry', () => {
  // AWS "Retrying after an error": MaxAttempts (default 3) retries after the first attempt; "If the error
  // recurs beyond MaxAttempts, retries cease and normal error handling resumes".
  it('retries a custom error name MaxAttempts times, then fails with that error', async () => {
    const err = () => namedError('SageMakerTransientError', 'throttled');
    const handler = flaky([err(), err(), err(), err(), err()]);
    const result = await run(
      single({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['SageMakerTransientError'], IntervalSeconds: 1, MaxAttempts: 3 }] }),
      {},
      byState({ S: handler }),
    );
    expect(handler.calls).toBe(4);
    expect(result.status).toBe('FAILED');
    expect(result).toMatchObject({ error: 'SageMakerTransientError', cause: 'throttled' });
  });

  it('succeeds when a retry succeeds, and counts each retry as a state transition', async () => {
    const handler = flaky([namedError('Lambda.ServiceException', 'x')], { done: 1 });
    const result = await run(single({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['Lambda.ServiceException'] }] }), {}, byState({ S: handler }));
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { done: 1 } });
    expect(handler.calls).toBe(2);
    // AWS bills state transitions, retries included: 1 entry + 1 retry.
    expect(result.stateTransitions).toBe(2);
  });

  // AWS: MaxAttempts 0 means the error is never retried.
  it('never retries with MaxAttempts 0', async () => {
    const handler = flaky([namedError('E', 'x')]);
    const result = await run(single({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['E'], MaxAttempts: 0 }] }), {}, byState({ S: handler }));
    expect(handler.calls).toBe(1);
    expect(result.status).toBe('FAILED');
  });

  // AWS: the retry interval is IntervalSeconds × BackoffRate^(n-1), capped by MaxDelaySeconds.
  it('backs off by IntervalSeconds × BackoffRate, capped at MaxDelaySeconds', async () => {
    const err = () => namedError('E', 'x');
    const result = await run(
      single({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['E'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 4, MaxDelaySeconds: 20 }] }),
      {},
      byState({ S: flaky([err(), err(), err(), err(), err()]) }),
    );
    expect(result.retries.map((r) => r.nominalDelaySeconds)).toEqual([2, 6, 18, 20]);
    expect(result.retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
  });

  // The waits really happen, on the scaled clock: without jitter a retry sleeps its full interval.
  it('sleeps the scaled interval before each retry', async () => {
    const calls: number[] = [];
    const handler = flaky([namedError('E', 'x'), namedError('E', 'x')]);
    await run(
      single({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['E'], IntervalSeconds: 10, BackoffRate: 2, MaxAttempts: 2 }] }),
      {},
      byState({ S: async (input, ctx) => (calls.push(performance.now()), handler(input, ctx)) }),
      0.005, // 10 s → 50 ms, then 20 s → 100 ms
    );
    expect(calls).toHaveLength(3);
    // Lower bounds only (a loaded machine makes timers late, never early); 2 ms of timer rounding allowed.
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(48);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(98);
  });

  // AWS: JitterStrategy FULL waits a random time between 0 and the computed interval; attempts are unchanged.
  it('keeps the number of attempts with JitterStrategy FULL', async () => {
    const err = () => namedError('Lambda.TooManyRequestsException', 'slow down');
    const handler = flaky([err(), err(), err()], 'ok');
    const result = await run(
      single({
        Type: 'Task',
        Resource: FN,
        Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], IntervalSeconds: 5, MaxAttempts: 8, BackoffRate: 2, MaxDelaySeconds: 300, JitterStrategy: 'FULL' }],
      }),
      {},
      byState({ S: handler }),
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'ok' });
    expect(handler.calls).toBe(4);
    expect(result.retries.map((r) => r.nominalDelaySeconds)).toEqual([5, 10, 20]);
  });

  // AWS: "Step Functions scans through the retriers" in order and uses the first whose ErrorEquals names
  // the error; when that retrier is exhausted, later retriers are not tried.
  it('uses the first matching retrier only', async () => {
    const definition = single({
      Type: 'Task',
      Resource: FN,
      Retry: [
        { ErrorEquals: ['A'], MaxAttempts: 1 },
        { ErrorEquals: ['A', 'B'], MaxAttempts: 3 },
      ],
    });
    const a = flaky(Array.from({ length: 5 }, () => namedError('A', 'a')));
    expect((await run(definition, {}, byState({ S: a }))).status).toBe('FAILED');
    expect(a.calls).toBe(2);
    const b = flaky(Array.from({ length: 5 }, () => namedError('B', 'b')));
    expect((await run(definition, {}, byState({ S: b }))).status).toBe('FAILED');
    expect(b.calls).toBe(4);
  });

  // ASL: States.ALL "MUST appear alone in the ErrorEquals array and MUST appear in the last Retrier"
  // (same for catchers); AWS rejects such definitions. asl-validator does not check it; we do.
  it('rejects States.ALL outside the last retrier or catcher, or not alone', () => {
    const compile = (state: { Type: string } & Record<string, unknown>) => () => compileDefinition(single(state), { waitScale: 1 });
    expect(compile({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['E'] }] })).toThrow(DefinitionError);
    expect(compile({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['States.ALL', 'E'] }] })).toThrow(/States.ALL must appear alone/);
    expect(() =>
      compileDefinition(
        {
          StartAt: 'S',
          States: { S: { Type: 'Task', Resource: FN, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X' }, { ErrorEquals: ['E'], Next: 'X' }], End: true }, X: { Type: 'Succeed' } },
        },
        { waitScale: 1 },
      ),
    ).toThrow(/last catcher/);
    expect(compile({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['E'] }, { ErrorEquals: ['States.ALL'] }] })).not.toThrow();
  });

  // AWS: retry counters belong to a state entry; re-entering the state starts them again.
  it('resets retry counters when the state is entered again', async () => {
    // Calls 1 and 3 (the first attempt of each entry) fail. With MaxAttempts 1 the second entry's failure
    // is only retried if its counter started again.
    const handler = flaky([namedError('E', '1'), undefined, namedError('E', '3')] as Error[]);
    const result = await run(
      {
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: FN, ResultPath: null, Retry: [{ ErrorEquals: ['E'], MaxAttempts: 1 }], Next: 'Again' },
          Again: { Type: 'Choice', Choices: [{ Variable: '$.loop', IsPresent: false, Next: 'Mark' }], Default: 'Done' },
          Mark: { Type: 'Pass', Result: true, ResultPath: '$.loop', Next: 'T' },
          Done: { Type: 'Succeed' },
        },
      },
      {},
      byState({ T: handler }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(handler.calls).toBe(4);
  });
});

describe('Catch', () => {
  // AWS "Fallback states": the catcher's ResultPath places {Error, Cause} in the raw input, which is kept.
  it('catches into $.error keeping the original input', async () => {
    const result = await run(
      {
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: FN, ResultPath: '$.training', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handle' }], End: true },
          Handle: { Type: 'Pass', End: true },
        },
      },
      { run: 'r-1' },
      byState({ T: async () => Promise.reject(namedError('TrainingJobFailed', 'AlgorithmError: boom')) }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ run: 'r-1', error: { Error: 'TrainingJobFailed', Cause: 'AlgorithmError: boom' } });
  });

  // AWS: with no ResultPath (or "$") in the catcher, the error output replaces the input.
  it('replaces the input with the error output when the catcher has ResultPath "$"', async () => {
    const result = await run(
      {
        StartAt: 'T',
        States: { T: { Type: 'Task', Resource: FN, Catch: [{ ErrorEquals: ['E'], ResultPath: '$', Next: 'H' }], End: true }, H: { Type: 'Succeed' } },
      },
      { lost: true },
      byState({ T: async () => Promise.reject(namedError('E', 'c')) }),
    );
    expect(result.output).toEqual({ Error: 'E', Cause: 'c' });
  });

  // AWS: retries come first; "if retries fail to resolve the error", the catchers are scanned in order.
  it('falls to Catch once the retrier is exhausted', async () => {
    const handler = flaky(Array.from({ length: 5 }, () => namedError('Lambda.ServiceException', 'down')));
    const result = await run(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: FN,
            Retry: [{ ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 2 }],
            Catch: [
              { ErrorEquals: ['Other'], Next: 'Wrong' },
              { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' },
            ],
            End: true,
          },
          Wrong: { Type: 'Succeed' },
          // The pipeline's PipelineFailed: the execution fails with the caught error.
          Failed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
        },
      },
      {},
      byState({ T: handler }),
    );
    expect(handler.calls).toBe(3);
    expect(result).toMatchObject({ status: 'FAILED', error: 'Lambda.ServiceException', cause: 'down' });
  });

  // AWS: States.TaskFailed "matches any known error name except for States.Timeout".
  it('catches a task error with States.TaskFailed', async () => {
    const result = await run(
      {
        StartAt: 'T',
        States: { T: { Type: 'Task', Resource: FN, Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.e', Next: 'H' }], End: true }, H: { Type: 'Succeed' } },
      },
      {},
      byState({ T: async () => Promise.reject(namedError('Custom.Error', 'x')) }),
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { e: { Error: 'Custom.Error', Cause: 'x' } } });
  });

  it('reports a thrown non-Error value as error "Error"', async () => {
    const result = await run(single({ Type: 'Task', Resource: FN }), {}, byState({ S: async () => Promise.reject('plain string') }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'Error', cause: 'plain string' });
  });
});

describe('Task TimeoutSeconds', () => {
  const slow = async (_input: unknown, ctx: TaskContext) =>
    // Resolves only when the service aborts the call's signal (the timeout), so no timer outlives the test.
    new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('too late'), { once: true }));

  // AWS: "If the task runs longer than the specified seconds, this state fails with a States.Timeout error".
  it('fails the state with States.Timeout and ignores the late result', async () => {
    const result = await run(single({ Type: 'Task', Resource: FN, TimeoutSeconds: 1 }), {}, byState({ S: slow }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(result.history.map((e) => e.type)).toContain('LambdaFunctionTimedOut');
  });

  // AWS: States.TaskFailed does not match States.Timeout; States.Timeout (or States.ALL) does.
  it('is not caught by States.TaskFailed but by States.Timeout', async () => {
    const result = await run(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: FN,
            TimeoutSeconds: 1,
            Catch: [
              { ErrorEquals: ['States.TaskFailed'], Next: 'Wrong' },
              { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'Right' },
            ],
            End: true,
          },
          Wrong: { Type: 'Fail', Error: 'Wrong' },
          Right: { Type: 'Succeed' },
        },
      },
      {},
      byState({ T: slow }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ timeout: { Error: 'States.Timeout' } });
  });

  // AWS: TimeoutSecondsPath takes the timeout from the state input; a value that is not a positive integer
  // fails the state with States.Runtime before the task runs.
  it('takes the timeout from TimeoutSecondsPath', async () => {
    const result = await run(single({ Type: 'Task', Resource: FN, TimeoutSecondsPath: '$.timeout' }), { timeout: 1 }, byState({ S: slow }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    const handler = flaky([]);
    const invalid = await run(single({ Type: 'Task', Resource: FN, TimeoutSecondsPath: '$.timeout' }), { timeout: 'soon' }, byState({ S: handler }));
    expect(invalid).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(handler.calls).toBe(0);
  });

  // AWS: without TimeoutSeconds a task has no timeout (the library defaults to 60 s; the rewrite removes it).
  it('has no default timeout', () => {
    const compiled = compileDefinition(single({ Type: 'Task', Resource: FN }), { waitScale: 1 });
    const state = (compiled.runnable.States as Record<string, { TimeoutSeconds?: number }>).S!;
    expect(state.TimeoutSeconds).toBeGreaterThanOrEqual(2_000_000);
  });
});

describe('Choice', () => {
  const definition = {
    StartAt: 'Decide',
    States: {
      Decide: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.state', StringEquals: 'Succeeded', Next: 'Succeeded' },
          { Variable: '$.attempt', NumericGreaterThanEquals: 400, Next: 'Budget' },
          { Variable: '$.score', NumericLessThanEqualsPath: '$.threshold', Next: 'Low' },
          { Variable: '$.gate.passed', BooleanEquals: true, Next: 'Passed' },
          { And: [{ Variable: '$.a', IsPresent: true }, { Not: { Variable: '$.b', IsPresent: true } }], Next: 'OnlyA' },
          { Or: [{ Variable: '$.c', StringEquals: 'x' }, { Variable: '$.c', StringEquals: 'y' }], Next: 'CxOrY' },
          { Variable: '$.optional', IsPresent: false, Next: 'NoOptional' },
        ],
        Default: 'Otherwise',
      },
      // (no state may be named "Default": asl-validator mistakes it for a Default field)
      ...Object.fromEntries(['Succeeded', 'Budget', 'Low', 'Passed', 'OnlyA', 'CxOrY', 'NoOptional', 'Otherwise'].map((n) => [n, { Type: 'Pass', Result: n, End: true }])),
    },
  };
  // Every variable the rules read is present and non-matching unless a case overrides it.
  const base = { state: 'InProgress', attempt: 1, score: 1, threshold: 0.5, gate: { passed: false }, c: 'z', optional: 1 };
  const decide = async (input: object) => (await run(definition, { ...base, ...input })).output;

  // AWS "Choice rules": the first rule that matches (in order) selects Next; otherwise Default.
  it.each([
    [{ state: 'Succeeded', attempt: 999 }, 'Succeeded'],
    [{ state: 'InProgress', attempt: 400 }, 'Budget'],
    [{ attempt: 12, score: 0.5, threshold: 0.5 }, 'Low'],
    [{ score: 0.9, threshold: 0.5, gate: { passed: true } }, 'Passed'],
    [{ a: 1 }, 'OnlyA'],
    [{ a: 1, b: 2, c: 'y' }, 'CxOrY'],
    [{ c: 'z' }, 'Otherwise'],
  ])('routes %j to %s', async (input, expected) => {
    expect(await decide(input)).toBe(expected);
  });

  // AWS: "IsPresent" with false matches when the field is absent. Library deviation: `IsX: false` never matched.
  it('matches IsPresent: false when the variable is absent', async () => {
    const { optional: _absent, ...input } = base;
    expect((await run(definition, input)).output).toBe('NoOptional');
  });

  // AWS: a rule whose Variable selects nothing fails the state with States.Runtime (use IsPresent first).
  it('fails with States.Runtime when a compared variable is missing', async () => {
    const { state: _absent, ...input } = base;
    const result = await run(definition, input);
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  // AWS: "Step Functions doesn't attempt to match a numeric field to a string value"; a comparison needs a
  // value of the operator's type. Library deviation: JavaScript coercion ("5" >= 1, null <= 1 matched).
  it('does not match comparisons against values of another type', async () => {
    expect(await decide({ attempt: '500' })).toBe('Otherwise');
    expect(await decide({ score: null, threshold: 1 })).toBe('Otherwise');
    expect(await decide({ gate: { passed: 'true' } })).toBe('Otherwise');
  });

  // AWS: a Choice state with no matching rule and no Default fails with States.NoChoiceMatched.
  it('fails with States.NoChoiceMatched without a Default', async () => {
    const result = await run({ StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Variable: '$.x', StringEquals: 'a', Next: 'E' }] }, E: { Type: 'Succeed' } } }, { x: 'b' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.NoChoiceMatched' });
  });
});

describe('Wait', () => {
  // AWS "Wait": SecondsPath takes the wait from the state input; here on the scaled clock (waitScale 0.01:
  // 30 s → 300 ms), and the requested seconds are recorded as virtual time. The output is the input.
  it('waits SecondsPath seconds on the scaled clock', async () => {
    const started = performance.now();
    const result = await run({ StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.poll.waitSeconds', End: true } } }, { poll: { waitSeconds: 30 } }, undefined, 0.01);
    const elapsed = performance.now() - started;
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ poll: { waitSeconds: 30 } });
    expect(elapsed).toBeGreaterThanOrEqual(298);
    expect(elapsed).toBeLessThan(15_000); // far below the unscaled 30 s
    expect(result.waits.map((w) => [w.stateName, w.seconds])).toEqual([['W', 30]]);
    expect(result.virtualWaitSeconds).toBe(30);
    expect(result.virtualElapsedSeconds).toBeGreaterThanOrEqual(30);
  });

  it('waits static Seconds and applies InputPath/OutputPath', async () => {
    const result = await run(
      { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 5, InputPath: '$.inner', OutputPath: '$.keep', End: true } } },
      { inner: { keep: 'k', drop: 1 } },
    );
    expect(result.output).toBe('k');
    expect(result.waits.map((w) => w.seconds)).toEqual([5]);
  });

  // AWS: SecondsPath must select a non-negative integer; anything else is a runtime error.
  it('fails with States.Runtime when SecondsPath is not an integer', async () => {
    const result = await run({ StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.s', End: true } } }, { s: 'soon' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});

describe('Pass', () => {
  // AWS "Pass": Result is the state's result; ResultPath places it in the input.
  it('places Result at ResultPath', async () => {
    const result = await run(single({ Type: 'Pass', Result: { attempt: 0 }, ResultPath: '$.trainingPoll' }), { run: 1 });
    expect(result.output).toEqual({ run: 1, trainingPoll: { attempt: 0 } });
  });

  // Library deviation: a falsy Result (0, false, "") was ignored and the input passed through.
  it.each([0, false, ''])('outputs a falsy Result (%j)', async (value) => {
    const result = await run(single({ Type: 'Pass', Result: value }), { x: 1 });
    expect(result.output).toBe(value);
  });

  // AWS: without Result, a Pass state outputs its (Parameters-transformed) input.
  it('transforms its input with Parameters', async () => {
    const result = await run(single({ Type: 'Pass', Parameters: { 'v.$': '$.a', 'id.$': '$$.Execution.Name' } }), { a: 'b' });
    expect(result.output).toEqual({ v: 'b', id: result.name });
  });
});

describe('Fail', () => {
  // AWS "Fail": Error and Cause name the execution's failure.
  it('fails the execution with a static Error and Cause', async () => {
    const result = await run(single({ Type: 'Fail', Error: 'QualityGateFailed', Cause: 'auc below threshold' }), {});
    expect(result).toMatchObject({ status: 'FAILED', error: 'QualityGateFailed', cause: 'auc below threshold' });
  });

  // AWS: ErrorPath/CausePath are reference paths into the state input selecting strings.
  it('takes Error and Cause from the input with ErrorPath/CausePath', async () => {
    const result = await run(single({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' }), { error: { Error: 'E.x', Cause: 'c' } });
    expect(result).toMatchObject({ status: 'FAILED', error: 'E.x', cause: 'c' });
  });

  it('mixes a static Error with CausePath', async () => {
    const result = await run(single({ Type: 'Fail', Error: 'TrainingJobFailed', CausePath: '$.poll.message' }), { poll: { message: 'ClientError: bad data' } });
    expect(result).toMatchObject({ error: 'TrainingJobFailed', cause: 'ClientError: bad data' });
  });

  // AWS: ErrorPath/CausePath may also be an intrinsic function returning a string.
  it('accepts an intrinsic function in CausePath', async () => {
    const result = await run(single({ Type: 'Fail', Error: 'E', CausePath: "States.Format('job {} failed', $.job)" }), { job: 'j-1' });
    expect(result.cause).toBe('job j-1 failed');
  });

  // AWS: Error and Cause are optional; without them the execution fails with neither.
  // Library deviation: it reported "FailStateError" / "Execution failed because of a Fail state".
  it('fails without error or cause when none are given', async () => {
    const result = await run(single({ Type: 'Fail' }), {});
    expect(result.status).toBe('FAILED');
    expect(result.error).toBeUndefined();
    expect(result.cause).toBeUndefined();
  });
});

describe('Intrinsic functions', () => {
  const evaluate = async (parameters: object, input: object) => (await run(single({ Type: 'Pass', Parameters: parameters }), input)).output;

  // AWS: States.Format replaces each {} with the next argument; \{ \} are literal braces.
  it('formats strings with States.Format', async () => {
    expect(await evaluate({ 'v.$': "States.Format('{}-{}-\\{x\\}', $.a, $.n)" }, { a: 'run', n: 7 })).toEqual({ v: 'run-7-{x}' });
  });

  // Library deviation: every backslash in a string result was removed (values inserted by Format included).
  it('keeps backslashes of inserted values', async () => {
    expect(await evaluate({ 'v.$': "States.Format('path={}', $.p)" }, { p: 'C:\\data\\x' })).toEqual({ v: 'path=C:\\data\\x' });
  });

  it('adds with States.MathAdd', async () => {
    expect(await evaluate({ 'next.$': 'States.MathAdd($.attempt, 1)', 'down.$': 'States.MathAdd($.attempt, -3)' }, { attempt: 4 })).toEqual({ next: 5, down: 1 });
  });

  // AWS: States.JsonToString serializes the selected value; States.StringToJson parses it back.
  // Library deviation: JsonToString stripped the backslashes that escape quotes, yielding invalid JSON.
  it('round-trips JSON with States.JsonToString and States.StringToJson', async () => {
    const value = { message: 'say "hi"', path: 'a\\b', n: [1, { x: null }] };
    const out = (await evaluate({ 's.$': 'States.JsonToString($.v)' }, { v: value })) as { s: string };
    expect(out.s).toBe(JSON.stringify(value));
    expect(await evaluate({ 'v.$': 'States.StringToJson($.s)' }, { s: out.s })).toEqual({ v: value });
    expect(await evaluate({ 'v.$': 'States.StringToJson(States.JsonToString($.v))' }, { v: value })).toEqual({ v: value });
  });

  it('builds arrays with States.Array', async () => {
    expect(await evaluate({ 'a.$': "States.Array('x', $.n, $.o, null, States.MathAdd(1, 2))" }, { n: 1, o: { k: true } })).toEqual({ a: ['x', 1, { k: true }, null, 3] });
  });

  // AWS: an intrinsic function error fails the execution (not caught by States.ALL).
  it('fails the execution on a bad argument', async () => {
    const result = await run(single({ Type: 'Pass', Parameters: { 'v.$': 'States.StringToJson($.s)' } }), { s: '{not json' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});

describe('Succeed', () => {
  // AWS "Succeed": ends the execution successfully; its output is its input (through InputPath/OutputPath).
  it('ends the execution with its input as output', async () => {
    const result = await run(
      { StartAt: 'P', States: { P: { Type: 'Pass', Result: { a: 1, b: 2 }, Next: 'Done' }, Done: { Type: 'Succeed', OutputPath: '$.b' } } },
      {},
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: 2 });
  });
});

describe('Task handler errors', () => {
  // An unknown function is a task failure (AWS: Lambda.ResourceNotFoundException), catchable like any other.
  it('fails with Lambda.ResourceNotFoundException when no handler serves the resource', async () => {
    const result = await run(single({ Type: 'Task', Resource: FN }), {}, () => undefined);
    expect(result).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
  });

  // AWS quota: a task result over 256 KiB fails the state with States.DataLimitExceeded. The developer guide
  // ("Error names") calls it terminal, but AWS catches it with States.ALL (see aws-conformance.test.ts).
  it('fails with States.DataLimitExceeded on an oversized result', async () => {
    const result = await run(single({ Type: 'Task', Resource: FN }), {}, byState({ S: async () => 'x'.repeat(300_000) }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('passes the handler a copy of its input and JSON-normalizes the result', async () => {
    const result = await run(single({ Type: 'Task', Resource: FN }), { a: 1 }, byState({ S: echo }));
    expect(result.output).toEqual({ a: 1 });
    const undef = await run(single({ Type: 'Task', Resource: FN }), { a: 1 }, byState({ S: async () => undefined }));
    expect(undef.output).toBeNull();
  });
});
