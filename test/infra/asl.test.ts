/**
 * The state machines' rules, enforced on every statemachines/*.asl.yml (pipeline, deploy, preprocess;
 * every state, Parallel branches included) and on the timeouts the framework resolves from serverless.yml.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { functionKeyOfLogicalId, printServerlessConfig, projectRoot, type ResolvedServerlessConfig } from '@mlops/serverless-config';
import { DeployRequestSchema, PreprocessStepSchema, RETRYABLE_ERROR_NAMES, S3TransientError, SageMakerTransientError, type PreprocessInput } from '@mlops/common';
const aslValidator = require('asl-validator') as (def: unknown, opts?: unknown) => { isValid: boolean; errors: unknown[] };

type State = Record<string, any>;
type Definition = { StartAt: string; States: Record<string, State>; TimeoutSeconds?: number };
const root = projectRoot();
const load = (file: string) => yaml.load(readFileSync(join(root, 'statemachines', file), 'utf8')) as Definition;
const pipeline = load('pipeline.asl.yml');
const deploy = load('deploy.asl.yml');
const preprocess = load('preprocess.asl.yml');
const LAMBDA_TRANSIENT = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.ClientExecutionTimeoutException'];
const HISTORY_EVENT_LIMIT = 25_000;
const NESTED_DEPLOY = 'arn:aws:states:::states:startExecution.sync:2';
/** An execution input of the preprocess state machine (PreprocessInputSchema). */
const PREPROCESS_INPUT: PreprocessInput = {
  family: 'abalone',
  runId: 'big-0123456789',
  source: { bucket: 'mlops-dev-data-123456789012-us-east-1', key: 'incoming/abalone/big/_SUCCESS', etag: '"d41d8cd98f00b204e9800998ecf8427e"' },
  preprocessPrefix: 's3://mlops-dev-data-123456789012-us-east-1/runs/big-0123456789/preprocess/',
  parts: 12,
  bytes: 2_147_483_648,
  instanceCount: 2,
};

/** Every state of a definition with its scope: `Transforms[0]` for a branch of the Parallel Transforms. */
interface ScopedState {
  name: string;
  scope: string;
  state: State;
  states: Record<string, State>;
}
function allStates(definition: Definition, scope = 'top'): ScopedState[] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    { name, scope, state, states: definition.States },
    ...(state.Branches ?? []).flatMap((branch: Definition, i: number) => allStates(branch, `${name}[${i}]`)),
  ]);
}
const MACHINES = [
  ['pipeline.asl.yml', pipeline, 'RecordRun'],
  ['deploy.asl.yml', deploy, 'RecordDeployment'],
  ['preprocess.asl.yml', preprocess, 'RecordFailure'],
] as const;
const lambdaTasks = MACHINES.flatMap(([file, definition]) => allStates(definition).filter((s) => s.state.Type === 'Task' && typeof s.state.Resource === 'object').map((s) => [`${file} ${s.name}`, s] as const));

let config: ResolvedServerlessConfig;
beforeAll(async () => {
  config = await printServerlessConfig('dev');
}, 60_000);

describe('the state machines', () => {
  it('are every statemachines/*.asl.yml, each checked here and each in serverless.yml', () => {
    const files = readdirSync(join(root, 'statemachines')).filter((f) => f.endsWith('.asl.yml'));
    expect(MACHINES.map(([file]) => file).sort()).toEqual(files.sort());
    // The framework resolves ${...} inside a definition, so a machine is recognized by its states.
    const shape = (d: Record<string, unknown>) => JSON.stringify([d.StartAt, Object.keys(d.States as object)]);
    const loaded = Object.values(config.stepFunctions.stateMachines).map((sm) => shape(sm.definition));
    for (const [file, definition] of MACHINES) expect({ file, inServerlessYml: loaded.includes(shape(definition)) }).toEqual({ file, inServerlessYml: true });
  });
});

function nextStates(state: State): string[] {
  return [state.Next, state.Default, ...(state.Choices ?? []).map((c: State) => c.Next), ...(state.Catch ?? []).map((c: State) => c.Next)].filter(Boolean);
}
function reachable(states: Record<string, State>, from: string): Set<string> {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...nextStates(states[name]!));
  }
  return seen;
}

describe.each(MACHINES)('%s', (_file, definition, recordState) => {
  const scoped = allStates(definition);

  it('is valid ASL (asl-validator)', () => {
    // asl-validator checks Resource ARNs; the framework fills Fn::GetAtt and Ref in at deploy time.
    const withArns = JSON.parse(JSON.stringify(definition), (key, value) => {
      if (key === 'Resource' && typeof value === 'object') return 'arn:aws:lambda:us-east-1:123456789012:function:placeholder';
      if (key === 'StateMachineArn' && typeof value === 'object') return 'arn:aws:states:us-east-1:123456789012:stateMachine:placeholder';
      return value;
    });
    const result = aslValidator(withArns);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('has no unreachable states, in any scope, and ends only in Succeed or Fail', () => {
    const scopes = new Map<string, ScopedState[]>();
    for (const s of scoped) scopes.set(s.scope, [...(scopes.get(s.scope) ?? []), s]);
    for (const [scope, members] of scopes) {
      const states = members[0]!.states;
      const start = scope === 'top' ? definition.StartAt : (Object.values(definition.States).flatMap((s) => s.Branches ?? []) as Definition[]).find((b) => b.States === states)!.StartAt;
      expect({ scope, states: [...reachable(states, start)].sort() }).toEqual({ scope, states: Object.keys(states).sort() });
      for (const { state } of members) if (!nextStates(state).length && !state.End) expect(['Succeed', 'Fail']).toContain(state.Type);
    }
  });

  it('gives every Choice a Default', () => {
    for (const { state } of scoped.filter((s) => s.state.Type === 'Choice')) expect(state.Default).toEqual(expect.any(String));
  });

  it(`records every way out: each failure reaches ${recordState}, whose own failure cannot hide the outcome`, () => {
    const top = scoped.filter((s) => s.scope === 'top');
    for (const { name, state } of top.filter((s) => s.name !== recordState && (s.state.Type === 'Task' || s.state.Type === 'Parallel'))) {
      expect({ name, catch: state.Catch }).toEqual({ name, catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: recordState }] });
    }
    // A failure found by a poll or the gate becomes $.error in a Pass state on its way to the record.
    for (const { name, state } of top.filter((s) => s.state.Type === 'Pass' && s.state.ResultPath === '$.error')) {
      expect({ name, next: state.Next, error: typeof state.Parameters.Error }).toEqual({ name, next: recordState, error: 'string' });
    }
    const record = definition.States[recordState]!;
    expect(record.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.recordError', Next: record.Next }]);
    // Past the record, an error always ends in a Fail state with that error: through an outcome Choice
    // when the record also ends successful runs, or straight away when only failures reach it.
    const outcome = definition.States[record.Next]!;
    if (outcome.Type === 'Fail') expect(outcome).toMatchObject({ ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
    else {
      expect(outcome.Type).toBe('Choice');
      const errorChoices = outcome.Choices.filter((c: State) => c.IsPresent === true);
      expect(errorChoices.map((c: State) => c.Variable)).toEqual(expect.arrayContaining(['$.error']));
      expect(outcome.Choices.indexOf(errorChoices.at(-1))).toBe(errorChoices.length - 1); // errors are checked first
      for (const c of errorChoices) expect(definition.States[c.Next]).toMatchObject({ Type: 'Fail', ErrorPath: `${c.Variable}.Error`, CausePath: `${c.Variable}.Cause` });
    }
    // Fail states outside the record path exist only inside Parallel branches (the Parallel catches them).
    for (const { name, scope, state } of scoped.filter((s) => s.state.Type === 'Fail')) {
      if (scope === 'top') expect({ name, errorPath: state.ErrorPath }).toEqual({ name, errorPath: expect.stringMatching(/^\$\.(record\.)?error\.Error$/) });
    }
  });

  it('bounds every poll loop so the execution stays well under the 25,000-event history limit', () => {
    const waits = scoped.filter((s) => s.state.Type === 'Wait');
    expect(waits.length).toBeGreaterThan(0);
    let worstCaseEvents = 0;
    // The deploy machine's turn loop (Deploy → Rollout → NextTurn → WaitForTurn → Deploy) is bounded by its own budget.
    const turn = waits.find((w) => w.name === 'WaitForTurn');
    if (turn) {
      expect(turn.state).toMatchObject({ SecondsPath: '$.deploy.waitSeconds', Next: 'Deploy' });
      const rollout = turn.states[turn.states.Deploy!.Next]!;
      const budget = rollout.Choices.find((c: State) => c.And)!;
      expect(budget.And).toEqual([{ Variable: '$.deploy.action', StringEquals: 'busy' }, { Variable: '$.deploy.attempt', NumericGreaterThanEquals: expect.any(Number) }]);
      expect(turn.states[budget.Next]!.Parameters.Error).toBe('EndpointBusy');
      // Per turn: Task (5 events), Choice, Pass, Wait (2 each).
      worstCaseEvents += budget.And[1].NumericGreaterThanEquals * 11;
    }
    for (const { name: waitName, state: wait, states } of waits.filter((w) => w !== turn)) {
      expect(wait.SecondsPath).toMatch(/^\$\.[a-zA-Z]*[pP]oll\.waitSeconds$/);
      const poll = states[wait.Next]!;
      const choice = states[poll.Next]!;
      expect(choice.Default).toBe(waitName);
      const budget = choice.Choices.find((c: State) => c.NumericGreaterThanEquals !== undefined);
      expect(budget.Variable).toBe(`${poll.ResultPath}.attempt`);
      expect(['Fail', 'Pass']).toContain(states[budget.Next]!.Type);
      expect(states[budget.Next]!.Error ?? states[budget.Next]!.Parameters?.Error).toBe('PollBudgetExceeded');
      // Per poll: Task entered/scheduled/started/succeeded/exited, Choice entered/exited, Wait entered/exited.
      worstCaseEvents += budget.NumericGreaterThanEquals * 9;
    }
    expect(worstCaseEvents).toBeLessThan(HISTORY_EVENT_LIMIT);
  });

  it('routes a Failed SageMaker resource to a failure carrying its message', () => {
    for (const { state: choice, states } of scoped.filter((s) => /Done$/.test(s.name))) {
      const failed = choice.Choices.find((c: State) => c.StringEquals === 'Failed');
      const target = states[failed.Next]!;
      const causePath = target.Type === 'Fail' ? target.CausePath : target.Parameters['Cause.$'];
      expect(causePath).toBe(failed.Variable.replace('.state', '.message'));
    }
  });
});

describe.each(lambdaTasks)('%s', (_name, { name, scope, state: task }) => {
  it('references a function serverless.yml defines, through Fn::GetAtt', () => {
    expect(task.Resource).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    expect(functionKeyOfLogicalId(task.Resource['Fn::GetAtt'][0], Object.keys(config.functions))).toEqual(expect.any(String));
  });

  it('retries transient Lambda errors, TooManyRequests slower, then our retryable errors', () => {
    const retry: State[] = task.Retry;
    expect(retry[0]!.ErrorEquals).toEqual(LAMBDA_TRANSIENT);
    const tooMany = retry.find((r) => r.ErrorEquals.includes('Lambda.TooManyRequestsException'))!;
    expect(tooMany.IntervalSeconds).toBeGreaterThan(retry[0]!.IntervalSeconds);
    // Exactly the names the functions give transient AWS failures: one constant, checked here against the ASL.
    const ours = retry.filter((r) => !r.ErrorEquals.some((e: string) => e.startsWith('Lambda.')));
    expect(ours.flatMap((r) => r.ErrorEquals).sort()).toEqual([...RETRYABLE_ERROR_NAMES].sort());
    expect(RETRYABLE_ERROR_NAMES).toEqual(expect.arrayContaining([new SageMakerTransientError('').name, new S3TransientError('').name]));
    for (const r of retry) {
      expect(r.MaxDelaySeconds).toBeGreaterThan(0);
      expect(r.JitterStrategy).toBe('FULL');
      expect(r.ErrorEquals).not.toContain('States.ALL'); // never retry a bug or a bad input
    }
  });

  it('writes under its own key and has the timeout of its function', () => {
    expect(task.ResultPath).toMatch(/^\$\.[a-zA-Z]+$/);
    const fn = functionKeyOfLogicalId(task.Resource['Fn::GetAtt'][0], Object.keys(config.functions))!;
    expect(task.TimeoutSeconds).toBe(config.functions[fn]!.timeout);
  });

  it(scope === 'top' ? 'catches (checked with the record path)' : 'leaves catching to its Parallel state', () => {
    if (scope !== 'top') expect({ name, catch: task.Catch }).toEqual({ name, catch: undefined });
    else expect(task.Catch).toHaveLength(1);
  });
});

describe('the lifecycle in pipeline.asl.yml', () => {
  const S = pipeline.States;

  it('scores the challenger and the champion on the same rows, side by side (Parallel)', () => {
    expect(S.Batch!.Next).toBe('Transforms');
    const transforms = S.Transforms!;
    expect(transforms.Type).toBe('Parallel');
    expect(transforms.ResultSelector).toEqual({ 'challenger.$': '$[0]', 'champion.$': '$[1]' });
    const [challenger, champion] = transforms.Branches as Definition[];
    expect(challenger!.States.AwaitChallengerTransform!.Parameters['name.$']).toBe('$.batch.transformJobName');
    expect(champion!.States[champion!.StartAt]).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.batch.champion', IsPresent: true }] });
    expect(champion!.States.AwaitChampionTransform!.Parameters['name.$']).toBe('$.batch.champion.transformJobName');
    expect(S.Evaluate!.Parameters).toMatchObject({ 'batch.$': '$.batch' });
  });

  it('never lets a failed quality gate register or deploy the challenger', () => {
    const gate = S.QualityGate!;
    expect(gate.Choices).toEqual([{ Variable: '$.evaluation.gate.passed', BooleanEquals: true, Next: 'Register' }]);
    const afterFailure = reachable(S, gate.Default);
    expect(afterFailure.has('Register')).toBe(false);
    expect(afterFailure.has('Deploy')).toBe(false);
    expect(S[gate.Default]!.Parameters).toEqual({ Error: 'QualityGateFailed', 'Cause.$': '$.evaluation.gate.summary' });
  });

  it('deploys only an Approved registration, through the deploy state machine, and waits for it', () => {
    expect(S.Register!.Next).toBe('Approval');
    expect(S.Approval!.Choices).toEqual([{ Variable: '$.registration.approvalStatus', StringEquals: 'Approved', Next: 'Deploy' }]);
    const deployTask = S.Deploy!;
    expect(deployTask.Resource).toBe(NESTED_DEPLOY);
    expect(deployTask.Parameters.StateMachineArn['Fn::Sub']).toMatch(/:stateMachine:\$\{self:custom\.deployStateMachineName\}$/);
    // The input the pipeline gives the deploy state machine is its contract (DeployRequestSchema).
    const input = Object.fromEntries(Object.entries(deployTask.Parameters.Input as Record<string, unknown>).filter(([k]) => !k.endsWith('.$')));
    expect(DeployRequestSchema.safeParse({ ...input, modelPackageArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-dev-abalone/3' }).success).toBe(true);
    expect(deployTask.Parameters.Input['modelPackageArn.$']).toBe('$.registration.arn');
    expect(deployTask.Parameters.Input['AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$']).toBe('$$.Execution.Id');
    // A manual stage's run ends successfully with the version pending.
    expect(S.Outcome!.Choices).toContainEqual({ Variable: '$.registration.approvalStatus', StringEquals: 'PendingManualApproval', Next: 'AwaitingApproval' });
    expect(allStates(pipeline).filter((s) => s.state.Type === 'Succeed').map((s) => s.name).sort()).toEqual(['AwaitingApproval', 'Deployed']);
  });
});

describe('deploy.asl.yml', () => {
  it('starts from the request and ends in Deployed only after the endpoint poll succeeded, or was superseded', () => {
    expect(deploy.States[deploy.StartAt]).toMatchObject({ Type: 'Pass', Result: { attempt: 0 }, ResultPath: '$.turn', Next: 'Deploy' });
    expect(deploy.States.Deploy!.Parameters).toEqual({ 'modelPackageArn.$': '$.modelPackageArn', 'reason.$': '$.reason', 'attempt.$': '$.turn.attempt', 'executionArn.$': '$$.Execution.Id' });
    expect(deploy.States.EndpointDone!.Choices.slice(0, 2)).toEqual([
      { Variable: '$.endpointPoll.state', StringEquals: 'Succeeded', Next: 'RecordDeployment' },
      { Variable: '$.endpointPoll.state', StringEquals: 'Superseded', Next: 'RecordDeployment' },
    ]);
    expect(deploy.States.Outcome!.Default).toBe('Deployed');
  });

  it('takes turns on the endpoint: busy waits visibly, superseded changes nothing, any other answer rolls out', () => {
    const rollout = deploy.States.Rollout!;
    expect(rollout.Choices[0]).toEqual({ Variable: '$.deploy.action', StringEquals: 'superseded', Next: 'RecordDeployment' });
    expect(rollout.Choices.at(-1)).toEqual({ Variable: '$.deploy.action', StringEquals: 'busy', Next: 'NextTurn' });
    expect(rollout.Default).toBe('EndpointPollInit');
    expect(deploy.States.NextTurn).toMatchObject({ Parameters: { 'attempt.$': '$.deploy.attempt' }, ResultPath: '$.turn', Next: 'WaitForTurn' });
    expect(deploy.States.AwaitEndpoint!.Parameters['modelPackageArn.$']).toBe('$.modelPackageArn');
  });
});

describe('the scale path in preprocess.asl.yml', () => {
  const S = preprocess.States;
  const INGEST = { 'Fn::GetAtt': ['MlopsUnderscoreingestLambdaFunction', 'Arn'] };
  const AWAIT = { 'Fn::GetAtt': ['MlopsUnderscoreawaitLambdaFunction', 'Arn'] };
  const top = allStates(preprocess);

  it('profiles, merges and splits, then finishes: each step is mlops_ingest with a PreprocessStep of the execution input', () => {
    expect(preprocess.StartAt).toBe('Profile');
    const steps = { Profile: 'profile', Split: 'split', Finish: 'finish', RecordFailure: 'fail' } as const;
    for (const [name, step] of Object.entries(steps)) {
      expect({ name, resource: S[name]!.Resource }).toEqual({ name, resource: INGEST });
      // The payload mlops_ingest validates (PreprocessStepSchema), with the execution's input as the run.
      const constants = Object.fromEntries(Object.entries(S[name]!.Parameters as Record<string, unknown>).filter(([k]) => !k.endsWith('.$')));
      const payload = { ...constants, run: PREPROCESS_INPUT, executionArn: 'arn:aws:states:us-east-1:123456789012:execution:mlops-dev-preprocess:r', ...(step === 'fail' ? { error: { Error: 'ProcessingJobFailed', Cause: 'boom' } } : {}) };
      expect({ name, valid: PreprocessStepSchema.safeParse(payload).success }).toEqual({ name, valid: true });
      expect(S[name]!.Parameters).toMatchObject({ preprocess: step, 'run.$': '$$.Execution.Input', 'executionArn.$': '$$.Execution.Id' });
    }
    expect(S.RecordFailure!.Parameters['error.$']).toBe('$.error');
    // The happy path: Profile → its poll loop → Split → its poll loop → Finish → Started (the only Succeed).
    expect(S.ProfileDone!.Choices[0]).toEqual({ Variable: '$.profilePoll.state', StringEquals: 'Succeeded', Next: 'Split' });
    expect(S.SplitDone!.Choices[0]).toEqual({ Variable: '$.splitPoll.state', StringEquals: 'Succeeded', Next: 'Finish' });
    expect(S.Finish!.Next).toBe('Started');
    expect(top.filter((s) => s.state.Type === 'Succeed').map((s) => s.name)).toEqual(['Started']);
  });

  it('polls each processing job with mlops_await (kind processing), under a 400-poll budget', () => {
    for (const [job, poll] of [['profile', 'profilePoll'], ['split', 'splitPoll']] as const) {
      const task = top.find((s) => s.state.Type === 'Task' && s.state.Parameters?.['name.$'] === `$.${job}.jobName`)!;
      expect(task.state).toMatchObject({ Resource: AWAIT, Parameters: { kind: 'processing', 'attempt.$': `$.${poll}.attempt` }, ResultPath: `$.${poll}` });
      const done = S[task.state.Next]!;
      expect(done.Choices).toContainEqual({ Variable: `$.${poll}.attempt`, NumericGreaterThanEquals: 400, Next: expect.any(String) });
      const budget = S[done.Choices.find((c: State) => c.NumericGreaterThanEquals !== undefined).Next]!;
      expect(budget).toMatchObject({ Type: 'Pass', Parameters: { Error: 'PollBudgetExceeded', Cause: expect.stringContaining(job) }, ResultPath: '$.error', Next: 'RecordFailure' });
      const failed = S[done.Choices.find((c: State) => c.StringEquals === 'Failed').Next]!;
      expect(failed).toMatchObject({ Type: 'Pass', Parameters: { Error: 'ProcessingJobFailed', 'Cause.$': `$.${poll}.message` }, ResultPath: '$.error', Next: 'RecordFailure' });
      expect(S[done.Default]).toMatchObject({ Type: 'Wait', SecondsPath: `$.${poll}.waitSeconds`, Next: task.name });
    }
  });

  it('fails by name: every failure passes RecordFailure, then ends in PreprocessFailed with its own Error and a readable Cause', () => {
    // RecordFailure returns the failure with a Lambda error's message in place of Lambda's JSON; when
    // it cannot run, the failure ends the execution as it came.
    expect(S.PreprocessFailed).toMatchObject({ Type: 'Fail', ErrorPath: '$.record.error.Error', CausePath: '$.record.error.Cause' });
    expect(S.PreprocessFailedUnrecorded).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
    for (const name of ['PreprocessFailed', 'PreprocessFailedUnrecorded']) expect(S[name]!.Error).toBeUndefined();
    expect(top.filter((s) => s.state.Type === 'Fail').map((s) => s.name).sort()).toEqual(['PreprocessFailed', 'PreprocessFailedUnrecorded']);
    expect(S.Outcome).toMatchObject({
      Type: 'Choice',
      Choices: [
        { Variable: '$.record.error', IsPresent: true, Next: 'PreprocessFailed' },
        { Variable: '$.error', IsPresent: true, Next: 'PreprocessFailedUnrecorded' },
      ],
      Default: 'PreprocessFailedUnrecorded',
    });
    // The only way to the Fail states is RecordFailure (its Next, and its Catch: a record that cannot
    // be written keeps $.error as it was, in $.recordError's stead), through Outcome.
    const into = top.filter(({ state }) => nextStates(state).includes('Outcome')).map((s) => s.name);
    expect(into).toEqual(['RecordFailure']);
    expect(S.RecordFailure).toMatchObject({ ResultPath: '$.record', Next: 'Outcome', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.recordError', Next: 'Outcome' }] });
    // Every way to RecordFailure sets $.error: a Catch of a step, or a Pass of a failed job or a spent budget.
    for (const { name, state } of top.filter((s) => s.name !== 'RecordFailure' && nextStates(s.state).includes('RecordFailure'))) {
      const viaCatch = (state.Catch ?? []).some((c: State) => c.Next === 'RecordFailure' && c.ResultPath === '$.error');
      const viaPass = state.Type === 'Pass' && state.ResultPath === '$.error' && state.Next === 'RecordFailure';
      expect({ name, setsError: viaCatch || viaPass }).toEqual({ name, setsError: true });
    }
    // And no failure can reach the Succeed state once RecordFailure ran.
    expect(reachable(S, 'RecordFailure').has('Started')).toBe(false);
    // Every Task can fail into RecordFailure; nothing else reaches it without an error.
    for (const { name, state } of top.filter((s) => s.state.Type === 'Task' && s.name !== 'RecordFailure')) expect({ name, catch: state.Catch }).toEqual({ name, catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }] });
  });

  it('gives the run as long as the pipeline does', () => {
    expect(preprocess.TimeoutSeconds).toBe(pipeline.TimeoutSeconds);
    expect(preprocess.TimeoutSeconds).toEqual(expect.any(Number));
  });
});
