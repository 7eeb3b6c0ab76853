/** Keeping a run's artifacts from the offline stack's own S3 (s3rver behind the signing front), as `pnpm pipeline` does before the stack closes. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startLocalS3, type LocalS3 } from '@mlops/local-stack';
import { keepArtifacts, runArtifacts, runFolder } from '../src';

const BUCKET = 'mlops-local-data';
const RUN = 'abalone-7aa1b19755';
const PREFIX = `s3://${BUCKET}/runs/${RUN}/`;
let root: string;
let s3: LocalS3;
let client: S3Client;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'keep-int-'));
  s3 = await startLocalS3({ directory: join(root, 's3') });
  client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' }, maxAttempts: 1 });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  client?.destroy();
  await s3?.close();
  await rm(root, { recursive: true, force: true });
});

const put = (key: string, body: string | Buffer) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

it('copies a run’s artifacts byte for byte, more than a listing page of predictions, into a fresh run folder', async () => {
  const model = randomBytes(300_000);
  await put(`models/${RUN}/output/model.tar.gz`, model);
  await put(`runs/${RUN}/schema.json`, '{"columns":[]}');
  await put('families/abalone/schema.json', '{"family":"abalone"}');
  for (let i = 0; i < 1005; i++) await put(`runs/${RUN}/transform/part-${String(i).padStart(4, '0')}.csv.out`, `${i},${i + 0.5}\n`);
  await put(`runs/${RUN}/transform/manifest.json`, '{}');
  await put(`runs/${RUN}/evaluation/report.json`, '{"runId":"x"}');
  await put(`runs/${RUN}/run.json`, '{"version":1}');

  const state = {
    family: 'abalone',
    runId: RUN,
    runPrefix: PREFIX,
    dataset: { schema: `${PREFIX}schema.json` },
    trainingPoll: { outputs: { modelArtifacts: `s3://${BUCKET}/models/${RUN}/output/model.tar.gz` } },
    batch: { transformOutput: `${PREFIX}transform/` },
  } as unknown as Parameters<typeof runArtifacts>[0];
  const dir = await runFolder(join(root, 'reports'), 'abalone', new Date('2025-03-01T10:04:12Z'), RUN);
  const result = await keepArtifacts(client, runArtifacts(state, { bucket: BUCKET }), dir);

  expect(result.failed).toEqual([]);
  expect(result.missing).toEqual([]);
  expect(dir).toBe(join(root, 'reports', 'abalone', `20250301T100412Z-${RUN}`));
  expect(Buffer.compare(await readFile(join(dir, 'artifacts', 'model.tar.gz')), model)).toBe(0);
  const predictions = result.kept.filter((k) => k.name === 'predictions');
  expect(predictions).toHaveLength(1005);
  expect(await readFile(join(dir, 'artifacts', 'predictions', 'challenger', 'part-1004.csv.out'), 'utf8')).toBe('1004,1004.5\n');
  expect(result.kept.map((k) => k.name).filter((n) => n !== 'predictions')).toEqual(['model', 'schema', 'family-schema', 'evaluation', 'run-record']);
});
