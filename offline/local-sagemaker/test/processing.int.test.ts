/**
 * Processing jobs end to end with the SDK v3 client, and batch transform on several instances: one
 * container per instance, run in parallel, each with its shard of the input (ShardedByS3Key, and the
 * objects of a transform's prefix), outputs from every instance under the same S3 location.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  CreateModelCommand,
  CreateProcessingJobCommand,
  type CreateProcessingJobCommandInput,
  CreateTransformJobCommand,
  DescribeProcessingJobCommand,
  DescribeTransformJobCommand,
  ListProcessingJobsCommand,
  type ListProcessingJobsCommandInput,
  ListTagsCommand,
  ResourceInUse,
  SageMakerClient,
  StopProcessingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { type LocalSageMaker, type PersistedSageMaker, startLocalSageMaker } from '../src';
import { BUCKET, type Harness, REGISTRY, ROLE, credentials, isAlive, startHarness, waitFor } from './helpers';

// The projects' testTimeout is not applied per project by jest; these tests start processes.
jest.setTimeout(90_000);

const PROCESSOR = '123456789012.dkr.ecr.us-east-1.amazonaws.com/local/processor:1';
const ALGORITHM_ERROR = 'AlgorithmError: See job logs for more information';

let h: Harness;
let syncDir: string;

beforeAll(async () => {
  h = await startHarness({ stopGracePeriodMs: 1500 });
  syncDir = fs.mkdtempSync(path.join(h.tmp, 'sync-'));
  // Sorted by key: part-0 .. part-4. With two instances algo-1 gets 0, 2, 4 and algo-2 gets 1, 3.
  for (const i of [3, 0, 4, 1, 2]) await h.put(`pin/shards/part-${i}.csv`, `${i}\n`);
  await h.put('pin/common/a.csv', 'a\n');
  await h.put('pin/common/sub/b.csv', 'b\n');
});
afterAll(async () => {
  await h?.close();
});

const describeJob = (name: string, client: SageMakerClient = h.sagemaker) => client.send(new DescribeProcessingJobCommand({ ProcessingJobName: name }));
const ended = (name: string) =>
  waitFor(() => describeJob(name), (d) => d.ProcessingJobStatus !== 'InProgress' && d.ProcessingJobStatus !== 'Stopping', `${name} to end`);
const processesOf = (owner: string) => h.sm.state.processes().filter((p) => p.owner === owner);
const json = async (key: string) => JSON.parse((await h.get(key)).toString('utf8')) as Record<string, unknown>;
const missing = (key: string) => h.get(key).then(
  () => false,
  (e: Error) => e.name === 'NoSuchKey',
);

async function errorOf(p: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as never;
  }
  throw new Error('expected the call to fail');
}

function request(name: string, extra: Partial<CreateProcessingJobCommandInput> = {}): CreateProcessingJobCommandInput {
  return {
    ProcessingJobName: name,
    RoleArn: ROLE,
    AppSpecification: { ImageUri: PROCESSOR, ContainerArguments: ['--mode', 'test'] },
    ProcessingResources: { ClusterConfig: { InstanceCount: 2, InstanceType: 'ml.m5.large', VolumeSizeInGB: 1 } },
    ProcessingInputs: [
      {
        InputName: 'shards',
        S3Input: { S3Uri: `s3://${BUCKET}/pin/shards/`, LocalPath: '/opt/ml/processing/input/shards', S3DataType: 'S3Prefix', S3InputMode: 'File', S3DataDistributionType: 'ShardedByS3Key' },
      },
      { InputName: 'common', S3Input: { S3Uri: `s3://${BUCKET}/pin/common/`, LocalPath: '/opt/ml/processing/input/common', S3DataType: 'S3Prefix' } },
    ],
    ProcessingOutputConfig: { Outputs: [{ OutputName: 'report', S3Output: { S3Uri: `s3://${BUCKET}/pout/${name}`, LocalPath: '/opt/ml/processing/output', S3UploadMode: 'EndOfJob' } }] },
    StoppingCondition: { MaxRuntimeInSeconds: 600 },
    Environment: { GREETING: 'from-the-request' },
    ...extra,
  };
}

describe('a processing job on two instances', () => {
  const name = 'shards-2';

  beforeAll(async () => {
    const { ProcessingJobArn } = await h.sagemaker.send(new CreateProcessingJobCommand({ ...request(name), Tags: [{ Key: 'stage', Value: 'prep' }] }));
    expect(ProcessingJobArn).toBe(`arn:aws:sagemaker:us-east-1:123456789012:processing-job/${name}`);
    expect((await describeJob(name)).ProcessingJobStatus).toBe('InProgress');
    expect((await ended(name)).ProcessingJobStatus).toBe('Completed');
  });

  it('ran one container per instance (the stop test below sees them run at once)', () => {
    const started = [...h.sm.state.logs(name).matchAll(/(algo-\d): started /g)].map((m) => m[1]);
    expect(started.sort()).toEqual(['algo-1', 'algo-2']);
    expect(processesOf(name)).toEqual([]);
  });

  it('gave each instance only its shard of a ShardedByS3Key input, and all of a FullyReplicated one', async () => {
    const one = await json(`pout/${name}/algo-1.json`);
    const two = await json(`pout/${name}/algo-2.json`);
    expect(one.inputs).toEqual({ shards: ['part-0.csv', 'part-2.csv', 'part-4.csv'], common: ['a.csv', 'sub/b.csv'] });
    expect(two.inputs).toEqual({ shards: ['part-1.csv', 'part-3.csv'], common: ['a.csv', 'sub/b.csv'] });
    expect(h.sm.state.logs(name)).toContain('algo-2: input shards: 2 object(s) in /opt/ml/processing/input/shards (its shard: pin/shards/part-1.csv, pin/shards/part-3.csv)');
  });

  it('wrote the contract: resourceconfig.json per host, processingjobconfig.json, arguments, environment', async () => {
    const one = await json(`pout/${name}/algo-1.json`);
    const two = await json(`pout/${name}/algo-2.json`);
    expect(one.resource).toMatchObject({ current_host: 'algo-1', hosts: ['algo-1', 'algo-2'], current_instance_type: 'ml.m5.large' });
    expect(two.resource).toMatchObject({ current_host: 'algo-2', hosts: ['algo-1', 'algo-2'] });
    expect([one.jobName, one.jobArn]).toEqual([name, `arn:aws:sagemaker:us-east-1:123456789012:processing-job/${name}`]);
    expect(one.argv).toEqual(['--mode', 'test']);
    const env = one.env as Record<string, string>;
    // The request's Environment over the image's; the stack's credentials, not the host's.
    expect(env.GREETING).toBe('from-the-request');
    expect(env.AWS_ACCESS_KEY_ID).toBe(credentials.accessKeyId);
    expect(env.SAGEMAKER_BASE_DIR).toBe(path.join(h.tmp, 'work', 'processing', name, 'algo-1'));
    expect(one.outputDirExisted).toBe(true);
  });

  it('uploaded both instances’ outputs under the same S3Uri; a name both wrote holds one of them', async () => {
    expect((await h.get(`pout/${name}/nested/algo-1.txt`)).toString()).toBe('algo-1');
    expect((await h.get(`pout/${name}/nested/algo-2.txt`)).toString()).toBe('algo-2');
    expect(['algo-1', 'algo-2']).toContain((await h.get(`pout/${name}/shared.txt`)).toString());
    expect(h.sm.state.logs(name)).toMatch(/algo-\d: s3:\/\/mlops-local\/pout\/shards-2\/shared\.txt replaces the object algo-\d uploaded there/);
  });

  it('describes the job as SageMaker does, ExitMessage the instances’ messages in host order', async () => {
    const d = await describeJob(name);
    expect(d).toMatchObject({
      ProcessingJobName: name,
      ProcessingJobStatus: 'Completed',
      ExitMessage: 'algo-1 done;algo-2 done;',
      RoleArn: ROLE,
      AppSpecification: { ImageUri: PROCESSOR, ContainerArguments: ['--mode', 'test'] },
      Environment: { GREETING: 'from-the-request' },
      StoppingCondition: { MaxRuntimeInSeconds: 600 },
      ProcessingResources: { ClusterConfig: { InstanceCount: 2, InstanceType: 'ml.m5.large', VolumeSizeInGB: 1 } },
    });
    expect(d.FailureReason).toBeUndefined();
    expect(d.ProcessingInputs![1]).toEqual({
      InputName: 'common',
      AppManaged: false,
      S3Input: { S3Uri: `s3://${BUCKET}/pin/common/`, LocalPath: '/opt/ml/processing/input/common', S3DataType: 'S3Prefix', S3InputMode: 'File', S3DataDistributionType: 'FullyReplicated', S3CompressionType: 'None' },
    });
    expect(d.ProcessingOutputConfig!.Outputs![0]!.AppManaged).toBe(false);
    expect(d.ProcessingStartTime!.getTime()).toBeGreaterThanOrEqual(d.CreationTime!.getTime());
    expect(d.ProcessingEndTime!.getTime()).toBeGreaterThanOrEqual(d.ProcessingStartTime!.getTime());
    expect(d.LastModifiedTime!.getTime()).toBeGreaterThanOrEqual(d.ProcessingEndTime!.getTime());
    expect((await h.sagemaker.send(new ListTagsCommand({ ResourceArn: d.ProcessingJobArn! }))).Tags).toEqual([{ Key: 'stage', Value: 'prep' }]);
  });
});

describe('the container command', () => {
  it('ContainerEntrypoint replaces the image’s entrypoint; /opt/ml paths on the command line point into the instance', async () => {
    await h.put('pin/code/run.js', "require('node:fs').writeFileSync(require('node:path').join(process.argv[2], 'entry.json'), JSON.stringify({ argv: process.argv.slice(2), greeting: process.env.GREETING }));\n");
    const name = 'entrypoint';
    await h.sagemaker.send(
      new CreateProcessingJobCommand(
        request(name, {
          AppSpecification: { ImageUri: PROCESSOR, ContainerEntrypoint: [process.execPath, '/opt/ml/processing/input/code/run.js'], ContainerArguments: ['/opt/ml/processing/output', 'plain'] },
          ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.t3.medium', VolumeSizeInGB: 1 } },
          ProcessingInputs: [{ InputName: 'code', S3Input: { S3Uri: `s3://${BUCKET}/pin/code/`, LocalPath: '/opt/ml/processing/input/code', S3DataType: 'S3Prefix' } }],
          Environment: undefined,
        }),
      ),
    );
    expect((await ended(name)).ProcessingJobStatus).toBe('Completed');
    const entry = await json(`pout/${name}/entry.json`);
    expect(entry.argv).toEqual([path.join(h.tmp, 'work', 'processing', name, 'algo-1', 'processing', 'output'), 'plain']);
    // The image's ENV still applies under another entrypoint.
    expect(entry.greeting).toBe('from-the-image');
  });
});

describe('a ManifestFile input', () => {
  it('names the objects; ShardedByS3Key splits them by key as it does a prefix', async () => {
    await h.put('pin/manifest.json', JSON.stringify([{ prefix: `s3://${BUCKET}/pin/shards/` }, 'part-4.csv', 'part-1.csv', 'part-2.csv']));
    const name = 'manifest';
    await h.sagemaker.send(
      new CreateProcessingJobCommand(
        request(name, {
          ProcessingInputs: [
            { InputName: 'listed', S3Input: { S3Uri: `s3://${BUCKET}/pin/manifest.json`, LocalPath: '/opt/ml/processing/input/listed', S3DataType: 'ManifestFile', S3DataDistributionType: 'ShardedByS3Key' } },
          ],
        }),
      ),
    );
    expect((await ended(name)).ProcessingJobStatus).toBe('Completed');
    expect((await json(`pout/${name}/algo-1.json`)).inputs).toEqual({ listed: ['part-1.csv', 'part-4.csv'] });
    expect((await json(`pout/${name}/algo-2.json`)).inputs).toEqual({ listed: ['part-2.csv'] });
  });
});

describe('processing failures and stops', () => {
  it('a failing instance fails the job, the other instances are stopped, ExitMessage carries its message', async () => {
    const name = 'one-fails';
    await h.sagemaker.send(new CreateProcessingJobCommand(request(name, { Environment: { FAIL_HOST: 'algo-2', SLEEP_HOSTS: 'algo-1', SYNC_DIR: syncDir } })));
    const d = await ended(name);
    expect([d.ProcessingJobStatus, d.FailureReason, d.ExitMessage]).toEqual(['Failed', ALGORITHM_ERROR, 'algo-2: bad row in the input']);
    const log = h.sm.state.logs(name);
    expect(log).toContain('algo-2: the processing container exited with code 3');
    expect(log).toContain('algo-1: got SIGTERM');
    for (const m of log.matchAll(/started .* \(pid (\d+)\)/g)) expect(isAlive(Number(m[1]))).toBe(false);
    expect(processesOf(name)).toEqual([]);
    // EndOfJob outputs of a failed or stopped instance are not uploaded.
    expect(await missing(`pout/${name}/algo-2.json`)).toBe(true);
    expect(await missing(`pout/${name}/algo-1.json`)).toBe(true);
    expect((await h.sagemaker.send(new ListProcessingJobsCommand({ NameContains: name }))).ProcessingJobSummaries![0]).toMatchObject({
      ProcessingJobStatus: 'Failed',
      FailureReason: ALGORITHM_ERROR,
      ExitMessage: 'algo-2: bad row in the input',
    });
  });

  it('StopProcessingJob: Stopping, every instance’s container stopped, then Stopped', async () => {
    const name = 'stop-me';
    await h.sagemaker.send(new CreateProcessingJobCommand(request(name, { Environment: { SLEEP_HOSTS: 'all' } })));
    await waitFor(async () => h.sm.state.logs(name).match(/sleeping until stopped/g)?.length ?? 0, (n) => n === 2, 'both containers');
    const pids = processesOf(name).map((p) => p.pid);
    expect(pids).toHaveLength(2);
    expect(processesOf(name).map((p) => p.kind)).toEqual(['processing', 'processing']);
    await h.sagemaker.send(new StopProcessingJobCommand({ ProcessingJobName: name }));
    expect(['Stopping', 'Stopped']).toContain((await describeJob(name)).ProcessingJobStatus);
    const d = await ended(name);
    expect(d.ProcessingJobStatus).toBe('Stopped');
    expect(d.FailureReason).toBeUndefined();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(h.sm.state.logs(name)).toContain('algo-1: got SIGTERM');
    expect(h.sm.state.logs(name)).toContain('algo-2: got SIGTERM');
    const again = await errorOf(h.sagemaker.send(new StopProcessingJobCommand({ ProcessingJobName: name })));
    expect([again.name, again.message]).toEqual(['ValidationException', 'The request was rejected because the processing job is in status Stopped.']);
  });

  it('MaxRuntimeInSeconds (on the emulated clock) stops every instance: Stopped', async () => {
    const name = 'too-slow';
    await h.sagemaker.send(new CreateProcessingJobCommand(request(name, { Environment: { SLEEP_HOSTS: 'all' }, StoppingCondition: { MaxRuntimeInSeconds: 1 } })));
    const d = await ended(name);
    expect(d.ProcessingJobStatus).toBe('Stopped');
    expect(d.ProcessingEndTime!.getTime() - d.ProcessingStartTime!.getTime()).toBeGreaterThanOrEqual(1000);
    expect(h.sm.state.logs(name)).toContain('MaxRuntimeInSeconds (1 s) exceeded: stopping the processing job');
    expect(processesOf(name)).toEqual([]);
  });

  it('a Continuous output is uploaded while its container still runs', async () => {
    const name = 'continuous';
    await h.sagemaker.send(
      new CreateProcessingJobCommand(
        request(name, {
          Environment: { SLEEP_HOSTS: 'all' },
          ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 1 } },
          ProcessingOutputConfig: { Outputs: [{ OutputName: 'live', S3Output: { S3Uri: `s3://${BUCKET}/pout/${name}`, LocalPath: '/opt/ml/processing/output', S3UploadMode: 'Continuous' } }] },
        }),
      ),
    );
    await waitFor(() => missing(`pout/${name}/algo-1.json`), (m) => !m, 'the continuous upload');
    expect((await describeJob(name)).ProcessingJobStatus).toBe('InProgress');
    await h.sagemaker.send(new StopProcessingJobCommand({ ProcessingJobName: name }));
    expect((await ended(name)).ProcessingJobStatus).toBe('Stopped');
  });

  it('an image missing from the registry fails as a missing ECR manifest; one without an entrypoint says so', async () => {
    const ghost = '123456789012.dkr.ecr.us-east-1.amazonaws.com/ghost:7';
    await h.sagemaker.send(new CreateProcessingJobCommand(request('no-image', { AppSpecification: { ImageUri: ghost } })));
    expect((await ended('no-image')).FailureReason).toBe(`ClientError: API error (404): manifest for ${ghost} not found: manifest unknown: Requested image not found`);
    await h.sagemaker.send(new CreateProcessingJobCommand(request('no-entrypoint', { AppSpecification: { ImageUri: 'local/sleeper:1' } })));
    expect((await ended('no-entrypoint')).FailureReason).toBe(
      'ClientError: The image local/sleeper:1 has no entrypoint: register a "process" command for it or set AppSpecification.ContainerEntrypoint.',
    );
  });

  it('an input prefix without objects fails the job before any container starts', async () => {
    const inputs = request('x').ProcessingInputs!;
    await h.sagemaker.send(
      new CreateProcessingJobCommand(request('empty-input', { ProcessingInputs: [inputs[0]!, { InputName: 'none', S3Input: { S3Uri: `s3://${BUCKET}/pin/nothing/`, LocalPath: '/opt/ml/processing/none', S3DataType: 'S3Prefix' } }] })),
    );
    const d = await ended('empty-input');
    expect(d.ProcessingJobStatus).toBe('Failed');
    expect(d.FailureReason).toMatch(/^ClientError: No S3 objects found under S3 URL "s3:\/\/mlops-local\/pin\/nothing\/" given in input data source\./);
    expect(h.sm.state.logs('empty-input')).not.toContain('started');
  });

  it('the processingFailure fault fails matching jobs with the given reason', async () => {
    h.sm.faults.set({ processingFailure: { jobNamePattern: '^doomed-', reason: 'InternalServerError: injected' } });
    try {
      await h.sagemaker.send(new CreateProcessingJobCommand(request('doomed-prep')));
      expect((await ended('doomed-prep')).FailureReason).toBe('InternalServerError: injected');
      expect(h.sm.faults.stats().processingFailures).toBe(1);
    } finally {
      h.sm.faults.clear();
    }
  });
});

describe('the processing API', () => {
  it('validates against the API model, naming the member', async () => {
    const e1 = await errorOf(h.sagemaker.send(new CreateProcessingJobCommand(request('bad_name'))));
    expect([e1.name, e1.$metadata.httpStatusCode]).toEqual(['ValidationException', 400]);
    expect(e1.message).toBe("1 validation error detected: Value 'bad_name' at 'processingJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
    const { AppSpecification: _a, ...noApp } = request('no-app');
    expect((await errorOf(h.sagemaker.send(new CreateProcessingJobCommand(noApp as never)))).message).toBe(
      "1 validation error detected: Value null at 'appSpecification' failed to satisfy constraint: Member must not be null",
    );
    const e3 = await errorOf(
      h.sagemaker.send(
        new CreateProcessingJobCommand(
          request('counts', { ProcessingResources: { ClusterConfig: { InstanceCount: 0, InstanceType: 'ml.m5.large', VolumeSizeInGB: 1 } }, StoppingCondition: { MaxRuntimeInSeconds: 777601 } }),
        ),
      ),
    );
    expect(e3.message).toMatch(/^2 validation errors detected: /);
    expect(e3.message).toContain("Value '0' at 'processingResources.clusterConfig.instanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1");
    expect(e3.message).toContain("Value '777601' at 'stoppingCondition.maxRuntimeInSeconds' failed to satisfy constraint: Member must have value less than or equal to 777600");
    const e4 = await errorOf(h.sagemaker.send(new ListProcessingJobsCommand({ StatusEquals: 'Done' as never })));
    expect(e4.message).toBe("1 validation error detected: Value 'Done' at 'statusEquals' failed to satisfy constraint: Member must satisfy enum value set: [InProgress, Completed, Failed, Stopping, Stopped]");
  });

  it('checks the container contract’s paths and what local-sagemaker cannot run', async () => {
    const [shards, common] = request('x').ProcessingInputs!;
    const cases: [Partial<CreateProcessingJobCommandInput>, string][] = [
      [
        { ProcessingInputs: [{ ...shards!, S3Input: { ...shards!.S3Input!, LocalPath: '/tmp/data' } }] },
        "1 validation error detected: Value '/tmp/data' at 'processingInputs.1.member.s3Input.localPath' failed to satisfy constraint: Member must be an absolute path that begins with /opt/ml/processing/",
      ],
      [
        { ProcessingInputs: [shards!, { ...common!, S3Input: { ...common!.S3Input!, LocalPath: '/opt/ml/processing/../x' } }] },
        "1 validation error detected: Value '/opt/ml/processing/../x' at 'processingInputs.2.member.s3Input.localPath' failed to satisfy constraint: Member must be an absolute path that begins with /opt/ml/processing/",
      ],
      [
        { ProcessingInputs: [shards!, { ...common!, S3Input: { ...common!.S3Input!, LocalPath: '/opt/ml/processing/input/shards' } }] },
        'Input common: LocalPath /opt/ml/processing/input/shards is the destination of another input; each input needs its own LocalPath.',
      ],
      [{ ProcessingInputs: [shards!, { ...common!, InputName: 'shards' }] }, 'Input names must be unique: shards is specified more than once.'],
      [
        { ProcessingInputs: [{ ...shards!, S3Input: { ...shards!.S3Input!, S3CompressionType: 'Gzip' } }] },
        'Input shards: S3CompressionType Gzip can only be used when Pipe mode is specified as the S3InputMode. (processingInputs.1.member.s3Input.s3CompressionType)',
      ],
      [
        { ProcessingInputs: [{ InputName: 'athena', DatasetDefinition: { LocalPath: '/opt/ml/processing/a' } }] },
        'Input athena: DatasetDefinition (Athena, Redshift) is not supported by local-sagemaker; use S3Input. (processingInputs.1.member.datasetDefinition)',
      ],
      [
        { ProcessingOutputConfig: { Outputs: [{ OutputName: 'o', S3Output: { S3Uri: `s3://${BUCKET}/out/../x`, LocalPath: '/opt/ml/processing/o', S3UploadMode: 'EndOfJob' } }] } },
        `1 validation error detected: Value 's3://${BUCKET}/out/../x' at 'processingOutputConfig.outputs.1.member.s3Output.s3Uri' failed to satisfy constraint: Member must not contain '.' or '..' path segments (local-sagemaker stores S3 objects as files)`,
      ],
    ];
    for (const [extra, message] of cases) {
      const e = await errorOf(h.sagemaker.send(new CreateProcessingJobCommand(request('contract', extra))));
      expect({ name: e.name, message: e.message }).toEqual({ name: 'ValidationException', message });
    }
    // Nothing was created.
    expect((await errorOf(describeJob('contract'))).name).toBe('ValidationException');
  });

  it('an unknown job answers ValidationException; a taken name (any case) ResourceInUse', async () => {
    for (const call of [describeJob('nope'), h.sagemaker.send(new StopProcessingJobCommand({ ProcessingJobName: 'nope' }))]) {
      const e = await errorOf(call);
      expect({ name: e.name, message: e.message, status: e.$metadata.httpStatusCode }).toEqual({ name: 'ValidationException', message: 'Could not find requested job with name nope', status: 400 });
    }
    const e = await errorOf(h.sagemaker.send(new CreateProcessingJobCommand(request('SHARDS-2'))));
    expect(e).toBeInstanceOf(ResourceInUse);
    expect(e.message).toBe('Job name must be unique within an AWS account and region, and a job with this name already exists (arn:aws:sagemaker:us-east-1:123456789012:processing-job/shards-2)');
  });

  it('ListProcessingJobs filters, sorts and pages as every List*', async () => {
    const list = (input: ListProcessingJobsCommandInput) => h.sagemaker.send(new ListProcessingJobsCommand(input));
    const completed = await list({ StatusEquals: 'Completed', SortBy: 'Name', SortOrder: 'Ascending' });
    expect(completed.ProcessingJobSummaries!.map((s) => s.ProcessingJobName)).toEqual(['entrypoint', 'manifest', 'shards-2']);
    expect(completed.ProcessingJobSummaries![2]).toEqual({
      ProcessingJobName: 'shards-2',
      ProcessingJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:processing-job/shards-2',
      CreationTime: expect.any(Date),
      ProcessingEndTime: expect.any(Date),
      LastModifiedTime: expect.any(Date),
      ProcessingJobStatus: 'Completed',
      ExitMessage: 'algo-1 done;algo-2 done;',
    });
    expect((await list({ NameContains: 'SHARDS' })).ProcessingJobSummaries!.map((s) => s.ProcessingJobName)).toEqual(['shards-2']);
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await list({ MaxResults: 2, NextToken: token, SortBy: 'CreationTime', SortOrder: 'Ascending' });
      expect(page.ProcessingJobSummaries!.length).toBeLessThanOrEqual(2);
      names.push(...page.ProcessingJobSummaries!.map((s) => s.ProcessingJobName!));
      token = page.NextToken;
    } while (token);
    expect(names[0]).toBe('shards-2');
    expect(names.length).toBe(new Set(names).size);
    expect(names).toEqual(expect.arrayContaining(['shards-2', 'entrypoint', 'one-fails', 'stop-me', 'too-slow']));
    const bad = await errorOf(list({ MaxResults: 2, NextToken: (await list({ MaxResults: 1 })).NextToken, StatusEquals: 'Failed' }));
    expect(bad.message).toBe('Invalid pagination token because the request parameters changed or the token is malformed.');
  });

  it('speaks JSON 1.1 on the wire: epoch-second timestamps, errors with x-amzn-ErrorType', async () => {
    const call = async (target: string, body: unknown) => {
      const res = await fetch(h.sm.endpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `SageMaker.${target}` }, body: JSON.stringify(body) });
      return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: (await res.json()) as Record<string, unknown> };
    };
    const ok = await call('DescribeProcessingJob', { ProcessingJobName: 'shards-2' });
    expect(ok.status).toBe(200);
    expect(typeof ok.body.CreationTime).toBe('number');
    expect(ok.body.ProcessingJobStatus).toBe('Completed');
    const missingJob = await call('DescribeProcessingJob', { ProcessingJobName: 'nope' });
    expect(missingJob).toEqual({ status: 400, type: 'ValidationException', body: { __type: 'ValidationException', message: 'Could not find requested job with name nope' } });
    const invalid = await call('StopProcessingJob', {});
    expect(invalid.body).toEqual({ __type: 'ValidationException', message: "1 validation error detected: Value null at 'processingJobName' failed to satisfy constraint: Member must not be null" });
  });
});

describe('a restarted server', () => {
  let restarted: LocalSageMaker | undefined;
  afterAll(async () => {
    await restarted?.close();
  });

  it('keeps finished processing jobs and ends the running one Failed', async () => {
    await h.sagemaker.send(new CreateProcessingJobCommand(request('running-prep', { Environment: { SLEEP_HOSTS: 'all' } })));
    await waitFor(async () => processesOf('running-prep').length, (n) => n === 2, 'both containers');
    const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    const saved = JSON.parse(JSON.stringify(h.sm.exportState()), (_k, v: unknown) => (typeof v === 'string' && ISO.test(v) ? new Date(v) : v)) as PersistedSageMaker;
    expect(saved.processes.filter((p) => p.owner === 'running-prep').map((p) => p.kind)).toEqual(['processing', 'processing']);
    restarted = await startLocalSageMaker({ workDir: path.join(h.tmp, 'work-2'), s3: { endpoint: h.s3Endpoint, credentials }, imageRegistry: REGISTRY, restore: saved });
    const client = new SageMakerClient({ endpoint: restarted.endpoint, region: 'us-east-1', credentials });
    try {
      expect(restarted.restored!.interruptedJobs).toEqual(['running-prep']);
      const { $metadata: _a, ...before } = await describeJob('shards-2');
      const { $metadata: _b, ...after } = await describeJob('shards-2', client);
      expect(after).toEqual(before);
      const interrupted = await describeJob('running-prep', client);
      expect(interrupted.ProcessingJobStatus).toBe('Failed');
      expect(interrupted.FailureReason).toMatch(/^InternalServerError: the local SageMaker stopped while this processing job ran \(restarted at .+\); a job cannot resume: start a new one\.$/);
      expect(interrupted.ProcessingEndTime).toBeInstanceOf(Date);
    } finally {
      client.destroy();
      await h.sagemaker.send(new StopProcessingJobCommand({ ProcessingJobName: 'running-prep' }));
      await ended('running-prep');
    }
  });
});

describe('batch transform on two instances', () => {
  const transform = (name: string, prefix: string) =>
    h.sagemaker.send(
      new CreateTransformJobCommand({
        TransformJobName: name,
        ModelName: 'env-model',
        TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/${prefix}` } }, ContentType: 'text/csv', SplitType: 'Line' },
        TransformOutput: { S3OutputPath: `s3://${BUCKET}/tout/${name}` },
        TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 2 },
      }),
    );
  const finished = (name: string) =>
    waitFor(() => h.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: name })), (d) => d.TransformJobStatus !== 'InProgress', `${name} to end`);
  /** env-dump answers with its environment: SAGEMAKER_BASE_DIR names the instance that served the object. */
  const servedBy = async (key: string) => path.basename((JSON.parse((await h.get(key)).toString('utf8')) as { SAGEMAKER_BASE_DIR: string }).SAGEMAKER_BASE_DIR);

  beforeAll(async () => {
    await h.sagemaker.send(new CreateModelCommand({ ModelName: 'env-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'local/env-dump:1' } }));
  });

  it('splits the objects of the prefix between the instances by key; each object goes whole to one', async () => {
    for (const k of ['c', 'a', 'b']) await h.put(`tin2/${k}.csv`, `${k}\n`);
    await transform('tj-two', 'tin2/');
    const d = await finished('tj-two');
    expect(d.TransformJobStatus).toBe('Completed');
    expect(await servedBy('tout/tj-two/a.csv.out')).toBe('instance-1');
    expect(await servedBy('tout/tj-two/b.csv.out')).toBe('instance-2');
    expect(await servedBy('tout/tj-two/c.csv.out')).toBe('instance-1');
    const log = h.sm.state.logs('tj-two');
    expect(log).toContain('instance-1: 2 of the 3 input object(s)');
    expect(log).toContain('instance-2: 1 of the 3 input object(s)');
    expect(log.match(/passed the ping health check/g)).toHaveLength(2);
  });

  it('with one object, one instance does the work and the other stays idle', async () => {
    await h.put('tin1/only.csv', 'x\n');
    await transform('tj-one', 'tin1/');
    expect((await finished('tj-one')).TransformJobStatus).toBe('Completed');
    expect(await servedBy('tout/tj-one/only.csv.out')).toBe('instance-1');
    expect(h.sm.state.logs('tj-one')).toContain('instance-2: 0 of the 1 input object(s)');
  });
});
