/**
 * The offline stand-in for the stages' SNS topics (resources/notifications.yml): what an EventBridge
 * rule publishes to a topic of a hosted stage is appended to one JSON-lines file, one notification a
 * line, for the user to read (`pnpm mlops notifications`, or the file itself). `pnpm local:up` writes
 * `.local/notifications.jsonl`; a stack started without `notificationsFile` writes
 * `<workDir>/notifications.jsonl`.
 *
 * A line: `{"time", "stage", "topic": {"name", "arn"}, "subject"?, "message", "rule"}`; `time` is the
 * wall clock when the message reached the sink, `rule` the publishing rule's name.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LocalTopic } from './resources';

export interface LocalNotification {
  /** When the sink received it (ISO 8601, wall clock). */
  time: string;
  /** The stage whose topic it was published to. */
  stage: string;
  topic: { name: string; arn: string };
  /** SNS's Subject; EventBridge's SNS targets set none. */
  subject?: string;
  /** The message as the rule's target input made it (an InputTransformer's text). */
  message: string;
  /** The name of the rule that published it. */
  rule: string;
}

/** The file's name in a stack's work folder or `.local/`. */
export const NOTIFICATIONS_FILE = 'notifications.jsonl';

/** A topic ARN as SNS spells it: arn:aws:sns:<region>:<account>:<name>. */
export const TOPIC_ARN = /^arn:aws[\w-]*:sns:[^:]+:\d{12}:[^:]+$/;

export class NotificationSink {
  private readonly topicByArn: Map<string, { stage: string; topic: LocalTopic }>;

  constructor(
    readonly file: string,
    topics: { stage: string; topic: LocalTopic }[],
    private readonly now: () => Date = () => new Date(),
  ) {
    this.topicByArn = new Map(topics.map((t) => [t.topic.arn, t]));
  }

  /**
   * Publishes to one of the stages' topics: appends the line. A topic the stages do not have fails
   * as SNS answers it (NotFound), which EventBridge does not retry.
   */
  publish(topicArn: string, message: string, rule: string, subject?: string): LocalNotification {
    const known = this.topicByArn.get(topicArn);
    if (!known) throw Object.assign(new Error(`Topic does not exist: ${topicArn}`), { name: 'NotFoundException', code: 'NotFound', retryable: false });
    const notification: LocalNotification = {
      time: this.now().toISOString(),
      stage: known.stage,
      topic: { name: known.topic.name, arn: known.topic.arn },
      ...(subject !== undefined ? { subject } : {}),
      message,
      rule,
    };
    mkdirSync(dirname(this.file), { recursive: true });
    // One write per line (O_APPEND): a reader never sees half a notification between two.
    appendFileSync(this.file, `${JSON.stringify(notification)}\n`);
    return notification;
  }

  /** Every notification in the file, oldest first (lines that are not notifications are skipped). */
  read(): LocalNotification[] {
    return readNotifications(this.file);
  }
}

/** Reads a sink file: its notifications, oldest first; none when it does not exist. */
export function readNotifications(file: string): LocalNotification[] {
  if (!existsSync(file)) return [];
  const out: LocalNotification[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as LocalNotification;
      if (typeof value?.message === 'string' && typeof value.stage === 'string') out.push(value);
    } catch {
      // a line cut by a crash mid-write: skipped
    }
  }
  return out;
}
