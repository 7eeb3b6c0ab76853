/**
 * The S3 fault injector the soak relies on (packages/local-stack/src/s3-faults.ts): in front of a
 * real s3rver, faults look to the AWS SDK exactly like S3's own (503 SlowDown, 500 InternalError,
 * retried by the SDK), faulted requests never reach S3, and the draws are counted per source.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type S3ServiceException } from '@aws-sdk/client-s3';
import { projectRoot } from '@mlops/serverless-config';
import { startFaultProxy } from '@mlops/local-stack';
import { startS3FaultProxies, type S3FaultProxies } from '@mlops/local-stack';
import { observationRecorder } from './support/recorder';

// s3rver is a dependency of the local stack, not of the root package.
const S3rver = require(require.resolve('s3rver', { paths: [join(projectRoot(), 'offline/local-stack')] })) as new (options: Record<string, unknown>) => {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};

const { record } = observationRecorder('s3-faults', 'The S3 fault injector');
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const BUCKET = 'faults';
const dir = mkdtempSync(join(tmpdir(), 's3-faults-'));
let server: InstanceType<typeof S3rver>;
let direct: S3Client;
let endpoint: string;
let proxies: S3FaultProxies;

const client = (url: string, maxAttempts: number) => new S3Client({ endpoint: url, forcePathStyle: true, region: 'us-east-1', credentials, maxAttempts });

beforeAll(async () => {
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, allowMismatchedSignatures: true });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  direct = client(endpoint, 1);
  await direct.send(new CreateBucketCommand({ Bucket: BUCKET }));
  proxies = await startS3FaultProxies(endpoint);
});

afterAll(async () => {
  direct?.destroy();
  await proxies?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => proxies.controller.clear());

describe('S3 fault proxy', () => {
  it('answers as S3 does when it sheds load, and the request never reaches S3', async () => {
    proxies.controller.set({ rate: 1, seed: 1 });
    const once = client(proxies.functionsEndpoint, 1);
    const errors: S3ServiceException[] = [];
    for (let i = 0; i < 8; i++) {
      errors.push(await once.send(new PutObjectCommand({ Bucket: BUCKET, Key: `never-${i}.csv`, Body: 'a,b\n' })).then(() => { throw new Error('not faulted'); }, (e: S3ServiceException) => e));
    }
    const head = await once.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'never-0.csv' })).catch((e: S3ServiceException) => e);
    once.destroy();
    const shapes = new Set(errors.map((e) => `${e.$metadata.httpStatusCode} ${e.name}: ${e.message}`));
    expect(shapes).toEqual(new Set(['503 SlowDown: Please reduce your request rate.', '500 InternalError: We encountered an internal error. Please try again.']));
    expect(errors.map((e) => e.$fault)).toEqual(errors.map(() => 'server'));
    expect((head as S3ServiceException).$metadata.httpStatusCode).toBeGreaterThanOrEqual(500);
    // Nothing was written.
    await expect(direct.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'never-0.csv' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('is absorbed by the SDK\'s retries at 20%, counted per source', async () => {
    proxies.controller.set({ rate: 0.2, seed: 7 });
    const before = proxies.controller.stats();
    const functions = client(proxies.functionsEndpoint, 5);
    const sageMaker = client(proxies.sageMakerEndpoint, 1);
    for (let i = 0; i < 20; i++) {
      await functions.send(new PutObjectCommand({ Bucket: BUCKET, Key: `ok-${i}.csv`, Body: `${i}\n` }));
      const body = await (await functions.send(new GetObjectCommand({ Bucket: BUCKET, Key: `ok-${i}.csv` }))).Body!.transformToString();
      expect(body).toBe(`${i}\n`);
      // The SageMaker listener has its own rate (0 here): one attempt always suffices.
      await sageMaker.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `ok-${i}.csv` }));
    }
    functions.destroy();
    sageMaker.destroy();
    const after = proxies.controller.stats();
    const requests = after.requests.functions - before.requests.functions;
    const injected = after.injected.functions.SlowDown + after.injected.functions.InternalError - before.injected.functions.SlowDown - before.injected.functions.InternalError;
    record({
      scenario: 'S3 transient faults (the injector the soak uses)',
      expected: 'S3\'s own error answers (503 SlowDown / 500 InternalError) that never reach S3 and that the SDK retries',
      observed: `40 operations at a 20% rate: ${requests} requests, ${injected} faults injected (${after.injected.functions.SlowDown - before.injected.functions.SlowDown} SlowDown, ${after.injected.functions.InternalError - before.injected.functions.InternalError} InternalError), every operation succeeded; SageMaker listener: ${after.requests.sageMaker - before.requests.sageMaker} requests, ${after.injected.sageMaker.SlowDown + after.injected.sageMaker.InternalError} faults`,
      counts: { faultsInjected: injected },
    });
    expect(requests).toBe(40 + injected);
    expect(injected).toBeGreaterThan(3);
    expect(after.requests.sageMaker - before.requests.sageMaker).toBe(20);
    expect(after.injected.sageMaker).toEqual({ SlowDown: 0, InternalError: 0 });
  });

  it('can lose a response after the service did the work', async () => {
    let lose = true;
    const statuses: number[] = [];
    const proxy = await startFaultProxy({
      target: () => endpoint,
      decide: () => {
        if (!lose) return { action: 'forward' };
        lose = false;
        return { action: 'lose-response', response: ({ status }) => (statuses.push(status), { status: 500, body: '' }) };
      },
    });
    const once = client(proxy.endpoint, 1);
    await expect(once.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'written.csv', Body: 'x\n' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    once.destroy();
    await proxy.close();
    expect(statuses).toEqual([200]);
    expect(await (await direct.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'written.csv' }))).Body!.transformToString()).toBe('x\n');
  });
});
