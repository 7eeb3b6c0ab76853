/**
 * Retraining: a tick re-runs each family's latest dataset through the upload's own path, as a run
 * named after the tick; the same tick twice starts nothing new; the request is validated by name.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand, DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { IngestEventSchema, InputValidationError, validateInput, type PipelineInput } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { FakeBucket } from '@mlops/testing';
import { handleIngestEvent, latestDatasets } from '../src/ingest';
import { clients, fixture, ingestConfig } from './helpers';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
let bucket: FakeBucket;
const rows = fixture('abalone-1000.csv').split('\n');
const dataset = (from: number) => rows.slice(from, from + 150).join('\n') + '\n';
const deps = () => ({ ...clients(), config: ingestConfig() });
const started = (): { name: string; input: PipelineInput }[] =>
  sfnMock.commandCalls(StartExecutionCommand).map((c) => ({ name: c.args[0].input.name!, input: JSON.parse(c.args[0].input.input!) as PipelineInput }));
const TICK = '2026-12-07T03:00:00Z';
const at = (iso: string) => new Date(iso);

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  s3Mock.reset();
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `arn:aws:states:us-east-1:123456789012:execution:p:${input.name}`, startDate: new Date(0) }));
  bucket = new FakeBucket(s3Mock, { pageSize: 2 });
  bucket.put('incoming/abalone.csv', { body: dataset(0), lastModified: at('2026-12-01T00:00:00Z') });
  bucket.put('incoming/abalone/december.csv', { body: dataset(200), lastModified: at('2026-12-05T00:00:00Z') });
  bucket.put('incoming/abalone/november.csv', { body: dataset(400), lastModified: at('2026-11-05T00:00:00Z') });
  bucket.put('incoming/shellfish/all.csv', { body: dataset(600), lastModified: at('2026-12-02T00:00:00Z') });
  bucket.put('incoming/notes.txt', { body: 'not a dataset', lastModified: at('2026-12-06T00:00:00Z') });
  bucket.put('incoming/---.csv', { body: dataset(0), lastModified: at('2026-12-06T00:00:00Z') });
});

it('finds each family’s latest dataset across every listing page, skipping what is not a dataset', async () => {
  const latest = await latestDatasets(new S3Client({ region: 'us-east-1' }), ingestConfig());
  expect(Object.fromEntries([...latest].map(([family, d]) => [family, d.key]))).toEqual({ abalone: 'incoming/abalone/december.csv', shellfish: 'incoming/shellfish/all.csv' });
});

it('runs every family’s latest dataset as a run of the tick, through the upload’s own path', async () => {
  const output = await handleIngestEvent({ retrain: { scheduledTime: TICK } }, deps());
  expect(output.rejected).toEqual([]);
  expect(output.runs.map((r) => [r.key, r.status])).toEqual([
    ['incoming/abalone/december.csv', 'started'],
    ['incoming/shellfish/all.csv', 'started'],
  ]);
  const runs = started();
  expect(runs.map((r) => r.input.family)).toEqual(['abalone', 'shellfish']);
  for (const run of runs) {
    // The upload's run id with the tick after it; the execution is named after it.
    expect(run.input.runId).toMatch(/^[a-z0-9-]+-[0-9a-f]{10}-r20261207t030000$/);
    expect(run.name).toBe(run.input.runId);
    expect(bucket.objects.has(`runs/${run.input.runId}/data/schema.json`)).toBe(true);
  }
  expect(runs[0]!.input.source.key).toBe('incoming/abalone/december.csv');
});

it('starts each run of a tick once: the same tick delivered again finds its executions', async () => {
  await handleIngestEvent({ retrain: { scheduledTime: TICK } }, deps());
  const first = started();
  sfnMock.on(StartExecutionCommand).rejects(Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' }));
  for (const run of first) {
    sfnMock.on(DescribeExecutionCommand, { executionArn: `arn:aws:states:us-east-1:123456789012:execution:mlops-test-pipeline:${run.name}` }).resolves({ input: JSON.stringify(run.input) } as never);
  }
  const again = await handleIngestEvent({ retrain: { scheduledTime: TICK } }, deps());
  expect(again.runs.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
  expect(again.runs.map((r) => r.runId)).toEqual(first.map((r) => r.input.runId));
});

it('a later tick is a new run of the same bytes', async () => {
  await handleIngestEvent({ retrain: { scheduledTime: TICK, families: ['shellfish'] } }, deps());
  await handleIngestEvent({ retrain: { scheduledTime: '2026-12-14T03:00:00Z', families: ['shellfish'] } }, deps());
  const [one, two] = started();
  expect(one!.input.source).toEqual(two!.input.source);
  expect(one!.input.runId.replace(/-r\d+t\d+$/, '')).toBe(two!.input.runId.replace(/-r\d+t\d+$/, ''));
  expect(two!.input.runId).toMatch(/-r20261214t030000$/);
});

it('retrains only the named families, and skips one without a dataset, naming it', async () => {
  const output = await handleIngestEvent({ retrain: { scheduledTime: TICK, families: ['shellfish', 'iris'] } }, deps());
  expect(started().map((r) => r.input.family)).toEqual(['shellfish']);
  expect(output.skipped).toEqual([{ key: 'incoming/iris/', reason: 'family iris has no dataset under incoming/ to retrain on' }]);
});

it.each([
  [{ retrain: {} }, 'retrain.scheduledTime'],
  [{ retrain: { scheduledTime: 'tomorrow' } }, 'retrain.scheduledTime'],
  [{ retrain: { scheduledTime: TICK, families: [] } }, 'retrain.families'],
  [{ retrain: { scheduledTime: TICK, families: ['Not A Family'] } }, 'retrain.families.0'],
  [{ Records: [] }, 'Records'],
])('rejects %j naming %s', (event, path) => {
  const error = (() => {
    try {
      validateInput(IngestEventSchema, event, 'mlops_ingest input');
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  expect(error).toBeInstanceOf(InputValidationError);
  expect((error as Error).message).toContain(path);
});
