/**
 * The service over its real protocol (AWS JSON 1.0) with the real SDK client: operations, errors as the
 * SDK parses them (`err.name`), idempotency, stop, history and listing.
 */
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { type LocalStepFunctions, type TaskContext, startLocalStepFunctions } from '../src';
import { lambdaArn } from './helpers';

/** A task that blocks until the test opens the gate (or the execution is stopped). */
class Gate {
  private waiting: (() => void)[] = [];
  readonly signals: AbortSignal[] = [];
  handler = async (input: unknown, ctx: TaskContext) => {
    this.signals.push(ctx.signal);
    await new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return { echoed: input };
  };
  open(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

const POLL = {
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: { attempt: 0 }, ResultPath: '$.poll', Next: 'Await' },
    Await: {
      Type: 'Task',
      Resource: lambdaArn('mlops-local-await'),
      Parameters: { 'attempt.$': '$.poll.attempt', 'executionArn.$': '$$.Execution.Id' },
      ResultPath: '$.poll',
      TimeoutSeconds: 30,
      Next: 'Done?',
    },
    'Done?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.poll.state', StringEquals: 'Succeeded', Next: 'Deployed' }],
      Default: 'WaitABit',
    },
    WaitABit: { Type: 'Wait', SecondsPath: '$.poll.waitSeconds', Next: 'Await' },
    Deployed: { Type: 'Succeed' },
  },
};

const BLOCKING = { StartAt: 'Block', States: { Block: { Type: 'Task', Resource: lambdaArn('mlops-local-block'), ResultPath: '$.result', End: true } } };
const FAILING = { StartAt: 'Boom', States: { Boom: { Type: 'Task', Resource: lambdaArn('mlops-local-boom'), End: true } } };

describe('local Step Functions over JSON 1.0', () => {
  let sfn: LocalStepFunctions;
  let client: SFNClient;
  const gate = new Gate();

  beforeAll(async () => {
    sfn = await startLocalStepFunctions({
      waitScale: 0.001,
      stateMachines: [
        { name: 'poll', definition: POLL, roleArn: 'arn:aws:iam::000000000000:role/sfn' },
        { name: 'blocking', definition: BLOCKING },
        { name: 'failing', definition: FAILING },
      ],
      taskHandlers: (resource) => {
        if (resource.endsWith(':mlops-local-await')) {
          return async (input) => {
            const attempt = (input as { attempt: number }).attempt + 1;
            return attempt < 3 ? { state: 'InProgress', attempt, waitSeconds: 30 } : { state: 'Succeeded', attempt };
          };
        }
        if (resource.endsWith(':mlops-local-block')) return gate.handler;
        if (resource.endsWith(':mlops-local-boom')) {
          return async () => {
            const error = new Error('training data missing');
            error.name = 'TrainingJobFailed';
            throw error;
          };
        }
        return undefined;
      },
    });
    client = new SFNClient({ endpoint: sfn.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  });

  afterAll(async () => {
    client.destroy();
    await sfn.close();
  });

  /** The SDK error's name (what callers switch on) and message. */
  async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
    try {
      await promise;
    } catch (e) {
      const err = e as Error & { $metadata?: { httpStatusCode?: number } };
      return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
    }
    throw new Error('expected the call to fail');
  }

  async function describeUntilClosed(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    for (let i = 0; i < 1000; i++) {
      const out = await client.send(new DescribeExecutionCommand({ executionArn }));
      if (out.status !== 'RUNNING') return out;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`${executionArn} did not close`);
  }

  it('lists and describes the registered state machines', async () => {
    const list = await client.send(new ListStateMachinesCommand({}));
    expect(list.stateMachines?.map((m) => m.name)).toEqual(['blocking', 'failing', 'poll']);
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: sfn.stateMachineArn('poll') }));
    expect(described).toMatchObject({
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:poll',
      name: 'poll',
      status: 'ACTIVE',
      type: 'STANDARD',
      roleArn: 'arn:aws:iam::000000000000:role/sfn',
    });
    expect(JSON.parse(described.definition!)).toEqual(POLL);
    expect(described.creationDate).toBeInstanceOf(Date);
  });

  it('starts an execution and describes it until it succeeds', async () => {
    const started = await client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn('poll'), name: 'run-ok', input: '{"run":"r1"}' }));
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:000000000000:execution:poll:run-ok');
    expect(started.startDate).toBeInstanceOf(Date);
    const done = await describeUntilClosed(started.executionArn!);
    expect(done).toMatchObject({
      executionArn: started.executionArn,
      stateMachineArn: sfn.stateMachineArn('poll'),
      name: 'run-ok',
      status: 'SUCCEEDED',
      input: '{"run":"r1"}',
      inputDetails: { included: true },
      outputDetails: { included: true },
    });
    expect(JSON.parse(done.output!)).toEqual({ run: 'r1', poll: { state: 'Succeeded', attempt: 3 } });
    expect(done.startDate!.getTime()).toBe(started.startDate!.getTime());
    expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(done.startDate!.getTime());

    // The inspection API sees the same execution, with the billed transitions and the virtual waits.
    const snapshot = sfn.executions.get(started.executionArn!)!;
    // Init, then 3 × (Await, Done?), 2 × WaitABit, then Deployed.
    expect(snapshot.stateTransitions).toBe(1 + 3 * 2 + 2 + 1);
    expect(snapshot.waits.map((w) => w.seconds)).toEqual([30, 30]);
    expect(snapshot.virtualWaitSeconds).toBe(60);
  });

  it('generates a UUID name when none is given, and defaults the input to {}', async () => {
    const started = await client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn('poll') }));
    const name = started.executionArn!.split(':').at(-1)!;
    expect(name).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const done = await describeUntilClosed(started.executionArn!);
    expect(done.input).toBe('{}');
  });

  describe('execution names (STANDARD idempotency)', () => {
    it('returns the running execution for the same name and input, rejects other input and closed executions', async () => {
      const request = { stateMachineArn: sfn.stateMachineArn('blocking'), name: 'idem-1', input: '{"n":1}' };
      const first = await client.send(new StartExecutionCommand(request));
      const again = await client.send(new StartExecutionCommand(request));
      expect(again.executionArn).toBe(first.executionArn);
      expect(again.startDate!.getTime()).toBe(first.startDate!.getTime());
      expect(sfn.executions.list({ stateMachineName: 'blocking' }).filter((e) => e.name === 'idem-1')).toHaveLength(1);

      const different = await failure(client.send(new StartExecutionCommand({ ...request, input: '{"n":2}' })));
      expect(different).toEqual({ name: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${first.executionArn}'`, status: 400 });

      gate.open();
      await sfn.executions.waitForCompletion(first.executionArn!, { timeoutMs: 10_000 });
      const closed = await failure(client.send(new StartExecutionCommand(request)));
      expect(closed.name).toBe('ExecutionAlreadyExists');
    });

    it('scopes names to their state machine', async () => {
      const a = await client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn('poll'), name: 'shared-name' }));
      const b = await client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn('failing'), name: 'shared-name' }));
      expect(a.executionArn).not.toBe(b.executionArn);
    });

    it.each(['has space', 'a/b', 'x:y', 'tab\there', 'q?', 'curly{', 'dollar$', 'ctl\u0001', 'c1\u0085'])('rejects %j with InvalidName', async (name) => {
      const err = await failure(client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn('poll'), name })));
      expect(err).toEqual({ name: 'InvalidName', message: `Invalid Name: '${name}'`, status: 400 });
    });

    it('rejects names outside 1-80 characters as the model does (ValidationException)', async () => {
      const long = await failure(client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn('poll'), name: 'n'.repeat(81) })));
      expect(long.name).toBe('ValidationException');
      expect(long.message).toBe(
        `1 validation error detected: Value '${'n'.repeat(81)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80`,
      );
      const ok = await client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn('poll'), name: 'n'.repeat(80) }));
      expect(ok.executionArn).toMatch(/:n{80}$/);
    });
  });

  describe('errors', () => {
    it('answers unknown resources and malformed ARNs with their AWS error names', async () => {
      const unknownMachine = 'arn:aws:states:us-east-1:000000000000:stateMachine:nope';
      expect(await failure(client.send(new StartExecutionCommand({ stateMachineArn: unknownMachine })))).toEqual({
        name: 'StateMachineDoesNotExist',
        message: `State Machine Does Not Exist: '${unknownMachine}'`,
        status: 400,
      });
      const unknownExecution = 'arn:aws:states:us-east-1:000000000000:execution:poll:never-started';
      expect((await failure(client.send(new DescribeExecutionCommand({ executionArn: unknownExecution })))).name).toBe('ExecutionDoesNotExist');
      expect((await failure(client.send(new StopExecutionCommand({ executionArn: unknownExecution })))).name).toBe('ExecutionDoesNotExist');
      expect((await failure(client.send(new GetExecutionHistoryCommand({ executionArn: unknownExecution })))).name).toBe('ExecutionDoesNotExist');
      expect((await failure(client.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' })))).name).toBe('InvalidArn');
      expect((await failure(client.send(new DescribeStateMachineCommand({ stateMachineArn: unknownExecution })))).name).toBe('InvalidArn');
      expect((await failure(client.send(new DescribeExecutionCommand({ executionArn: sfn.stateMachineArn('poll') })))).name).toBe('InvalidArn');
      expect((await failure(client.send(new DescribeStateMachineCommand({ stateMachineArn: unknownMachine })))).name).toBe('StateMachineDoesNotExist');
    });

    it('rejects input that is not JSON or exceeds 256 KiB', async () => {
      const notJson = await failure(client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn('poll'), input: '{"a":' })));
      expect(notJson.name).toBe('InvalidExecutionInput');
      expect(notJson.message).toMatch(/^Invalid State Machine Execution Input: '/);
      // 200,000 characters of 2-byte UTF-8: within the model's 262,144-character limit, over the 256 KiB quota.
      const big = await failure(client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn('poll'), input: JSON.stringify('é'.repeat(200_000)) })));
      expect(big.name).toBe('InvalidExecutionInput');
      const tooLong = await failure(client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn('poll'), input: JSON.stringify('a'.repeat(262_144)) })));
      expect(tooLong.name).toBe('ValidationException');
    });

    it('validates requests against the API model', async () => {
      const missing = await failure(client.send(new DescribeExecutionCommand({} as never)));
      expect(missing).toEqual({
        name: 'ValidationException',
        message: "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null",
        status: 400,
      });
      const badFilter = await failure(client.send(new ListExecutionsCommand({ stateMachineArn: sfn.stateMachineArn('poll'), statusFilter: 'DONE' as never })));
      expect(badFilter.name).toBe('ValidationException');
      const noMachine = await failure(client.send(new ListExecutionsCommand({})));
      expect(noMachine.name).toBe('ValidationException');
    });

    it('answers protocol errors in the JSON 1.0 error shape', async () => {
      const post = (target: string, body: string) =>
        fetch(sfn.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target }, body });
      const unknown = await post('AWSStepFunctions.CreateStateMachine', '{}');
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toMatchObject({ __type: expect.stringMatching(/#UnknownOperationException$/) });
      const garbage = await post('AWSStepFunctions.ListStateMachines', '{oops');
      expect(await garbage.json()).toMatchObject({ __type: expect.stringMatching(/#SerializationException$/) });
      const typed = await post('AWSStepFunctions.DescribeExecution', '{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:poll:nope"}');
      expect(typed.headers.get('content-type')).toBe('application/x-amz-json-1.0');
      expect(await typed.json()).toEqual({
        __type: 'com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist',
        message: "Execution Does Not Exist: 'arn:aws:states:us-east-1:000000000000:execution:poll:nope'",
      });
    });
  });

  describe('StopExecution', () => {
    it('aborts a running execution with the given error and cause', async () => {
      const started = await client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn('blocking'), name: 'to-stop' }));
      await waitFor(() => gate.signals.length > 0 && sfn.executions.history(started.executionArn!).some((e) => e.type === 'LambdaFunctionStarted'));
      const signal = gate.signals.at(-1)!;
      const stopped = await client.send(new StopExecutionCommand({ executionArn: started.executionArn, error: 'Operator.Cancelled', cause: 'superseded by a newer run' }));
      expect(stopped.stopDate).toBeInstanceOf(Date);
      expect(signal.aborted).toBe(true);
      const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      expect(described).toMatchObject({ status: 'ABORTED', error: 'Operator.Cancelled', cause: 'superseded by a newer run' });
      expect(described.stopDate!.getTime()).toBe(stopped.stopDate!.getTime());
      expect(described.output).toBeUndefined();

      const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
      expect(history.events!.map((e) => e.type)).toEqual([
        'ExecutionStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'TaskStateAborted',
        'ExecutionAborted',
      ]);
      expect(history.events!.at(-1)!.executionAbortedEventDetails).toEqual({ error: 'Operator.Cancelled', cause: 'superseded by a newer run' });

      // Stopping a closed execution changes nothing.
      const again = await client.send(new StopExecutionCommand({ executionArn: started.executionArn }));
      expect(again.stopDate!.getTime()).toBe(stopped.stopDate!.getTime());
      expect((await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }))).error).toBe('Operator.Cancelled');
    });
  });

  describe('GetExecutionHistory', () => {
    let executionArn: string;
    beforeAll(async () => {
      const started = await client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn('poll'), name: 'history-run', input: '{"run":"h"}' }));
      executionArn = started.executionArn!;
      await sfn.executions.waitForCompletion(executionArn, { timeoutMs: 10_000 });
    });

    it('records the AWS events of each state, in order, with ids and details', async () => {
      const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
      const poll = ['TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited', 'ChoiceStateEntered', 'ChoiceStateExited'];
      const wait = ['WaitStateEntered', 'WaitStateExited'];
      expect(events!.map((e) => e.type)).toEqual([
        'ExecutionStarted',
        'PassStateEntered',
        'PassStateExited',
        ...poll,
        ...wait,
        ...poll,
        ...wait,
        ...poll,
        'SucceedStateEntered',
        'SucceedStateExited',
        'ExecutionSucceeded',
      ]);
      events!.forEach((e, i) => {
        expect(e.id).toBe(i + 1);
        expect(e.previousEventId).toBe(i);
        expect(e.timestamp).toBeInstanceOf(Date);
      });
      expect(events![0]!.executionStartedEventDetails).toEqual({ input: '{"run":"h"}', inputDetails: { truncated: false }, roleArn: 'arn:aws:iam::000000000000:role/sfn' });
      const scheduled = events!.find((e) => e.type === 'LambdaFunctionScheduled')!;
      expect(scheduled.lambdaFunctionScheduledEventDetails).toEqual({
        resource: lambdaArn('mlops-local-await'),
        input: JSON.stringify({ attempt: 0, executionArn }),
        inputDetails: { truncated: false },
        timeoutInSeconds: 30,
      });
      const entered = events!.find((e) => e.type === 'TaskStateEntered')!;
      expect(entered.stateEnteredEventDetails).toMatchObject({ name: 'Await', input: JSON.stringify({ run: 'h', poll: { attempt: 0 } }) });
      const exited = events!.find((e) => e.type === 'TaskStateExited')!;
      expect(JSON.parse(exited.stateExitedEventDetails!.output!)).toEqual({ run: 'h', poll: { state: 'InProgress', attempt: 1, waitSeconds: 30 } });
      expect(JSON.parse(events!.at(-1)!.executionSucceededEventDetails!.output!)).toEqual({ run: 'h', poll: { state: 'Succeeded', attempt: 3 } });
    });

    it('pages with maxResults/nextToken, reverses, and omits data on request', async () => {
      const all = (await client.send(new GetExecutionHistoryCommand({ executionArn }))).events!;
      const first = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 10 }));
      expect(first.events!.map((e) => e.id)).toEqual(all.slice(0, 10).map((e) => e.id));
      const second = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 10, nextToken: first.nextToken }));
      expect(second.events![0]!.id).toBe(11);

      const reversed = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 3 }));
      expect(reversed.events!.map((e) => e.type)).toEqual(['ExecutionSucceeded', 'SucceedStateExited', 'SucceedStateEntered']);

      const bare = await client.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }));
      expect(bare.events![0]!.executionStartedEventDetails).toEqual({ inputDetails: { truncated: false }, roleArn: 'arn:aws:iam::000000000000:role/sfn' });

      expect((await failure(client.send(new GetExecutionHistoryCommand({ executionArn, nextToken: 'garbage' })))).name).toBe('InvalidToken');
      // A token belongs to the request that produced it.
      expect((await failure(client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, nextToken: first.nextToken })))).name).toBe('InvalidToken');
    });

    it('records task failures and the failed execution', async () => {
      const started = await client.send(new StartExecutionCommand({ stateMachineArn: sfn.stateMachineArn('failing') }));
      const done = await describeUntilClosed(started.executionArn!);
      expect(done).toMatchObject({ status: 'FAILED', error: 'TrainingJobFailed', cause: 'training data missing' });
      const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
      expect(events!.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed', 'ExecutionFailed']);
      expect(events![4]!.lambdaFunctionFailedEventDetails).toEqual({ error: 'TrainingJobFailed', cause: 'training data missing' });
      expect(events![5]!.executionFailedEventDetails).toEqual({ error: 'TrainingJobFailed', cause: 'training data missing' });
    });
  });

  describe('ListExecutions', () => {
    it('lists newest first, filters by status and pages', async () => {
      const machine = sfn.stateMachineArn('failing');
      const arns: string[] = [];
      for (const name of ['l-1', 'l-2', 'l-3']) {
        const started = await client.send(new StartExecutionCommand({ stateMachineArn: machine, name }));
        arns.push(started.executionArn!);
        await sfn.executions.waitForCompletion(started.executionArn!, { timeoutMs: 10_000 });
      }
      const failed = await client.send(new ListExecutionsCommand({ stateMachineArn: machine, statusFilter: 'FAILED' }));
      const names = failed.executions!.map((e) => e.name);
      expect(names.slice(0, 3)).toEqual(['l-3', 'l-2', 'l-1']);
      expect(failed.executions![0]).toMatchObject({ executionArn: arns[2], stateMachineArn: machine, status: 'FAILED' });
      expect(failed.executions![0]!.stopDate).toBeInstanceOf(Date);

      const none = await client.send(new ListExecutionsCommand({ stateMachineArn: machine, statusFilter: 'SUCCEEDED' }));
      expect(none.executions).toEqual([]);

      const page1 = await client.send(new ListExecutionsCommand({ stateMachineArn: machine, maxResults: 2 }));
      expect(page1.executions).toHaveLength(2);
      expect(page1.nextToken).toBeDefined();
      const page2 = await client.send(new ListExecutionsCommand({ stateMachineArn: machine, maxResults: 2, nextToken: page1.nextToken }));
      expect(page2.executions![0]!.name).toBe(names[2]);
      expect((await failure(client.send(new ListExecutionsCommand({ stateMachineArn: sfn.stateMachineArn('poll'), nextToken: page1.nextToken })))).name).toBe('InvalidToken');
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
