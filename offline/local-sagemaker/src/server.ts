import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { formatValidationMessage, sageMakerRuntimeModel, validateRequest } from '@mlops/aws-models';
import type { Context } from './context';
import { AwsError, internalFailure, serializationException, unknownOperation } from './errors';
import { validateFaultConfig } from './faults';
import type { SageMakerService } from './service';
import { toWire } from './wire';

const JSON_11 = 'application/x-amz-json-1.1';
const MAX_CONTROL_BODY = 16 * 1024 * 1024;
const MAX_RUNTIME_BODY = 6 * 1024 * 1024;

/** Reads a request body; past `limit` bytes it keeps draining (so an error can still be answered) and rejects. */
function readBody(req: http.IncomingMessage, limit: number, tooLarge: () => AwsError): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => (size > limit ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'Content-Length': String(buf.length) });
  res.end(buf);
}

/** JSON 1.1 error: `{"__type": code, "message": ...}` plus `x-amzn-ErrorType`. */
function sendControlError(res: http.ServerResponse, requestId: string, err: AwsError): void {
  send(
    res,
    err.status,
    { 'Content-Type': JSON_11, 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': err.code },
    JSON.stringify({ __type: err.code, message: err.message, ...err.extra }),
  );
}

/** REST-JSON error of SageMaker Runtime (ModelError carries its members in the body). */
function sendRuntimeError(res: http.ServerResponse, requestId: string, err: AwsError): void {
  const body = err.code === 'ModelError' ? { ...err.extra, Message: err.message } : { message: err.message, ...err.extra };
  send(res, err.status, { 'Content-Type': 'application/json', 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': err.code }, JSON.stringify(body));
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * One port serves both wire protocols and the emulator's own `/_local` API:
 * - `POST /` with `X-Amz-Target: SageMaker.<Operation>`: the control plane (JSON 1.1)
 * - `POST /endpoints/{name}/invocations`: SageMaker Runtime InvokeEndpoint (REST-JSON)
 * - `GET|POST|DELETE /_local/faults`, `GET /_local/state`, `GET /_local/logs/{name}`, `GET /_local/health`
 * Signatures are accepted without verification (with or without an Authorization header).
 */
export function createHttpServer(ctx: Context, service: SageMakerService): http.Server {
  const server = http.createServer((req, res) => {
    const requestId = randomUUID();
    void handle(req, res, requestId).catch((e: unknown) => {
      ctx.logger.error(`local-sagemaker: unhandled error: ${e instanceof Error ? e.stack : String(e)}`);
      if (!res.headersSent) sendControlError(res, requestId, internalFailure());
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, requestId: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const runtime = /^\/endpoints\/([^/]+)\/invocations\/?$/.exec(url.pathname);
    if (req.method === 'POST' && runtime) return invoke(req, res, requestId, decodeURIComponent(runtime[1]!));
    if (url.pathname.startsWith('/_local/')) return local(req, res, url);
    const target = header(req, 'x-amz-target');
    if (req.method === 'POST' && target) return control(req, res, requestId, target);
    send(res, 404, { 'Content-Type': 'application/json', 'x-amzn-RequestId': requestId }, JSON.stringify({ message: `No route for ${req.method} ${url.pathname}` }));
  }

  async function control(req: http.IncomingMessage, res: http.ServerResponse, requestId: string, target: string): Promise<void> {
    let operation = '';
    try {
      const raw = await readBody(req, MAX_CONTROL_BODY, () => serializationException(`The request body exceeds ${MAX_CONTROL_BODY} bytes.`));
      const dot = target.indexOf('.');
      const prefix = target.slice(0, dot);
      operation = target.slice(dot + 1);
      if (dot < 0 || prefix !== 'SageMaker') throw unknownOperation(target);
      const injected = ctx.faults.apiFault(operation);
      if (injected) throw injected;
      let input: unknown = {};
      const text = raw.toString('utf8').trim();
      if (text) {
        try {
          input = JSON.parse(text);
        } catch {
          throw serializationException('Start of structure or map found where not expected.');
        }
      }
      if (!input || typeof input !== 'object' || Array.isArray(input)) throw serializationException('The request body must be a JSON object.');
      const output = service.call(operation, input);
      ctx.logger.debug?.(`${operation} 200`);
      send(res, 200, { 'Content-Type': JSON_11, 'x-amzn-RequestId': requestId }, JSON.stringify(toWire(output ?? {})));
    } catch (e) {
      const err = e instanceof AwsError ? e : internalFailure();
      if (!(e instanceof AwsError)) ctx.logger.error(`local-sagemaker: ${operation} failed: ${e instanceof Error ? e.stack : String(e)}`);
      ctx.logger.debug?.(`${operation} ${err.status} ${err.code}: ${err.message}`);
      sendControlError(res, requestId, err);
    }
  }

  async function invoke(req: http.IncomingMessage, res: http.ServerResponse, requestId: string, name: string): Promise<void> {
    try {
      const body = await readBody(req, MAX_RUNTIME_BODY, () =>
        new AwsError('ValidationError', formatValidationMessage([{ path: 'body', value: '<payload>', constraint: `Member must have length less than or equal to ${MAX_RUNTIME_BODY}` }])),
      );
      const injected = ctx.faults.apiFault('InvokeEndpoint');
      if (injected) throw injected;
      const input = {
        EndpointName: name,
        Body: new Uint8Array(body),
        ContentType: header(req, 'content-type'),
        Accept: header(req, 'accept'),
        CustomAttributes: header(req, 'x-amzn-sagemaker-custom-attributes'),
        TargetVariant: header(req, 'x-amzn-sagemaker-target-variant'),
        InferenceId: header(req, 'x-amzn-sagemaker-inference-id'),
      };
      const issues = validateRequest(sageMakerRuntimeModel, 'InvokeEndpoint', input);
      if (issues.length > 0) throw new AwsError('ValidationError', formatValidationMessage(issues));
      const out = await service.endpoints.invoke(name, {
        body,
        contentType: input.ContentType,
        accept: input.Accept,
        customAttributes: input.CustomAttributes,
        targetVariant: input.TargetVariant,
      });
      const headers: Record<string, string> = {
        'Content-Type': out.contentType,
        'x-Amzn-Invoked-Production-Variant': out.invokedVariant,
        'x-amzn-RequestId': requestId,
      };
      if (out.customAttributes) headers['X-Amzn-SageMaker-Custom-Attributes'] = out.customAttributes;
      send(res, 200, headers, out.body);
    } catch (e) {
      const err = e instanceof AwsError ? e : internalFailure();
      if (!(e instanceof AwsError)) ctx.logger.error(`local-sagemaker: InvokeEndpoint failed: ${e instanceof Error ? e.stack : String(e)}`);
      sendRuntimeError(res, requestId, err);
    }
  }

  async function local(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const json = (status: number, value: unknown) => send(res, status, { 'Content-Type': 'application/json' }, JSON.stringify(toWire(value), null, 2));
    const path = url.pathname;
    try {
      if (path === '/_local/health') return json(200, { status: 'ok' });
      if (path === '/_local/faults') {
        if (req.method === 'GET') return json(200, { config: ctx.faults.get(), stats: ctx.faults.stats() });
        if (req.method === 'DELETE') {
          ctx.faults.clear();
          return json(200, { config: ctx.faults.get(), stats: ctx.faults.stats() });
        }
        if (req.method === 'POST' || req.method === 'PUT') {
          const raw = (await readBody(req, MAX_CONTROL_BODY, () => serializationException('body too large'))).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw || '{}');
          } catch {
            return json(400, { message: 'the body must be a JSON fault configuration' });
          }
          ctx.faults.set(validateFaultConfig(parsed));
          return json(200, { config: ctx.faults.get(), stats: ctx.faults.stats() });
        }
      }
      if (path === '/_local/faults/stats' && req.method === 'GET') return json(200, ctx.faults.stats());
      if (path === '/_local/state' && req.method === 'GET') return json(200, service.snapshot());
      const logs = /^\/_local\/logs\/([^/]+)$/.exec(path);
      if (logs && req.method === 'GET') {
        const name = decodeURIComponent(logs[1]!);
        if (!ctx.logs.has(name)) return json(404, { message: `no logs for ${name}` });
        return send(res, 200, { 'Content-Type': 'text/plain; charset=utf-8' }, ctx.logs.read(name));
      }
      return json(404, { message: `No route for ${req.method} ${path}` });
    } catch (e) {
      if (e instanceof AwsError) return json(e.status, { __type: e.code, message: e.message });
      throw e;
    }
  }

  return server;
}
