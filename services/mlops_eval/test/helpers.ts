import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type GetObjectCommandInput,
  type ListObjectsV2CommandInput,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { EvalConfigSchema, EvalInputSchema, parseConfig, type EvalConfig, type EvalInput } from '@mlops/common';

export const BUCKET = 'mlops-local-data';

export function sampleInput(patch: (input: EvalInput) => void = () => undefined): EvalInput {
  const input = EvalInputSchema.parse(JSON.parse(readFileSync(path.join(__dirname, '..', 'events', 'eval-regression.json'), 'utf8')));
  patch(input);
  return input;
}

export function evalConfig(env: Record<string, string> = {}): EvalConfig {
  return parseConfig(EvalConfigSchema, { STAGE: 'test', DATA_BUCKET: BUCKET, NAME_PREFIX: 'mlops-test', GATE_METRIC: 'mse', GATE_THRESHOLD: '6', ...env });
}

/** A metrics sink that records what evaluate() publishes. */
export function recordingMetrics() {
  const recorded = { dimensions: {} as Record<string, string>, metadata: {} as Record<string, unknown>, metrics: [] as [string, string, number][], published: 0 };
  const sink = {
    addDimension: (name: string, value: string) => {
      recorded.dimensions[name] = value;
      return sink;
    },
    addMetadata: (key: string, value: string) => {
      recorded.metadata[key] = value;
      return sink;
    },
    addMetric: (name: string, unit: string, value: number) => {
      recorded.metrics.push([name, unit, value]);
      return sink;
    },
    publishStoredMetrics: () => {
      recorded.published++;
      return sink;
    },
  };
  return { sink: sink as never, recorded };
}

/**
 * A bucket behind aws-sdk-client-mock. Objects are stored as lists of chunks, streamed as given,
 * so tests decide where lines break across chunks. Listing pages hold `pageSize` keys.
 */
export class FakeBucket {
  readonly objects = new Map<string, (string | Buffer)[]>();
  readonly written = new Map<string, string>();

  constructor(s3: AwsClientStub<S3Client>, pageSize = 2) {
    s3.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => {
      const keys = [...this.objects.keys()].filter((k) => k.startsWith(input.Prefix ?? '')).sort();
      const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0;
      const page = keys.slice(start, start + pageSize);
      const more = start + pageSize < keys.length;
      return {
        Contents: page.map((Key) => ({ Key, Size: 1 })),
        KeyCount: page.length,
        IsTruncated: more,
        ...(more ? { NextContinuationToken: String(start + pageSize) } : {}),
      };
    });
    s3.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
      const chunks = this.objects.get(input.Key!);
      if (!chunks) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
      return { Body: sdkStreamMixin(Readable.from(chunks.map((c) => Buffer.from(c)))) };
    });
    s3.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
      this.written.set(input.Key!, String(input.Body));
      return { ETag: '"0"' };
    });
  }

  put(key: string, ...chunks: (string | Buffer)[]): this {
    this.objects.set(key, chunks);
    return this;
  }
}
