/**
 * `approve` / `reject`: UpdateModelPackage's ModelApprovalStatus. Approving deploys the version
 * through the stage's EventBridge rule (resources/lifecycle.yml), so the CLI starts nothing itself;
 * rejecting the live version is refused (roll back first).
 */
import { UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { OperationError } from '../errors';
import type { ApprovalOutput } from '../output/schemas';
import type { StageTarget } from '../stage/types';
import { requireFamily } from './family';
import { liveModel } from './live';
import { describeVersion } from './registry';

export interface ApprovalRequest {
  family: string;
  version: number;
  reason?: string;
}

export async function approveVersion(target: StageTarget, request: ApprovalRequest): Promise<ApprovalOutput> {
  const { sageMaker } = target.clients;
  const family = await requireFamily(target, request.family);
  const detail = await describeVersion(sageMaker, family, request.version);
  const base = { stage: target.stage, family: request.family, version: detail.version, arn: detail.arn, previousStatus: detail.approvalStatus, reason: request.reason };
  const label = `${request.family} v${detail.version}`;
  if (detail.approvalStatus === 'Approved') {
    return { ...base, action: 'unchanged', approvalStatus: 'Approved', message: `${label} is already Approved on stage '${target.stage}': nothing to do (to deploy it again, use \`pnpm mlops rollback ${request.family} --to ${detail.version}\`)` };
  }
  await sageMaker.send(
    new UpdateModelPackageCommand({
      ModelPackageArn: detail.arn,
      ModelApprovalStatus: 'Approved',
      ...(request.reason ? { ApprovalDescription: request.reason } : {}),
    }),
  );
  const machine = target.outputs.DeployStateMachineArn;
  return {
    ...base,
    action: 'approved',
    approvalStatus: 'Approved',
    deploy: { via: 'eventbridge', stateMachineArn: machine },
    message: `approved ${label} on stage '${target.stage}' (was ${detail.approvalStatus}); the stage's EventBridge rule now deploys it to ${family.name} through the deploy state machine ${machine}`,
  };
}

export async function rejectVersion(target: StageTarget, request: ApprovalRequest & { reason: string }): Promise<ApprovalOutput> {
  const { sageMaker } = target.clients;
  const family = await requireFamily(target, request.family);
  const detail = await describeVersion(sageMaker, family, request.version);
  const base = { stage: target.stage, family: request.family, version: detail.version, arn: detail.arn, previousStatus: detail.approvalStatus, reason: request.reason };
  const label = `${request.family} v${detail.version}`;
  if (detail.approvalStatus === 'Rejected') return { ...base, action: 'unchanged', approvalStatus: 'Rejected', message: `${label} is already Rejected on stage '${target.stage}': nothing to do` };
  const live = await liveModel(sageMaker, family.name);
  if (live?.modelVersion?.arn === detail.arn) {
    throw new OperationError(
      'refused',
      `refused: ${label} is live on endpoint ${family.name} (stage '${target.stage}'); roll back first (\`pnpm mlops rollback ${request.family} --stage ${target.stage}\`), then reject it`,
    );
  }
  await sageMaker.send(new UpdateModelPackageCommand({ ModelPackageArn: detail.arn, ModelApprovalStatus: 'Rejected', ApprovalDescription: request.reason }));
  return { ...base, action: 'rejected', approvalStatus: 'Rejected', message: `rejected ${label} on stage '${target.stage}' (was ${detail.approvalStatus}): ${request.reason}` };
}
