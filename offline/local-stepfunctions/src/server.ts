import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SfnError, internalFailure, serializationException, unknownOperation } from './errors';
import { StepFunctionsService } from './service';
import type { ExecutionInspector, ExecutionsRestoreReport, PersistedExecution, ServerOptions } from './types';

/** Step Functions speaks AWS JSON 1.0: POST /, `X-Amz-Target: AWSStepFunctions.<Operation>`. */
const TARGET_PREFIX = 'AWSStepFunctions.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Well above the largest valid request (a 256 KiB input); bigger bodies are not read. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface LocalStepFunctions {
  /** `http://127.0.0.1:<port>`: the SDK's `endpoint`. */
  endpoint: string;
  port: number;
  stateMachineArn(name: string): string;
  executions: ExecutionInspector;
  /** Every execution with its history, for `restore` of a later server (Dates inside: the caller serializes). */
  exportState(): PersistedExecution[];
  /** What `restore` did, if given. */
  restored?: ExecutionsRestoreReport;
  /** Stops running executions, then the server. */
  close(): Promise<void>;
}

/** JSON 1.0 bodies: timestamps as epoch seconds (fractional), absent members omitted. */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(serializationException(`Request body exceeds ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...extraHeaders,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: SfnError): void {
  send(res, error.status, { __type: `${error.namespace}#${error.code}`, message: error.message }, { 'x-amzn-ErrorType': error.code });
}

/** Parses, routes and answers one JSON 1.0 request. */
async function handle(service: StepFunctionsService, req: IncomingMessage, res: ServerResponse, options: ServerOptions): Promise<void> {
  const target = String(req.headers['x-amz-target'] ?? '');
  try {
    if (req.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) throw unknownOperation(target || `${req.method} ${req.url}`);
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw serializationException('Request body is not valid JSON');
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw serializationException('Request body must be a JSON object');
    const operation = target.slice(TARGET_PREFIX.length);
    options.logger?.debug?.('local-stepfunctions: request', { operation });
    send(res, 200, toWire(await service.call(operation, body as Record<string, unknown>)));
  } catch (e) {
    if (e instanceof SfnError) {
      options.logger?.debug?.('local-stepfunctions: error response', { target, code: e.code, message: e.message });
      sendError(res, e);
      return;
    }
    options.logger?.error('local-stepfunctions: internal failure', { target, error: (e as Error).stack ?? String(e) });
    sendError(res, internalFailure((e as Error).message));
  }
}

/** Starts the local Step Functions service on 127.0.0.1 (`port` 0: a free one). */
export async function startLocalStepFunctions(options: ServerOptions): Promise<LocalStepFunctions> {
  const service = new StepFunctionsService(options);
  const server = createServer((req, res) => void handle(service, req, res, options));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${host}:${port}`;
  options.logger?.info('local-stepfunctions: listening', { endpoint });
  return {
    endpoint,
    port,
    stateMachineArn: (name) => service.stateMachineArn(name),
    executions: service.executions,
    exportState: () => service.exportState(),
    restored: service.restored,
    close: async () => {
      await service.shutdown();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
