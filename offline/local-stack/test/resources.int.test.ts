/**
 * serverless.yml's offline stages resolved as the stack hosts them: every state machine with `Ref`s of
 * state machines replaced by their ARNs, the EventBridge rules with stage-distinct names, the stack's
 * Outputs evaluated, and each stage's functions and buckets under its own names.
 */
import { StageOutputsSchema } from '@mlops/common';
import { printServerlessConfig } from '@mlops/serverless-config';
import { type LocalResources, resolveLocalResources, stateMachineLogicalId } from '../src/resources';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine';
let local: LocalResources;
let prod: LocalResources;

beforeAll(async () => {
  const resolved = await Promise.all(['local', 'localprod'].map(async (stage) => resolveLocalResources(await printServerlessConfig(stage))));
  local = resolved[0]!;
  prod = resolved[1]!;
});

/** Every value of a JSON tree. */
const leaves = (value: unknown): unknown[] =>
  value !== null && typeof value === 'object' ? Object.values(value).flatMap(leaves) : [value];

describe('resolveLocalResources', () => {
  it('resolves every state machine of the stage, the first one as `stateMachine`', () => {
    expect(Object.keys(local.stateMachines)).toEqual(['pipeline', 'deploy', 'preprocess']);
    expect(local.stateMachines.pipeline).toMatchObject({ name: 'mlops-local-pipeline', arn: `${ARN}:mlops-local-pipeline`, logicalId: 'MlopsPipelineStateMachine' });
    expect(local.stateMachines.deploy).toMatchObject({ name: 'mlops-local-deploy', arn: `${ARN}:mlops-local-deploy`, logicalId: 'MlopsDeployStateMachine' });
    expect(local.stateMachines.preprocess).toMatchObject({ name: 'mlops-local-preprocess', arn: `${ARN}:mlops-local-preprocess`, logicalId: 'MlopsPreprocessStateMachine' });
    expect(local.stateMachine).toBe(local.stateMachines.pipeline);
    expect(prod.stateMachines.deploy!.arn).toBe(`${ARN}:mlops-localprod-deploy`);
    expect(prod.stateMachines.preprocess!.arn).toBe(`${ARN}:mlops-localprod-preprocess`);
  });

  it("gives mlops_ingest the preprocess state machine's ARN and the preprocess image, evaluated for the local account", () => {
    for (const [res, stage] of [[local, 'local'], [prod, 'localprod']] as const) {
      const env = res.functions.find((f) => f.key === 'mlops_ingest')!.environment;
      // The stage's own spelled-out ARN is the one the stack hosts the machine under.
      expect(env.PREPROCESS_STATE_MACHINE_ARN).toBe(res.stateMachines.preprocess!.arn);
      expect(env.PREPROCESS_IMAGE).toBe('000000000000.dkr.ecr.us-east-1.amazonaws.com/mlops-preprocess:1.0.0');
      expect(env.SAGEMAKER_ROLE_ARN).toBe(`arn:aws:iam::000000000000:role/mlops-${stage}-sagemaker-execution`);
    }
  });

  it('replaces a Ref of another state machine by its ARN inside a definition', () => {
    const deploy = (local.stateMachines.pipeline!.definition.States as Record<string, { Parameters?: { StateMachineArn?: unknown } }>).Deploy!;
    expect(deploy.Parameters!.StateMachineArn).toBe(`${ARN}:mlops-local-deploy`);
    const prodDeploy = (prod.stateMachines.pipeline!.definition.States as Record<string, { Parameters?: { StateMachineArn?: unknown } }>).Deploy!;
    expect(prodDeploy.Parameters!.StateMachineArn).toBe(`${ARN}:mlops-localprod-deploy`);
    // No intrinsic is left in any definition.
    for (const sm of [...Object.values(local.stateMachines), ...Object.values(prod.stateMachines)]) {
      expect(JSON.stringify(sm.definition)).not.toMatch(/"(Ref|Fn::GetAtt|Fn::Sub)"/);
    }
  });

  it('names state machines without `id` as serverless-step-functions does', () => {
    expect(stateMachineLogicalId('pipeline')).toBe('PipelineStepFunctionsStateMachine');
    expect(stateMachineLogicalId('deploy-v2')).toBe('DeployDashv2StepFunctionsStateMachine');
    expect(stateMachineLogicalId('deploy', 'MyId')).toBe('MyId');
  });

  it('evaluates the stack Outputs, and they fit StageOutputsSchema', () => {
    expect(StageOutputsSchema.parse(local.outputs)).toEqual({
      DataBucketName: 'mlops-local-data',
      PipelineStateMachineArn: `${ARN}:mlops-local-pipeline`,
      DeployStateMachineArn: `${ARN}:mlops-local-deploy`,
      IngestFunctionName: 'mlops-local-mlops_ingest',
      NamePrefix: 'mlops-local',
      RunsPrefix: 'runs/',
      ApprovalPolicy: 'auto',
      NotificationTopicArn: 'arn:aws:sns:us-east-1:000000000000:mlops-local-notifications',
    });
    expect(StageOutputsSchema.parse(prod.outputs)).toMatchObject({ DataBucketName: 'mlops-localprod-data', DeployStateMachineArn: `${ARN}:mlops-localprod-deploy`, NamePrefix: 'mlops-localprod', ApprovalPolicy: 'manual' });
  });

  it('reads the approval rule: stage-distinct names, the deploy state machine as target, its input transformer', () => {
    expect(local.rules.map((r) => r.logicalId)).toEqual([
      'DeployOnApprovalRule',
      'CleanUpEndedRunsRule',
      'NotifyRunSucceededRule',
      'NotifyRunFailedRule',
      'NotifyRunStoppedRule',
      'NotifyAwaitingApprovalRule',
      'NotifyApprovalDecidedRule',
      'NotifyDeployFailedRule',
      'NotifyDeployStoppedRule',
      'NotifyPreprocessFailedRule',
      'NotifyPreprocessStoppedRule',
    ]);
    const rule = local.rules.find((r) => r.logicalId === 'DeployOnApprovalRule');
    expect(rule).toMatchObject({
      name: 'mlops-local-DeployOnApprovalRule',
      logicalId: 'DeployOnApprovalRule',
      state: 'ENABLED',
      eventPattern: { source: ['aws.sagemaker'], 'detail-type': ['SageMaker Model Package State Change'] },
      targets: [
        {
          id: 'DeployStateMachine',
          arn: `${ARN}:mlops-local-deploy`,
          roleArn: 'arn:aws:iam::000000000000:role/mlops-local-DeployOnApprovalRole',
          inputTransformer: { inputPathsMap: { modelPackageArn: '$.detail.ModelPackageArn' }, inputTemplate: '{"modelPackageArn": <modelPackageArn>, "reason": "approval"}' },
        },
      ],
    });
    expect(prod.rules[0]).toMatchObject({ name: 'mlops-localprod-DeployOnApprovalRule', targets: [{ arn: `${ARN}:mlops-localprod-deploy` }] });
  });

  it("reads the clean-up rule (failures.yml): the stage pipeline's and preprocess state machine's status changes, its mlops_record as a Lambda target, and the stage queue", () => {
    for (const [res, stage] of [[local, 'local'], [prod, 'localprod']] as const) {
      expect(res.rules.find((r) => r.logicalId === 'CleanUpEndedRunsRule')).toMatchObject({
        name: `mlops-${stage}-CleanUpEndedRunsRule`,
        eventPattern: { source: ['aws.states'], detail: { stateMachineArn: [`${ARN}:mlops-${stage}-pipeline`, `${ARN}:mlops-${stage}-preprocess`], status: ['ABORTED', 'TIMED_OUT'] } },
        targets: [{ id: 'RecordEndedRun', arn: `arn:aws:lambda:us-east-1:000000000000:function:mlops-${stage}-mlops_record`, retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 } }],
      });
      expect(Object.values(res.queues).map((q) => q.arn)).toEqual([`arn:aws:sqs:us-east-1:000000000000:mlops-${stage}-ingest-failures`]);
      expect(res.functions.find((f) => f.key === 'mlops_ingest')!.asyncConfig.onFailure).toBe(`arn:aws:sqs:us-east-1:000000000000:mlops-${stage}-ingest-failures`);
    }
  });

  it("reads the notification topic (notifications.yml): Ref is its ARN, in the rules' targets and the outputs", () => {
    for (const [res, stage] of [[local, 'local'], [prod, 'localprod']] as const) {
      const arn = `arn:aws:sns:us-east-1:000000000000:mlops-${stage}-notifications`;
      expect(res.topics).toEqual({ NotificationTopic: { logicalId: 'NotificationTopic', name: `mlops-${stage}-notifications`, arn } });
      const notifying = res.rules.filter((r) => r.targets.some((t) => t.arn === arn)).map((r) => r.logicalId);
      expect(notifying).toHaveLength(9);
      expect(res.outputs.NotificationTopicArn).toBe(arn);
    }
  });

  it("gives each stage its own function names, buckets and Lambda ARNs", () => {
    expect(local.functions.map((f) => f.name)).toContain('mlops-local-mlops_ingest');
    expect(prod.functions.map((f) => f.name)).toContain('mlops-localprod-mlops_ingest');
    expect(Object.values(local.buckets)).toEqual(['mlops-local-data']);
    expect(Object.values(prod.buckets)).toEqual(['mlops-localprod-data']);
    const localArns = [...local.functionByArn.keys()];
    expect([...prod.functionByArn.keys()].some((arn) => localArns.includes(arn))).toBe(false);
    // Every Lambda ARN a definition names is one of its stage's functions.
    for (const res of [local, prod]) {
      const named = Object.values(res.stateMachines).flatMap((sm) => leaves(sm.definition)).filter((v): v is string => typeof v === 'string' && v.startsWith('arn:aws:lambda:'));
      expect(named.length).toBeGreaterThan(0);
      for (const arn of named) expect(res.functionByArn.has(arn)).toBe(true);
    }
  });
});

describe('the retraining schedule', () => {
  it('is absent while the stage sets no retrainSchedule (its Condition is false)', () => {
    expect(local.schedules).toEqual([]);
  });

  it('is the schedule resources/retraining.yml declares once the param is set, its target the stage’s ingest function', async () => {
    const scheduled = resolveLocalResources(await printServerlessConfig('local', undefined, { retrainSchedule: 'cron(0 3 ? * MON *)', retrainScheduleTimezone: 'Europe/Paris' }));
    expect(scheduled.schedules).toEqual([
      {
        logicalId: 'RetrainSchedule',
        name: 'mlops-local-retrain',
        groupName: 'default',
        expression: 'cron(0 3 ? * MON *)',
        timezone: 'Europe/Paris',
        state: 'ENABLED',
        target: {
          arn: 'arn:aws:lambda:us-east-1:000000000000:function:mlops-local-mlops_ingest',
          input: '{"retrain":{"scheduledTime":"<aws.scheduler.scheduled-time>"}}',
          deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:mlops-local-ingest-failures',
          maximumRetryAttempts: 5,
          maximumEventAgeInSeconds: 3600,
        },
      },
    ]);
  });
});
