/** The service in process (no HTTP): lifecycle, stop, timeouts, nested states, history shapes. */
import { type HistoryEvent, StepFunctionsService } from '../src';
import { validateAgainstModel } from '../src/validation';
import { byState, lambdaArn, namedError, run } from './helpers';

const FN = lambdaArn('fn');
const types = (events: HistoryEvent[]) => events.map((e) => e.type);

function service(definition: object, handlers = byState({}), waitScale = 0.001) {
  return new StepFunctionsService({ stateMachines: [{ name: 'sm', definition }], taskHandlers: handlers, waitScale });
}

describe('StepFunctionsService', () => {
  it('stops an execution during a Wait: the sleep ends at once and the history shows WaitStateAborted', async () => {
    // A 1000 s wait at waitScale 1 would outlive the test; stopping must end it.
    const svc = service({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1000, End: true } } }, byState({}), 1);
    const { executionArn } = (await svc.call('StartExecution', { stateMachineArn: svc.stateMachineArn('sm') })) as { executionArn: string };
    await new Promise((r) => setTimeout(r, 20));
    await svc.call('StopExecution', { executionArn });
    const snapshot = await svc.executions.waitForCompletion(executionArn, { timeoutMs: 5000 });
    expect(snapshot.status).toBe('ABORTED');
    expect(snapshot.error).toBeUndefined();
    expect(types(svc.executions.history(executionArn))).toEqual(['ExecutionStarted', 'WaitStateEntered', 'WaitStateAborted', 'ExecutionAborted']);
  });

  it('does not call the task again when a retry is pending at stop time', async () => {
    let calls = 0;
    const svc = service(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['E'], IntervalSeconds: 1000 }], End: true } } },
      byState({ T: async () => (calls++, Promise.reject(namedError('E', 'x'))) }),
      1,
    );
    const { executionArn } = (await svc.call('StartExecution', { stateMachineArn: svc.stateMachineArn('sm') })) as { executionArn: string };
    while (calls === 0) await new Promise((r) => setTimeout(r, 5));
    await svc.call('StopExecution', { executionArn });
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(1);
    expect(svc.executions.get(executionArn)!.status).toBe('ABORTED');
  });

  it('times an execution out after the definition TimeoutSeconds', async () => {
    const svc = service({ TimeoutSeconds: 1, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1000, End: true } } }, byState({}), 1);
    const { executionArn } = (await svc.call('StartExecution', { stateMachineArn: svc.stateMachineArn('sm') })) as { executionArn: string };
    const snapshot = await svc.executions.waitForCompletion(executionArn, { timeoutMs: 10_000 });
    expect(snapshot.status).toBe('TIMED_OUT');
    // AWS API reference, DescribeExecution: `error` / `cause` are "the error (cause) string if the state machine
    // execution failed"; a TIMED_OUT execution has neither, nor has its ExecutionTimedOut event.
    const described = await svc.call('DescribeExecution', { executionArn });
    expect(described.status).toBe('TIMED_OUT');
    expect(described.error).toBeUndefined();
    expect(described.cause).toBeUndefined();
    expect(svc.executions.history(executionArn).at(-1)).toMatchObject({ type: 'ExecutionTimedOut', executionTimedOutEventDetails: {} });
    await svc.shutdown();
  });

  it('shutdown stops running executions', async () => {
    const svc = service({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1000, End: true } } }, byState({}), 1);
    const { executionArn } = (await svc.call('StartExecution', { stateMachineArn: svc.stateMachineArn('sm') })) as { executionArn: string };
    await svc.shutdown();
    expect(svc.executions.get(executionArn)!.status).toBe('ABORTED');
  });

  it('reports virtual time for scaled waits', async () => {
    const result = await run(
      { StartAt: 'A', States: { A: { Type: 'Wait', Seconds: 120, Next: 'B' }, B: { Type: 'Wait', SecondsPath: '$.s', End: true } } },
      { s: 60 },
      byState({}),
      0.0001,
    );
    expect(result.waits.map((w) => [w.stateName, w.seconds])).toEqual([
      ['A', 120],
      ['B', 60],
    ]);
    expect(result.virtualWaitSeconds).toBe(180);
    // Node's timers have millisecond granularity and may fire up to 1 ms early: the 0.018 s of real
    // waiting can measure 0.017 s, so allow 2 ms of real time below the 180 virtual seconds.
    expect(result.virtualElapsedSeconds).toBeGreaterThanOrEqual(180 - 0.002);
    expect(result.virtualElapsedSeconds).toBeLessThan(180 + 30);
  });

  it('runs Parallel branches and Map iterations (through the library) with our task handlers', async () => {
    const result = await run(
      {
        StartAt: 'Par',
        States: {
          Par: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'B1', States: { B1: { Type: 'Task', Resource: FN, Parameters: { 'v.$': '$.v' }, End: true } } },
              { StartAt: 'B2', States: { B2: { Type: 'Wait', Seconds: 10, End: true } } },
            ],
            ResultPath: '$.par',
            Next: 'Each',
          },
          Each: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: { StartAt: 'Double', States: { Double: { Type: 'Task', Resource: FN, End: true } } }, ResultPath: '$.doubled', End: true },
        },
      },
      { v: 1, items: [1, 2, 3] },
      byState({ B1: async (input) => input, Double: async (n) => (n as number) * 2 }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ v: 1, items: [1, 2, 3], par: [{ v: 1 }, { v: 1, items: [1, 2, 3] }], doubled: [2, 4, 6] });
    const events = types(result.history);
    expect(events.filter((t) => t === 'MapIterationSucceeded')).toHaveLength(3);
    expect(events).toContain('ParallelStateEntered');
    expect(events).toContain('WaitStateExited');
  });

  it('emits Task* events for service-integration resources', async () => {
    const result = await run(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sagemaker:createTrainingJob', Parameters: { TrainingJobName: 'j' }, End: true } } },
      {},
      () => async () => ({ TrainingJobArn: 'arn:x' }),
    );
    const scheduled = result.history.find((e) => e.type === 'TaskScheduled')!;
    expect(scheduled.taskScheduledEventDetails).toEqual({
      resourceType: 'sagemaker',
      resource: 'createTrainingJob',
      region: 'us-east-1',
      parameters: '{"TrainingJobName":"j"}',
    });
    expect(types(result.history)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
  });

  it('records each retry attempt and a caught failure in the history', async () => {
    let calls = 0;
    const result = await run(
      {
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['E'], MaxAttempts: 1 }], Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'F' }], End: true },
          F: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
        },
      },
      {},
      byState({ T: async () => (calls++, Promise.reject(namedError('E', `try ${calls}`))) }),
    );
    expect(types(result.history)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'TaskStateExited',
      'FailStateEntered',
      'ExecutionFailed',
    ]);
    expect(result).toMatchObject({ error: 'E', cause: 'try 2' });
    expect(result.retries).toEqual([{ stateName: 'T', attempt: 1, error: 'E', nominalDelaySeconds: 1 }]);
  });
});

describe('request validation', () => {
  it('uses the official model and AWS message format', () => {
    expect(() => validateAgainstModel('GetExecutionHistory', { executionArn: 'a', maxResults: 1001 })).toThrow(
      "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
    expect(() => validateAgainstModel('StopExecution', { executionArn: 'a', error: 'e'.repeat(257) })).toThrow(/at 'error'/);
  });
});
