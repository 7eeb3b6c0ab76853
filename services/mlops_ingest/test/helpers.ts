import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandInput,
  type HeadObjectCommandInput,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sdkStreamMixin } from '@smithy/util-stream';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { IngestConfigSchema, parseConfig, type IngestConfig, type S3EventInput } from '@mlops/common';

export const BUCKET = 'mlops-local-data';
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:mlops-test-pipeline';
export const ABALONE_COLUMNS = 'sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight,rings';

export const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
export const event = (name: string): S3EventInput => JSON.parse(readFileSync(path.join(__dirname, '..', 'events', name), 'utf8'));

export function ingestConfig(env: Record<string, string> = {}): IngestConfig {
  return parseConfig(IngestConfigSchema, {
    STAGE: 'test',
    DATA_BUCKET: BUCKET,
    NAME_PREFIX: 'mlops-test',
    INCOMING_PREFIX: 'incoming/',
    STATE_MACHINE_ARN,
    COLUMN_NAMES: ABALONE_COLUMNS,
    ...env,
  });
}

export function s3Event(...objects: { key: string; size?: number; eTag?: string; versionId?: string }[]): S3EventInput {
  return {
    Records: objects.map((object) => ({
      eventSource: 'aws:s3' as const,
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: BUCKET }, object: { size: 1, ...object } },
    })),
  };
}

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
  metadata?: Record<string, string>;
  versionId?: string;
  etag?: string;
}

/**
 * An in-memory bucket behind aws-sdk-client-mock: HeadObject/GetObject/PutObject behave like S3
 * (404s as NotFound/NoSuchKey, ETags as quoted MD5). GetObject bodies are streamed in small
 * chunks, so records and multi-byte characters straddle chunk boundaries.
 */
export class FakeBucket {
  readonly objects = new Map<string, StoredObject>();
  constructor(
    s3: AwsClientStub<S3Client>,
    private readonly chunkSize = 13,
  ) {
    s3.on(HeadObjectCommand).callsFake((input: HeadObjectCommandInput) => {
      const object = this.get(input.Key!, () => new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
      return { ETag: `"${this.etag(object)}"`, ContentLength: Buffer.byteLength(object.body), Metadata: object.metadata ?? {}, VersionId: object.versionId };
    });
    s3.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
      const object = this.get(input.Key!, () => new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
      const bytes = Buffer.from(object.body);
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += this.chunkSize) chunks.push(bytes.subarray(i, i + this.chunkSize));
      return { Body: sdkStreamMixin(Readable.from(chunks)), ETag: `"${this.etag(object)}"` };
    });
    s3.on(PutObjectCommand).callsFake(async (input: PutObjectCommandInput) => {
      const body = await bodyText(input.Body);
      this.objects.set(input.Key!, { body, metadata: input.Metadata });
      return { ETag: `"${md5(body)}"` };
    });
  }

  put(key: string, object: StoredObject): this {
    this.objects.set(key, object);
    return this;
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

  private get(key: string, missing: () => Error): StoredObject {
    const object = this.objects.get(key);
    if (!object) throw missing();
    return object;
  }
}

export const clients = () => ({ s3: new S3Client({ region: 'us-east-1' }), sfn: new SFNClient({ region: 'us-east-1' }) });

/** Fresh mocks for a test: an empty bucket, and (unless told otherwise) a StartExecution that succeeds. */
export function resetIngestMocks(s3Mock: AwsClientStub<S3Client>, sfnMock: AwsClientStub<SFNClient>, { startExecution = true } = {}): FakeBucket {
  s3Mock.reset();
  sfnMock.reset();
  if (startExecution) {
    sfnMock.on(StartExecutionCommand).callsFake(({ name }) => ({ executionArn: `arn:aws:states:us-east-1:123456789012:execution:mlops-test-pipeline:${name}`, startDate: new Date(0) }));
  }
  return new FakeBucket(s3Mock);
}
