/**
 * Target input: Input, InputPath, InputTransformer. The template examples and their outputs are the
 * ones of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 * ("Input transform examples"); "recorded" cases are outputs AWS delivered (recorded in localstack's
 * AWS-validated suite, tests/aws/services/events/test_events_inputs.snapshot.json).
 */
import { type EventBridgeEvent, type LocalTarget, targetInput, validateTarget, ValidationException } from '../src';

const ec2Event: EventBridgeEvent = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING' },
};
const context = { ruleArn: 'arn:aws:events:us-east-2:123456789012:rule/example', ruleName: 'example', ingestionTime: '2015-11-11T21:29:55Z' };
const docPaths = { timestamp: '$.time', instance: '$.detail.instance-id', state: '$.detail.state', resource: '$.resources[0]' };

function transformed(inputTemplate: string, inputPathsMap: Record<string, string> = docPaths, event: EventBridgeEvent = ec2Event) {
  const target: LocalTarget = { id: 't', arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm', inputTransformer: { inputPathsMap, inputTemplate } };
  validateTarget(target);
  return targetInput(target, event, context);
}

function output(inputTemplate: string, inputPathsMap?: Record<string, string>, event?: EventBridgeEvent): string {
  const r = transformed(inputTemplate, inputPathsMap, event);
  if (!r.ok) throw new Error(r.error);
  return r.input;
}

describe('InputTransformer: the guide examples', () => {
  it.each([
    ['simple string', '"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'],
    ['string with escaped quotes', '"instance \\"<instance>\\" is in <state>"', '"instance \\"i-0123456789\\" is in RUNNING"'],
    ['simple JSON', '{\n  "instance" : <instance>,\n  "state": <state>\n}', '{\n  "instance" : "i-0123456789",\n  "state": "RUNNING"\n}'],
    [
      'JSON with strings and variables',
      '{\n "instance" : <instance>,\n "state": "<state>",\n "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}',
      '{\n "instance" : "i-0123456789",\n "state": "RUNNING",\n "instanceStatus": "instance \\"i-0123456789\\" is in RUNNING"\n}',
    ],
    [
      'JSON with a mix of variables and static information',
      '{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}',
      '{\n  "instance" : "i-0123456789",\n  "state": [ 9, "RUNNING", true ],\n  "Transformed" : "Yes"\n}',
    ],
    ['reserved variables in a string', '"<aws.events.rule-name> triggered"', '"example triggered"'],
    ['an array element by index', '{"resource": <resource>, "at": <timestamp>}', '{"resource": "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111", "at": "2015-11-11T21:29:54Z"}'],
    ['a template that is not JSON passes as text (API reference example)', '<instance> is in state <state>', 'i-0123456789 is in state RUNNING'],
  ])('%s', (_d, template, expected) => {
    expect(output(template)).toBe(expected);
  });

  it('reserved variables in JSON: rule ARN and name as strings, the event as JSON', () => {
    const out = JSON.parse(output('{"instance": <instance>, "ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "originalEvent": <aws.events.event.json>}'));
    expect(out).toEqual({ instance: 'i-0123456789', ruleArn: context.ruleArn, ruleName: 'example', originalEvent: ec2Event });
  });

  it('aws.events.event is the event without detail, detail-type spelt detailType (recorded)', () => {
    expect(JSON.parse(output('{"e": <aws.events.event>, "t": <aws.events.event.ingestion-time>}'))).toEqual({
      e: {
        id: ec2Event.id,
        account: '123456789012',
        detailType: 'EC2 Instance State-change Notification',
        time: '2015-11-11T21:29:54Z',
        source: 'aws.ec2',
        region: 'us-east-1',
        resources: ec2Event.resources,
        version: '0',
      },
      t: context.ingestionTime,
    });
  });
});

describe('InputTransformer: value kinds and missing values (recorded)', () => {
  const event: EventBridgeEvent = {
    ...ec2Event,
    detail: { command: 'update-account', payload: { acc_id: '0a787ecb-4015', sf_id: 'baz' }, listsingle: ['HIGH'], listmulti: ['ACTIVE', 'INACTIVE'], valid: true },
  };
  const paths = { userId: '$.detail.payload.acc_id', payload: '$.detail.payload', systemstring: '$.detail.awsAccountId', listsingle: '$.detail.listsingle', listmulti: '$.detail.listmulti', valid: '$.detail.valid' };
  it.each([
    ['an object outside strings goes in as JSON', '{"method": "PUT", "path": "users-service/users/<userId>", "bod": <payload>}', '{"method": "PUT", "path": "users-service/users/0a787ecb-4015", "bod": {"acc_id":"0a787ecb-4015","sf_id":"baz"}}'],
    ['objects and lists in a string template lose their quotes', '"Payload of <payload> with path users-service/users/<userId> and <userId>"', '"Payload of {acc_id:0a787ecb-4015,sf_id:baz} with path users-service/users/0a787ecb-4015 and 0a787ecb-4015"'],
    ['a list of one in a string template', '"<listsingle> single list item"', '"[HIGH] single list item"'],
    ['a list of two in a string template', '"<listmulti> multiple list items"', '"[ACTIVE,INACTIVE] multiple list items"'],
    ['a list outside strings stays a list', '{"singlelistitem": <listsingle>}', '{"singlelistitem": ["HIGH"]}'],
    ['a boolean in a string', '"Command is <valid>!"', '"Command is true!"'],
    ['a variable matching nothing is empty in a string', '"<systemstring> system account id"', '" system account id"'],
    ['a variable used twice in one string', '{"multi_replacement": "users/<userId>/second/<userId>"}', '{"multi_replacement": "users/0a787ecb-4015/second/0a787ecb-4015"}'],
    ['quoted or not, a string variable gives the same JSON string', '{"a" : <userId>, "b": "<userId>"}', '{"a" : "0a787ecb-4015", "b": "0a787ecb-4015"}'],
    ['list elements keep their place', '{"bod": [<userId>, "hardcoded"]}', '{"bod": ["0a787ecb-4015", "hardcoded"]}'],
  ])('%s', (_d, template, expected) => {
    expect(output(template, paths, event)).toBe(expected);
  });

  it('a variable matching nothing outside strings is an empty string', () => {
    const template = '{"detailType": <detail-type>,  "time": <timestamp>, "command": <command>}';
    const out = output(template, { 'detail-type': '$.detail-type', timestamp: '$.time', command: '$.detail.notinmessage' }, event);
    expect(JSON.parse(out)).toEqual({ detailType: 'EC2 Instance State-change Notification', time: '2015-11-11T21:29:54Z', command: '' });
  });

  it.each([
    ['an object inside a string of a JSON template', '{"payload": "<payload>"}'],
    ['a list inside a string of a JSON template', '{"singlelistitem": "<listsingle>"}'],
  ])('%s makes invalid JSON, which EventBridge drops: a failure here', (_d, template) => {
    const r = transformed(template, paths, event);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/invalid JSON/);
  });

  it('values are not escaped (the guide: "EventBridge doesn\'t escape values extracted by Input Path")', () => {
    const quoted: EventBridgeEvent = { ...ec2Event, detail: { note: 'say "hi"' } };
    expect(output('note: <note>', { note: '$.detail.note' }, quoted)).toBe('note: say "hi"');
    const r = transformed('{"n": "<note>"}', { note: '$.detail.note' }, quoted);
    expect(r).toEqual({ ok: false, error: 'InputTemplate produced invalid JSON (EventBridge drops such an event): {"n": "say "hi""}' });
  });
});

describe('Input, InputPath and the default', () => {
  const base = { id: 't', arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm' };
  it('sends the whole event by default', () => {
    expect(targetInput(base, ec2Event, context)).toEqual({ ok: true, input: JSON.stringify(ec2Event) });
  });
  it('sends Input as it is', () => {
    expect(targetInput({ ...base, input: '{"fixed": [1, 2]}' }, ec2Event, context)).toEqual({ ok: true, input: '{"fixed": [1, 2]}' });
  });
  it('sends the part InputPath selects', () => {
    expect(targetInput({ ...base, inputPath: '$.detail' }, ec2Event, context)).toEqual({ ok: true, input: JSON.stringify(ec2Event.detail) });
    expect(targetInput({ ...base, inputPath: '$.resources[0]' }, ec2Event, context)).toEqual({ ok: true, input: JSON.stringify(ec2Event.resources[0]) });
    expect(targetInput({ ...base, inputPath: "$.detail['instance-id']" }, ec2Event, context)).toEqual({ ok: true, input: '"i-0123456789"' });
    expect(targetInput({ ...base, inputPath: '$' }, ec2Event, context)).toEqual({ ok: true, input: JSON.stringify(ec2Event) });
  });
  it('sends nothing when InputPath selects nothing', () => {
    expect(targetInput({ ...base, inputPath: '$.detail.nothing' }, ec2Event, context)).toEqual({ ok: false, error: 'InputPath $.detail.nothing matched nothing in the event' });
  });
});

describe('target validation (PutTargets)', () => {
  const base = { id: 'target-1', arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm' };
  it.each([
    ['two input kinds (recorded)', { ...base, input: '{}', inputPath: '$.detail' }, 'Only one of Input, InputPath, or InputTransformer must be provided for target target-1.'],
    ['InputPath and InputTransformer (recorded)', { ...base, inputPath: '$.detail', inputTransformer: { inputTemplate: '{}' } }, 'Only one of Input, InputPath, or InputTransformer must be provided for target target-1.'],
    [
      'a placeholder not in InputPathsMap (recorded)',
      { ...base, inputTransformer: { inputPathsMap: { a: '$.detail.a' }, inputTemplate: '"Event of <a> type, with not defined key <notdefinedkey>"' } },
      'InputTemplate for target target-1 contains invalid placeholder notdefinedkey.',
    ],
    ['Input that is not JSON', { ...base, input: 'not json' }, 'Input for target target-1 is not valid JSON.'],
    ['a placeholder as an object key', { ...base, inputTransformer: { inputPathsMap: { k: '$.detail.k' }, inputTemplate: '{<k>: 1}' } }, /object key/],
    ['an InputPathsMap key starting with AWS.', { ...base, inputTransformer: { inputPathsMap: { 'aws.mine': '$.x' }, inputTemplate: '<aws.mine>' } }, /reserved/],
    ['an empty template', { ...base, inputTransformer: { inputTemplate: '' } }, /1 to 8192/],
    ['a JSON path outside the supported subset', { ...base, inputPath: '$..detail' }, /not supported/],
  ])('%s', (_d, target, message) => {
    expect(() => validateTarget(target as LocalTarget)).toThrow(ValidationException);
    expect(() => validateTarget(target as LocalTarget)).toThrow(message);
  });

  it('accepts the predefined variables without an InputPathsMap', () => {
    expect(() => validateTarget({ ...base, inputTransformer: { inputTemplate: '{"e": <aws.events.event.json>, "r": <aws.events.rule-arn>}' } })).not.toThrow();
  });
});
