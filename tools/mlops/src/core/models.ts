/** `models <family>`: the family's registry versions, their gate metric, lineage, and which one is live. */
import { CLASSIFICATION_METRICS, PACKAGE_METADATA, REGRESSION_METRICS, type RunRecord } from '@mlops/common';
import type { ModelsOutput, VersionRow } from '../output/schemas';
import type { StageTarget } from '../stage/types';
import { mapLimit } from './concurrency';
import { requireFamily } from './family';
import { liveModel } from './live';
import { describeArn, listVersions, metricsOf, promotionSourceOf, type VersionDetail } from './registry';
import { findRunRecord } from './run-records';
import { ruleOf } from './runs';

/** The gate's metric: the run record's when this stage has it, else the first known metric the version carries. */
export function gateOf(detail: VersionDetail, record: RunRecord | undefined): VersionRow['gate'] {
  const metrics = metricsOf(detail.metadata, 'metric');
  const champion = metricsOf(detail.metadata, 'champion');
  const metric = record?.evaluation?.metric ?? [...REGRESSION_METRICS, ...CLASSIFICATION_METRICS].find((m) => metrics[m] !== undefined);
  if (!metric || metrics[metric] === undefined) return undefined;
  const comparedWith = detail.metadata[PACKAGE_METADATA.comparedWith];
  return {
    metric,
    value: metrics[metric],
    champion: champion[metric],
    championLabel: comparedWith && comparedWith !== 'none' ? comparedWith : undefined,
    passed: record?.evaluation?.gate.passed,
    ...ruleOf(record),
  };
}

export function versionRow(detail: VersionDetail, record: RunRecord | undefined, liveArn: string | undefined): VersionRow {
  return {
    version: detail.version,
    arn: detail.arn,
    approvalStatus: detail.approvalStatus,
    createdAt: detail.createdAt?.toISOString(),
    live: detail.arn === liveArn,
    gate: gateOf(detail, record),
    metrics: metricsOf(detail.metadata, 'metric'),
    runId: detail.metadata[PACKAGE_METADATA.runId],
    source: promotionSourceOf(detail.metadata),
    approvalDescription: detail.approvalDescription,
  };
}

export async function listModels(target: StageTarget, family: string): Promise<ModelsOutput> {
  const { sageMaker, s3 } = target.clients;
  const onStage = await requireFamily(target, family);
  const [summaries, live] = await Promise.all([listVersions(sageMaker, onStage.name), liveModel(sageMaker, onStage.name)]);
  const rows = await mapLimit(summaries, 8, async (summary) => {
    const detail = await describeArn(sageMaker, summary.ModelPackageArn!);
    const runId = detail.metadata[PACKAGE_METADATA.runId];
    // A promoted version's run lives on its source stage: its record is not in this stage's bucket.
    const record = runId && !promotionSourceOf(detail.metadata) ? await findRunRecord(s3, target.outputs, runId) : undefined;
    return versionRow(detail, record, live?.modelVersion?.arn);
  });
  return {
    stage: target.stage,
    family,
    group: onStage.name,
    endpoint: { name: onStage.name, status: live?.endpointStatus, configName: live?.endpointConfigName, liveVersion: live?.modelVersion?.version },
    versions: rows,
  };
}
