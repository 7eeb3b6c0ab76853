/**
 * "Step Functions Execution Status Change" events (`onEvent`), as Step Functions sends them to
 * EventBridge (developer guide, "EventBridge (CloudWatch Events) for Step Functions execution status
 * changes", its example events): source aws.states, the execution ARN as the only resource, and a
 * detail with executionArn, stateMachineArn, name, status, startDate, stopDate (epoch ms, null while
 * running), input, inputDetails, output, outputDetails, error and cause (null when absent).
 */
import { type ExecutionStatusChangeEvent, INTERRUPTED_ERROR, StepFunctionsService } from '../src';
import { byState, lambdaArn, namedError } from './helpers';

const FN = lambdaArn('fn');
const MACHINES = [
  { name: 'ok', definition: { StartAt: 'T', States: { T: { Type: 'Task', Resource: FN, End: true } } } },
  { name: 'fails', definition: { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Boom', Cause: 'it broke' } } } },
  { name: 'waits', definition: { StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.wait', End: true } } } },
  { name: 'slow', definition: { TimeoutSeconds: 1, StartAt: 'T', States: { T: { Type: 'Task', Resource: FN, End: true } } } },
];

function newService(events: ExecutionStatusChangeEvent[], restore?: ConstructorParameters<typeof StepFunctionsService>[0]['restore']) {
  return new StepFunctionsService({
    stateMachines: MACHINES,
    waitScale: 0.001,
    restore,
    onEvent: (event) => events.push(event),
    taskHandlers: byState({
      T: async (input, ctx) => {
        if (ctx.stateMachineArn.endsWith(':slow')) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 5_000);
            ctx.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()));
          });
        }
        if ((input as { fail?: boolean }).fail) throw namedError('Nope', 'no');
        return { doubled: (input as { n: number }).n * 2 };
      },
    }),
  });
}

async function start(svc: StepFunctionsService, machine: string, name: string, input: unknown): Promise<string> {
  const { executionArn } = (await svc.call('StartExecution', { stateMachineArn: svc.stateMachineArn(machine), name, input: JSON.stringify(input) })) as { executionArn: string };
  return executionArn;
}

const eventsOf = (events: ExecutionStatusChangeEvent[], arn: string) => events.filter((e) => e.detail.executionArn === arn);

describe('execution status change events', () => {
  const events: ExecutionStatusChangeEvent[] = [];
  const svc = newService(events);
  afterAll(() => svc.shutdown());

  it('RUNNING then SUCCEEDED, with the documented fields', async () => {
    const arn = await start(svc, 'ok', 'run-1', { n: 21 });
    expect(eventsOf(events, arn)).toHaveLength(1); // RUNNING, sent as the execution starts
    const done = await svc.executions.waitForCompletion(arn, { timeoutMs: 10_000 });
    const [running, succeeded] = eventsOf(events, arn);
    const common = {
      executionArn: arn,
      stateMachineArn: svc.stateMachineArn('ok'),
      name: 'run-1',
      startDate: done.startDate.getTime(),
      input: '{"n":21}',
      inputDetails: { included: true },
    };
    expect(running).toEqual({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      time: done.startDate,
      resources: [arn],
      detail: { ...common, status: 'RUNNING', stopDate: null, output: null, outputDetails: null, error: null, cause: null },
    });
    expect(succeeded).toEqual({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      time: done.stopDate,
      resources: [arn],
      detail: { ...common, status: 'SUCCEEDED', stopDate: done.stopDate!.getTime(), output: '{"doubled":42}', outputDetails: { included: true }, error: null, cause: null },
    });
    // Exactly what DescribeExecution reports.
    const described = (await svc.call('DescribeExecution', { executionArn: arn })) as Record<string, unknown>;
    expect(succeeded!.detail).toMatchObject({ status: described.status, output: described.output, stopDate: (described.stopDate as Date).getTime() });
  });

  it('FAILED with the error and cause', async () => {
    const arn = await start(svc, 'fails', 'run-2', {});
    await svc.executions.waitForCompletion(arn, { timeoutMs: 10_000 });
    expect(eventsOf(events, arn).map((e) => e.detail.status)).toEqual(['RUNNING', 'FAILED']);
    expect(eventsOf(events, arn)[1]!.detail).toMatchObject({ error: 'Boom', cause: 'it broke', output: null, outputDetails: null, stopDate: expect.any(Number) });
  });

  it('a task failure fails the execution with its error name', async () => {
    const arn = await start(svc, 'ok', 'run-3', { n: 1, fail: true });
    await svc.executions.waitForCompletion(arn, { timeoutMs: 10_000 });
    expect(eventsOf(events, arn)[1]!.detail).toMatchObject({ status: 'FAILED', error: 'Nope', cause: 'no' });
  });

  it('ABORTED by StopExecution, with the request error and cause, once', async () => {
    const arn = await start(svc, 'waits', 'run-4', { wait: 1_000_000 });
    const { stopDate } = (await svc.call('StopExecution', { executionArn: arn, error: 'Operator', cause: 'stopped by hand' })) as { stopDate: Date };
    await svc.call('StopExecution', { executionArn: arn }); // no change, no event
    expect(eventsOf(events, arn).map((e) => e.detail.status)).toEqual(['RUNNING', 'ABORTED']);
    expect(eventsOf(events, arn)[1]).toMatchObject({ time: stopDate, detail: { stopDate: stopDate.getTime(), error: 'Operator', cause: 'stopped by hand', output: null } });
  });

  it('TIMED_OUT past the execution TimeoutSeconds, without error or cause', async () => {
    const arn = await start(svc, 'slow', 'run-5', { n: 1 });
    const done = await svc.executions.waitForCompletion(arn, { timeoutMs: 10_000 });
    expect(done.status).toBe('TIMED_OUT');
    expect(eventsOf(events, arn).map((e) => e.detail.status)).toEqual(['RUNNING', 'TIMED_OUT']);
    expect(eventsOf(events, arn)[1]!.detail).toMatchObject({ error: null, cause: null, output: null, stopDate: done.stopDate!.getTime() });
  });

  it('a repeated StartExecution of a running execution (idempotent) sends nothing', async () => {
    const arn = await start(svc, 'waits', 'run-6', { wait: 1_000_000 });
    expect(await start(svc, 'waits', 'run-6', { wait: 1_000_000 })).toBe(arn);
    expect(eventsOf(events, arn)).toHaveLength(1);
    await svc.call('StopExecution', { executionArn: arn });
  });

  it('a listener that throws does not disturb the execution', async () => {
    const throwing = new StepFunctionsService({
      stateMachines: MACHINES,
      waitScale: 0.001,
      taskHandlers: byState({ T: async () => ({}) }),
      onEvent: () => {
        throw new Error('listener down');
      },
    });
    const arn = await start(throwing, 'ok', 'x', { n: 1 });
    expect((await throwing.executions.waitForCompletion(arn, { timeoutMs: 10_000 })).status).toBe('SUCCEEDED');
  });
});

describe('status change events of a restore', () => {
  it('sends ABORTED for each execution that was running (interrupted), and nothing for closed ones', async () => {
    const before: ExecutionStatusChangeEvent[] = [];
    const previous = newService(before);
    const done = await start(previous, 'ok', 'done', { n: 1 });
    await previous.executions.waitForCompletion(done, { timeoutMs: 10_000 });
    const running = await start(previous, 'waits', 'running', { wait: 1_000_000 });
    while (previous.executions.history(running).length < 2) await new Promise((r) => setTimeout(r, 5));
    const saved = structuredClone(previous.exportState());
    const lastSeen = new Date(Date.now() + 1000);
    await previous.shutdown();

    const after: ExecutionStatusChangeEvent[] = [];
    newService(after, { executions: saved, lastSeen });
    expect(after).toEqual([
      {
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        time: lastSeen,
        resources: [running],
        detail: expect.objectContaining({ executionArn: running, status: 'ABORTED', stopDate: lastSeen.getTime(), error: INTERRUPTED_ERROR, cause: expect.stringContaining("in state 'W'"), input: '{"wait":1000000}' }),
      },
    ]);
  });
});
