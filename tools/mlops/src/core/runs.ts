/** `runs`: the stage's recent runs from their records. */
import type { RunRecord } from '@mlops/common';
import type { RunsOutput } from '../output/schemas';
import type { StageTarget } from '../stage/types';
import { recentRuns, type RunQuery } from './run-records';

/** The gate's rule and bound, as the run record keeps them (absent from records written before the baseline rule). */
export function ruleOf(record: RunRecord | undefined): Pick<NonNullable<RunsOutput['runs'][number]['gate']>, 'threshold' | 'direction' | 'rule'> {
  const gate = record?.evaluation?.gate;
  if (!gate?.rule || gate.threshold === undefined || gate.direction === undefined) return {};
  return { threshold: gate.threshold, direction: gate.direction, rule: gate.rule };
}

export function runRow(record: RunRecord): RunsOutput['runs'][number] {
  const evaluation = record.evaluation;
  const metric = evaluation?.metric;
  const value = metric ? evaluation.challenger[metric] : undefined;
  const lastDeploy = record.deployments.at(-1);
  return {
    runId: record.runId,
    family: record.family,
    status: record.status,
    outcome: record.outcome,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
    gate:
      metric && value !== undefined
        ? { metric, value, champion: evaluation.champion?.metrics[metric], championLabel: evaluation.champion?.label, passed: evaluation.gate.passed, ...ruleOf(record) }
        : undefined,
    version: record.modelPackage ? { version: record.modelPackage.version, arn: record.modelPackage.arn, approvalStatus: record.modelPackage.approvalStatus } : undefined,
    deploy: lastDeploy
      ? { status: lastDeploy.status, reason: lastDeploy.reason, version: lastDeploy.modelVersion?.version, endpointConfigName: lastDeploy.endpointConfigName, finishedAt: lastDeploy.finishedAt }
      : undefined,
    error: record.error ? `${record.error.Error}${record.error.Cause ? `: ${record.error.Cause}` : ''}` : undefined,
  };
}

export async function listRuns(target: StageTarget, query: RunQuery): Promise<RunsOutput> {
  const { runs, unreadable } = await recentRuns(target.clients.s3, target.outputs, query);
  return { stage: target.stage, runs: runs.map(runRow), unreadable };
}
