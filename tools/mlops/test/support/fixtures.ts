import type { RunRecord } from '@mlops/common';
import type { FakeRegistry } from './fake-registry';

export const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';

/** A version as mlops_register registers it: the run's lineage and both models' metrics as metadata. */
export function register(registry: FakeRegistry, stage: string, family: string, status: 'Approved' | 'Rejected' | 'PendingManualApproval', mse: number, extra: Record<string, string> = {}) {
  const group = `mlops-${stage}-${family}`;
  const version = registry.packages.filter((p) => p.group === group).length + 1;
  const runId = `${family}-run${version}`;
  return registry.add(group, status, {
    InferenceSpecification: {
      Containers: [{ Image: IMAGE, ModelDataUrl: `s3://mlops-${stage}-data/runs/${runId}/model/output/model.tar.gz` }],
      SupportedContentTypes: ['text/csv'],
      SupportedResponseMIMETypes: ['text/csv'],
      SupportedRealtimeInferenceInstanceTypes: ['ml.t2.medium'],
      SupportedTransformInstanceTypes: ['ml.m5.large'],
    },
    ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `s3://mlops-${stage}-data/runs/${runId}/evaluation/report.json` } } },
    CustomerMetadataProperties: {
      family,
      runId,
      stage,
      datasetUri: `s3://mlops-${stage}-data/incoming/${family}.csv`,
      datasetETag: 'abc',
      comparedWith: version === 1 ? 'none' : `${family} v${version - 1}`,
      'metric:mse': String(mse),
      'metric:mae': String(mse / 3),
      ...(version > 1 ? { 'champion:mse': '5.5', 'champion:mae': '1.8' } : {}),
      ...extra,
    },
  });
}

export function runRecord(patch: Partial<RunRecord> & { runId: string; family: string; finishedAt: string }): RunRecord {
  return {
    version: 1,
    stage: 'local',
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:${patch.runId}`,
    status: 'SUCCEEDED',
    outcome: 'deployed',
    dataset: { uri: `s3://mlops-local-data/incoming/${patch.family}.csv`, etag: 'abc', schema: `s3://mlops-local-data/runs/${patch.runId}/schema.json`, rows: { train: 70, validation: 15, test: 15 } },
    problemType: 'regression',
    jobs: { training: { name: `mlops-local-${patch.runId}-train`, seconds: 12, modelArtifacts: `s3://mlops-local-data/runs/${patch.runId}/model.tar.gz` }, transform: { name: `mlops-local-${patch.runId}-transform`, seconds: 5 } },
    evaluation: {
      reportUri: `s3://mlops-local-data/runs/${patch.runId}/evaluation/report.json`,
      metric: 'mse',
      challenger: { mse: 4.8, mae: 1.6 },
      champion: { label: `${patch.family} v1`, metrics: { mse: 5.5, mae: 1.8 } },
      gate: { passed: true, summary: 'mse 4.8 <= 6' },
    },
    deployments: [],
    startedAt: patch.finishedAt.replace(/:\d\d\.\d+Z$/, ':00.000Z'),
    ...patch,
  };
}
