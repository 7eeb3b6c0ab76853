import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ExecutionAlreadyExists, SFNClient, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { stepFunctionsModel, validateRequest } from '@mlops/aws-models';
import { runIdFor, type PipelineInput } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import { executionArnFor } from '@mlops/common';
import { differingPaths } from '../src/execution';
import { ingest } from '../src/ingest';
import { FakeBucket, md5 } from '@mlops/testing';
import { BUCKET, STATE_MACHINE_ARN, clients, fixture, ingestConfig, s3Event } from './helpers';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
let bucket: FakeBucket;

const key = 'incoming/abalone.csv';
const body = fixture('abalone-1000.csv').split('\n').slice(0, 60).join('\n');
const runId = runIdFor({ bucket: BUCKET, key, etag: md5(body) });
const executionArn = `arn:aws:states:us-east-1:123456789012:execution:mlops-test-pipeline:${runId}`;
const deps = () => ({ ...clients(), config: ingestConfig() });
const alreadyExists = () => new ExecutionAlreadyExists({ message: `Execution Already Exists: '${executionArn}'`, $metadata: { httpStatusCode: 400 } });

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  s3Mock.reset();
  sfnMock.reset();
  bucket = new FakeBucket(s3Mock).put(key, { body });
});

/** Runs once for real to learn the input a first delivery sends. */
async function firstInput(): Promise<string> {
  sfnMock.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date(0) });
  await ingest(s3Event({ key }), deps());
  const input = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!;
  sfnMock.reset();
  s3Mock.resetHistory();
  return input;
}

describe('starting the execution', () => {
  it('sends a StartExecution request that the Step Functions API model accepts', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date(0) });
    await ingest(s3Event({ key }), deps());

    const calls = sfnMock.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    const request = calls[0]!.args[0].input;
    expect(Object.keys(request).sort()).toEqual(['input', 'name', 'stateMachineArn']);
    expect(request).toEqual({ stateMachineArn: STATE_MACHINE_ARN, name: runId, input: expect.any(String) });
    expect(validateRequest(stepFunctionsModel, 'StartExecution', request, { rejectUnknownMembers: true })).toEqual([]);
  });

  it('treats ExecutionAlreadyExists with the same input as a duplicate delivery', async () => {
    const input = await firstInput();
    sfnMock.on(StartExecutionCommand).rejects(alreadyExists());
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn, stateMachineArn: STATE_MACHINE_ARN, status: 'SUCCEEDED', startDate: new Date(0), input });

    const output = await ingest(s3Event({ key }), deps());

    expect(output).toEqual({ runs: [{ runId, key, executionArn, status: 'duplicate' }], skipped: [], rejected: [] });
    const describe = sfnMock.commandCalls(DescribeExecutionCommand)[0]!.args[0].input;
    expect(describe).toEqual({ executionArn });
    expect(validateRequest(stepFunctionsModel, 'DescribeExecution', describe, { rejectUnknownMembers: true })).toEqual([]);
  });

  it('reuses the complete split of an earlier delivery instead of splitting again', async () => {
    const input = await firstInput();
    const channels = [...bucket.objects.keys()].filter((k) => k.endsWith('.csv') && k.startsWith('runs/'));
    sfnMock.on(StartExecutionCommand).resolves({ executionArn, startDate: new Date(0) });

    await ingest(s3Event({ key }), deps());

    // Only the family's schema and the run's schema.json are read; the upload is not read and nothing is written.
    expect(s3Mock.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['families/abalone/schema.json', `runs/${runId}/data/schema.json`]);
    expect(s3Mock).toHaveReceivedCommandTimes(PutObjectCommand, 0);
    expect(channels).toHaveLength(3);
    expect(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.input).toBe(input);
  });

  it('rejects a re-delivery whose options no longer match the existing split', async () => {
    await firstInput();
    bucket.put(key, { body, metadata: { 'mlops-target': 'sex', 'mlops-problem': 'classification' } });

    const output = await ingest(s3Event({ key }), deps());

    expect(output.rejected).toEqual([
      {
        key,
        reason:
          'this upload was already split with other options (problemType: regression then, classification now; label: 8 then, 0 now); upload under a new key to run it again',
      },
    ]);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('rejects, without a second run, when the existing execution has a different input', async () => {
    const input = JSON.parse(await firstInput()) as PipelineInput;
    const other = { ...input, overrides: { gate: { metric: 'mae', threshold: 1 } } };
    sfnMock.on(StartExecutionCommand).rejects(alreadyExists());
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn, stateMachineArn: STATE_MACHINE_ARN, status: 'RUNNING', startDate: new Date(0), input: JSON.stringify(other) });

    const output = await ingest(s3Event({ key }), deps());

    expect(output.runs).toEqual([]);
    expect(output.rejected).toEqual([
      {
        key,
        reason:
          `execution ${runId} already exists for this upload with a different input (differs at overrides.gate); ` +
          'the upload options (metadata) of an upload cannot change once it ran: upload under a new key to run again',
      },
    ]);
    expect(bucket.json(`runs/rejected/${runId}.json`)).toMatchObject({ key, etag: md5(body) });
  });

  it('counts the same content uploaded again as a new version as the same run', async () => {
    const input = JSON.parse(await firstInput()) as PipelineInput;
    bucket.put(key, { body, versionId: 'v9' });
    sfnMock.on(StartExecutionCommand).rejects(alreadyExists());
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn, stateMachineArn: STATE_MACHINE_ARN, status: 'SUCCEEDED', startDate: new Date(0), input: JSON.stringify(input) });

    const output = await ingest(s3Event({ key, versionId: 'v9' }), deps());
    expect(output.runs).toEqual([{ runId, key, executionArn, status: 'duplicate' }]);
  });

  it('throws a throttled StartExecution so the event is redelivered', async () => {
    sfnMock.on(StartExecutionCommand).rejects(new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    await expect(ingest(s3Event({ key }), deps())).rejects.toThrow('Rate exceeded');
    // The split is complete, so the redelivery goes straight to StartExecution.
    expect(bucket.text(`runs/${runId}/data/schema.json`)).toBeDefined();
  });
});

describe('helpers', () => {
  it('derives the execution ARN from the state machine ARN', () => {
    expect(executionArnFor('arn:aws-us-gov:states:us-gov-west-1:123456789012:stateMachine:p', 'run-1')).toBe(
      'arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:p:run-1',
    );
  });

  it('lists where two inputs differ', () => {
    expect(differingPaths({ a: 1, b: { c: [1, 2], d: 'x' } }, { a: 1, b: { c: [1, 3], e: 'x' } })).toEqual(['b.c.1', 'b.d', 'b.e']);
    expect(differingPaths({ a: 1 }, { a: 1 })).toEqual([]);
    expect(differingPaths([1], { 0: 1 })).toEqual(['(root)']);
  });
});
