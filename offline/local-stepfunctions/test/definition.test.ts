import { DefinitionError, compileDefinition } from '../src';
import { MAX_TIMER_SECONDS, SYNTHETIC_RESOURCE, rewriteChoiceRule } from '../src/definition';
import { lambdaArn } from './helpers';

const FN = lambdaArn('fn');
type States = Record<string, Record<string, unknown>>;
const statesOf = (definition: object, waitScale = 1) => compileDefinition(definition, { waitScale }).runnable.States as unknown as States;

describe('compileDefinition', () => {
  it('leaves the registered definition untouched', () => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', Result: 1, ResultPath: '$', End: true } } };
    const copy = structuredClone(definition);
    const compiled = compileDefinition(definition, { waitScale: 0.01 });
    expect(definition).toEqual(copy);
    expect(compiled.original).toBe(definition);
  });

  it('rejects what CreateStateMachine rejects', () => {
    expect(() => compileDefinition({ StartAt: 'X', States: {} }, { waitScale: 1 })).toThrow(DefinitionError);
    expect(() => compileDefinition({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'not-an-arn', End: true } } }, { waitScale: 1 })).toThrow(DefinitionError);
    expect(() => compileDefinition({ QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, { waitScale: 1 })).toThrow(DefinitionError);
  });

  it('drops ResultPath "$" from states and catchers', () => {
    const states = statesOf({
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: FN, ResultPath: '$', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$', Next: 'E' }], End: true }, E: { Type: 'Succeed' } },
    });
    expect(states.T).not.toHaveProperty('ResultPath');
    expect(states.T!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'E' }]);
  });

  it('moves task templates to our handler and removes the library default timeout', () => {
    const states = statesOf({ StartAt: 'T', States: { T: { Type: 'Task', Resource: FN, Parameters: { a: 1 }, ResultSelector: { 'b.$': '$' }, End: true } } });
    expect(states.T).not.toHaveProperty('Parameters');
    expect(states.T).not.toHaveProperty('ResultSelector');
    expect(states.T!.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    // Timeouts beyond what a Node timer can hold are clamped rather than firing at once.
    expect(statesOf({ StartAt: 'T', States: { T: { Type: 'Task', Resource: FN, TimeoutSeconds: 99_999_999, End: true } } }).T!.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
  });

  it('scales retry intervals and caps with waitScale', () => {
    const states = statesOf(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['E'], MaxDelaySeconds: 60 }, { ErrorEquals: ['F'], IntervalSeconds: 5 }], End: true } } },
      0.01,
    );
    expect(states.T!.Retry).toEqual([
      { ErrorEquals: ['E'], IntervalSeconds: 0.01, MaxDelaySeconds: 0.6 },
      { ErrorEquals: ['F'], IntervalSeconds: 0.05 },
    ]);
  });

  it('runs Wait and Fail states, and Pass states with Parameters, as synthetic tasks', () => {
    const compiled = compileDefinition(
      {
        StartAt: 'W',
        States: {
          W: { Type: 'Wait', SecondsPath: '$.s', InputPath: '$.x', Next: 'P' },
          P: { Type: 'Pass', Parameters: { 'a.$': '$.a' }, ResultPath: '$.p', Next: 'Q' },
          Q: { Type: 'Pass', Result: { plain: true }, Next: 'F' },
          F: { Type: 'Fail', Error: 'E' },
        },
      },
      { waitScale: 1 },
    );
    const states = compiled.runnable.States as unknown as States;
    expect(states.W).toEqual({ Type: 'Task', Resource: SYNTHETIC_RESOURCE, TimeoutSeconds: MAX_TIMER_SECONDS, InputPath: '$.x', Next: 'P' });
    expect(states.P).toMatchObject({ Type: 'Task', ResultPath: '$.p', Next: 'Q' });
    expect(states.Q).toEqual({ Type: 'Pass', Result: { plain: true }, Next: 'F' });
    expect(states.F).toMatchObject({ Type: 'Task', End: true });
    expect(compiled.states.get('W')).toEqual({ type: 'Wait', plan: { kind: 'wait', secondsPath: '$.s' } });
    expect(compiled.states.get('Q')).toEqual({ type: 'Pass' });
  });

  it('rewrites states nested in Parallel branches and Map processors', () => {
    const compiled = compileDefinition(
      {
        StartAt: 'Par',
        States: {
          Par: { Type: 'Parallel', Branches: [{ StartAt: 'W1', States: { W1: { Type: 'Wait', Seconds: 1, End: true } } }], Next: 'Map' },
          Map: { Type: 'Map', ItemProcessor: { StartAt: 'W2', States: { W2: { Type: 'Wait', Seconds: 1, End: true } } }, End: true },
        },
      },
      { waitScale: 1 },
    );
    expect([...compiled.states.keys()].sort()).toEqual(['Map', 'Par', 'W1', 'W2']);
    // Map and Parallel run in our handlers: the library sees synthetic tasks, their nested machines are in the plans.
    const states = compiled.runnable.States as unknown as States;
    expect(states.Par).toEqual({ Type: 'Task', Resource: SYNTHETIC_RESOURCE, TimeoutSeconds: MAX_TIMER_SECONDS, Next: 'Map' });
    expect(states.Map).toMatchObject({ Type: 'Task', Resource: SYNTHETIC_RESOURCE, End: true });
    const par = compiled.states.get('Par')!.plan as { kind: string; branches: { States: States }[] };
    const map = compiled.states.get('Map')!.plan as { kind: string; processor: { States: States } };
    expect(par.kind).toBe('parallel');
    expect(par.branches[0]!.States.W1!.Type).toBe('Task');
    expect(map.kind).toBe('map');
    expect(map.processor.States.W2!.Type).toBe('Task');
  });
});

describe('rewriteChoiceRule', () => {
  it('turns IsX: false into Not(IsX: true)', () => {
    expect(rewriteChoiceRule({ Variable: '$.x', IsPresent: false, Next: 'N' })).toEqual({ Not: { Variable: '$.x', IsPresent: true }, Next: 'N' });
    expect(rewriteChoiceRule({ Variable: '$.x', IsNull: true, Next: 'N' })).toEqual({ Variable: '$.x', IsNull: true, Next: 'N' });
  });

  it('guards typed comparisons with the matching type test, recursively', () => {
    expect(rewriteChoiceRule({ Variable: '$.n', NumericGreaterThanEquals: 400, Next: 'N' })).toEqual({
      And: [{ Variable: '$.n', IsNumeric: true }, { Variable: '$.n', NumericGreaterThanEquals: 400 }],
      Next: 'N',
    });
    expect(rewriteChoiceRule({ Not: { Variable: '$.s', StringLessThan: 'b' }, Next: 'N' })).toEqual({
      Not: { And: [{ Variable: '$.s', IsString: true }, { Variable: '$.s', StringLessThan: 'b' }] },
      Next: 'N',
    });
  });
});
