/**
 * The state machines' rules, enforced on statemachines/pipeline.asl.yml and deploy.asl.yml (every
 * state, Parallel branches included) and on the timeouts the framework resolves from serverless.yml.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { functionKeyOfLogicalId, printServerlessConfig, projectRoot, type ResolvedServerlessConfig } from '@mlops/serverless-config';
import { DeployRequestSchema, RETRYABLE_ERROR_NAMES, S3TransientError, SageMakerTransientError } from '@mlops/common';
const aslValidator = require('asl-validator') as (def: unknown, opts?: unknown) => { isValid: boolean; errors: unknown[] };

type State = Record<string, any>;
type Definition = { StartAt: string; States: Record<string, State> };
const root = projectRoot();
const load = (file: string) => yaml.load(readFileSync(join(root, 'statemachines', file), 'utf8')) as Definition;
const pipeline = load('pipeline.asl.yml');
const deploy = load('deploy.asl.yml');
const LAMBDA_TRANSIENT = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.ClientExecutionTimeoutException'];
const HISTORY_EVENT_LIMIT = 25_000;
const NESTED_DEPLOY = 'arn:aws:states:::states:startExecution.sync:2';

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
] as const;
const lambdaTasks = MACHINES.flatMap(([file, definition]) => allStates(definition).filter((s) => s.state.Type === 'Task' && typeof s.state.Resource === 'object').map((s) => [`${file} ${s.name}`, s] as const));

let config: ResolvedServerlessConfig;
beforeAll(async () => {
  config = await printServerlessConfig('dev');
}, 60_000);

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
    // Past the record, an error always ends in a Fail state with that error.
    const outcome = definition.States[record.Next]!;
    expect(outcome.Type).toBe('Choice');
    const errorChoices = outcome.Choices.filter((c: State) => c.IsPresent === true);
    expect(errorChoices.map((c: State) => c.Variable)).toEqual(expect.arrayContaining(['$.error']));
    expect(outcome.Choices.indexOf(errorChoices.at(-1))).toBe(errorChoices.length - 1); // errors are checked first
    for (const c of errorChoices) expect(definition.States[c.Next]).toMatchObject({ Type: 'Fail', ErrorPath: `${c.Variable}.Error`, CausePath: `${c.Variable}.Cause` });
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
