/**
 * The deployed entry point: contract validation before any SageMaker call, configuration errors
 * naming the variable. Modules load in isolation so each case reads its own environment.
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import sampleEvent from '../events/batch.json';
import { jsonPaths, lambdaContext, valueAt, withValueAt, wrongTypedValues } from '../../../test/support/lambda';

const ENV = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_REGION: 'us-east-1',
  STAGE: 'local',
  DATA_BUCKET: 'mlops-local-data',
  NAME_PREFIX: 'mlops-local',
  SAGEMAKER_ROLE_ARN: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker',
  INFERENCE_IMAGE: '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlops-model:1.0.0',
  TRANSFORM_INSTANCE_TYPE: 'ml.m5.large',
};
const savedEnv = process.env;
afterEach(() => {
  process.env = savedEnv;
});

function load(env: Record<string, string | undefined> = ENV) {
  let loaded!: { handler: (event: unknown, context: typeof lambdaContext) => Promise<unknown>; sm: ReturnType<typeof mockClient> };
  jest.isolateModules(() => {
    process.env = { ...savedEnv, ...env };
    const sdk = require('@aws-sdk/client-sagemaker') as typeof import('@aws-sdk/client-sagemaker');
    const sm = mockClient(sdk.SageMakerClient as unknown as typeof SageMakerClient);
    sm.on(sdk.CreateModelCommand).resolves({ ModelArn: 'arn:aws:sagemaker:us-east-1:000000000000:model/mlops-local-abalone-7aa1b19755' });
    sm.on(sdk.CreateTransformJobCommand).resolves({ TransformJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:transform-job/mlops-local-abalone-7aa1b19755-batch' });
    loaded = { handler: (require('../src/handler') as typeof import('../src/handler')).handler, sm: sm as never };
  });
  return loaded;
}

describe('mlops_batch handler', () => {
  it('starts the batch transform for the sample event', async () => {
    const { handler, sm } = load();
    await expect(handler(sampleEvent, lambdaContext)).resolves.toEqual({
      modelName: 'mlops-local-abalone-7aa1b19755',
      transformJobName: 'mlops-local-abalone-7aa1b19755-batch',
      transformOutput: 's3://mlops-local-data/runs/abalone-7aa1b19755/predictions/',
      adopted: false,
    });
    expect(sm.calls()).toHaveLength(2);
  });

  it.each([
    ['model artifacts that are not an S3 URI', { ...sampleEvent, modelArtifacts: 'model.tar.gz' }, 'modelArtifacts'],
    ['a missing training job name', { ...sampleEvent, trainingJobName: undefined }, 'trainingJobName'],
    ['a training job name SageMaker would reject', { ...sampleEvent, trainingJobName: 'train_job' }, 'trainingJobName'],
    ['a test channel that is not an S3 URI', withValueAt(sampleEvent, ['run', 'dataset', 'test'], 'https://example.com/test.csv'), 'run.dataset.test'],
    ['no run', { ...sampleEvent, run: undefined }, 'run'],
  ])('rejects %s naming the field, before any SageMaker call', async (_case, event, field) => {
    const { handler, sm } = load();
    const error = await handler(event, lambdaContext).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InputValidationError', message: expect.stringContaining(field) });
    expect(sm.calls()).toHaveLength(0);
  });

  it('rejects any event with one value of the wrong type or a required field missing, naming it, with zero SDK calls (property)', async () => {
    const { handler, sm } = load();
    const optional = new Set(['run.overrides']);
    const mutations = jsonPaths(sampleEvent).flatMap((path) => [
      ...wrongTypedValues(valueAt(sampleEvent, path)).map((value) => ({ path, value })),
      ...(optional.has(path.join('.')) ? [] : [{ path, value: undefined }]),
    ]);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...mutations), async ({ path, value }) => {
        sm.resetHistory();
        const error = (await handler(withValueAt(sampleEvent, path, value), lambdaContext).catch((e: unknown) => e)) as { name: string; issues: { path: string }[] };
        expect(error.name).toBe('InputValidationError');
        expect(error.issues.map((i) => i.path)).toContain(path.join('.'));
        expect(sm.calls()).toHaveLength(0);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['INFERENCE_IMAGE', { INFERENCE_IMAGE: undefined }],
    ['INFERENCE_IMAGE', { INFERENCE_IMAGE: 'mlops-model:latest' }],
    ['TRANSFORM_INSTANCE_TYPE', { TRANSFORM_INSTANCE_TYPE: 'c5.xlarge' }],
    ['TRANSFORM_MAX_PAYLOAD_MB', { TRANSFORM_MAX_PAYLOAD_MB: '0' }],
    ['SAGEMAKER_ROLE_ARN', { SAGEMAKER_ROLE_ARN: undefined }],
  ])('fails with a ConfigurationError naming %s, before any SageMaker call', async (variable, change) => {
    const { handler, sm } = load({ ...ENV, ...change });
    const error = await handler(sampleEvent, lambdaContext).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining(variable) });
    expect(sm.calls()).toHaveLength(0);
  });
});
