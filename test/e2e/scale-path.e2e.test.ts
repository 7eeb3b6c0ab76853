/**
 * The scale path offline (issue 17): a folder dataset of 4 parts and its _SUCCESS marker runs end to
 * end on SageMaker Processing jobs of 2 instances (the container built from mlops_ingest's own
 * passes, the preprocess state machine, then the pipeline), and gives the channels the Lambda path
 * gives on the concatenated file, row for row. The stage's threshold routes files; a bad part is a
 * rejection naming it; a processing job that fails ends the preprocess execution in its named Fail
 * with SageMaker's FailureReason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeProcessingJobCommand } from '@aws-sdk/client-sagemaker';
import { executionArnFor, executionNameFor, runIdFor } from '@mlops/common';
import { startLocalStack, type LocalStack } from '@mlops/local-stack';
import { projectRoot } from '@mlops/serverless-config';

jest.setTimeout(300_000);

const root = projectRoot();
const HEADER = 'sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight,rings';
const rows = readFileSync(join(root, 'data/abalone.csv'), 'utf8').trim().split('\n');
/** A Spark-style export: every part repeats the header. */
const partsOf = (count: number) => Array.from({ length: count }, (_, i) => [HEADER, ...rows.filter((_, r) => r % count === i)].join('\n') + '\n');
/** A threshold between the sizes of the two files below: the small one stays on the Lambda path. */
const THRESHOLD = 40_000;
let stack: LocalStack;

const local = () => stack.stages.local!;
const text = async (key: string) => (await (await stack.clients.s3.send(new GetObjectCommand({ Bucket: local().bucket, Key: key }))).Body!.transformToString());
async function keys(prefix: string): Promise<string[]> {
  const page = await stack.clients.s3.send(new ListObjectsV2Command({ Bucket: local().bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}
/** A channel's rows, however many objects hold it, sorted. */
async function channel(runId: string, name: string): Promise<string[]> {
  const objects = await keys(`runs/${runId}/data/${name}/`);
  return (await Promise.all(objects.map(text))).flatMap((t) => t.split('\n').filter((l) => l !== '')).sort();
}
const put = (key: string, body: string, metadata: Record<string, string> = {}) => stack.clients.s3.send(new PutObjectCommand({ Bucket: local().bucket, Key: key, Body: Buffer.from(body), Metadata: metadata }));

/** Uploads the parts, then the marker; resolves with the run id of the marker's upload. */
async function uploadFolder(folder: string, parts: string[]): Promise<string> {
  for (const [i, body] of parts.entries()) await put(`${folder}part-${String(i).padStart(5, '0')}-c000.csv`, body);
  await stack.settled();
  const marker = await put(`${folder}_SUCCESS`, '');
  await stack.settled();
  const listed = await stack.clients.s3.send(new ListObjectsV2Command({ Bucket: local().bucket, Prefix: folder }));
  const partRefs = (listed.Contents ?? []).filter((o) => o.Key!.endsWith('.csv')).map((o) => ({ key: o.Key!, etag: o.ETag! }));
  return runIdFor({ bucket: local().bucket, key: `${folder}_SUCCESS`, etag: marker.ETag! }, partRefs);
}

const preprocessing = (runId: string) => executionArnFor(local().stateMachineArns.preprocess!, executionNameFor(runId));
const pipeline = (runId: string) => executionArnFor(local().stateMachineArns.pipeline!, executionNameFor(runId));
const waitFor = (arn: string) => stack.stepFunctions.executions.waitForCompletion(arn, { timeoutMs: 240_000 });

beforeAll(async () => {
  stack = await startLocalStack({ stages: ['local'], waitScale: 0.01, params: { preprocessThresholdBytes: String(THRESHOLD), preprocessInstanceCount: '2' } });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('a folder dataset of 4 parts on the processing path, 2 instances', () => {
  let runId: string;
  let lambdaRunId: string;

  beforeAll(async () => {
    runId = await uploadFolder('incoming/abalone/export-1/', partsOf(4));
    const preprocessed = await waitFor(preprocessing(runId));
    expect({ status: preprocessed.status, error: preprocessed.error, cause: preprocessed.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    // The same rows as one file, asked to stay on the Lambda path.
    const put = await stack.clients.s3.send(
      new PutObjectCommand({ Bucket: local().bucket, Key: 'incoming/abalone/export-1.csv', Body: [HEADER, ...rows].join('\n') + '\n', Metadata: { 'mlops-preprocess': 'lambda' } }),
    );
    lambdaRunId = runIdFor({ bucket: local().bucket, key: 'incoming/abalone/export-1.csv', etag: put.ETag! });
    await stack.settled();
  });

  it('ran the profile and the split job on 2 instances each, sharded by S3 key', async () => {
    for (const kind of ['profile', 'split']) {
      const job = await stack.clients.sageMaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: `mlops-local-${runId}-${kind}` }));
      expect(job.ProcessingJobStatus).toBe('Completed');
      expect(job.ProcessingResources!.ClusterConfig!.InstanceCount).toBe(2);
      expect(job.ProcessingInputs!.find((i) => i.InputName === 'parts')!.S3Input).toMatchObject({ S3DataType: 'ManifestFile', S3DataDistributionType: 'ShardedByS3Key' });
    }
    expect(await keys(`runs/${runId}/preprocess/profiles/`)).toEqual([`runs/${runId}/preprocess/profiles/profile-algo-1.json`, `runs/${runId}/preprocess/profiles/profile-algo-2.json`]);
    expect(await keys(`runs/${runId}/data/train/`)).toEqual([`runs/${runId}/data/train/train-algo-1.csv`, `runs/${runId}/data/train/train-algo-2.csv`]);
  });

  it('gives the channels the Lambda path gives on the concatenated file, row for row', async () => {
    expect(await keys(`runs/${lambdaRunId}/data/train/`)).toEqual([`runs/${lambdaRunId}/data/train/train.csv`]);
    for (const name of ['train', 'validation', 'test']) {
      const processed = await channel(runId, name);
      expect(processed.length).toBeGreaterThan(0);
      expect(processed).toEqual(await channel(lambdaRunId, name));
    }
    const schema = JSON.parse(await text(`runs/${runId}/data/schema.json`)) as { rows: { train: number; validation: number; test: number }; source: { parts: number } };
    expect(schema.source.parts).toBe(4);
    expect(schema.rows.train + schema.rows.validation + schema.rows.test).toBe(rows.length);
  });

  it('then ran the pipeline on those channels to the end', async () => {
    const done = await waitFor(pipeline(runId));
    expect({ status: done.status, error: done.error, cause: done.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    expect((done.input as { source: { key: string } }).source.key).toBe('incoming/abalone/export-1/_SUCCESS');
    expect((await waitFor(pipeline(lambdaRunId))).status).toBe('SUCCEEDED');
  });
});

describe("the stage's threshold", () => {
  it('keeps a file below it on the Lambda path and sends one at or above it to the processing path', async () => {
    const small = partsOf(8)[0]!;
    const large = partsOf(2)[0]!;
    expect(Buffer.byteLength(small)).toBeLessThan(THRESHOLD);
    expect(Buffer.byteLength(large)).toBeGreaterThanOrEqual(THRESHOLD);
    const smallPut = await put('incoming/abalone/small.csv', small);
    const largePut = await put('incoming/abalone/large.csv', large);
    await stack.settled();
    const smallRun = runIdFor({ bucket: local().bucket, key: 'incoming/abalone/small.csv', etag: smallPut.ETag! });
    const largeRun = runIdFor({ bucket: local().bucket, key: 'incoming/abalone/large.csv', etag: largePut.ETag! });
    // The small one's channels are written before its execution starts, with no processing job.
    expect(await keys(`runs/${smallRun}/preprocess/`)).toEqual([]);
    expect(await keys(`runs/${smallRun}/data/train/`)).toEqual([`runs/${smallRun}/data/train/train.csv`]);
    expect((await waitFor(preprocessing(largeRun))).status).toBe('SUCCEEDED');
    expect(await keys(`runs/${largeRun}/preprocess/request/`)).toEqual([`runs/${largeRun}/preprocess/request/request.json`]);
  });
});

describe('failures', () => {
  it('a part with other columns alone on its instance is a rejection naming it, at the merge', async () => {
    const parts = partsOf(3);
    parts[1] = parts[1]!.replace('shell_weight', 'shell');
    const runId = await uploadFolder('incoming/abalone/export-2/', parts);
    const done = await waitFor(preprocessing(runId));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('DatasetError');
    expect(done.cause).toMatch(/^part part-00001-c000\.csv has other columns than part part-00000-c000\.csv: its header is sex,.*,shell,rings/);
    expect(JSON.parse(await text(`runs/rejected/${runId}.json`))).toMatchObject({ key: 'incoming/abalone/export-2/_SUCCESS', reason: expect.stringContaining('part-00001-c000.csv') });
    expect(await keys(`runs/${runId}/data/`)).toEqual([]);
  });

  it("a processing job that fails ends the execution in the named Fail with SageMaker's FailureReason, its message naming the part", async () => {
    // Instance 1 reads parts 0 and 2: part 2's header is not part 0's, so its container exits 1.
    const parts = partsOf(4);
    parts[2] = parts[2]!.replace('rings', 'age');
    const runId = await uploadFolder('incoming/abalone/export-3/', parts);
    const done = await waitFor(preprocessing(runId));
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('ProcessingJobFailed');
    const job = await stack.clients.sageMaker.send(new DescribeProcessingJobCommand({ ProcessingJobName: `mlops-local-${runId}-profile` }));
    expect(job.ProcessingJobStatus).toBe('Failed');
    expect(done.cause).toContain(job.FailureReason!);
    expect(job.ExitMessage).toContain('part part-00002-c000.csv has other columns than part part-00000-c000.csv');
    expect(done.cause).toContain(job.ExitMessage!);
    expect(JSON.parse(await text(`runs/rejected/${runId}.json`)).reason).toMatch(/^ProcessingJobFailed: /);
  });
});
