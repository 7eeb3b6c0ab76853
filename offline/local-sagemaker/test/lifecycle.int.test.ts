import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  type CreateTransformJobCommandInput,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  type DescribeEndpointCommandOutput,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobCommandOutput,
  DescribeTransformJobCommand,
  ListEndpointsCommand,
  ListTrainingJobsCommand,
  ListTransformJobsCommand,
  UpdateEndpointCommand,
  waitUntilEndpointDeleted,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import * as tar from 'tar';
import { BUCKET, type Harness, MEAN_IMAGE, ROLE, isAlive, startHarness, trainingRequest, waitFor } from './helpers';

// The projects' testTimeout is not applied per project by jest; these tests start processes.
jest.setTimeout(90_000);

let h: Harness;
let trained: DescribeTrainingJobCommandOutput;

beforeAll(async () => {
  h = await startHarness({ healthCheckTimeoutMs: 4000 });
  await h.put('data/train/part-1.csv', '1,0,0\n2,0,0\n3,0,0\n');
  await h.put('data/train/more/part-2.csv', '6,0,0\n');
  await h.put('data/validation/v.csv', '5,1,1\n');
});
afterAll(async () => {
  await h?.close();
});

const describeJob = (name: string) => h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
const describeEndpoint = (name: string) => h.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
const describeTransform = (name: string) => h.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: name }));

async function untar(buf: Buffer): Promise<Record<string, string>> {
  const dir = fs.mkdtempSync(path.join(h.tmp, 'untar-'));
  fs.writeFileSync(path.join(dir, 'a.tar.gz'), buf);
  const out = path.join(dir, 'x');
  fs.mkdirSync(out);
  await tar.extract({ file: path.join(dir, 'a.tar.gz'), cwd: out });
  const files: Record<string, string> = {};
  for (const f of fs.readdirSync(out, { recursive: true }) as string[]) {
    const p = path.join(out, f);
    if (fs.statSync(p).isFile()) files[f] = fs.readFileSync(p, 'utf8');
  }
  return files;
}

describe('training', () => {
  it('runs the image under the container contract and moves through SageMaker statuses', async () => {
    await h.sagemaker.send(
      new CreateTrainingJobCommand({
        ...trainingRequest('mean-train-1'),
        HyperParameters: { epochs: '3', 'learning-rate': '0.1', label: 'price' },
        AlgorithmSpecification: {
          TrainingImage: MEAN_IMAGE,
          TrainingInputMode: 'File',
          MetricDefinitions: [{ Name: 'train:mean', Regex: 'train-mean=([0-9.]+);' }],
          ContainerArguments: ['--verbose'],
        },
        InputDataConfig: [
          { ChannelName: 'train', ContentType: 'text/csv', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/data/train/` } } },
          { ChannelName: 'validation', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/data/validation` } } },
        ],
        Environment: { EXTRA: 'from-the-job' },
        Tags: [{ Key: 'project', Value: 'mlops' }],
      }),
    );
    const first = await describeJob('mean-train-1');
    expect(first.TrainingJobStatus).toBe('InProgress');
    expect(['Starting', 'Downloading', 'Training', 'Uploading']).toContain(first.SecondaryStatus);

    trained = await waitFor(() => describeJob('mean-train-1'), (d) => d.TrainingJobStatus !== 'InProgress', 'training to finish');
    expect(trained.TrainingJobStatus).toBe('Completed');
    expect(trained.SecondaryStatus).toBe('Completed');
    expect(trained.FailureReason).toBeUndefined();
    expect(trained.TrainingJobArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:training-job/mean-train-1');
    expect(trained.ModelArtifacts?.S3ModelArtifacts).toBe(`s3://${BUCKET}/models/mean-train-1/output/model.tar.gz`);
    const transitions = trained.SecondaryStatusTransitions!;
    expect(transitions.map((t) => [t.Status, t.StatusMessage])).toEqual([
      ['Starting', 'Preparing the instances for training'],
      ['Downloading', 'Downloading input data'],
      ['Training', 'Training image download completed. Training in progress.'],
      ['Uploading', 'Uploading generated training model'],
      ['Completed', 'Training job completed'],
    ]);
    for (const [i, t] of transitions.entries()) {
      expect(t.StartTime).toBeInstanceOf(Date);
      expect(t.EndTime!.getTime()).toBeGreaterThanOrEqual(t.StartTime!.getTime());
      if (i > 0) expect(t.StartTime!.getTime()).toBe(transitions[i - 1]!.EndTime!.getTime());
    }
    expect(trained.TrainingStartTime!.getTime()).toBeGreaterThanOrEqual(trained.CreationTime!.getTime());
    expect(trained.TrainingEndTime!.getTime()).toBeGreaterThanOrEqual(trained.TrainingStartTime!.getTime());
    expect(trained.TrainingTimeInSeconds).toBeGreaterThanOrEqual(1);
    expect(trained.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 600 });
    expect(trained.FinalMetricDataList).toEqual([{ MetricName: 'train:mean', Value: 3, Timestamp: expect.any(Date) }]);
    expect(trained.HyperParameters).toEqual({ epochs: '3', 'learning-rate': '0.1', label: 'price' });
  });

  it('packs model/ into <S3OutputPath>/<job>/output/model.tar.gz and output/data into output.tar.gz', async () => {
    const files = await untar(await h.get('models/mean-train-1/output/model.tar.gz'));
    expect(Object.keys(files)).toEqual(['model.json']);
    const model = JSON.parse(files['model.json']!) as {
      mean: number;
      count: number;
      hyperparameters: Record<string, string>;
      inputDataConfig: Record<string, Record<string, string>>;
      resourceConfig: { current_host: string; hosts: string[] };
      env: Record<string, string>;
      argv: string[];
    };
    expect(model.mean).toBe(3);
    expect(model.count).toBe(4); // both objects under the prefix, sub-folders included
    expect(model.hyperparameters).toEqual({ epochs: '3', 'learning-rate': '0.1', label: 'price' });
    expect(model.inputDataConfig).toEqual({
      train: { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None', ContentType: 'text/csv' },
      validation: { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
    });
    expect(model.resourceConfig).toMatchObject({ current_host: 'algo-1', hosts: ['algo-1'] });
    const root = model.env.SAGEMAKER_BASE_DIR!;
    expect(model.env).toMatchObject({
      SM_MODEL_DIR: path.join(root, 'model'),
      SM_CHANNEL_TRAIN: path.join(root, 'input', 'data', 'train'),
      SM_CHANNEL_VALIDATION: path.join(root, 'input', 'data', 'validation'),
      SM_CHANNELS: '["train","validation"]',
      SM_OUTPUT_DATA_DIR: path.join(root, 'output', 'data'),
      SM_CURRENT_HOST: 'algo-1',
      SM_HP_EPOCHS: '3',
      TRAINING_JOB_NAME: 'mean-train-1',
      MEAN_MODEL_IMAGE: 'yes',
      EXTRA: 'from-the-job',
      AWS_REGION: 'us-east-1',
    });
    expect(JSON.parse(model.env.SM_HPS!)).toEqual({ epochs: 3, 'learning-rate': 0.1, label: 'price' });
    expect(model.argv).toEqual(['--verbose']);
    const output = await untar(await h.get('models/mean-train-1/output/output.tar.gz'));
    expect(JSON.parse(output['summary.json']!)).toEqual({ rows: 4 });
  });

  it("keeps the process's stdout/stderr per job, readable in process and over HTTP", async () => {
    const logs = h.sm.state.logs('mean-train-1');
    expect(logs).toContain('train-mean=3;');
    expect(logs).toContain('a line on stderr');
    expect(logs).toContain('Uploading - Uploading generated training model');
    const res = await fetch(`${h.sm.endpoint}/_local/logs/mean-train-1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('read 4 rows');
    expect((await fetch(`${h.sm.endpoint}/_local/logs/no-such-job`)).status).toBe(404);
    const list = await h.sagemaker.send(new ListTrainingJobsCommand({ NameContains: 'mean-train' }));
    expect(list.TrainingJobSummaries!.map((s) => [s.TrainingJobName, s.TrainingJobStatus])).toEqual([['mean-train-1', 'Completed']]);
  });
});

describe('model and batch transform', () => {
  beforeAll(async () => {
    await h.sagemaker.send(
      new CreateModelCommand({
        ModelName: 'mean-model-1',
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: MEAN_IMAGE, ModelDataUrl: trained.ModelArtifacts!.S3ModelArtifacts, Environment: { MODEL_VERSION: 'one' } },
      }),
    );
  });

  const transformRequest = (name: string, prefix: string, extra: Partial<CreateTransformJobCommandInput> = {}): CreateTransformJobCommandInput => ({
    TransformJobName: name,
    ModelName: 'mean-model-1',
    TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/${prefix}` } }, ContentType: 'text/csv', SplitType: 'Line' },
    TransformOutput: { S3OutputPath: `s3://${BUCKET}/predictions/${name}`, AssembleWith: 'Line', Accept: 'text/csv' },
    TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
    ...extra,
  });

  const invocationsLogged = (job: string) => [...h.sm.state.logs(job).matchAll(/invocation \d+: (\d+) record\(s\)/g)].map((m) => Number(m[1]));

  it('MultiRecord + DataProcessing: input filter, join with the input, output filter, <object>.out per input object', async () => {
    await h.put('batch/csv/day-1.csv', 'id-1,1,2\nid-2,3,4\nid-3,5,6\n');
    await h.put('batch/csv/late/day-2.csv', 'id-4,10,0\n');
    await h.sagemaker.send(
      new CreateTransformJobCommand(
        transformRequest('tj-join', 'batch/csv/', {
          BatchStrategy: 'MultiRecord',
          MaxPayloadInMB: 1,
          DataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' },
        }),
      ),
    );
    expect((await describeTransform('tj-join')).TransformJobStatus).toBe('InProgress');
    const done = await waitFor(() => describeTransform('tj-join'), (d) => d.TransformJobStatus !== 'InProgress', 'transform');
    expect(done.FailureReason).toBeUndefined();
    expect(done.TransformJobStatus).toBe('Completed');
    expect(done.TransformStartTime).toBeInstanceOf(Date);
    expect(done.TransformEndTime!.getTime()).toBeGreaterThanOrEqual(done.TransformStartTime!.getTime());
    expect(done).toMatchObject({ BatchStrategy: 'MultiRecord', MaxPayloadInMB: 1, MaxConcurrentTransforms: 1, DataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' } });
    // prediction = mean (3) + sum of the features the input filter kept (the id column is dropped)
    expect((await h.get('predictions/tj-join/day-1.csv.out')).toString()).toBe('id-1,6\nid-2,10\nid-3,14\n');
    expect((await h.get('predictions/tj-join/late/day-2.csv.out')).toString()).toBe('id-4,13\n');
    expect(invocationsLogged('tj-join')).toEqual([3, 1]); // one mini-batch per object
    const list = await h.sagemaker.send(new ListTransformJobsCommand({ NameContains: 'tj-join' }));
    expect(list.TransformJobSummaries!.map((s) => s.TransformJobStatus)).toEqual(['Completed']);
  });

  it('SingleRecord with MaxConcurrentTransforms, gzip input and ordered output', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `${i},0`).join('\n') + '\n';
    await h.put('batch/gz/rows.csv.gz', gzipSync(rows));
    await h.sagemaker.send(
      new CreateTransformJobCommand(
        transformRequest('tj-single', 'batch/gz/', {
          BatchStrategy: 'SingleRecord',
          MaxConcurrentTransforms: 3,
          TransformInput: {
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/batch/gz/` } },
            ContentType: 'text/csv',
            SplitType: 'Line',
            CompressionType: 'Gzip',
          },
        }),
      ),
    );
    const done = await waitFor(() => describeTransform('tj-single'), (d) => d.TransformJobStatus !== 'InProgress', 'transform');
    expect(done.FailureReason).toBeUndefined();
    expect(done.TransformJobStatus).toBe('Completed');
    const out = (await h.get('predictions/tj-single/rows.csv.gz.out')).toString();
    expect(out).toBe(Array.from({ length: 12 }, (_, i) => `${3 + i}`).join('\n') + '\n');
    expect(invocationsLogged('tj-single')).toEqual(Array(12).fill(1));
  });

  it('JSON lines: join adds SageMakerOutput to the input object, output filter keeps id and output', async () => {
    await h.put('batch/json/in.jsonl', '{"id":"a","features":[1,1],"note":"x"}\n{"id":"b","features":[2,2],"note":"y"}\n');
    await h.sagemaker.send(
      new CreateTransformJobCommand(
        transformRequest('tj-json', 'batch/json/in.jsonl', {
          TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/batch/json/in.jsonl` } }, ContentType: 'application/jsonlines', SplitType: 'Line' },
          TransformOutput: { S3OutputPath: `s3://${BUCKET}/predictions/tj-json`, AssembleWith: 'Line', Accept: 'application/jsonlines' },
          DataProcessing: { InputFilter: "$['id','features']", JoinSource: 'Input', OutputFilter: "$['id','SageMakerOutput']" },
        }),
      ),
    );
    const done = await waitFor(() => describeTransform('tj-json'), (d) => d.TransformJobStatus !== 'InProgress', 'transform');
    expect(done.FailureReason).toBeUndefined();
    const lines = (await h.get('predictions/tj-json/in.jsonl.out')).toString().trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual([
      { id: 'a', SageMakerOutput: { score: 5 } },
      { id: 'b', SageMakerOutput: { score: 7 } },
    ]);
  });

  it('a ManifestFile names the input objects explicitly', async () => {
    await h.put('batch/manifest/keep/x.csv', '1,0\n');
    await h.put('batch/manifest/keep/y.csv', '2,0\n');
    await h.put('batch/manifest/skip/z.csv', '100,0\n');
    await h.put('batch/manifest.json', JSON.stringify([{ prefix: `s3://${BUCKET}/batch/manifest/` }, 'keep/x.csv', 'keep/y.csv']));
    await h.sagemaker.send(
      new CreateTransformJobCommand(
        transformRequest('tj-manifest', 'batch/manifest.json', {
          TransformInput: { DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: `s3://${BUCKET}/batch/manifest.json` } }, ContentType: 'text/csv', SplitType: 'Line' },
        }),
      ),
    );
    const done = await waitFor(() => describeTransform('tj-manifest'), (d) => d.TransformJobStatus !== 'InProgress', 'transform');
    expect(done.FailureReason).toBeUndefined();
    expect((await h.get('predictions/tj-manifest/keep/x.csv.out')).toString()).toBe('4\n');
    expect((await h.get('predictions/tj-manifest/keep/y.csv.out')).toString()).toBe('5\n');
    expect(await h.get('predictions/tj-manifest/skip/z.csv.out').then(() => 'written', () => 'absent')).toBe('absent');
  });

  it('SplitType None sends each object whole; AssembleWith None keeps the response bytes', async () => {
    await h.put('batch/whole/a.csv', '1,1\n2,2\n');
    await h.sagemaker.send(
      new CreateTransformJobCommand(
        transformRequest('tj-whole', 'batch/whole/', {
          TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/batch/whole/` } }, ContentType: 'text/csv' },
          TransformOutput: { S3OutputPath: `s3://${BUCKET}/predictions/tj-whole` },
        }),
      ),
    );
    const done = await waitFor(() => describeTransform('tj-whole'), (d) => d.TransformJobStatus !== 'InProgress', 'transform');
    expect(done.TransformJobStatus).toBe('Completed');
    expect(done.TransformInput).toMatchObject({ SplitType: 'None', CompressionType: 'None' });
    expect((await h.get('predictions/tj-whole/a.csv.out')).toString()).toBe('5\n7\n');
    expect(invocationsLogged('tj-whole')).toEqual([2]);
    expect(h.sm.state.processes().filter((p) => p.kind === 'transform')).toEqual([]);
  });
});

describe('endpoints', () => {
  let firstPid: number;

  beforeAll(async () => {
    await h.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'cfg-1', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'mean-model-1', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
  });

  it('CreateEndpoint: Creating, then InService once /ping answers', async () => {
    const { EndpointArn } = await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'mean-ep', EndpointConfigName: 'cfg-1' }));
    expect(EndpointArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:endpoint/mean-ep');
    expect((await describeEndpoint('mean-ep')).EndpointStatus).toBe('Creating');
    const waited = await waitUntilEndpointInService({ client: h.sagemaker, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: 'mean-ep' });
    expect(waited.state).toBe('SUCCESS');
    const ep = await describeEndpoint('mean-ep');
    expect(ep.FailureReason).toBeUndefined();
    expect(ep.EndpointStatus).toBe('InService');
    expect(ep.EndpointConfigName).toBe('cfg-1');
    expect(ep.ProductionVariants).toEqual([
      {
        VariantName: 'AllTraffic',
        DeployedImages: [{ SpecifiedImage: MEAN_IMAGE, ResolvedImage: expect.stringMatching(/^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/mean-model@sha256:[0-9a-f]{64}$/), ResolutionTime: expect.any(Date) }],
        CurrentWeight: 1,
        DesiredWeight: 1,
        CurrentInstanceCount: 1,
        DesiredInstanceCount: 1,
      },
    ]);
    const listed = await h.sagemaker.send(new ListEndpointsCommand({ StatusEquals: 'InService' }));
    expect(listed.Endpoints!.map((e) => e.EndpointName)).toContain('mean-ep');
    const procs = h.sm.state.processes().filter((p) => p.owner === 'mean-ep');
    expect(procs).toHaveLength(1);
    firstPid = procs[0]!.pid;
  });

  it('the serving container gets SAGEMAKER_BIND_TO_PORT & co. and the model Environment', async () => {
    const inst = h.sm.state.snapshot().endpoints.find((e) => e.name === 'mean-ep')!.instances[0]!;
    const debug = (await (await fetch(`http://127.0.0.1:${inst.port}/debug`)).json()) as { env: Record<string, string> };
    expect(debug.env).toMatchObject({
      SAGEMAKER_BIND_TO_PORT: String(inst.port),
      SAGEMAKER_BIND_HOST: '127.0.0.1',
      SM_MODEL_DIR: path.join(debug.env.SAGEMAKER_BASE_DIR!, 'model'),
      MODEL_VERSION: 'one',
      MEAN_MODEL_IMAGE: 'yes',
    });
  });

  it('InvokeEndpoint forwards ContentType/Accept/body and returns the model response', async () => {
    const res = await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'mean-ep', Body: Buffer.from('1,2\n'), ContentType: 'text/csv', Accept: 'text/csv', CustomAttributes: 'trace=1' }));
    expect(Buffer.from(res.Body).toString()).toBe('6\n');
    expect(res.ContentType).toBe('text/csv');
    expect(res.InvokedProductionVariant).toBe('AllTraffic');
    expect(res.CustomAttributes).toBe('echo:trace=1');
    const json = await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'mean-ep', Body: Buffer.from('{"features":[1,1]}'), ContentType: 'application/json' }));
    expect(JSON.parse(Buffer.from(json.Body).toString())).toEqual({ score: 5 });
  });

  it('model errors come back as ModelError with the original status and message', async () => {
    let err: Record<string, unknown> & { $metadata: { httpStatusCode?: number } } = {} as never;
    try {
      await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'mean-ep', Body: Buffer.from('bad,1\n'), ContentType: 'text/csv' }));
    } catch (e) {
      err = e as never;
    }
    expect(err.name).toBe('ModelError');
    expect(err.$metadata.httpStatusCode).toBe(424);
    expect(err.OriginalStatusCode).toBe(400);
    expect(err.OriginalMessage).toBe('bad record: bad,1');
    expect(err.LogStreamArn).toBe('arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/mean-ep');
    expect(err.message).toBe(
      'Received client error (400) from primary with message "bad record: bad,1". See https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEventViewer:group=/aws/sagemaker/Endpoints/mean-ep in account 123456789012 for more information.',
    );
    const raw = await fetch(`${h.sm.endpoint}/endpoints/mean-ep/invocations`, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: 'boom\n' });
    expect(raw.status).toBe(424);
    expect(raw.headers.get('x-amzn-errortype')).toBe('ModelError');
    expect(await raw.json()).toMatchObject({ ErrorCode: 'SERVER_ERROR_FROM_MODEL', OriginalStatusCode: 500, OriginalMessage: 'model exploded' });
  });

  it('a failed UpdateEndpoint keeps the old configuration serving and reports why', async () => {
    await h.sagemaker.send(new CreateModelCommand({ ModelName: 'never-healthy', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'local/unhealthy:1' } }));
    await h.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'cfg-bad', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'never-healthy', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
    await h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'mean-ep', EndpointConfigName: 'cfg-bad' }));
    const updating = await describeEndpoint('mean-ep');
    expect(updating.EndpointStatus).toBe('Updating');
    expect(updating.EndpointConfigName).toBe('cfg-1');
    expect(updating.PendingDeploymentSummary?.EndpointConfigName).toBe('cfg-bad');
    const busy = await h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'mean-ep', EndpointConfigName: 'cfg-1' })).catch((e: Error) => e);
    expect((busy as Error).name).toBe('ValidationException');
    expect((busy as Error).message).toBe('Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/mean-ep".');
    // The old configuration keeps serving during the update.
    const during = await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'mean-ep', Body: Buffer.from('0\n'), ContentType: 'text/csv' }));
    expect(Buffer.from(during.Body).toString()).toBe('3\n');

    const after: DescribeEndpointCommandOutput = await waitFor(() => describeEndpoint('mean-ep'), (d) => d.EndpointStatus !== 'Updating', 'update to fail');
    expect(after.EndpointStatus).toBe('InService');
    expect(after.EndpointConfigName).toBe('cfg-1');
    expect(after.FailureReason).toBe('The primary container for production variant AllTraffic did not pass the ping health check. Please check CloudWatch logs for this endpoint.');
    expect(after.PendingDeploymentSummary).toBeUndefined();
    expect(isAlive(firstPid)).toBe(true);
    expect(h.sm.state.processes().filter((p) => p.owner === 'mean-ep').map((p) => p.pid)).toEqual([firstPid]);
    const still = await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'mean-ep', Body: Buffer.from('1\n'), ContentType: 'text/csv' }));
    expect(Buffer.from(still.Body).toString()).toBe('4\n');
    expect(h.sm.state.logs('mean-ep')).toContain('unhealthy server on');
  });

  it('a successful UpdateEndpoint switches to the new configuration and stops the old processes', async () => {
    await h.sagemaker.send(
      new CreateModelCommand({ ModelName: 'mean-model-2', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: MEAN_IMAGE, ModelDataUrl: trained.ModelArtifacts!.S3ModelArtifacts, Environment: { MODEL_VERSION: 'two' } } }),
    );
    await h.sagemaker.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'cfg-2', ProductionVariants: [{ VariantName: 'Blue', ModelName: 'mean-model-2', InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }] }));
    await h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'mean-ep', EndpointConfigName: 'cfg-2' }));
    const after = await waitFor(() => describeEndpoint('mean-ep'), (d) => d.EndpointStatus !== 'Updating', 'update');
    expect(after.EndpointStatus).toBe('InService');
    expect(after.EndpointConfigName).toBe('cfg-2');
    expect(after.FailureReason).toBeUndefined();
    expect(after.ProductionVariants!.map((v) => [v.VariantName, v.CurrentInstanceCount, v.DesiredInstanceCount])).toEqual([['Blue', 2, 2]]);
    await waitFor(async () => isAlive(firstPid), (alive) => !alive, 'the old serving process to exit');
    for (let i = 0; i < 4; i++) {
      const res = await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'mean-ep', Body: Buffer.from('1\n'), ContentType: 'text/csv' }));
      expect(res.InvokedProductionVariant).toBe('Blue');
    }
    // One process per instance, requests spread over both.
    const instances = h.sm.state.snapshot().endpoints.find((e) => e.name === 'mean-ep')!.instances;
    expect(instances).toHaveLength(2);
    for (const inst of instances) {
      const debug = (await (await fetch(`http://127.0.0.1:${inst.port}/debug`)).json()) as { invocations: number; env: Record<string, string> };
      expect(debug.invocations).toBe(2);
      expect(debug.env.MODEL_VERSION).toBe('two');
    }
  });

  it('models and configurations can be deleted while in use; DeleteEndpoint stops the processes', async () => {
    await h.sagemaker.send(new DeleteModelCommand({ ModelName: 'mean-model-2' }));
    await h.sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'cfg-2' }));
    const res = await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'mean-ep', Body: Buffer.from('0\n'), ContentType: 'text/csv' }));
    expect(Buffer.from(res.Body).toString()).toBe('3\n');
    const pids = h.sm.state.processes().filter((p) => p.owner === 'mean-ep').map((p) => p.pid);
    expect(pids).toHaveLength(2);
    await h.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'mean-ep' }));
    // The SDK's own waiter (acceptors from the official waiter model) sees the deletion.
    const waited = await waitUntilEndpointDeleted({ client: h.sagemaker, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: 'mean-ep' });
    expect(waited.state).toBe('SUCCESS');
    const gone = await describeEndpoint('mean-ep').then(() => 'exists', (e: Error) => e.message);
    expect(gone).toBe('Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/mean-ep".');
    expect(pids.some(isAlive)).toBe(false);
    const rt = await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'mean-ep', Body: Buffer.from('0\n') })).catch((e: Error) => e);
    expect((rt as Error).name).toBe('ValidationError');
  });
});

describe('shutdown', () => {
  it('close() stops every process it started (no orphans)', async () => {
    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'left-running', EndpointConfigName: 'cfg-1' }));
    await h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('left-sleeping', { AlgorithmSpecification: { TrainingImage: 'local/sleeper:1', TrainingInputMode: 'File' } })));
    await waitFor(() => describeEndpoint('left-running'), (d) => d.EndpointStatus === 'InService', 'endpoint');
    await waitFor(async () => h.sm.state.processes().filter((p) => p.owner === 'left-sleeping').length, (n) => n === 1, 'training process');
    const pids = h.sm.state.processes().map((p) => p.pid);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    expect(pids.every(isAlive)).toBe(true);
    await h.sm.close();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(h.sm.state.processes()).toEqual([]);
    expect(h.sm.state.snapshot().trainingJobs.find((j) => j.name === 'left-sleeping')?.status).toBe('Stopped');
  });
});
