/**
 * Invalid patterns: PutRule / TestEventPattern answer InvalidEventPatternException with
 * "Event pattern is not valid. Reason: <reason>". The reasons below are the ones AWS returned for
 * these patterns (recorded from the real TestEventPattern API in localstack's AWS-validated suite,
 * tests/aws/services/events/test_events_patterns.snapshot.json); the "engine" group uses the reason
 * texts of aws/event-ruler's JsonRuleCompiler, which EventBridge runs, for cases not recorded there.
 * The limits come from the guide:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 */
import { InvalidEventPatternException, matchesPattern, MAX_OR_COMBINATIONS, validatePattern } from '../src';

function reasonOf(pattern: unknown): string {
  try {
    validatePattern(pattern);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidEventPatternException);
    expect((e as Error).name).toBe('InvalidEventPatternException');
    expect((e as Error).message).toBe(`Event pattern is not valid. Reason: ${(e as InvalidEventPatternException).reason}`);
    return (e as InvalidEventPatternException).reason;
  }
  throw new Error(`pattern accepted: ${JSON.stringify(pattern)}`);
}

type Case = [description: string, pattern: unknown, reason: string];

describe('reasons AWS returns (recorded)', () => {
  const detail = (field: object) => ({ detail: field });
  it.each<Case>([
    ['a leaf value that is a number, not a list', { int: 42 }, '"int" must be an object or an array'],
    ['a leaf value that is a string, not a list', { string: 'my-value' }, '"string" must be an object or an array'],
    ['an empty list', { resources: [] }, 'Empty arrays are not allowed'],
    ['operators are case-sensitive: NUMERIC', detail({ equal: [{ NUMERIC: ['=', 5] }] }), 'Unrecognized match type NUMERIC'],
    ['operators are case-sensitive: EXISTS', { my_key: [{ EXISTS: true }] }, 'Unrecognized match type EXISTS'],
    ['numeric with two lower bounds', detail({ 'c-count': [{ numeric: ['>', 0, '>', 0] }] }), 'Bad numeric range operator: >'],
    ['numeric with a bound missing its number', detail({ 'c-count': [{ numeric: ['>', 0, '<'] }] }), 'Value of < must be numeric'],
    ['numeric that is not a list', detail({ 'c-count': [{ numeric: 10 }] }), 'Value of numeric must be an array.'],
    ['wildcard with two * in a row', { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:**:event-bus/*' }] }, 'Consecutive wildcard characters at pos 26'],
    ['wildcard that is a number', { EventBusArn: [{ wildcard: 123 }] }, 'wildcard match pattern must be a string'],
    ['wildcard that is a list', { EventBusArn: [{ wildcard: ['arn:*'] }] }, 'wildcard match pattern must be a string'],
    ['equals-ignore-case that is a list', { 'detail-type': [{ 'equals-ignore-case': ['ec2'] }] }, 'equals-ignore-case match pattern must be a string'],
    ['equals-ignore-case that is an object', { 'detail-type': [{ 'equals-ignore-case': { prefix: 'ec2' } }] }, 'equals-ignore-case match pattern must be a string'],
    ['cidr without a /', detail({ ip: [{ cidr: 'bad-filter' }] }), "Malformed CIDR, one '/' required"],
    ['cidr with mask bits that are no integer', detail({ ip: [{ cidr: 'bad-/64filter' }] }), 'Malformed CIDR, mask bits must be an integer'],
    ['cidr with no IPv4 address', detail({ ip: [{ cidr: 'xx.11.xx/8' }] }), 'Nonstandard IP address: xx.11.xx'],
    ['cidr with no IPv6 address', detail({ ip: [{ cidr: 'xxxx:db8:1234:1a00::/64' }] }), 'Nonstandard IP address: xxxx:db8:1234:1a00::'],
    ['cidr that is a list', detail({ ip: [{ cidr: ['bad-type'] }] }), 'prefix match pattern must be a string'],
    ['anything-but equals-ignore-case with a number', detail({ state: [{ 'anything-but': { 'equals-ignore-case': 123 } }] }), 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'],
    ['anything-but equals-ignore-case with numbers', detail({ state: [{ 'anything-but': { 'equals-ignore-case': [123, 456] } }] }), 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'],
    ['anything-but prefix with equals-ignore-case inside', detail({ f: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'file' } } }] }), 'Value of anything-but must be an array or single string/number value.'],
    ['anything-but suffix with equals-ignore-case inside', detail({ f: [{ 'anything-but': { suffix: { 'equals-ignore-case': '.png' } } }] }), 'Value of anything-but must be an array or single string/number value.'],
    ['anything-but null', detail({ state: [{ 'anything-but': null }] }), 'Value of anything-but must be an array or single string/number value.'],
    ['anything-but list with null', detail({ state: [{ 'anything-but': ['stopped', null] }] }), 'Inside anything but list, start|null|boolean is not supported.'],
    ['anything-but prefix that is a number', detail({ state: [{ 'anything-but': { prefix: 123 } }] }), 'prefix/suffix match pattern must be a string'],
    ['anything-but prefix list with a number', detail({ state: [{ 'anything-but': { prefix: [123, 'test'] } }] }), 'prefix/suffix match pattern must be a string'],
    ['anything-but suffix that is a number', detail({ f: [{ 'anything-but': { suffix: 123 } }] }), 'prefix/suffix match pattern must be a string'],
    ['anything-but suffix list with null', detail({ f: [{ 'anything-but': { suffix: [null, '.txt'] } }] }), 'prefix/suffix match pattern must be a string'],
    ['anything-but empty prefix', detail({ f: [{ 'anything-but': { prefix: '' } }] }), 'Null prefix/suffix not allowed'],
    ['anything-but empty suffix', detail({ f: [{ 'anything-but': { suffix: '' } }] }), 'Null prefix/suffix not allowed'],
    ['anything-but wildcard that is a number', detail({ f: [{ 'anything-but': { wildcard: 123 } }] }), 'wildcard match pattern must be a string'],
    ['anything-but wildcard list with a number', detail({ f: [{ 'anything-but': { wildcard: [123, '*/dir/*'] } }] }), 'wildcard match pattern must be a string'],
    ['prefix that is a number', { time: [{ prefix: 123 }] }, 'prefix match pattern must be a string'],
    ['prefix that is a list', { time: [{ prefix: ['2022-07-13'] }] }, 'prefix match pattern must be a string'],
    ['suffix that is a number', { FileName: [{ suffix: 123 }] }, 'suffix match pattern must be a string'],
    ['suffix that is a list', { FileName: [{ suffix: ['.png'] }] }, 'suffix match pattern must be a string'],
    ['a pattern that is a JSON array', '["not", "a", "dict", "but valid json"]', 'Filter is not an object'],
  ])('%s', (_d, pattern, reason) => {
    expect(reasonOf(pattern)).toBe(reason);
  });
});

describe('reasons of the engine (event-ruler JsonRuleCompiler)', () => {
  it.each<Case>([
    ['an empty pattern', {}, 'Empty objects are not allowed'],
    ['an empty nested object', { detail: {} }, 'Empty objects are not allowed'],
    ['an unknown operator', { s: [{ contains: 'x' }] }, 'Unrecognized match type contains'],
    ['an empty match expression', { s: [{}] }, 'Match expression name not found'],
    ['two operators in one expression', { s: [{ prefix: 'a', suffix: 'b' }] }, 'Only one key allowed in match expression'],
    ['a list inside the value list', { s: [['a']] }, 'Match value must be String, number, true, false, or null'],
    ['exists that is not a boolean', { s: [{ exists: 'true' }] }, 'exists match pattern must be either true or false.'],
    ['prefix with another option than equals-ignore-case', { s: [{ prefix: { wildcard: 'a*' } }] }, 'Unsupported prefix pattern: wildcard'],
    ['anything-but with an unknown option', { s: [{ 'anything-but': { numeric: ['>', 1] } }] }, 'Unsupported anything-but pattern: numeric'],
    ['anything-but mixing strings and numbers', { s: [{ 'anything-but': ['a', 1] }] }, 'Inside anything but list, either all values are number or string, mixed type is not supported'],
    ['an escape other than \\* or \\\\ in a wildcard', { s: [{ wildcard: 'a\\b' }] }, 'Invalid escape character at pos 2'],
    ['numeric with an unknown operator', { n: [{ numeric: ['!=', 1] }] }, 'Unrecognized numeric range operator: !='],
    ['numeric that does not start with an operator', { n: [{ numeric: [1, '<', 2] }] }, 'Invalid member in numeric match: 1'],
    ['numeric = with two numbers', { n: [{ numeric: ['=', 1, 2] }] }, 'Too many elements in numeric expression'],
    ['numeric with an upper bound first, then more', { n: [{ numeric: ['<', 10, '>', 1] }] }, 'Too many elements in numeric expression'],
    ['numeric with five terms', { n: [{ numeric: ['>', 1, '<', 10, 11] }] }, 'Too many terms in numeric range expression'],
    ['numeric with an empty range', { n: [{ numeric: ['>', 5, '<', 1] }] }, 'Bottom must be less than top'],
    ['numeric outside the documented range (+/-5.0e9)', { n: [{ numeric: ['<', 6e9] }] }, 'Value must be between -5.0E9 and 5.0E9, inclusive'],
    ['anything-but number outside the documented range', { n: [{ 'anything-but': [-6e9] }] }, 'Value must be between -5.0E9 and 5.0E9, inclusive'],
    ['cidr with too many IPv4 mask bits', { ip: [{ cidr: '10.0.0.0/33' }] }, 'IPv4 mask bits must be < 32'],
    ['$or that is not a list', { $or: { a: ['x'] } }, 'It must be an Array followed with $or.'],
    ['$or with one branch', { $or: [{ a: ['x'] }] }, 'There must have at least 2 Objects in $or relationship.'],
    ['$or with a branch that is no object', { $or: [{ a: ['x'] }, ['b']] }, 'Only JSON object is allowed in array of $or relationship.'],
    ['$or with an operator name as a field', { $or: [{ a: ['x'] }, { numeric: [1] }] }, 'numeric is Ruler reserved fieldName which cannot be used inside $or.'],
  ])('%s', (_d, pattern, reason) => {
    expect(reasonOf(pattern)).toBe(reason);
  });

  it('text that is not JSON is refused with the parser message', () => {
    expect(reasonOf('this is valid json but not a dict')).toMatch(/JSON|token/i);
    expect(reasonOf("{'bad': 'quotation'}")).toMatch(/JSON|property|token/i);
  });

  it('numbers in exact values are not range-checked (an account id is a number too)', () => {
    expect(matchesPattern({ account: [123456789012] }, { account: 123456789012 })).toBe(true);
  });
});

describe(`$or limit: over ${MAX_OR_COMBINATIONS} rule combinations is refused (documented)`, () => {
  const or = (n: number, field: string) => ({ $or: Array.from({ length: n }, (_, i) => ({ [`${field}${i}`]: ['x'] })) });

  it('accepts exactly 1000 combinations (10 x 10 x 10)', () => {
    expect(() => validatePattern({ a: or(10, 'a'), b: or(10, 'b'), c: or(10, 'c') })).not.toThrow();
  });

  it('refuses 1296 combinations (6 x 6 x 6 x 6)', () => {
    expect(reasonOf({ a: or(6, 'a'), b: or(6, 'b'), c: or(6, 'c'), d: or(6, 'd') })).toMatch(/1296 rule combinations/);
  });
});

describe('valid patterns pass', () => {
  it.each([
    ['the guide example', { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } }],
    ['every operator at once', {
      a: [{ prefix: 'p' }, { suffix: 's' }, { 'equals-ignore-case': 'e' }, { wildcard: 'w*' }, { exists: true }, { cidr: '10.0.0.0/8' }],
      b: [{ numeric: ['>=', 0, '<', 1] }, { 'anything-but': { wildcard: ['*x'] } }, { prefix: { 'equals-ignore-case': 'P' } }, { suffix: { 'equals-ignore-case': 'S' } }],
      c: ['', null, true, 1.5],
    }],
    ['the pattern as JSON text', '{"source": ["aws.sagemaker"]}'],
    ['a repeated key: the last one counts (JSON text)', '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}'],
  ])('%s', (_d, pattern) => {
    expect(() => validatePattern(pattern)).not.toThrow();
  });

  it('a repeated key keeps the last one, as the guide says', () => {
    const pattern = '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}';
    expect(matchesPattern(pattern, { detail: { location: 'eu-west' } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { location: 'us-east' } })).toBe(false);
  });

  it('matchesPattern refuses an invalid pattern rather than answering false', () => {
    expect(() => matchesPattern({ s: 'x' }, { s: 'x' })).toThrow(InvalidEventPatternException);
  });
});
