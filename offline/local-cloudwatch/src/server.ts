/**
 * The CloudWatch wire protocols over HTTP on 127.0.0.1. The model names three, and each has a client
 * on this machine:
 * - Smithy RPC v2 CBOR (`POST /service/GraniteServiceVersion20100801/operation/<Operation>`,
 *   `smithy-protocol: rpc-v2-cbor`, CBOR bodies with timestamps as tag 1 epoch seconds): current
 *   botocore (the pyenv AWS CLI 1.45 with botocore 1.43), and the SDK for JavaScript v3 when given
 *   its AwsSmithyRpcV2CborProtocol;
 * - AWS JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, timestamps as epoch
 *   seconds): `@aws-sdk/client-cloudwatch` 3.1164.0's default protocol;
 * - query (`Action=<Operation>&Version=2010-08-01` form posts, XML answers): the Debian AWS CLI 2.9.19.
 * All reach the same CloudWatchService; errors follow each protocol (see errors.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { cbor, dateToTag, tagSymbol } from '@smithy/core/cbor';
import { CloudWatchError } from './errors';
import { model, SERVICE_NAME, XMLNS } from './model';
import { queryInput, queryResponse, xml } from './query';
import { CloudWatchService, type CloudWatchServiceOptions, type PersistedCloudWatch } from './service';

export interface LocalCloudWatchOptions extends CloudWatchServiceOptions {
  /** 0 (default): a free port. */
  port?: number;
}

export interface LocalCloudWatch {
  endpoint: string;
  port: number;
  /** In-process calls for the local stack: call(), alarmStates(). */
  service: CloudWatchService;
  exportState(): PersistedCloudWatch;
  close(): Promise<void>;
}

type Protocol = 'cbor' | 'json' | 'query';

const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
/** RPC v2 routes on the last four path segments; the service segment may be the absolute shape ID with `#` as `.`. */
const CBOR_PATH = /\/service\/([^/]+)\/operation\/([^/]+)$/;
const SERVICE_NAMES = new Set([SERVICE_NAME, `com.amazonaws.cloudwatch.${SERVICE_NAME}`]);
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

export async function startLocalCloudWatch(options: LocalCloudWatchOptions = {}): Promise<LocalCloudWatch> {
  const service = new CloudWatchService(options);
  const sockets = new Set<Socket>();
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
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    service,
    exportState: () => service.exportState(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) throw new CloudWatchError('InvalidParameterValue', `The request is over ${MAX_REQUEST_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const isStructure = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** A CBOR request's values as the service takes them: tag 1 timestamps as Dates. */
function fromCbor(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromCbor);
  if (isStructure(value)) {
    const tagged = value as { [tagSymbol]?: boolean; tag?: unknown; value?: unknown };
    if (tagged[tagSymbol]) return tagged.tag === 1 ? new Date(Number(tagged.value) * 1000) : tagged.value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromCbor(v)]));
  }
  return value;
}

/** An answer for the CBOR codec: Dates as tag 1 epoch seconds, no undefined members. */
function toCbor(value: unknown): unknown {
  if (value instanceof Date) return dateToTag(value);
  if (Array.isArray(value)) return value.map(toCbor);
  if (isStructure(value)) return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toCbor(v)]));
  return value;
}

/** An answer as AWS JSON 1.0 writes it: timestamps as epoch seconds. */
function toJson(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toJson);
  if (isStructure(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

const malformed = (what: string) => new CloudWatchError('SerializationException', `The request body is not a ${what} structure.`);

function decode(protocol: 'cbor' | 'json', body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let request: unknown;
  try {
    request = protocol === 'cbor' ? fromCbor(cbor.deserialize(new Uint8Array(body))) : JSON.parse(body.toString('utf8'));
  } catch {
    throw malformed(protocol === 'cbor' ? 'CBOR' : 'JSON');
  }
  if (!isStructure(request)) throw malformed(protocol === 'cbor' ? 'CBOR' : 'JSON');
  return request;
}

async function handle(service: CloudWatchService, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://local');
  const target = header(req, 'x-amz-target') ?? header(req, 'x-amzn-target');
  const cborPath = CBOR_PATH.exec(url.pathname);
  // Claimed as RPC v2 CBOR only with both its header and its path (the spec's identification rules).
  const protocol: Protocol = header(req, 'smithy-protocol') === 'rpc-v2-cbor' && cborPath ? 'cbor' : target?.startsWith(`${SERVICE_NAME}.`) ? 'json' : 'query';
  // A query-compatible client sends x-amzn-query-mode: true and then gets the query protocol's
  // statuses (404 for ResourceNotFound); without it RPC client errors are 400 (recorded against AWS).
  const queryMode = header(req, 'x-amzn-query-mode') === 'true';
  try {
    const body = await readBody(req);
    if (protocol === 'cbor') {
      if (target !== undefined) throw new CloudWatchError('SerializationException', 'An rpcv2Cbor request must not carry an X-Amz-Target header.');
      const [, serviceName, operation] = cborPath as unknown as [string, string, string];
      if (!SERVICE_NAMES.has(serviceName)) throw new CloudWatchError('InvalidAction', `The service ${serviceName} is not served by this endpoint.`);
      const result = await service.call(operation, decode('cbor', body));
      // An operation without an output shape answers no body and no content type.
      if (model.operations[operation]?.output) send(res, 200, { 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor', 'x-amzn-RequestId': requestId }, Buffer.from(cbor.serialize(toCbor(result))));
      else send(res, 200, { 'smithy-protocol': 'rpc-v2-cbor', 'x-amzn-RequestId': requestId }, Buffer.alloc(0));
      return;
    }
    if (protocol === 'json') {
      const result = await service.call(target!.slice(SERVICE_NAME.length + 1), decode('json', body));
      send(res, 200, { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-RequestId': requestId }, Buffer.from(JSON.stringify(toJson(result))));
      return;
    }
    const params = new URLSearchParams(url.search);
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
    const action = params.get('Action');
    if (!action) throw new CloudWatchError('InvalidAction', 'The request must contain the parameter Action.');
    const result = await service.call(action, queryInput(model, action, params));
    send(res, 200, { 'content-type': 'text/xml', 'x-amzn-RequestId': requestId }, Buffer.from(queryResponse(model, action, result, requestId, XMLNS)));
  } catch (error) {
    const e = error instanceof CloudWatchError ? error : new CloudWatchError('InternalServiceError', `An internal error occurred: ${(error as Error).message}`);
    const status = protocol === 'query' || queryMode || e.kind.status >= 500 ? e.kind.status : 400;
    if (protocol === 'query') {
      const message = e.wireMessage === undefined ? '' : `<Message>${xml(e.wireMessage)}</Message>`;
      const body = `<?xml version="1.0"?><ErrorResponse xmlns="${XMLNS}"><Error><Type>${e.fault}</Type><Code>${e.kind.queryCode}</Code>${message}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
      send(res, status, { 'content-type': 'text/xml', 'x-amzn-RequestId': requestId }, Buffer.from(body));
      return;
    }
    const errorBody: Record<string, unknown> = { __type: e.kind.type, ...(e.wireMessage !== undefined ? { [e.kind.messageMember ?? 'message']: e.wireMessage } : {}), ...e.fields };
    const headers = { 'x-amzn-RequestId': requestId, 'x-amzn-query-error': `${e.kind.queryCode};${e.fault}` };
    if (protocol === 'cbor') send(res, status, { ...headers, 'smithy-protocol': 'rpc-v2-cbor', 'content-type': 'application/cbor' }, Buffer.from(cbor.serialize(errorBody)));
    else send(res, status, { ...headers, 'content-type': JSON_CONTENT_TYPE }, Buffer.from(JSON.stringify(errorBody)));
  }
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
  res.writeHead(status, { ...headers, 'content-length': body.length });
  res.end(body);
}
