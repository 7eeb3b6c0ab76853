/**
 * S3 Batch Operations invocations (schemas 1.0 and 2.0, as the Amazon S3 User Guide shows them): a run
 * per task through the upload's own path, answered with the result code Batch Operations acts on.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchOperationsResponseSchema, IngestEventSchema, InputValidationError, validateInput, type BatchOperationsInvocation, type PipelineInput } from '@mlops/common';
import { FakeBucket } from '@mlops/testing';
import sample from '../events/batch-operations.json';
import { handleIngestEvent } from '../src/ingest';
import { clients, fixture, ingestConfig } from './helpers';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
let bucket: FakeBucket;
const rows = fixture('abalone-1000.csv').split('\n');
const dataset = rows.slice(0, 300).join('\n') + '\n';
const deps = () => ({ ...clients(), config: ingestConfig() });
const started = (): PipelineInput[] => sfnMock.commandCalls(StartExecutionCommand).map((c) => JSON.parse(c.args[0].input.input!) as PipelineInput);

const task = (taskId: string, s3Key: string, version: '1.0' | '2.0' = '1.0') =>
  version === '1.0' ? { taskId, s3Key, s3VersionId: null, s3BucketArn: 'arn:aws:s3:::mlops-test-data' } : { taskId, s3Key, s3VersionId: null, s3Bucket: 'mlops-test-data' };
const invocation = (version: '1.0' | '2.0', ...tasks: ReturnType<typeof task>[]): BatchOperationsInvocation =>
  validateInput(IngestEventSchema, { invocationSchemaVersion: version, invocationId: 'aW52b2NhdGlvbg', job: { id: 'job-1', ...(version === '2.0' ? { userArguments: { reason: 'backfill' } } : {}) }, tasks }, 'mlops_ingest input') as BatchOperationsInvocation;

beforeEach(() => {
  s3Mock.reset();
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `arn:aws:states:us-east-1:123456789012:execution:mlops-test-pipeline:${input.name}`, startDate: new Date(0) }));
  bucket = new FakeBucket(s3Mock);
  bucket.put('incoming/abalone.csv', { body: dataset });
  bucket.put('incoming/shellfish/2026 backfill.csv', { body: dataset });
  bucket.put('incoming/notes.txt', { body: 'not a dataset' });
  bucket.put('incoming/broken.csv', { body: 'a,b\n1\n' });
});

it.each(['1.0', '2.0'] as const)('schema %s: starts a run per task and answers Succeeded with the run, in the documented response shape', async (version) => {
  const response = await handleIngestEvent(invocation(version, task('t1', 'incoming/abalone.csv', version), task('t2', 'incoming/shellfish/2026%20backfill.csv', version)), deps());
  expect(BatchOperationsResponseSchema.parse(response)).toEqual(response);
  const runs = started();
  expect(runs.map((r) => [r.family, r.source.key])).toEqual([
    ['abalone', 'incoming/abalone.csv'],
    ['shellfish', 'incoming/shellfish/2026 backfill.csv'],
  ]);
  expect(response).toEqual({
    invocationSchemaVersion: version,
    treatMissingKeysAs: 'PermanentFailure',
    invocationId: 'aW52b2NhdGlvbg',
    results: runs.map((run, i) => ({ taskId: `t${i + 1}`, resultCode: 'Succeeded', resultString: `started run ${run.runId} (arn:aws:states:us-east-1:123456789012:execution:mlops-test-pipeline:${run.runId})` })),
  });
});

it('is idempotent: the same object delivered again (a retried task, a second job) answers Succeeded with the existing run', async () => {
  await handleIngestEvent(invocation('1.0', task('t1', 'incoming/abalone.csv')), deps());
  const [first] = started();
  sfnMock.on(StartExecutionCommand).rejects(Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' }));
  sfnMock.on(DescribeExecutionCommand).resolves({ input: JSON.stringify(first) } as never);
  const again = await handleIngestEvent(invocation('1.0', task('t9', 'incoming/abalone.csv')), deps());
  expect(again.results).toEqual([{ taskId: 't9', resultCode: 'Succeeded', resultString: expect.stringMatching(new RegExp(`^run ${first!.runId} already exists \\(`)) }]);
});

it('answers PermanentFailure with the reason for a rejected dataset, an object that is not a dataset and a missing object', async () => {
  const response = await handleIngestEvent(invocation('2.0', task('bad', 'incoming/broken.csv', '2.0'), task('txt', 'incoming/notes.txt', '2.0'), task('gone', 'incoming/gone.csv', '2.0')), deps());
  expect(response.results).toEqual([
    { taskId: 'bad', resultCode: 'PermanentFailure', resultString: expect.stringMatching(/^rejected: /) },
    { taskId: 'txt', resultCode: 'PermanentFailure', resultString: 'skipped: not a .csv file' },
    { taskId: 'gone', resultCode: 'PermanentFailure', resultString: 'skipped: the object no longer exists' },
  ]);
  expect(started()).toEqual([]);
  // The rejection is recorded as for an upload.
  expect([...bucket.objects.keys()].filter((k) => k.startsWith('runs/rejected/'))).toHaveLength(1);
});

it('answers TemporaryFailure on throttling, so Batch Operations retries the task, and goes on with the others', async () => {
  sfnMock
    .on(StartExecutionCommand)
    .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }))
    .callsFake((input: { name: string }) => ({ executionArn: `arn:aws:states:us-east-1:123456789012:execution:mlops-test-pipeline:${input.name}`, startDate: new Date(0) }));
  const response = await handleIngestEvent(invocation('1.0', task('t1', 'incoming/abalone.csv'), task('t2', 'incoming/shellfish/2026%20backfill.csv')), deps());
  expect(response.results.map((r) => r.resultCode)).toEqual(['TemporaryFailure', 'Succeeded']);
  expect(response.results[0]!.resultString).toBe('ThrottlingException: Rate exceeded');
});

it('fails the invocation on an error a retry cannot fix, as for an S3 event', async () => {
  sfnMock.on(StartExecutionCommand).rejects(Object.assign(new Error('User is not authorized to perform: states:StartExecution'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
  await expect(handleIngestEvent(invocation('1.0', task('t1', 'incoming/abalone.csv')), deps())).rejects.toThrow('not authorized');
});

it('answers PermanentFailure for a key that is not URL-encoded', async () => {
  const response = await handleIngestEvent(invocation('1.0', task('t1', 'incoming/100%.csv')), deps());
  expect(response.results).toEqual([{ taskId: 't1', resultCode: 'PermanentFailure', resultString: "s3Key 'incoming/100%.csv' is not a valid URL-encoded S3 key" }]);
});

it('validates the invocation by its own schema, naming the field', () => {
  const bad = (event: unknown) => {
    try {
      validateInput(IngestEventSchema, event, 'mlops_ingest input');
    } catch (error) {
      expect(error).toBeInstanceOf(InputValidationError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };
  expect(bad({ ...sample, invocationSchemaVersion: '3.0' })).toContain('invocationSchemaVersion');
  expect(bad({ ...sample, tasks: [] })).toContain('tasks');
  expect(bad({ ...sample, tasks: [{ ...sample.tasks[0], s3BucketArn: undefined }] })).toContain('s3BucketArn in schema 1.0, s3Bucket in 2.0');
  expect(bad({ ...sample, tasks: [{ ...sample.tasks[0], s3BucketArn: 'mlops-local-data' }] })).toContain('must be an S3 bucket ARN');
});

it('accepts its sample event', () => {
  expect(() => validateInput(IngestEventSchema, sample, 'mlops_ingest input')).not.toThrow();
});
