import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { NotificationsOutputSchema, OperationError, runCli, type Clients, type Notification, type StageTarget } from '../src';

const sns = mockClient(SNSClient);
const cfn = mockClient(CloudFormationClient);
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:mlops-dev-notifications';
/** The outputs of stack mlops-dev before NotificationTopicArn was one of them. */
const DEV_OUTPUTS = {
  DataBucketName: 'mlops-dev-data-123456789012-eu-west-1',
  PipelineStateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:mlops-dev-pipeline',
  DeployStateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:mlops-dev-deploy',
  NamePrefix: 'mlops-dev',
  RunsPrefix: 'runs/',
  ApprovalPolicy: 'auto',
};

let dir: string;
const savedLocalDir = process.env.MLOPS_LOCAL_DIR;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlops-notifications-'));
  process.env.MLOPS_LOCAL_DIR = dir;
  sns.reset();
  cfn.reset();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (savedLocalDir === undefined) delete process.env.MLOPS_LOCAL_DIR;
  else process.env.MLOPS_LOCAL_DIR = savedLocalDir;
});

const line = (stage: string, i: number, message: string): Notification => ({
  time: `2026-12-06T10:0${i}:00.000Z`,
  stage,
  topic: { name: `mlops-${stage}-notifications`, arn: `arn:aws:sns:us-east-1:000000000000:mlops-${stage}-notifications` },
  message,
  rule: `mlops-${stage}-NotifyRunFailedRule`,
});

/** runCli with a resolver: offline stages are not resolved at all (the sink is a file); `dev` is an AWS stage. */
async function run(argv: string[], devOutputs: Record<string, string> = { ...DEV_OUTPUTS, NotificationTopicArn: TOPIC }) {
  const clients: Clients = {
    s3: new S3Client({ region: 'eu-west-1' }),
    sageMaker: new SageMakerClient({ region: 'eu-west-1' }),
    runtime: new SageMakerRuntimeClient({ region: 'eu-west-1' }),
    sfn: new SFNClient({ region: 'eu-west-1' }),
    cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
  };
  const resolve = async (stage: string): Promise<StageTarget> => {
    if (stage !== 'dev') throw new OperationError('stage-not-deployed', `stage '${stage}' should not be resolved`);
    return { stage, offline: false, outputs: devOutputs as unknown as StageTarget['outputs'], clients, reach: 'aws:eu-west-1' };
  };
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, { resolver: () => resolve, reportsDir: '/tmp/unused' });
  return { code, stdout, stderr };
}

describe('pnpm mlops notifications, offline', () => {
  it("prints the stage's latest notifications from .local/notifications.jsonl (MLOPS_LOCAL_DIR), newest last, without the stack running", async () => {
    const lines = [
      line('local', 1, 'Run a of stage local ended FAILED: TrainingJobFailed: boom. Run record: runs/a/run.json; execution: x'),
      line('localprod', 2, 'Model abalone v1 of stage localprod awaits approval (group mlops-localprod-abalone, PendingManualApproval). Approve it: pnpm mlops approve abalone 1 --stage localprod'),
      line('local', 3, 'Run b of stage local ended SUCCEEDED (deployed or awaiting approval: see the run record runs/b/run.json, or pnpm mlops runs --stage local). Execution: y'),
      line('local', 4, 'Run c of stage local ended ABORTED: its jobs are stopped and the run is recorded in runs/c/run.json. Execution: z'),
    ];
    writeFileSync(join(dir, 'notifications.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{"cut by a cr\n`);
    const json = await run(['notifications', '--limit', '2', '--json']);
    expect(json.code).toBe(0);
    const doc = NotificationsOutputSchema.parse(JSON.parse(json.stdout));
    expect(doc).toMatchObject({ stage: 'local', offline: true, file: join(dir, 'notifications.jsonl'), total: 3, unreadableLines: 1 });
    expect(doc.notifications).toEqual([lines[2], lines[3]]);
    expect(doc.note).toBe(`2 of 3 notification(s) of stage 'local' from ${join(dir, 'notifications.jsonl')}, newest last`);

    const text = await run(['notifications', '--stage', 'localprod']);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      [
        '2026-12-06 10:02:00  Model abalone v1 of stage localprod awaits approval (group mlops-localprod-abalone, PendingManualApproval). Approve it: pnpm mlops approve abalone 1 --stage localprod',
        `(1 line(s) of ${join(dir, 'notifications.jsonl')} are not notifications and were skipped)`,
        '',
        `1 of 1 notification(s) of stage 'localprod' from ${join(dir, 'notifications.jsonl')}, newest last`,
        '',
      ].join('\n'),
    );
  });

  it('says where notifications will appear when there are none yet', async () => {
    const { code, stdout } = await run(['notifications']);
    expect(code).toBe(0);
    expect(stdout).toContain(`no notifications yet: ${join(dir, 'notifications.jsonl')} does not exist (the offline stack, \`pnpm local:up\`, writes a line there for every run that ends`);
    writeFileSync(join(dir, 'notifications.jsonl'), `${JSON.stringify(line('localprod', 1, 'x'))}\n`);
    expect((await run(['notifications'])).stdout).toBe(`no notifications for stage 'local' in ${join(dir, 'notifications.jsonl')}\n`);
  });

  it('refuses a bad --limit and extra arguments (exit 2)', async () => {
    expect((await run(['notifications', '--limit', '0'])).code).toBe(2);
    expect((await run(['notifications', 'abalone'])).code).toBe(2);
  });
});

describe('pnpm mlops notifications, AWS stage', () => {
  it("names the stage's topic (NotificationTopicArn) and its subscriptions, every page, in the topic's region", async () => {
    sns
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: undefined })
      .resolves({ Subscriptions: [{ Protocol: 'email', Endpoint: 'ml-team@example.com', SubscriptionArn: 'PendingConfirmation', TopicArn: TOPIC }], NextToken: 'p2' })
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: 'p2' })
      .resolves({
        Subscriptions: [
          { Protocol: 'https', Endpoint: 'https://hooks.example.com/mlops', SubscriptionArn: `${TOPIC}:1b2c`, TopicArn: TOPIC },
          { Protocol: 'email', Endpoint: 'gone@example.com', SubscriptionArn: 'Deleted', TopicArn: TOPIC },
        ],
      });
    const { code, stdout } = await run(['notifications', '--stage', 'dev', '--json']);
    expect(code).toBe(0);
    const doc = NotificationsOutputSchema.parse(JSON.parse(stdout));
    expect(doc).toMatchObject({
      stage: 'dev',
      offline: false,
      notifications: [],
      topic: { arn: TOPIC, name: 'mlops-dev-notifications' },
      subscriptions: [
        { protocol: 'email', endpoint: 'ml-team@example.com', status: 'pending' },
        { protocol: 'https', endpoint: 'https://hooks.example.com/mlops', status: 'confirmed', subscriptionArn: `${TOPIC}:1b2c` },
      ],
    });
    expect(doc.note).toContain("Stage 'dev' publishes one short message to the SNS topic mlops-dev-notifications");
    expect(doc.note).toContain('A pending email subscription delivers nothing until its address confirms it');
    expect(await sns.call(0).thisValue.config.region()).toBe('eu-west-1');

    const text = (await run(['notifications', '--stage', 'dev'])).stdout;
    expect(text).toContain(`topic ${TOPIC}`);
    expect(text).toMatch(/PROTOCOL +ENDPOINT +STATUS\nemail +ml-team@example\.com +pending\nhttps +https:\/\/hooks\.example\.com\/mlops +confirmed/);
  });

  it('finds the topic through the stack resource when the outputs do not carry it, and says how to subscribe when nobody is', async () => {
    cfn.on(DescribeStackResourceCommand, { StackName: 'mlops-dev', LogicalResourceId: 'NotificationTopic' }).resolves({ StackResourceDetail: { PhysicalResourceId: TOPIC } as never });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    const { code, stdout } = await run(['notifications', '--stage', 'dev', '--json'], DEV_OUTPUTS);
    expect(code).toBe(0);
    const doc = NotificationsOutputSchema.parse(JSON.parse(stdout));
    expect(doc.topic).toEqual({ arn: TOPIC, name: 'mlops-dev-notifications' });
    expect(doc.subscriptions).toEqual([]);
    expect(doc.note).toContain('The topic has no subscription: set notifyEmail (an address) or notifyHttps (an endpoint) under params.dev in serverless.yml and deploy.');
  });

  it('fails (exit 1) for a stack deployed before the notifications', async () => {
    cfn.on(DescribeStackResourceCommand).rejects(Object.assign(new Error('Resource NotificationTopic does not exist for stack mlops-dev'), { name: 'ValidationError' }));
    const { code, stderr } = await run(['notifications', '--stage', 'dev'], DEV_OUTPUTS);
    expect(code).toBe(1);
    expect(stderr).toContain("stage 'dev': stack mlops-dev has no notification topic");
  });
});
