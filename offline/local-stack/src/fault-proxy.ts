/**
 * A loopback HTTP proxy that forwards every request to a local service unless a `decide` hook says
 * otherwise: answer an error without forwarding (the service never saw the call), or forward it and
 * answer an error anyway (the service did the work; its response was lost on the way back). The
 * reliability tests put it in front of s3rver (see s3-faults.ts) and of the local SageMaker.
 * Requests and responses are streamed; headers, Host included, pass unchanged (they are signed).
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';

export interface FaultResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface ProxiedRequest {
  method: string;
  /** Path and query, as received. */
  path: string;
  headers: IncomingHttpHeaders;
}

export type ProxyDecision =
  /**
   * Forward the request, optionally with another path (and query) or other headers, and optionally
   * read the service's whole answer and answer something made of it instead.
   */
  | { action: 'forward'; path?: string; headers?: IncomingHttpHeaders; response?: (upstream: UpstreamResponse) => FaultResponse }
  /** Answer this without forwarding: the service never sees the request. */
  | { action: 'fail'; response: FaultResponse }
  /** Forward, read the service's whole answer, then answer this instead (a response lost in transit). */
  | { action: 'lose-response'; response: (upstream: UpstreamResponse) => FaultResponse };

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface FaultProxyOptions {
  /** Base URL of the service, e.g. `http://127.0.0.1:4569`; read per request, so it may be set after start. */
  target: () => string;
  decide: (request: ProxiedRequest) => ProxyDecision;
  /** The answer when the service cannot be reached or fails mid-request; default a plain 502. */
  upstreamError?: (error: Error, request: ProxiedRequest) => FaultResponse;
  /** Headers every answer to this request carries, over the service's (e.g. the caller's clock's `Date`). */
  answerHeaders?: (request: ProxiedRequest) => Record<string, string>;
  port?: number;
}

export interface FaultProxy {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'expect']);

function forwardHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

function answer(res: ServerResponse, method: string, { status, headers = {}, body = '' }: FaultResponse, extra: Record<string, string>): void {
  const payload = method === 'HEAD' ? '' : body;
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(payload)), 'x-amz-request-id': randomUUID(), ...headers, ...extra });
  res.end(payload);
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  // A fresh connection per forwarded request (loopback: a fraction of a millisecond). A kept-alive one
  // can be closed by the service just as the proxy reuses it, and a streamed body cannot be replayed:
  // the request would fail although the service never saw it.
  const agent = new Agent({ keepAlive: false });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const extra = options.answerHeaders?.({ method, path, headers: req.headers }) ?? {};
    let decision: ProxyDecision;
    try {
      decision = options.decide({ method, path, headers: req.headers });
    } catch (error) {
      decision = { action: 'fail', response: { status: 500, body: `fault proxy: decide failed: ${(error as Error).message}` } };
    }
    if (decision.action === 'fail') {
      // Read the body first, as a server does before it answers; the client may still be sending it.
      req.resume();
      req.once('end', () => answer(res, method, decision.response, extra));
      return;
    }
    const target = new URL(options.target());
    const forward = decision.action === 'forward' ? decision : undefined;
    const upstream = request({ host: target.hostname, port: target.port, method, path: forward?.path ?? path, headers: forwardHeaders(forward?.headers ?? req.headers), agent }, (up) => {
      const replace = decision.action === 'lose-response' ? decision.response : forward?.response;
      if (replace) {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.once('end', () => {
          let response: FaultResponse;
          try {
            response = replace({ status: up.statusCode ?? 0, headers: up.headers, body: Buffer.concat(chunks) });
          } catch (error) {
            response = { status: 500, body: `proxy: response failed: ${(error as Error).message}` };
          }
          answer(res, method, response, extra);
        });
        return;
      }
      res.writeHead(up.statusCode ?? 502, up.statusMessage, { ...forwardHeaders(up.headers), ...extra });
      // pipeline, not pipe: an error on either side (a client gone, the service stopping) ends both
      // streams instead of surfacing as an unhandled 'error' event that would end the process.
      pipeline(up, res, () => undefined);
    });
    upstream.on('error', (error) => {
      if (res.headersSent) res.destroy(error);
      else answer(res, method, options.upstreamError?.(error, { method, path, headers: req.headers }) ?? { status: 502, body: `proxy: ${error.message}` }, extra);
    });
    // pipe, not pipeline: a failed upstream must not destroy the client's socket, which still
    // gets the error answer above.
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
