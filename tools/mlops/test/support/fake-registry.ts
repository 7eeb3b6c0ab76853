/**
 * A model registry and endpoints behind aws-sdk-client-mock, answering as SageMaker does (and as
 * @mlops/local-sagemaker emulates it): versioned packages per group, ValidationException for what
 * does not exist, ClientToken idempotency, the valid approval transitions, paginated listing.
 */
import {
  CreateModelPackageCommand,
  type CreateModelPackageCommandInput,
  CreateModelPackageGroupCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  type SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { awsError } from '@mlops/testing';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export const ACCOUNT = 'arn:aws:sagemaker:us-east-1:000000000000';
type Status = 'Approved' | 'Rejected' | 'PendingManualApproval';

export interface FakePackage {
  group: string;
  version: number;
  arn: string;
  status: Status;
  created: Date;
  description?: string;
  input: CreateModelPackageCommandInput;
}

export class FakeRegistry {
  readonly groups = new Set<string>();
  readonly packages: FakePackage[] = [];
  /** endpoint name → the package ARN its model was created from (undefined: a model without one). */
  readonly endpoints = new Map<string, string | undefined>();
  private readonly tokens = new Map<string, string>();

  constructor(sm: AwsClientStub<SageMakerClient>, { pageSize = 2 } = {}) {
    const missing = (what: string) => awsError('ValidationException', `${what} does not exist.`);
    sm.on(DescribeModelPackageGroupCommand).callsFake(({ ModelPackageGroupName: name }) => {
      if (!this.groups.has(name)) throw missing(`ModelPackageGroup ${ACCOUNT}:model-package-group/${name}`);
      return { ModelPackageGroupName: name, ModelPackageGroupArn: `${ACCOUNT}:model-package-group/${name}`, ModelPackageGroupStatus: 'Completed' };
    });
    sm.on(CreateModelPackageGroupCommand).callsFake(({ ModelPackageGroupName: name }) => {
      if (this.groups.has(name)) throw awsError('ValidationException', `Model Package Group already exists: ${ACCOUNT}:model-package-group/${name}`);
      this.groups.add(name);
      return { ModelPackageGroupArn: `${ACCOUNT}:model-package-group/${name}` };
    });
    sm.on(CreateModelPackageCommand).callsFake((input: CreateModelPackageCommandInput) => {
      const earlier = input.ClientToken && this.tokens.get(input.ClientToken);
      if (earlier) return { ModelPackageArn: earlier };
      if (!this.groups.has(input.ModelPackageGroupName!)) throw awsError('ValidationException', 'Model Package Group does not exist.');
      const p = this.add(input.ModelPackageGroupName!, (input.ModelApprovalStatus as Status) ?? 'PendingManualApproval', input);
      if (input.ClientToken) this.tokens.set(input.ClientToken, p.arn);
      return { ModelPackageArn: p.arn };
    });
    sm.on(DescribeModelPackageCommand).callsFake(({ ModelPackageName: arn }) => {
      const p = this.find(arn);
      if (!p) throw missing(`ModelPackage ${arn}`);
      return {
        ModelPackageName: p.group,
        ModelPackageGroupName: p.group,
        ModelPackageVersion: p.version,
        ModelPackageArn: p.arn,
        CreationTime: p.created,
        ModelApprovalStatus: p.status,
        ApprovalDescription: p.description,
        InferenceSpecification: p.input.InferenceSpecification,
        ModelMetrics: p.input.ModelMetrics,
        CustomerMetadataProperties: p.input.CustomerMetadataProperties,
        ModelPackageStatus: 'Completed',
      };
    });
    sm.on(ListModelPackagesCommand).callsFake(({ ModelPackageGroupName: group, NextToken }) => {
      const all = this.packages.filter((p) => p.group === group);
      const start = NextToken ? Number(NextToken) : 0;
      const page = all.slice(start, start + pageSize);
      return {
        ModelPackageSummaryList: page.map((p) => ({ ModelPackageGroupName: p.group, ModelPackageVersion: p.version, ModelPackageArn: p.arn, CreationTime: p.created, ModelPackageStatus: 'Completed', ModelApprovalStatus: p.status })),
        ...(start + pageSize < all.length ? { NextToken: String(start + pageSize) } : {}),
      };
    });
    sm.on(UpdateModelPackageCommand).callsFake(({ ModelPackageArn: arn, ModelApprovalStatus: to, ApprovalDescription }) => {
      const p = this.find(arn);
      if (!p) throw missing(`ModelPackage ${arn}`);
      if (to) p.status = to as Status;
      if (ApprovalDescription !== undefined) p.description = ApprovalDescription;
      return { ModelPackageArn: arn };
    });
    sm.on(DescribeEndpointCommand).callsFake(({ EndpointName: name }) => {
      if (!this.endpoints.has(name)) throw awsError('ValidationException', `Could not find endpoint "${ACCOUNT}:endpoint/${name}".`);
      return { EndpointName: name, EndpointArn: `${ACCOUNT}:endpoint/${name}`, EndpointConfigName: `${name}-config`, EndpointStatus: 'InService', CreationTime: new Date(0), LastModifiedTime: new Date(0) };
    });
    sm.on(DescribeEndpointConfigCommand).callsFake(({ EndpointConfigName: name }) => ({
      EndpointConfigName: name,
      EndpointConfigArn: `${ACCOUNT}:endpoint-config/${name}`,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: `${name.replace(/-config$/, '')}-model` }],
      CreationTime: new Date(0),
    }));
    sm.on(DescribeModelCommand).callsFake(({ ModelName: name }) => {
      const arn = this.endpoints.get(name.replace(/-model$/, ''));
      return { ModelName: name, ModelArn: `${ACCOUNT}:model/${name}`, CreationTime: new Date(0), ExecutionRoleArn: 'arn:aws:iam::000000000000:role/x', PrimaryContainer: arn ? { ModelPackageName: arn } : { Image: 'img', ModelDataUrl: 's3://b/k' } };
    });
  }

  find(arn: string): FakePackage | undefined {
    return this.packages.find((p) => p.arn === arn);
  }

  add(group: string, status: Status, input: Partial<CreateModelPackageCommandInput> = {}): FakePackage {
    this.groups.add(group);
    const version = this.packages.filter((p) => p.group === group).length + 1;
    const p: FakePackage = { group, version, arn: `${ACCOUNT}:model-package/${group}/${version}`, status, created: new Date(Date.UTC(2025, 5, version)), input: { ModelPackageGroupName: group, ...input } };
    this.packages.push(p);
    return p;
  }

  /** The endpoint serves this package (the deploy created its model from it). */
  setLive(endpoint: string, arn: string | undefined): void {
    this.endpoints.set(endpoint, arn);
  }
}
