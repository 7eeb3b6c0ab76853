/**
 * The state machine's rules, enforced on statemachines/pipeline.asl.yml and on the timeouts the
 * framework resolves from serverless.yml.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { functionKeyOfLogicalId, printServerlessConfig, projectRoot, type ResolvedServerlessConfig } from '@mlops/serverless-config';
import { RETRYABLE_ERROR_NAMES, S3TransientError, SageMakerTransientError } from '@mlops/common';
const aslValidator = require('asl-validator') as (def: unknown, opts?: unknown) => { isValid: boolean; errors: unknown[] };

type State = Record<string, any>;
const root = projectRoot();
const definition = yaml.load(readFileSync(join(root, 'statemachines/pipeline.asl.yml'), 'utf8')) as { StartAt: string; States: Record<string, State> };
const states = Object.entries(definition.States);
const tasks = states.filter(([, s]) => s.Type === 'Task');
const LAMBDA_TRANSIENT = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.ClientExecutionTimeoutException'];
const HISTORY_EVENT_LIMIT = 25_000;

let config: ResolvedServerlessConfig;
beforeAll(async () => {
  config = await printServerlessConfig('dev');
}, 60_000);

function nextStates(state: State): string[] {
  return [state.Next, state.Default, ...(state.Choices ?? []).map((c: State) => c.Next), ...(state.Catch ?? []).map((c: State) => c.Next)].filter(Boolean);
}

describe('pipeline.asl.yml', () => {
  it('is valid ASL (asl-validator)', () => {
    // asl-validator checks Resource ARNs; the framework fills Fn::GetAtt in at deploy time.
    const withArns = JSON.parse(JSON.stringify(definition), (key, value) =>
      key === 'Resource' && typeof value === 'object' ? 'arn:aws:lambda:us-east-1:123456789012:function:placeholder' : value,
    );
    const result = aslValidator(withArns);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('references functions only through Fn::GetAtt of functions serverless.yml defines', () => {
    const keys = Object.keys(config.functions);
    for (const [name, task] of tasks) {
      expect({ name, resource: task.Resource }).toEqual({ name, resource: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } });
      expect({ name, fn: functionKeyOfLogicalId(task.Resource['Fn::GetAtt'][0], keys) }).toEqual({ name, fn: expect.any(String) });
    }
  });

  it.each(tasks)('%s retries transient Lambda errors, TooManyRequests slower, then our retryable errors', (_name, task) => {
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

  it.each(tasks)('%s catches everything into $.error and ends in a Fail state that reads it', (_name, task) => {
    expect(task.Catch).toHaveLength(1);
    expect(task.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], ResultPath: '$.error' });
    const target = definition.States[task.Catch[0].Next]!;
    expect(target).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });

  it.each(tasks)('%s writes under its own key and has the timeout of its function', (_name, task) => {
    expect(task.ResultPath).toMatch(/^\$\.[a-zA-Z]+$/);
    const fn = functionKeyOfLogicalId(task.Resource['Fn::GetAtt'][0], Object.keys(config.functions))!;
    expect(task.TimeoutSeconds).toBe(config.functions[fn]!.timeout);
  });

  it('gives every Choice a Default and never lets a failed quality gate reach Succeed', () => {
    for (const [, s] of states.filter(([, s]) => s.Type === 'Choice')) expect(s.Default).toEqual(expect.any(String));
    const gate = definition.States.QualityGate!;
    expect(definition.States[gate.Default]!.Type).toBe('Fail');
    expect(gate.Choices).toEqual([{ Variable: '$.evaluation.gate.passed', BooleanEquals: true, Next: 'Deploy' }]);
  });

  it('bounds every poll loop so the execution stays well under the 25,000-event history limit', () => {
    const waits = states.filter(([, s]) => s.Type === 'Wait');
    expect(waits.length).toBe(3);
    let worstCaseEvents = 0;
    for (const [waitName, wait] of waits) {
      expect(wait.SecondsPath).toMatch(/^\$\.[a-zA-Z]+Poll\.waitSeconds$/);
      const poll = definition.States[wait.Next]!;
      const choice = definition.States[poll.Next]!;
      expect(choice.Default).toBe(waitName);
      const budget = choice.Choices.find((c: State) => c.NumericGreaterThanEquals !== undefined);
      expect(budget.Variable).toBe(`${poll.ResultPath}.attempt`);
      expect(definition.States[budget.Next]!.Type).toBe('Fail');
      // Per poll: Task entered/scheduled/started/succeeded/exited, Choice entered/exited, Wait entered/exited.
      worstCaseEvents += budget.NumericGreaterThanEquals * 9;
    }
    expect(worstCaseEvents).toBeLessThan(HISTORY_EVENT_LIMIT / 2);
  });

  it('routes a Failed SageMaker resource to a Fail state carrying its message', () => {
    for (const [, choice] of states.filter(([n]) => /Done$/.test(n))) {
      const failed = choice.Choices.find((c: State) => c.StringEquals === 'Failed');
      const fail = definition.States[failed.Next]!;
      expect(fail.Type).toBe('Fail');
      expect(fail.CausePath).toBe(failed.Variable.replace('.state', '.message'));
    }
  });

  it('has no unreachable states and ends only in Succeed or Fail', () => {
    const seen = new Set<string>();
    const queue = [definition.StartAt];
    while (queue.length) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      queue.push(...nextStates(definition.States[name]!));
    }
    expect([...seen].sort()).toEqual(Object.keys(definition.States).sort());
    for (const [, s] of states) if (!nextStates(s).length) expect(['Succeed', 'Fail']).toContain(s.Type);
    expect(states.filter(([, s]) => s.Type === 'Succeed').map(([n]) => n)).toEqual(['Deployed']);
  });
});
