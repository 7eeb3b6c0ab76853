/**
 * `rollback <family> [--to <version>]`: deploys an earlier Approved version through the stage's
 * deploy state machine. Without --to: the newest Approved version older than the live one.
 */
import type { ModelPackageSummary } from '@aws-sdk/client-sagemaker';
import { OperationError } from '../errors';
import type { RollbackOutput } from '../output/schemas';
import type { StageTarget } from '../stage/types';
import { startDeploy, waitForExecution, type WaitOptions } from './deploy';
import { requireFamily } from './family';
import { liveModel } from './live';
import { describeVersion, listVersions } from './registry';

export interface RollbackRequest {
  family: string;
  to?: number;
  /** Follow the deploy to its end. */
  wait?: WaitOptions;
  now: Date;
}

/** The newest Approved version older than the live one, or undefined. */
export function defaultRollbackVersion(versions: readonly Pick<ModelPackageSummary, 'ModelPackageVersion' | 'ModelApprovalStatus'>[], liveVersion: number): number | undefined {
  return versions
    .filter((v) => v.ModelApprovalStatus === 'Approved' && (v.ModelPackageVersion ?? 0) < liveVersion)
    .map((v) => v.ModelPackageVersion!)
    .sort((a, b) => b - a)[0];
}

export async function rollback(target: StageTarget, request: RollbackRequest): Promise<RollbackOutput> {
  const { sageMaker, sfn } = target.clients;
  const family = await requireFamily(target, request.family);
  const live = await liveModel(sageMaker, family.name);
  const current = live?.modelVersion;
  let version = request.to;
  if (version === undefined) {
    if (!live) throw new OperationError('no-live-version', `family '${request.family}' has no endpoint on stage '${target.stage}' (${family.name}): nothing is live to roll back from; deploy a version with \`pnpm mlops rollback ${request.family} --to <version>\``);
    if (!current) throw new OperationError('no-live-version', `the live model of ${family.name} (${live.modelName ?? 'unknown'}) was not deployed from a registry version; name the version to deploy with --to`);
    version = defaultRollbackVersion(await listVersions(sageMaker, family.name), current.version);
    if (version === undefined) throw new OperationError('no-rollback-target', `no Approved version of '${request.family}' older than the live v${current.version} on stage '${target.stage}'; see \`pnpm mlops models ${request.family} --stage ${target.stage}\``);
  }
  const detail = await describeVersion(sageMaker, family, version);
  if (detail.approvalStatus !== 'Approved') {
    throw new OperationError('not-approved', `version not approved: ${request.family} v${version} on stage '${target.stage}' is ${detail.approvalStatus}; only Approved versions are deployed`);
  }
  if (current?.arn === detail.arn) throw new OperationError('refused', `${request.family} v${version} is already live on ${family.name}: nothing to roll back`);
  const executionArn = await startDeploy(sfn, target.outputs, { modelPackageArn: detail.arn, reason: 'rollback', family: request.family, version, now: request.now });
  const output: RollbackOutput = {
    stage: target.stage,
    family: request.family,
    from: current ? { version: current.version, arn: current.arn } : undefined,
    to: { version, arn: detail.arn },
    executionArn,
    stateMachineArn: target.outputs.DeployStateMachineArn,
  };
  if (request.wait) {
    const ended = await waitForExecution(sfn, executionArn, request.wait);
    output.result = { status: ended.status ?? 'UNKNOWN', error: ended.error, cause: ended.cause };
  }
  return output;
}
