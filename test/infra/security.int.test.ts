/**
 * Security rules on the packaged CloudFormation of every stage (dev, prod and the offline `local`
 * stage), as cfn-lint / cfn-nag style checks written as tests (no scanner runs offline here). The
 * templates come from test/infra/packaged.ts, shared with cloudformation.int.test.ts: one packaging.
 *
 * - Least privilege derived from the code: each function's role grants exactly the actions its
 *   source sends (test/infra/sdk-permissions.ts), SageMaker actions per resource type under the
 *   stage's name prefix, S3 actions per key prefix, plus only logs and X-Ray.
 * - The state machine's role invokes exactly the functions its definition calls.
 * - Resource "*" only where AWS offers nothing narrower, each with its justification (docs/SECURITY.md).
 * - cfn-lint style rules: log groups and retention, deletion policies, public principals, trust
 *   policies, runtimes, tracing, secrets, the trigger prefix.
 * See docs/SECURITY.md for the model these rules enforce.
 */
import { join } from 'node:path';
import { projectRoot } from '@mlops/serverless-config';
import { packagedTemplates, type Resource, type Template } from './packaged';
import { neededPermissions, sageMakerTypeOf, SHARED_HELPERS } from './sdk-permissions';

type Statement = {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

const root = projectRoot();
const STAGES = ['dev', 'prod', 'local'] as const;
const FUNCTIONS = ['mlops_ingest', 'mlops_train', 'mlops_await', 'mlops_batch', 'mlops_eval', 'mlops_register', 'mlops_deploy', 'mlops_record'] as const;
const INCOMING = 'incoming/';
const RUNS = 'runs/';
const FAMILIES = 'families/';

/**
 * Resource "*" statements AWS leaves no narrower choice for, and why (mirrored in docs/SECURITY.md).
 * Any other action on "*" fails; so does a listed one granted to a principal that does not need it.
 */
const STAR_JUSTIFIED: Record<string, { why: string; roles: 'functions' | 'sagemaker' | 'statemachine' | 'functions+statemachine'; condition?: Record<string, unknown> }> = {
  'xray:PutTraceSegments': { why: 'X-Ray has no resource-level permissions', roles: 'functions+statemachine' },
  'xray:PutTelemetryRecords': { why: 'X-Ray has no resource-level permissions', roles: 'functions+statemachine' },
  'xray:GetSamplingRules': { why: 'X-Ray has no resource-level permissions (Step Functions tracing)', roles: 'statemachine' },
  'xray:GetSamplingTargets': { why: 'X-Ray has no resource-level permissions (Step Functions tracing)', roles: 'statemachine' },
  'ecr:GetAuthorizationToken': { why: 'the ECR auth token is account-wide', roles: 'sagemaker' },
  'cloudwatch:PutMetricData': { why: 'no resource-level permission; limited by namespace condition', roles: 'sagemaker', condition: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } } },
  'logs:CreateLogDelivery': { why: 'CloudWatch Logs vended log delivery (Step Functions logging) requires "*"', roles: 'statemachine' },
  'logs:GetLogDelivery': { why: 'vended log delivery', roles: 'statemachine' },
  'logs:UpdateLogDelivery': { why: 'vended log delivery', roles: 'statemachine' },
  'logs:DeleteLogDelivery': { why: 'vended log delivery', roles: 'statemachine' },
  'logs:ListLogDeliveries': { why: 'vended log delivery', roles: 'statemachine' },
  'logs:PutResourcePolicy': { why: 'vended log delivery', roles: 'statemachine' },
  'logs:DescribeResourcePolicies': { why: 'vended log delivery', roles: 'statemachine' },
  'logs:DescribeLogGroups': { why: 'vended log delivery', roles: 'statemachine' },
};
/** Every function role also writes its logs and traces; nothing else beyond what its code sends. */
const BASELINE = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

/**
 * S3 data flow per role: action → key prefixes, the one part of least privilege the code alone
 * does not say (the prefixes come from configuration). ingest reads the upload (any version, and
 * HEAD of a deleted one must be a 404) and the schema of an earlier delivery, and writes the run's
 * channels, schema and rejection records, and reads or writes its family's schema; eval reads predictions and writes its report; SageMaker
 * jobs read channels and write artifacts and predictions, and the scale path's processing jobs read the dataset's parts
 * where they were uploaded; record reads and writes run records. Nobody writes under incoming/.
 */
const S3_FLOW: Record<string, Record<string, string[]>> = {
  IngestRole: {
    's3:GetObject': [INCOMING, RUNS, FAMILIES],
    's3:GetObjectVersion': [INCOMING],
    's3:PutObject': [RUNS, FAMILIES],
    's3:AbortMultipartUpload': [RUNS],
    's3:ListBucket': [INCOMING, RUNS, FAMILIES],
  },
  EvalRole: { 's3:GetObject': [RUNS], 's3:PutObject': [RUNS], 's3:ListBucket': [RUNS] },
  RecordRole: { 's3:GetObject': [RUNS], 's3:PutObject': [RUNS], 's3:ListBucket': [RUNS] },
  SageMakerExecutionRole: { 's3:GetObject': [INCOMING, RUNS], 's3:PutObject': [RUNS], 's3:ListBucket': [RUNS] },
  // An S3 Batch Operations job (resources/batch-operations.yml) reads its manifest and writes its report.
  BatchOperationsRole: { 's3:GetObject': ['batch/manifests/'], 's3:GetObjectVersion': ['batch/manifests/'], 's3:PutObject': ['batch/reports/'] },
};
/** CloudWatch Logs accepts only these retention periods (cfn-lint E3012-style allowed values). */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
/** Lambda's supported Node.js runtimes at the time of writing (nodejs20.x and older are deprecated). */
const SUPPORTED_RUNTIMES = ['nodejs22.x', 'nodejs24.x'];
/** Resource types that hold data: a stack deletion or replacement must not destroy it. */
const STATEFUL_TYPES = ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::RDS::DBInstance', 'AWS::RDS::DBCluster', 'AWS::EFS::FileSystem', 'AWS::KMS::Key', 'AWS::SageMaker::ModelPackageGroup'];
/** The framework's artifact bucket: rebuilt by every deploy and emptied by `sls remove`, so it may go with the stack. */
const DISPOSABLE_STATEFUL = new Set([
  'ServerlessDeploymentBucket',
  // The notification topic's key (resources/notifications.yml) protects messages only while SNS
  // delivers them (SNS keeps none), so it may go with the stack (KMS waits 7 days before deleting it).
  'NotificationKey',
]);

let templates: Record<string, Template> = {};
beforeAll(async () => {
  templates = await packagedTemplates(STAGES);
}, 300_000);

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const ofType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const functionId = (fn: string) => `${fn.charAt(0).toUpperCase()}${fn.slice(1).replace(/_/g, 'Underscore')}LambdaFunction`;
function roleIdOf(t: Template, fn: string): string {
  const ref = t.Resources[functionId(fn)]!.Properties.Role;
  return ref['Fn::GetAtt']?.[0] ?? ref.Ref;
}
function statementsOf(role: Resource): Statement[] {
  return (role.Properties.Policies ?? []).flatMap((p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement);
}
const allows = (role: Resource) => statementsOf(role).filter((s) => s.Effect === 'Allow');
/** A resource as text: a string, a Sub template (variables resolved), `Ref:X` or `GetAtt:X.Attr`. */
function resourceText(r: unknown): string {
  if (typeof r === 'string') return r;
  const o = r as Record<string, any>;
  if (o.Ref) return `Ref:${o.Ref}`;
  if (o['Fn::GetAtt']) return `GetAtt:${o['Fn::GetAtt'].join('.')}`;
  if (typeof o['Fn::Sub'] === 'string') return o['Fn::Sub'];
  if (Array.isArray(o['Fn::Join'])) {
    const [separator, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => (typeof p === 'object' && p !== null && (p as { Ref?: string }).Ref?.startsWith('AWS::') ? `\${${(p as { Ref: string }).Ref}}` : resourceText(p))).join(separator);
  }
  if (Array.isArray(o['Fn::Sub'])) {
    const [text, vars] = o['Fn::Sub'] as [string, Record<string, unknown>];
    return text.replace(/\$\{([^}!]+)\}/g, (whole, name: string) => (name in vars ? resourceText(vars[name]) : whole));
  }
  return JSON.stringify(r);
}
/** Every (action, resource) an identity policy allows. */
function grants(role: Resource): { action: string; resource: string; statement: Statement }[] {
  return allows(role).flatMap((s) => asList(s.Action).flatMap((action) => asList(s.Resource as unknown).map((r) => ({ action, resource: resourceText(r), statement: s }))));
}
const dataBucketName = (t: Template) => resourceText(t.Resources.DataBucket!.Properties.BucketName);
const triggerPrefix = (t: Template): string =>
  t.Resources.DataBucket!.Properties.NotificationConfiguration.LambdaConfigurations[0].Filter.S3Key.Rules.find((r: { Name: string }) => r.Name === 'prefix').Value;
const overlaps = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);

/** S3 grants as `action → prefixes`: object ARNs `bucket/<prefix>*`, ListBucket by its s3:prefix condition. */
function s3Flow(role: Resource): Record<string, string[]> {
  const flow: Record<string, string[]> = {};
  for (const { action, resource, statement } of grants(role).filter((g) => g.action.startsWith('s3:'))) {
    const prefixes =
      action === 's3:ListBucket'
        ? asList(statement.Condition?.StringLike?.['s3:prefix'] as string | string[] | undefined).map((p) => p.replace(/\*$/, ''))
        : [resource.replace(/^arn:\$\{AWS::Partition\}:s3:::[^/]+\//, '').replace(/\*$/, '')];
    (flow[action] ??= []).push(...prefixes);
  }
  for (const list of Object.values(flow)) list.sort();
  return flow;
}

describe.each(STAGES)('packaged %s stage: least privilege', (stage) => {
  const t = () => templates[stage]!;
  const namePrefix = `mlops-${stage}`;

  describe.each(FUNCTIONS.map((fn) => [fn]))('%s', (fn) => {
    const needed = neededPermissions(join(root, 'services', fn, 'src'));
    const role = () => t().Resources[roleIdOf(t(), fn)]!;

    it('has its own role, used by no other function', () => {
      const others = FUNCTIONS.filter((f) => f !== fn).map((f) => roleIdOf(t(), f));
      expect(others).not.toContain(roleIdOf(t(), fn));
    });

    it("grants exactly the actions its code sends (derived from the source), plus logs, X-Ray and its on-failure destination", () => {
      const granted = [...new Set(allows(role()).flatMap((s) => asList(s.Action)))].sort();
      // Lambda sends a failed asynchronous invocation to the function's destination with the function's role.
      const invokeConfig = Object.values(t().Resources).find((r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName.Ref === functionId(fn));
      const destination = invokeConfig?.Properties.DestinationConfig?.OnFailure?.Destination as { 'Fn::GetAtt'?: [string, string] } | undefined;
      const destinationType = destination?.['Fn::GetAtt'] ? t().Resources[destination['Fn::GetAtt'][0]]!.Type : undefined;
      const forDestination = destinationType === 'AWS::SQS::Queue' ? ['sqs:SendMessage'] : [];
      if (destination) {
        const sends = grants(role()).filter((g) => g.action === 'sqs:SendMessage');
        expect(sends.map((g) => g.statement.Resource)).toEqual([destination]);
      }
      const wanted = [...new Set([...needed.map((n) => n.action), ...BASELINE, ...forDestination])].sort();
      // Both ways: an unused permission fails, and so does a missing one.
      expect({ fn, granted }).toEqual({ fn, granted: wanted });
    });

    it('scopes each SageMaker action to the resource types it acts on, under the stage prefix', () => {
      const granted = grants(role())
        .filter((g) => g.action.startsWith('sagemaker:'))
        .map((g) => {
          const m = /:sagemaker:\$\{AWS::Region\}:\$\{AWS::AccountId\}:([a-z-]+)\/(.+)$/.exec(g.resource);
          expect({ fn, resource: g.resource, scoped: m?.[2] }).toEqual({ fn, resource: g.resource, scoped: `${namePrefix}-*` });
          return `${g.action} on ${m![1]}`;
        });
      const wanted = needed.filter((n) => n.sageMakerType).map((n) => `${n.action} on ${n.sageMakerType}`);
      expect([...new Set(granted)].sort()).toEqual([...new Set(wanted)].sort());
    });

    it('writes logs only to the stage’s function log groups, and traces', () => {
      const logs = grants(role()).filter((g) => g.action.startsWith('logs:'));
      for (const g of logs) expect(g.resource).toBe(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${namePrefix}-*:*`);
    });
  });

  it('derives a sensible permission set from the source (the derivation itself)', () => {
    const of = (fn: string) => neededPermissions(join(root, 'services', fn, 'src')).map((n) => n.action);
    expect(of('mlops_ingest')).toEqual(expect.arrayContaining(['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:ListBucket', 'states:StartExecution', 'states:DescribeExecution']));
    // The preprocess state machine's steps: the run's processing jobs, tagged, as the SageMaker role.
    expect(of('mlops_ingest')).toEqual(expect.arrayContaining(['sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:AddTags', 'sagemaker:StopProcessingJob', 'iam:PassRole']));
    expect(of('mlops_train')).toEqual(expect.arrayContaining(['sagemaker:CreateTrainingJob', 'sagemaker:AddTags', 'iam:PassRole']));
    expect(of('mlops_await').filter((a) => /Create|Update|StartExecution|PassRole/.test(a))).toEqual([]);
    // The shared package sends requests only from the helpers the derivation attributes to the
    // functions that call them (SHARED_HELPERS): a new call there must be added to that table.
    const helperActions = Object.values(SHARED_HELPERS).flatMap((actions) => actions.map((a) => a.action));
    expect([...new Set(neededPermissions(join(root, 'packages/common/src')).map((n) => n.action))].sort()).toEqual([...new Set(helperActions)].sort());
    expect(of('mlops_await')).toEqual(expect.arrayContaining(['sagemaker:DescribeEndpointConfig', 'sagemaker:DescribeModel']));
  });

  it('keeps the trigger function to processing jobs on SageMaker and the pollers from starting anything', () => {
    const actions = (fn: string) => allows(t().Resources[roleIdOf(t(), fn)]!).flatMap((s) => asList(s.Action));
    // The scale path's profile and split jobs only: no training, model, endpoint or registry action.
    expect(actions('mlops_ingest').filter((a) => a.startsWith('sagemaker:') || a === 'iam:PassRole').sort()).toEqual(['iam:PassRole', 'sagemaker:AddTags', 'sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob']);
    for (const g of grants(t().Resources[roleIdOf(t(), 'mlops_ingest')]!).filter((x) => x.action.startsWith('sagemaker:'))) expect(g.resource).toMatch(/:processing-job\/[^/]+$/);
    expect(actions('mlops_await').filter((a) => /^(states:Start|sagemaker:(Create|Update|Delete|AddTags))|iam:PassRole/.test(a))).toEqual([]);
    for (const fn of FUNCTIONS) {
      expect({ fn, starts: actions(fn).filter((a) => a.startsWith('states:Start')) }).toEqual({ fn, starts: fn === 'mlops_ingest' ? ['states:StartExecution'] : [] });
      expect({ fn, deletes: actions(fn).filter((a) => /:Delete/.test(a)) }).toEqual({ fn, deletes: [] });
    }
  });

  it('lets ingest start only this stage’s pipeline and preprocess state machines and describe only the pipeline’s executions', () => {
    const g = grants(t().Resources.IngestRole!).filter((x) => x.action.startsWith('states:'));
    expect(g.map((x) => `${x.action} ${x.resource}`).sort()).toEqual(
      [
        `states:DescribeExecution arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:${namePrefix}-pipeline:*`,
        'states:StartExecution Ref:MlopsPipelineStateMachine',
        `states:StartExecution arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${namePrefix}-preprocess`,
      ].sort(),
    );
  });

  it.each(Object.keys(S3_FLOW).map((id) => [id]))('gives %s S3 access by prefix exactly as the data flow needs', (id) => {
    expect(s3Flow(t().Resources[id]!)).toEqual(Object.fromEntries(Object.entries(S3_FLOW[id]!).map(([a, p]) => [a, [...p].sort()])));
  });

  it('grants S3 to no other role, and nobody any S3 delete', () => {
    for (const [id, role] of ofType(t(), 'AWS::IAM::Role')) {
      const s3 = grants(role).filter((g) => g.action.startsWith('s3:'));
      if (!(id in S3_FLOW)) expect({ id, s3: s3.map((g) => g.action) }).toEqual({ id, s3: [] });
      expect({ id, deletes: s3.filter((g) => /Delete/.test(g.action)).map((g) => g.action) }).toEqual({ id, deletes: [] });
    }
  });

  it('lets no role or job write under the trigger prefix (no re-trigger loop; uploads stay as uploaded)', () => {
    const trigger = triggerPrefix(t());
    for (const [id, role] of ofType(t(), 'AWS::IAM::Role')) {
      for (const [action, prefixes] of Object.entries(s3Flow(role))) {
        if (!/Put|Delete|Abort|Restore|Replicate/.test(action)) continue;
        for (const prefix of prefixes) expect({ id, action, prefix, overlapsTrigger: overlaps(prefix, trigger) }).toEqual({ id, action, prefix, overlapsTrigger: false });
      }
    }
    // Every output prefix the functions are configured with is disjoint from it too.
    for (const [, fn] of ofType(t(), 'AWS::Lambda::Function')) {
      const runs = fn.Properties.Environment.Variables.RUNS_PREFIX as string;
      expect(overlaps(runs, trigger)).toBe(false);
    }
  });

  it('passes only the SageMaker execution role, only to SageMaker, and only where a job or model is created', () => {
    for (const [id, role] of ofType(t(), 'AWS::IAM::Role')) {
      for (const g of grants(role).filter((x) => x.action === 'iam:PassRole')) {
        expect({ id, resource: g.resource }).toEqual({ id, resource: 'GetAtt:SageMakerExecutionRole.Arn' });
        expect(g.statement.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
      }
    }
    const passing = FUNCTIONS.filter((fn) => allows(t().Resources[roleIdOf(t(), fn)]!).some((s) => asList(s.Action).includes('iam:PassRole')));
    expect(passing.sort()).toEqual(['mlops_batch', 'mlops_deploy', 'mlops_ingest', 'mlops_train']);
  });

  /** What each state machine calls: its Lambda tasks, and the pipeline's nested run of the deploy state machine. */
  const MACHINE_CALLS = {
    [`mlops-${stage}-pipeline`]: { functions: ['mlops_train', 'mlops_await', 'mlops_batch', 'mlops_eval', 'mlops_register', 'mlops_record'], nested: [`mlops-${stage}-deploy`] },
    [`mlops-${stage}-deploy`]: { functions: ['mlops_deploy', 'mlops_await', 'mlops_record'], nested: [] as string[] },
    [`mlops-${stage}-preprocess`]: { functions: ['mlops_ingest', 'mlops_await'], nested: [] as string[] },
  };

  it('has exactly these state machines', () => {
    expect(ofType(t(), 'AWS::StepFunctions::StateMachine').map(([, sm]) => sm.Properties.StateMachineName as string).sort()).toEqual(Object.keys(MACHINE_CALLS).sort());
  });

  it.each(Object.keys(MACHINE_CALLS))("%s invokes exactly the functions its definition calls, and nothing else on a resource", (name) => {
    const [, sm] = ofType(t(), 'AWS::StepFunctions::StateMachine').find(([, m]) => m.Properties.StateMachineName === name)!;
    const { functions, nested } = MACHINE_CALLS[name]!;
    const [definition, vars] = sm.Properties.DefinitionString['Fn::Sub'] as [string, Record<string, { 'Fn::GetAtt'?: [string, string] }>];
    const called = new Set<string>();
    for (const [variable, value] of Object.entries(vars)) if (value['Fn::GetAtt'] && definition.includes(`\${${variable}}`)) called.add(value['Fn::GetAtt'][0]);
    expect([...called].sort()).toEqual(functions.map(functionId).sort());
    // Every Task is a function, or the nested run of this stage's deploy state machine (no other integration).
    const states = (def: { States: Record<string, { Type: string; Resource?: string; Branches?: { States: never }[] }> }): { Type: string; Resource?: string }[] =>
      Object.values(def.States).flatMap((s) => [s, ...(s.Branches ?? []).flatMap((b) => states(b))]);
    const tasks = states(JSON.parse(definition.replace(/\$\{[^}]+\}/g, 'X')));
    for (const task of tasks.filter((s) => s.Type === 'Task')) expect(['X', ...(nested.length ? ['arn:aws:states:::states:startExecution.sync:2'] : [])]).toContain(task.Resource);

    const role = t().Resources[sm.Properties.RoleArn['Fn::GetAtt'][0] as string]!;
    const invoke = grants(role).filter((g) => g.action === 'lambda:InvokeFunction').map((g) => g.resource);
    expect(invoke.sort()).toEqual([...called].flatMap((id) => [`GetAtt:${id}.Arn`, `GetAtt:${id}.Arn:*`]).sort());
    const arnOf = (machine: string) => `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${machine}`;
    const nestedGrants = new Set(
      nested.flatMap((machine) => [
        `states:StartExecution on ${arnOf(machine)}`,
        `states:DescribeExecution on ${arnOf(machine).replace(':stateMachine:', ':execution:')}:*`,
        `states:StopExecution on ${arnOf(machine).replace(':stateMachine:', ':execution:')}:*`,
        // The managed rule through which Step Functions learns that a .sync child ended (AWS documents these three).
        ...['PutTargets', 'PutRule', 'DescribeRule'].map((a) => `events:${a} on arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`),
      ]),
    );
    for (const g of grants(role).filter((x) => x.action !== 'lambda:InvokeFunction')) {
      if (nestedGrants.has(`${g.action} on ${g.resource}`)) continue;
      expect({ action: g.action, resource: g.resource, justified: STAR_JUSTIFIED[g.action]?.roles.includes('statemachine') }).toEqual({ action: g.action, resource: '*', justified: true });
    }
    const granted = grants(role).map((g) => `${g.action} on ${g.resource}`);
    for (const needed of nestedGrants) expect(granted).toContain(needed);
    const trust: Statement[] = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole' });
    expect(resourceText((trust[0]!.Principal as { Service: unknown }).Service)).toMatch(/^states\.(\$\{AWS::Region\}\.)?amazonaws\.com$/);
  });

  it('lets the retraining schedule (where the stage has one) invoke only the ingest function and send only to its dead-letter queue', () => {
    const schedules = ofType(t(), 'AWS::Scheduler::Schedule');
    expect(schedules.map(([id]) => id)).toEqual(['RetrainSchedule']);
    // Created only where the stage sets a schedule: off on every stage by default.
    const condition = (t() as unknown as { Conditions: Record<string, { 'Fn::Not': [{ 'Fn::Equals': [string, string] }] }> }).Conditions.RetrainScheduled!;
    const [expression, off] = condition['Fn::Not'][0]['Fn::Equals'];
    expect({ expression, off }).toEqual({ expression: '', off: '' });
    for (const [, schedule] of schedules) {
      expect((schedule as { Condition?: string }).Condition).toBe('RetrainScheduled');
      expect((t().Resources[schedule.Properties.Target.RoleArn['Fn::GetAtt'][0]] as { Condition?: string }).Condition).toBe('RetrainScheduled');
      const role = t().Resources[schedule.Properties.Target.RoleArn['Fn::GetAtt'][0]]!;
      expect(grants(role).map((g) => `${g.action} on ${g.resource}`).sort()).toEqual([
        `lambda:InvokeFunction on GetAtt:${functionId('mlops_ingest')}.Arn`,
        'sqs:SendMessage on GetAtt:IngestDeadLetterQueue.Arn',
      ]);
      expect(schedule.Properties.Target).toMatchObject({ Arn: { 'Fn::GetAtt': [functionId('mlops_ingest'), 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['IngestDeadLetterQueue', 'Arn'] } } });
      expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({ retrain: { scheduledTime: '<aws.scheduler.scheduled-time>' } });
    }
  });

  it("scopes every CloudWatch alarm action to the stage's alarms: the deploy puts them, SageMaker reads them for auto-rollback", () => {
    const alarmGrants = ofType(t(), 'AWS::IAM::Role').flatMap(([id, role]) =>
      grants(role)
        .filter((g) => g.action.startsWith('cloudwatch:') && g.action !== 'cloudwatch:PutMetricData')
        .map((g) => ({ id, action: g.action, resource: g.resource })),
    );
    const alarms = `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${namePrefix}-*`;
    expect(alarmGrants.sort((a, b) => `${a.id}${a.action}`.localeCompare(`${b.id}${b.action}`))).toEqual([
      { id: roleIdOf(t(), 'mlops_deploy'), action: 'cloudwatch:PutMetricAlarm', resource: alarms },
      { id: roleIdOf(t(), 'mlops_deploy'), action: 'cloudwatch:TagResource', resource: alarms },
      { id: 'SageMakerExecutionRole', action: 'cloudwatch:DescribeAlarms', resource: alarms },
    ]);
  });

  it('uses Resource "*" only for the justified actions, for the principals that need them, with their conditions', () => {
    const kindOf = (id: string) => (id === 'SageMakerExecutionRole' ? 'sagemaker' : /StateMachineRole$/.test(id) ? 'statemachine' : 'functions');
    for (const [id, role] of ofType(t(), 'AWS::IAM::Role')) {
      for (const g of grants(role).filter((x) => x.resource === '*')) {
        const rule = STAR_JUSTIFIED[g.action];
        expect({ id, action: g.action, justified: Boolean(rule?.roles.includes(kindOf(id))) }).toEqual({ id, action: g.action, justified: true });
        if (rule?.condition) expect({ id, action: g.action, condition: g.statement.Condition }).toEqual({ id, action: g.action, condition: rule.condition });
      }
    }
  });
});

describe.each(STAGES)('packaged %s stage: cfn-lint style rules', (stage) => {
  const t = () => templates[stage]!;

  it('gives every function a log group named after it, with an allowed retention, created first', () => {
    const groups = new Map(ofType(t(), 'AWS::Logs::LogGroup').map(([id, g]) => [g.Properties.LogGroupName as string, { id, g }]));
    for (const [id, fn] of ofType(t(), 'AWS::Lambda::Function')) {
      const group = groups.get(`/aws/lambda/${fn.Properties.FunctionName}`);
      expect({ id, group: group?.id }).toEqual({ id, group: expect.any(String) });
      expect(RETENTION_DAYS).toContain(group!.g.Properties.RetentionInDays);
      expect(asList(fn.DependsOn)).toContain(group!.id);
    }
    for (const [id, g] of ofType(t(), 'AWS::Logs::LogGroup')) expect({ id, retention: RETENTION_DAYS.includes(g.Properties.RetentionInDays) }).toEqual({ id, retention: true });
  });

  it('logs each state machine to a log group of its own in this template that has a retention', () => {
    const groups = ofType(t(), 'AWS::StepFunctions::StateMachine').map(([id, sm]) => {
      const [destination] = sm.Properties.LoggingConfiguration.Destinations;
      const groupId = destination.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
      expect({ id, group: t().Resources[groupId] }).toMatchObject({ id, group: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: expect.any(Number) } } });
      expect(t().Resources[groupId]!.Properties.LogGroupName).toBe(`/aws/vendedlogs/states/${sm.Properties.StateMachineName}`);
      expect({ id, data: sm.Properties.LoggingConfiguration.IncludeExecutionData }).toEqual({ id, data: false });
      return groupId as string;
    });
    expect(new Set(groups).size).toBe(groups.length);
  });

  it('has no circular dependency between resources (cfn-lint E3004): Ref, Fn::GetAtt, Fn::Sub and DependsOn', () => {
    const ids = new Set(Object.keys(t().Resources));
    const dependencies = (value: unknown, out = new Set<string>()): Set<string> => {
      if (Array.isArray(value)) for (const v of value) dependencies(v, out);
      else if (typeof value === 'object' && value !== null) {
        for (const [key, v] of Object.entries(value)) {
          if (key === 'Ref' && typeof v === 'string' && ids.has(v)) out.add(v);
          else if (key === 'Fn::GetAtt') {
            const id = Array.isArray(v) ? String(v[0]) : String(v).split('.')[0]!;
            if (ids.has(id)) out.add(id);
          } else if (key === 'Fn::Sub') {
            const text = Array.isArray(v) ? String(v[0]) : String(v);
            for (const m of text.matchAll(/\$\{([^}!.]+)(\.[^}]+)?\}/g)) if (ids.has(m[1]!) && !(Array.isArray(v) && m[1]! in (v[1] as object))) out.add(m[1]!);
            dependencies(Array.isArray(v) ? v[1] : undefined, out);
          } else dependencies(v, out);
        }
      }
      return out;
    };
    const graph = new Map(Object.entries(t().Resources).map(([id, r]) => [id, new Set([...dependencies(r.Properties), ...asList(r.DependsOn).filter((d) => ids.has(d))])]));
    // Depth-first search; a resource met again while on the path closes a cycle.
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[][] = [];
    const visit = (id: string, path: string[]) => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(id)), id]);
        return;
      }
      state.set(id, 'visiting');
      for (const next of graph.get(id) ?? []) visit(next, [...path, id]);
      state.set(id, 'done');
    };
    for (const id of graph.keys()) visit(id, []);
    expect(cycles).toEqual([]);
  });

  it('has no IAM users, groups, access keys, standalone or managed policies, and no Not* elements', () => {
    for (const type of ['AWS::IAM::User', 'AWS::IAM::Group', 'AWS::IAM::AccessKey', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::UserToGroupAddition']) {
      expect({ type, found: ofType(t(), type).map(([id]) => id) }).toEqual({ type, found: [] });
    }
    for (const [id, role] of ofType(t(), 'AWS::IAM::Role')) {
      expect({ id, managed: role.Properties.ManagedPolicyArns ?? [], boundary: role.Properties.PermissionsBoundary }).toEqual({ id, managed: [], boundary: undefined });
      for (const s of [...statementsOf(role), ...role.Properties.AssumeRolePolicyDocument.Statement]) {
        expect({ id, not: Object.keys(s).filter((k) => k.startsWith('Not')) }).toEqual({ id, not: [] });
      }
    }
  });

  it('allows nothing to a public principal in any resource policy; every bucket refuses plain HTTP', () => {
    const isPublic = (p: unknown) => p === '*' || (typeof p === 'object' && p !== null && asList((p as { AWS?: unknown }).AWS).includes('*'));
    for (const [id, policy] of ofType(t(), 'AWS::S3::BucketPolicy')) {
      const statements: Statement[] = policy.Properties.PolicyDocument.Statement;
      for (const s of statements) expect({ id, sid: s.Sid, publicAllow: s.Effect === 'Allow' && isPublic(s.Principal) }).toEqual({ id, sid: s.Sid, publicAllow: false });
    }
    for (const [bucketId] of ofType(t(), 'AWS::S3::Bucket')) {
      const policies = ofType(t(), 'AWS::S3::BucketPolicy').filter(([, p]) => p.Properties.Bucket.Ref === bucketId);
      expect({ bucketId, policies: policies.length }).toEqual({ bucketId, policies: 1 });
      const tls = (policies[0]![1].Properties.PolicyDocument.Statement as Statement[]).find(
        (s) => s.Effect === 'Deny' && isPublic(s.Principal) && String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false' && asList(s.Action).some((a) => a === 's3:*'),
      );
      expect({ bucketId, tlsOnly: Boolean(tls) }).toEqual({ bucketId, tlsOnly: true });
      // The deny covers the bucket and its objects.
      const resources = asList(tls!.Resource).map(resourceText);
      expect(resources.some((r) => r.endsWith('/*'))).toBe(true);
      expect(resources.some((r) => !r.endsWith('/*'))).toBe(true);
    }
  });

  it('lets only EventBridge rules of this account publish to an SNS topic, encrypted with a key of its own', () => {
    const topics = ofType(t(), 'AWS::SNS::Topic');
    expect(topics.map(([id]) => id)).toEqual(['NotificationTopic']);
    for (const [id, topic] of topics) {
      expect({ id, key: topic.Properties.KmsMasterKeyId }).toEqual({ id, key: { Ref: expect.any(String) } });
      expect(t().Resources[topic.Properties.KmsMasterKeyId.Ref]!.Type).toBe('AWS::KMS::Key');
      const policies = ofType(t(), 'AWS::SNS::TopicPolicy').filter(([, p]) => asList(p.Properties.Topics).some((x) => (x as { Ref?: string }).Ref === id));
      expect({ id, policies: policies.length }).toEqual({ id, policies: 1 });
      for (const s of policies[0]![1].Properties.PolicyDocument.Statement as Statement[]) {
        expect({ id, sid: s.Sid, effect: s.Effect, principal: s.Principal, action: s.Action }).toEqual({ id, sid: s.Sid, effect: 'Allow', principal: { Service: 'events.amazonaws.com' }, action: 'sns:Publish' });
        expect(s.Condition?.StringEquals?.['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
        expect(asList(s.Condition?.ArnEquals?.['aws:SourceArn'] as unknown[]).length).toBeGreaterThan(0);
      }
    }
    // A key's policy: the account administers it (KMS's default), EventBridge may only encrypt and decrypt data keys.
    for (const [id, key] of ofType(t(), 'AWS::KMS::Key')) {
      for (const s of key.Properties.KeyPolicy.Statement as Statement[]) {
        const principal = s.Principal as { AWS?: unknown; Service?: unknown };
        if (principal.Service !== undefined) expect({ id, service: principal.Service, actions: asList(s.Action).sort() }).toEqual({ id, service: 'events.amazonaws.com', actions: ['kms:Decrypt', 'kms:GenerateDataKey'] });
        else expect({ id, root: resourceText(principal.AWS) }).toEqual({ id, root: 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' });
      }
    }
  });

  it('encrypts and blocks public access on every bucket', () => {
    for (const [id, bucket] of ofType(t(), 'AWS::S3::Bucket')) {
      expect({ id, pab: bucket.Properties.PublicAccessBlockConfiguration }).toEqual({ id, pab: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true } });
      expect({ id, sse: bucket.Properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.SSEAlgorithm }).toEqual({ id, sse: expect.stringMatching(/^(AES256|aws:kms|aws:kms:dsse)$/) });
      expect({ id, versioning: bucket.Properties.VersioningConfiguration?.Status }).toEqual({ id, versioning: 'Enabled' });
    }
    // The data bucket: ACLs disabled (bucket owner enforced), and abandoned multipart uploads expire.
    const data = t().Resources.DataBucket!.Properties;
    expect(data.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(data.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: expect.any(Number) } }));
  });

  it('retains every stateful resource on delete and on replacement', () => {
    for (const type of STATEFUL_TYPES) {
      for (const [id, r] of ofType(t(), type).filter(([id]) => !DISPOSABLE_STATEFUL.has(id))) {
        expect({ id, deletion: r.DeletionPolicy, replace: r.UpdateReplacePolicy }).toEqual({ id, deletion: 'Retain', replace: 'Retain' });
      }
    }
    expect(t().Resources.DataBucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('lets only its service assume each role: Lambda for functions, SageMaker (this account) for jobs, Step Functions for the state machines, EventBridge (this account) for the approval rule', () => {
    const fnRoles = new Set(FUNCTIONS.map((fn) => roleIdOf(t(), fn)));
    for (const [id, role] of ofType(t(), 'AWS::IAM::Role')) {
      const trust: Statement[] = role.Properties.AssumeRolePolicyDocument.Statement;
      expect({ id, statements: trust.length }).toEqual({ id, statements: 1 });
      const [s] = trust;
      expect({ id, effect: s!.Effect, action: s!.Action }).toEqual({ id, effect: 'Allow', action: 'sts:AssumeRole' });
      const service = resourceText((s!.Principal as { Service: unknown }).Service);
      if (fnRoles.has(id)) expect({ id, service }).toEqual({ id, service: 'lambda.amazonaws.com' });
      else if (id === 'SageMakerExecutionRole') {
        expect(service).toBe('sagemaker.amazonaws.com');
        expect(s!.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
      } else if (id === 'DeployOnApprovalRole') {
        expect(service).toBe('events.amazonaws.com');
        expect(s!.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
      } else if (id === 'RetrainScheduleRole') {
        expect(service).toBe('scheduler.amazonaws.com');
        expect(s!.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
      } else if (id === 'BatchOperationsRole') {
        expect(service).toBe('batchoperations.s3.amazonaws.com');
        expect(s!.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
      } else expect({ id, service }).toEqual({ id, service: expect.stringMatching(/^states\./) });
    }
  });

  it('has no role that nothing uses', () => {
    const used = new Set([
      ...FUNCTIONS.map((fn) => roleIdOf(t(), fn)),
      ...ofType(t(), 'AWS::StepFunctions::StateMachine').map(([, sm]) => sm.Properties.RoleArn['Fn::GetAtt'][0] as string),
      'SageMakerExecutionRole', // passed to SageMaker by ingest, train, batch and deploy (checked above)
      ...ofType(t(), 'AWS::Events::Rule').flatMap(([, rule]) => (rule.Properties.Targets as { RoleArn?: { 'Fn::GetAtt': [string] } }[]).map((target) => target.RoleArn?.['Fn::GetAtt'][0] ?? '')),
      ...ofType(t(), 'AWS::Scheduler::Schedule').map(([, schedule]) => (schedule.Properties.Target.RoleArn as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]),
      // Roles the stack hands to its users through an output (an S3 Batch Operations job's --role-arn).
      ...Object.values(t().Outputs ?? {}).flatMap((output) => ((output as { Value?: { 'Fn::GetAtt'?: [string, string] } }).Value?.['Fn::GetAtt']?.[1] === 'Arn' ? [(output as { Value: { 'Fn::GetAtt': [string] } }).Value['Fn::GetAtt'][0]] : [])),
    ]);
    expect(ofType(t(), 'AWS::IAM::Role').map(([id]) => id).filter((id) => !used.has(id))).toEqual([]);
  });

  it('lets S3 invoke only the ingest function, only for the data bucket, only from this account', () => {
    const permissions = ofType(t(), 'AWS::Lambda::Permission');
    for (const [id, p] of permissions) {
      expect({ id, principal: p.Properties.Principal }).toEqual({ id, principal: expect.stringMatching(/^[a-z0-9.-]+\.amazonaws\.com$/) });
      expect({ id, sourceArn: Boolean(p.Properties.SourceArn), sourceAccount: p.Properties.SourceAccount }).toEqual({ id, sourceArn: true, sourceAccount: { Ref: 'AWS::AccountId' } });
    }
    const s3 = permissions.filter(([, p]) => p.Properties.Principal === 's3.amazonaws.com');
    expect(s3.map(([, p]) => p.Properties.FunctionName)).toEqual([{ 'Fn::GetAtt': [functionId('mlops_ingest'), 'Arn'] }]);
  });

  it('runs supported runtimes with active tracing, and traces the state machine', () => {
    for (const [id, fn] of ofType(t(), 'AWS::Lambda::Function')) {
      expect({ id, runtime: SUPPORTED_RUNTIMES.includes(fn.Properties.Runtime), tracing: fn.Properties.TracingConfig?.Mode }).toEqual({ id, runtime: true, tracing: 'Active' });
    }
    for (const [id, sm] of ofType(t(), 'AWS::StepFunctions::StateMachine')) expect({ id, tracing: sm.Properties.TracingConfiguration }).toEqual({ id, tracing: { Enabled: true } });
  });

  it('keeps secrets out of environment variables, by name and by value', () => {
    const secretValue = [/AKIA[0-9A-Z]{16}/, /ASIA[0-9A-Z]{16}/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/, /\b(ghp|gho|github_pat)_[A-Za-z0-9_]{20,}/, /\bxox[abprs]-[A-Za-z0-9-]{10,}/, /:\/\/[^/\s:@]+:[^/\s@]+@/];
    for (const [id, fn] of ofType(t(), 'AWS::Lambda::Function')) {
      for (const [name, value] of Object.entries(fn.Properties.Environment?.Variables ?? {})) {
        expect({ id, name, secretName: /SECRET|PASSWORD|PASSWD|ACCESS_KEY|TOKEN|PRIVATE|CREDENTIAL|API_KEY/i.test(name) }).toEqual({ id, name, secretName: false });
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        expect({ id, name, secretValue: secretValue.filter((p) => p.test(text)).map(String) }).toEqual({ id, name, secretValue: [] });
      }
    }
  });

  it('keeps the trigger on the incoming prefix and .csv suffix, disjoint from the runs prefix', () => {
    expect(triggerPrefix(t())).toBe(INCOMING);
    expect(overlaps(INCOMING, RUNS)).toBe(false);
    expect(overlaps(INCOMING, FAMILIES) || overlaps(RUNS, FAMILIES)).toBe(false);
  });

  if (stage !== 'local') {
    // The local stage names a fixed bucket for the offline stack and is not deployed (docs/SECURITY.md).
    it('grants S3, the bucket policy and the S3 invoke permission on the bucket the stack creates', () => {
      const bucket = dataBucketName(t());
      const arns: string[] = [];
      for (const [, role] of ofType(t(), 'AWS::IAM::Role')) for (const g of grants(role).filter((x) => x.action.startsWith('s3:'))) arns.push(g.resource);
      arns.push(...asList(t().Resources.DataBucketPolicy!.Properties.PolicyDocument.Statement[0].Resource).map(resourceText));
      arns.push(resourceText(t().Resources.IngestInvokePermission!.Properties.SourceArn));
      for (const arn of arns) expect(arn).toMatch(new RegExp(`^arn:\\$\\{AWS::Partition\\}:s3:::${bucket.replace(/[$.{}]/g, '\\$&')}(/.*)?$`));
    });
  }
});

it('maps SageMaker operations to their ARN resource types', () => {
  expect(['CreateTrainingJob', 'DescribeTransformJob', 'CreateEndpointConfig', 'UpdateEndpoint', 'CreateModel'].map(sageMakerTypeOf)).toEqual([
    'training-job',
    'transform-job',
    'endpoint-config',
    'endpoint',
    'model',
  ]);
});
