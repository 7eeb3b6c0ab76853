import { conditionHolds } from '../src/resources';

const conditions = {
  Set: { 'Fn::Not': [{ 'Fn::Equals': ['rate(1 day)', ''] }] },
  Unset: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] },
  Both: { 'Fn::And': [{ Condition: 'Set' }, { Condition: 'Unset' }] },
  Either: { 'Fn::Or': [{ Condition: 'Set' }, { Condition: 'Unset' }] },
  Odd: { 'Fn::If': ['Set', 'a', 'b'] },
};
const evaluate = (value: unknown) => value;

describe('conditionHolds', () => {
  it.each([
    ['Set', true],
    ['Unset', false],
    ['Both', false],
    ['Either', true],
  ])('%s holds: %s', (name, holds) => {
    expect(conditionHolds(name, conditions, evaluate)).toBe(holds);
  });

  it('names what it cannot evaluate', () => {
    expect(() => conditionHolds('Odd', conditions, evaluate)).toThrow('condition Odd: Fn::If is not supported offline');
    expect(() => conditionHolds('Missing', conditions, evaluate)).toThrow('the template has no condition Missing');
  });
});
