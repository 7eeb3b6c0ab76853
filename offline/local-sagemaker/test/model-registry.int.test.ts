/**
 * The model registry through the real SDK v3 client: model package groups, versioned packages,
 * approval updates with their EventBridge events, listing, tags, AWS's errors, and a restarted server
 * that takes back the registry (its version counters included) from the previous one's exportState().
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import {
  AddTagsCommand,
  CreateModelPackageCommand,
  type CreateModelPackageCommandInput,
  CreateModelPackageGroupCommand,
  CreateEndpointConfigCommand,
  CreateEndpointCommand,
  CreateModelCommand,
  DeleteModelPackageCommand,
  DeleteModelPackageGroupCommand,
  DescribeModelCommand,
  waitUntilEndpointInService,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { type LocalSageMaker, type PersistedSageMaker, type SageMakerEvent, startLocalSageMaker } from '../src';
import { BUCKET, credentials, type Harness, MEAN_IMAGE, REGISTRY, startHarness } from './helpers';

jest.setTimeout(60_000);

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012';
const events: SageMakerEvent[] = [];
let h: Harness;
let sm: SageMakerClient;

beforeAll(async () => {
  h = await startHarness({ onEvent: (e) => events.push(e) });
  sm = h.sagemaker;
});
afterAll(async () => {
  await h?.close();
});

const inference = (modelDataUrl = `s3://${BUCKET}/models/mean/model.tar.gz`) => ({
  Containers: [{ Image: MEAN_IMAGE, ModelDataUrl: modelDataUrl }],
  SupportedContentTypes: ['text/csv'],
  SupportedResponseMIMETypes: ['text/csv'],
  SupportedTransformInstanceTypes: ['ml.m5.large' as const],
  SupportedRealtimeInferenceInstanceTypes: ['ml.t2.medium' as const],
});

const register = async (group: string, extra: Partial<CreateModelPackageCommandInput> = {}) =>
  (await sm.send(new CreateModelPackageCommand({ ModelPackageGroupName: group, InferenceSpecification: inference(), ...extra }))).ModelPackageArn!;

/** The error a call fails with: its SDK name (the AWS error code) and message. */
async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('model package groups', () => {
  it('creates, refuses a duplicate, describes by name or ARN, and answers a missing one as SageMaker does', async () => {
    const { ModelPackageGroupArn } = await sm.send(
      new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'Mean-Models', ModelPackageGroupDescription: 'mean regressors', Tags: [{ Key: 'team', Value: 'mlops' }] }),
    );
    expect(ModelPackageGroupArn).toBe(`${ARN}:model-package-group/mean-models`);

    const duplicate = await failure(sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'mean-models' })));
    expect(duplicate).toEqual({ name: 'ValidationException', message: `Model Package Group already exists: ${ARN}:model-package-group/mean-models`, status: 400 });

    const { $metadata: _m, ...described } = await sm.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'Mean-Models' }));
    expect(described).toEqual({
      ModelPackageGroupName: 'Mean-Models',
      ModelPackageGroupArn,
      ModelPackageGroupDescription: 'mean regressors',
      CreationTime: expect.any(Date),
      CreatedBy: {},
      ModelPackageGroupStatus: 'Completed',
    });
    const byArn = await sm.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: ModelPackageGroupArn }));
    expect(byArn.ModelPackageGroupName).toBe('Mean-Models');

    const missing = await failure(sm.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'no-such-group' })));
    expect(missing).toEqual({ name: 'ValidationException', message: `ModelPackageGroup ${ARN}:model-package-group/no-such-group does not exist.`, status: 400 });
  });

  it('lists groups with NameContains, sorting and pages', async () => {
    for (const name of ['list-b', 'list-a', 'list-c']) await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: name }));
    const names = (r: { ModelPackageGroupSummaryList?: { ModelPackageGroupName?: string }[] }) => r.ModelPackageGroupSummaryList!.map((g) => g.ModelPackageGroupName);
    const first = await sm.send(new ListModelPackageGroupsCommand({ NameContains: 'list-', SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 2 }));
    expect(names(first)).toEqual(['list-a', 'list-b']);
    expect(first.ModelPackageGroupSummaryList![0]).toEqual({
      ModelPackageGroupName: 'list-a',
      ModelPackageGroupArn: `${ARN}:model-package-group/list-a`,
      CreationTime: expect.any(Date),
      ModelPackageGroupStatus: 'Completed',
    });
    const second = await sm.send(new ListModelPackageGroupsCommand({ NameContains: 'list-', SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 2, NextToken: first.NextToken }));
    expect(names(second)).toEqual(['list-c']);
    expect(second.NextToken).toBeUndefined();
    expect(names(await sm.send(new ListModelPackageGroupsCommand({ NameContains: 'list-' })))).toEqual(['list-c', 'list-a', 'list-b']);
  });

  it('is validated against the API model', async () => {
    const bad = await failure(sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'bad_name' })));
    expect(bad.name).toBe('ValidationException');
    expect(bad.message).toMatch(/^1 validation error detected: Value 'bad_name' at 'modelPackageGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
  });
});

describe('versioned model packages', () => {
  beforeAll(async () => {
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'abalone' }));
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'iris' }));
  });

  it('numbers versions per group, each group independently', async () => {
    expect(await register('abalone')).toBe(`${ARN}:model-package/abalone/1`);
    expect(await register('iris')).toBe(`${ARN}:model-package/iris/1`);
    expect(await register('abalone')).toBe(`${ARN}:model-package/abalone/2`);
    expect(await register(`${ARN}:model-package-group/iris`)).toBe(`${ARN}:model-package/iris/2`);
  });

  it('describes a package: PendingManualApproval by default, Completed, what it was given kept', async () => {
    const arn = await register('abalone', {
      ModelPackageDescription: 'trained on run 42',
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `s3://${BUCKET}/eval/evaluation.json` } } },
      CustomerMetadataProperties: { rmse: '2.13', run: '42' },
      MetadataProperties: { GeneratedBy: 'mlops-train', CommitId: 'abc123' },
    });
    const { $metadata: _m, ...d } = await sm.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(d).toEqual({
      ModelPackageName: 'abalone',
      ModelPackageGroupName: 'abalone',
      ModelPackageVersion: 3,
      ModelPackageArn: arn,
      ModelPackageDescription: 'trained on run 42',
      CreationTime: expect.any(Date),
      InferenceSpecification: inference(),
      ModelPackageStatus: 'Completed',
      ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
      CertifyForMarketplace: false,
      ModelApprovalStatus: 'PendingManualApproval',
      CreatedBy: {},
      MetadataProperties: { GeneratedBy: 'mlops-train', CommitId: 'abc123' },
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `s3://${BUCKET}/eval/evaluation.json` } } },
      LastModifiedTime: d.CreationTime,
      LastModifiedBy: {},
      CustomerMetadataProperties: { rmse: '2.13', run: '42' },
    });
  });

  it('gives back the same package for a repeated ClientToken', async () => {
    const first = await register('iris', { ClientToken: 'pipeline-run-7' });
    const again = await register('iris', { ClientToken: 'pipeline-run-7' });
    expect(again).toBe(first);
    expect(await register('iris')).toBe(`${ARN}:model-package/iris/${Number(first.split('/').pop()) + 1}`);
  });

  it('refuses a package for a missing group, and model data that is not an S3 location, naming the member', async () => {
    expect(await failure(register('no-such-group'))).toEqual({ name: 'ValidationException', message: 'Model Package Group does not exist.', status: 400 });
    const notUrl = await failure(sm.send(new CreateModelPackageCommand({ ModelPackageGroupName: 'iris', InferenceSpecification: inference('model.tar.gz') })));
    expect(notUrl.name).toBe('ValidationException');
    expect(notUrl.message).toMatch(/Value 'model\.tar\.gz' at 'inferenceSpecification\.containers\.1\.member\.modelDataUrl' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    const notS3 = await failure(sm.send(new CreateModelPackageCommand({ ModelPackageGroupName: 'iris', InferenceSpecification: inference('https://example.com/model.tar.gz') })));
    expect(notS3.name).toBe('ValidationException');
    expect(notS3.message).toMatch(/at 'inferenceSpecification\.containers\.1\.member\.modelDataUrl'/);
    const missingPackage = await failure(sm.send(new DescribeModelPackageCommand({ ModelPackageName: `${ARN}:model-package/iris/99` })));
    expect(missingPackage).toEqual({ name: 'ValidationException', message: `ModelPackage ${ARN}:model-package/iris/99 does not exist.`, status: 400 });
  });

  it('emits "SageMaker Model Package State Change" on creation and when an update changes the approval', async () => {
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'events' }));
    events.length = 0;
    const arn = await register('events', {
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `s3://${BUCKET}/eval/e.json` } } },
      CustomerMetadataProperties: { rmse: '1.9' },
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      source: 'aws.sagemaker',
      'detail-type': 'SageMaker Model Package State Change',
      resources: [arn],
      detail: { ModelPackageName: 'events/1', ModelPackageGroupName: 'events', ModelPackageVersion: 1, ModelPackageArn: arn, ModelApprovalStatus: 'PendingManualApproval', ModelPackageStatus: 'Completed' },
    });

    await sm.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, CustomerMetadataProperties: { reviewer: 'ana' } }));
    expect(events).toHaveLength(1);
    const updated = await sm.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved', ApprovalDescription: 'rmse below 2' }));
    expect(updated.ModelPackageArn).toBe(arn);
    expect(events).toHaveLength(2);
    const described = await sm.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    const e = events[1]!;
    expect(e.resources).toEqual([arn]);
    expect(e.time).toBeInstanceOf(Date);
    expect(e.detail).toEqual({
      ModelPackageName: 'events/1',
      ModelPackageGroupName: 'events',
      ModelPackageVersion: 1,
      ModelPackageArn: arn,
      CreationTime: described.CreationTime!.getTime(),
      InferenceSpecification: inference(),
      ModelPackageStatus: 'Completed',
      ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
      CertifyForMarketplace: false,
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'rmse below 2',
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `s3://${BUCKET}/eval/e.json` } } },
      CustomerMetadataProperties: { rmse: '1.9', reviewer: 'ana' },
      LastModifiedTime: described.LastModifiedTime!.getTime(),
      UpdatedModelPackageFields: ['ModelApprovalStatus', 'ApprovalDescription'],
    });
    expect(described).toMatchObject({ ModelApprovalStatus: 'Approved', ApprovalDescription: 'rmse below 2' });

    const back = await failure(sm.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'PendingManualApproval' })));
    expect(back.name).toBe('ValidationException');
    expect(events).toHaveLength(2);
    await sm.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ModelApprovalStatus: 'Rejected' }));
    expect(events.map((x) => x.detail.ModelApprovalStatus)).toEqual(['PendingManualApproval', 'Approved', 'Rejected']);
  });

  it('lists packages: a group newest first, approval filter, sorting, pages, and unversioned-only by default', async () => {
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'listing' }));
    for (let i = 0; i < 3; i++) await register('listing');
    await register('listing', { ModelApprovalStatus: 'Approved' });
    const versions = (r: { ModelPackageSummaryList?: { ModelPackageVersion?: number }[] }) => r.ModelPackageSummaryList!.map((p) => p.ModelPackageVersion);

    const all = await sm.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'listing' }));
    expect(versions(all)).toEqual([4, 3, 2, 1]);
    expect(all.ModelPackageSummaryList![0]).toEqual({
      ModelPackageGroupName: 'listing',
      ModelPackageVersion: 4,
      ModelPackageArn: `${ARN}:model-package/listing/4`,
      CreationTime: expect.any(Date),
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: 'Approved',
    });
    const approved = await sm.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'listing', ModelApprovalStatus: 'Approved', SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 1 }));
    expect(versions(approved)).toEqual([4]);

    const page1 = await sm.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'listing', SortOrder: 'Ascending', MaxResults: 3 }));
    expect(versions(page1)).toEqual([1, 2, 3]);
    const page2 = await sm.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'listing', SortOrder: 'Ascending', MaxResults: 3, NextToken: page1.NextToken }));
    expect(versions(page2)).toEqual([4]);
    expect(page2.NextToken).toBeUndefined();

    expect((await sm.send(new ListModelPackagesCommand({}))).ModelPackageSummaryList).toEqual([]);
    const both = await sm.send(new ListModelPackagesCommand({ ModelPackageType: 'Both', NameContains: 'listin', SortBy: 'Name', SortOrder: 'Ascending' }));
    expect(versions(both)).toEqual([1, 2, 3, 4]);
  });

  it('tags groups and packages (AddTags, ListTags, Tags on create)', async () => {
    const group = `${ARN}:model-package-group/mean-models`;
    expect((await sm.send(new ListTagsCommand({ ResourceArn: group }))).Tags).toEqual([{ Key: 'team', Value: 'mlops' }]);
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'tagged' }));
    const pkg = await register('tagged', { Tags: [{ Key: 'stage', Value: 'candidate' }] });
    await sm.send(new AddTagsCommand({ ResourceArn: pkg, Tags: [{ Key: 'owner', Value: 'ana' }] }));
    expect((await sm.send(new ListTagsCommand({ ResourceArn: pkg }))).Tags).toEqual([
      { Key: 'stage', Value: 'candidate' },
      { Key: 'owner', Value: 'ana' },
    ]);
    const missing = await failure(sm.send(new ListTagsCommand({ ResourceArn: `${ARN}:model-package/tagged/9` })));
    expect(missing).toEqual({ name: 'ValidationException', message: `Resource ${ARN}:model-package/tagged/9 does not exist.`, status: 400 });
  });
});

describe('models from a model package (CreateModel with ModelPackageName)', () => {
  const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
  let packageArn: string;

  beforeAll(async () => {
    // A mean model (model.json, what the mean image serves) packed as SageMaker packs model data.
    const dir = fs.mkdtempSync(path.join(h.tmp, 'pkg-model-'));
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ mean: 10 }));
    execFileSync('tar', ['-czf', path.join(h.tmp, 'pkg-model.tar.gz'), '-C', dir, 'model.json']);
    await h.put('models/pkg/model.tar.gz', fs.readFileSync(path.join(h.tmp, 'pkg-model.tar.gz')));
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'from-package' }));
    packageArn = await register('from-package', {
      InferenceSpecification: { ...inference(`s3://${BUCKET}/models/pkg/model.tar.gz`), Containers: [{ Image: MEAN_IMAGE, ModelDataUrl: `s3://${BUCKET}/models/pkg/model.tar.gz`, Environment: { FROM: 'package', BOTH: 'package' } }] },
    });
  });

  it('runs the package`s inference container (Image, ModelDataUrl) and describes the container by ModelPackageName', async () => {
    // Not approved: SageMaker documents no approval requirement for CreateModel (approval gates deployment by convention).
    expect((await sm.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn }))).ModelApprovalStatus).toBe('PendingManualApproval');
    const { ModelArn } = await sm.send(
      new CreateModelCommand({ ModelName: 'from-package-1', ExecutionRoleArn: ROLE, PrimaryContainer: { ModelPackageName: packageArn, Environment: { BOTH: 'model' } } }),
    );
    expect(ModelArn).toBe(`${ARN}:model/from-package-1`);
    const described = await sm.send(new DescribeModelCommand({ ModelName: 'from-package-1' }));
    expect(described.PrimaryContainer).toEqual({ ModelPackageName: packageArn, Mode: 'SingleModel', Environment: { BOTH: 'model' } });
    expect(h.sm.state.snapshot().models.find((m) => m.name === 'from-package-1')).toMatchObject({ image: MEAN_IMAGE, modelDataUrl: `s3://${BUCKET}/models/pkg/model.tar.gz` });

    await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: 'from-package-cfg', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'from-package-1', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }] }));
    await sm.send(new CreateEndpointCommand({ EndpointName: 'from-package-ep', EndpointConfigName: 'from-package-cfg' }));
    expect((await waitUntilEndpointInService({ client: sm, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: 'from-package-ep' })).state).toBe('SUCCESS');
    const res = await h.runtime.send(new InvokeEndpointCommand({ EndpointName: 'from-package-ep', Body: Buffer.from('1,2\n'), ContentType: 'text/csv' }));
    expect(Buffer.from(res.Body!).toString().trim()).toBe('13'); // mean 10 from the package's model data + 1 + 2
    const inst = h.sm.state.snapshot().endpoints.find((e) => e.name === 'from-package-ep')!.instances[0]!;
    const debug = (await (await fetch(`http://127.0.0.1:${inst.port}/debug`)).json()) as { env: Record<string, string> };
    expect(debug.env).toMatchObject({ FROM: 'package', BOTH: 'model' });
  });

  it('takes the package by its versioned name <group>/<version> too', async () => {
    await sm.send(new CreateModelCommand({ ModelName: 'from-package-2', ExecutionRoleArn: ROLE, PrimaryContainer: { ModelPackageName: `from-package/${packageArn.split('/').pop()}` } }));
    expect(h.sm.state.snapshot().models.find((m) => m.name === 'from-package-2')).toMatchObject({ image: MEAN_IMAGE });
  });

  it('refuses a package that does not exist, and creates no model', async () => {
    const missing = `${ARN}:model-package/from-package/99`;
    const e = await failure(sm.send(new CreateModelCommand({ ModelName: 'from-package-3', ExecutionRoleArn: ROLE, PrimaryContainer: { ModelPackageName: missing } })));
    expect(e).toEqual({ name: 'ValidationException', message: `ModelPackage ${missing} does not exist. (primaryContainer.modelPackageName)`, status: 400 });
    expect(h.sm.state.snapshot().models.find((m) => m.name === 'from-package-3')).toBeUndefined();
  });

  it('is validated against the API model (ModelPackageName pattern)', async () => {
    const e = await failure(sm.send(new CreateModelCommand({ ModelName: 'from-package-4', ExecutionRoleArn: ROLE, PrimaryContainer: { ModelPackageName: 'not a name!' } })));
    expect(e.name).toBe('ValidationException');
    expect(e.message).toMatch(/primaryContainer\.modelPackageName/);
  });
});

describe('a restarted server', () => {
  let restarted: LocalSageMaker | undefined;
  let client: SageMakerClient;
  const restartedEvents: SageMakerEvent[] = [];

  beforeAll(async () => {
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'durable', ModelPackageGroupDescription: 'kept across restarts' }));
    const one = await register('durable', { ClientToken: 'durable-run-1', CustomerMetadataProperties: { rmse: '2.0' } });
    await register('durable');
    await sm.send(new UpdateModelPackageCommand({ ModelPackageArn: one, ModelApprovalStatus: 'Approved' }));
    // Through JSON, as the offline stack keeps it on disk (here ISO strings are revived as Dates).
    const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    const saved = JSON.parse(JSON.stringify(h.sm.exportState()), (_k, v: unknown) => (typeof v === 'string' && ISO.test(v) ? new Date(v) : v)) as PersistedSageMaker;
    restarted = await startLocalSageMaker({
      workDir: path.join(h.tmp, 'work-registry'),
      s3: { endpoint: h.s3Endpoint, credentials },
      imageRegistry: REGISTRY,
      restore: saved,
      onEvent: (e) => restartedEvents.push(e),
    });
    client = new SageMakerClient({ endpoint: restarted.endpoint, region: 'us-east-1', credentials });
  });
  afterAll(async () => {
    client?.destroy();
    await restarted?.close();
  });

  it('keeps groups and packages as they were', async () => {
    for (const name of ['durable', 'abalone']) {
      const { $metadata: _a, ...before } = await sm.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name }));
      const { $metadata: _b, ...after } = await client.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name }));
      expect(after).toEqual(before);
    }
    for (const arn of [`${ARN}:model-package/durable/1`, `${ARN}:model-package/durable/2`, `${ARN}:model-package/events/1`]) {
      const { $metadata: _a, ...before } = await sm.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
      const { $metadata: _b, ...after } = await client.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
      expect(after).toEqual(before);
    }
    const listed = await client.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'durable', ModelApprovalStatus: 'Approved' }));
    expect(listed.ModelPackageSummaryList!.map((p) => p.ModelPackageVersion)).toEqual([1]);
    expect((await client.send(new ListTagsCommand({ ResourceArn: `${ARN}:model-package-group/mean-models` }))).Tags).toEqual([{ Key: 'team', Value: 'mlops' }]);
  });

  it('continues each group`s versions where they were, and remembers ClientTokens', async () => {
    expect((await client.send(new CreateModelPackageCommand({ ModelPackageGroupName: 'durable', InferenceSpecification: inference() }))).ModelPackageArn).toBe(`${ARN}:model-package/durable/3`);
    expect((await client.send(new CreateModelPackageCommand({ ModelPackageGroupName: 'abalone', InferenceSpecification: inference() }))).ModelPackageArn).toBe(`${ARN}:model-package/abalone/4`);
    const again = await client.send(new CreateModelPackageCommand({ ModelPackageGroupName: 'durable', InferenceSpecification: inference(), ClientToken: 'durable-run-1' }));
    expect(again.ModelPackageArn).toBe(`${ARN}:model-package/durable/1`);
    expect(restartedEvents.map((e) => e.resources[0])).toEqual([`${ARN}:model-package/durable/3`, `${ARN}:model-package/abalone/4`]);
  });
});

describe('deleting from the registry (DeleteModelPackage, DeleteModelPackageGroup)', () => {
  const groupArn = `${ARN}:model-package-group/del-models`;
  const versions = async (group: string) =>
    ((await sm.send(new ListModelPackagesCommand({ ModelPackageGroupName: group, SortOrder: 'Ascending' }))).ModelPackageSummaryList ?? []).map((p) => p.ModelPackageVersion);

  beforeAll(async () => {
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'Del-Models', Tags: [{ Key: 'team', Value: 'mlops' }] }));
    for (let i = 0; i < 3; i++) await register('del-models');
  });

  it('deletes a version by ARN or <group>/<version>; the others keep their numbers and the next is never a reused one', async () => {
    const tagged = await register('del-models', { Tags: [{ Key: 'run', Value: '4' }] });
    expect(await sm.send(new DeleteModelPackageCommand({ ModelPackageName: `${ARN}:model-package/del-models/2` }))).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    await sm.send(new DeleteModelPackageCommand({ ModelPackageName: 'del-models/4' }));
    expect(await versions('del-models')).toEqual([1, 3]);
    const gone = await failure(sm.send(new DescribeModelPackageCommand({ ModelPackageName: tagged })));
    expect(gone).toEqual({ name: 'ValidationException', message: `ModelPackage ${tagged} does not exist.`, status: 400 });
    // Its tags went with it: the ARN names no resource any more.
    expect((await failure(sm.send(new ListTagsCommand({ ResourceArn: tagged })))).message).toBe(`Resource ${tagged} does not exist.`);
    expect(await register('del-models')).toBe(`${ARN}:model-package/del-models/5`);
  });

  it('answers a missing package with ValidationException, and validates the name against the API model', async () => {
    const missing = await failure(sm.send(new DeleteModelPackageCommand({ ModelPackageName: 'del-models/99' })));
    expect(missing).toEqual({ name: 'ValidationException', message: `ModelPackage ${ARN}:model-package/del-models/99 does not exist.`, status: 400 });
    const bad = await failure(sm.send(new DeleteModelPackageCommand({ ModelPackageName: 'del_models/1' })));
    expect(bad.name).toBe('ValidationException');
    expect(bad.message).toMatch(/^1 validation error detected: Value 'del_models\/1' at 'modelPackageName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
  });

  it('refuses to delete a group that still has versions (ConflictException), and deletes it, tags included, once empty', async () => {
    const conflict = await failure(sm.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'del-models' })));
    expect(conflict).toEqual({
      name: 'ConflictException',
      message: `Model Package Group ${groupArn} cannot be deleted while it contains model packages (3): delete them first with DeleteModelPackage.`,
      status: 400,
    });
    for (const v of await versions('del-models')) await sm.send(new DeleteModelPackageCommand({ ModelPackageName: `del-models/${v}` }));
    await sm.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: groupArn }));
    const described = await failure(sm.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'Del-Models' })));
    expect(described).toEqual({ name: 'ValidationException', message: `ModelPackageGroup ${groupArn} does not exist.`, status: 400 });
    expect((await failure(sm.send(new ListTagsCommand({ ResourceArn: groupArn })))).message).toBe(`Resource ${groupArn} does not exist.`);
    expect((await sm.send(new ListModelPackageGroupsCommand({ NameContains: 'del-models' }))).ModelPackageGroupSummaryList).toEqual([]);
  });

  it('answers a missing group with ValidationException, and validates the name against the API model', async () => {
    const missing = await failure(sm.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'no-such-group' })));
    expect(missing).toEqual({ name: 'ValidationException', message: `ModelPackageGroup ${ARN}:model-package-group/no-such-group does not exist.`, status: 400 });
    const bad = await failure(sm.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'a/1' })));
    expect(bad.name).toBe('ValidationException');
    expect(bad.message).toMatch(/^1 validation error detected: Value 'a\/1' at 'modelPackageGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
  });
});

describe('a restarted server after deletions', () => {
  let restarted: LocalSageMaker | undefined;
  let client: SageMakerClient;

  beforeAll(async () => {
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'pruned' }));
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'dropped' }));
    for (let i = 0; i < 3; i++) await register('pruned');
    await sm.send(new DeleteModelPackageCommand({ ModelPackageName: 'pruned/1' }));
    await sm.send(new DeleteModelPackageCommand({ ModelPackageName: 'pruned/3' }));
    await sm.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'dropped' }));
    const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    const saved = JSON.parse(JSON.stringify(h.sm.exportState()), (_k, v: unknown) => (typeof v === 'string' && ISO.test(v) ? new Date(v) : v)) as PersistedSageMaker;
    restarted = await startLocalSageMaker({ workDir: path.join(h.tmp, 'work-registry-deleted'), s3: { endpoint: h.s3Endpoint, credentials }, imageRegistry: REGISTRY, restore: saved });
    client = new SageMakerClient({ endpoint: restarted.endpoint, region: 'us-east-1', credentials });
  });
  afterAll(async () => {
    client?.destroy();
    await restarted?.close();
  });

  it('keeps deleted packages and groups deleted, and the group`s next version past the deleted ones', async () => {
    const listed = await client.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'pruned' }));
    expect(listed.ModelPackageSummaryList!.map((p) => p.ModelPackageVersion)).toEqual([2]);
    expect((await failure(client.send(new DescribeModelPackageCommand({ ModelPackageName: 'pruned/3' })))).message).toBe(`ModelPackage ${ARN}:model-package/pruned/3 does not exist.`);
    expect((await failure(client.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'dropped' })))).message).toBe(`ModelPackageGroup ${ARN}:model-package-group/dropped does not exist.`);
    const next = await client.send(new CreateModelPackageCommand({ ModelPackageGroupName: 'pruned', InferenceSpecification: inference() }));
    expect(next.ModelPackageArn).toBe(`${ARN}:model-package/pruned/4`);
  });
});
