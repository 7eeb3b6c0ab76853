/**
 * Packages the dev and prod stages offline (osls + serverless-esbuild + serverless-step-functions)
 * and checks the CloudFormation they would deploy: the functions, the state machine, the trigger,
 * the bucket hardening, least-privilege IAM and the approval rule that deploys approved versions.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { RecordInputSchema } from '@mlops/common';
import { matchesPattern, targetInput, validatePattern, validateTarget, type EventBridgeEvent, type LocalTarget } from '@mlops/local-eventbridge';
import { projectRoot } from '@mlops/serverless-config';
import { packagedTemplates, type Resource, type Template } from './packaged';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, any> };

const FUNCTIONS = ['mlops_ingest', 'mlops_train', 'mlops_await', 'mlops_batch', 'mlops_eval', 'mlops_register', 'mlops_deploy', 'mlops_record'];
/** Actions AWS offers no resource-level permission for: the only ones allowed on Resource "*". */
const STAR_RESOURCE_ALLOWED = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'ecr:GetAuthorizationToken',
  'cloudwatch:PutMetricData',
  // CloudWatch Logs vended-log delivery for Step Functions logging (AWS documents Resource "*").
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

let templates: Record<string, Template> = {};

beforeAll(async () => {
  // Packages dev and prod (scripts/package.sh) unless their templates are newer than the sources.
  templates = await packagedTemplates(['dev', 'prod']);
}, 300_000);

const ofType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
function statementsOf(role: Resource): Statement[] {
  return (role.Properties.Policies ?? []).flatMap((p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement);
}
function allowedActions(role: Resource): string[] {
  return statementsOf(role)
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => asList(s.Action));
}
function roleOf(t: Template, fn: string): Resource {
  const lambda = t.Resources[`${fn.charAt(0).toUpperCase()}${fn.slice(1).replace(/_/g, 'Underscore')}LambdaFunction`]!;
  const ref = lambda.Properties.Role;
  const id = ref['Fn::GetAtt']?.[0] ?? ref.Ref;
  return t.Resources[id]!;
}

describe.each(['dev', 'prod'])('packaged %s stage', (stage) => {
  const t = () => templates[stage]!;

  it('has the eight functions on Node 22 arm64 with tracing and source maps', () => {
    const fns = ofType(t(), 'AWS::Lambda::Function');
    expect(fns.map(([id]) => id).sort()).toEqual(FUNCTIONS.map((f) => `Mlops${'Underscore'}${f.slice(6)}LambdaFunction`).sort());
    for (const [, fn] of fns) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(fn.Properties.FunctionName.length).toBeLessThanOrEqual(64);
    }
  });

  it('keeps secrets out of environment variables', () => {
    for (const [, fn] of ofType(t(), 'AWS::Lambda::Function')) {
      for (const [name, value] of Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>)) {
        expect({ name, secretLooking: /SECRET|PASSWORD|ACCESS_KEY|TOKEN|PRIVATE/i.test(name) }).toEqual({ name, secretLooking: false });
        if (typeof value === 'string') expect(value).not.toMatch(/AKIA[0-9A-Z]{16}/);
      }
    }
  });

  it('has the pipeline, the deploy and the preprocess state machine, STANDARD, with logging and tracing, calling functions by GetAtt', () => {
    const machines = ofType(t(), 'AWS::StepFunctions::StateMachine');
    expect(machines.map(([, m]) => m.Properties.StateMachineName).sort()).toEqual([`mlops-${stage}-deploy`, `mlops-${stage}-pipeline`, `mlops-${stage}-preprocess`]);
    for (const [, machine] of machines) {
      const sm = machine.Properties;
      expect(sm.StateMachineType).toBe('STANDARD');
      expect(sm.TracingConfiguration).toEqual({ Enabled: true });
      expect(sm.LoggingConfiguration.Level).toBe('ERROR');
      expect(JSON.stringify(sm.DefinitionString)).not.toMatch(/arn:aws:lambda:[a-z0-9-]+:\d{12}/);
    }
  });

  it("lets the pipeline start and watch only the deploy state machine's executions", () => {
    const role = t().Resources.MlopsPipelineStateMachineRole!;
    const statements = statementsOf(role);
    const starts = statements.filter((s) => asList(s.Action).includes('states:StartExecution'));
    expect(starts.map((s) => s.Resource)).toEqual([[{ 'Fn::Sub': expect.stringMatching(new RegExp(`:stateMachine:mlops-${stage}-deploy$`)) }]]);
    const watches = statements.filter((s) => asList(s.Action).includes('states:DescribeExecution'));
    expect(watches.length).toBeGreaterThan(0);
    for (const s of watches) expect(JSON.stringify(s.Resource)).toMatch(new RegExp(`:execution:mlops-${stage}-deploy:\\*`));
  });

  it('lets the preprocess state machine invoke mlops_ingest and mlops_await, and start no execution', () => {
    const role = t().Resources.MlopsPreprocessStateMachineRole!;
    const actions = statementsOf(role).flatMap((s) => asList(s.Action));
    expect(actions).toContain('lambda:InvokeFunction');
    expect(actions.filter((a) => a.startsWith('states:'))).toEqual([]);
    const invoked = statementsOf(role)
      .filter((s) => asList(s.Action).includes('lambda:InvokeFunction'))
      .flatMap((s) => asList(s.Resource as unknown))
      .map((r) => JSON.stringify(r));
    expect(invoked.length).toBeGreaterThan(0);
    for (const r of invoked) expect(r).toMatch(/"MlopsUnderscore(ingest|await)LambdaFunction"/);
    // mlops_ingest starts it by the ARN in its environment, and creates the jobs as the SageMaker role with the preprocess image.
    const ingest = t().Resources.MlopsUnderscoreingestLambdaFunction!.Properties.Environment.Variables;
    // By ARN: a Ref would make mlops_ingest depend on a state machine that depends on mlops_ingest.
    expect(ingest.PREPROCESS_STATE_MACHINE_ARN).toEqual({ 'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:mlops-${stage}-preprocess` });
    expect(ingest.SAGEMAKER_ROLE_ARN).toEqual({ 'Fn::GetAtt': ['SageMakerExecutionRole', 'Arn'] });
    expect(ingest.PREPROCESS_IMAGE).toEqual({ 'Fn::Sub': '${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/mlops-preprocess:1.0.0' });
  });

  describe('failures that leave a record and nothing running', () => {
    it("sends ingest's failed asynchronous invocations (after two retries) to a dead-letter queue, with an alarm on its first message", () => {
      const [[, invokeConfig]] = ofType(t(), 'AWS::Lambda::EventInvokeConfig') as [[string, Resource]];
      expect(invokeConfig.Properties).toMatchObject({
        FunctionName: { Ref: 'MlopsUnderscoreingestLambdaFunction' },
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['IngestDeadLetterQueue', 'Arn'] } } },
      });
      expect(t().Resources.IngestDeadLetterQueue!.Properties).toMatchObject({ QueueName: `mlops-${stage}-ingest-failures`, MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
      expect(t().Resources.IngestDeadLetterAlarm!.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['IngestDeadLetterQueue', 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    });

    it('cleans up and records a pipeline or preprocess execution that was aborted or timed out, and no other', () => {
      const rule = t().Resources.CleanUpEndedRunsRule!.Properties;
      const event = (detail: Record<string, unknown>) => ({
        version: '0',
        id: '2b0d6f2e-0000-4000-8000-000000000000',
        source: 'aws.states',
        account: '123456789012',
        time: '2026-12-06T10:00:00Z',
        region: 'us-east-1',
        resources: [],
        'detail-type': 'Step Functions Execution Status Change',
        detail: { stateMachineArn: 'PIPELINE', status: 'ABORTED', ...detail },
      });
      // The pattern names the state machines by Ref; evaluate it with those Refs standing for their ARNs.
      const pattern = JSON.parse(
        JSON.stringify(rule.EventPattern)
          .replace(JSON.stringify({ Ref: 'MlopsPipelineStateMachine' }), '"PIPELINE"')
          .replace(JSON.stringify({ Ref: 'MlopsPreprocessStateMachine' }), '"PREPROCESS"'),
      );
      for (const machine of ['PIPELINE', 'PREPROCESS']) {
        expect(matchesPattern(pattern, event({ stateMachineArn: machine }))).toBe(true);
        expect(matchesPattern(pattern, event({ stateMachineArn: machine, status: 'TIMED_OUT' }))).toBe(true);
        for (const status of ['RUNNING', 'SUCCEEDED', 'FAILED']) expect(matchesPattern(pattern, event({ stateMachineArn: machine, status }))).toBe(false);
      }
      expect(matchesPattern(pattern, event({ stateMachineArn: 'DEPLOY' }))).toBe(false);
      const [target] = rule.Targets;
      expect(target.Arn).toEqual({ 'Fn::GetAtt': ['MlopsUnderscorerecordLambdaFunction', 'Arn'] });
      expect(target.InputTransformer.InputPathsMap).toEqual({ detail: '$.detail' });
      // The detail goes in as an object: mlops_record reads it with its contract.
      const detail = { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:p:r', status: 'ABORTED', input: '{"runId": "r"}', startDate: 1765000000000 };
      expect(RecordInputSchema.parse(JSON.parse(target.InputTransformer.InputTemplate.replace('<detail>', JSON.stringify(detail))))).toEqual({ kind: 'ended', execution: detail });
      const [[, permission]] = ofType(t(), 'AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 'events.amazonaws.com') as [[string, Resource]];
      expect(permission.Properties).toMatchObject({ FunctionName: { 'Fn::GetAtt': ['MlopsUnderscorerecordLambdaFunction', 'Arn'] }, SourceArn: { 'Fn::GetAtt': ['CleanUpEndedRunsRule', 'Arn'] } });
    });
  });

  describe('the approval rule', () => {
    const rule = () => t().Resources.DeployOnApprovalRule!.Properties;
    const event = (detail: Record<string, unknown>) => ({
      version: '0',
      id: '7c4e2ad0-0000-4000-8000-000000000000',
      source: 'aws.sagemaker',
      account: '123456789012',
      time: '2026-12-06T10:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'SageMaker Model Package State Change',
      detail: { ModelPackageGroupName: `mlops-${stage}-abalone`, ModelPackageVersion: 3, ModelPackageArn: `arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-${stage}-abalone/3`, ...detail },
    });

    it('matches an approval of one of this stage’s versions, and nothing else', () => {
      const pattern = rule().EventPattern;
      expect(matchesPattern(pattern, event({ ModelApprovalStatus: 'Approved', UpdatedModelPackageFields: ['ModelApprovalStatus'] }))).toBe(true);
      // Registered Approved by the pipeline (auto approval): created, not updated, so the pipeline deploys it alone.
      expect(matchesPattern(pattern, event({ ModelApprovalStatus: 'Approved' }))).toBe(false);
      expect(matchesPattern(pattern, event({ ModelApprovalStatus: 'Rejected', UpdatedModelPackageFields: ['ModelApprovalStatus'] }))).toBe(false);
      expect(matchesPattern(pattern, event({ ModelApprovalStatus: 'Approved', UpdatedModelPackageFields: ['CustomerMetadataProperties'] }))).toBe(false);
      const other = stage === 'dev' ? 'prod' : 'dev';
      expect(matchesPattern(pattern, event({ ModelPackageGroupName: `mlops-${other}-abalone`, ModelApprovalStatus: 'Approved', UpdatedModelPackageFields: ['ModelApprovalStatus'] }))).toBe(false);
    });

    it('starts the deploy state machine with a deploy request, through a role that may do only that', () => {
      const [target] = rule().Targets;
      expect(target.Arn).toEqual({ Ref: 'MlopsDeployStateMachine' });
      expect(target.InputTransformer.InputPathsMap).toEqual({ modelPackageArn: '$.detail.ModelPackageArn' });
      expect(JSON.parse(target.InputTransformer.InputTemplate.replace('<modelPackageArn>', '"arn:x"'))).toEqual({ modelPackageArn: 'arn:x', reason: 'approval' });
      const role = t().Resources[target.RoleArn['Fn::GetAtt'][0]]!;
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } },
      ]);
      expect(statementsOf(role)).toEqual([{ Sid: 'StartDeploy', Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: 'MlopsDeployStateMachine' } }]);
    });

    it('exports what the operator CLI reads', () => {
      expect(Object.keys(t().Outputs ?? {})).toEqual(expect.arrayContaining(['DataBucketName', 'PipelineStateMachineArn', 'DeployStateMachineArn', 'NamePrefix', 'RunsPrefix', 'ApprovalPolicy']));
      expect(t().Outputs!.ApprovalPolicy!.Value).toBe(stage === 'prod' ? 'manual' : 'auto');
    });
  });

  describe('notifications (resources/notifications.yml)', () => {
    const NOTIFY_RULES = [
      'NotifyRunSucceededRule',
      'NotifyRunFailedRule',
      'NotifyRunStoppedRule',
      'NotifyAwaitingApprovalRule',
      'NotifyApprovalDecidedRule',
      'NotifyDeployFailedRule',
      'NotifyDeployStoppedRule',
      'NotifyPreprocessFailedRule',
      'NotifyPreprocessStoppedRule',
    ];
    const EXECUTION = `arn:aws:states:us-east-1:123456789012:execution:mlops-${stage}-pipeline:abalone-7aa1b19755`;
    const envelope = (source: string, detailType: string, detail: Record<string, unknown>): EventBridgeEvent => ({
      version: '0',
      id: '5d2c7f3a-0000-4000-8000-000000000000',
      source,
      account: '123456789012',
      time: '2026-12-06T10:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': detailType,
      detail,
    });
    const execution = (detail: Record<string, unknown>) =>
      envelope('aws.states', 'Step Functions Execution Status Change', { executionArn: EXECUTION, stateMachineArn: 'PIPELINE', name: 'abalone-7aa1b19755', status: 'SUCCEEDED', error: null, cause: null, ...detail });
    const pkg = (detail: Record<string, unknown>) =>
      envelope('aws.sagemaker', 'SageMaker Model Package State Change', {
        ModelPackageGroupName: `mlops-${stage}-abalone`,
        ModelPackageVersion: 4,
        ModelPackageArn: `arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-${stage}-abalone/4`,
        ModelApprovalStatus: 'PendingManualApproval',
        CustomerMetadataProperties: { family: 'abalone', runId: 'abalone-7aa1b19755' },
        ...detail,
      });
    /** The rule's pattern with the state machines' Refs standing for PIPELINE and DEPLOY. */
    const patternOf = (id: string) =>
      JSON.parse(
        JSON.stringify(t().Resources[id]!.Properties.EventPattern)
          .replaceAll(JSON.stringify({ Ref: 'MlopsPipelineStateMachine' }), '"PIPELINE"')
          .replaceAll(JSON.stringify({ Ref: 'MlopsDeployStateMachine' }), '"DEPLOY"')
          .replaceAll(JSON.stringify({ Ref: 'MlopsPreprocessStateMachine' }), '"PREPROCESS"'),
      ) as Record<string, unknown>;
    /** The rules an event matches, by logical id. */
    const matching = (event: EventBridgeEvent) => NOTIFY_RULES.filter((id) => matchesPattern(patternOf(id), event));
    const targetOf = (id: string): LocalTarget => {
      const [target] = t().Resources[id]!.Properties.Targets as { Id: string; Arn: unknown; InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } }[];
      return { id: target!.Id, arn: 'arn:aws:sns:us-east-1:123456789012:topic', inputTransformer: { inputPathsMap: target!.InputTransformer.InputPathsMap, inputTemplate: target!.InputTransformer.InputTemplate } };
    };
    /** The message EventBridge sends the topic for this event. */
    const message = (id: string, event: EventBridgeEvent) => {
      const rendered = targetInput(targetOf(id), event, { ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/x', ruleName: 'x', ingestionTime: event.time });
      if (!rendered.ok) throw new Error(rendered.error);
      return rendered.input;
    };

    it("has the stage's topic, encrypted with a key EventBridge may use, published to only by this account's notification rules", () => {
      expect(t().Resources.NotificationTopic!.Properties).toEqual({ TopicName: `mlops-${stage}-notifications`, DisplayName: `mlops ${stage}`, KmsMasterKeyId: { Ref: 'NotificationKey' } });
      const key = t().Resources.NotificationKey!;
      expect(key.Properties).toMatchObject({ EnableKeyRotation: true, PendingWindowInDays: 7 });
      // The AWS managed key (alias/aws/sns) would not let EventBridge publish: its policy cannot name events.amazonaws.com.
      expect(key.Properties.KeyPolicy.Statement).toContainEqual({
        Sid: 'EventBridgePublishesToTheTopic',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
      });
      const policy = t().Resources.NotificationTopicPolicy!.Properties;
      expect(policy.Topics).toEqual([{ Ref: 'NotificationTopic' }]);
      expect(policy.PolicyDocument.Statement).toEqual([
        {
          Sid: 'NotificationRulesPublish',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: 'NotificationTopic' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnEquals: { 'aws:SourceArn': NOTIFY_RULES.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })) } },
        },
      ]);
      // Every rule that targets the topic is named in the policy, and no rule needs a role for it.
      const targeting = ofType(t(), 'AWS::Events::Rule').filter(([, r]) => (r.Properties.Targets as { Arn: unknown }[]).some((x) => JSON.stringify(x.Arn) === JSON.stringify({ Ref: 'NotificationTopic' })));
      expect(targeting.map(([id]) => id).sort()).toEqual([...NOTIFY_RULES].sort());
      for (const [, rule] of targeting) for (const target of rule.Properties.Targets) expect(target.RoleArn).toBeUndefined();
      expect(t().Outputs!.NotificationTopicArn!.Value).toEqual({ Ref: 'NotificationTopic' });
    });

    it('subscribes an email address and an HTTPS endpoint only when the stage sets notifyEmail / notifyHttps (not by default)', () => {
      const conditions = (t() as Template & { Conditions: Record<string, unknown> }).Conditions;
      expect(conditions.NotifyEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
      expect(conditions.NotifyHttps).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
      const subscriptions = ofType(t(), 'AWS::SNS::Subscription') as [string, Resource & { Condition?: string }][];
      expect(subscriptions.map(([id, s]) => [id, s.Condition, s.Properties.Protocol, s.Properties.TopicArn])).toEqual([
        ['NotificationEmailSubscription', 'NotifyEmail', 'email', { Ref: 'NotificationTopic' }],
        ['NotificationHttpsSubscription', 'NotifyHttps', 'https', { Ref: 'NotificationTopic' }],
      ]);
    });

    it('has patterns and targets EventBridge accepts', () => {
      for (const id of NOTIFY_RULES) {
        expect(() => validatePattern(patternOf(id))).not.toThrow();
        expect(() => validateTarget(targetOf(id))).not.toThrow();
      }
    });

    it("reports every end of this stage's pipeline runs once, and nothing while they run or for another stage's machine", () => {
      expect(matching(execution({ status: 'SUCCEEDED' }))).toEqual(['NotifyRunSucceededRule']);
      expect(matching(execution({ status: 'FAILED' }))).toEqual(['NotifyRunFailedRule']);
      expect(matching(execution({ status: 'TIMED_OUT' }))).toEqual(['NotifyRunStoppedRule']);
      expect(matching(execution({ status: 'ABORTED' }))).toEqual(['NotifyRunStoppedRule']);
      expect(matching(execution({ status: 'RUNNING' }))).toEqual([]);
      expect(matching(execution({ status: 'FAILED', stateMachineArn: 'OTHER' }))).toEqual([]);
      expect(matching(execution({ status: 'FAILED', stateMachineArn: 'DEPLOY' }))).toEqual(['NotifyDeployFailedRule']);
      expect(matching(execution({ status: 'ABORTED', stateMachineArn: 'DEPLOY' }))).toEqual(['NotifyDeployStoppedRule']);
      expect(matching(execution({ status: 'TIMED_OUT', stateMachineArn: 'DEPLOY' }))).toEqual(['NotifyDeployStoppedRule']);
      // A deploy that succeeded is reported by its run (or its approval), not on its own.
      expect(matching(execution({ status: 'SUCCEEDED', stateMachineArn: 'DEPLOY' }))).toEqual([]);
      // The scale path's preprocessing: its failures and stops; its success started the run's pipeline, which reports the run.
      expect(matching(execution({ status: 'FAILED', stateMachineArn: 'PREPROCESS' }))).toEqual(['NotifyPreprocessFailedRule']);
      expect(matching(execution({ status: 'ABORTED', stateMachineArn: 'PREPROCESS' }))).toEqual(['NotifyPreprocessStoppedRule']);
      expect(matching(execution({ status: 'TIMED_OUT', stateMachineArn: 'PREPROCESS' }))).toEqual(['NotifyPreprocessStoppedRule']);
      expect(matching(execution({ status: 'SUCCEEDED', stateMachineArn: 'PREPROCESS' }))).toEqual([]);
      expect(matching(execution({ status: 'RUNNING', stateMachineArn: 'PREPROCESS' }))).toEqual([]);
    });

    it("reports a version of this stage's groups that awaits approval or was approved or rejected, and nothing else", () => {
      expect(matching(pkg({}))).toEqual(['NotifyAwaitingApprovalRule']);
      expect(matching(pkg({ UpdatedModelPackageFields: ['ModelApprovalStatus'] }))).toEqual(['NotifyAwaitingApprovalRule']);
      expect(matching(pkg({ UpdatedModelPackageFields: ['CustomerMetadataProperties'] }))).toEqual([]);
      expect(matching(pkg({ ModelApprovalStatus: 'Approved', UpdatedModelPackageFields: ['ModelApprovalStatus'] }))).toEqual(['NotifyApprovalDecidedRule']);
      expect(matching(pkg({ ModelApprovalStatus: 'Rejected', UpdatedModelPackageFields: ['ModelApprovalStatus'] }))).toEqual(['NotifyApprovalDecidedRule']);
      // Registered Approved by auto approval: its run reports it.
      expect(matching(pkg({ ModelApprovalStatus: 'Approved' }))).toEqual([]);
      const other = stage === 'dev' ? 'prod' : 'dev';
      expect(matching(pkg({ ModelPackageGroupName: `mlops-${other}-abalone` }))).toEqual([]);
      expect(matching(pkg({ ModelPackageGroupName: `mlops-${other}-abalone`, ModelApprovalStatus: 'Approved', UpdatedModelPackageFields: ['ModelApprovalStatus'] }))).toEqual([]);
    });

    it('sends short messages: the run and its outcome, the error and cause, the approve command', () => {
      expect(message('NotifyRunSucceededRule', execution({ status: 'SUCCEEDED' }))).toBe(
        `Run abalone-7aa1b19755 of stage ${stage} ended SUCCEEDED (deployed or awaiting approval: see the run record runs/abalone-7aa1b19755/run.json, or pnpm mlops runs --stage ${stage}). Execution: ${EXECUTION}`,
      );
      expect(message('NotifyRunFailedRule', execution({ status: 'FAILED', error: 'QualityGateFailed', cause: 'mse 5.91 (challenger) is worse than 4.86 (champion, abalone v3)' }))).toBe(
        `Run abalone-7aa1b19755 of stage ${stage} ended FAILED: QualityGateFailed: mse 5.91 (challenger) is worse than 4.86 (champion, abalone v3). Run record: runs/abalone-7aa1b19755/run.json; execution: ${EXECUTION}`,
      );
      expect(message('NotifyRunStoppedRule', execution({ status: 'TIMED_OUT' }))).toBe(
        `Run abalone-7aa1b19755 of stage ${stage} ended TIMED_OUT: its jobs are stopped and the run is recorded in runs/abalone-7aa1b19755/run.json. Execution: ${EXECUTION}`,
      );
      expect(message('NotifyAwaitingApprovalRule', pkg({}))).toBe(
        `Model abalone v4 of stage ${stage} awaits approval (group mlops-${stage}-abalone, PendingManualApproval). Approve it: pnpm mlops approve abalone 4 --stage ${stage} (approving deploys it); or reject it: pnpm mlops reject abalone 4 --stage ${stage} --reason 'why'. Package: arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-${stage}-abalone/4`,
      );
      expect(message('NotifyApprovalDecidedRule', pkg({ ModelApprovalStatus: 'Rejected', ApprovalDescription: 'drift on Q3 data', UpdatedModelPackageFields: ['ModelApprovalStatus'] }))).toMatch(
        new RegExp(`^Model abalone v4 of stage ${stage} is now Rejected \\(group mlops-${stage}-abalone; reason: drift on Q3 data\\)\\. `),
      );
      expect(message('NotifyDeployFailedRule', execution({ status: 'FAILED', stateMachineArn: 'DEPLOY', name: 'abalone-v4-approval', error: 'DeploymentFailed', cause: 'update rolled back: ...' }))).toBe(
        `Deploy abalone-v4-approval of stage ${stage} ended FAILED: DeploymentFailed: update rolled back: .... Execution: ${EXECUTION}`,
      );
      const preprocessExecution = `arn:aws:states:us-east-1:123456789012:execution:mlops-${stage}-preprocess:big-0123456789`;
      expect(
        message(
          'NotifyPreprocessFailedRule',
          execution({ status: 'FAILED', stateMachineArn: 'PREPROCESS', name: 'big-0123456789', executionArn: preprocessExecution, error: 'ProcessingJobFailed', cause: 'AlgorithmError: part-3.csv line 12: 9 fields, expected 8' }),
        ),
      ).toBe(
        `Run big-0123456789 of stage ${stage} failed in preprocessing: ProcessingJobFailed: AlgorithmError: part-3.csv line 12: 9 fields, expected 8. No pipeline run started; the failure is recorded in runs/rejected/big-0123456789.json. Execution: ${preprocessExecution}`,
      );
      expect(message('NotifyPreprocessStoppedRule', execution({ status: 'ABORTED', stateMachineArn: 'PREPROCESS', name: 'big-0123456789', executionArn: preprocessExecution }))).toBe(
        `Run big-0123456789 of stage ${stage} ended ABORTED in preprocessing: its processing jobs are stopped and no pipeline run started. Execution: ${preprocessExecution}`,
      );
      for (const id of NOTIFY_RULES) expect({ id, length: targetOf(id).inputTransformer!.inputTemplate.length < 400 }).toEqual({ id, length: true });
    });
  });

  it('hardens the data bucket: public access blocked, encrypted, versioned, TLS only, retained', () => {
    const id = 'DataBucket';
    const bucket = t().Resources[id]!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toMatch(/AES256|aws:kms/);
    const [[, policy]] = ofType(t(), 'AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket.Ref === id) as [[string, Resource]];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it("blocks public access to the framework's deployment bucket too", () => {
    const bucket = t().Resources.ServerlessDeploymentBucket!;
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.BucketEncryption).toBeDefined();
  });

  it('triggers mlops_ingest on .csv uploads under the incoming prefix, disjoint from every output prefix', () => {
    const bucket = t().Resources.DataBucket!;
    const [config] = bucket.Properties.NotificationConfiguration.LambdaConfigurations;
    expect(config.Event).toBe('s3:ObjectCreated:*');
    expect(config.Function).toEqual({ 'Fn::GetAtt': ['MlopsUnderscoreingestLambdaFunction', 'Arn'] });
    const rules = Object.fromEntries(config.Filter.S3Key.Rules.map((r: { Name: string; Value: string }) => [r.Name, r.Value]));
    expect(rules).toEqual({ prefix: 'incoming/', suffix: '.csv' });
    const runsPrefix = ofType(t(), 'AWS::Lambda::Function')[0]![1].Properties.Environment.Variables.RUNS_PREFIX as string;
    expect(runsPrefix.startsWith(rules.prefix) || rules.prefix.startsWith(runsPrefix)).toBe(false);
    const [[, permission]] = ofType(t(), 'AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 's3.amazonaws.com') as [[string, Resource]];
    expect(permission.Properties.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
  });

  it('uses no wildcard IAM action, and Resource "*" only where AWS offers nothing narrower', () => {
    for (const [id, role] of ofType(t(), 'AWS::IAM::Role')) {
      for (const s of statementsOf(role).filter((x) => x.Effect === 'Allow')) {
        for (const action of asList(s.Action)) {
          expect({ id, action, wildcard: action.includes('*') }).toEqual({ id, action, wildcard: false });
          if (asList(s.Resource as unknown).includes('*')) expect({ id, action, allowedOnStar: STAR_RESOURCE_ALLOWED.has(action) }).toEqual({ id, action, allowedOnStar: true });
        }
      }
      expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
    }
  });

  it('scopes SageMaker actions to the stage prefix and PassRole to the SageMaker role', () => {
    for (const [id, role] of ofType(t(), 'AWS::IAM::Role')) {
      for (const s of statementsOf(role).filter((x) => x.Effect === 'Allow')) {
        const actions = asList(s.Action);
        if (actions.some((a) => a.startsWith('sagemaker:'))) {
          for (const r of asList(s.Resource as unknown)) expect({ id, r: JSON.stringify(r) }).toEqual({ id, r: expect.stringContaining(`/mlops-${stage}-`) });
        }
        if (actions.includes('iam:PassRole')) {
          expect(s.Resource).toEqual({ 'Fn::GetAtt': ['SageMakerExecutionRole', 'Arn'] });
          expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
        }
      }
    }
  });

  it('gives each function only the permissions it uses', () => {
    const actions = Object.fromEntries(FUNCTIONS.map((f) => [f, allowedActions(roleOf(t(), f))]));
    // Ingest creates and stops the scale path's processing jobs, and nothing else on SageMaker.
    expect(actions.mlops_ingest!.filter((a) => a.startsWith('sagemaker:')).sort()).toEqual(['sagemaker:AddTags', 'sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob']);
    for (const f of FUNCTIONS) expect({ f, starts: actions[f]!.includes('states:StartExecution') }).toEqual({ f, starts: f === 'mlops_ingest' });
    // Only mlops_register writes to the registry, and nothing changes an approval but a person (or the CLI).
    for (const f of FUNCTIONS) expect({ f, registers: actions[f]!.includes('sagemaker:CreateModelPackage') }).toEqual({ f, registers: f === 'mlops_register' });
    for (const f of FUNCTIONS) expect({ f, approves: actions[f]!.includes('sagemaker:UpdateModelPackage') }).toEqual({ f, approves: false });
    expect(actions.mlops_await!.filter((a) => /^sagemaker:(Create|Update|Delete)/.test(a))).toEqual([]);
    for (const f of FUNCTIONS) expect({ f, deletes: actions[f]!.some((a) => /^sagemaker:Delete/.test(a)) }).toEqual({ f, deletes: false });
    expect(actions.mlops_eval!.filter((a) => !a.startsWith('s3:') && !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual([]);
  });

  it('lets only SageMaker assume the SageMaker execution role', () => {
    const role = t().Resources.SageMakerExecutionRole!;
    const trust = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0].Principal).toEqual({ Service: 'sagemaker.amazonaws.com' });
  });

  it('sets a retention on every log group and uses no deprecated runtime', () => {
    const groups = ofType(t(), 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(FUNCTIONS.length + 1);
    for (const [id, g] of groups) expect({ id, retention: g.Properties.RetentionInDays }).toEqual({ id, retention: expect.any(Number) });
    for (const [, fn] of ofType(t(), 'AWS::Lambda::Function')) expect(fn.Properties.Runtime).not.toMatch(/nodejs(1[0-8]|[0-9])\.x/);
  });
});

describe('notification subscriptions per stage (resources/notifications.yml)', () => {
  /** CloudFormation's Fn::Not / Fn::Equals over literal values. */
  const holds = (condition: unknown): boolean => {
    const c = condition as { 'Fn::Not'?: [unknown]; 'Fn::Equals'?: [unknown, unknown] };
    if (c['Fn::Not']) return !holds(c['Fn::Not'][0]);
    if (c['Fn::Equals']) return c['Fn::Equals'][0] === c['Fn::Equals'][1];
    throw new Error(`not a condition this test evaluates: ${JSON.stringify(condition)}`);
  };
  /** The stage's resources as `sls print` resolves them, with parameters given on the command line. */
  const printed = (stage: string, params: string[]) => {
    const root = projectRoot();
    const out = execFileSync(join(root, 'node_modules', '.bin', 'sls'), ['print', '--stage', stage, '--format', 'json', ...params.map((p) => `--param=${p}`)], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', AWS_ACCESS_KEY_ID: 'offline', AWS_SECRET_ACCESS_KEY: 'offline' },
    });
    return (JSON.parse(out.slice(out.indexOf('{'))) as { resources: { Conditions: Record<string, unknown>; Resources: Record<string, Resource> } }).resources;
  };

  it('creates no subscription by default, and the email and HTTPS subscriptions a stage sets', () => {
    for (const stage of ['dev', 'prod']) {
      const conditions = (templates[stage] as Template & { Conditions: Record<string, unknown> }).Conditions;
      expect({ stage, email: holds(conditions.NotifyEmail), https: holds(conditions.NotifyHttps) }).toEqual({ stage, email: false, https: false });
    }
    const set = printed('prod', ['notifyEmail=ml-team@example.com', 'notifyHttps=https://hooks.example.com/mlops']);
    expect([holds(set.Conditions.NotifyEmail), holds(set.Conditions.NotifyHttps)]).toEqual([true, true]);
    expect(set.Resources.NotificationEmailSubscription!.Properties).toEqual({ TopicArn: { Ref: 'NotificationTopic' }, Protocol: 'email', Endpoint: 'ml-team@example.com' });
    expect(set.Resources.NotificationHttpsSubscription!.Properties).toEqual({ TopicArn: { Ref: 'NotificationTopic' }, Protocol: 'https', Endpoint: 'https://hooks.example.com/mlops' });
    const one = printed('prod', ['notifyEmail=ml-team@example.com']);
    expect([holds(one.Conditions.NotifyEmail), holds(one.Conditions.NotifyHttps)]).toEqual([true, false]);
  }, 120_000);
});
