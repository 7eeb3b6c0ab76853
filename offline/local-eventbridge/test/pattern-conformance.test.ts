/**
 * Event-pattern conformance: pattern / event / expected, group by group, from the AWS documentation's
 * examples (each group names its page). Cases marked "recorded" are outcomes of AWS's
 * TestEventPattern API where the guide is silent or says otherwise (recorded in localstack's
 * AWS-validated suite, tests/aws/services/events/event_pattern_templates); cases marked "event-ruler"
 * come from the README of the engine EventBridge runs (github.com/aws/event-ruler).
 */
import { compilePattern, matchesPattern } from '../src';

type Case = [description: string, pattern: object, event: object, expected: boolean];

const GUIDE = 'https://docs.aws.amazon.com/eventbridge/latest/userguide';

function table(cases: Case[]) {
  it.each(cases)('%s', (_description, pattern, event, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
    // The JSON-text forms (PutRule / TestEventPattern take text) answer the same.
    expect(matchesPattern(JSON.stringify(pattern), JSON.stringify(event))).toBe(expected);
  });
}

const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};
const withDetail = (detail: object) => ({ ...ec2Event, detail });
const ec2Termination = { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } };

describe(`event patterns and field matching (${GUIDE}/eb-event-patterns.html, eb-create-pattern.html)`, () => {
  const macie = {
    ...ec2Event,
    source: 'aws.macie',
    'detail-type': 'Macie Finding',
    detail: { schemaVersion: '1.0', type: 'Policy:IAMUser/S3BucketEncryptionDisabled', severity: { score: 1, description: 'Low' }, count: 2 },
  };
  table([
    ['the EC2 termination example matches', ec2Termination, ec2Event, true],
    ['another state does not match', ec2Termination, withDetail({ state: 'running' }), false],
    ['a list of values is an OR: aws.ec2 or aws.fargate', { source: ['aws.ec2', 'aws.fargate'] }, { ...ec2Event, source: 'aws.fargate' }, true],
    ['fields not in the pattern are ignored', { source: ['aws.ec2'] }, ec2Event, true],
    ['a field named in the pattern must be in the event', { source: ['aws.ec2'], detail: { reason: ['x'] } }, ec2Event, false],
    ['fields must appear with the same nesting', { state: ['terminated'] }, ec2Event, false],
    ['every field must match (AND)', { source: ['aws.ec2'], 'detail-type': ['Other'] }, ec2Event, false],
    ['Macie example: nested severity.score and count', { source: ['aws.macie'], 'detail-type': ['Macie Finding'], detail: { severity: { score: [1] }, count: [2] } }, macie, true],
    ['Macie example with another score does not match', { detail: { severity: { score: [2] } } }, macie, false],
    ['strings match exactly: no case folding', { detail: { state: ['Terminated'] } }, ec2Event, false],
    ['strings match exactly: no normalisation (recorded)', { s: ['A CamelCase string with an emoji 🚀 and trailing whitespace '] }, { s: 'A CamelCase string with an emoji 🚀 and trailing whitespace ' }, true],
    ['field names are case-sensitive (recorded)', { MY_KEY: ['my-value'] }, { my_key: 'my-value' }, false],
    ['numbers compare as numbers: 300.0 matches [300] (recorded)', { n: [300] }, { n: 300.0 }, true],
    ['numbers compare as numbers: [3.0e2] matches 300', { n: [3.0e2] }, { n: 300 }, true],
    ['a number does not match the same digits as a string', { n: [300] }, { n: '300' }, false],
    ['true and false match the JSON literals (recorded)', { b: [false] }, { b: false }, true],
    ['false does not match true (recorded)', { b: [false] }, { b: true }, false],
    ['false does not match the string "false"', { b: [false] }, { b: 'false' }, false],
    ['a JSON-encoded detail string is not parsed (recorded)', { detail: { 'my-key': ['my-value'] } }, { detail: '{"my-key": "my-value"}' }, false],
    ['nested keys and dotted keys are the same field: event side (recorded)', { detail: { state: { status: ['running'] } } }, { detail: { 'state.status': 'running' } }, true],
    ['nested keys and dotted keys are the same field: pattern side (recorded)', { detail: { 'state.status': ['running'] } }, { detail: { state: { status: 'running' } } }, true],
    ['a longer dotted path is another field (recorded)', { detail: { state: { status: ['running'] } } }, { detail: { 'state.status': { status: 'running' } } }, false],
    ['a pattern value list mixes matchers as an OR (recorded)', { admins: ['skyli', { prefix: 'hey' }, { prefix: 'ad' }] }, { admins: 'admin' }, true],
  ]);
});

describe(`null values and empty strings (${GUIDE}/eb-event-patterns-null-values.html)`, () => {
  const asg = {
    ...ec2Event,
    source: 'aws.autoscaling',
    'detail-type': 'EC2 Instance Launch Successful',
    resources: [],
    detail: { eventVersion: '', responseElements: null },
  };
  table([
    ['[""] matches an empty string', { detail: { eventVersion: [''] } }, asg, true],
    ['[null] matches null', { detail: { responseElements: [null] } }, asg, true],
    ['the field-matching example with source, detail-type and null', { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], detail: { responseElements: [null] } }, asg, true],
    ['null and empty string are not interchangeable: [""] vs null', { detail: { responseElements: [''] } }, asg, false],
    ['null and empty string are not interchangeable: [null] vs ""', { detail: { eventVersion: [null] } }, asg, false],
    ['[null] does not match the string "null" (recorded)', { detail: { responseElements: [null] } }, withDetail({ responseElements: 'null' }), false],
    ['[null] does not match a missing field', { detail: { other: [null] } }, asg, false],
    ['[null] does not match an empty array (recorded)', { resources: [null] }, asg, false],
  ]);
});

describe(`arrays (${GUIDE}/eb-event-patterns-arrays.html)`, () => {
  const arrayPattern = {
    resources: [
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
    ],
  };
  const employees = {
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ],
  };
  table([
    [
      'matches when the pattern list and the event array intersect (the guide example)',
      arrayPattern,
      {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
      true,
    ],
    ['no intersection, no match', arrayPattern, { resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:x'] }, false],
    ['an empty event array has no value to match', arrayPattern, { resources: [] }, false],
    ['objects in an array: a field of any element matches (event-ruler)', { employees: { firstName: ['Anna'] } }, employees, true],
    ['fields of one element match together (event-ruler)', { employees: { firstName: ['Anna'], lastName: ['Smith'] } }, employees, true],
    ['fields of different elements do not combine (event-ruler)', { employees: { firstName: ['Anna'], lastName: ['Jones'] } }, employees, false],
    ['arrays of arrays are crushed too (event-ruler)', { employees: { firstName: ['Peter'] } }, { employees: [[{ firstName: 'John' }], [{ firstName: 'Peter' }]] }, true],
    ['the same element across nested arrays stays consistent', { a: { b: { c: ['1'], d: ['2'] } } }, { a: [{ b: [{ c: '1', d: '9' }, { c: '9', d: '2' }] }] }, false],
    ['top-level fields combine with any array element', { source: ['s'], items: { id: ['2'] } }, { source: 's', items: [{ id: '1' }, { id: '2' }] }, true],
    ['exists on a field of an array of objects (recorded)', { detail: { automations: { id: [{ exists: true }] } } }, { detail: { automations: [{ key1: 'v' }, { id: 'x' }] } }, true],
  ]);
});

const CONTENT = `${GUIDE}/eb-event-patterns-content-based-filtering.html`;

describe(`prefix matching (${CONTENT}#eb-filtering-prefix-matching)`, () => {
  table([
    ['time starting with 2017-10-02', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }, true],
    ['another day does not match', { time: [{ prefix: '2017-10-02' }] }, ec2Event, false],
    ['prefix is case-sensitive', { region: [{ prefix: 'US-' }] }, { region: 'us-east-1' }, false],
    ['an empty prefix matches every string (recorded)', { source: [{ prefix: '' }] }, ec2Event, true],
    ['prefix only applies to strings', { n: [{ prefix: '1' }] }, { n: 123 }, false],
    ['prefix with equals-ignore-case (recorded)', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, { detail: { service: 'EvEnTbridge' } }, true],
    ['prefix with equals-ignore-case, other letters', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, { detail: { service: 'eventc' } }, false],
  ]);
});

describe(`suffix matching (${CONTENT}#eb-filtering-suffix-matching)`, () => {
  table([
    ['FileName ending in .png', { FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' }, true],
    ['suffix is case-sensitive (recorded)', { FileName: [{ suffix: '.PNG' }] }, { FileName: 'image.png' }, false],
    ['suffix with equals-ignore-case (recorded)', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, { detail: { FileName: 'image.PNG' } }, true],
    ['suffix with equals-ignore-case, other extension (recorded)', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, { detail: { FileName: 'image.jpg' } }, false],
    ['an empty suffix matches every string (recorded)', { source: [{ suffix: '' }] }, ec2Event, true],
    ['suffix only applies to strings', { n: [{ suffix: '3' }] }, { n: 123 }, false],
  ]);
});

describe(`equals-ignore-case matching (${CONTENT}#eb-filtering-equals-ignore-case-matching)`, () => {
  const docEvent = { 'detail-type': ['EC2 Instance State-change Notification'], detail: { 'c-count': { c1: 100 } } };
  table([
    ['the guide example: any case of the detail-type', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, docEvent, true],
    ['a plain string field', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, ec2Event, true],
    ['other text does not match (recorded)', { 'detail-type': [{ 'equals-ignore-case': 'I do not match' }] }, docEvent, false],
    ['empty matches empty (recorded)', { detail: { value: [{ 'equals-ignore-case': '' }] } }, { detail: { value: '' } }, true],
    ['empty does not match text (recorded)', { detail: { value: [{ 'equals-ignore-case': '' }] } }, { detail: { value: 'test-value' } }, false],
    ['only strings', { n: [{ 'equals-ignore-case': '1' }] }, { n: 1 }, false],
  ]);
});

describe(`anything-but matching (${CONTENT}#eb-filtering-anything-but, ${GUIDE}/eb-create-pattern-operators.html)`, () => {
  const state = (s: unknown) => ({ detail: { state: s } });
  const notInit = { detail: { state: [{ 'anything-but': 'initializing' }] } };
  const notList = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
  const xLimit = (v: unknown) => ({ detail: { 'x-limit': v } });
  const notNumbers = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
  const notPrefix = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
  const notSuffix = { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } };
  const notIgnoreCase = { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } };
  const notLib = { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } };
  const file = (f: unknown) => ({ detail: { FileName: f } });
  const path = (f: unknown) => ({ detail: { FilePath: f } });
  const price = { price: [{ 'anything-but': [100, 500] }] };
  table([
    ['a string: another value matches', notInit, state('pending'), true],
    ['a string: the value itself does not', notInit, state('initializing'), false],
    ['a string: a missing field does not match (recorded)', notInit, { detail: {} }, false],
    ['a string: null matches (recorded)', notInit, state(null), true],
    ['a number: 789 is not 123', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, xLimit(789), true],
    ['a number: 123 is excluded', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, xLimit(123), false],
    ['a list of strings: pending matches', notList, state('pending'), true],
    ['a list of strings: stopped is excluded', notList, state('stopped'), false],
    ['a list of strings: null matches (recorded)', notList, state(null), true],
    ['a list of numbers: 999 matches', notNumbers, xLimit(999), true],
    ['a list of numbers: 100 is excluded', notNumbers, xLimit(100), false],
    ['a list of numbers: 300.0 is 300, excluded', notNumbers, xLimit(300.0), false],
    ['prefix: post-init matches', notPrefix, state('post-init'), true],
    ['prefix: init-prefix is excluded', notPrefix, state('init-prefix'), false],
    ['prefix: a number matches (recorded)', notPrefix, state(12), true],
    ['prefix: null matches (recorded)', notPrefix, state(null), true],
    ['prefix: missing does not match (recorded)', notPrefix, { detail: {} }, false],
    ['prefix list: any listed prefix excludes (recorded)', { detail: { state: [{ 'anything-but': { prefix: ['init', 'post'] } }] } }, state('post-init'), false],
    ['suffix: file.txt.bak matches', notSuffix, file('file.txt.bak'), true],
    ['suffix: file.txt is excluded', notSuffix, file('file.txt'), false],
    ['suffix list (recorded)', { detail: { FileName: [{ 'anything-but': { suffix: ['.txt', '.jpg'] } }] } }, file('file.jpg'), false],
    ['suffix: null matches (recorded)', notSuffix, file(null), true],
    ['equals-ignore-case: pending matches', notIgnoreCase, state('pending'), true],
    ['equals-ignore-case: INITIALIZING is excluded', notIgnoreCase, state('INITIALIZING'), false],
    ['equals-ignore-case list (recorded)', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] } }, state('Stopped'), false],
    ['wildcard: a path without /lib/ matches (the operators-table example)', notLib, path('/usr/bin/tool'), true],
    ['wildcard: a path with /lib/ is excluded', notLib, path('/usr/lib/tool'), false],
    ['wildcard: "*/dir/*" does not exclude dir/init/file (recorded)', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/dir/*' } }] } }, path('dir/init/file'), true],
    ['wildcard: "*/init/*" excludes dir/init/file (recorded)', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/init/*' } }] } }, path('dir/init/file'), false],
    ['wildcard: a number matches (recorded)', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/dir/*' } }] } }, path(123), true],
    // Array-valued fields (the same engine in SNS: https://docs.aws.amazon.com/sns/latest/dg/numeric-value-matching.html)
    ['an array with a value outside the list matches', price, { price: [100, 50] }, true],
    ['an array whose values are all excluded does not', price, { price: [100] }, false],
  ]);
});

describe(`numeric matching (${CONTENT}#filtering-numeric-matching)`, () => {
  const docPattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };
  const n = (v: unknown) => ({ n: v });
  table([
    ['the guide example matches', docPattern, { detail: { 'c-count': 5, 'd-count': 9, 'x-limit': 301.8 } }, true],
    ['c-count 42 is out of (0, 5] (recorded)', docPattern, { detail: { 'c-count': 42, 'd-count': 9, 'x-limit': 301.8 } }, false],
    ['> 0 excludes 0', { n: [{ numeric: ['>', 0, '<=', 5] }] }, n(0), false],
    ['<= 5 includes 5', { n: [{ numeric: ['>', 0, '<=', 5] }] }, n(5), true],
    ['<= 5 excludes 5.000001', { n: [{ numeric: ['>', 0, '<=', 5] }] }, n(5.000001), false],
    ['>= 200, < 500 includes 200 (recorded)', { n: [{ numeric: ['>=', 200, '<', 500] }] }, n(200), true],
    ['>= 200, < 500 excludes 500', { n: [{ numeric: ['>=', 200, '<', 500] }] }, n(500), false],
    ['>= alone', { n: [{ numeric: ['>=', 200] }] }, n(200), true],
    ['< alone excludes its bound', { n: [{ numeric: ['<', 200] }] }, n(200), false],
    ['<= alone includes its bound (recorded)', { n: [{ numeric: ['<=', 200] }] }, n(200), true],
    ['negative numbers', { n: [{ numeric: ['<', 0] }] }, n(-0.5), true],
    ['= compares values: 301.8 equals 3.018e2', { n: [{ numeric: ['=', 3.018e2] }] }, n(301.8), true],
    ['101.0 is > 100 (recorded)', { n: [{ numeric: ['>', 100] }] }, n(101.0), true],
    ['a numeric string is not a number (recorded)', { n: [{ numeric: ['>', 100] }] }, n('300'), false],
    ['null is not a number (recorded)', { n: [{ numeric: ['>', 100] }] }, n(null), false],
    ['a missing field does not match', { n: [{ numeric: ['>', 100] }] }, {}, false],
    ['any element of an array in range', { n: [{ numeric: ['>', 100] }] }, n([1, 2, 300]), true],
  ]);
});

describe(`IP address matching (${CONTENT}#eb-filtering-ip-matching)`, () => {
  const v4 = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };
  const v6 = { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234:1a00::/64' }] } };
  const ip = (a: unknown) => ({ detail: { sourceIPAddress: a } });
  table([
    ['10.0.0.255 is in 10.0.0.0/24', v4, ip('10.0.0.255'), true],
    ['10.0.0.0 is in 10.0.0.0/24', v4, ip('10.0.0.0'), true],
    ['10.0.1.0 is not', v4, ip('10.0.1.0'), false],
    ['10.0.0.256 is no address (recorded)', v4, ip('10.0.0.256'), false],
    ['a number is no address (recorded)', v4, ip(123), false],
    ['IPv6 in its /64, written in full (recorded)', v6, ip('2001:0db8:1234:1a00:0000:0000:0000:0000'), true],
    ['IPv6 in its /64, compressed', v6, ip('2001:db8:1234:1a00::42'), true],
    ['IPv6 outside its /64 (recorded)', v6, ip('2001:0db8:123f:1a01:0000:0000:0000:0000'), false],
    ['an IPv4 address is not in an IPv6 block', v6, ip('10.0.0.1'), false],
    ['an exact IP value matches the same address written otherwise (event-ruler)', { a: ['2001:db8::1'] }, { a: '2001:0db8:0:0:0:0:0:1' }, true],
  ]);
});

describe(`exists matching (${CONTENT}#eb-filtering-exists-matching)`, () => {
  const docEvent = {
    ...ec2Event,
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
  };
  const noState = { 'detail-type': ['EC2 Instance State-change Notification'], detail: { 'c-count': { c1: 100 } } };
  table([
    ['exists true: detail.state is there', { detail: { state: [{ exists: true }] } }, docEvent, true],
    ['exists true: no detail.state', { detail: { state: [{ exists: true }] } }, noState, false],
    ['exists false: no detail.state', { detail: { state: [{ exists: false }] } }, noState, true],
    ['exists false: detail.state is there', { detail: { state: [{ exists: false }] } }, docEvent, false],
    ['leaf only: exists false holds where the field is an object (event-ruler)', { detail: { 'c-count': [{ exists: false }] } }, noState, true],
    ['leaf only: exists true fails where the field is an object (recorded)', { dynamodb: { presentKey: [{ exists: true }] } }, { dynamodb: { presentKey: { S: 'test123' } } }, false],
    ['exists true on the leaf below it (recorded)', { dynamodb: { presentKey: { S: [{ exists: true }] } } }, { dynamodb: { presentKey: { S: 'test123' } } }, true],
    ['exists false where a parent is a string, not an object', { detail: { level1: { level2: { level3: { level4: [{ exists: false }] } } } } }, { detail: { level1: { level2: 'l2 value' } } }, true],
    ['exists true on an empty array (recorded)', { resources: [{ exists: true }] }, { ...ec2Event, resources: [] }, false],
    ['exists false OR another matcher: the field is missing (recorded)', { S: [{ 'anything-but': ['roses'] }, { exists: false }] }, { N: '789' }, true],
    ['exists false OR another matcher: the other matcher holds (recorded)', { S: [{ 'anything-but': ['roses'] }, { exists: false }] }, { S: 'ABCD' }, true],
    ['exists false OR another matcher: neither holds', { S: [{ 'anything-but': ['roses'] }, { exists: false }] }, { S: 'roses' }, false],
  ]);
});

describe(`wildcard matching (${CONTENT}#eb-filtering-wildcard-matching)`, () => {
  const bus = { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/myEventBus' };
  const f = (v: unknown) => ({ FileName: v });
  table([
    ['* inside an ARN (recorded)', { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] }, bus, true],
    ['* spans several path segments (recorded)', { FileName: [{ wildcard: '/Users/*/doc.txt' }] }, f('/Users/ls_user/dir/dir/doc.txt'), true],
    ['the rest must still match (recorded)', { FileName: [{ wildcard: '/Users/*/doc.txt' }] }, f('/Users/ls_user/dir/notmatchingdoc.txt'), false],
    ['* matches nothing too (event-ruler)', { s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleService' }, true],
    ['* matches any run of characters (event-ruler)', { s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleQueueService' }, true],
    ['wildcard is anchored at both ends', { s: [{ wildcard: 'Simple*Service' }] }, { s: 'SimpleQueueService2' }, false],
    ['\\* is a literal asterisk', { s: [{ wildcard: 'a\\*b' }] }, { s: 'a*b' }, true],
    ['\\* does not match other characters', { s: [{ wildcard: 'a\\*b' }] }, { s: 'axb' }, false],
    ['\\\\ is a literal backslash', { s: [{ wildcard: 'a\\\\b' }] }, { s: 'a\\b' }, true],
    ['an empty wildcard matches only an empty string (recorded)', { EventBusArn: [{ wildcard: '' }] }, bus, false],
    ['* matches every string', { s: [{ wildcard: '*' }] }, { s: '' }, true],
    ['wildcard only applies to strings', { s: [{ wildcard: '*' }] }, { s: 5 }, false],
  ]);
});

describe(`$or matching (${CONTENT}#eb-filtering-complex-example-or, ${GUIDE}/eb-create-pattern-operators.html)`, () => {
  const docOr = {
    detail: {
      $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 3.018e2] }] }],
    },
  };
  const cw = {
    source: ['aws.cloudwatch'],
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
  };
  const nested = {
    source: ['aws.cloudwatch'],
    $or: [
      { metricName: ['CPUUtilization', 'ReadLatency'] },
      { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      { scope: ['Service'] },
    ],
  };
  table([
    ['the guide example: d-count < 10 is enough (recorded)', docOr, { detail: { 'c-count': 0, 'd-count': 0, 'x-limit': 9.018e2 } }, true],
    ['the guide example: no branch holds (recorded)', docOr, { detail: { 'c-count': 0, 'd-count': 10, 'x-limit': 9.018e2 } }, false],
    ['the operators table: Location or Day', { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }, { Location: 'Paris', Day: 'Monday' }, true],
    ['the operators table: neither', { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }, { Location: 'Paris', Day: 'Sunday' }, false],
    ['fields outside $or still AND (event-ruler)', cw, { source: 'aws.cloudwatch', namespace: 'AWS/ES' }, true],
    ['fields outside $or still AND: wrong source (event-ruler)', cw, { source: 'aws.ec2', namespace: 'AWS/ES' }, false],
    ['nested $or inside an AND branch (event-ruler)', nested, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 }, true],
    ['nested $or: the inner OR fails (event-ruler)', nested, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1 }, false],
  ]);

  it('counts the sub-rules $or expands to', () => {
    expect(compilePattern(docOr).subRuleCount).toBe(3);
    expect(compilePattern(nested).subRuleCount).toBe(4);
  });
});

describe(`combined example (${CONTENT}#eb-filtering-complex-example)`, () => {
  const pattern = {
    time: [{ prefix: '2017-10-02' }],
    detail: {
      state: [{ 'anything-but': 'initializing' }],
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ 'anything-but': [100, 200, 300] }],
      'source-ip': [{ cidr: '10.0.0.0/8' }],
    },
  };
  const event = {
    time: '2017-10-02T16:24:49Z',
    detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', 'instance-id': 'i-000000aaaaaa00000', state: 'running' },
  };
  table([
    ['every condition holds (the event-ruler README event)', pattern, event, true],
    ['x-limit 300 is excluded (recorded)', pattern, { ...event, detail: { ...event.detail, 'x-limit': 300 } }, false],
    ['source-ip outside 10/8', pattern, { ...event, detail: { ...event.detail, 'source-ip': '11.0.0.1' } }, false],
  ]);
});
