/**
 * Lambda's Invoke API over HTTP (REST JSON: `POST /2015-03-31/functions/<name>/invocations`), in
 * front of the local Lambda, so a tool in another process (`pnpm mlops retrain`, `aws lambda invoke
 * --endpoint-url ...`) invokes a stage's function as it would on AWS. Only Invoke: the stack's
 * functions come from serverless.yml, so there is nothing to create or configure through the API.
 *  - RequestResponse (default): 200 with the function's result; a function error is still 200, with
 *    `X-Amz-Function-Error: Unhandled` and the error payload, as Lambda answers.
 *  - Event: 202, queued on the stack's asynchronous invoker (the function's retries and destination).
 *  - DryRun: 204 once the function is known.
 * Service errors answer their status with `x-amzn-ErrorType` and `{ Type, message }`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaFunctionError, LambdaServiceError, type LocalLambda } from '@mlops/local-lambda';

export interface LambdaApiOptions {
  port?: number;
  lambda: LocalLambda;
  /** The function name for an Invoke's FunctionName (a name, or a function ARN, possibly qualified `:$LATEST`). */
  resolve(functionName: string): string | undefined;
  /** Queues an asynchronous invocation (InvocationType Event); returns its request id. */
  invokeAsync(functionName: string, event: unknown): string;
}

export interface LambdaApi {
  endpoint: string;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
  res.writeHead(status, { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers });
  res.end(body);
}

function serviceError(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { 'x-amzn-ErrorType': code }, JSON.stringify({ Type: status < 500 ? 'User' : 'Service', message }));
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function handle(options: LambdaApiOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const match = INVOKE_PATH.exec((req.url ?? '').split('?')[0]!);
  if (req.method !== 'POST' || !match) return serviceError(res, 404, 'UnknownOperationException', `The local Lambda API serves Invoke only, not ${req.method} ${req.url}`);
  const requested = decodeURIComponent(match[1]!);
  const name = options.resolve(requested);
  if (!name) return serviceError(res, 404, 'ResourceNotFoundException', `Function not found: ${requested}`);
  const body = await readBody(req);
  if (!body) return serviceError(res, 413, 'RequestTooLargeException', `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`);
  let event: unknown = {};
  if (body.length > 0) {
    try {
      event = JSON.parse(body.toString('utf8'));
    } catch {
      return serviceError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json: the payload is not valid JSON');
    }
  }
  const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  if (type === 'DryRun') return send(res, 204, {});
  if (type === 'Event') return send(res, 202, { 'x-amzn-RequestId': options.invokeAsync(name, event) });
  if (type !== 'RequestResponse') return serviceError(res, 400, 'InvalidParameterValueException', `Unsupported invocation type ${type}: RequestResponse, Event or DryRun`);
  try {
    const result = await options.lambda.invokeWithDetails(name, event);
    send(res, 200, { 'X-Amz-Executed-Version': '$LATEST', 'x-amzn-RequestId': result.requestId }, JSON.stringify(result.payload ?? null));
  } catch (error) {
    if (error instanceof LambdaFunctionError) {
      return send(res, 200, { 'X-Amz-Executed-Version': '$LATEST', 'X-Amz-Function-Error': error.functionError, 'x-amzn-RequestId': error.requestId }, JSON.stringify(error.payload));
    }
    if (error instanceof LambdaServiceError) return serviceError(res, error.statusCode, error.code, error.message);
    return serviceError(res, 500, 'ServiceException', (error as Error).message);
  }
}

export async function startLambdaApi(options: LambdaApiOptions): Promise<LambdaApi> {
  const server: Server = createServer((req, res) => {
    handle(options, req, res).catch((error: Error) => serviceError(res, 500, 'ServiceException', error.message));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
