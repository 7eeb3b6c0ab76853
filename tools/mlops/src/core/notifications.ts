/**
 * `notifications`: where a stage reports its runs' ends, approvals waiting or decided, and failed
 * deploys (resources/notifications.yml). Offline, the stack appends every message published to a
 * stage's SNS topic to `.local/notifications.jsonl` (MLOPS_LOCAL_DIR moves it): read here, newest last.
 * On AWS, SNS keeps no messages: this names the stage's topic and its subscriptions.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DescribeStackResourceCommand } from '@aws-sdk/client-cloudformation';
import { ListSubscriptionsByTopicCommand, SNSClient, type Subscription } from '@aws-sdk/client-sns';
import { OperationError } from '../errors';
import { NotificationSchema, type Notification, type NotificationsOutput } from '../output/schemas';
import { stackNameOf } from '../stage/aws-outputs';
import type { StageTarget } from '../stage/types';

/** The sink's file name in the offline folder (`.local/`), as the offline stack's `pnpm local:up` writes it. */
export const NOTIFICATIONS_FILE = 'notifications.jsonl';
/** The topic's logical id in resources/notifications.yml. */
export const TOPIC_LOGICAL_ID = 'NotificationTopic';

const WHAT = 'every run that ends (deployed or awaiting approval, failed or rejected by the gate, aborted or timed out), every version that awaits approval or is approved or rejected, and every deploy that fails';

/** The stage's notifications in a sink file: the newest `limit`, oldest first. */
export function readStageNotifications(file: string, stage: string, limit: number): NotificationsOutput {
  const all: Notification[] = [];
  let unreadableLines = 0;
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let parsed;
      try {
        parsed = NotificationSchema.safeParse(JSON.parse(line));
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) unreadableLines += 1;
      else if (parsed.data.stage === stage) all.push(parsed.data);
    }
  }
  const notifications = all.slice(Math.max(0, all.length - limit));
  const note = !existsSync(file)
    ? `no notifications yet: ${file} does not exist (the offline stack, \`pnpm local:up\`, writes a line there for ${WHAT})`
    : all.length === 0
      ? `no notifications for stage '${stage}' in ${file}`
      : `${notifications.length} of ${all.length} notification(s) of stage '${stage}' from ${file}, newest last`;
  return { stage, offline: true, file, notifications, total: all.length, unreadableLines, note };
}

/** The topic's ARN: the stack's NotificationTopicArn output, else its NotificationTopic resource. */
async function topicArnOf(target: StageTarget): Promise<string> {
  const fromOutputs = target.outputs.NotificationTopicArn;
  if (fromOutputs) return fromOutputs;
  const stackName = stackNameOf(target.stage);
  try {
    const { StackResourceDetail } = await target.clients.cloudFormation.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: TOPIC_LOGICAL_ID }));
    // An SNS topic's physical id is its ARN.
    if (StackResourceDetail?.PhysicalResourceId?.startsWith('arn:')) return StackResourceDetail.PhysicalResourceId;
  } catch (error) {
    if ((error as Error).name !== 'ValidationError') throw error;
  }
  throw new OperationError(
    'stage-not-deployed',
    `stage '${target.stage}': stack ${stackName} has no notification topic (it was deployed before resources/notifications.yml); deploy it with \`pnpm exec sls deploy --stage ${target.stage}\` to add it`,
  );
}

const regionOfArn = (arn: string) => arn.split(':')[3] || undefined;

/** The AWS stage's topic and its subscriptions (ListSubscriptionsByTopic, every page). */
export async function describeStageNotifications(target: StageTarget, sns?: SNSClient): Promise<NotificationsOutput> {
  const arn = await topicArnOf(target);
  const client = sns ?? new SNSClient({ region: regionOfArn(arn) });
  const found: Subscription[] = [];
  try {
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn, NextToken }));
      found.push(...(page.Subscriptions ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
  } finally {
    if (!sns) client.destroy();
  }
  // A subscription being removed reads `Deleted`; an unconfirmed one `PendingConfirmation`.
  const subscriptions = found.filter((s) => s.SubscriptionArn !== 'Deleted').map((s) => {
    const confirmed = Boolean(s.SubscriptionArn?.startsWith('arn:'));
    return { protocol: s.Protocol ?? '?', endpoint: s.Endpoint ?? '?', status: confirmed ? ('confirmed' as const) : ('pending' as const), ...(confirmed ? { subscriptionArn: s.SubscriptionArn } : {}) };
  });
  const name = arn.split(':').pop() ?? arn;
  const subscribe = `set notifyEmail (an address) or notifyHttps (an endpoint) under params.${target.stage} in serverless.yml and deploy`;
  const note = [
    `Stage '${target.stage}' publishes one short message to the SNS topic ${name} for ${WHAT}. SNS keeps no messages: read them where its subscriptions deliver them.`,
    subscriptions.length === 0 ? `The topic has no subscription: ${subscribe}.` : `To change who is told, ${subscribe}.`,
    subscriptions.some((s) => s.status === 'pending') ? 'A pending email subscription delivers nothing until its address confirms it (the link in the email SNS sent).' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return { stage: target.stage, offline: false, notifications: [], total: 0, unreadableLines: 0, topic: { arn, name }, subscriptions, note };
}
