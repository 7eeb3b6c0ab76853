/**
 * Datasets made of many files (issue 17): a folder of CSV parts started by its `_SUCCESS` marker,
 * read by the Lambda path as one dataset, and the size threshold that sends a dataset to the
 * processing path instead (the preprocess state machine).
 */
import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { PreprocessInputSchema, type PipelineInput } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import type { FakeBucket } from '@mlops/testing';
import { ingest } from '../src/ingest';
import { PreprocessRequestSchema } from '../src/preprocess-request';
import { partsManifest } from '../src/preprocess';
import { SchemaDocumentSchema } from '../src/schema';
import { clients, fixture, ingestConfig, resetIngestMocks, s3Event } from './helpers';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
let bucket: FakeBucket;
const PREPROCESS_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:mlops-test-preprocess';
const deps = (env: Record<string, string> = {}) => ({ ...clients(), config: ingestConfig({ PREPROCESS_STATE_MACHINE_ARN: PREPROCESS_ARN, ...env }) });
const lines = fixture('abalone-1000.csv').trim().split('\n').slice(0, 400);
/** The 400 rows in four parts of 100 (as Spark writes them: part-0000N-<id>.csv). */
const parts = [0, 1, 2, 3].map((i) => lines.slice(i * 100, (i + 1) * 100).join('\n') + '\n');
const FOLDER = 'incoming/abalone/2026-12-06/';
const partKey = (i: number) => `${FOLDER}part-0000${i}-1f2e.csv`;
const executions = () => sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
const channel = (runId: string, c: string) => bucket.text(`runs/${runId}/data/${c}/${c}.csv`)!.trim().split('\n');

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  bucket = resetIngestMocks(s3Mock, sfnMock);
});

function putParts(bodies = parts) {
  bodies.forEach((body, i) => bucket.put(partKey(i), { body }));
}

describe('a folder dataset', () => {
  it("its parts' own uploads start nothing", async () => {
    putParts();
    const output = await ingest(s3Event({ key: partKey(0) }, { key: `${FOLDER}sub/part-9.csv` }), deps());
    expect(output.runs).toEqual([]);
    expect(output.skipped).toEqual([
      { key: partKey(0), reason: `a part of the folder dataset ${FOLDER}: its _SUCCESS marker starts the run` },
      { key: `${FOLDER}sub/part-9.csv`, reason: `a part of the folder dataset ${FOLDER}: its _SUCCESS marker starts the run` },
    ]);
    expect(executions()).toEqual([]);
  });

  it('its marker starts one run over every part, whose channels are those of the concatenated file', async () => {
    putParts();
    // Hidden files of the convention and other objects in the folder are not parts.
    bucket.put(`${FOLDER}_committed_123`, { body: 'x' }).put(`${FOLDER}.part-00000-1f2e.csv.crc`, { body: 'crc' }).put(`${FOLDER}README.txt`, { body: 'hello' });
    bucket.put(`${FOLDER}_SUCCESS`, { body: '' });
    const output = await ingest(s3Event({ key: `${FOLDER}_SUCCESS`, size: 0 }), deps());
    expect(output.rejected).toEqual([]);
    expect(output.runs).toHaveLength(1);
    const run = JSON.parse(executions()[0]!.input!) as PipelineInput;
    expect(run.family).toBe('abalone');
    expect(run.runId).toMatch(/^2026-12-06-[0-9a-f]{10}$/);
    const schema = SchemaDocumentSchema.parse(bucket.json(`runs/${run.runId}/data/schema.json`));
    expect(schema.source).toMatchObject({ key: `${FOLDER}_SUCCESS`, parts: 4 });
    expect(schema.rows.train + schema.rows.validation + schema.rows.test).toBe(400);

    // The same rows as one file: the same channels, row for row.
    bucket.put('incoming/abalone/all.csv', { body: parts.join('') });
    const single = await ingest(s3Event({ key: 'incoming/abalone/all.csv' }), deps());
    for (const c of ['train', 'validation', 'test']) expect(channel(run.runId, c)).toEqual(channel(single.runs[0]!.runId, c));
  });

  it('with a header in every part reads each part after the first without its header', async () => {
    const header = 'sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight,rings';
    putParts(parts.map((p) => `${header}\n${p}`));
    bucket.put(`${FOLDER}_SUCCESS`, { body: '' });
    const output = await ingest(s3Event({ key: `${FOLDER}_SUCCESS`, size: 0 }), deps());
    expect(output.rejected).toEqual([]);
    const schema = SchemaDocumentSchema.parse(bucket.json(`runs/${output.runs[0]!.runId}/data/schema.json`));
    expect(schema.header).toBe(true);
    expect(schema.rows.train + schema.rows.validation + schema.rows.test).toBe(400);
  });

  it('rejects a part with other columns, naming the part', async () => {
    const header = 'sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight,rings';
    const bodies = parts.map((p) => `${header}\n${p}`);
    bodies[2] = bodies[2]!.replace('shell_weight', 'shell');
    putParts(bodies);
    bucket.put(`${FOLDER}_SUCCESS`, { body: '' });
    const output = await ingest(s3Event({ key: `${FOLDER}_SUCCESS`, size: 0 }), deps());
    expect(output.runs).toEqual([]);
    expect(output.rejected[0]!.reason).toMatch(/^part part-00002-1f2e\.csv has other columns than part part-00000-1f2e\.csv: its header is sex,.*,shell,rings/);
    expect([...bucket.objects.keys()].filter((k) => k.includes('/data/'))).toEqual([]);
  });

  it('rejects a header-less part of another width, naming the part and its line', async () => {
    const bodies = [...parts];
    bodies[1] = bodies[1]!.replace(/\n/, ',extra\n');
    putParts(bodies);
    bucket.put(`${FOLDER}_SUCCESS`, { body: '' });
    const output = await ingest(s3Event({ key: `${FOLDER}_SUCCESS`, size: 0 }), deps());
    expect(output.rejected[0]!.reason).toBe('part part-00001-1f2e.csv line 1 (data row 1) has 10 fields, expected 9 like the first row of part part-00000-1f2e.csv');
  });

  it('rejects a marker without parts', async () => {
    bucket.put(`${FOLDER}_SUCCESS`, { body: '' });
    const output = await ingest(s3Event({ key: `${FOLDER}_SUCCESS`, size: 0 }), deps());
    expect(output.rejected).toEqual([{ key: `${FOLDER}_SUCCESS`, reason: expect.stringContaining(`the folder dataset ${FOLDER} has no CSV parts`) }]);
  });

  it('is idempotent: the same marker twice is one run; a new marker after more parts is a new run', async () => {
    putParts(parts.slice(0, 3));
    bucket.put(`${FOLDER}_SUCCESS`, { body: '' });
    const first = await ingest(s3Event({ key: `${FOLDER}_SUCCESS`, size: 0 }), deps());
    const again = await ingest(s3Event({ key: `${FOLDER}_SUCCESS`, size: 0 }), deps());
    expect(again.runs[0]!.runId).toBe(first.runs[0]!.runId);
    // The same (empty) marker bytes after a fourth part: its parts make it another dataset.
    putParts();
    const more = await ingest(s3Event({ key: `${FOLDER}_SUCCESS`, size: 0 }), deps());
    expect(more.runs[0]!.runId).not.toBe(first.runs[0]!.runId);
    expect(new Set(executions().map((e) => e.name)).size).toBe(2);
  });

  it('a part that changes while it is read is a superseded delivery, not a half-split run', async () => {
    putParts();
    bucket.put(`${FOLDER}_SUCCESS`, { body: '' });
    // Read pinned to the listed ETag (If-Match), the changed part fails: S3's 412.
    s3Mock
      .on(GetObjectCommand, { Key: partKey(3) })
      .rejects(new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', message: 'At least one of the pre-conditions you specified did not hold', $metadata: { httpStatusCode: 412 } }));
    const output = await ingest(s3Event({ key: `${FOLDER}_SUCCESS`, size: 0 }), deps());
    expect(output.skipped).toEqual([{ key: `${FOLDER}_SUCCESS`, reason: expect.stringMatching(/^superseded: the object changed while it was read/) }]);
    expect(executions()).toEqual([]);
    expect([...bucket.objects.keys()].filter((k) => k.startsWith('runs/'))).toEqual([]);
  });
});

describe('the path a dataset takes', () => {
  it('below the threshold: split here, the pipeline started', async () => {
    bucket.put('incoming/abalone.csv', { body: parts[0]! });
    const output = await ingest(s3Event({ key: 'incoming/abalone.csv' }), deps({ PREPROCESS_THRESHOLD_BYTES: String(1 + parts[0]!.length) }));
    expect(executions().map((e) => e.stateMachineArn)).toEqual([ingestConfig().STATE_MACHINE_ARN]);
    expect(bucket.text(`runs/${output.runs[0]!.runId}/data/schema.json`)).toBeDefined();
  });

  it('at the threshold: the preprocess execution, with the request and the manifest, and no channel written here', async () => {
    putParts();
    bucket.put(`${FOLDER}_SUCCESS`, { body: '' });
    const total = parts.reduce((n, p) => n + Buffer.byteLength(p), 0);
    const output = await ingest(s3Event({ key: `${FOLDER}_SUCCESS`, size: 0 }), deps({ PREPROCESS_THRESHOLD_BYTES: String(total), PREPROCESS_INSTANCE_COUNT: '2' }));
    expect(output.rejected).toEqual([]);
    const [started] = executions();
    expect(started!.stateMachineArn).toBe(PREPROCESS_ARN);
    const input = PreprocessInputSchema.parse(JSON.parse(started!.input!));
    const runId = output.runs[0]!.runId;
    expect(started!.name).toBe(runId);
    expect(input).toEqual({
      family: 'abalone',
      runId,
      source: { bucket: 'mlops-local-data', key: `${FOLDER}_SUCCESS`, etag: expect.any(String) },
      preprocessPrefix: `s3://mlops-local-data/runs/${runId}/preprocess/`,
      parts: 4,
      bytes: total,
      instanceCount: 2,
    });
    const request = PreprocessRequestSchema.parse(bucket.json(`runs/${runId}/preprocess/request/request.json`));
    expect(request.parts.map((p) => p.key)).toEqual([0, 1, 2, 3].map(partKey));
    expect(request.profile.dialect).toMatchObject({ delimiter: ',', header: false });
    expect(bucket.json(`runs/${runId}/preprocess/parts.manifest`)).toEqual([{ prefix: `s3://mlops-local-data/${FOLDER}` }, ...[0, 1, 2, 3].map((i) => `part-0000${i}-1f2e.csv`)]);
    expect([...bucket.objects.keys()].filter((k) => k.includes('/data/'))).toEqual([]);
  });

  it.each([
    ['processing', 'a small file asked to take the processing path', 1024 ** 3, PREPROCESS_ARN],
    ['lambda', 'a large file asked to stay on the Lambda path', 1, undefined],
  ])('metadata mlops-preprocess=%s: %s', async (mode, _what, threshold, arn) => {
    bucket.put('incoming/abalone.csv', { body: parts[0]!, metadata: { 'mlops-preprocess': mode } });
    await ingest(s3Event({ key: 'incoming/abalone.csv' }), deps({ PREPROCESS_THRESHOLD_BYTES: String(threshold) }));
    expect(executions().map((e) => e.stateMachineArn)).toEqual([arn ?? ingestConfig().STATE_MACHINE_ARN]);
  });

  it('rejects an unknown mlops-preprocess, naming the values', async () => {
    bucket.put('incoming/abalone.csv', { body: parts[0]!, metadata: { 'mlops-preprocess': 'spark' } });
    const output = await ingest(s3Event({ key: 'incoming/abalone.csv' }), deps());
    expect(output.rejected[0]!.reason).toBe("metadata mlops-preprocess: must be auto, lambda or processing (got 'spark')");
  });

  it('a duplicate delivery at the threshold starts one preprocess execution', async () => {
    bucket.put('incoming/abalone.csv', { body: parts[0]! });
    sfnMock.on(StartExecutionCommand).rejectsOnce(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    const output = await ingest(s3Event({ key: 'incoming/abalone.csv' }), deps({ PREPROCESS_THRESHOLD_BYTES: '1' }));
    expect(output.runs[0]!.status).toBe('duplicate');
    expect(output.runs[0]!.executionArn).toBe(`arn:aws:states:us-east-1:123456789012:execution:mlops-test-preprocess:${output.runs[0]!.runId}`);
  });
});

describe('partsManifest', () => {
  it('lists the parts below their longest common folder', () => {
    const parts = ['incoming/f/d/a=1/p0.csv', 'incoming/f/d/a=2/p1.csv'].map((key) => ({ key, etag: 'e', size: 1 }));
    expect(JSON.parse(partsManifest('b', parts))).toEqual([{ prefix: 's3://b/incoming/f/d/' }, 'a=1/p0.csv', 'a=2/p1.csv']);
  });
});
