import { ModelsOutputSchema } from '../src';
import { expectRequestsValid } from '@mlops/testing';
import { register, runRecord } from './support/fixtures';
import { harness, sm } from './support/harness';

afterEach(() => expectRequestsValid(sm));

describe('pnpm mlops models', () => {
  it('lists every version (all pages) with status, gate metric vs champion, run, source, and the live one', async () => {
    const h = harness();
    register(h.registry, 'local', 'abalone', 'Approved', 5.5);
    register(h.registry, 'local', 'abalone', 'Rejected', 7.1);
    const v3 = register(h.registry, 'local', 'abalone', 'Approved', 4.8);
    register(h.registry, 'local', 'abalone', 'PendingManualApproval', 4.5, { sourceStage: 'local-dev', sourceVersion: '7', sourceRun: 'abalone-dev7' });
    register(h.registry, 'local', 'abalone', 'PendingManualApproval', 4.4);
    h.registry.setLive('mlops-local-abalone', v3.arn);
    // The run record names the gate's metric: mae for run 5.
    h.bucket.put('runs/abalone-run5/run.json', { body: JSON.stringify(runRecord({ runId: 'abalone-run5', family: 'abalone', finishedAt: '2025-06-05T00:00:00.000Z', evaluation: { reportUri: 's3://mlops-local-data/r.json', metric: 'mae', challenger: { mae: 1.4667 }, gate: { passed: true, summary: '' } } })) });

    const { code, stdout } = await h.run('models', 'abalone', '--json');
    expect(code).toBe(0);
    const doc = ModelsOutputSchema.parse(JSON.parse(stdout));
    expect(doc.endpoint).toEqual({ name: 'mlops-local-abalone', status: 'InService', configName: 'mlops-local-abalone-config', liveVersion: 3 });
    expect(doc.versions.map((v) => [v.version, v.approvalStatus, v.live])).toEqual([
      [1, 'Approved', false],
      [2, 'Rejected', false],
      [3, 'Approved', true],
      [4, 'PendingManualApproval', false],
      [5, 'PendingManualApproval', false],
    ]);
    expect(doc.versions[0]).toMatchObject({ runId: 'abalone-run1', createdAt: '2025-06-01T00:00:00.000Z', gate: { metric: 'mse', value: 5.5 } });
    expect(doc.versions[2]!.gate).toEqual({ metric: 'mse', value: 4.8, champion: 5.5, championLabel: 'abalone v2' });
    expect(doc.versions[3]!.source).toEqual({ stage: 'local-dev', version: 7, run: 'abalone-dev7' });
    expect(doc.versions[4]!.gate).toMatchObject({ metric: 'mae', value: 4.4 / 3, champion: 1.8, passed: true });
    // all pages of ListModelPackages (page size 2)
    expect(sm.commandCalls((await import('@aws-sdk/client-sagemaker')).ListModelPackagesCommand)).toHaveLength(3);
  });

  it('prints a table with the live version marked', async () => {
    const h = harness();
    const v1 = register(h.registry, 'local', 'abalone', 'Approved', 5.5);
    register(h.registry, 'local', 'abalone', 'Approved', 4.8);
    h.registry.setLive('mlops-local-abalone', v1.arn);
    // Run 2's record says which gate rule applied (the upload's threshold); run 1 has no record on this stage.
    const rule = { kind: 'threshold' as const, source: 'upload' as const, reason: 'the upload sets a threshold (mlops-threshold)' };
    h.bucket.put('runs/abalone-run2/run.json', {
      body: JSON.stringify(runRecord({ runId: 'abalone-run2', family: 'abalone', finishedAt: '2025-06-02T00:00:00.000Z', evaluation: { reportUri: 's3://mlops-local-data/r.json', metric: 'mse', challenger: { mse: 4.8 }, gate: { passed: true, summary: '', threshold: 5, direction: 'lte', rule } } })),
    });
    const { stdout } = await h.run('models', 'abalone');
    expect(stdout).toContain("abalone on stage 'local' (group mlops-local-abalone); endpoint mlops-local-abalone: InService, serving v1");
    expect(stdout).toMatch(/^LIVE\s+VERSION\s+STATUS\s+CREATED \(UTC\)\s+GATE \(metric vs champion\)\s+RULE\s+SOURCE$/m);
    expect(stdout).toMatch(/^\*\s+v1\s+Approved\s+2025-06-01 00:00\s+mse 5\.5\s+-\s+run abalone-run1$/m);
    expect(stdout).toMatch(/^\s+v2\s+Approved\s+2025-06-02 00:00\s+mse 4\.8 vs 5\.5\s+threshold ≤ 5 \(upload\)\s+run abalone-run2$/m);
  });

  it('a family without an endpoint lists its versions, none live', async () => {
    const h = harness();
    register(h.registry, 'local', 'iris', 'PendingManualApproval', 1);
    const doc = ModelsOutputSchema.parse((await h.run('models', 'iris', '--json')).json());
    expect(doc.endpoint).toEqual({ name: 'mlops-local-iris' });
    expect(doc.versions[0]!.live).toBe(false);
    expect((await h.run('models', 'iris')).stdout).toContain('endpoint mlops-local-iris: not deployed');
  });

  it('an unknown family (no model package group) fails with exit 1 and names the group', async () => {
    const { code, stderr } = await harness().run('models', 'abalone');
    expect(code).toBe(1);
    expect(stderr).toContain("unknown family 'abalone' on stage 'local': there is no model package group mlops-local-abalone");
  });
});
