/** The registry's versions of a family: list, describe, and the customer metadata they carry. */
import { DescribeModelPackageCommand, type DescribeModelPackageCommandOutput, ListModelPackagesCommand, type ModelPackageSummary, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ApprovalStatusSchema, isNotFound, metricMetadataKey, PACKAGE_METADATA, type ApprovalStatus } from '@mlops/common';
import { OperationError } from '../errors';
import { versionArn, type FamilyOnStage } from './family';

export interface VersionDetail {
  version: number;
  arn: string;
  approvalStatus: ApprovalStatus;
  createdAt?: Date;
  approvalDescription?: string;
  metadata: Record<string, string>;
  described: DescribeModelPackageCommandOutput;
}

/** Every version of the group (all pages), oldest first. */
export async function listVersions(sageMaker: SageMakerClient, group: string): Promise<ModelPackageSummary[]> {
  const versions: ModelPackageSummary[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sageMaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: group, ModelPackageType: 'Versioned', MaxResults: 100, NextToken }));
    versions.push(...(page.ModelPackageSummaryList ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return versions.sort((a, b) => (a.ModelPackageVersion ?? 0) - (b.ModelPackageVersion ?? 0));
}

export function detailOf(described: DescribeModelPackageCommandOutput): VersionDetail {
  return {
    version: described.ModelPackageVersion!,
    arn: described.ModelPackageArn!,
    approvalStatus: ApprovalStatusSchema.parse(described.ModelApprovalStatus),
    createdAt: described.CreationTime,
    approvalDescription: described.ApprovalDescription,
    metadata: described.CustomerMetadataProperties ?? {},
    described,
  };
}

export async function describeArn(sageMaker: SageMakerClient, arn: string): Promise<VersionDetail> {
  return detailOf(await sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn })));
}

/** One version of the family; an unknown version is an OperationError naming the group. */
export async function describeVersion(sageMaker: SageMakerClient, family: FamilyOnStage, version: number): Promise<VersionDetail> {
  try {
    return await describeArn(sageMaker, versionArn(family.groupArn, version));
  } catch (error) {
    if (!isNotFound(error)) throw error;
    throw new OperationError('unknown-version', `unknown version: ${family.name} has no version ${version} (see \`pnpm mlops models ${family.family}\`)`);
  }
}

/** `metric:<name>` and `champion:<name>` metadata as numbers. */
export function metricsOf(metadata: Record<string, string>, owner: 'metric' | 'champion'): Record<string, number> {
  const prefix = metricMetadataKey(owner, '');
  const metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key.startsWith(prefix) && Number.isFinite(Number(value))) metrics[key.slice(prefix.length)] = Number(value);
  }
  return metrics;
}

/** Where a version came from: a promotion from another stage, or none (a run of this stage). */
export function promotionSourceOf(metadata: Record<string, string>): { stage: string; version: number; run?: string } | undefined {
  const stage = metadata[PACKAGE_METADATA.sourceStage];
  const version = Number(metadata[PACKAGE_METADATA.sourceVersion]);
  if (!stage || !Number.isInteger(version)) return undefined;
  return { stage, version, run: metadata[PACKAGE_METADATA.sourceRun] };
}
