/**
 * A local S3 for the benchmarks: s3rver on loopback (the offline stack's S3), a client for it, and
 * fast writers for generated objects (multipart, one part in memory at a time).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ROOT } from './paths';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

/** s3rver as the offline stack uses it (its dependency, loaded from there: read-only use). */
const S3rver = createRequire(join(ROOT, 'offline/local-stack/package.json'))('s3rver') as S3rverConstructor;

export const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const REGION = 'us-east-1';

export interface LocalS3 {
  endpoint: string;
  directory: string;
  client: S3Client;
  close(): Promise<void>;
}

export async function startLocalS3(buckets: string[]): Promise<LocalS3> {
  const directory = mkdtempSync(join(tmpdir(), 'mlops-bench-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, allowMismatchedSignatures: true });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, forcePathStyle: true, region: REGION, credentials: CREDENTIALS });
  for (const bucket of buckets) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    directory,
    client,
    close: async () => {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Writes an object from generated parts (`part(i)` returns the i-th part's bytes, or undefined when
 * done) with a multipart upload; small objects go in one PutObject.
 */
export async function putGenerated(
  s3: S3Client,
  bucket: string,
  key: string,
  part: (index: number) => Buffer | undefined,
  options: { contentType?: string; metadata?: Record<string, string> } = {},
): Promise<{ bytes: number; etag: string }> {
  const first = part(0);
  if (!first) throw new Error('empty object');
  const second = part(1);
  if (!second) {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: first, ContentType: options.contentType, Metadata: options.metadata }));
    return { bytes: first.length, etag: put.ETag ?? '' };
  }
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: options.contentType, Metadata: options.metadata }));
  const parts: { ETag: string; PartNumber: number }[] = [];
  let bytes = 0;
  let index = 0;
  for (let body: Buffer | undefined = first; body; body = index === 1 ? second : part(index)) {
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: index + 1, Body: body }));
    parts.push({ ETag: ETag!, PartNumber: index + 1 });
    bytes += body.length;
    index++;
  }
  const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
  return { bytes, etag: done.ETag ?? '' };
}

/** A deterministic generator (LCG) in [0, 1): the same data on every run. */
export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}
