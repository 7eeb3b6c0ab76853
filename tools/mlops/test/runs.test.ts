import { RunsOutputSchema } from '../src';
import { runRecord } from './support/fixtures';
import { harness } from './support/harness';

function seed(h: ReturnType<typeof harness>) {
  const put = (record: ReturnType<typeof runRecord>) => h.bucket.put(`runs/${record.runId}/run.json`, { body: JSON.stringify(record) });
  put(runRecord({ runId: 'abalone-a', family: 'abalone', finishedAt: '2025-06-01T10:00:00.000Z', evaluation: undefined, status: 'FAILED', outcome: 'failed', error: { Error: 'States.Timeout', Cause: 'training took too long' } }));
  put(
    runRecord({
      runId: 'abalone-b',
      family: 'abalone',
      finishedAt: '2025-06-03T10:00:00.000Z',
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
  put(runRecord({ runId: 'iris-c', family: 'iris', finishedAt: '2025-06-02T10:00:00.000Z', outcome: 'pending-approval' }));
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
    expect(doc.runs.map((r) => r.runId)).toEqual(['abalone-b', 'iris-c', 'abalone-a']);
    expect(doc.runs[0]).toMatchObject({
      status: 'SUCCEEDED',
      outcome: 'deployed',
      gate: { metric: 'mse', value: 4.8, champion: 5.5, championLabel: 'abalone v1', passed: true },
      version: { version: 2, approvalStatus: 'Approved' },
      deploy: { status: 'deployed', reason: 'pipeline', version: 2, endpointConfigName: 'mlops-local-abalone-b' },
    });
    expect(doc.runs[2]).toMatchObject({ status: 'FAILED', outcome: 'failed', error: 'States.Timeout: training took too long' });
    expect(doc.runs[2]!.gate).toBeUndefined();
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
    expect(stdout).toMatch(/^RUN\s+FAMILY\s+STATUS\s+OUTCOME\s+GATE \(challenger vs champion\)\s+VERSION\s+DEPLOY\s+FINISHED \(UTC\)$/m);
    expect(stdout).toMatch(/^abalone-b\s+abalone\s+SUCCEEDED\s+deployed\s+mse 4\.8 vs 5\.5\s+v2 Approved\s+deployed \(pipeline\)\s+2025-06-03 10:00$/m);
    expect(stdout).toContain('1 record(s) could not be read: runs/broken/run.json');
    expect((await harness().run('runs')).stdout).toBe("no runs recorded on stage 'local'\n");
  });
});
