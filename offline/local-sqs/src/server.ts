/**
 * The SQS wire protocols over HTTP on 127.0.0.1. SQS speaks two:
 * - AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Operation>`, `application/x-amz-json-1.0`): AWS SDK for
 *   JavaScript v3 (3.1xxx) and current botocore;
 * - query (`Action=<Operation>&...` form posts, XML answers): older CLIs such as the AWS CLI 2.9 that
 *   Debian packages.
 * Both reach the same SqsService; errors follow each protocol (see errors.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SqsError } from './errors';
import { type PersistedSqs, SqsService } from './service';

export interface LocalSqsOptions {
  /** 0 (default): a free port. */
  port?: number;
  region?: string;
  accountId?: string;
  /** Queues (with their messages) a previous server exported. */
  restore?: PersistedSqs;
  /** Queues to create at start (idempotent: a restored queue is kept as it is). */
  queues?: { name: string; attributes?: Record<string, string> }[];
}

export interface LocalSqs {
  endpoint: string;
  port: number;
  service: SqsService;
  queueUrl(name: string): string;
  queueArn(name: string): string;
  /** SendMessage in process (a destination's delivery); returns the message id. */
  sendMessage(queueName: string, body: string): Promise<string>;
  exportState(): PersistedSqs;
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
const XMLNS = 'http://queue.amazonaws.com/doc/2012-11-05/';
const INTEGER_MEMBERS = new Set(['DelaySeconds', 'MaxNumberOfMessages', 'VisibilityTimeout', 'WaitTimeSeconds', 'MaxResults']);
const LIST_MEMBERS: Record<string, string> = { AttributeName: 'AttributeNames', MessageSystemAttributeName: 'MessageSystemAttributeNames', MessageAttributeName: 'MessageAttributeNames' };

export async function startLocalSqs(options: LocalSqsOptions = {}): Promise<LocalSqs> {
  const service = new SqsService({ region: options.region, accountId: options.accountId, baseUrl: 'http://127.0.0.1', restore: options.restore });
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((req, res) => {
    void handle(service, req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  service.setBaseUrl(endpoint);
  for (const queue of options.queues ?? []) {
    const exists = await service.call('GetQueueUrl', { QueueName: queue.name }).then(
      () => true,
      () => false,
    );
    if (!exists) await service.call('CreateQueue', { QueueName: queue.name, ...(queue.attributes ? { Attributes: queue.attributes } : {}) });
  }
  return {
    endpoint,
    port,
    service,
    queueUrl: (name) => service.queueUrl(name),
    queueArn: (name) => service.queueArn(name),
    sendMessage: async (queueName, body) => {
      const sent = await service.call('SendMessage', { QueueUrl: service.queueUrl(queueName), MessageBody: body });
      return sent.MessageId as string;
    },
    exportState: () => service.exportState(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new SqsError('InvalidParameterValue', `The request is over ${MAX_REQUEST_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(service: SqsService, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const target = req.headers['x-amz-target'];
  const json = typeof target === 'string' && target.startsWith('AmazonSQS.');
  const path = new URL(req.url ?? '/', 'http://local').pathname;
  try {
    const text = await readBody(req);
    if (json) {
      let request: unknown;
      try {
        request = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        throw new SqsError('SerializationException', 'Start of structure or map found where not expected.');
      }
      if (typeof request !== 'object' || request === null || Array.isArray(request)) throw new SqsError('SerializationException', 'Start of structure or map found where not expected.');
      const result = await service.call(target.slice('AmazonSQS.'.length), request as Record<string, unknown>, { path });
      send(res, 200, 'application/x-amz-json-1.0', JSON.stringify(result), { 'x-amzn-RequestId': requestId });
      return;
    }
    const params = new URLSearchParams(new URL(req.url ?? '/', 'http://local').search);
    for (const [k, v] of new URLSearchParams(text)) params.append(k, v);
    const action = params.get('Action');
    if (!action) throw new SqsError('InvalidAction', 'The request must contain the parameter Action.');
    const result = await service.call(action, queryInput(params), { path });
    send(res, 200, 'text/xml', queryResponse(action, result, requestId), { 'x-amzn-RequestId': requestId });
  } catch (error) {
    const e = error instanceof SqsError ? error : new SqsError('InternalError', `An internal error occurred: ${(error as Error).message}`);
    if (json) {
      send(res, e.kind.status, 'application/x-amz-json-1.0', JSON.stringify({ __type: e.kind.type, message: e.message }), {
        'x-amzn-RequestId': requestId,
        'x-amzn-query-error': `${e.kind.queryCode};${e.fault}`,
      });
    } else {
      const body = `<?xml version="1.0"?><ErrorResponse xmlns="${XMLNS}"><Error><Type>${e.fault}</Type><Code>${e.kind.queryCode}</Code><Message>${xml(e.message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
      send(res, e.kind.status, 'text/xml', body, { 'x-amzn-RequestId': requestId });
    }
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/**
 * A query request as the JSON body the service takes: `AttributeName.1` lists, `Attribute.1.Name` /
 * `.Value` maps (and `Tag.N.Key`/`.Value`, `MessageAttribute.N.Name` / `.Value.StringValue`...),
 * integers as numbers.
 */
export function queryInput(params: URLSearchParams): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const indexed = new Map<string, Map<number, Record<string, string>>>();
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const match = /^([A-Za-z]+)\.(\d+)(?:\.(.+))?$/.exec(key);
    if (!match) {
      input[key] = INTEGER_MEMBERS.has(key) && /^-?\d+$/.test(value) ? Number(value) : value;
      continue;
    }
    const [, base, index, rest] = match as unknown as [string, string, string, string | undefined];
    let entries = indexed.get(base);
    if (!entries) indexed.set(base, (entries = new Map()));
    const entry = entries.get(Number(index)) ?? {};
    entry[rest ?? ''] = value;
    entries.set(Number(index), entry);
  }
  for (const [base, entries] of indexed) {
    const ordered = [...entries].sort(([a], [b]) => a - b).map(([, e]) => e);
    if (LIST_MEMBERS[base]) input[LIST_MEMBERS[base]] = ordered.map((e) => e['']!);
    else if (base === 'Attribute') input.Attributes = Object.fromEntries(ordered.map((e) => [e.Name!, e.Value ?? '']));
    else if (base === 'Tag') input.tags = Object.fromEntries(ordered.map((e) => [e.Key!, e.Value ?? '']));
    else if (base === 'MessageAttribute') {
      input.MessageAttributes = Object.fromEntries(
        ordered.map((e) => [
          e.Name!,
          {
            DataType: e['Value.DataType']!,
            ...(e['Value.StringValue'] !== undefined ? { StringValue: e['Value.StringValue'] } : {}),
            ...(e['Value.BinaryValue'] !== undefined ? { BinaryValue: e['Value.BinaryValue'] } : {}),
          },
        ]),
      );
    } else input[base] = ordered.map((e) => e['']);
  }
  return input;
}

function xml(value: unknown): string {
  return String(value).replace(/[&<>"'\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' })[c]!);
}

const element = (name: string, value: unknown) => (value === undefined ? '' : `<${name}>${xml(value)}</${name}>`);
const attributeList = (tag: string, attributes: unknown) =>
  Object.entries((attributes as Record<string, string> | undefined) ?? {})
    .map(([k, v]) => `<${tag}><Name>${xml(k)}</Name><Value>${xml(v)}</Value></${tag}>`)
    .join('');

function messageXml(m: Record<string, unknown>): string {
  const userAttributes = Object.entries((m.MessageAttributes as Record<string, Record<string, string>> | undefined) ?? {})
    .map(([name, v]) => `<MessageAttribute><Name>${xml(name)}</Name><Value>${element('StringValue', v.StringValue)}${element('BinaryValue', v.BinaryValue)}${element('DataType', v.DataType)}</Value></MessageAttribute>`)
    .join('');
  return `<Message>${element('MessageId', m.MessageId)}${element('ReceiptHandle', m.ReceiptHandle)}${element('MD5OfBody', m.MD5OfBody)}${element('Body', m.Body)}${attributeList('Attribute', m.Attributes)}${element('MD5OfMessageAttributes', m.MD5OfMessageAttributes)}${userAttributes}</Message>`;
}

/** The query protocol's XML answer: `<XResponse><XResult>...</XResult><ResponseMetadata>`. */
export function queryResponse(action: string, result: Record<string, unknown>, requestId: string): string {
  let inner: string | undefined;
  switch (action) {
    case 'CreateQueue':
    case 'GetQueueUrl':
      inner = element('QueueUrl', result.QueueUrl);
      break;
    case 'GetQueueAttributes':
      inner = attributeList('Attribute', result.Attributes);
      break;
    case 'SendMessage':
      inner = `${element('MD5OfMessageBody', result.MD5OfMessageBody)}${element('MD5OfMessageAttributes', result.MD5OfMessageAttributes)}${element('MessageId', result.MessageId)}`;
      break;
    case 'ReceiveMessage':
      inner = ((result.Messages as Record<string, unknown>[] | undefined) ?? []).map(messageXml).join('');
      break;
    case 'ListQueues':
      inner = `${((result.QueueUrls as string[] | undefined) ?? []).map((u) => element('QueueUrl', u)).join('')}${element('NextToken', result.NextToken)}`;
      break;
    default:
      inner = undefined; // DeleteMessage, PurgeQueue: no result element
  }
  const resultXml = inner === undefined ? '' : `<${action}Result>${inner}</${action}Result>`;
  return `<?xml version="1.0"?><${action}Response xmlns="${XMLNS}">${resultXml}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}
