import { RunsOutputSchema } from '../src';
import { runRecord } from './support/fixtures';
import { harness } from './support/harness';

const STAGE_RULE = { kind: 'threshold' as const, source: 'stage' as const, reason: 'the stage sets a threshold for family abalone (gateThresholds)' };
const IRIS_RULE = {
  kind: 'baseline' as const,
  baseline: { predicts: 'majority-class' as const, prediction: 0, label: 'setosa', trainingRows: 105, value: 1 / 3 },
  margin: 0.1,
  marginSource: 'stage' as const,
  reason: "family iris has no threshold: the upload sets none (mlops-threshold) and the stage's gateThresholds does not name the family",
};

function seed(h: ReturnType<typeof harness>) {
  const put = (record: ReturnType<typeof runRecord>) => h.bucket.put(`runs/${record.runId}/run.json`, { body: JSON.stringify(record) });
  put(runRecord({ runId: 'abalone-a', family: 'abalone', finishedAt: '2025-06-01T10:00:00.000Z', evaluation: undefined, status: 'FAILED', outcome: 'failed', error: { Error: 'States.Timeout', Cause: 'training took too long' } }));
  put(
    runRecord({
      runId: 'abalone-b',
      family: 'abalone',
      finishedAt: '2025-06-03T10:00:00.000Z',
      evaluation: { ...runRecord({ runId: 'abalone-b', family: 'abalone', finishedAt: '' }).evaluation!, gate: { passed: true, summary: 'mse = 4.8 meets the threshold 6', threshold: 6, direction: 'lte', rule: STAGE_RULE } },
      modelPackage: { arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/2', group: 'mlops-local-abalone', version: 2, approvalStatus: 'Approved' },
      deployments: [
        {
          executionArn: 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-deploy:x',
          reason: 'pipeline',
          modelVersion: { arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/2', group: 'mlops-local-abalone', version: 2 },
          endpointName: 'mlops-local-abalone',
          endpointConfigName: 'mlops-local-abalone-b',
          status: 'deployed',
          startedAt: '2025-06-03T10:00:00.000Z',
          finishedAt: '2025-06-03T10:01:00.000Z',
        },
      ],
    }),
  );
  put(
    runRecord({
      runId: 'iris-c',
      family: 'iris',
      finishedAt: '2025-06-02T10:00:00.000Z',
      outcome: 'pending-approval',
      problemType: 'classification',
      evaluation: {
        reportUri: 's3://mlops-local-data/runs/iris-c/evaluation/report.json',
        metric: 'f1_macro',
        challenger: { f1_macro: 0.91, accuracy: 0.92 },
        gate: { passed: true, summary: 'f1_macro = 0.91 beats the baseline', threshold: 0.4, direction: 'gte', rule: IRIS_RULE },
      },
    }),
  );
  put(runRecord({ runId: 'abalone-old', family: 'abalone', finishedAt: '2025-05-01T10:00:00.000Z' }));
  h.bucket.put('runs/abalone-b/data/train/train.csv', { body: '1,2,3' });
  h.bucket.put('runs/rejected/bad.json', { body: '{}' });
  h.bucket.put('runs/broken/run.json', { body: '{"version": 1' });
}

describe('pnpm mlops runs', () => {
  it('lists run records newest first (by finishedAt) with gate values, version and deploy; unreadable records are named', async () => {
    const h = harness();
    seed(h);
    const { code, stdout } = await h.run('runs', '--json');
    expect(code).toBe(0);
    const doc = RunsOutputSchema.parse(JSON.parse(stdout));
    expect(doc.runs.map((r) => r.runId)).toEqual(['abalone-b', 'iris-c', 'abalone-a', 'abalone-old']);
    expect(doc.runs[0]).toMatchObject({
      status: 'SUCCEEDED',
      outcome: 'deployed',
      gate: { metric: 'mse', value: 4.8, champion: 5.5, championLabel: 'abalone v1', passed: true, threshold: 6, direction: 'lte', rule: STAGE_RULE },
      version: { version: 2, approvalStatus: 'Approved' },
      deploy: { status: 'deployed', reason: 'pipeline', version: 2, endpointConfigName: 'mlops-local-abalone-b' },
    });
    expect(doc.runs[2]).toMatchObject({ status: 'FAILED', outcome: 'failed', error: 'States.Timeout: training took too long' });
    expect(doc.runs[2]!.gate).toBeUndefined();
    // Which rule and why, for --json readers: the baseline's prediction, value and margin.
    expect(doc.runs[1]!.gate).toEqual({ metric: 'f1_macro', value: 0.91, passed: true, threshold: 0.4, direction: 'gte', rule: IRIS_RULE });
    expect(doc.runs[3]!.gate).not.toHaveProperty('rule');
    expect(doc.unreadable).toEqual(['runs/broken/run.json']);
  });

  it('filters by --family and keeps --limit', async () => {
    const h = harness();
    seed(h);
    const doc = RunsOutputSchema.parse((await h.run('runs', '--family', 'abalone', '--limit', '1', '--json')).json());
    expect(doc.runs.map((r) => r.runId)).toEqual(['abalone-b']);
  });

  it('prints a table', async () => {
    const h = harness();
    seed(h);
    const { stdout } = await h.run('runs');
    expect(stdout).toMatch(/^RUN\s+FAMILY\s+STATUS\s+OUTCOME\s+GATE \(challenger vs champion\)\s+RULE\s+VERSION\s+DEPLOY\s+FINISHED \(UTC\)$/m);
    expect(stdout).toMatch(/^abalone-b\s+abalone\s+SUCCEEDED\s+deployed\s+mse 4\.8 vs 5\.5\s+threshold ≤ 6 \(stage\)\s+v2 Approved\s+deployed \(pipeline\)\s+2025-06-03 10:00$/m);
    expect(stdout).toMatch(/^iris-c\s+iris\s+SUCCEEDED\s+pending-approval\s+f1_macro 0\.91\s+baseline ≥ 0\.4 \(majority class scores 0\.33333, margin 10 %\)\s+-\s+-\s+2025-06-02 10:00$/m);
    // A record written before the rule was recorded.
    expect(stdout).toMatch(/^abalone-old\s+abalone\s+SUCCEEDED\s+deployed\s+mse 4\.8 vs 5\.5\s+-\s+-\s+-\s+2025-05-01 10:00$/m);
    expect(stdout).toContain('1 record(s) could not be read: runs/broken/run.json');
    expect((await harness().run('runs')).stdout).toBe("no runs recorded on stage 'local'\n");
  });
});
