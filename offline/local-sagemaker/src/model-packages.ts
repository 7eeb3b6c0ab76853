import { type Context, type SageMakerEvent, emitEvent } from './context';
import { conflictException, validationException } from './errors';
import { type ListRequest, listResponse } from './listing';
import { checkS3Uri, parseS3Uri } from './s3';
import type { Tag, TagStore } from './tags';
import { clone } from './wire';

/**
 * The model registry: model package groups and the versioned model packages in them
 * (CreateModelPackageGroup, DescribeModelPackageGroup, ListModelPackageGroups, DeleteModelPackageGroup,
 * CreateModelPackage, DescribeModelPackage, ListModelPackages, UpdateModelPackage, DeleteModelPackage).
 * Unversioned packages (AWS Marketplace's) are not emulated. A package is `Completed` as soon as it is
 * created: SageMaker runs no validation for a versioned package without a ValidationSpecification, so
 * nothing is waited for.
 */

export type ModelApprovalStatus = 'Approved' | 'Rejected' | 'PendingManualApproval';

/** What the registry needs of the emulator (its ARNs, its clock, where events go). */
export type RegistryContext = Pick<Context, 'arns' | 'clock' | 'logger' | 'onEvent'>;

export interface ModelPackageGroupRecord {
  name: string;
  arn: string;
  creationTime: Date;
  description?: string;
  managedConfiguration?: unknown;
  /** The version the group's latest package got (0: none yet). Versions count up and are never reused. */
  latestVersion: number;
}

export interface ModelPackageRecord {
  groupName: string;
  version: number;
  arn: string;
  creationTime: Date;
  lastModifiedTime: Date;
  /** What CreateModelPackage was given that DescribeModelPackage reports back as it was (InferenceSpecification, ModelMetrics, ...). */
  spec: Record<string, unknown>;
  approvalStatus: ModelApprovalStatus;
  approvalDescription?: string;
  customerMetadata?: Record<string, string>;
  /** The CreateModelPackage ClientToken: the same token gives back this package instead of a new version. */
  clientToken?: string;
}

/** The CreateModelPackage members DescribeModelPackage reports back unchanged. */
const PASS_THROUGH = [
  'ModelPackageDescription',
  'ModelPackageRegistrationType',
  'InferenceSpecification',
  'CertifyForMarketplace',
  'MetadataProperties',
  'ModelMetrics',
  'Domain',
  'Task',
  'SamplePayloadUrl',
  'DriftCheckBaselines',
  'AdditionalInferenceSpecifications',
  'SkipModelValidation',
  'SourceUri',
  'SecurityConfig',
  'ModelCard',
  'ModelLifeCycle',
  'ManagedStorageType',
] as const;

/** Create members that would make SageMaker run algorithms or validation jobs. */
const UNSUPPORTED_CREATE = ['SourceAlgorithmSpecification', 'ValidationSpecification'] as const;

/** Update members beyond the approval workflow and the customer metadata. */
const UNSUPPORTED_UPDATE = ['ModelPackageRegistrationType', 'AdditionalInferenceSpecificationsToAdd', 'InferenceSpecification', 'SourceUri', 'ModelCard', 'ModelLifeCycle'] as const;

/**
 * The approval transitions SageMaker's developer guide lists as valid ("Update the Approval Status of
 * a Model": PendingManualApproval to Approved or Rejected, Rejected to Approved, Approved to Rejected).
 * Setting the status a package already has changes nothing.
 */
const VALID_TRANSITIONS: Record<ModelApprovalStatus, ModelApprovalStatus[]> = {
  PendingManualApproval: ['Approved', 'Rejected'],
  Rejected: ['Approved'],
  Approved: ['Rejected'],
};

interface ContainerSpec {
  ModelDataUrl?: string;
  ModelDataSource?: { S3DataSource?: { S3Uri?: string } };
  [k: string]: unknown;
}

interface CreateModelPackageRequest {
  ModelPackageName?: string;
  ModelPackageGroupName?: string;
  InferenceSpecification?: { Containers: ContainerSpec[]; [k: string]: unknown };
  AdditionalInferenceSpecifications?: { Containers: ContainerSpec[]; [k: string]: unknown }[];
  ModelApprovalStatus?: ModelApprovalStatus;
  CustomerMetadataProperties?: Record<string, string>;
  ClientToken?: string;
  Tags?: Tag[];
  [k: string]: unknown;
}

interface UpdateModelPackageRequest {
  ModelPackageArn: string;
  ModelApprovalStatus?: ModelApprovalStatus;
  ApprovalDescription?: string;
  CustomerMetadataProperties?: Record<string, string>;
  CustomerMetadataPropertiesToRemove?: string[];
  ClientToken?: string;
  [k: string]: unknown;
}

interface ListModelPackagesRequest extends ListRequest {
  ModelApprovalStatus?: ModelApprovalStatus;
  ModelPackageGroupName?: string;
  ModelPackageType?: 'Versioned' | 'Unversioned' | 'Both';
}

interface ListModelPackageGroupsRequest extends ListRequest {
  CrossAccountFilterOption?: 'SameAccount' | 'CrossAccount';
}

/** Model package groups: CreateModelPackageGroup, DescribeModelPackageGroup, ListModelPackageGroups, DeleteModelPackageGroup. */
export class ModelPackageGroupStore {
  private readonly groups = new Map<string, ModelPackageGroupRecord>();
  /** How many model packages a group holds (the ModelPackageStore over these groups sets it). */
  versionsIn: (group: ModelPackageGroupRecord) => number = () => 0;

  constructor(
    private readonly ctx: RegistryContext,
    private readonly tags: TagStore,
  ) {}

  /** A group by name or ARN (the API's ArnOrName), or undefined. */
  resolve(nameOrArn: string): ModelPackageGroupRecord | undefined {
    if (!nameOrArn.startsWith('arn:')) return this.get(nameOrArn);
    const parsed = this.ctx.arns.parse(nameOrArn);
    return parsed?.type === 'model-package-group' ? this.get(parsed.name) : undefined;
  }

  /** DescribeModelPackageGroup's answer for a group that does not exist. */
  notFound(nameOrArn: string) {
    const arn = nameOrArn.startsWith('arn:') ? nameOrArn : this.ctx.arns.of('model-package-group', nameOrArn);
    return validationException(`ModelPackageGroup ${arn} does not exist.`);
  }

  create(input: { ModelPackageGroupName: string; ModelPackageGroupDescription?: string; Tags?: Tag[]; ManagedConfiguration?: unknown }): { ModelPackageGroupArn: string } {
    const name = input.ModelPackageGroupName;
    const arn = this.ctx.arns.of('model-package-group', name);
    if (this.get(name)) throw validationException(`Model Package Group already exists: ${arn}`);
    this.tags.add(arn, input.Tags);
    this.groups.set(name.toLowerCase(), {
      name,
      arn,
      creationTime: this.ctx.clock.now(),
      description: input.ModelPackageGroupDescription,
      managedConfiguration: clone(input.ManagedConfiguration),
      latestVersion: 0,
    });
    return { ModelPackageGroupArn: arn };
  }

  describe(input: { ModelPackageGroupName: string }): Record<string, unknown> {
    const g = this.resolve(input.ModelPackageGroupName);
    if (!g) throw this.notFound(input.ModelPackageGroupName);
    return {
      ModelPackageGroupName: g.name,
      ModelPackageGroupArn: g.arn,
      ModelPackageGroupDescription: g.description,
      CreationTime: g.creationTime,
      CreatedBy: {},
      ModelPackageGroupStatus: 'Completed',
      ManagedConfiguration: clone(g.managedConfiguration),
    };
  }

  /** Groups shared from other accounts (`CrossAccount`) do not exist here. */
  list(input: ListModelPackageGroupsRequest): Record<string, unknown> {
    const groups = input.CrossAccountFilterOption === 'CrossAccount' ? [] : this.groups.values();
    return listResponse(groups, input, 'ModelPackageGroupSummaryList', (g) => ({
      ModelPackageGroupName: g.name,
      ModelPackageGroupArn: g.arn,
      ModelPackageGroupDescription: g.description,
      CreationTime: g.creationTime,
      ModelPackageGroupStatus: 'Completed',
    }));
  }

  /**
   * DeleteModelPackageGroup by name or ARN: the group and its tags go. A group that still holds model
   * packages is refused with ConflictException, the one error the API model and the API reference list for
   * the operation; AWS's exact message for it was not found (API reference, public issues), so this one
   * follows the style of the others here. A missing group answers as DescribeModelPackageGroup does
   * (`ModelPackageGroup <arn> does not exist.`; callers' cleanup code matches "does not exist" in it);
   * AWS's exact DeleteModelPackageGroup wording was not found either.
   */
  delete(input: { ModelPackageGroupName: string }): Record<string, never> {
    const g = this.resolve(input.ModelPackageGroupName);
    if (!g) throw this.notFound(input.ModelPackageGroupName);
    const versions = this.versionsIn(g);
    if (versions > 0) {
      throw conflictException(`Model Package Group ${g.arn} cannot be deleted while it contains model packages (${versions}): delete them first with DeleteModelPackage.`);
    }
    this.groups.delete(g.name.toLowerCase());
    this.tags.remove(g.arn);
    return {};
  }

  get(name: string): ModelPackageGroupRecord | undefined {
    return this.groups.get(name.toLowerCase());
  }

  all(): ModelPackageGroupRecord[] {
    return [...this.groups.values()];
  }

  /** Puts back a record exportState() wrote (a restarted stack), its version counter included. */
  restore(record: ModelPackageGroupRecord): void {
    this.groups.set(record.name.toLowerCase(), { ...record, latestVersion: record.latestVersion ?? 0 });
  }
}

/** Versioned model packages: CreateModelPackage, DescribeModelPackage, ListModelPackages, UpdateModelPackage, DeleteModelPackage. */
export class ModelPackageStore {
  /** By ARN. */
  private readonly packages = new Map<string, ModelPackageRecord>();
  /** ClientToken → package ARN. */
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly ctx: RegistryContext,
    private readonly groups: ModelPackageGroupStore,
    private readonly tags: TagStore,
  ) {
    groups.versionsIn = (g) => this.inGroup(g.name).length;
  }

  /** The packages of one group (by its name, case-insensitively). */
  inGroup(groupName: string): ModelPackageRecord[] {
    const key = groupName.toLowerCase();
    return [...this.packages.values()].filter((p) => p.groupName.toLowerCase() === key);
  }

  /** A package by ARN, `<group>/<version>` or name (the API's VersionedArnOrName), or undefined. */
  resolve(nameOrArn: string): ModelPackageRecord | undefined {
    if (!nameOrArn.startsWith('arn:')) return this.packages.get(this.ctx.arns.of('model-package', nameOrArn));
    const parsed = this.ctx.arns.parse(nameOrArn);
    return parsed?.type === 'model-package' ? this.packages.get(this.ctx.arns.of('model-package', parsed.name)) : undefined;
  }

  byArn(arn: string): ModelPackageRecord | undefined {
    return this.resolve(arn);
  }

  /** SageMaker's answer for a package that does not exist. */
  notFound(nameOrArn: string) {
    const arn = nameOrArn.startsWith('arn:') ? nameOrArn : this.ctx.arns.of('model-package', nameOrArn);
    return validationException(`ModelPackage ${arn} does not exist.`);
  }

  create(input: Record<string, unknown>): { ModelPackageArn: string } {
    const req = clone(input) as CreateModelPackageRequest;
    if (req.ModelPackageName !== undefined && req.ModelPackageGroupName !== undefined) {
      throw validationException('Both ModelPackageName and ModelPackageGroupName are provided in the input. Cannot determine which one to use.');
    }
    if (req.ModelPackageGroupName === undefined) {
      if (req.ModelPackageName !== undefined) {
        throw validationException(
          'ModelPackageName without ModelPackageGroupName creates an unversioned model package, which local-sagemaker does not emulate: it emulates versioned model packages only. Specify ModelPackageGroupName instead.',
        );
      }
      throw validationException('Missing ARN.');
    }
    if (req.ClientToken !== undefined) {
      const earlier = this.tokens.get(req.ClientToken);
      if (earlier) return { ModelPackageArn: earlier };
    }
    for (const member of UNSUPPORTED_CREATE) {
      if (req[member] !== undefined) throw validationException(`${member} is not supported by local-sagemaker: a versioned model package is described by its InferenceSpecification.`);
    }
    const group = this.groups.resolve(req.ModelPackageGroupName);
    if (!group) throw validationException('Model Package Group does not exist.');
    checkContainers(req.InferenceSpecification?.Containers, 'inferenceSpecification.containers');
    req.AdditionalInferenceSpecifications?.forEach((spec, i) => checkContainers(spec.Containers, `additionalInferenceSpecifications.${i + 1}.member.containers`));

    const version = group.latestVersion + 1;
    const arn = this.ctx.arns.of('model-package', `${group.name}/${version}`);
    this.tags.add(arn, req.Tags); // throws on a reserved key before anything is recorded
    group.latestVersion = version;
    const spec: Record<string, unknown> = {};
    for (const member of PASS_THROUGH) if (req[member] !== undefined) spec[member] = req[member];
    const now = this.ctx.clock.now();
    const record: ModelPackageRecord = {
      groupName: group.name,
      version,
      arn,
      creationTime: now,
      lastModifiedTime: now,
      spec,
      approvalStatus: req.ModelApprovalStatus ?? 'PendingManualApproval',
      customerMetadata: req.CustomerMetadataProperties,
      clientToken: req.ClientToken,
    };
    this.packages.set(arn, record);
    if (req.ClientToken !== undefined) this.tokens.set(req.ClientToken, arn);
    emitEvent(this.ctx, this.stateChange(record));
    return { ModelPackageArn: arn };
  }

  describe(input: { ModelPackageName: string }): Record<string, unknown> {
    const p = this.resolve(input.ModelPackageName);
    if (!p) throw this.notFound(input.ModelPackageName);
    return this.view(p);
  }

  /**
   * Without ModelPackageType, SageMaker lists unversioned packages only, unless a
   * ModelPackageGroupName names the (versioned) packages of one group.
   */
  list(input: ListModelPackagesRequest): Record<string, unknown> {
    const type = input.ModelPackageType ?? (input.ModelPackageGroupName !== undefined ? 'Versioned' : 'Unversioned');
    let items = type === 'Unversioned' ? [] : [...this.packages.values()];
    if (input.ModelPackageGroupName !== undefined) {
      const group = this.groups.resolve(input.ModelPackageGroupName);
      items = group ? items.filter((p) => p.groupName.toLowerCase() === group.name.toLowerCase()) : [];
    }
    if (input.ModelApprovalStatus) items = items.filter((p) => p.approvalStatus === input.ModelApprovalStatus);
    const listable = items.map((p) => ({ name: p.groupName, creationTime: p.creationTime, p }));
    return listResponse(
      listable,
      input,
      'ModelPackageSummaryList',
      ({ p }) => ({
        // A versioned package's summary has no ModelPackageName (only unversioned ones have one).
        ModelPackageGroupName: p.groupName,
        ModelPackageVersion: p.version,
        ModelPackageArn: p.arn,
        ModelPackageDescription: p.spec.ModelPackageDescription,
        CreationTime: p.creationTime,
        ModelPackageStatus: 'Completed',
        ModelApprovalStatus: p.approvalStatus,
        ModelLifeCycle: clone(p.spec.ModelLifeCycle),
        ModelPackageRegistrationType: p.spec.ModelPackageRegistrationType,
      }),
      (a, b) => a.name.localeCompare(b.name) || a.p.version - b.p.version,
    );
  }

  update(input: UpdateModelPackageRequest): { ModelPackageArn: string } {
    const p = this.resolve(input.ModelPackageArn);
    if (!p) throw this.notFound(input.ModelPackageArn);
    for (const member of UNSUPPORTED_UPDATE) {
      if (input[member] !== undefined) {
        throw validationException(
          `UpdateModelPackage: ${member} is not supported by local-sagemaker (it updates ModelApprovalStatus, ApprovalDescription, CustomerMetadataProperties and CustomerMetadataPropertiesToRemove).`,
        );
      }
    }
    const from = p.approvalStatus;
    const to = input.ModelApprovalStatus;
    if (to !== undefined && to !== from && !VALID_TRANSITIONS[from].includes(to)) {
      throw validationException(
        `Cannot change the ModelApprovalStatus of ${p.arn} from ${from} to ${to}: the valid transitions are PendingManualApproval to Approved or Rejected, Rejected to Approved, and Approved to Rejected.`,
      );
    }
    const metadata: Record<string, string> = { ...p.customerMetadata, ...input.CustomerMetadataProperties };
    for (const key of input.CustomerMetadataPropertiesToRemove ?? []) delete metadata[key];
    const count = Object.keys(metadata).length;
    if (count > 50) {
      throw validationException(
        `1 validation error detected: Value '${count} properties' at 'customerMetadataProperties' failed to satisfy constraint: Member must have length less than or equal to 50`,
      );
    }

    const updated: string[] = [];
    if (to !== undefined && to !== from) {
      p.approvalStatus = to;
      updated.push('ModelApprovalStatus');
    }
    if (input.ApprovalDescription !== undefined && input.ApprovalDescription !== p.approvalDescription) {
      p.approvalDescription = input.ApprovalDescription;
      updated.push('ApprovalDescription');
    }
    if (JSON.stringify(sortedEntries(metadata)) !== JSON.stringify(sortedEntries(p.customerMetadata ?? {}))) {
      p.customerMetadata = count > 0 ? metadata : undefined;
      updated.push('CustomerMetadataProperties');
    }
    p.lastModifiedTime = this.ctx.clock.now();
    if (updated.includes('ModelApprovalStatus')) emitEvent(this.ctx, this.stateChange(p, updated));
    return { ModelPackageArn: p.arn };
  }

  /**
   * DeleteModelPackage by ARN or `<group>/<version>` (the API's VersionedArnOrName). The package and its
   * tags go; the other versions keep their numbers and the group's counter stays where it was, so the next
   * package never reuses a deleted version ("Model Registry Models, Model Versions, and Model Groups":
   * versions start at 1 and are incremented with each package added). Its ClientToken is forgotten, so
   * a CreateModelPackage repeating it registers a new version rather than answer a deleted ARN. Models
   * created from the package keep running: CreateModel copied its containers. A package that does not
   * exist answers as DescribeModelPackage does (`ModelPackage <arn> does not exist.`): AWS's exact
   * DeleteModelPackage answer for it was not found in the API reference or public issues. No EventBridge
   * event is sent here (whether SageMaker sends a state change for a deletion was not established).
   */
  delete(input: { ModelPackageName: string }): Record<string, never> {
    const p = this.resolve(input.ModelPackageName);
    if (!p) throw this.notFound(input.ModelPackageName);
    this.packages.delete(p.arn);
    if (p.clientToken !== undefined && this.tokens.get(p.clientToken) === p.arn) this.tokens.delete(p.clientToken);
    this.tags.remove(p.arn);
    return {};
  }

  all(): ModelPackageRecord[] {
    return [...this.packages.values()];
  }

  /** Puts back a record exportState() wrote (a restarted stack); its group's counter never falls behind it. */
  restore(record: ModelPackageRecord): void {
    this.packages.set(record.arn, record);
    if (record.clientToken !== undefined) this.tokens.set(record.clientToken, record.arn);
    const group = this.groups.get(record.groupName);
    if (group && group.latestVersion < record.version) group.latestVersion = record.version;
  }

  /** DescribeModelPackage's answer. */
  private view(p: ModelPackageRecord): Record<string, unknown> {
    const s = clone(p.spec);
    return {
      // For a versioned package SageMaker reports the group's name as ModelPackageName.
      ModelPackageName: p.groupName,
      ModelPackageGroupName: p.groupName,
      ModelPackageVersion: p.version,
      ModelPackageRegistrationType: s.ModelPackageRegistrationType,
      ModelPackageArn: p.arn,
      ModelPackageDescription: s.ModelPackageDescription,
      CreationTime: p.creationTime,
      InferenceSpecification: s.InferenceSpecification,
      ModelPackageStatus: 'Completed',
      ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
      CertifyForMarketplace: s.CertifyForMarketplace ?? false,
      ModelApprovalStatus: p.approvalStatus,
      CreatedBy: {},
      MetadataProperties: s.MetadataProperties,
      ModelMetrics: s.ModelMetrics,
      LastModifiedTime: p.lastModifiedTime,
      LastModifiedBy: {},
      ApprovalDescription: p.approvalDescription,
      Domain: s.Domain,
      Task: s.Task,
      SamplePayloadUrl: s.SamplePayloadUrl,
      CustomerMetadataProperties: p.customerMetadata ? { ...p.customerMetadata } : undefined,
      DriftCheckBaselines: s.DriftCheckBaselines,
      AdditionalInferenceSpecifications: s.AdditionalInferenceSpecifications,
      SkipModelValidation: s.SkipModelValidation,
      SourceUri: s.SourceUri,
      SecurityConfig: s.SecurityConfig,
      ModelCard: s.ModelCard,
      ModelLifeCycle: s.ModelLifeCycle,
      ManagedStorageType: s.ManagedStorageType,
    };
  }

  /**
   * "SageMaker Model Package State Change", as the SageMaker developer guide's example shows it
   * ("Events that Amazon SageMaker AI sends to Amazon EventBridge"): the package's description, with
   * ModelPackageName `<group>/<version>` (the ModelPackage entity's name of a versioned package),
   * timestamps in epoch milliseconds (as events SageMaker sent carry them) and, for an update,
   * UpdatedModelPackageFields.
   */
  private stateChange(p: ModelPackageRecord, updatedFields?: string[]): SageMakerEvent {
    const { CreatedBy: _c, LastModifiedBy: _l, ...described } = this.view(p);
    const detail = clone({
      ...described,
      ModelPackageName: `${p.groupName}/${p.version}`,
      CreationTime: p.creationTime.getTime(),
      LastModifiedTime: p.lastModifiedTime.getTime(),
      UpdatedModelPackageFields: updatedFields,
    });
    return { source: 'aws.sagemaker', 'detail-type': 'SageMaker Model Package State Change', detail, resources: [p.arn], time: this.ctx.clock.now() };
  }
}

function sortedEntries(map: Record<string, string>): [string, string][] {
  return Object.entries(map).sort(([a], [b]) => a.localeCompare(b));
}

/** Model data must be an S3 location local-sagemaker can read, named by its request member as AWS's validation does. */
function checkContainers(containers: ContainerSpec[] | undefined, path: string): void {
  containers?.forEach((c, i) => {
    const member = `${path}.${i + 1}.member`;
    checkModelDataUrl(c.ModelDataUrl, `${member}.modelDataUrl`);
    checkS3Uri(c.ModelDataSource?.S3DataSource?.S3Uri, `${member}.modelDataSource.s3DataSource.s3Uri`);
  });
}

function checkModelDataUrl(uri: string | undefined, field: string): void {
  if (uri === undefined) return;
  try {
    parseS3Uri(uri);
  } catch {
    throw validationException(
      `1 validation error detected: Value '${uri}' at '${field}' failed to satisfy constraint: Member must be an S3 URI (s3://bucket/key, or an https URL of an S3 object)`,
    );
  }
  checkS3Uri(uri, field);
}
