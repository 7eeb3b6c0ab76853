/**
 * The preprocess state machine's steps, run by mlops_ingest: the processing jobs it creates (the
 * container contract: a manifest sharded by S3 key, the request and schema replicated), the merge of
 * the instances' profiles into the schema one pass gives, the count check before the run starts, and
 * the failure step that stops what still runs and records why.
 */
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { CreateProcessingJobCommand, DescribeProcessingJobCommand, SageMakerClient, StopProcessingJobCommand } from '@aws-sdk/client-sagemaker';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { DatasetError, FamilySchemaDocumentSchema, IngestEventSchema, PipelineInputSchema, validateInput, type PreprocessInput, type PreprocessStep } from '@mlops/common';
import { logger } from '@mlops/common/lambda';
import type { FakeBucket } from '@mlops/testing';
import { profileParts, type DatasetPart } from '../src/dataset';
import { handleIngestEvent, ingest } from '../src/ingest';
import { PreprocessRequestSchema, type PreprocessRequest } from '../src/preprocess-request';
import { SchemaDocumentSchema } from '../src/schema';
import { fixture, ingestConfig, resetIngestMocks, s3Event } from './helpers';

const s3Mock = mockClient(S3Client);
const sfnMock = mockClient(SFNClient);
const sageMakerMock = mockClient(SageMakerClient);
let bucket: FakeBucket;
const PREPROCESS_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:mlops-test-preprocess';
const config = () =>
  ingestConfig({
    PREPROCESS_STATE_MACHINE_ARN: PREPROCESS_ARN,
    PREPROCESS_THRESHOLD_BYTES: '1',
    PREPROCESS_INSTANCE_COUNT: '2',
    PREPROCESS_IMAGE: '123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops-preprocess:1.0.0',
    SAGEMAKER_ROLE_ARN: 'arn:aws:iam::123456789012:role/mlops-test-sagemaker',
  });
const deps = () => ({ s3: new S3Client({ region: 'us-east-1' }), sfn: new SFNClient({ region: 'us-east-1' }), sageMaker: new SageMakerClient({ region: 'us-east-1' }), config: config() });
const lines = fixture('abalone-1000.csv').trim().split('\n').slice(0, 300);
const parts = [0, 1, 2].map((i) => lines.slice(i * 100, (i + 1) * 100).join('\n') + '\n');
const FOLDER = 'incoming/abalone/batch/';
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:mlops-test-preprocess:x';

beforeAll(() => logger.setLogLevel('SILENT'));
beforeEach(() => {
  bucket = resetIngestMocks(s3Mock, sfnMock);
  sageMakerMock.reset();
  sageMakerMock.on(CreateProcessingJobCommand).callsFake((input: { ProcessingJobName: string }) => ({ ProcessingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:processing-job/${input.ProcessingJobName}` }));
});

/** The marker's upload, as ingest hands it to the preprocess state machine. */
async function started(): Promise<{ run: PreprocessInput; request: PreprocessRequest }> {
  parts.forEach((body, i) => bucket.put(`${FOLDER}part-${i}.csv`, { body }));
  bucket.put(`${FOLDER}_SUCCESS`, { body: '' });
  await ingest(s3Event({ key: `${FOLDER}_SUCCESS`, size: 0 }), deps());
  const run = JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!) as PreprocessInput;
  sfnMock.resetHistory();
  return { run, request: PreprocessRequestSchema.parse(bucket.json(`runs/${run.runId}/preprocess/request/request.json`)) };
}

const step = (preprocess: PreprocessStep['preprocess'], run: PreprocessInput, extra: Partial<PreprocessStep> = {}): PreprocessStep =>
  validateInput(IngestEventSchema, { preprocess, run, executionArn: EXECUTION, ...extra }, 'mlops_ingest input') as PreprocessStep;

/** What the profile job's instances write: each its shard (objects i mod 2), profiled by the same code. */
async function writeProfiles(run: PreprocessInput, request: PreprocessRequest, bodies = parts) {
  for (const host of [0, 1]) {
    const shard: DatasetPart[] = bodies.flatMap((body, i) => (i % 2 === host ? [{ name: `part-${i}.csv`, open: async () => Readable.from([Buffer.from(body)]) }] : []));
    const { profiler } = await profileParts(shard, request.profile, { nameParts: true });
    bucket.put(`runs/${run.runId}/preprocess/profiles/profile-algo-${host + 1}.json`, { body: JSON.stringify(profiler.state()) });
  }
}

describe('profile', () => {
  it('creates the profile job: the parts sharded by S3 key from the manifest, the request replicated, the profiles as output', async () => {
    const { run } = await started();
    const output = await handleIngestEvent(step('profile', run), deps());
    const name = `mlops-test-${run.runId}-profile`;
    expect(output).toEqual({ jobName: name, jobArn: `arn:aws:sagemaker:us-east-1:123456789012:processing-job/${name}`, adopted: false });
    const request = sageMakerMock.commandCalls(CreateProcessingJobCommand)[0]!.args[0].input;
    const prefix = `s3://mlops-local-data/runs/${run.runId}/preprocess/`;
    expect(request).toMatchObject({
      ProcessingJobName: name,
      RoleArn: 'arn:aws:iam::123456789012:role/mlops-test-sagemaker',
      AppSpecification: { ImageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/mlops-preprocess:1.0.0', ContainerArguments: ['profile'] },
      ProcessingResources: { ClusterConfig: { InstanceCount: 2, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 } },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      ProcessingInputs: [
        { InputName: 'parts', S3Input: { S3Uri: `${prefix}parts.manifest`, S3DataType: 'ManifestFile', S3DataDistributionType: 'ShardedByS3Key', LocalPath: '/opt/ml/processing/input/parts' } },
        { InputName: 'request', S3Input: { S3Uri: `${prefix}request/`, S3DataDistributionType: 'FullyReplicated', LocalPath: '/opt/ml/processing/input/request' } },
      ],
      ProcessingOutputConfig: { Outputs: [{ OutputName: 'profiles', S3Output: { S3Uri: `${prefix}profiles/`, LocalPath: '/opt/ml/processing/output/profiles', S3UploadMode: 'EndOfJob' } }] },
    });
    expect(request.Tags).toContainEqual({ Key: 'mlops:run', Value: run.runId });
  });

  it('never asks for more instances than there are parts (ShardedByS3Key deals whole objects)', async () => {
    const { run } = await started();
    await handleIngestEvent(step('profile', { ...run, parts: 1 }), deps());
    expect(sageMakerMock.commandCalls(CreateProcessingJobCommand)[0]!.args[0].input.ProcessingResources!.ClusterConfig!.InstanceCount).toBe(1);
  });

  it('adopts the job an earlier attempt created', async () => {
    const { run } = await started();
    sageMakerMock.on(CreateProcessingJobCommand).rejects(Object.assign(new Error('Job name must be unique within an AWS account and region'), { name: 'ResourceInUse' }));
    sageMakerMock.on(DescribeProcessingJobCommand).resolves({ ProcessingJobArn: 'arn:x', AppSpecification: { ImageUri: config().PREPROCESS_IMAGE } });
    expect(await handleIngestEvent(step('profile', run), deps())).toMatchObject({ adopted: true, jobArn: 'arn:x' });
  });
});

describe('split', () => {
  it("merges the instances' profiles into the schema one pass over all parts gives, then creates the split job", async () => {
    const { run, request } = await started();
    await writeProfiles(run, request);
    await handleIngestEvent(step('split', run), deps());
    const merged = SchemaDocumentSchema.parse(bucket.json(`runs/${run.runId}/preprocess/schema/schema.json`));
    const all = parts.map((body, i) => ({ name: `part-${i}.csv`, open: async () => Readable.from([Buffer.from(body)]) }));
    const single = (await profileParts(all, request.profile)).profiler.schema();
    expect({ ...merged, source: { ...merged.source, parts: undefined } }).toEqual({ ...single, columns: expect.any(Array) });
    expect(merged.rows).toEqual(single.rows);
    expect(merged.split).toEqual(single.split);
    merged.columns.forEach((c, i) => expect(c.mean ?? 0).toBeCloseTo(single.columns[i]!.mean ?? 0, 9));
    const job = sageMakerMock.commandCalls(CreateProcessingJobCommand)[0]!.args[0].input;
    expect(job.ProcessingJobName).toBe(`mlops-test-${run.runId}-split`);
    expect(job.ProcessingInputs!.map((i) => i.InputName)).toEqual(['parts', 'request', 'schema']);
    expect(job.ProcessingOutputConfig!.Outputs!.map((o) => [o.OutputName, o.S3Output!.S3Uri])).toEqual([
      ['train', `s3://mlops-local-data/runs/${run.runId}/data/train/`],
      ['validation', `s3://mlops-local-data/runs/${run.runId}/data/validation/`],
      ['test', `s3://mlops-local-data/runs/${run.runId}/data/test/`],
      ['counts', `s3://mlops-local-data/runs/${run.runId}/preprocess/counts/`],
    ]);
    // The family's schema waits for the channels.
    expect(bucket.text('families/abalone/schema.json')).toBeUndefined();
  });

  it("rejects a dataset whose instances saw other columns, naming the parts, and creates no split job", async () => {
    const { run, request } = await started();
    await writeProfiles(run, request, [parts[0]!, parts[1]!.replace(/\n/g, ',0\n'), parts[2]!]);
    await expect(handleIngestEvent(step('split', run), deps())).rejects.toThrow(new DatasetError('part part-1.csv has 10 columns, expected 9 like part part-0.csv: every part of a dataset has the same columns'));
    expect(sageMakerMock.commandCalls(CreateProcessingJobCommand)).toEqual([]);
  });

  it("rejects a dataset that does not fit its family's schema before the split job", async () => {
    const { run, request } = await started();
    bucket.put('families/abalone/schema.json', {
      body: JSON.stringify({ version: 1, family: 'abalone', establishedBy: { runId: 'r', key: 'k' }, columns: [{ name: 'x', role: 'label', type: 'numeric' }, { name: 'y', role: 'feature', type: 'numeric' }], label: { name: 'x', problemType: 'regression' }, featureCount: 1 }),
    });
    await writeProfiles(run, request);
    await expect(handleIngestEvent(step('split', run), deps())).rejects.toThrow(DatasetError);
    expect(sageMakerMock.commandCalls(CreateProcessingJobCommand)).toEqual([]);
  });
});

describe('finish', () => {
  async function split() {
    const { run, request } = await started();
    await writeProfiles(run, request);
    await handleIngestEvent(step('split', run), deps());
    return { run, schema: SchemaDocumentSchema.parse(bucket.json(`runs/${run.runId}/preprocess/schema/schema.json`)) };
  }

  it("starts the run's pipeline execution once the instances' counts add up, schema.json and the family's schema written", async () => {
    const { run, schema } = await split();
    const half = { train: Math.floor(schema.rows.train / 2), validation: Math.floor(schema.rows.validation / 2), test: Math.floor(schema.rows.test / 2) };
    bucket.put(`runs/${run.runId}/preprocess/counts/algo-1.json`, { body: JSON.stringify({ host: 'algo-1', rows: half }) });
    const rest = { train: schema.rows.train - half.train, validation: schema.rows.validation - half.validation, test: schema.rows.test - half.test };
    bucket.put(`runs/${run.runId}/preprocess/counts/algo-2.json`, { body: JSON.stringify({ host: 'algo-2', rows: rest }) });
    const output = await handleIngestEvent(step('finish', run), deps());
    expect(output).toMatchObject({ status: 'started', rows: schema.rows });
    const [execution] = sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(execution!.stateMachineArn).toBe(config().STATE_MACHINE_ARN);
    expect(execution!.name).toBe(run.runId);
    const input = PipelineInputSchema.parse(JSON.parse(execution!.input!));
    expect(input.dataset).toMatchObject({ train: `s3://mlops-local-data/runs/${run.runId}/data/train/`, rows: schema.rows, featureCount: schema.featureCount });
    expect(input.source.key).toBe(`${FOLDER}_SUCCESS`);
    expect(SchemaDocumentSchema.parse(bucket.json(`runs/${run.runId}/data/schema.json`)).rows).toEqual(schema.rows);
    expect(FamilySchemaDocumentSchema.parse(bucket.json('families/abalone/schema.json')).establishedBy.runId).toBe(run.runId);
  });

  it('refuses counts that do not add up to the profiles (a part changed in between), starting nothing', async () => {
    const { run, schema } = await split();
    bucket.put(`runs/${run.runId}/preprocess/counts/algo-1.json`, { body: JSON.stringify({ host: 'algo-1', rows: { ...schema.rows, train: schema.rows.train - 1 } }) });
    await expect(handleIngestEvent(step('finish', run), deps())).rejects.toThrow(/the split job wrote .* rows but the profiles counted/);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toEqual([]);
    expect(bucket.text(`runs/${run.runId}/data/schema.json`)).toBeUndefined();
  });
});

describe('fail', () => {
  it('stops the processing job that still runs and records the failure where rejections are', async () => {
    const { run } = await started();
    sageMakerMock.on(DescribeProcessingJobCommand, { ProcessingJobName: `mlops-test-${run.runId}-profile` }).resolves({ ProcessingJobStatus: 'Completed' });
    sageMakerMock.on(DescribeProcessingJobCommand, { ProcessingJobName: `mlops-test-${run.runId}-split` }).resolves({ ProcessingJobStatus: 'InProgress' });
    const output = await handleIngestEvent(step('fail', run, { error: { Error: 'PollBudgetExceeded', Cause: 'the split job reached its 400-poll budget' } }), deps());
    expect(output).toEqual({
      recorded: `s3://mlops-local-data/runs/rejected/${run.runId}.json`,
      stoppedJobs: [`mlops-test-${run.runId}-split`],
      error: { Error: 'PollBudgetExceeded', Cause: 'the split job reached its 400-poll budget' },
    });
    expect(sageMakerMock.commandCalls(StopProcessingJobCommand).map((c) => c.args[0].input.ProcessingJobName)).toEqual([`mlops-test-${run.runId}-split`]);
    expect(bucket.json(`runs/rejected/${run.runId}.json`)).toMatchObject({ key: `${FOLDER}_SUCCESS`, reason: 'PollBudgetExceeded: the split job reached its 400-poll budget' });
  });

  it("copes with jobs that were never created, and gives a Lambda error's message without Lambda's JSON", async () => {
    const { run } = await started();
    sageMakerMock.on(DescribeProcessingJobCommand).rejects(Object.assign(new Error('Could not find requested job with name'), { name: 'ValidationException' }));
    const lambdaCause = JSON.stringify({ errorType: 'DatasetError', errorMessage: 'part x has other columns', trace: ['DatasetError: part x', '    at merge'] });
    const output = await handleIngestEvent(step('fail', run, { error: { Error: 'DatasetError', Cause: lambdaCause } }), deps());
    expect(output).toMatchObject({ stoppedJobs: [], error: { Error: 'DatasetError', Cause: 'part x has other columns' } });
    expect(bucket.json(`runs/rejected/${run.runId}.json`)).toMatchObject({ reason: 'DatasetError: part x has other columns' });
    expect(sageMakerMock.commandCalls(StopProcessingJobCommand)).toEqual([]);
  });
});

describe('the step input', () => {
  it('is validated by name', () => {
    expect(() => validateInput(IngestEventSchema, { preprocess: 'merge', run: {} }, 'mlops_ingest input')).toThrow(/preprocess/);
  });
});
