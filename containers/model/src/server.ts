import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { invoke, type InvocationResponse, type LoadedModel } from './inference';

// The HTTP side of the SageMaker inference contract (GET /ping, POST /invocations).

/** Batch transform allows payloads up to 100 MB; larger bodies are refused before parsing. */
const MAX_BODY_BYTES = 100 * 1024 * 1024;

/** Answer to batch transform's optional GET /execution-parameters. */
const EXECUTION_PARAMETERS = { MaxConcurrentTransforms: 1, BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 6 };

function send(res: ServerResponse, { status, contentType, body }: InvocationResponse): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, message: string): void {
  send(res, { status, contentType: 'text/plain; charset=utf-8', body: `${message}\n` });
}

/** Reads the whole body, or undefined if it is larger than the limit. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Keep draining past the limit so the client can read the 413.
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

async function handleInvocations(model: LoadedModel, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  if (body === undefined) return sendText(res, 413, `request body larger than ${MAX_BODY_BYTES} bytes`);
  send(res, invoke(model, { contentType: req.headers['content-type'], accept: req.headers.accept, body }));
}

export function createInferenceServer(model: LoadedModel, log: (line: string) => void = console.error): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = `${req.method} ${path}`;
    if (route === 'GET /ping') return sendText(res, 200, 'ok');
    if (route === 'GET /execution-parameters') {
      return send(res, { status: 200, contentType: 'application/json', body: JSON.stringify(EXECUTION_PARAMETERS) });
    }
    if (route === 'POST /invocations') {
      handleInvocations(model, req, res).catch((error: unknown) => {
        log(`POST /invocations failed: ${error instanceof Error ? error.stack : String(error)}`);
        if (!res.headersSent) sendText(res, 500, 'internal error');
      });
      return;
    }
    if (path === '/ping' || path === '/invocations' || path === '/execution-parameters') {
      return sendText(res, 405, `method ${req.method} not allowed on ${path}`);
    }
    sendText(res, 404, `no route ${path}`);
  });
}
