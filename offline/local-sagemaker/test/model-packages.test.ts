/**
 * The model registry stores on their own (no server): model package groups, versioned packages,
 * approval updates and the "SageMaker Model Package State Change" events, listing, and
 * exportState-style records put back into new stores.
 */
import { Arns } from '../src/arn';
import type { Clock, SageMakerEvent } from '../src/context';
import type { AwsError } from '../src/errors';
import { ModelPackageGroupStore, ModelPackageStore, type RegistryContext } from '../src/model-packages';
import { TagStore } from '../src/tags';

const ACCOUNT = '123456789012';
const ARN = `arn:aws:sagemaker:us-east-1:${ACCOUNT}`;
const IMAGE = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/mean-model:1.0`;

let t: number;
let events: SageMakerEvent[];
let errors: string[];
let ctx: RegistryContext;
let tags: TagStore;
let groups: ModelPackageGroupStore;
let packages: ModelPackageStore;

/** Each now() is one second after the previous one, so creation times are distinct. */
const clock: Clock = { now: () => new Date((t += 1000)), realMs: (s) => s * 1000 };

function stores(): void {
  tags = new TagStore();
  groups = new ModelPackageGroupStore(ctx, tags);
  packages = new ModelPackageStore(ctx, groups, tags);
}

beforeEach(() => {
  t = Date.UTC(2025, 0, 1);
  events = [];
  errors = [];
  ctx = {
    arns: new Arns('us-east-1', ACCOUNT),
    clock,
    logger: { info() {}, warn() {}, error: (m) => errors.push(m) },
    onEvent: (e) => events.push(e),
  };
  stores();
});

/** The AwsError a call throws. */
function failure(f: () => unknown): AwsError {
  try {
    f();
  } catch (e) {
    return e as AwsError;
  }
  throw new Error('expected the call to fail');
}

const spec = (modelDataUrl = 's3://bucket/models/model.tar.gz') => ({
  Containers: [{ Image: IMAGE, ModelDataUrl: modelDataUrl }],
  SupportedContentTypes: ['text/csv'],
  SupportedResponseMIMETypes: ['text/csv'],
  SupportedTransformInstanceTypes: ['ml.m5.large'],
  SupportedRealtimeInferenceInstanceTypes: ['ml.t2.medium'],
});

const register = (group: string, extra: Record<string, unknown> = {}) =>
  packages.create({ ModelPackageGroupName: group, InferenceSpecification: spec(), ...extra }).ModelPackageArn;

describe('model package groups', () => {
  it('creates a group whose ARN has the lower-cased name, and describes it by name or ARN', () => {
    const { ModelPackageGroupArn } = groups.create({ ModelPackageGroupName: 'Abalone-Models', ModelPackageGroupDescription: 'abalone regressors' });
    expect(ModelPackageGroupArn).toBe(`${ARN}:model-package-group/abalone-models`);
    const described = groups.describe({ ModelPackageGroupName: 'Abalone-Models' });
    expect(described).toEqual({
      ModelPackageGroupName: 'Abalone-Models',
      ModelPackageGroupArn,
      ModelPackageGroupDescription: 'abalone regressors',
      CreationTime: new Date(Date.UTC(2025, 0, 1, 0, 0, 1)),
      CreatedBy: {},
      ModelPackageGroupStatus: 'Completed',
      ManagedConfiguration: undefined,
    });
    expect(groups.describe({ ModelPackageGroupName: ModelPackageGroupArn })).toEqual(described);
  });

  it('refuses a second group of the same name (in any case) as SageMaker does', () => {
    groups.create({ ModelPackageGroupName: 'abalone' });
    const e = failure(() => groups.create({ ModelPackageGroupName: 'Abalone' }));
    expect(e.code).toBe('ValidationException');
    expect(e.message).toBe(`Model Package Group already exists: ${ARN}:model-package-group/abalone`);
  });

  it('answers a missing group with its ARN', () => {
    const e = failure(() => groups.describe({ ModelPackageGroupName: 'Nope' }));
    expect(e.code).toBe('ValidationException');
    expect(e.message).toBe(`ModelPackageGroup ${ARN}:model-package-group/nope does not exist.`);
    expect(failure(() => groups.describe({ ModelPackageGroupName: `${ARN}:model-package-group/gone` })).message).toBe(`ModelPackageGroup ${ARN}:model-package-group/gone does not exist.`);
  });

  it('lists with NameContains, time bounds, sorting and paging; nothing is shared from other accounts', () => {
    for (const name of ['b-group', 'a-group', 'c-other']) groups.create({ ModelPackageGroupName: name });
    const names = (r: Record<string, unknown>) => (r.ModelPackageGroupSummaryList as { ModelPackageGroupName: string }[]).map((g) => g.ModelPackageGroupName);
    expect(names(groups.list({}))).toEqual(['c-other', 'a-group', 'b-group']);
    expect(names(groups.list({ SortBy: 'Name', SortOrder: 'Ascending' }))).toEqual(['a-group', 'b-group', 'c-other']);
    expect(names(groups.list({ NameContains: 'GROUP' }))).toEqual(['a-group', 'b-group']);
    const second = groups.get('a-group')!.creationTime;
    expect(names(groups.list({ CreationTimeAfter: second.getTime() / 1000 }))).toEqual(['c-other']);
    const first = groups.list({ MaxResults: 2, SortBy: 'Name', SortOrder: 'Ascending' });
    expect(names(first)).toEqual(['a-group', 'b-group']);
    expect(names(groups.list({ MaxResults: 2, SortBy: 'Name', SortOrder: 'Ascending', NextToken: first.NextToken as string }))).toEqual(['c-other']);
    expect(groups.list({ CrossAccountFilterOption: 'CrossAccount' }).ModelPackageGroupSummaryList).toEqual([]);
    expect(groups.list({})).toMatchObject({ ModelPackageGroupSummaryList: expect.arrayContaining([expect.objectContaining({ ModelPackageGroupStatus: 'Completed' })]) });
  });
});

describe('versioned model packages', () => {
  beforeEach(() => {
    groups.create({ ModelPackageGroupName: 'Abalone' });
    groups.create({ ModelPackageGroupName: 'iris' });
  });

  it('numbers versions 1, 2, 3 per group, each group on its own', () => {
    expect(register('Abalone')).toBe(`${ARN}:model-package/abalone/1`);
    expect(register('Abalone')).toBe(`${ARN}:model-package/abalone/2`);
    expect(register('iris')).toBe(`${ARN}:model-package/iris/1`);
    expect(register(`${ARN}:model-package-group/abalone`)).toBe(`${ARN}:model-package/abalone/3`);
    expect(register('iris')).toBe(`${ARN}:model-package/iris/2`);
    expect(groups.get('abalone')!.latestVersion).toBe(3);
  });

  it('describes a package with every member AWS returns, approval PendingManualApproval by default', () => {
    const arn = register('Abalone', {
      ModelPackageDescription: 'first',
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://bucket/eval/evaluation.json' } } },
      CustomerMetadataProperties: { rmse: '2.1' },
      MetadataProperties: { GeneratedBy: 'mlops-train' },
    });
    const d = packages.describe({ ModelPackageName: arn });
    const created = d.CreationTime as Date;
    expect(d).toEqual({
      ModelPackageName: 'Abalone',
      ModelPackageGroupName: 'Abalone',
      ModelPackageVersion: 1,
      ModelPackageRegistrationType: undefined,
      ModelPackageArn: arn,
      ModelPackageDescription: 'first',
      CreationTime: created,
      InferenceSpecification: spec(),
      ModelPackageStatus: 'Completed',
      ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
      CertifyForMarketplace: false,
      ModelApprovalStatus: 'PendingManualApproval',
      CreatedBy: {},
      MetadataProperties: { GeneratedBy: 'mlops-train' },
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://bucket/eval/evaluation.json' } } },
      LastModifiedTime: created,
      LastModifiedBy: {},
      ApprovalDescription: undefined,
      Domain: undefined,
      Task: undefined,
      SamplePayloadUrl: undefined,
      CustomerMetadataProperties: { rmse: '2.1' },
      DriftCheckBaselines: undefined,
      AdditionalInferenceSpecifications: undefined,
      SkipModelValidation: undefined,
      SourceUri: undefined,
      SecurityConfig: undefined,
      ModelCard: undefined,
      ModelLifeCycle: undefined,
      ManagedStorageType: undefined,
    });
    expect(packages.describe({ ModelPackageName: 'abalone/1' }).ModelPackageArn).toBe(arn);
    expect(register('Abalone', { ModelApprovalStatus: 'Approved' })).toBe(`${ARN}:model-package/abalone/2`);
    expect(packages.describe({ ModelPackageName: `${ARN}:model-package/abalone/2` }).ModelApprovalStatus).toBe('Approved');
  });

  it('keeps what it was given apart from the caller (no aliasing)', () => {
    const input = { ModelPackageGroupName: 'iris', InferenceSpecification: spec(), CustomerMetadataProperties: { a: '1' } };
    const arn = packages.create(input).ModelPackageArn;
    input.InferenceSpecification.Containers[0]!.Image = 'changed';
    input.CustomerMetadataProperties.a = 'changed';
    const d = packages.describe({ ModelPackageName: arn });
    expect((d.InferenceSpecification as { Containers: { Image: string }[] }).Containers[0]!.Image).toBe(IMAGE);
    expect(d.CustomerMetadataProperties).toEqual({ a: '1' });
  });

  it('gives back the same package for the same ClientToken, without a new version or event', () => {
    const first = register('Abalone', { ClientToken: 'token-1' });
    const again = register('Abalone', { ClientToken: 'token-1' });
    expect(again).toBe(first);
    expect(register('Abalone', { ClientToken: 'token-2' })).toBe(`${ARN}:model-package/abalone/2`);
    expect(events.map((e) => e.resources[0])).toEqual([first, `${ARN}:model-package/abalone/2`]);
  });

  it('answers a missing package with its ARN', () => {
    expect(failure(() => packages.describe({ ModelPackageName: `${ARN}:model-package/abalone/9` })).message).toBe(`ModelPackage ${ARN}:model-package/abalone/9 does not exist.`);
    expect(failure(() => packages.describe({ ModelPackageName: 'Unversioned' })).message).toBe(`ModelPackage ${ARN}:model-package/unversioned does not exist.`);
  });

  it('refuses a package for a missing group, both names, no name, and unversioned packages', () => {
    const missing = failure(() => register('nope'));
    expect([missing.code, missing.message]).toEqual(['ValidationException', 'Model Package Group does not exist.']);
    expect(failure(() => packages.create({ ModelPackageGroupName: 'iris', ModelPackageName: 'x', InferenceSpecification: spec() })).message).toBe(
      'Both ModelPackageName and ModelPackageGroupName are provided in the input. Cannot determine which one to use.',
    );
    expect(failure(() => packages.create({ InferenceSpecification: spec() })).message).toBe('Missing ARN.');
    expect(failure(() => packages.create({ ModelPackageName: 'marketplace', InferenceSpecification: spec() })).message).toMatch(/local-sagemaker does not emulate: it emulates versioned model packages only/);
    expect(events).toEqual([]);
  });

  it('names the member of a ModelDataUrl that is not an S3 location it can read, and spends no version on it', () => {
    const https = failure(() => packages.create({ ModelPackageGroupName: 'iris', InferenceSpecification: spec('https://example.com/model.tar.gz') }));
    expect(https.code).toBe('ValidationException');
    expect(https.message).toMatch(/^1 validation error detected: Value 'https:\/\/example\.com\/model\.tar\.gz' at 'inferenceSpecification\.containers\.1\.member\.modelDataUrl' failed to satisfy constraint: /);
    const dots = failure(() => packages.create({ ModelPackageGroupName: 'iris', InferenceSpecification: spec('s3://bucket/a/../model.tar.gz') }));
    expect(dots.message).toMatch(/at 'inferenceSpecification\.containers\.1\.member\.modelDataUrl'/);
    const reservedTag = failure(() => register('iris', { Tags: [{ Key: 'aws:owner', Value: 'x' }] }));
    expect(reservedTag.code).toBe('ValidationException');
    expect(register('iris')).toBe(`${ARN}:model-package/iris/1`);
    expect(packages.create({ ModelPackageGroupName: 'iris', InferenceSpecification: spec('https://bucket.s3.us-east-1.amazonaws.com/model.tar.gz') }).ModelPackageArn).toBe(`${ARN}:model-package/iris/2`);
  });

  it('tags the package ARN', () => {
    const arn = register('iris', { Tags: [{ Key: 'family', Value: 'iris' }] });
    expect(tags.list(arn)).toEqual([{ Key: 'family', Value: 'iris' }]);
  });
});

describe('the state change event', () => {
  beforeEach(() => groups.create({ ModelPackageGroupName: 'Abalone' }));

  it('is sent on creation, with the detail SageMaker sends', () => {
    const arn = register('Abalone', {
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://bucket/eval.json' } } },
      CustomerMetadataProperties: { rmse: '2.1' },
    });
    expect(events).toHaveLength(1);
    const e = events[0]!;
    const created = (packages.describe({ ModelPackageName: arn }).CreationTime as Date).getTime();
    expect(e).toEqual({ source: 'aws.sagemaker', 'detail-type': 'SageMaker Model Package State Change', resources: [arn], time: expect.any(Date), detail: expect.any(Object) });
    expect(e.detail).toEqual({
      ModelPackageName: 'Abalone/1',
      ModelPackageGroupName: 'Abalone',
      ModelPackageVersion: 1,
      ModelPackageArn: arn,
      CreationTime: created,
      InferenceSpecification: spec(),
      ModelPackageStatus: 'Completed',
      ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
      CertifyForMarketplace: false,
      ModelApprovalStatus: 'PendingManualApproval',
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://bucket/eval.json' } } },
      CustomerMetadataProperties: { rmse: '2.1' },
      LastModifiedTime: created,
    });
  });

  it('is sent on an update that changes ModelApprovalStatus, and only then', () => {
    const arn = register('Abalone');
    events = [];
    packages.update({ ModelPackageArn: arn, CustomerMetadataProperties: { note: 'reviewed' } });
    packages.update({ ModelPackageArn: arn, ModelApprovalStatus: 'PendingManualApproval' });
    expect(events).toEqual([]);
    packages.update({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved', ApprovalDescription: 'rmse under 2.5' });
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatchObject({
      ModelPackageArn: arn,
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: 'rmse under 2.5',
      CustomerMetadataProperties: { note: 'reviewed' },
      UpdatedModelPackageFields: ['ModelApprovalStatus', 'ApprovalDescription'],
    });
    expect(events[0]!.detail.LastModifiedTime).toBeGreaterThan(events[0]!.detail.CreationTime as number);
    packages.update({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved' });
    expect(events).toHaveLength(1);
    packages.update({ ModelPackageArn: arn, ModelApprovalStatus: 'Rejected' });
    expect(events.map((e) => e.detail.ModelApprovalStatus)).toEqual(['Approved', 'Rejected']);
  });

  it('a receiver that throws is logged and does not fail the call', () => {
    ctx.onEvent = () => {
      throw new Error('receiver down');
    };
    expect(register('Abalone')).toBe(`${ARN}:model-package/abalone/1`);
    expect(errors).toEqual([expect.stringContaining('receiver down')]);
  });
});

describe('UpdateModelPackage', () => {
  let arn: string;
  beforeEach(() => {
    groups.create({ ModelPackageGroupName: 'iris' });
    arn = register('iris', { CustomerMetadataProperties: { a: '1', b: '2' } });
  });

  it('allows the transitions the developer guide lists, and no way back to PendingManualApproval', () => {
    packages.update({ ModelPackageArn: arn, ModelApprovalStatus: 'Rejected' });
    packages.update({ ModelPackageArn: arn, ModelApprovalStatus: 'Approved' });
    packages.update({ ModelPackageArn: arn, ModelApprovalStatus: 'Rejected' });
    const e = failure(() => packages.update({ ModelPackageArn: arn, ModelApprovalStatus: 'PendingManualApproval' }));
    expect(e.code).toBe('ValidationException');
    expect(e.message).toBe(
      `Cannot change the ModelApprovalStatus of ${arn} from Rejected to PendingManualApproval: the valid transitions are PendingManualApproval to Approved or Rejected, Rejected to Approved, and Approved to Rejected.`,
    );
    expect(packages.describe({ ModelPackageName: arn }).ModelApprovalStatus).toBe('Rejected');
  });

  it('merges and removes customer metadata, and moves LastModifiedTime', () => {
    const before = packages.describe({ ModelPackageName: arn }).LastModifiedTime as Date;
    expect(packages.update({ ModelPackageArn: arn, CustomerMetadataProperties: { b: '3', c: '4' }, CustomerMetadataPropertiesToRemove: ['a'] })).toEqual({ ModelPackageArn: arn });
    const d = packages.describe({ ModelPackageName: arn });
    expect(d.CustomerMetadataProperties).toEqual({ b: '3', c: '4' });
    expect((d.LastModifiedTime as Date).getTime()).toBeGreaterThan(before.getTime());
    packages.update({ ModelPackageArn: arn, CustomerMetadataPropertiesToRemove: ['b', 'c'] });
    expect(packages.describe({ ModelPackageName: arn }).CustomerMetadataProperties).toBeUndefined();
  });

  it('refuses a missing package and members it does not emulate', () => {
    expect(failure(() => packages.update({ ModelPackageArn: `${ARN}:model-package/iris/7`, ModelApprovalStatus: 'Approved' })).message).toBe(`ModelPackage ${ARN}:model-package/iris/7 does not exist.`);
    expect(failure(() => packages.update({ ModelPackageArn: arn, SourceUri: 's3://bucket/x' })).message).toMatch(/^UpdateModelPackage: SourceUri is not supported by local-sagemaker/);
  });
});

describe('ListModelPackages', () => {
  const arns = (r: Record<string, unknown>) => (r.ModelPackageSummaryList as { ModelPackageArn: string }[]).map((p) => p.ModelPackageArn.replace(`${ARN}:model-package/`, ''));

  beforeEach(() => {
    groups.create({ ModelPackageGroupName: 'abalone' });
    groups.create({ ModelPackageGroupName: 'iris' });
    register('abalone');
    register('iris');
    register('abalone', { ModelApprovalStatus: 'Approved' });
    register('abalone', { ModelApprovalStatus: 'Rejected' });
  });

  it('lists a group`s versions, newest first by default, as versioned summaries', () => {
    const r = packages.list({ ModelPackageGroupName: 'abalone' });
    expect(arns(r)).toEqual(['abalone/3', 'abalone/2', 'abalone/1']);
    expect((r.ModelPackageSummaryList as Record<string, unknown>[])[0]).toEqual({
      ModelPackageGroupName: 'abalone',
      ModelPackageVersion: 3,
      ModelPackageArn: `${ARN}:model-package/abalone/3`,
      ModelPackageDescription: undefined,
      CreationTime: expect.any(Date),
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: 'Rejected',
      ModelLifeCycle: undefined,
      ModelPackageRegistrationType: undefined,
    });
    expect(arns(packages.list({ ModelPackageGroupName: `${ARN}:model-package-group/abalone`, SortOrder: 'Ascending' }))).toEqual(['abalone/1', 'abalone/2', 'abalone/3']);
  });

  it('filters by approval status, package type and creation time', () => {
    expect(arns(packages.list({ ModelPackageGroupName: 'abalone', ModelApprovalStatus: 'Approved' }))).toEqual(['abalone/2']);
    expect(arns(packages.list({}))).toEqual([]); // SageMaker's default type is Unversioned
    expect(arns(packages.list({ ModelPackageType: 'Both', SortBy: 'Name', SortOrder: 'Ascending' }))).toEqual(['abalone/1', 'abalone/2', 'abalone/3', 'iris/1']);
    expect(arns(packages.list({ ModelPackageGroupName: 'abalone', ModelPackageType: 'Unversioned' }))).toEqual([]);
    expect(arns(packages.list({ ModelPackageGroupName: 'missing' }))).toEqual([]);
    const iris = packages.describe({ ModelPackageName: 'iris/1' }).CreationTime as Date;
    expect(arns(packages.list({ ModelPackageType: 'Versioned', CreationTimeAfter: iris.getTime() / 1000 }))).toEqual(['abalone/3', 'abalone/2']);
    expect(arns(packages.list({ ModelPackageType: 'Versioned', NameContains: 'IRI' }))).toEqual(['iris/1']);
  });

  it('orders versions created in the same instant by version, and pages with a token bound to the filters', () => {
    const frozen: Clock = { now: () => new Date(Date.UTC(2030, 0, 1)), realMs: (s) => s * 1000 };
    ctx.clock = frozen;
    stores();
    groups.create({ ModelPackageGroupName: 'same' });
    for (let i = 0; i < 5; i++) register('same');
    expect(arns(packages.list({ ModelPackageGroupName: 'same' }))).toEqual(['same/5', 'same/4', 'same/3', 'same/2', 'same/1']);
    const first = packages.list({ ModelPackageGroupName: 'same', MaxResults: 2, SortOrder: 'Ascending' });
    expect(arns(first)).toEqual(['same/1', 'same/2']);
    const second = packages.list({ ModelPackageGroupName: 'same', MaxResults: 2, SortOrder: 'Ascending', NextToken: first.NextToken as string });
    expect(arns(second)).toEqual(['same/3', 'same/4']);
    expect(failure(() => packages.list({ ModelPackageGroupName: 'same', ModelApprovalStatus: 'Approved', MaxResults: 2, NextToken: first.NextToken as string })).message).toMatch(/pagination token/);
  });
});

describe('restoring exported records', () => {
  it('keeps groups, packages, approval, ClientTokens and the next version of each group', () => {
    groups.create({ ModelPackageGroupName: 'abalone' });
    const one = register('abalone', { ClientToken: 'run-1' });
    register('abalone');
    packages.update({ ModelPackageArn: one, ModelApprovalStatus: 'Approved', ApprovalDescription: 'ok' });
    const saved = { groups: structuredClone(groups.all()), packages: structuredClone(packages.all()) };
    const before = packages.describe({ ModelPackageName: one });

    stores();
    for (const g of saved.groups) groups.restore(g);
    for (const p of saved.packages) packages.restore(p);
    expect(packages.describe({ ModelPackageName: one })).toEqual(before);
    expect(register('abalone', { ClientToken: 'run-1' })).toBe(one);
    expect(register('abalone')).toBe(`${ARN}:model-package/abalone/3`);
  });
});

describe('DeleteModelPackage', () => {
  beforeEach(() => {
    groups.create({ ModelPackageGroupName: 'abalone' });
    for (let i = 0; i < 3; i++) register('abalone');
  });
  const versions = () => (packages.list({ ModelPackageGroupName: 'abalone', SortOrder: 'Ascending' }).ModelPackageSummaryList as { ModelPackageVersion: number }[]).map((p) => p.ModelPackageVersion);

  it('deletes by ARN or <group>/<version>; the other versions keep their numbers', () => {
    expect(packages.delete({ ModelPackageName: `${ARN}:model-package/abalone/2` })).toEqual({});
    expect(versions()).toEqual([1, 3]);
    expect(packages.describe({ ModelPackageName: 'abalone/3' }).ModelPackageVersion).toBe(3);
    expect(failure(() => packages.describe({ ModelPackageName: 'abalone/2' })).message).toBe(`ModelPackage ${ARN}:model-package/abalone/2 does not exist.`);
    packages.delete({ ModelPackageName: 'Abalone/1' });
    expect(versions()).toEqual([3]);
  });

  it('never reuses a deleted version, the latest one included', () => {
    packages.delete({ ModelPackageName: 'abalone/3' });
    expect(register('abalone')).toBe(`${ARN}:model-package/abalone/4`);
    expect(groups.get('abalone')!.latestVersion).toBe(4);
  });

  it('removes the package`s tags and forgets its ClientToken', () => {
    const tagged = register('abalone', { ClientToken: 'run-9', Tags: [{ Key: 'stage', Value: 'dev' }] });
    packages.delete({ ModelPackageName: tagged });
    expect(tags.list(tagged)).toEqual([]);
    expect(register('abalone', { ClientToken: 'run-9' })).toBe(`${ARN}:model-package/abalone/5`);
  });

  it('answers a missing package as DescribeModelPackage does, and deletes nothing', () => {
    const e = failure(() => packages.delete({ ModelPackageName: 'abalone/7' }));
    expect(e.code).toBe('ValidationException');
    expect(e.message).toBe(`ModelPackage ${ARN}:model-package/abalone/7 does not exist.`);
    packages.delete({ ModelPackageName: 'abalone/1' });
    expect(failure(() => packages.delete({ ModelPackageName: `${ARN}:model-package/abalone/1` })).message).toBe(`ModelPackage ${ARN}:model-package/abalone/1 does not exist.`);
    expect(versions()).toEqual([2, 3]);
  });
});

describe('DeleteModelPackageGroup', () => {
  it('refuses a group that still has versions with ConflictException, then deletes it once they are gone', () => {
    const { ModelPackageGroupArn } = groups.create({ ModelPackageGroupName: 'Abalone', Tags: [{ Key: 'team', Value: 'mlops' }] });
    const one = register('abalone');
    const two = register('abalone');
    const e = failure(() => groups.delete({ ModelPackageGroupName: 'abalone' }));
    expect(e.code).toBe('ConflictException');
    expect(e.status).toBe(400);
    expect(e.message).toBe(`Model Package Group ${ModelPackageGroupArn} cannot be deleted while it contains model packages (2): delete them first with DeleteModelPackage.`);
    packages.delete({ ModelPackageName: one });
    expect(failure(() => groups.delete({ ModelPackageGroupName: ModelPackageGroupArn })).code).toBe('ConflictException');
    packages.delete({ ModelPackageName: two });
    expect(groups.delete({ ModelPackageGroupName: ModelPackageGroupArn })).toEqual({});
    expect(failure(() => groups.describe({ ModelPackageGroupName: 'abalone' })).message).toBe(`ModelPackageGroup ${ModelPackageGroupArn} does not exist.`);
    expect(tags.list(ModelPackageGroupArn)).toEqual([]);
    expect(groups.list({}).ModelPackageGroupSummaryList).toEqual([]);
  });

  it('answers a missing group as DescribeModelPackageGroup does', () => {
    const e = failure(() => groups.delete({ ModelPackageGroupName: 'Nope' }));
    expect(e.code).toBe('ValidationException');
    expect(e.message).toBe(`ModelPackageGroup ${ARN}:model-package-group/nope does not exist.`);
  });

  it('a group created again under the deleted one`s name starts at version 1', () => {
    groups.create({ ModelPackageGroupName: 'again' });
    packages.delete({ ModelPackageName: register('again') });
    groups.delete({ ModelPackageGroupName: 'again' });
    groups.create({ ModelPackageGroupName: 'again' });
    expect(register('again')).toBe(`${ARN}:model-package/again/1`);
  });
});

describe('restoring exported records after deletions', () => {
  it('keeps deleted packages and groups deleted, and the group`s counter past the deleted versions', () => {
    groups.create({ ModelPackageGroupName: 'kept' });
    groups.create({ ModelPackageGroupName: 'gone' });
    register('kept');
    const latest = register('kept', { ClientToken: 'run-2' });
    packages.delete({ ModelPackageName: latest });
    groups.delete({ ModelPackageGroupName: 'gone' });
    const saved = { groups: structuredClone(groups.all()), packages: structuredClone(packages.all()), tags: tags.entries() };

    stores();
    tags.restore(saved.tags);
    for (const g of saved.groups) groups.restore(g);
    for (const p of saved.packages) packages.restore(p);
    expect(failure(() => packages.describe({ ModelPackageName: latest })).code).toBe('ValidationException');
    expect(failure(() => groups.describe({ ModelPackageGroupName: 'gone' })).code).toBe('ValidationException');
    expect(register('kept', { ClientToken: 'run-2' })).toBe(`${ARN}:model-package/kept/3`);
  });
});
