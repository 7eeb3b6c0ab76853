/** The fault proxy's forwarding: what it does not fail reaches the service, and failures to reach it answer as S3 does. */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client, PutObjectCommand, type S3ServiceException } from '@aws-sdk/client-s3';
import { startFaultProxy, type FaultProxy } from '../src/fault-proxy';
import { startS3FaultProxies } from '../src/s3-faults';

let service: Server;
let proxy: FaultProxy;
const clientPorts: number[] = [];

beforeAll(async () => {
  service = createServer((req, res) => {
    clientPorts.push(req.socket.remotePort!);
    req.resume();
    req.once('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  proxy = await startFaultProxy({ target: () => `http://127.0.0.1:${(service.address() as AddressInfo).port}`, decide: () => ({ action: 'forward' }) });
});
afterAll(async () => {
  await proxy?.close();
  await new Promise((resolve) => service?.close(resolve));
});

function put(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-length': String(body.length) } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end(body);
  });
}

it('forwards each request on a connection of its own, never one the service may be closing', async () => {
  clientPorts.length = 0;
  for (let i = 0; i < 5; i++) expect(await put(`${proxy.endpoint}/bucket/key-${i}`, 'x'.repeat(100))).toBe(200);
  expect(new Set(clientPorts).size).toBe(5);
});

it('answers S3\'s retryable 500 InternalError, in S3\'s XML, when the store cannot be reached', async () => {
  // A port nothing listens on: bind it, note it, close it.
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  const { port } = gone.address() as AddressInfo;
  await new Promise((resolve) => gone.close(resolve));
  const proxies = await startS3FaultProxies(`http://127.0.0.1:${port}`);
  const s3 = new S3Client({ endpoint: proxies.sageMakerEndpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxAttempts: 2 });
  try {
    const error = (await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' })).catch((e: unknown) => e)) as S3ServiceException;
    expect([error.name, error.message, error.$metadata.httpStatusCode, error.$fault]).toEqual(['InternalError', 'We encountered an internal error. Please try again.', 500, 'server']);
    // Retried by the SDK as any S3 5xx.
    expect(error.$metadata.attempts).toBe(2);
  } finally {
    s3.destroy();
    await proxies.close();
  }
});
