/**
 * The deployed entry point: both kinds of record from their sample events, contract validation
 * before any AWS call, configuration errors naming the variable.
 */
import deploymentSample from '../events/record-deployment.json';
import runSample from '../events/record-run.json';
import { FakeBucket, loadHandler, withValueAt } from '@mlops/testing';

// The function's `local` stage environment, its S3 and SageMaker clients mocked in a fresh module registry.
const start = loadHandler({ name: 'mlops_record', clients: ['s3', 'sageMaker'], module: () => require('../src/handler') });

function load(changes: Record<string, string | undefined> = {}) {
  const { handler, context, mocks, sdk } = start(changes);
  const bucket = new FakeBucket(mocks.s3, { sdk: sdk.s3 });
  mocks.sageMaker.on(sdk.sageMaker.DescribeTrainingJobCommand).resolves({ TrainingJobName: 'mlops-local-abalone-7aa1b19755-train', HyperParameters: { num_round: '50' } });
  return { handler, context, mocks, bucket };
}
const anyCalls = (mocks: ReturnType<typeof load>['mocks']) => mocks.s3.calls().length + mocks.sageMaker.calls().length;

describe('mlops_record handler', () => {
  it('writes the run record of the sample run', async () => {
    const { handler, context, bucket } = load();
    await expect(handler(runSample, context)).resolves.toEqual({ uri: 's3://mlops-local-data/runs/abalone-7aa1b19755/run.json' });
    expect(bucket.json('runs/abalone-7aa1b19755/run.json')).toMatchObject({ version: 1, runId: 'abalone-7aa1b19755', stage: 'local', status: 'SUCCEEDED', hyperparameters: { num_round: '50' } });
  });

  it('writes the deployment record of the sample deploy', async () => {
    const { handler, context, bucket, mocks } = load();
    const key = 'runs/abalone-7aa1b19755/deployments/abalone-7aa1b19755-v1.json';
    await expect(handler(deploymentSample, context)).resolves.toEqual({ uri: `s3://mlops-local-data/${key}` });
    expect(bucket.json(key)).toMatchObject({ status: 'deployed', reason: 'pipeline', modelVersion: { version: 1 } });
    expect(mocks.sageMaker.calls()).toHaveLength(0);
  });

  it.each([
    ['an unknown kind', { ...runSample, kind: 'training' }, 'kind'],
    ['no kind', { ...runSample, kind: undefined }, 'kind'],
    ['a run without its state', { ...runSample, state: undefined }, 'state'],
    ['a run state without a runId', withValueAt(runSample, ['state', 'runId'], undefined), 'state.runId'],
    ['a run with a deploy’s state', { ...runSample, state: deploymentSample.state }, 'state.family'],
    ['a run without its start', { ...runSample, startedAt: undefined }, 'startedAt'],
    ['a deployment without its execution', { ...deploymentSample, executionArn: undefined }, 'executionArn'],
    ['a deployment of no versioned package', withValueAt(deploymentSample, ['state', 'modelPackageArn'], 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone'), 'state.modelPackageArn'],
    ['a deployment for an unknown reason', withValueAt(deploymentSample, ['state', 'reason'], 'whim'), 'state.reason'],
  ])('rejects %s naming the field, before any AWS call', async (_case, event, field) => {
    const { handler, context, mocks } = load();
    const error = await handler(event, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InputValidationError', message: expect.stringContaining(field) });
    expect(anyCalls(mocks)).toBe(0);
  });

  it.each([
    ['DATA_BUCKET', { DATA_BUCKET: undefined }],
    ['RUNS_PREFIX', { RUNS_PREFIX: '/runs' }],
    ['NAME_PREFIX', { NAME_PREFIX: 'mlops_local' }],
  ])('fails with a ConfigurationError naming %s, before any AWS call', async (variable, change) => {
    const { handler, context, mocks } = load(change);
    const error = await handler(runSample, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining(variable) });
    expect(anyCalls(mocks)).toBe(0);
  });
});
