/** The emulator's uploads (model artifacts, transform output) survive S3's transient answers, as SageMaker's do. */
import fs from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { S3Transfer } from '../src/s3';

/** A one-bucket S3 stand-in: answers the first `failures` PUTs with S3's 500 InternalError, then stores. */
function flakyS3(failures: number) {
  const stored = new Map<string, Buffer>();
  const requests: string[] = [];
  let failed = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      if (req.method === 'PUT' && failed < failures) {
        failed++;
        res.writeHead(500, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>');
        return;
      }
      if (req.method === 'PUT') {
        stored.set(decodeURIComponent(new URL(req.url!, 'http://x').pathname), Buffer.concat(chunks));
        res.writeHead(200, { etag: '"0"' }).end();
        return;
      }
      res.writeHead(501).end();
    });
  });
  return { server, stored, requests };
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3-upload-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it.each([1, 2])('an upload answered %i transient 500s is retried with the whole file and stored once', async (failures) => {
  const s3 = flakyS3(failures);
  await new Promise<void>((resolve) => s3.server.listen(0, '127.0.0.1', resolve));
  const transfer = new S3Transfer({ endpoint: `http://127.0.0.1:${(s3.server.address() as AddressInfo).port}` });
  try {
    const file = path.join(dir, 'test.csv.out');
    const content = Array.from({ length: 5000 }, (_, i) => `${i * 0.5}\n`).join('');
    fs.writeFileSync(file, content);
    await transfer.uploadFile(file, 's3://bucket/runs/r1/predictions/test.csv.out', 'text/csv');
    expect(s3.requests).toEqual(Array.from({ length: failures + 1 }, () => 'PUT /bucket/runs/r1/predictions/test.csv.out?x-id=PutObject'));
    expect(s3.stored.get('/bucket/runs/r1/predictions/test.csv.out')?.toString()).toBe(content);
  } finally {
    transfer.destroy();
    await new Promise((resolve) => s3.server.close(resolve));
  }
});
