/**
 * AWS::Events::Rule resources -> plain rules
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-rule.html).
 */
import { InvalidEventPatternException, isIntrinsic, rulesFromTemplate, type TemplateResource, ValidationException } from '../src';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const smArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

/** A resolver for the intrinsics these templates use; records what it was asked. */
function resolver() {
  const calls: unknown[] = [];
  const resolve = (value: unknown): unknown => {
    calls.push(value);
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return v.Ref === 'ModelBus' ? 'mlops-models' : smArn(v.Ref);
    if (Array.isArray(v['Fn::GetAtt'])) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      return attr === 'Arn' && id.endsWith('Role') ? `arn:aws:iam::${ACCOUNT}:role/${id}` : smArn(id);
    }
    if (typeof v['Fn::Sub'] === 'string') return (v['Fn::Sub'] as string).replaceAll('${AWS::Region}', REGION).replaceAll('${AWS::AccountId}', ACCOUNT);
    throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  };
  return { resolve, calls };
}

const modelPackagePattern = {
  source: ['aws.sagemaker'],
  'detail-type': ['SageMaker Model Package State Change'],
  detail: { ModelPackageGroupName: ['mlops-models'], ModelApprovalStatus: ['Approved'] },
};

const resources: Record<string, TemplateResource> = {
  DeployStateMachine: { Type: 'AWS::StepFunctions::StateMachine', Properties: {} },
  ModelApprovedRule: {
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: 'mlops-model-approved',
      Description: 'Deploy approved model packages',
      EventPattern: modelPackagePattern,
      Targets: [
        { Id: 'whole-event', Arn: { 'Fn::GetAtt': ['DeployStateMachine', 'Arn'] }, RoleArn: { 'Fn::GetAtt': ['EventsRole', 'Arn'] } },
        { Id: 'constant', Arn: { Ref: 'DeployStateMachine' }, Input: '{"mode": "deploy"}' },
        { Id: 'detail-only', Arn: smArn('deploy'), InputPath: '$.detail' },
        {
          Id: 'transformed',
          Arn: smArn('deploy'),
          InputTransformer: {
            InputPathsMap: { arn: '$.detail.ModelPackageArn', status: '$.detail.ModelApprovalStatus' },
            InputTemplate: { 'Fn::Sub': '{"modelPackageArn": <arn>, "status": <status>, "region": "${AWS::Region}"}' },
          },
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::Sub': 'arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:mlops-dlq' } },
        },
      ],
    },
  },
  DisabledRule: {
    Type: 'AWS::Events::Rule',
    Properties: {
      State: 'DISABLED',
      EventBusName: { 'Fn::Sub': 'arn:aws:events:${AWS::Region}:${AWS::AccountId}:event-bus/mlops-models' },
      EventPattern: { 'Fn::Sub': '{"source": ["aws.sagemaker"], "region": ["${AWS::Region}"]}' },
      Targets: [{ Id: 'x', Arn: smArn('other') }],
    },
  },
  NightlyRule: {
    Type: 'AWS::Events::Rule',
    Properties: { ScheduleExpression: 'cron(0 3 * * ? *)', EventBusName: { Ref: 'ModelBus' }, Targets: [{ Id: 'n', Arn: smArn('nightly') }] },
  },
};

describe('rulesFromTemplate', () => {
  it('reads every AWS::Events::Rule with its targets and input kinds', () => {
    const { resolve } = resolver();
    const rules = rulesFromTemplate(resources, resolve);
    expect(rules.map((r) => r.logicalId)).toEqual(['ModelApprovedRule', 'DisabledRule', 'NightlyRule']);
    expect(rules[0]).toEqual({
      name: 'mlops-model-approved',
      logicalId: 'ModelApprovedRule',
      description: 'Deploy approved model packages',
      eventBusName: 'default',
      state: 'ENABLED',
      eventPattern: modelPackagePattern,
      targets: [
        { id: 'whole-event', arn: smArn('DeployStateMachine'), roleArn: `arn:aws:iam::${ACCOUNT}:role/EventsRole` },
        { id: 'constant', arn: smArn('DeployStateMachine'), input: '{"mode": "deploy"}' },
        { id: 'detail-only', arn: smArn('deploy'), inputPath: '$.detail' },
        {
          id: 'transformed',
          arn: smArn('deploy'),
          inputTransformer: {
            inputPathsMap: { arn: '$.detail.ModelPackageArn', status: '$.detail.ModelApprovalStatus' },
            inputTemplate: '{"modelPackageArn": <arn>, "status": <status>, "region": "us-east-1"}',
          },
          retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 3600 },
          deadLetterArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:mlops-dlq`,
        },
      ],
    });
  });

  it('defaults Name to the logical id, reads State, a bus ARN or Ref, and a pattern given as JSON text', () => {
    const [, disabled, nightly] = rulesFromTemplate(resources, resolver().resolve);
    expect(disabled).toMatchObject({ name: 'DisabledRule', state: 'DISABLED', eventBusName: 'mlops-models', eventPattern: { source: ['aws.sagemaker'], region: ['us-east-1'] } });
    expect(nightly).toMatchObject({ name: 'NightlyRule', state: 'ENABLED', eventBusName: 'mlops-models', scheduleExpression: 'cron(0 3 * * ? *)' });
    expect(nightly!.eventPattern).toBeUndefined();
  });

  it('calls resolve with intrinsic function objects only', () => {
    const { resolve, calls } = resolver();
    rulesFromTemplate(resources, resolve);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every(isIntrinsic)).toBe(true);
    expect(calls).toContainEqual({ 'Fn::GetAtt': ['DeployStateMachine', 'Arn'] });
    expect(calls).toContainEqual({ Ref: 'DeployStateMachine' });
  });

  it('resolves intrinsics inside an EventPattern object', () => {
    const [rule] = rulesFromTemplate(
      { R: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { resources: [{ 'Fn::GetAtt': ['Pipeline', 'Arn'] }] }, Targets: [] } } },
      resolver().resolve,
    );
    expect(rule!.eventPattern).toEqual({ resources: [smArn('Pipeline')] });
  });

  describe('refuses what CloudFormation or EventBridge would', () => {
    const rule = (props: Record<string, unknown>) => ({ Bad: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { source: ['x'] }, ...props } } });
    const target = { Id: 't', Arn: smArn('sm') };

    it('an invalid pattern, naming the resource', () => {
      const run = () => rulesFromTemplate(rule({ EventPattern: { source: 'aws.sagemaker' } }), resolver().resolve);
      expect(run).toThrow(InvalidEventPatternException);
      expect(run).toThrow('Bad (AWS::Events::Rule): Event pattern is not valid. Reason: "source" must be an object or an array');
    });
    it('a pattern that is not JSON text', () => {
      expect(() => rulesFromTemplate(rule({ EventPattern: '{"source": ' }), resolver().resolve)).toThrow(InvalidEventPatternException);
    });
    it('two input kinds on one target', () => {
      expect(() => rulesFromTemplate(rule({ Targets: [{ ...target, Input: '{}', InputPath: '$.detail' }] }), resolver().resolve)).toThrow(
        'Only one of Input, InputPath, or InputTransformer must be provided for target t.',
      );
    });
    it('a template placeholder with no path', () => {
      const Targets = [{ ...target, InputTransformer: { InputPathsMap: { a: '$.a' }, InputTemplate: '{"b": <b>}' } }];
      expect(() => rulesFromTemplate(rule({ Targets }), resolver().resolve)).toThrow('InputTemplate for target t contains invalid placeholder b.');
    });
    it.each([
      ['an unknown State', { State: 'PAUSED' }, /State must be one of/],
      ['more than 5 targets', { Targets: [1, 2, 3, 4, 5, 6].map((i) => ({ Id: `t${i}`, Arn: smArn('sm') })) }, /at most 5 targets/],
      ['a target without Arn', { Targets: [{ Id: 't' }] }, /Targets\[0\]\.Arn is required/],
      ['a target Id used twice', { Targets: [target, target] }, /used twice/],
      ['no EventPattern and no ScheduleExpression', { EventPattern: undefined }, /EventPattern or a ScheduleExpression/],
      ['MaximumRetryAttempts above 185', { Targets: [{ ...target, RetryPolicy: { MaximumRetryAttempts: 200 } }] }, /0 to 185/],
      ['an Arn that resolves to no string', { Targets: [{ Id: 't', Arn: { 'Fn::Sub': ['x', {}] } }] }, /cannot resolve|must be a string/],
    ])('%s', (_d, props, message) => {
      expect(() => rulesFromTemplate(rule(props), resolver().resolve)).toThrow(message);
    });
    it('throws ValidationException for target and rule errors', () => {
      expect(() => rulesFromTemplate(rule({ State: 'PAUSED' }), resolver().resolve)).toThrow(ValidationException);
    });
  });
});
