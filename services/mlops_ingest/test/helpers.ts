import { readFileSync } from 'node:fs';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { DEFAULT_NA_VALUES, IngestConfigSchema, parseConfig, type IngestConfig, type S3EventInput } from '@mlops/common';
import { FakeBucket } from '@mlops/testing';
import { rowHash } from '../src/assignment';
import type { Dialect } from '../src/dialect';
import type { ProfileOptions } from '../src/profile';

export const BUCKET = 'mlops-local-data';
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:mlops-test-pipeline';
export const ABALONE_COLUMNS = 'sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight,rings';

export const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
/** The whole UCI Abalone sample the repository ships (4,177 rows, no duplicates), for the split's statistics. */
export const abaloneSample = () => readFileSync(path.join(__dirname, '..', '..', '..', 'data', 'abalone.csv'), 'utf8');

/**
 * Where a 70/15/15 split puts distinct rows, worked out independently of assignment.ts's cuts:
 * ordered by their seeded hash, the first 70 % are train, the next 15 % validation, the rest test
 * (for a row count n where 0.7 n and 0.85 n are whole).
 */
export function channelsByRank(rows: readonly string[], seed: number): Map<string, 'train' | 'validation' | 'test'> {
  const ordered = [...rows].sort((a, b) => rowHash(a, seed) - rowHash(b, seed));
  const n = ordered.length;
  return new Map(ordered.map((row, i) => [row, i < 0.7 * n ? 'train' : i < 0.85 * n ? 'validation' : 'test']));
}
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

/** A comma-separated file without a header, as the passes read it when the detection said so. */
export const COMMA_DIALECT: Dialect = { delimiter: ',', delimiterSource: 'detected', header: false, headerSource: 'detected' };

/** The profile pass's options for a file read with `dialect`: the default NA values, nothing dropped, the last column the regression target. */
export function profileOptions(options: Partial<ProfileOptions> = {}): ProfileOptions {
  return {
    source: { bucket: BUCKET, key: 'incoming/x.csv', etag: 'e' },
    dialect: COMMA_DIALECT,
    naValues: [...DEFAULT_NA_VALUES],
    drop: [],
    target: 'last',
    problemType: 'regression',
    maxClasses: 100,
    ratios: [70, 15, 15],
    seed: 42,
    ...options,
  };
}

/** Bytes (or a text's UTF-8) as a stream cut at the given byte positions: the readers must not care where chunks end. */
export async function* chunked(data: Uint8Array | string, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const end = Math.min(bytes.length, Math.max(start, cut));
    if (end > start) yield bytes.subarray(start, end);
    start = end;
  }
  if (start < bytes.length) yield bytes.subarray(start);
}
