/**
 * ASL conformance for what the pipeline and deploy state machines use: Parallel with ResultSelector and
 * a Catch of a branch's Fail, Choice IsPresent, Pass Parameters with `.$` fields, `Result: {}`,
 * OutputPath, Fail ErrorPath/CausePath, States.Format, and nested executions through the Step Functions
 * integration (`arn:aws:states:::states:startExecution[.sync[:2]]`). Sources are named per test: the AWS
 * Step Functions developer guide (DG), the Amazon States Language specification (ASL), or behaviour
 * recorded against AWS by LocalStack's AWS-validated tests where the guide says nothing.
 */
import { type ExecutionSnapshot, type HistoryEvent, StepFunctionsService } from '../src';
import { byState, lambdaArn, namedError, run } from './helpers';

const FN = lambdaArn('fn');
const types = (history: HistoryEvent[]) => history.map((e) => e.type);

describe('Parallel (the Transforms state)', () => {
  // DG "Parallel workflow state": the output is an array of each branch's output, in branch order;
  // ResultSelector reshapes it; "If any branch fails, because of an unhandled error or by transitioning to
  // a Fail state, the entire Parallel state is considered to have failed" and the error is caught by the
  // Parallel's Catch with the branch's own Error and Cause (ASL "Parallel State": errors of branches).
  const parallel = (secondBranch: object) => ({
    StartAt: 'Transforms',
    States: {
      Transforms: {
        Type: 'Parallel',
        Branches: [
          {
            StartAt: 'Poll',
            States: {
              Poll: { Type: 'Pass', Result: { state: 'Succeeded', message: 'ok', outputs: { uri: 's3://b/k' } }, ResultPath: '$.poll', Next: 'Done' },
              Done: { Type: 'Pass', OutputPath: '$.poll', End: true },
            },
          },
          secondBranch,
        ],
        ResultSelector: { 'challenger.$': '$[0]', 'champion.$': '$[1]' },
        ResultPath: '$.transforms',
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }],
        Next: 'Ok',
      },
      Ok: { Type: 'Succeed' },
      Failed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
    },
  });
  const championBranch = {
    StartAt: 'HasChampion',
    States: {
      HasChampion: { Type: 'Choice', Choices: [{ Variable: '$.batch.champion', IsPresent: true, Next: 'Check' }], Default: 'NoChampion' },
      NoChampion: { Type: 'Pass', Result: {}, End: true },
      Check: {
        Type: 'Choice',
        Choices: [{ Variable: '$.batch.champion.state', StringEquals: 'Failed', Next: 'ChampionFailed' }],
        Default: 'Transformed',
      },
      Transformed: { Type: 'Pass', OutputPath: '$.batch.champion', End: true },
      ChampionFailed: { Type: 'Fail', Error: 'ChampionTransformFailed', CausePath: '$.batch.champion.message' },
    },
  };

  it('puts each branch output at its index and ResultSelector picks them; Result {} is an empty object', async () => {
    const result = await run(parallel(championBranch), { runId: 'r1', batch: {} });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({
      runId: 'r1',
      batch: {},
      transforms: { challenger: { state: 'Succeeded', message: 'ok', outputs: { uri: 's3://b/k' } }, champion: {} },
    });
    expect(types(result.history)).toEqual(expect.arrayContaining(['ParallelStateEntered', 'ParallelStateStarted', 'ParallelStateSucceeded', 'ParallelStateExited']));
  });

  it('IsPresent: true matches a present field (even an object) and OutputPath selects it', async () => {
    const champion = { state: 'Succeeded', jobName: 'j' };
    const result = await run(parallel(championBranch), { batch: { champion } });
    expect(result.output).toMatchObject({ transforms: { champion } });
  });

  it("a branch's Fail state fails the Parallel with the branch's Error name and Cause, caught into ResultPath", async () => {
    const result = await run(parallel(championBranch), { batch: { champion: { state: 'Failed', message: 'ClientError: bad row 3' } } });
    // Catch ResultPath $.error on the Parallel's input, then Fail with ErrorPath/CausePath (DG "Fail workflow state").
    expect(result).toMatchObject({ status: 'FAILED', error: 'ChampionTransformFailed', cause: 'ClientError: bad row 3' });
    expect(types(result.history)).toEqual(expect.arrayContaining(['FailStateEntered', 'ParallelStateFailed', 'FailStateEntered', 'ExecutionFailed']));
  });

  it("a branch's failing Task is retried in the branch and its error reaches the Parallel's catcher", async () => {
    const branch = { StartAt: 'T', States: { T: { Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['Transient'], IntervalSeconds: 1, MaxAttempts: 1 }], End: true } } };
    let calls = 0;
    const result = await run(parallel(branch), {}, byState({ T: async () => (calls++, Promise.reject(namedError('TransformJobFailed', 'boom'))) }));
    expect(calls).toBe(1); // not a Transient error: no retry
    expect(result).toMatchObject({ status: 'FAILED', error: 'TransformJobFailed', cause: 'boom' });
  });
});

describe('Choice IsPresent', () => {
  // DG "Choice workflow state", data-test operators: IsPresent matches when the field exists (null included).
  const choice = {
    StartAt: 'C',
    States: {
      C: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.error', IsPresent: true, Next: 'Yes' },
          { Variable: '$.other', IsPresent: false, Next: 'No' },
        ],
        Default: 'Neither',
      },
      Yes: { Type: 'Pass', Result: 'yes', End: true },
      No: { Type: 'Pass', Result: 'no', End: true },
      Neither: { Type: 'Pass', Result: 'neither', End: true },
    },
  };
  it.each([
    [{ error: { Error: 'E' } }, 'yes'],
    [{ error: null }, 'yes'],
    [{}, 'no'],
    [{ other: 1 }, 'neither'],
  ])('%j → %s', async (input, expected) => {
    expect((await run(choice, input)).output).toBe(expected);
  });
});

describe('Pass with Parameters (the QualityGateFailed / TrainingFailed states)', () => {
  // DG "Pass workflow state" and "Manipulate parameters": Parameters with `.$` fields take paths; the result
  // goes to ResultPath; a static field is copied as is.
  it('builds {Error, Cause} from a path into ResultPath', async () => {
    const result = await run(
      {
        StartAt: 'P',
        States: { P: { Type: 'Pass', Parameters: { Error: 'QualityGateFailed', 'Cause.$': '$.evaluation.gate.summary' }, ResultPath: '$.error', End: true } },
      },
      { evaluation: { gate: { summary: 'mse 7.1 > 6' } } },
    );
    expect(result.output).toEqual({ evaluation: { gate: { summary: 'mse 7.1 > 6' } }, error: { Error: 'QualityGateFailed', Cause: 'mse 7.1 > 6' } });
  });

  it('a missing path in Parameters fails the execution with States.Runtime', async () => {
    const result = await run({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'Cause.$': '$.nope' }, End: true } } }, {});
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
  });
});

describe('Fail ErrorPath / CausePath', () => {
  // DG "Fail workflow state": ErrorPath and CausePath take a reference path (or an intrinsic) to a string.
  const fail = { StartAt: 'F', States: { F: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' } } };
  it('fails with the strings the paths select', async () => {
    expect(await run(fail, { error: { Error: 'DeploymentFailed', Cause: 'endpoint rolled back' } })).toMatchObject({
      status: 'FAILED',
      error: 'DeploymentFailed',
      cause: 'endpoint rolled back',
    });
  });
  it('a path to a non-string is States.Runtime', async () => {
    const result = await run(fail, { error: { Error: 1, Cause: 'x' } });
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });
});

describe('States.Format in a Task parameter (the deploy execution name)', () => {
  // DG "Intrinsic functions": States.Format replaces each {} with the next argument, numbers in their JSON form.
  it("renders '{}-v{}' with a string and a number", async () => {
    let seen: unknown;
    const result = await run(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: FN, Parameters: { 'Name.$': "States.Format('{}-v{}', $.runId, $.registration.version)" }, End: true } } },
      { runId: 'abalone-7aa1b19755', registration: { version: 3 } },
      byState({ T: async (input) => ((seen = input), input) }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(seen).toEqual({ Name: 'abalone-7aa1b19755-v3' });
  });
});

describe('nested executions (arn:aws:states:::states:startExecution)', () => {
  const CHILD_OK = { StartAt: 'Work', States: { Work: { Type: 'Pass', Parameters: { 'deployed.$': '$.modelPackageArn' }, End: true } } };
  const CHILD_FAIL = { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'DeploymentFailed', Cause: 'endpoint rolled back' } } };
  const CHILD_WAIT = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1000, End: true } } };
  const CHILD_TIMEOUT = { TimeoutSeconds: 1, StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1000, End: true } } };
  const arn = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;

  const parent = (resource: string, child: string, extra: Record<string, unknown> = {}) => ({
    StartAt: 'Deploy',
    States: {
      Deploy: {
        Type: 'Task',
        Resource: resource,
        Parameters: {
          StateMachineArn: arn(child),
          'Name.$': "States.Format('{}-v{}', $.runId, $.version)",
          Input: { 'modelPackageArn.$': '$.package', reason: 'pipeline', 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
        },
        ResultPath: '$.deployment',
        ...extra,
        End: true,
      },
    },
  });
  const INPUT = { runId: 'run1', version: 2, package: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/g/2' };

  function service(parentDefinition: object, waitScale = 0.001) {
    return new StepFunctionsService({
      stateMachines: [
        { name: 'parent', definition: parentDefinition },
        { name: 'ok', definition: CHILD_OK },
        { name: 'fail', definition: CHILD_FAIL },
        { name: 'wait', definition: CHILD_WAIT },
        { name: 'timeout', definition: CHILD_TIMEOUT },
      ],
      taskHandlers: () => undefined,
      waitScale,
    });
  }
  async function runParent(svc: StepFunctionsService, input: unknown = INPUT, name?: string): Promise<ExecutionSnapshot> {
    const { executionArn } = (await svc.call('StartExecution', { stateMachineArn: svc.stateMachineArn('parent'), input: JSON.stringify(input), ...(name ? { name } : {}) })) as {
      executionArn: string;
    };
    return svc.executions.waitForCompletion(executionArn, { timeoutMs: 20_000 });
  }
  const childArn = (sm: string, name = 'run1-v2') => `arn:aws:states:us-east-1:000000000000:execution:${sm}:${name}`;

  it('request-response returns ExecutionArn and StartDate, and does not wait for the child', async () => {
    const svc = service(parent('arn:aws:states:::states:startExecution', 'wait'));
    const done = await runParent(svc);
    expect(done.status).toBe('SUCCEEDED');
    const deployment = (done.output as { deployment: Record<string, unknown> }).deployment;
    expect(Object.keys(deployment).sort()).toEqual(['ExecutionArn', 'StartDate']);
    expect(deployment.ExecutionArn).toBe(childArn('wait'));
    expect(deployment.StartDate).toBe(svc.executions.get(childArn('wait'))!.startDate.getTime());
    expect(svc.executions.get(childArn('wait'))!.status).toBe('RUNNING');
    await svc.shutdown();
  });

  it('.sync returns DescribeExecution in PascalCase with Input and Output as JSON text', async () => {
    const svc = service(parent('arn:aws:states:::states:startExecution.sync', 'ok'));
    const done = await runParent(svc);
    const child = svc.executions.get(childArn('ok'))!;
    expect(done.status).toBe('SUCCEEDED');
    expect((done.output as { deployment: unknown }).deployment).toEqual({
      ExecutionArn: childArn('ok'),
      StateMachineArn: arn('ok'),
      Name: 'run1-v2',
      Status: 'SUCCEEDED',
      StartDate: child.startDate.getTime(),
      StopDate: child.stopDate!.getTime(),
      Input: JSON.stringify({ modelPackageArn: INPUT.package, reason: 'pipeline', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: done.executionArn }),
      InputDetails: { Included: true },
      Output: JSON.stringify({ deployed: INPUT.package }),
      OutputDetails: { Included: true },
      RedriveCount: 0,
    });
    await svc.shutdown();
  });

  it('.sync:2 returns Input and Output as JSON, so ResultSelector can reach into them', async () => {
    const svc = service(
      parent('arn:aws:states:::states:startExecution.sync:2', 'ok', {
        ResultSelector: { 'ExecutionArn.$': '$.ExecutionArn', 'Status.$': '$.Status', 'Output.$': '$.Output' },
      }),
    );
    const done = await runParent(svc);
    expect((done.output as { deployment: unknown }).deployment).toEqual({ ExecutionArn: childArn('ok'), Status: 'SUCCEEDED', Output: { deployed: INPUT.package } });
    // History: the integration is a Task with resourceType states (DG "Execution history events").
    const history = svc.executions.history(done.executionArn);
    expect(history.find((e) => e.type === 'TaskScheduled')).toMatchObject({ taskScheduledEventDetails: { resourceType: 'states', resource: 'startExecution.sync:2' } });
    await svc.shutdown();
  });

  it('associates the child with its parent through AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID', async () => {
    const svc = service(parent('arn:aws:states:::states:startExecution.sync:2', 'ok'));
    const done = await runParent(svc);
    expect(svc.executions.get(childArn('ok'))!.parentExecutionArn).toBe(done.executionArn);
    expect(done.parentExecutionArn).toBeUndefined();
    await svc.shutdown();
  });

  it.each([
    ['sync', 'arn:aws:states:::states:startExecution.sync', false],
    ['sync:2', 'arn:aws:states:::states:startExecution.sync:2', true],
  ])('a FAILED child fails the .%s task with States.TaskFailed and its DescribeExecution as the Cause', async (_label, resource, parsed) => {
    const definition = parent(resource, 'fail', { Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Caught' }] }) as { States: Record<string, Record<string, unknown>> };
    delete definition.States.Deploy!.End;
    definition.States.Deploy!.Next = 'Caught';
    definition.States.Caught = { Type: 'Pass', End: true };
    const svc2 = service(definition);
    const done = await runParent(svc2);
    expect(done.status).toBe('SUCCEEDED');
    const error = (done.output as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe('States.TaskFailed');
    const cause = JSON.parse(error.Cause) as Record<string, unknown>;
    const childInput = { modelPackageArn: INPUT.package, reason: 'pipeline', AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: done.executionArn };
    expect(cause).toMatchObject({
      ExecutionArn: childArn('fail'),
      Status: 'FAILED',
      Error: 'DeploymentFailed',
      Cause: 'endpoint rolled back',
      Input: parsed ? childInput : JSON.stringify(childInput),
    });
    expect(cause).not.toHaveProperty('Output');
    const failed = svc2.executions.history(done.executionArn).find((e) => e.type === 'TaskFailed');
    expect(failed).toMatchObject({ taskFailedEventDetails: { resourceType: 'states', error: 'States.TaskFailed', cause: error.Cause } });
    await svc2.shutdown();
  });

  it('a TIMED_OUT child fails the task with States.TaskFailed and Status TIMED_OUT (no Error, no Cause)', async () => {
    const svc = service(parent('arn:aws:states:::states:startExecution.sync:2', 'timeout'), 1);
    const done = await runParent(svc);
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    const cause = JSON.parse(done.cause!) as Record<string, unknown>;
    expect(cause).toMatchObject({ Status: 'TIMED_OUT', ExecutionArn: childArn('timeout') });
    expect(cause).not.toHaveProperty('Error');
    await svc.shutdown();
  });

  it('an ABORTED child (stopped by someone else) fails the task with Status ABORTED and the stop request’s error', async () => {
    const svc = service(parent('arn:aws:states:::states:startExecution.sync:2', 'wait'), 1);
    const { executionArn } = (await svc.call('StartExecution', { stateMachineArn: svc.stateMachineArn('parent'), input: JSON.stringify(INPUT) })) as { executionArn: string };
    while (!svc.executions.get(childArn('wait'))) await new Promise((r) => setTimeout(r, 5));
    await svc.call('StopExecution', { executionArn: childArn('wait'), error: 'Operator', cause: 'cancelled' });
    const done = await svc.executions.waitForCompletion(executionArn, { timeoutMs: 10_000 });
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(JSON.parse(done.cause!)).toMatchObject({ Status: 'ABORTED', Error: 'Operator', Cause: 'cancelled' });
    await svc.shutdown();
  });

  it('stopping the parent stops a .sync child', async () => {
    const svc = service(parent('arn:aws:states:::states:startExecution.sync:2', 'wait'), 1);
    const { executionArn } = (await svc.call('StartExecution', { stateMachineArn: svc.stateMachineArn('parent'), input: JSON.stringify(INPUT) })) as { executionArn: string };
    while (!svc.executions.get(childArn('wait'))) await new Promise((r) => setTimeout(r, 5));
    await svc.call('StopExecution', { executionArn });
    expect(svc.executions.get(executionArn)!.status).toBe('ABORTED');
    expect(svc.executions.get(childArn('wait'))!.status).toBe('ABORTED');
    const child = await svc.executions.waitForCompletion(childArn('wait'), { timeoutMs: 5000 });
    expect(child.status).toBe('ABORTED');
    expect(types(svc.executions.history(childArn('wait'))).at(-1)).toBe('ExecutionAborted');
    await svc.shutdown();
  });

  it('StartExecution idempotency: the same Name and input while the child runs is the same execution; after it closed, ExecutionAlreadyExists', async () => {
    // API reference, StartExecution: same name and input of a RUNNING execution → the original response;
    // closed or different input → ExecutionAlreadyExists. The integration surfaces API errors as
    // StepFunctions.<Code>Exception with the Java SDK's message (LocalStack's AWS-validated StateTaskServiceSfn).
    const svc = service(parent('arn:aws:states:::states:startExecution', 'wait'));
    const first = await runParent(svc, INPUT, 'p1');
    const second = await runParent(svc, INPUT, 'p2');
    const arnOf = (s: ExecutionSnapshot) => (s.output as { deployment: { ExecutionArn: string } }).deployment.ExecutionArn;
    // Different parents → different AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID → different input → conflict.
    expect(first.status).toBe('SUCCEEDED');
    expect(second).toMatchObject({ status: 'FAILED', error: 'StepFunctions.ExecutionAlreadyExistsException' });
    expect(second.cause).toMatch(new RegExp(`^Execution Already Exists: '${arnOf(first)}' \\(Service: AWSStepFunctions; Status Code: 400; Error Code: ExecutionAlreadyExists; Request ID: [0-9a-f-]{36}; Proxy: null\\)$`));
    await svc.shutdown();

    // Same name and same input (no parent id in it) while RUNNING: both parents get the same child.
    const sameInput = { StartAt: 'S', States: { S: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution', Parameters: { StateMachineArn: arn('wait'), Name: 'once', Input: { a: 1 } }, End: true } } };
    const svc2 = service(sameInput);
    const a = await runParent(svc2, {}, 'a');
    const b = await runParent(svc2, {}, 'b');
    expect(b.output).toEqual(a.output);
    expect(svc2.executions.list({ stateMachineName: 'wait' })).toHaveLength(1);
    await svc2.shutdown();
  });

  it('a missing state machine fails the task with StepFunctions.StateMachineDoesNotExistException', async () => {
    const svc = service(parent('arn:aws:states:::states:startExecution.sync:2', 'nope'));
    const done = await runParent(svc);
    expect(done).toMatchObject({ status: 'FAILED', error: 'StepFunctions.StateMachineDoesNotExistException' });
    expect(done.cause).toContain(`State Machine Does Not Exist: '${arn('nope')}'`);
    await svc.shutdown();
  });

  it('persisted state keeps the parent/child association and both executions', async () => {
    const svc = service(parent('arn:aws:states:::states:startExecution.sync:2', 'ok'));
    const done = await runParent(svc);
    const saved = structuredClone(svc.exportState());
    await svc.shutdown();
    const restored = new StepFunctionsService({
      stateMachines: ['parent', 'ok', 'fail', 'wait', 'timeout'].map((name) => ({ name, definition: name === 'parent' ? parent('arn:aws:states:::states:startExecution.sync:2', 'ok') : CHILD_OK })),
      taskHandlers: () => undefined,
      restore: { executions: saved, lastSeen: new Date() },
    });
    expect(restored.restored).toMatchObject({ restored: 2, interrupted: [] });
    expect(restored.executions.get(childArn('ok'))).toMatchObject({ status: 'SUCCEEDED', parentExecutionArn: done.executionArn });
    expect(await restored.call('DescribeExecution', { executionArn: done.executionArn })).toMatchObject({ status: 'SUCCEEDED' });
  });
});
