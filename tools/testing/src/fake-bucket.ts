import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import * as S3 from '@aws-sdk/client-s3';
import type { GetObjectCommandInput, HeadObjectCommandInput, ListObjectsV2CommandInput, PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export async function bodyText(body: unknown): Promise<string> {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

export interface StoredObject {
  body: string;
  /** The pieces GetObject streams, when the test decides where they break (see `putChunks`). */
  chunks?: (string | Buffer)[];
  metadata?: Record<string, string>;
  versionId?: string;
  etag?: string;
  /** What ListObjectsV2 reports as LastModified (default: when it was put). */
  lastModified?: Date;
}

export interface FakeBucketOptions {
  /** GetObject streams a body in pieces of this many bytes, so records and multi-byte characters straddle them. */
  chunkSize?: number;
  /** Keys per ListObjectsV2 page, small so that callers must follow continuation tokens. */
  pageSize?: number;
  /** The SDK copy the code under test loaded (loadHandler's `sdk.s3`): the mock matches commands by class. */
  sdk?: Pick<typeof S3, 'GetObjectCommand' | 'HeadObjectCommand' | 'ListObjectsV2Command' | 'PutObjectCommand' | 'NoSuchKey' | 'NotFound' | 'S3ServiceException'>;
}

/**
 * An in-memory bucket behind aws-sdk-client-mock: HeadObject, GetObject, PutObject and paginated
 * ListObjectsV2 behave like S3 (404s as NotFound/NoSuchKey, ETags as quoted MD5). What the code
 * writes is readable back with `text` and `json`.
 */
export class FakeBucket {
  readonly objects = new Map<string, StoredObject>();
  private readonly chunkSize: number;

  constructor(s3: AwsClientStub<S3Client>, { chunkSize = 13, pageSize = 2, sdk = S3 }: FakeBucketOptions = {}) {
    this.chunkSize = chunkSize;
    const notFound = () => new sdk.NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
    const noSuchKey = () => new sdk.NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    s3.on(sdk.HeadObjectCommand).callsFake((input: HeadObjectCommandInput) => {
      const object = this.get(input.Key!, notFound);
      return { ETag: `"${this.etag(object)}"`, ContentLength: Buffer.byteLength(object.body), Metadata: object.metadata ?? {}, VersionId: object.versionId };
    });
    s3.on(sdk.GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
      const object = this.get(input.Key!, noSuchKey);
      // If-Match: the read is of the bytes the caller saw, or fails (the object changed since).
      if (input.IfMatch !== undefined && input.IfMatch.replace(/"/g, '') !== this.etag(object)) {
        throw new sdk.S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', message: 'At least one of the pre-conditions you specified did not hold', $metadata: { httpStatusCode: 412 } });
      }
      return { Body: sdkStreamMixin(Readable.from(this.pieces(object))), ETag: `"${this.etag(object)}"` };
    });
    s3.on(sdk.PutObjectCommand).callsFake(async (input: PutObjectCommandInput) => {
      // Conditional write (S3 since 2024): If-None-Match: * fails when the key exists.
      if (input.IfNoneMatch === '*' && this.objects.has(input.Key!)) {
        throw new sdk.S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', message: 'At least one of the pre-conditions you specified did not hold', $metadata: { httpStatusCode: 412 } });
      }
      const body = await bodyText(input.Body);
      this.objects.set(input.Key!, { body, metadata: input.Metadata });
      return { ETag: `"${md5(body)}"` };
    });
    s3.on(sdk.ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => {
      const keys = [...this.objects.keys()].filter((k) => k.startsWith(input.Prefix ?? '')).sort();
      const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
      const page = keys.slice(start, start + pageSize);
      const more = start + pageSize < keys.length;
      return {
        Contents: page.map((Key) => ({ Key, Size: Buffer.byteLength(this.objects.get(Key)!.body), ETag: `"${this.etag(this.objects.get(Key)!)}"`, LastModified: this.objects.get(Key)!.lastModified })),
        KeyCount: page.length,
        IsTruncated: more,
        ...(more ? { NextContinuationToken: String(start + pageSize) } : {}),
      };
    });
  }

  put(key: string, object: StoredObject): this {
    this.objects.set(key, { ...object, lastModified: object.lastModified ?? new Date() });
    return this;
  }

  /** An object GetObject streams exactly as these pieces (none: an empty object). */
  putChunks(key: string, ...chunks: (string | Buffer)[]): this {
    return this.put(key, { body: Buffer.concat(chunks.map((c) => Buffer.from(c))).toString('utf8'), chunks });
  }

  text(key: string): string | undefined {
    return this.objects.get(key)?.body;
  }

  json<T = unknown>(key: string): T {
    const text = this.text(key);
    if (text === undefined) throw new Error(`no object ${key}`);
    return JSON.parse(text) as T;
  }

  etag(object: StoredObject): string {
    return object.etag ?? md5(object.body);
  }

  private pieces(object: StoredObject): Buffer[] {
    if (object.chunks) return object.chunks.map((c) => Buffer.from(c));
    const bytes = Buffer.from(object.body);
    const pieces: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += this.chunkSize) pieces.push(bytes.subarray(i, i + this.chunkSize));
    return pieces;
  }

  private get(key: string, missing: () => Error): StoredObject {
    const object = this.objects.get(key);
    if (!object) throw missing();
    return object;
  }
}
