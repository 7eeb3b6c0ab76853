import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import os from 'node:os';

import { invoke, type InvocationResponse, type Invoker } from './inference';

// The HTTP side of the container: GET /ping, POST /invocations, GET /execution-parameters.

/** The container's MAX_CONTENT_LENGTH default: 6 MiB, Flask answers 413 above it. */
export function maxContentLength(env: Record<string, string | undefined>): number {
  return Number(env.MAX_CONTENT_LENGTH || 6291456);
}

function send(res: ServerResponse, { status, contentType, body }: InvocationResponse): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Keep draining past the limit so the client can read the 413.
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? undefined : Buffer.concat(chunks).toString('utf8');
}

export function createInferenceServer(invoker: Invoker, log: (line: string) => void = console.error): Server {
  const limit = maxContentLength(invoker.env);
  const executionParameters = JSON.stringify({
    MaxConcurrentTransforms: os.cpus().length,
    BatchStrategy: 'MULTI_RECORD',
    MaxPayloadInMB: Math.floor(limit / 1024 ** 2),
  });
  return createServer((req, res) => {
    const route = `${req.method} ${(req.url ?? '/').split('?')[0]}`;
    if (route === 'GET /ping') return send(res, { status: 200, contentType: 'text/plain; charset=utf-8', body: '' });
    if (route === 'GET /execution-parameters') return send(res, { status: 200, contentType: 'application/json', body: executionParameters });
    if (route === 'POST /invocations') {
      readBody(req, limit)
        .then((body) => {
          if (body === undefined) return send(res, { status: 413, contentType: 'text/plain; charset=utf-8', body: `request body larger than ${limit} bytes` });
          send(res, invoke(invoker, { contentType: req.headers['content-type'], accept: req.headers.accept, body }));
        })
        .catch((error: unknown) => {
          log(`POST /invocations failed: ${error instanceof Error ? error.message : String(error)}`);
          if (!res.headersSent) send(res, { status: 400, contentType: 'text/plain; charset=utf-8', body: `Unable to evaluate payload provided: ${error instanceof Error ? error.message : String(error)}` });
        });
      return;
    }
    send(res, { status: 404, contentType: 'text/plain; charset=utf-8', body: `no route ${route}` });
  });
}
