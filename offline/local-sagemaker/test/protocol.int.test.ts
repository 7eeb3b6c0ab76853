import { execFile, spawnSync } from 'node:child_process';
import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  CreateTransformJobCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  ResourceInUse,
  SageMakerClient,
  StopTrainingJobCommand,
  UpdateEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { BUCKET, type Harness, MEAN_IMAGE, ROLE, startHarness, trainingRequest, waitFor } from './helpers';

// The projects' testTimeout is not applied per project by jest; these tests start processes.
jest.setTimeout(90_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** The error an SDK call rejects with. */
async function errorOf(p: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number; attempts?: number }; [k: string]: unknown }> {
  try {
    await p;
  } catch (e) {
    return e as never;
  }
  throw new Error('expected the call to fail');
}

async function rawCall(target: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(h.sm.endpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target, ...headers }, body });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

const model = (name: string, extra: Record<string, unknown> = {}) =>
  new CreateModelCommand({ ModelName: name, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: MEAN_IMAGE, ModelDataUrl: `s3://${BUCKET}/none/model.tar.gz` }, ...extra });

describe('request validation against the official API model', () => {
  it('a pattern violation answers ValidationException naming the member and the constraint', async () => {
    const e = await errorOf(h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('bad_name'))));
    expect(e.name).toBe('ValidationException');
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(e.message).toBe(
      "1 validation error detected: Value 'bad_name' at 'trainingJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
    );
  });

  it('reports missing required members, enums and ranges, several at once', async () => {
    const { RoleArn: _r, ...noRole } = trainingRequest('no-role');
    const e1 = await errorOf(h.sagemaker.send(new CreateTrainingJobCommand(noRole as never)));
    expect(e1.message).toBe("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");

    const e2 = await errorOf(
      h.sagemaker.send(
        new CreateTrainingJobCommand(
          trainingRequest('enum-and-range', {
            AlgorithmSpecification: { TrainingImage: MEAN_IMAGE, TrainingInputMode: 'Bogus' },
            StoppingCondition: { MaxRuntimeInSeconds: 0 },
          }) as never,
        ),
      ),
    );
    expect(e2.name).toBe('ValidationException');
    expect(e2.message).toMatch(/^2 validation errors detected: /);
    expect(e2.message).toContain("at 'algorithmSpecification.trainingInputMode' failed to satisfy constraint: Member must satisfy enum value set: [Pipe, File, FastFile]");
    expect(e2.message).toContain("Value '0' at 'stoppingCondition.maxRuntimeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 1");

    const e3 = await errorOf(h.sagemaker.send(new ListTrainingJobsCommand({ MaxResults: 1000 })));
    expect(e3.message).toBe("1 validation error detected: Value '1000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
  });

  it('validates nested list members with their AWS paths', async () => {
    const e = await errorOf(
      h.sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'cfg-x',
          ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'm', InstanceType: 'ml.nope' as never, InitialInstanceCount: 1 }],
        }),
      ),
    );
    expect(e.name).toBe('ValidationException');
    expect(e.message).toContain("at 'productionVariants.1.member.instanceType' failed to satisfy constraint: Member must satisfy enum value set");
  });
});

describe('AWS error codes and shapes', () => {
  it('a duplicate training job name is ResourceInUse', async () => {
    await h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('dup-job', { InputDataConfig: undefined })));
    const e = await errorOf(h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('dup-job'))));
    expect(e).toBeInstanceOf(ResourceInUse);
    expect(e.name).toBe('ResourceInUse');
    expect(e.message).toBe(
      'Training job names must be unique within an AWS account and region, and a training job with this name already exists (arn:aws:sagemaker:us-east-1:123456789012:training-job/dup-job)',
    );
    // Names are case-insensitive, as the lower-cased ARNs imply.
    expect((await errorOf(h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('DUP-job'))))).name).toBe('ResourceInUse');
  });

  it('creating a model, endpoint config or endpoint that exists is ValidationException "Cannot create already existing ..."', async () => {
    await h.sagemaker.send(model('dup-model'));
    const e1 = await errorOf(h.sagemaker.send(model('dup-model')));
    expect(e1.name).toBe('ValidationException');
    expect(e1.message).toBe('Cannot create already existing model "arn:aws:sagemaker:us-east-1:123456789012:model/dup-model".');

    const cfg = { EndpointConfigName: 'dup-cfg', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'dup-model', InstanceType: 'ml.m5.large' as const, InitialInstanceCount: 1 }] };
    await h.sagemaker.send(new CreateEndpointConfigCommand(cfg));
    const e2 = await errorOf(h.sagemaker.send(new CreateEndpointConfigCommand(cfg)));
    expect(e2.message).toBe('Cannot create already existing endpoint configuration "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/dup-cfg".');

    await h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'dup-ep', EndpointConfigName: 'dup-cfg' }));
    const e3 = await errorOf(h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'dup-ep', EndpointConfigName: 'dup-cfg' })));
    expect(e3.message).toBe('Cannot create already existing endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/dup-ep".');
    // The model has no artifacts: the endpoint fails, and can be deleted.
    const failed = await waitFor(() => h.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'dup-ep' })), (d) => d.EndpointStatus !== 'Creating', 'endpoint failure');
    expect(failed.EndpointStatus).toBe('Failed');
    expect(failed.FailureReason).toMatch(/^Failed to download model data\(bucket: mlops-local, key: none\/model.tar.gz\)/);
    await h.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'dup-ep' }));
  });

  it('unknown resources answer AWS messages', async () => {
    const cases: [Promise<unknown>, string][] = [
      [h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'nope' })), 'Requested resource not found.'],
      [h.sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: 'nope' })), 'Requested resource not found.'],
      [h.sagemaker.send(new DescribeTransformJobCommand({ TransformJobName: 'nope' })), 'Requested resource not found.'],
      [h.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'nope' })), 'Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/nope".'],
      [h.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'nope' })), 'Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/nope".'],
      [h.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'nope', EndpointConfigName: 'x' })), 'Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/nope".'],
      [h.sagemaker.send(new DescribeModelCommand({ ModelName: 'nope' })), 'Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/nope".'],
      [h.sagemaker.send(new DeleteModelCommand({ ModelName: 'nope' })), 'Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/nope".'],
      [
        h.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'nope' })),
        'Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/nope".',
      ],
      [
        h.sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'nope' })),
        'Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/nope".',
      ],
      [
        h.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'ep-nocfg', EndpointConfigName: 'nope' })),
        'Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/nope".',
      ],
      [
        h.sagemaker.send(
          new CreateEndpointConfigCommand({ EndpointConfigName: 'cfg-nomodel', ProductionVariants: [{ VariantName: 'A', ModelName: 'nope', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }),
        ),
        'Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/nope".',
      ],
      [
        h.sagemaker.send(
          new CreateTransformJobCommand({
            TransformJobName: 'tj-nomodel',
            ModelName: 'nope',
            TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/x/` } } },
            TransformOutput: { S3OutputPath: `s3://${BUCKET}/y` },
            TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
          }),
        ),
        'Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/nope".',
      ],
    ];
    for (const [call, message] of cases) {
      const e = await errorOf(call);
      expect({ name: e.name, message: e.message, status: e.$metadata.httpStatusCode }).toEqual({ name: 'ValidationException', message, status: 400 });
    }
    const rt = await errorOf(h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'nope', Body: Buffer.from('1'), ContentType: 'text/csv' })));
    expect({ name: rt.name, message: rt.message, status: rt.$metadata.httpStatusCode }).toEqual({
      name: 'ValidationError',
      message: 'Endpoint nope of account 123456789012 not found.',
      status: 400,
    });
  });

  it('InvokeEndpoint payloads above 6 MB answer ValidationError', async () => {
    const e = await errorOf(h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'any', Body: Buffer.alloc(6 * 1024 * 1024 + 1, 97), ContentType: 'text/csv' })));
    expect([e.name, e.$metadata.httpStatusCode]).toEqual(['ValidationError', 400]);
    expect(e.message).toBe("1 validation error detected: Value '<payload>' at 'body' failed to satisfy constraint: Member must have length less than or equal to 6291456");
  });

  it('errors travel in the JSON 1.1 shape with x-amzn-ErrorType; requests need no signature', async () => {
    const res = await rawCall('SageMaker.DescribeTrainingJob', JSON.stringify({ TrainingJobName: 'nope' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('ValidationException');
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json).toEqual({ __type: 'ValidationException', message: 'Requested resource not found.' });

    const ok = await rawCall('SageMaker.ListModels', '');
    expect(ok.status).toBe(200);
    expect(Array.isArray(ok.json.Models)).toBe(true);

    expect((await rawCall('SageMaker.CreateWidget', '{}')).json.__type).toBe('UnknownOperationException');
    expect((await rawCall('SageMaker.CreateHyperParameterTuningJob', '{}')).json.__type).toBe('UnknownOperationException');
    expect((await rawCall('Other.ListModels', '{}')).json.__type).toBe('UnknownOperationException');
    expect((await rawCall('SageMaker.ListModels', '{"bad json')).json.__type).toBe('SerializationException');
  });

  it('responses carry epoch-second timestamps that the SDK parses to Dates', async () => {
    const before = Date.now();
    await h.sagemaker.send(model('time-model'));
    const raw = await rawCall('SageMaker.DescribeModel', JSON.stringify({ ModelName: 'time-model' }));
    expect(typeof raw.json.CreationTime).toBe('number');
    const d = await h.sagemaker.send(new DescribeModelCommand({ ModelName: 'time-model' }));
    expect(d.CreationTime).toBeInstanceOf(Date);
    expect(d.CreationTime!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(d.ModelArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:model/time-model');
    expect(d.PrimaryContainer).toMatchObject({ Image: MEAN_IMAGE, Mode: 'SingleModel' });
  });
});

describe('List operations', () => {
  it('filter, sort and page', async () => {
    for (const n of ['list-c', 'list-a', 'list-b']) await h.sagemaker.send(model(n));
    const asc = await h.sagemaker.send(new ListModelsCommand({ NameContains: 'list-', SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 2 }));
    expect(asc.Models!.map((m) => m.ModelName)).toEqual(['list-a', 'list-b']);
    expect(asc.NextToken).toBeDefined();
    const rest = await h.sagemaker.send(new ListModelsCommand({ NameContains: 'list-', SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 2, NextToken: asc.NextToken }));
    expect(rest.Models!.map((m) => m.ModelName)).toEqual(['list-c']);
    expect(rest.NextToken).toBeUndefined();
    const newest = await h.sagemaker.send(new ListModelsCommand({ NameContains: 'list-', MaxResults: 1 }));
    expect(newest.Models![0]!.ModelName).toBe('list-b');
    const a = (await h.sagemaker.send(new DescribeModelCommand({ ModelName: 'list-a' }))).CreationTime!;
    const after = await h.sagemaker.send(new ListModelsCommand({ NameContains: 'list-', CreationTimeAfter: a, SortBy: 'Name', SortOrder: 'Ascending' }));
    expect(after.Models!.map((m) => m.ModelName)).toEqual(['list-b']);
  });

  it('ListEndpointConfigs: NameContains, time bounds, Name/CreationTime sorting, pages; deleted configurations are gone', async () => {
    await h.sagemaker.send(model('cfg-list-model'));
    const config = (name: string) => new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'cfg-list-model', InitialInstanceCount: 1, InstanceType: 'ml.t2.medium' }] });
    for (const n of ['cfgl-c', 'cfgl-a', 'cfgl-b', 'cfgl-gone']) await h.sagemaker.send(config(n));
    await h.sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'cfgl-gone' }));
    const names = (r: { EndpointConfigs?: { EndpointConfigName?: string }[] }) => r.EndpointConfigs!.map((c) => c.EndpointConfigName);

    const newest = await h.sagemaker.send(new ListEndpointConfigsCommand({ NameContains: 'cfgl-' }));
    expect(names(newest)).toEqual(['cfgl-b', 'cfgl-a', 'cfgl-c']); // CreationTime, Descending by default
    expect(newest.EndpointConfigs![0]).toEqual({ EndpointConfigName: 'cfgl-b', EndpointConfigArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/cfgl-b', CreationTime: expect.any(Date) });
    expect(names(await h.sagemaker.send(new ListEndpointConfigsCommand({ NameContains: 'cfgl-', SortBy: 'CreationTime', SortOrder: 'Ascending' })))).toEqual(['cfgl-c', 'cfgl-a', 'cfgl-b']);

    const first = await h.sagemaker.send(new ListEndpointConfigsCommand({ NameContains: 'CFGL-', SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 2 }));
    expect(names(first)).toEqual(['cfgl-a', 'cfgl-b']);
    const rest = await h.sagemaker.send(new ListEndpointConfigsCommand({ NameContains: 'CFGL-', SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 2, NextToken: first.NextToken }));
    expect(names(rest)).toEqual(['cfgl-c']);
    expect(rest.NextToken).toBeUndefined();

    const c = (await h.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'cfgl-c' }))).CreationTime!;
    const b = (await h.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'cfgl-b' }))).CreationTime!;
    expect(names(await h.sagemaker.send(new ListEndpointConfigsCommand({ NameContains: 'cfgl-', CreationTimeAfter: c, CreationTimeBefore: b })))).toEqual(['cfgl-a']);

    // Validated against the API model: SortBy is Name | CreationTime (no Status), MaxResults 1..100.
    const bad = await errorOf(h.sagemaker.send(new ListEndpointConfigsCommand({ SortBy: 'Status' as never, MaxResults: 101 })));
    expect(bad.name).toBe('ValidationException');
    expect(bad.message).toMatch(/^2 validation errors detected: /);
    expect(bad.message).toContain("Value 'Status' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [Name, CreationTime]");
    expect(bad.message).toContain("Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
  });

  it('StatusEquals filters training jobs', async () => {
    await h.sagemaker.send(new CreateTrainingJobCommand(trainingRequest('list-fails', { InputDataConfig: [{ ChannelName: 'train', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/empty/` } } }] })));
    const failed = await waitFor(() => h.sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: 'list-fails' })), (d) => d.TrainingJobStatus === 'Failed', 'failure');
    expect(failed.FailureReason).toMatch(/^ClientError: No S3 objects found under S3 URL "s3:\/\/mlops-local\/empty\/"/);
    const list = await h.sagemaker.send(new ListTrainingJobsCommand({ StatusEquals: 'Failed', NameContains: 'list-fails' }));
    expect(list.TrainingJobSummaries!.map((s) => [s.TrainingJobName, s.TrainingJobStatus, s.SecondaryStatus])).toEqual([['list-fails', 'Failed', 'Failed']]);
    expect((await h.sagemaker.send(new ListTrainingJobsCommand({ StatusEquals: 'Completed', NameContains: 'list-fails' }))).TrainingJobSummaries).toEqual([]);
  });
});

describe('tags', () => {
  it('Create* Tags, AddTags and ListTags by ARN', async () => {
    const { ModelArn } = await h.sagemaker.send(model('tagged', { Tags: [{ Key: 'team', Value: 'ml' }] }));
    const added = await h.sagemaker.send(new AddTagsCommand({ ResourceArn: ModelArn, Tags: [{ Key: 'stage', Value: 'dev' }, { Key: 'team', Value: 'mlops' }] }));
    expect(added.Tags).toEqual([{ Key: 'stage', Value: 'dev' }, { Key: 'team', Value: 'mlops' }]);
    const listed = await h.sagemaker.send(new ListTagsCommand({ ResourceArn: ModelArn }));
    expect(listed.Tags).toEqual([{ Key: 'team', Value: 'mlops' }, { Key: 'stage', Value: 'dev' }]);
    const e = await errorOf(h.sagemaker.send(new ListTagsCommand({ ResourceArn: 'arn:aws:sagemaker:us-east-1:123456789012:model/none' })));
    expect(e.name).toBe('ValidationException');
  });
});

describe('fault injection', () => {
  afterEach(() => h.sm.faults.clear());

  it('failFirst throttles the first calls; the SDK retries through them', async () => {
    h.sm.faults.set({ api: { ListModels: { failFirst: 2 } } });
    const before = h.sm.faults.stats().api.ListModels?.throttled ?? 0;
    const res = await h.sagemaker.send(new ListModelsCommand({}));
    expect(res.$metadata.attempts).toBe(3);
    expect(h.sm.faults.stats().api.ListModels!.throttled - before).toBe(2);
  });

  it('throttleRate and errorRate answer ThrottlingException (400) and InternalFailure (500)', async () => {
    const once = new SageMakerClient({ endpoint: h.sm.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
    try {
      h.sm.faults.set({ api: { DescribeModel: { throttleRate: 1 } } });
      const t = await errorOf(once.send(new DescribeModelCommand({ ModelName: 'x' })));
      expect([t.name, t.$metadata.httpStatusCode, t.message]).toEqual(['ThrottlingException', 400, 'Rate exceeded']);
      h.sm.faults.set({ api: { '*': { errorRate: 1 } } });
      const i = await errorOf(once.send(new ListModelsCommand({})));
      expect([i.name, i.$metadata.httpStatusCode]).toEqual(['InternalFailure', 500]);
      h.sm.faults.set({ api: { InvokeEndpoint: { unavailableRate: 1 } } });
      const u = await errorOf(h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'any', Body: Buffer.from('x') }), {}));
      expect([u.name, u.$metadata.httpStatusCode]).toEqual(['ServiceUnavailable', 503]);
    } finally {
      once.destroy();
    }
  });

  it('is driven over HTTP by another process: POST/GET/DELETE /_local/faults', async () => {
    const post = await fetch(`${h.sm.endpoint}/_local/faults`, { method: 'POST', body: JSON.stringify({ api: { DescribeEndpoint: { failFirst: 1 } }, seed: 7 }) });
    expect(post.status).toBe(200);
    expect(h.sm.faults.get()).toEqual({ api: { DescribeEndpoint: { failFirst: 1 } }, seed: 7 });
    const raw = await rawCall('SageMaker.DescribeEndpoint', JSON.stringify({ EndpointName: 'x' }));
    expect(raw.json.__type).toBe('ThrottlingException');
    const got = (await (await fetch(`${h.sm.endpoint}/_local/faults`)).json()) as { stats: { api: Record<string, { throttled: number }> } };
    expect(got.stats.api.DescribeEndpoint!.throttled).toBeGreaterThanOrEqual(1);
    const bad = await fetch(`${h.sm.endpoint}/_local/faults`, { method: 'POST', body: JSON.stringify({ api: { X: { errorRate: 3 } } }) });
    expect(bad.status).toBe(400);
    await fetch(`${h.sm.endpoint}/_local/faults`, { method: 'DELETE' });
    expect(h.sm.faults.get()).toEqual({});
  });
});

describe('service-specific endpoint variables', () => {
  it('unmodified SDK clients find the emulator through AWS_ENDPOINT_URL_SAGEMAKER(_RUNTIME)', async () => {
    const saved = { sm: process.env.AWS_ENDPOINT_URL_SAGEMAKER, rt: process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME };
    process.env.AWS_ENDPOINT_URL_SAGEMAKER = h.sm.endpoint;
    process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME = h.sm.endpoint;
    const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
    const sm = new SageMakerClient({ region: 'us-east-1', credentials });
    const rt = new SageMakerRuntimeClient({ region: 'us-east-1', credentials });
    try {
      expect((await sm.send(new ListModelsCommand({ NameContains: 'list-a' }))).Models!.map((m) => m.ModelName)).toEqual(['list-a']);
      const e = await errorOf(rt.send(new InvokeEndpointCommand({ EndpointName: 'no-such-endpoint', Body: Buffer.from('1') })));
      expect(e.message).toBe('Endpoint no-such-endpoint of account 123456789012 not found.');
    } finally {
      sm.destroy();
      rt.destroy();
      if (saved.sm === undefined) delete process.env.AWS_ENDPOINT_URL_SAGEMAKER;
      else process.env.AWS_ENDPOINT_URL_SAGEMAKER = saved.sm;
      if (saved.rt === undefined) delete process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME;
      else process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME = saved.rt;
    }
  });
});

describe('the AWS CLI', () => {
  // The CLI must run asynchronously: the server lives in this process's event loop.
  // CI installs the AWS CLI v2 (Debian's awscli): a missing CLI is a failure, not a skip.
  const run = it;
  it('is installed', () => {
    expect(spawnSync('aws', ['--version'], { encoding: 'utf8' }).status).toBe(0);
  });
  const cli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
      execFile('aws', ['--endpoint-url', h.sm.endpoint, ...args], { env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  run('works with --endpoint-url', async () => {
    const list = await cli(['sagemaker', 'list-models', '--name-contains', 'list-a', '--output', 'json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { Models: { ModelName: string }[] }).Models.map((m) => m.ModelName)).toEqual(['list-a']);
    const missing = await cli(['sagemaker', 'describe-endpoint', '--endpoint-name', 'nope']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('An error occurred (ValidationException) when calling the DescribeEndpoint operation: Could not find endpoint');
  });
});
