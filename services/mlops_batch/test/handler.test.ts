/**
 * The deployed entry point: contract validation before any SageMaker call, configuration errors
 * naming the variable. Modules load in isolation so each case reads its own environment.
 */
import sampleEvent from '../events/batch.json';
import { awsError, loadHandler, withValueAt } from '@mlops/testing';

// The function's `local` stage environment, its SageMaker client mocked in a fresh module registry.
const start = loadHandler({ name: 'mlops_batch', clients: ['sageMaker'], module: () => require('../src/handler') });

function load(changes: Record<string, string | undefined> = {}) {
  const { handler, context, mocks, sdk } = start(changes);
  const sm = mocks.sageMaker;
  sm.on(sdk.sageMaker.CreateModelCommand).resolves({ ModelArn: 'arn:aws:sagemaker:us-east-1:000000000000:model/mlops-local-abalone-7aa1b19755' });
  sm.on(sdk.sageMaker.CreateTransformJobCommand).resolves({ TransformJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:transform-job/mlops-local-abalone-7aa1b19755-batch' });
  // The family's first model: its endpoint does not exist yet.
  sm.on(sdk.sageMaker.DescribeEndpointCommand).rejects(awsError('ValidationException', 'Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlops-local-abalone".'));
  return { handler, context, sm };
}

describe('mlops_batch handler', () => {
  it('starts the batch transform for the sample event', async () => {
    const { handler, context, sm } = load();
    await expect(handler(sampleEvent, context)).resolves.toEqual({
      modelName: 'mlops-local-abalone-7aa1b19755',
      transformJobName: 'mlops-local-abalone-7aa1b19755-batch',
      transformOutput: 's3://mlops-local-data/runs/abalone-7aa1b19755/predictions/',
      adopted: false,
    });
    expect(sm.calls()).toHaveLength(3);
  });

  it.each([
    ['model artifacts that are not an S3 URI', { ...sampleEvent, modelArtifacts: 'model.tar.gz' }, 'modelArtifacts'],
    ['a missing training job name', { ...sampleEvent, trainingJobName: undefined }, 'trainingJobName'],
    ['a training job name SageMaker would reject', { ...sampleEvent, trainingJobName: 'train_job' }, 'trainingJobName'],
    ['a test channel that is not an S3 URI', withValueAt(sampleEvent, ['run', 'dataset', 'test'], 'https://example.com/test.csv'), 'run.dataset.test'],
    ['no run', { ...sampleEvent, run: undefined }, 'run'],
  ])('rejects %s naming the field, before any SageMaker call', async (_case, event, field) => {
    const { handler, context, sm } = load();
    const error = await handler(event, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InputValidationError', message: expect.stringContaining(field) });
    expect(sm.calls()).toHaveLength(0);
  });

  it.each([
    ['INFERENCE_IMAGE', { INFERENCE_IMAGE: undefined }],
    ['INFERENCE_IMAGE', { INFERENCE_IMAGE: 'mlops-model:latest' }],
    ['TRANSFORM_INSTANCE_TYPE', { TRANSFORM_INSTANCE_TYPE: 'c5.xlarge' }],
    ['TRANSFORM_MAX_PAYLOAD_MB', { TRANSFORM_MAX_PAYLOAD_MB: '0' }],
    ['SAGEMAKER_ROLE_ARN', { SAGEMAKER_ROLE_ARN: undefined }],
  ])('fails with a ConfigurationError naming %s, before any SageMaker call', async (variable, change) => {
    const { handler, context, sm } = load(change);
    const error = await handler(sampleEvent, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining(variable) });
    expect(sm.calls()).toHaveLength(0);
  });
});
