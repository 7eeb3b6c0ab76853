/**
 * What the pipeline's own functions make, for tests that read it (never a hand-written copy): the
 * deployed mlops_ingest handler ingests a dataset into a fake bucket, giving the family's schema.json,
 * the run's data/schema.json, the channel lines and the pipeline input; the deployed mlops_train
 * handler gives the hyperparameters the pipeline trains a run with. The caller loads each handler
 * (loadHandler, with `module: () => require('@mlops/mlops_ingest')`), so this kit depends on no function.
 */
import type { CreateTrainingJobCommandInput } from '@aws-sdk/client-sagemaker';
import type { StartExecutionCommandInput } from '@aws-sdk/client-sfn';
import { FamilySchemaDocumentSchema, IngestOutputSchema, UPLOAD_METADATA_KEYS, type FamilySchemaDocument, type PipelineInput } from '@mlops/common';
import { FakeBucket } from './fake-bucket';
import type { LoadedHandler } from './handler';
import { LOCAL_PROVIDER_ENVIRONMENT } from './environment';

export type ChannelName = 'train' | 'validation' | 'test';

export interface IngestedDataset {
  family: string;
  /** `families/<family>/schema.json` (FamilySchemaDocument). */
  familySchema: FamilySchemaDocument;
  /** The run's `data/schema.json`, as ingest wrote it (mlops_ingest's SchemaDocument). */
  runSchema: Record<string, unknown>;
  /** The pipeline input ingest started the execution with. */
  run: PipelineInput;
  /** Each channel's lines (label first), as ingest wrote them. */
  channels: Record<ChannelName, string[]>;
}

export interface DatasetUpload {
  family: string;
  csv: string;
  /** Upload metadata by name (`target`, `problem`, `hyperparameters`, ...: UPLOAD_METADATA_KEYS). */
  metadata?: Partial<Record<keyof typeof UPLOAD_METADATA_KEYS, string>>;
}

/** Uploads `csv` to `incoming/<family>/<family>.csv` and runs the loaded mlops_ingest handler on its S3 event. */
export async function ingestDataset(loaded: LoadedHandler<'s3' | 'sfn'>, { family, csv, metadata = {} }: DatasetUpload): Promise<IngestedDataset> {
  const { handler, context, mocks, sdk } = loaded;
  const bucketName = LOCAL_PROVIDER_ENVIRONMENT.DATA_BUCKET;
  const bucket = new FakeBucket(mocks.s3, { sdk: sdk.s3, chunkSize: 64 * 1024, pageSize: 1000 });
  const started: StartExecutionCommandInput[] = [];
  mocks.sfn.on(sdk.sfn.StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => {
    started.push(input);
    return { executionArn: `arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:${input.name}`, startDate: new Date(0) };
  });
  const key = `incoming/${family}/${family}.csv`;
  const objectMetadata = Object.fromEntries(Object.entries(metadata).map(([name, value]) => [UPLOAD_METADATA_KEYS[name as keyof typeof UPLOAD_METADATA_KEYS], value!]));
  bucket.put(key, { body: csv, metadata: objectMetadata });
  const event = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucketName }, object: { key, size: Buffer.byteLength(csv) } } }] };
  const output = IngestOutputSchema.parse(await handler(event, context));
  if (output.runs.length !== 1 || !started[0]) throw new Error(`ingest started no run: ${JSON.stringify(output)}`);
  const run = JSON.parse(started[0].input!) as PipelineInput;
  const keyOf = (uri: string) => uri.replace(`s3://${bucketName}/`, '');
  const lines = (channel: ChannelName) => {
    const text = bucket.text(`${keyOf(run.dataset[channel])}${channel}.csv`);
    if (text === undefined) throw new Error(`ingest wrote no ${channel} channel`);
    return text.split('\n').filter((line) => line !== '');
  };
  return {
    family,
    familySchema: FamilySchemaDocumentSchema.parse(bucket.json(`families/${family}/schema.json`)),
    runSchema: bucket.json(keyOf(run.dataset.schema)),
    run,
    channels: { train: lines('train'), validation: lines('validation'), test: lines('test') },
  };
}

/** The hyperparameters the loaded mlops_train handler starts the run's training job with. */
export async function trainingHyperparameters(loaded: LoadedHandler<'sageMaker'>, run: PipelineInput): Promise<Record<string, string>> {
  const { handler, context, mocks, sdk } = loaded;
  let request: CreateTrainingJobCommandInput | undefined;
  mocks.sageMaker.on(sdk.sageMaker.CreateTrainingJobCommand).callsFake((input: CreateTrainingJobCommandInput) => {
    request = input;
    return { TrainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${input.TrainingJobName}` };
  });
  await handler({ run, executionArn: `arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:${run.runId}` }, context);
  if (!request?.HyperParameters) throw new Error('mlops_train started no training job');
  return request.HyperParameters;
}
