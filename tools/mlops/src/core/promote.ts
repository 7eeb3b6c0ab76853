/**
 * `promote <family> <version> --to <stage>`: an Approved version of one stage becomes a version of
 * the same family on another stage, with no training: its artifact is copied into the target's
 * bucket and registered there with the source's image, content and instance types, model metrics and
 * metadata (plus where it came from). The target's approval policy decides: `auto` registers it
 * Approved and the CLI starts the target's deploy; `manual` leaves it PendingManualApproval.
 */
import { CreateModelPackageCommand, type CreateModelPackageInput, CreateModelPackageGroupCommand } from '@aws-sdk/client-sagemaker';
import { isAlreadyExists, modelVersionOfArn, PACKAGE_METADATA, shortHash, tagValue } from '@mlops/common';
import { OperationError } from '../errors';
import type { PromoteOutput } from '../output/schemas';
import type { StageTarget } from '../stage/types';
import { copyArtifact } from './artifact-copy';
import { startDeploy } from './deploy';
import { familyName, requireFamily } from './family';
import { describeArn, describeVersion, type VersionDetail } from './registry';

export interface PromoteRequest {
  family: string;
  version: number;
  now: Date;
}

export const promotedArtifactKey = (target: StageTarget, family: string, sourceStage: string, version: number) =>
  `${target.outputs.RunsPrefix}promoted/${family}/${sourceStage}-v${version}/model.tar.gz`;

/** The source's metadata, this stage as `stage`, and the promotion's lineage. */
export function promotedMetadata(source: VersionDetail, sourceStage: string, targetStage: string): Record<string, string> {
  return {
    ...source.metadata,
    [PACKAGE_METADATA.stage]: targetStage,
    [PACKAGE_METADATA.sourceStage]: sourceStage,
    [PACKAGE_METADATA.sourceVersion]: String(source.version),
    [PACKAGE_METADATA.sourceRun]: source.metadata[PACKAGE_METADATA.runId] ?? 'unknown',
  };
}

export function promotedPackageRequest(args: { source: VersionDetail; sourceStage: string; target: StageTarget; group: string; family: string; modelDataUrl: string }): CreateModelPackageInput {
  const { source, sourceStage, target, group, family, modelDataUrl } = args;
  const spec = source.described.InferenceSpecification!;
  const container = spec.Containers![0]!;
  const approved = target.outputs.ApprovalPolicy === 'auto';
  const origin = `${sourceStage} v${source.version}`;
  return {
    ModelPackageGroupName: group,
    ModelPackageDescription: `${family} model promoted from ${origin}${source.metadata[PACKAGE_METADATA.runId] ? ` (run ${source.metadata[PACKAGE_METADATA.runId]})` : ''}${approved ? `; approved by the ${target.stage} stage's auto approval policy` : ''}`.slice(0, 1024),
    InferenceSpecification: {
      Containers: [{ Image: container.Image, ModelDataUrl: modelDataUrl, ...(container.Environment ? { Environment: container.Environment } : {}) }],
      SupportedContentTypes: spec.SupportedContentTypes,
      SupportedResponseMIMETypes: spec.SupportedResponseMIMETypes,
      SupportedRealtimeInferenceInstanceTypes: spec.SupportedRealtimeInferenceInstanceTypes,
      SupportedTransformInstanceTypes: spec.SupportedTransformInstanceTypes,
    },
    ...(source.described.ModelMetrics ? { ModelMetrics: source.described.ModelMetrics } : {}),
    // CreateModelPackage takes no ApprovalDescription (UpdateModelPackage does): the description says it.
    ModelApprovalStatus: approved ? 'Approved' : 'PendingManualApproval',
    CustomerMetadataProperties: promotedMetadata(source, sourceStage, target.stage),
    // The same promotion run again gets its version back instead of a new one.
    ClientToken: shortHash(`${group}\npromotion\n${source.arn}`, 32),
    Tags: [
      { Key: 'mlops:stage', Value: tagValue(target.stage) },
      { Key: 'mlops:family', Value: tagValue(family) },
      { Key: 'mlops:promoted-from', Value: tagValue(source.arn) },
    ],
  };
}

export async function promoteVersion(source: StageTarget, target: StageTarget, request: PromoteRequest): Promise<PromoteOutput> {
  const family = await requireFamily(source, request.family);
  const detail = await describeVersion(source.clients.sageMaker, family, request.version);
  const label = `${request.family} v${detail.version}`;
  if (detail.approvalStatus !== 'Approved') {
    throw new OperationError('not-approved', `version not approved: ${label} on stage '${source.stage}' is ${detail.approvalStatus}; only an Approved version can be promoted (\`pnpm mlops approve ${request.family} ${detail.version} --stage ${source.stage}\`)`);
  }
  const modelDataUrl = detail.described.InferenceSpecification?.Containers?.[0]?.ModelDataUrl;
  if (!modelDataUrl) throw new OperationError('refused', `${label} on stage '${source.stage}' has no model artifact (InferenceSpecification.Containers[0].ModelDataUrl): it cannot be promoted`);

  const group = familyName(target, request.family);
  const artifact = await copyArtifact({
    from: { s3: source.clients.s3, uri: modelDataUrl },
    to: { s3: target.clients.s3, bucket: target.outputs.DataBucketName, key: promotedArtifactKey(target, request.family, source.stage, detail.version) },
    sameReach: source.reach === target.reach,
  });

  const sm = target.clients.sageMaker;
  try {
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: group, ModelPackageGroupDescription: `Versions of the ${request.family} model family (${target.stage})`, Tags: [{ Key: 'mlops:stage', Value: tagValue(target.stage) }, { Key: 'mlops:family', Value: tagValue(request.family) }] }));
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const created = await sm.send(new CreateModelPackageCommand(promotedPackageRequest({ source: detail, sourceStage: source.stage, target, group, family: request.family, modelDataUrl: artifact.uri })));
  const promoted = modelVersionOfArn(created.ModelPackageArn!);
  // A repeated promotion answers with the version the first one registered: read its status back.
  const registered = await describeArn(sm, promoted.arn);
  const auto = target.outputs.ApprovalPolicy === 'auto';
  const output: PromoteOutput = {
    family: request.family,
    from: { stage: source.stage, version: detail.version, arn: detail.arn },
    to: { stage: target.stage, group, version: promoted.version, arn: promoted.arn, approvalStatus: registered.approvalStatus, approvalPolicy: target.outputs.ApprovalPolicy },
    artifact: { source: modelDataUrl, target: artifact.uri, method: artifact.method },
  };
  if (auto) {
    const executionArn = await startDeploy(target.clients.sfn, target.outputs, { modelPackageArn: promoted.arn, reason: 'promotion', family: request.family, version: promoted.version, now: request.now });
    output.deploy = { executionArn, stateMachineArn: target.outputs.DeployStateMachineArn };
  } else if (registered.approvalStatus !== 'Approved') {
    output.approveCommand = `pnpm mlops approve ${request.family} ${promoted.version} --stage ${target.stage}`;
  }
  return output;
}
