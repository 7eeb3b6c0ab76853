/**
 * resources/notifications.yml through the offline stack: the rules' SNS targets (the stage's
 * `mlops-<stage>-notifications` topic) deliver to the notification sink, one JSON line each in the
 * file `notificationsFile` names, read back with `stack.notifications()`:
 * - a pipeline run that fails (started directly, with an input its first step refuses) gives a
 *   "Run <name> of stage local ended FAILED: <error>: <cause>" line;
 * - a version created PendingManualApproval in one of the stage's groups gives an "awaits approval"
 *   line with the approve command; approving it gives an "is now Approved" line, and its deploy
 *   (whose model artifact does not exist) a "Deploy ... ended FAILED" line;
 * - another stage's group, or the stage's own RUNNING executions, give none.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateModelPackageCommand, CreateModelPackageGroupCommand, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { type LocalStack, startLocalStack } from '../src';

let stack: LocalStack;
let dir: string;
const TOPIC = { name: 'mlops-local-notifications', arn: 'arn:aws:sns:us-east-1:000000000000:mlops-local-notifications' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'local-stack-notifications-'));
  stack = await startLocalStack({ stages: ['local', 'localprod'], waitScale: 0.01, notificationsFile: join(dir, 'out', 'notifications.jsonl') });
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ended(executionArn: string): Promise<string> {
  for (;;) {
    const { status } = await stack.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (status !== 'RUNNING') return status!;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const since = (count: number) => stack.notifications().slice(count);

describe('notifications, offline', () => {
  it("resolves each stage's topic (Ref is its ARN) and its NotificationTopicArn output", () => {
    expect(stack.stages.local!.resources.topics).toEqual({ NotificationTopic: { logicalId: 'NotificationTopic', ...TOPIC } });
    expect(stack.stages.local!.outputs.NotificationTopicArn).toBe(TOPIC.arn);
    expect(stack.stages.localprod!.outputs.NotificationTopicArn).toBe('arn:aws:sns:us-east-1:000000000000:mlops-localprod-notifications');
    const rule = stack.stages.local!.resources.rules.find((r) => r.logicalId === 'NotifyRunFailedRule')!;
    expect(rule.targets).toEqual([expect.objectContaining({ id: 'NotificationTopic', arn: TOPIC.arn })]);
    expect(stack.notificationsFile).toBe(join(dir, 'out', 'notifications.jsonl'));
  });

  it('a failed pipeline run appends one line naming the run, its error and cause, the run record and the execution', async () => {
    const before = stack.notifications().length;
    const { executionArn } = await stack.clients.sfn.send(
      new StartExecutionCommand({ stateMachineArn: stack.stages.local!.stateMachineArns.pipeline, name: 'notify-fails', input: JSON.stringify({ runId: 'notify-fails' }) }),
    );
    expect(await ended(executionArn!)).toBe('FAILED');
    await stack.settled();
    const lines = since(before);
    expect(lines).toEqual([
      {
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        stage: 'local',
        topic: TOPIC,
        message: expect.stringMatching(/^Run notify-fails of stage local ended FAILED: \S+: .+\. Run record: runs\/notify-fails\/run\.json; execution: /),
        rule: 'mlops-local-NotifyRunFailedRule',
      },
    ]);
    expect(lines[0]!.message.endsWith(`execution: ${executionArn}`)).toBe(true);
    // The file holds the same, one JSON document a line.
    const file = readFileSync(stack.notificationsFile, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(file.at(-1)!)).toEqual(lines[0]);
    // Its RUNNING status change matched no notification rule.
    expect(stack.eventBridge.bus.failures()).toEqual([]);
  });

  it('a pending version of a local group gives an "awaits approval" line with the approve command; approving it and its failed deploy give one line each', async () => {
    const sm = stack.clients.sageMaker;
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'mlops-local-notify' }));
    const before = stack.notifications().length;
    const { ModelPackageArn } = await sm.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: 'mlops-local-notify',
        ModelApprovalStatus: 'PendingManualApproval',
        CustomerMetadataProperties: { family: 'notify', runId: 'notify-1' },
        InferenceSpecification: { Containers: [{ Image: 'img:1', ModelDataUrl: 's3://mlops-local-data/nothing/model.tar.gz' }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['text/csv'] },
      }),
    );
    await stack.settled();
    expect(since(before).map((n) => [n.rule, n.message])).toEqual([
      [
        'mlops-local-NotifyAwaitingApprovalRule',
        `Model notify v1 of stage local awaits approval (group mlops-local-notify, PendingManualApproval). Approve it: pnpm mlops approve notify 1 --stage local (approving deploys it); or reject it: pnpm mlops reject notify 1 --stage local --reason 'why'. Package: ${ModelPackageArn}`,
      ],
    ]);

    const approvedAt = stack.notifications().length;
    await sm.send(new UpdateModelPackageCommand({ ModelPackageArn, ModelApprovalStatus: 'Approved', ApprovalDescription: 'reviewed' }));
    await stack.settled();
    const [deploy] = stack.stepFunctions.executions.list({ stateMachineName: 'mlops-local-deploy' });
    expect(await ended(deploy!.executionArn)).toBe('FAILED');
    await stack.settled();
    const lines = since(approvedAt);
    expect(lines.map((n) => n.rule)).toEqual(['mlops-local-NotifyApprovalDecidedRule', 'mlops-local-NotifyDeployFailedRule']);
    expect(lines[0]!.message).toMatch(/^Model notify v1 of stage local is now Approved \(group mlops-local-notify; reason: reviewed\)\. /);
    expect(lines[1]!.message).toMatch(new RegExp(`^Deploy \\S+ of stage local ended FAILED: \\S+: .+\\. Execution: ${deploy!.executionArn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    expect(lines.every((n) => n.stage === 'local' && n.topic.name === 'mlops-local-notifications')).toBe(true);
  });

  it("a version of localprod's group goes to localprod's topic only", async () => {
    const sm = stack.clients.sageMaker;
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'mlops-localprod-notify' }));
    const before = stack.notifications().length;
    await sm.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: 'mlops-localprod-notify',
        ModelApprovalStatus: 'PendingManualApproval',
        CustomerMetadataProperties: { family: 'notify' },
        InferenceSpecification: { Containers: [{ Image: 'img:1', ModelDataUrl: 's3://mlops-localprod-data/nothing/model.tar.gz' }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['text/csv'] },
      }),
    );
    await stack.settled();
    expect(since(before).map((n) => [n.stage, n.topic.name, n.rule])).toEqual([['localprod', 'mlops-localprod-notifications', 'mlops-localprod-NotifyAwaitingApprovalRule']]);
    expect(since(before)[0]!.message).toContain('pnpm mlops approve notify 1 --stage localprod');
  });

  it('a topic no stage has fails the delivery for good', async () => {
    const { NotificationSink } = await import('../src/notifications');
    const sink = new NotificationSink(join(dir, 'other.jsonl'), []);
    let error: unknown;
    try {
      sink.publish('arn:aws:sns:us-east-1:000000000000:nope', 'x', 'r');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'NotFoundException', retryable: false, message: 'Topic does not exist: arn:aws:sns:us-east-1:000000000000:nope' });
    expect(existsSync(join(dir, 'other.jsonl'))).toBe(false);
  });
});
