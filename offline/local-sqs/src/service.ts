/**
 * The SQS operations on standard queues, independent of the wire protocol: requests and responses
 * are the AWS JSON 1.0 bodies of the official model (offline/aws-models, sqs-2012-11-05.json).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { formatValidationMessage, sqsModel, validateRequest } from '@mlops/aws-models';
import { invalidParameter, missingParameter, queueDoesNotExist, SqsError } from './errors';
import { md5Hex, md5OfMessageAttributes, type MessageAttributeValue } from './md5';

type Request = Record<string, unknown>;
type Response = Record<string, unknown>;

export const OPERATIONS = ['CreateQueue', 'GetQueueUrl', 'GetQueueAttributes', 'SendMessage', 'ReceiveMessage', 'DeleteMessage', 'PurgeQueue', 'ListQueues'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Settable queue attributes: default and allowed range (SQS API reference, CreateQueue). */
const SETTABLE: Record<string, { default: number; min: number; max: number }> = {
  DelaySeconds: { default: 0, min: 0, max: 900 },
  MaximumMessageSize: { default: 262_144, min: 1_024, max: 1_048_576 },
  MessageRetentionPeriod: { default: 345_600, min: 60, max: 1_209_600 },
  ReceiveMessageWaitTimeSeconds: { default: 0, min: 0, max: 20 },
  VisibilityTimeout: { default: 30, min: 0, max: 43_200 },
};
const BOOLEAN_ATTRIBUTES = new Set(['SqsManagedSseEnabled']);
const ACCEPTED_UNEMULATED = new Set(['Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds']);
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** What SQS accepts in a body: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF. */
const INVALID_BODY_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const PURGE_INTERVAL_MS = 60_000;

export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
  senderId: string;
  sentTimestamp: number;
  /** When it becomes visible (sent + delay, or the end of its visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** The receipt handle of its latest receive. */
  receiptHandle?: string;
}

export interface StoredQueue {
  name: string;
  attributes: Record<string, string>;
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  tags: Record<string, string>;
  messages: StoredMessage[];
  lastPurge?: number;
}

/** What exportState() gives and `restore` takes: every queue with its messages. */
export interface PersistedSqs {
  queues: StoredQueue[];
}

export interface SqsServiceOptions {
  region?: string;
  accountId?: string;
  /** The queue URLs' base (the server's endpoint); queues are `<base>/<account>/<name>`. */
  baseUrl: string;
  /** The clock (tests); wall clock by default. */
  now?: () => number;
  restore?: PersistedSqs;
}

const toInteger = (name: string, value: unknown): number | undefined => {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw invalidParameter(`Value ${String(value)} for parameter ${name} is invalid. Reason: Must be an integer.`);
  return n;
};

export class SqsService {
  readonly region: string;
  readonly accountId: string;
  private baseUrl: string;
  private readonly now: () => number;
  private readonly queues = new Map<string, StoredQueue>();
  private readonly waiters = new Set<() => void>();
  /** Bumped on every change, for the state writer. */
  version = 0;

  constructor(options: SqsServiceOptions) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.now = options.now ?? Date.now;
    for (const queue of options.restore?.queues ?? []) this.queues.set(queue.name, structuredClone(queue));
  }

  /** The server learns its port after construction. */
  setBaseUrl(url: string): void {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  queueUrl(name: string): string {
    return `${this.baseUrl}/${this.accountId}/${name}`;
  }

  queueArn(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  exportState(): PersistedSqs {
    for (const queue of this.queues.values()) this.expire(queue);
    return { queues: [...this.queues.values()].map((q) => structuredClone(q)) };
  }

  /** Messages (visible, in flight and delayed) of a queue, for tests and tooling; no side effect. */
  peek(queueName: string): StoredMessage[] {
    const queue = this.queues.get(queueName);
    if (!queue) throw queueDoesNotExist();
    this.expire(queue);
    return queue.messages.map((m) => ({ ...m }));
  }

  async call(operation: string, request: Request, context: { path?: string } = {}): Promise<Response> {
    if (!(OPERATIONS as readonly string[]).includes(operation)) {
      throw new SqsError('InvalidAction', `The action ${operation} is not valid for this endpoint.`);
    }
    const input = { ...request };
    // The query protocol may post to the queue's URL instead of naming it.
    if (input.QueueUrl === undefined && context.path && /^\/\d{12}\/[^/]+$/.test(context.path) && operation !== 'CreateQueue' && operation !== 'GetQueueUrl' && operation !== 'ListQueues') {
      input.QueueUrl = `${this.baseUrl}${context.path}`;
    }
    this.validate(operation, input);
    switch (operation as Operation) {
      case 'CreateQueue':
        return this.createQueue(input);
      case 'GetQueueUrl':
        return this.getQueueUrl(input);
      case 'GetQueueAttributes':
        return this.getQueueAttributes(input);
      case 'SendMessage':
        return this.sendMessage(input);
      case 'ReceiveMessage':
        return this.receiveMessage(input);
      case 'DeleteMessage':
        return this.deleteMessage(input);
      case 'PurgeQueue':
        return this.purgeQueue(input);
      case 'ListQueues':
        return this.listQueues(input);
    }
  }

  /** The model's constraints, as the front end checks them: a missing member is MissingParameter, anything else InvalidParameterValue. */
  private validate(operation: string, input: Request): void {
    const issues = validateRequest(sqsModel, operation, input);
    if (issues.length === 0) return;
    const missing = issues.find((i) => i.constraint === 'Member must not be null' && !i.path.includes('.'));
    if (missing) throw missingParameter(missing.path.charAt(0).toUpperCase() + missing.path.slice(1));
    const attributeName = issues.find((i) => /^attributeNames\.\d+\.member$|^attributes\.key$|^messageSystemAttributeNames\.\d+\.member$/.test(i.path));
    if (attributeName) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${String(attributeName.value)}.`);
    throw invalidParameter(formatValidationMessage(issues));
  }

  private queueOf(url: unknown): StoredQueue {
    const text = String(url);
    let path: string;
    try {
      path = new URL(text).pathname;
    } catch {
      path = text.startsWith('/') ? text : '';
      if (!path) throw new SqsError('InvalidAddress', `The address ${text} is not valid for this endpoint.`);
    }
    const match = /^\/(\d{12})\/([^/]+)\/?$/.exec(path);
    if (!match) throw new SqsError('InvalidAddress', `The address ${text} is not valid for this endpoint.`);
    const queue = match[1] === this.accountId ? this.queues.get(decodeURIComponent(match[2]!)) : undefined;
    if (!queue) throw queueDoesNotExist();
    this.expire(queue);
    return queue;
  }

  /** Drops messages older than the retention period, as SQS deletes them. */
  private expire(queue: StoredQueue): void {
    const retentionMs = Number(queue.attributes.MessageRetentionPeriod) * 1000;
    const now = this.now();
    const kept = queue.messages.filter((m) => now - m.sentTimestamp < retentionMs);
    if (kept.length !== queue.messages.length) {
      queue.messages = kept;
      this.version++;
    }
  }

  private checkAttributes(attributes: Record<string, string>): Record<string, string> {
    const checked: Record<string, string> = {};
    for (const [name, raw] of Object.entries(attributes)) {
      const value = String(raw);
      const range = SETTABLE[name];
      if (range) {
        const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
        if (!(n >= range.min && n <= range.max)) throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
        checked[name] = String(n);
      } else if (BOOLEAN_ATTRIBUTES.has(name)) {
        if (value !== 'true' && value !== 'false') throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
        checked[name] = value;
      } else if (name === 'FifoQueue' || name === 'ContentBasedDeduplication' || name === 'DeduplicationScope' || name === 'FifoThroughputLimit') {
        throw new SqsError('UnsupportedOperation', 'FIFO queues are not emulated by the local SQS service.');
      } else if (ACCEPTED_UNEMULATED.has(name)) {
        checked[name] = value; // kept and returned, not enforced
      } else {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
    }
    return checked;
  }

  private createQueue(input: Request): Response {
    const name = String(input.QueueName);
    if (name.endsWith('.fifo')) throw new SqsError('UnsupportedOperation', 'FIFO queues are not emulated by the local SQS service.');
    if (!QUEUE_NAME.test(name)) throw invalidParameter('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    const requested = this.checkAttributes((input.Attributes as Record<string, string> | undefined) ?? {});
    const existing = this.queues.get(name);
    if (existing) {
      // Idempotent with the same attributes; a conflicting value names the attribute.
      for (const [key, value] of Object.entries(requested)) {
        if (existing.attributes[key] !== value) throw new SqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${key}`);
      }
      return { QueueUrl: this.queueUrl(name) };
    }
    const now = this.now();
    const attributes: Record<string, string> = { SqsManagedSseEnabled: 'true' };
    for (const [key, range] of Object.entries(SETTABLE)) attributes[key] = String(range.default);
    Object.assign(attributes, requested);
    this.queues.set(name, { name, attributes, createdTimestamp: now, lastModifiedTimestamp: now, tags: { ...((input.tags as Record<string, string> | undefined) ?? {}) }, messages: [] });
    this.version++;
    return { QueueUrl: this.queueUrl(name) };
  }

  private getQueueUrl(input: Request): Response {
    const owner = input.QueueOwnerAWSAccountId as string | undefined;
    const queue = owner === undefined || owner === this.accountId ? this.queues.get(String(input.QueueName)) : undefined;
    if (!queue) throw queueDoesNotExist();
    return { QueueUrl: this.queueUrl(queue.name) };
  }

  private counts(queue: StoredQueue): { visible: number; inFlight: number; delayed: number } {
    const now = this.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of queue.messages) {
      if (m.visibleAt <= now) visible++;
      else if (m.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  private getQueueAttributes(input: Request): Response {
    const queue = this.queueOf(input.QueueUrl);
    const names = (input.AttributeNames as string[] | undefined) ?? [];
    const counts = this.counts(queue);
    const all: Record<string, string> = {
      QueueArn: this.queueArn(queue.name),
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      CreatedTimestamp: String(Math.floor(queue.createdTimestamp / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModifiedTimestamp / 1000)),
      ...queue.attributes,
    };
    const wanted = names.includes('All') ? Object.keys(all) : names;
    const attributes = Object.fromEntries(wanted.filter((n) => all[n] !== undefined).map((n) => [n, all[n]!]));
    return Object.keys(attributes).length ? { Attributes: attributes } : {};
  }

  private sendMessage(input: Request): Response {
    const queue = this.queueOf(input.QueueUrl);
    const body = String(input.MessageBody);
    if (body.length === 0) throw missingParameter('MessageBody');
    if (INVALID_BODY_CHARACTER.test(body)) {
      throw new SqsError('InvalidMessageContents', 'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF');
    }
    const messageAttributes = input.MessageAttributes as Record<string, MessageAttributeValue> | undefined;
    const max = Number(queue.attributes.MaximumMessageSize);
    const size = Buffer.byteLength(body) + Object.entries(messageAttributes ?? {}).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v.DataType) + Buffer.byteLength(v.StringValue ?? '') + (v.BinaryValue === undefined ? 0 : typeof v.BinaryValue === 'string' ? Buffer.from(v.BinaryValue, 'base64').length : v.BinaryValue.length), 0);
    if (size > max) throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
    for (const [name, value] of Object.entries(messageAttributes ?? {})) {
      if (!/^(String|Number|Binary)(\..+)?$/.test(value.DataType)) throw invalidParameter(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
      if (value.DataType.startsWith('Binary') ? value.BinaryValue === undefined : !value.StringValue) {
        throw invalidParameter(`Message (user) attribute '${name}' must contain a non-empty value of type '${value.DataType.split('.')[0]}'.`);
      }
    }
    if (input.MessageGroupId !== undefined || input.MessageDeduplicationId !== undefined) {
      throw invalidParameter(`The request include parameter that is not valid for this queue type.`);
    }
    const delay = toInteger('DelaySeconds', input.DelaySeconds) ?? Number(queue.attributes.DelaySeconds);
    if (delay < 0 || delay > 900) throw invalidParameter(`Value ${delay} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`);
    const now = this.now();
    const message: StoredMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5Hex(body),
      ...(messageAttributes && Object.keys(messageAttributes).length ? { messageAttributes, md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes) } : {}),
      senderId: this.accountId,
      sentTimestamp: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
    };
    queue.messages.push(message);
    this.changed();
    return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody, ...(message.md5OfMessageAttributes ? { MD5OfMessageAttributes: message.md5OfMessageAttributes } : {}) };
  }

  private async receiveMessage(input: Request): Promise<Response> {
    const queue = this.queueOf(input.QueueUrl);
    const max = toInteger('MaxNumberOfMessages', input.MaxNumberOfMessages) ?? 1;
    if (max < 1 || max > 10) throw invalidParameter(`Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
    const visibility = toInteger('VisibilityTimeout', input.VisibilityTimeout) ?? Number(queue.attributes.VisibilityTimeout);
    if (visibility < 0 || visibility > 43_200) throw invalidParameter(`Value ${visibility} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.`);
    const wait = toInteger('WaitTimeSeconds', input.WaitTimeSeconds) ?? Number(queue.attributes.ReceiveMessageWaitTimeSeconds);
    if (wait < 0 || wait > 20) throw invalidParameter(`Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
    const systemNames = [...((input.AttributeNames as string[] | undefined) ?? []), ...((input.MessageSystemAttributeNames as string[] | undefined) ?? [])];
    const attributeNames = (input.MessageAttributeNames as string[] | undefined) ?? [];

    let taken = this.take(queue, max, visibility);
    // Long polling: wait (in real time) until a message is visible or the wait is over.
    const deadline = Date.now() + wait * 1000;
    while (taken.length === 0 && Date.now() < deadline && this.queues.get(queue.name) === queue) {
      await this.nextChange(deadline - Date.now(), queue);
      taken = this.take(queue, max, visibility);
    }
    if (taken.length === 0) return {};
    return { Messages: taken.map((m) => this.render(m, systemNames, attributeNames)) };
  }

  private take(queue: StoredQueue, max: number, visibility: number): StoredMessage[] {
    this.expire(queue);
    const now = this.now();
    const taken: StoredMessage[] = [];
    for (const m of queue.messages) {
      if (taken.length >= max) break;
      if (m.visibleAt > now) continue;
      m.receiveCount++;
      m.firstReceiveTimestamp ??= now;
      m.visibleAt = now + visibility * 1000;
      m.receiptHandle = encodeReceiptHandle(queue.name, m.messageId);
      taken.push(m);
    }
    if (taken.length) this.version++;
    return taken;
  }

  /** Resolves on the next send into the queue, or when a message may have become visible, or after `ms`. */
  private nextChange(ms: number, queue: StoredQueue): Promise<void> {
    const now = this.now();
    const nextVisible = Math.min(...queue.messages.map((m) => m.visibleAt).filter((t) => t > now));
    const timeout = Math.max(1, Math.min(ms, Number.isFinite(nextVisible) ? nextVisible - now : ms));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeout);
      this.waiters.add(done);
    });
  }

  private changed(): void {
    this.version++;
    for (const wake of [...this.waiters]) wake();
  }

  private render(m: StoredMessage, systemNames: string[], attributeNames: string[]): Response {
    const system: Record<string, string> = {
      SenderId: m.senderId,
      SentTimestamp: String(m.sentTimestamp),
      ApproximateReceiveCount: String(m.receiveCount),
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? m.sentTimestamp),
    };
    const wantedSystem = systemNames.includes('All') ? Object.keys(system) : systemNames.filter((n) => system[n] !== undefined);
    const userAttributes = Object.fromEntries(
      Object.entries(m.messageAttributes ?? {}).filter(([name]) =>
        attributeNames.some((wanted) => wanted === 'All' || wanted === '.*' || wanted === name || (wanted.endsWith('.*') && name.startsWith(wanted.slice(0, -1)))),
      ),
    );
    return {
      MessageId: m.messageId,
      ReceiptHandle: m.receiptHandle,
      MD5OfBody: m.md5OfBody,
      Body: m.body,
      ...(wantedSystem.length ? { Attributes: Object.fromEntries(wantedSystem.map((n) => [n, system[n]!])) } : {}),
      ...(Object.keys(userAttributes).length ? { MessageAttributes: userAttributes, MD5OfMessageAttributes: md5OfMessageAttributes(userAttributes) } : {}),
    };
  }

  private deleteMessage(input: Request): Response {
    const queue = this.queueOf(input.QueueUrl);
    const handle = String(input.ReceiptHandle);
    const decoded = decodeReceiptHandle(handle);
    if (!decoded || decoded.queue !== queue.name) throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
    // A handle of a message already deleted (or of an earlier receive) deletes nothing and succeeds.
    const index = queue.messages.findIndex((m) => m.messageId === decoded.messageId);
    if (index >= 0) {
      queue.messages.splice(index, 1);
      this.changed();
    }
    return {};
  }

  private purgeQueue(input: Request): Response {
    const queue = this.queueOf(input.QueueUrl);
    const now = this.now();
    if (queue.lastPurge !== undefined && now - queue.lastPurge < PURGE_INTERVAL_MS) {
      throw new SqsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`);
    }
    queue.lastPurge = now;
    queue.messages = [];
    this.changed();
    return {};
  }

  private listQueues(input: Request): Response {
    const prefix = (input.QueueNamePrefix as string | undefined) ?? '';
    const maxResults = toInteger('MaxResults', input.MaxResults);
    if (maxResults !== undefined && (maxResults < 1 || maxResults > 1000)) throw invalidParameter(`Value ${maxResults} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.`);
    if (input.NextToken !== undefined && maxResults === undefined) throw invalidParameter('MaxResults is a mandatory parameter when you provide a value for NextToken.');
    const names = [...this.queues.keys()].filter((n) => n.startsWith(prefix)).sort();
    let start = 0;
    if (input.NextToken !== undefined) {
      const after = decodeToken(String(input.NextToken));
      if (after === undefined) throw invalidParameter('Invalid NextToken value.');
      start = names.findIndex((n) => n > after);
      if (start < 0) start = names.length;
    }
    const page = names.slice(start, start + (maxResults ?? 1000));
    const more = maxResults !== undefined && start + page.length < names.length;
    return {
      ...(page.length ? { QueueUrls: page.map((n) => this.queueUrl(n)) } : {}),
      ...(more ? { NextToken: Buffer.from(JSON.stringify({ after: page.at(-1) })).toString('base64') } : {}),
    };
  }
}

function decodeToken(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
    return typeof parsed.after === 'string' ? parsed.after : undefined;
  } catch {
    return undefined;
  }
}

/** Opaque to callers, as SQS's are: the queue and message it belongs to, and a nonce per receive. */
function encodeReceiptHandle(queue: string, messageId: string): string {
  return Buffer.from(JSON.stringify({ q: queue, m: messageId, n: randomBytes(8).toString('hex') })).toString('base64');
}

function decodeReceiptHandle(handle: string): { queue: string; messageId: string } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(handle, 'base64').toString('utf8')) as { q?: unknown; m?: unknown };
    return typeof parsed.q === 'string' && typeof parsed.m === 'string' ? { queue: parsed.q, messageId: parsed.m } : undefined;
  } catch {
    return undefined;
  }
}
