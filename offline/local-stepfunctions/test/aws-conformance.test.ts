/**
 * ASL conformance, continued: error payloads, JSONPath arrays, Map/Parallel history, intrinsic edge cases,
 * Wait timestamps and AWS's error wording. Each test names its source: a page of the AWS Step Functions
 * developer guide / API reference, or, where the guide is silent or wrong, behaviour recorded against AWS by
 * LocalStack's AWS-validated snapshot tests (tests/aws/services/stepfunctions/v2/..., `markers.aws.validated`).
 */
import { DefinitionError, compileDefinition } from '../src';
import { sleep } from '../src/engine';
import { byState, flaky, lambdaArn, namedError, run, single } from './helpers';

const FN = lambdaArn('fn');
const types = (history: { type: string }[]) => history.map((e) => e.type);
const hugeResult = async () => 'x'.repeat(300_000);
const slow = async (_input: unknown, ctx: { signal: AbortSignal }) =>
  new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('too late'), { once: true }));
/** Cause prefix AWS puts on errors raised while evaluating a state. */
const inState = (state: string, eventId: number, detail: string) =>
  `An error occurred while executing the state '${state}' (entered at the event id #${eventId}). ${detail}`;

describe('States.DataLimitExceeded', () => {
  // Developer guide, "Error names" / "Step Functions service quotas": a state's output is limited to 256 KiB.
  // The guide says States.ALL cannot catch States.DataLimitExceeded; AWS does catch it, both with an explicit
  // catcher and with States.ALL (AWS-validated errorhandling/test_states_errors.py: the catchers' Next states
  // run with {"Error": "States.DataLimitExceeded", "Cause": "The state/task '<function ARN>' returned a result
  // with a size exceeding the maximum number of bytes service limit."}).
  const cause = `The state/task '${FN}' returned a result with a size exceeding the maximum number of bytes service limit.`;
  const catching = (errorEquals: string) => ({
    StartAt: 'T',
    States: { T: { Type: 'Task', Resource: FN, Catch: [{ ErrorEquals: [errorEquals], Next: 'Handled' }], End: true }, Handled: { Type: 'Pass', End: true } },
  });

  it.each(['States.DataLimitExceeded', 'States.ALL'])('is caught by a catcher on %s', async (errorEquals) => {
    const result = await run(catching(errorEquals), {}, byState({ T: hugeResult }));
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { Error: 'States.DataLimitExceeded', Cause: cause } });
    expect(result.history.find((e) => e.type === 'LambdaFunctionFailed')).toMatchObject({
      lambdaFunctionFailedEventDetails: { error: 'States.DataLimitExceeded', cause },
    });
  });

  it('names the integration resource type for service integrations', async () => {
    const result = await run(
      single({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f' } }),
      {},
      byState({ S: hugeResult }),
    );
    expect(result.cause).toBe("The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit.");
  });

  // Same source (test_start_large_input): a Pass state whose Result exceeds the quota fails the execution, naming the state.
  it('fails a Pass state whose output exceeds the quota', async () => {
    const result = await run({ StartAt: 'Big', States: { Big: { Type: 'Pass', Result: { arg: 'a'.repeat(257 * 1024) }, End: true } } }, {});
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'States.DataLimitExceeded',
      cause: "The state/task 'Big' returned a result with a size exceeding the maximum number of bytes service limit.",
    });
  });
});

describe('States.Timeout of a task', () => {
  // AWS binds no Cause to a task timeout: the catcher's error output has "Cause": "" (AWS-validated behaviour
  // encoded in LocalStack's ExecutionState._construct_error_output_value: "If no cause or error fields are given,
  // AWS binds an empty string"), and the TimedOut history event carries the error only.
  it('has an empty Cause in the error output and none in the history', async () => {
    const result = await run(
      {
        StartAt: 'T',
        States: { T: { Type: 'Task', Resource: FN, TimeoutSeconds: 1, Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.err', Next: 'Done' }], End: true }, Done: { Type: 'Succeed' } },
      },
      { keep: 1 },
      byState({ T: slow }),
    );
    expect(result.output).toEqual({ keep: 1, err: { Error: 'States.Timeout', Cause: '' } });
    expect(result.history.find((e) => e.type === 'LambdaFunctionTimedOut')).toMatchObject({ lambdaFunctionTimedOutEventDetails: { error: 'States.Timeout' } });
    expect(result.history.find((e) => e.type === 'LambdaFunctionTimedOut')!.lambdaFunctionTimedOutEventDetails).not.toHaveProperty('cause');
  });

  it('fails the execution with error States.Timeout and no cause when uncaught', async () => {
    const result = await run(single({ Type: 'Task', Resource: FN, TimeoutSeconds: 1 }), {}, byState({ S: slow }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(result.cause).toBeUndefined();
  });

  // Developer guide, "Error names": States.TaskFailed "matches any known error name except for States.Timeout";
  // a retrier on States.Timeout (or States.ALL) retries it.
  it('is retried by a States.Timeout retrier and not by a States.TaskFailed one', async () => {
    const calls = { n: 0 };
    const counted = async (input: unknown, ctx: { signal: AbortSignal }) => (calls.n++, slow(input, ctx));
    const retried = await run(
      single({ Type: 'Task', Resource: FN, TimeoutSeconds: 1, Retry: [{ ErrorEquals: ['States.TaskFailed'] }, { ErrorEquals: ['States.Timeout'], MaxAttempts: 1 }] }),
      {},
      byState({ S: counted }),
    );
    expect(retried).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(calls.n).toBe(2);
  });
});

describe('JSONPath arrays', () => {
  // AWS answers a path with a wildcard or slice array access with an array, [] when nothing matches (AWS-validated
  // JSONPath behaviour encoded in LocalStack's asl/utils/json_path.py: `_contains_slice_or_wildcard_array`).
  it('yields [] for [*] and slices over missing paths in Parameters, and arrays for single matches', async () => {
    const seen: unknown[] = [];
    const result = await run(
      single({
        Type: 'Task',
        Resource: FN,
        Parameters: { 'none.$': '$.missing[*]', 'deep.$': '$.a.b.c[*]', 'slice.$': '$.gone[0:2]', 'one.$': '$.single[*]', 'part.$': '$.list[1:3]', 'empty.$': '$.empty[*]' },
      }),
      { single: ['x'], list: [1, 2, 3, 4], empty: [] },
      byState({ S: async (input) => (seen.push(input), 'ok') }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(seen).toEqual([{ none: [], deep: [], slice: [], one: ['x'], part: [2, 3], empty: [] }]);
  });

  it('applies the same rule in a Map ItemSelector', async () => {
    const result = await run(
      {
        StartAt: 'M',
        States: {
          M: { Type: 'Map', ItemsPath: '$.jobs', ItemSelector: { 'tags.$': '$.missing[*]', 'job.$': '$$.Map.Item.Value' }, ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true },
        },
      },
      { jobs: ['j'] },
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: [{ tags: [], job: 'j' }] });
  });

  // Developer guide, "ItemsPath": "The value of ItemsPath must be a Reference Path" (no `*` or `:`), so
  // CreateStateMachine rejects a wildcard there before anything runs.
  it('rejects a wildcard ItemsPath at definition time', () => {
    const definition = { StartAt: 'M', States: { M: { Type: 'Map', ItemsPath: '$.jobs[*]', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } } };
    expect(() => compileDefinition(definition, { waitScale: 1 })).toThrow(/^Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: \/States\/M\/ItemsPath is invalid/);
  });
});

describe('Map and Parallel history', () => {
  const processor = { StartAt: 'T', States: { T: { Type: 'Task', Resource: FN, End: true } } };
  const iterationEvents = ['TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited'];

  // Developer guide, "Map state" / API reference HistoryEvent: MapStateEntered, MapStateStarted {length},
  // MapIterationStarted/Succeeded {name, index} around each iteration's events, MapStateSucceeded, MapStateExited.
  // "MaxConcurrency": the upper bound of iterations running at once; with 1 they run one after the other.
  it('records the Map events and, with MaxConcurrency 1, starts an iteration only after the previous one ended', async () => {
    const spans: { index: number; start: number; end: number }[] = [];
    const result = await run(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemsPath: '$.items',
            MaxConcurrency: 1,
            ItemSelector: { 'index.$': '$$.Map.Item.Index', 'label.$': "States.Format('item-{}', $$.Map.Item.Value)" },
            ItemProcessor: processor,
            End: true,
          },
        },
      },
      { items: ['a', 'b', 'c'] },
      byState({
        T: async (input) => {
          const start = performance.now();
          await new Promise((r) => setTimeout(r, 20));
          spans.push({ index: (input as { index: number }).index, start, end: performance.now() });
          return input;
        },
      }),
    );
    expect(result.output).toEqual([
      { index: 0, label: 'item-a' },
      { index: 1, label: 'item-b' },
      { index: 2, label: 'item-c' },
    ]);
    expect(spans.map((s) => s.index)).toEqual([0, 1, 2]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.end);
    expect(types(result.history)).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      ...[0, 1, 2].flatMap(() => ['MapIterationStarted', ...iterationEvents, 'MapIterationSucceeded']),
      'MapStateSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
    expect(result.history.find((e) => e.type === 'MapStateStarted')).toMatchObject({ mapStateStartedEventDetails: { length: 3 } });
    expect(result.history.filter((e) => e.type === 'MapIterationStarted').map((e) => e.mapIterationStartedEventDetails)).toEqual([
      { name: 'M', index: 0 },
      { name: 'M', index: 1 },
      { name: 'M', index: 2 },
    ]);
  });

  // "Map state": if any iteration fails, the Map state fails (and the others are stopped); Catch applies to it.
  it('records MapIterationFailed and MapStateFailed, and the Map catcher gets the iteration error', async () => {
    const result = await run(
      {
        StartAt: 'M',
        States: {
          M: { Type: 'Map', ItemsPath: '$.items', MaxConcurrency: 1, ItemProcessor: processor, Catch: [{ ErrorEquals: ['Bad'], ResultPath: '$.error', Next: 'Done' }], End: true },
          Done: { Type: 'Succeed' },
        },
      },
      { items: [1, 2] },
      byState({ T: flaky([namedError('Bad', 'item 1 failed')]) }),
    );
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { items: [1, 2], error: { Error: 'Bad', Cause: 'item 1 failed' } } });
    expect(types(result.history)).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'MapIterationFailed',
      'MapStateFailed',
      'MapStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });

  // Developer guide, "Parallel state": ParallelStateEntered, ParallelStateStarted, the branches' events,
  // ParallelStateSucceeded (ParallelStateFailed when a branch fails), ParallelStateExited; the output is the
  // array of branch outputs, in branch order.
  it('records the Parallel events', async () => {
    const branch = (value: string) => ({ StartAt: value, States: { [value]: { Type: 'Pass', Result: value, End: true } } });
    const result = await run(
      { StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [branch('a'), branch('b')], End: true } } },
      {},
    );
    expect(result.output).toEqual(['a', 'b']);
    expect(types(result.history)).toEqual([
      'ExecutionStarted',
      'ParallelStateEntered',
      'ParallelStateStarted',
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ParallelStateSucceeded',
      'ParallelStateExited',
      'ExecutionSucceeded',
    ]);
    const failed = await run(
      { StartAt: 'P', States: { P: { Type: 'Parallel', Branches: [branch('a'), { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E' } } }], End: true } } },
      {},
    );
    expect(failed).toMatchObject({ status: 'FAILED', error: 'E' });
    expect(types(failed.history).slice(-2)).toEqual(['ParallelStateFailed', 'ExecutionFailed']);
  });
});

describe('Intrinsic function edge cases', () => {
  const evaluate = async (parameters: object, input: object = {}) => (await run(single({ Type: 'Pass', Parameters: parameters }), input)).output;

  // Developer guide, "Intrinsic functions" (States.MathAdd, States.MathRandom): non-integer arguments are rounded
  // "to the nearest integer"; AWS rounds halves up (AWS-validated test_math_operations: 1.49 + 1.5 = 3,
  // -1.49 + -1.5 = -2, -2.5 + 0 = -2), and MathRandom accepts float bounds (12.5, 44.51).
  it('rounds the arguments of States.MathAdd and States.MathRandom', async () => {
    const sums = { 'a.$': 'States.MathAdd($.a1, $.a2)', 'b.$': 'States.MathAdd($.b1, $.b2)', 'c.$': 'States.MathAdd($.c1, 0)' };
    expect(await evaluate(sums, { a1: 1.49, a2: 1.5, b1: -1.49, b2: -1.5, c1: -2.5 })).toEqual({
      a: 3,
      b: -2,
      c: -2,
    });
    const { r } = (await evaluate({ 'r.$': 'States.MathRandom($.lo, $.hi)' }, { lo: 12.5, hi: 44.51 })) as { r: number };
    expect(Number.isInteger(r)).toBe(true);
    expect(r).toBeGreaterThanOrEqual(13);
    expect(r).toBeLessThanOrEqual(45);
  });

  // AWS-validated test_string_operations (test_format_2): objects and arrays are rendered as Java prints maps and lists.
  it('formats object and array arguments with States.Format', async () => {
    expect(await evaluate({ 's.$': "States.Format('fst={} and snd={}', $.o, $.a)" }, { o: { Arg1: 1, Arg2: [] }, a: [1, 'x', { k: null }] })).toEqual({
      s: 'fst={Arg1=1, Arg2=[]} and snd=[1, x, {k=null}]',
    });
  });

  // AWS-validated test_json_manipulation (test_string_to_json): "" and " " parse to null.
  it.each(['', '   '])('parses %j to null with States.StringToJson', async (text) => {
    expect(await evaluate({ 'v.$': 'States.StringToJson($.s)' }, { s: text })).toEqual({ v: null });
  });

  // Developer guide, "Intrinsic functions" → "Reserved characters": only \' \{ \} \\ are escapes. CreateStateMachine
  // rejects any other (AWS-validated scenarios test `escape_sequences_illegal_intrinsic_function`).
  it('rejects an illegal escape in a literal argument at definition time', () => {
    const definition = { StartAt: 'IntrinsicEscape', States: { IntrinsicEscape: { Type: 'Pass', Parameters: { 'parsed.$': "States.StringToJson('{\"text\":\"An \\\"escaped\\\" quote\"}')" }, End: true } } };
    expect(() => compileDefinition(definition, { waitScale: 1 })).toThrow(DefinitionError);
    expect(() => compileDefinition(definition, { waitScale: 1 })).toThrow(
      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The value for the field 'parsed.$' must be a valid JSONPath or a valid intrinsic function call at /States/IntrinsicEscape/Parameters'",
    );
  });
});

describe('Wait timestamps and long waits', () => {
  // Developer guide, "Wait state": Timestamp(Path) must be an RFC 3339 timestamp; AWS's Cause for an invalid value
  // (AWS-validated test_wait / base scenarios): "The TimestampPath parameter does not reference a valid ISO-8601
  // extended offset date-time format string: <path> == <value>".
  it.each(['2016-13-05T21:29:29Z', '2016-12-05T25:29:29Z', '2016-12-05 21:29:29Z', '2016-02-30T00:00:00Z', '2016-12-05T21:29:29'])(
    'fails on TimestampPath value %s',
    async (value) => {
      const result = await run({ StartAt: 'W', States: { W: { Type: 'Wait', TimestampPath: '$.t', End: true } } }, { t: value });
      expect(result).toMatchObject({
        status: 'FAILED',
        error: 'States.Runtime',
        cause: inState('W', 2, `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: $.t == ${value}`),
      });
    },
  );

  it('waits until a valid TimestampPath value', async () => {
    const result = await run({ StartAt: 'W', States: { W: { Type: 'Wait', TimestampPath: '$.t', End: true } } }, { t: '2000-01-01T00:00:00+02:00' });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { t: '2000-01-01T00:00:00+02:00' } });
  });

  // Node's setTimeout fires at once above 2^31-1 ms (24.8 days); a Wait of a year must not.
  describe('sleep', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('sleeps past the 2^31-1 ms timer limit, and ends at once when aborted', async () => {
      let done = false;
      void sleep(365 * 24 * 3600 * 1000, new AbortController().signal).then(() => (done = true));
      await jest.advanceTimersByTimeAsync(2 ** 31);
      expect(done).toBe(false);
      await jest.advanceTimersByTimeAsync(365 * 24 * 3600 * 1000 - 2 ** 31 - 1);
      expect(done).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(done).toBe(true);

      const controller = new AbortController();
      let aborted = false;
      void sleep(2 ** 40, controller.signal).then(() => (aborted = true));
      controller.abort();
      await Promise.resolve();
      expect(aborted).toBe(true);
    });
  });
});

describe('$$.State.RetryCount', () => {
  // Developer guide, "Accessing execution data from the Context object": State.RetryCount is the retry count of a
  // state that can be retried (Task; Map and Parallel likewise carry a Retry). A Pass state's context has no
  // RetryCount: a path to it selects nothing.
  it('is absent from a Pass state context', async () => {
    const state = await run(single({ Type: 'Pass', Parameters: { 'state.$': '$$.State' } }), {});
    expect(state.output).toEqual({ state: { Name: 'S', EnteredTime: expect.any(String) } });
    const missing = await run(single({ Type: 'Pass', Parameters: { 'n.$': '$$.State.RetryCount' } }), {});
    expect(missing).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('is present in a Task context and counts its retries', async () => {
    const seen: unknown[] = [];
    const handler = flaky([namedError('E', '1')]);
    await run(
      single({ Type: 'Task', Resource: FN, Parameters: { 'state.$': '$$.State' }, Retry: [{ ErrorEquals: ['E'] }] }),
      {},
      byState({ S: async (input, ctx) => (seen.push(input), handler(input, ctx)) }),
    );
    expect(seen).toEqual([{ state: expect.objectContaining({ Name: 'S', RetryCount: 0 }) }, { state: expect.objectContaining({ Name: 'S', RetryCount: 1 }) }]);
  });
});

describe('AWS error wording', () => {
  // AWS-validated base scenarios (test_invalid_jsonpath): a missing InputPath fails with "Invalid path '$.x' :
  // No results for path: $['x']" behind the state prefix; Jayway names the first missing intermediate property.
  it('words a missing InputPath as AWS does', async () => {
    const leaf = await run({ StartAt: 'pass', States: { pass: { Type: 'Pass', InputPath: '$.NoSuchInputPath', End: true } } }, { a: 1 });
    expect(leaf).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: inState('pass', 2, "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"),
    });
    const intermediate = await run({ StartAt: 'pass', States: { pass: { Type: 'Pass', InputPath: '$.a.b.c', End: true } } }, { a: {} });
    expect(intermediate.cause).toBe(inState('pass', 2, "Invalid path '$.a.b.c' : Missing property in path $['a']['b']"));
  });

  // Same test: a payload template path and a Fail ErrorPath that select nothing.
  it('words missing Parameters and ErrorPath paths as AWS does', async () => {
    const params = await run(
      { StartAt: 'Start', States: { Start: { Type: 'Pass', Next: 'pass' }, pass: { Type: 'Pass', Parameters: { 'value.$': '$.no_such_jsonpath' }, End: true } } },
      { in: 1 },
    );
    expect(params.cause).toBe(inState('pass', 4, `The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"in":1}'`));
    const fail = await run({ StartAt: 'fail', States: { fail: { Type: 'Fail', ErrorPath: '$.ErrorX' } } }, {});
    expect(fail.cause).toBe(inState('fail', 2, "The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{}'"));
  });

  // CreateStateMachine's InvalidDefinition message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ...'"
  // (API reference, CreateStateMachine errors; AWS-validated LocalStack validation tests).
  it('words definition errors as CreateStateMachine does', () => {
    expect(() => compileDefinition({ StartAt: 'X', States: {} }, { waitScale: 1 })).toThrow(/^Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: /);
    expect(() =>
      compileDefinition(single({ Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['E'] }] }), { waitScale: 1 }),
    ).toThrow(/^Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: States.ALL .* at \/States\/S\/Retry\/0\/ErrorEquals'$/);
  });
});
