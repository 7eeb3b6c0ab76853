import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import S3rver from 's3rver';
import { type LocalSageMaker, type LocalSageMakerOptions, startLocalSageMaker } from '../src';

export const FIXTURES = path.join(__dirname, 'fixtures');
export const REGISTRY = path.join(FIXTURES, 'images.json');
export const MEAN_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/mean-model:1.0';
export const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
export const BUCKET = 'mlops-local';
// s3rver accepts only its own fixed key pair.
export const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface Harness {
  sm: LocalSageMaker;
  sagemaker: SageMakerClient;
  runtime: SageMakerRuntimeClient;
  s3: S3Client;
  s3Endpoint: string;
  tmp: string;
  put(key: string, body: string | Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** A local s3rver with one bucket plus the emulator, and SDK v3 clients pointed at both. */
export async function startHarness(overrides: Partial<LocalSageMakerOptions> = {}): Promise<Harness> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'local-sagemaker-test-'));
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: path.join(tmp, 's3'), configureBuckets: [] });
  const addr = (await s3rver.run()) as { port: number };
  const s3Endpoint = `http://127.0.0.1:${addr.port}`;
  const s3 = new S3Client({
    endpoint: s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const sm = await startLocalSageMaker({
    workDir: path.join(tmp, 'work'),
    s3: { endpoint: s3Endpoint, credentials },
    imageRegistry: REGISTRY,
    healthCheckTimeoutMs: 15_000,
    stopGracePeriodMs: 3_000,
    ...overrides,
  });
  const sagemaker = new SageMakerClient({ endpoint: sm.endpoint, region: 'us-east-1', credentials });
  const runtime = new SageMakerRuntimeClient({ endpoint: sm.endpoint, region: 'us-east-1', credentials });
  return {
    sm,
    sagemaker,
    runtime,
    s3,
    s3Endpoint,
    tmp,
    async put(key, body) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    },
    async get(key) {
      const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return Buffer.from(await res.Body!.transformToByteArray());
    },
    async close() {
      await sm.close();
      sagemaker.destroy();
      runtime.destroy();
      s3.destroy();
      await s3rver.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Polls until `probe` returns a value accepted by `done` (generous deadline, no fixed sleeps). */
export async function waitFor<T>(probe: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function trainingRequest(name: string, overrides: Record<string, unknown> = {}) {
  return {
    TrainingJobName: name,
    RoleArn: ROLE,
    AlgorithmSpecification: { TrainingImage: MEAN_IMAGE, TrainingInputMode: 'File' as const },
    InputDataConfig: [
      {
        ChannelName: 'train',
        ContentType: 'text/csv',
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix' as const, S3Uri: `s3://${BUCKET}/data/train/` } },
      },
    ],
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/models` },
    ResourceConfig: { InstanceType: 'ml.m5.large' as const, InstanceCount: 1, VolumeSizeInGB: 1 },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
    ...overrides,
  };
}
