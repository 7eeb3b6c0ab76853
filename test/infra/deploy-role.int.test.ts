/**
 * The deploy roles (deploy/github-deploy-role.yml) can deploy what `sls package` produces for dev
 * and prod: every resource of the packaged template, by its type, needs the actions CloudFormation
 * calls with the deployer's credentials to create, read, update and delete it (the resource
 * providers' handler permissions, trimmed to the properties the template sets), on that resource's
 * ARN; and osls needs its stack, its artifacts and its function look-ups. A resource type, or a
 * property that needs more permissions, that this table does not know fails the test: add the
 * permission to the role and the row here. The role of the other stage may do none of it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@mlops/serverless-config';
import { packagedTemplates, type Resource, type Template } from './packaged';
import { ACCOUNT, allows, REGION, resolve, roleTemplate, type Statement } from './deploy-role';

const STAGES = ['dev', 'prod'] as const;
const cfn = { 'aws:CalledVia': ['cloudformation.amazonaws.com'] };
const role = roleTemplate();
const statementsOf = (stage: string): Statement[] =>
  resolve(role, role.Resources[`DeployRole${stage}`], { parameters: { GitHubOrg: 'octo-org', GitHubRepo: 'octo-repo' } }).Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);

let templates: Record<string, Template> = {};
beforeAll(async () => {
  templates = await packagedTemplates(['dev', 'prod']);
}, 300_000);

/** CloudFormation's IAM service prefix per resource type namespace (AWS::<Namespace>::<Type>). */
const SERVICE_PREFIX: Record<string, string> = { S3: 's3', IAM: 'iam', Lambda: 'lambda', Logs: 'logs', StepFunctions: 'states', Events: 'events', Scheduler: 'scheduler', SQS: 'sqs', SNS: 'sns', CloudWatch: 'cloudwatch', KMS: 'kms' };

type Ctx = { stage: string; id: string; resource: Resource; template: Template };
/** A resource CloudFormation names itself: <stack>-<LogicalId>-<random>. */
const generated = (c: Ctx, max: number) => {
  const name = `mlops-${c.stage}-${c.id}-A1B2C3D4E5F6`;
  if (name.length > max) throw new Error(`${c.id}: a generated name longer than ${max} characters is truncated by CloudFormation; check the role's prefix still matches`);
  return name;
};
const arn = (service: string, rest: string, region = REGION) => `arn:aws:${service}:${region}:${ACCOUNT}:${rest}`;
/** Resolves the names the packaged template gives (Fn::Sub of pseudo parameters, Ref/GetAtt of its own resources). */
function nameOf(c: Ctx, value: any): string {
  if (typeof value === 'string') return value;
  if (value?.['Fn::Sub']) return String(value['Fn::Sub']).replace('${AWS::AccountId}', ACCOUNT).replace('${AWS::Region}', REGION).replace('${AWS::Partition}', 'aws');
  const target = value?.Ref ?? value?.['Fn::GetAtt']?.[0];
  if (target && c.template.Resources[target]) return arnOf({ ...c, id: target, resource: c.template.Resources[target]! })[0]!;
  throw new Error(`${c.id}: cannot name ${JSON.stringify(value)}`);
}
function arnOf(c: Ctx): string[] {
  const p = c.resource.Properties ?? {};
  switch (c.resource.Type) {
    case 'AWS::S3::Bucket':
      return [`arn:aws:s3:::${p.BucketName ? nameOf(c, p.BucketName) : generated(c, 63).toLowerCase()}`];
    case 'AWS::S3::BucketPolicy':
      return [nameOf(c, p.Bucket)];
    case 'AWS::IAM::Role':
      return [`arn:aws:iam::${ACCOUNT}:role/${p.RoleName ?? generated(c, 64)}`];
    case 'AWS::Lambda::Function':
      return [arn('lambda', `function:${p.FunctionName}`)];
    case 'AWS::Lambda::Version':
      return [`${nameOf(c, p.FunctionName)}:7`];
    case 'AWS::Lambda::Permission':
    case 'AWS::Lambda::EventInvokeConfig':
      return [nameOf(c, p.FunctionName)];
    case 'AWS::Logs::LogGroup':
      return [arn('logs', `log-group:${p.LogGroupName}:*`)];
    case 'AWS::StepFunctions::StateMachine':
      return [arn('states', `stateMachine:${p.StateMachineName}`)];
    case 'AWS::Events::Rule':
      return [arn('events', `rule/${p.Name ?? generated(c, 64)}`)];
    case 'AWS::Scheduler::Schedule':
      return [arn('scheduler', `schedule/${p.GroupName ?? 'default'}/${p.Name}`)];
    case 'AWS::SQS::Queue':
      return [arn('sqs', p.QueueName)];
    case 'AWS::SNS::Topic':
      return [arn('sns', p.TopicName)];
    case 'AWS::SNS::TopicPolicy':
      return p.Topics.map((t: unknown) => nameOf(c, t));
    case 'AWS::SNS::Subscription': {
      const topic = nameOf(c, p.TopicArn);
      return [topic, `${topic}:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0`];
    }
    case 'AWS::CloudWatch::Alarm':
      return [arn('cloudwatch', `alarm:${p.AlarmName}`)];
    case 'AWS::KMS::Key':
      return [arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab')];
    default:
      throw new Error(`no ARN for ${c.resource.Type}`);
  }
}

/**
 * What CloudFormation needs per resource type: `actions` for any resource of the type, and
 * `properties`: every property the packaged template may set, with the extra actions it needs
 * (`[]`: none). `passRole`: the properties that hand a role to a service.
 */
type Need = { actions: string[]; properties: Record<string, string[]>; passRole?: Record<string, string> };
const NEEDS: Record<string, Need> = {
  'AWS::S3::Bucket': {
    actions: ['s3:CreateBucket', 's3:DeleteBucket', 's3:ListBucket', 's3:GetBucketLocation', 's3:PutBucketTagging', 's3:GetBucketTagging'],
    properties: {
      BucketName: [],
      BucketEncryption: ['s3:PutEncryptionConfiguration', 's3:GetEncryptionConfiguration'],
      PublicAccessBlockConfiguration: ['s3:PutBucketPublicAccessBlock', 's3:GetBucketPublicAccessBlock'],
      VersioningConfiguration: ['s3:PutBucketVersioning', 's3:GetBucketVersioning'],
      OwnershipControls: ['s3:PutBucketOwnershipControls', 's3:GetBucketOwnershipControls'],
      LifecycleConfiguration: ['s3:PutLifecycleConfiguration', 's3:GetLifecycleConfiguration'],
      NotificationConfiguration: ['s3:PutBucketNotification', 's3:GetBucketNotification'],
    },
  },
  'AWS::S3::BucketPolicy': { actions: ['s3:PutBucketPolicy', 's3:GetBucketPolicy', 's3:DeleteBucketPolicy'], properties: { Bucket: [], PolicyDocument: [] } },
  'AWS::IAM::Role': {
    actions: ['iam:CreateRole', 'iam:GetRole', 'iam:DeleteRole', 'iam:UpdateAssumeRolePolicy', 'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies', 'iam:TagRole', 'iam:UntagRole'],
    properties: { AssumeRolePolicyDocument: [], Policies: ['iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy'], Description: ['iam:UpdateRoleDescription'], MaxSessionDuration: ['iam:UpdateRole'] },
  },
  'AWS::Lambda::Function': {
    actions: ['lambda:CreateFunction', 'lambda:GetFunction', 'lambda:DeleteFunction', 'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags', 'lambda:GetFunctionCodeSigningConfig', 'lambda:GetRuntimeManagementConfig'],
    properties: { Code: [], Handler: [], Runtime: [], FunctionName: [], MemorySize: [], Timeout: [], Architectures: [], Description: [], TracingConfig: [], Environment: [], Role: [] },
    passRole: { Role: 'lambda.amazonaws.com' },
  },
  'AWS::Lambda::Version': { actions: ['lambda:PublishVersion', 'lambda:GetFunctionConfiguration', 'lambda:GetProvisionedConcurrencyConfig'], properties: { FunctionName: [], CodeSha256: [], Description: [] } },
  'AWS::Lambda::Permission': { actions: ['lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy'], properties: { FunctionName: [], Action: [], Principal: [], SourceArn: [], SourceAccount: [] } },
  'AWS::Lambda::EventInvokeConfig': {
    actions: ['lambda:PutFunctionEventInvokeConfig', 'lambda:UpdateFunctionEventInvokeConfig', 'lambda:GetFunctionEventInvokeConfig', 'lambda:DeleteFunctionEventInvokeConfig'],
    properties: { FunctionName: [], DestinationConfig: [], Qualifier: [], MaximumRetryAttempts: [] },
  },
  'AWS::Logs::LogGroup': { actions: ['logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:TagResource', 'logs:ListTagsForResource'], properties: { LogGroupName: [], RetentionInDays: ['logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy'] } },
  'AWS::StepFunctions::StateMachine': {
    actions: ['states:CreateStateMachine', 'states:DescribeStateMachine', 'states:UpdateStateMachine', 'states:DeleteStateMachine', 'states:TagResource', 'states:ListTagsForResource'],
    properties: { DefinitionString: [], RoleArn: [], StateMachineType: [], LoggingConfiguration: [], TracingConfiguration: [], StateMachineName: [] },
    passRole: { RoleArn: 'states.amazonaws.com' },
  },
  'AWS::Events::Rule': {
    actions: ['events:PutRule', 'events:DescribeRule', 'events:DeleteRule', 'events:PutTargets', 'events:RemoveTargets', 'events:ListTargetsByRule', 'events:TagResource', 'events:ListTagsForResource'],
    properties: { Description: [], State: ['events:EnableRule', 'events:DisableRule'], EventPattern: [], Targets: [] },
    passRole: { 'Targets.RoleArn': 'events.amazonaws.com' },
  },
  'AWS::Scheduler::Schedule': {
    actions: ['scheduler:CreateSchedule', 'scheduler:GetSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
    properties: { Name: [], Description: [], ScheduleExpression: [], ScheduleExpressionTimezone: [], FlexibleTimeWindow: [], State: [], Target: [] },
    passRole: { 'Target.RoleArn': 'scheduler.amazonaws.com' },
  },
  'AWS::SQS::Queue': { actions: ['sqs:CreateQueue', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes', 'sqs:SetQueueAttributes', 'sqs:DeleteQueue', 'sqs:TagQueue', 'sqs:ListQueueTags'], properties: { QueueName: [], MessageRetentionPeriod: [], SqsManagedSseEnabled: [] } },
  'AWS::SNS::Topic': {
    actions: ['sns:CreateTopic', 'sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:DeleteTopic', 'sns:ListSubscriptionsByTopic', 'sns:TagResource', 'sns:ListTagsForResource'],
    properties: { TopicName: [], DisplayName: [], KmsMasterKeyId: [] },
  },
  'AWS::SNS::TopicPolicy': { actions: ['sns:SetTopicAttributes', 'sns:GetTopicAttributes'], properties: { Topics: [], PolicyDocument: [] } },
  'AWS::SNS::Subscription': { actions: ['sns:Subscribe', 'sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes'], properties: { TopicArn: [], Protocol: [], Endpoint: [] } },
  'AWS::CloudWatch::Alarm': {
    actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource', 'cloudwatch:ListTagsForResource'],
    properties: Object.fromEntries(['AlarmName', 'AlarmDescription', 'Namespace', 'MetricName', 'Dimensions', 'Statistic', 'Period', 'EvaluationPeriods', 'Threshold', 'ComparisonOperator', 'TreatMissingData'].map((k) => [k, []])),
  },
  'AWS::KMS::Key': {
    actions: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:PutKeyPolicy', 'kms:ListResourceTags', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion'],
    properties: { Description: ['kms:UpdateKeyDescription'], EnableKeyRotation: ['kms:EnableKeyRotation', 'kms:GetKeyRotationStatus'], PendingWindowInDays: [], KeyPolicy: [] },
  },
};
/** Actions on "*" (no resource) that creating a type needs besides the above. */
const NEEDS_ON_STAR: Record<string, string[]> = { 'AWS::KMS::Key': ['kms:CreateKey'], 'AWS::Logs::LogGroup': ['logs:DescribeLogGroups'] };

/** The role ARNs a property hands over (`Targets.RoleArn`: in each element of the Targets list). */
function passedRoles(c: Ctx, path: string): string[] {
  const [first, second] = path.split('.') as [string, string | undefined];
  const values = [c.resource.Properties?.[first]].flat().filter(Boolean);
  return (second ? values.map((v: any) => v?.[second]).filter(Boolean) : values).map((v: unknown) => nameOf(c, v));
}

/** What the stage's role lacks to deploy a template: unknown types and properties, missing actions and role passing. */
function coverageGaps(stage: string, template: Template): string[] {
  const statements = statementsOf(stage);
  const granted = new Set(statementsOf(stage).flatMap((s) => [s.Action].flat().map((a) => String(a).split(':')[0])));
  const gaps: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const c: Ctx = { stage, id, resource, template };
    const prefix = SERVICE_PREFIX[resource.Type.split('::')[1]!];
    if (!prefix) gaps.push(`${id}: ${resource.Type}: no IAM service prefix known (SERVICE_PREFIX)`);
    else if (!granted.has(prefix)) gaps.push(`${id}: ${resource.Type}: the role grants nothing of ${prefix}`);
    const need = NEEDS[resource.Type];
    if (!need) {
      gaps.push(`${id}: ${resource.Type}: unknown resource type (NEEDS)`);
      continue;
    }
    const unknown = Object.keys(resource.Properties ?? {}).filter((p) => !(p in need.properties));
    for (const p of unknown) gaps.push(`${id}: ${resource.Type}.${p}: unknown property (NEEDS)`);
    const actions = [...need.actions, ...Object.keys(resource.Properties ?? {}).flatMap((p) => need.properties[p] ?? [])];
    for (const target of arnOf(c)) for (const action of actions) if (!allows(statements, action, target, cfn)) gaps.push(`${id}: ${action} on ${target}`);
    for (const action of NEEDS_ON_STAR[resource.Type] ?? []) if (!allows(statements, action, '*', cfn)) gaps.push(`${id}: ${action} on *`);
    for (const [path, service] of Object.entries(need.passRole ?? {})) {
      for (const passed of passedRoles(c, path)) if (!allows(statements, 'iam:PassRole', passed, { ...cfn, 'iam:PassedToService': service })) gaps.push(`${id}: iam:PassRole of ${passed} to ${service}`);
    }
  }
  return gaps;
}

describe.each(STAGES)('the %s deploy role and the packaged template', (stage) => {
  const t = () => templates[stage]!;

  it('covers every resource type, property and role hand-over of the template', () => {
    expect(new Set(Object.values(t().Resources).map((r) => r.Type)).size).toBeGreaterThanOrEqual(15);
    expect(coverageGaps(stage, t())).toEqual([]);
  });

  it("is the list of resource types docs/DEPLOYING.md gives the deployer's permissions for", () => {
    const doc = readFileSync(join(projectRoot(), 'docs/DEPLOYING.md'), 'utf8');
    const section = doc.slice(doc.indexOf("## The deployer's permissions"), doc.indexOf('## SageMaker quotas'));
    const named = new Set([...section.matchAll(/`(AWS::\w+::\w+)`|`::(\w+)`/g)].map((m) => m[1] ?? m[2]));
    // `AWS::Lambda::Function`, `::Version`: a short form names another type of the same namespace.
    const documented = (type: string) => named.has(type) || named.has(type.split('::')[2]!);
    for (const type of new Set(Object.values(t().Resources).map((r) => r.Type))) expect({ type, documented: documented(type) }).toEqual({ type, documented: true });
  });

  it('fails on a resource type, a property or a role hand-over it does not cover', () => {
    const data = Object.entries(t().Resources).find(([, r]) => r.Type === 'AWS::S3::Bucket' && r.Properties.BucketName)!;
    const changed: Template = {
      ...t(),
      Resources: {
        ...t().Resources,
        QueuePolicy: { Type: 'AWS::SQS::QueuePolicy', Properties: {} },
        [data[0]]: { ...data[1], Properties: { ...data[1].Properties, CorsConfiguration: { CorsRules: [] } } },
        Renamed: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'ml-ops-queue' } },
        Pass: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: `mlops-${stage}-extra`, Role: `arn:aws:iam::${ACCOUNT}:role/other-role` } },
      },
    };
    const gaps = coverageGaps(stage, changed).join('\n');
    expect(gaps).toMatch(/QueuePolicy: AWS::SQS::QueuePolicy: unknown resource type/);
    expect(gaps).toMatch(/AWS::S3::Bucket.CorsConfiguration: unknown property/);
    expect(gaps).toMatch(/Renamed: sqs:CreateQueue on arn:aws:sqs:us-east-1:123456789012:ml-ops-queue/);
    expect(gaps).toMatch(/Pass: iam:PassRole of arn:aws:iam::123456789012:role\/other-role to lambda.amazonaws.com/);
  });

  it("allows osls its stack, artifacts and function look-ups, and none of the other stage's", () => {
    const statements = statementsOf(stage);
    const other = stage === 'dev' ? 'prod' : 'dev';
    const stack = (s: string) => arn('cloudformation', `stack/mlops-${s}/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`);
    const bucket = (s: string) => `arn:aws:s3:::mlops-${s}-serverlessdeploymentbucket-a1b2c3d4e5f6`;
    const osls: [string, (s: string) => string][] = [
      ...['DescribeStacks', 'DescribeStackEvents', 'DescribeStackResource', 'ListStackResources', 'GetTemplate', 'CreateChangeSet', 'DescribeChangeSet', 'ExecuteChangeSet', 'DeleteChangeSet'].map((a) => [`cloudformation:${a}`, stack] as [string, (s: string) => string]),
      ['s3:ListBucket', bucket],
      ...['s3:PutObject', 's3:GetObject', 's3:DeleteObject'].map((a) => [a, (s: string) => `${bucket(s)}/serverless/mlops/${s}/1733480000000-2024-12-06T10:13:20.000Z/mlops_ingest.zip`] as [string, (s: string) => string]),
      ['lambda:GetFunction', (s: string) => arn('lambda', `function:mlops-${s}-mlops_ingest`)],
    ];
    for (const [action, target] of osls) {
      expect({ action, own: allows(statements, action, target(stage)) }).toEqual({ action, own: true });
      expect({ action, other: allows(statements, action, target(other)) }).toEqual({ action, other: false });
    }
    expect(allows(statements, 'cloudformation:ValidateTemplate', '*')).toBe(true);
    // Nothing of the other stage's packaged resources (its KMS key is protected by aws:CalledVia and its stack).
    for (const [id, resource] of Object.entries(templates[other]!.Resources).filter(([, r]) => r.Type !== 'AWS::KMS::Key')) {
      for (const target of arnOf({ stage: other, id, resource, template: templates[other]! })) {
        for (const action of NEEDS[resource.Type]!.actions) expect({ action, target, allowed: allows(statements, action, target, cfn) }).toEqual({ action, target, allowed: false });
      }
    }
  });
});
