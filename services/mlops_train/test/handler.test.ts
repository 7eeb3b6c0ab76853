/**
 * The deployed entry point: contract validation before any SageMaker call, configuration errors
 * naming the variable. Modules load in isolation so each case reads its own environment.
 */
import sampleEvent from '../events/train.json';
import { loadHandler, withValueAt } from '@mlops/testing';

// The function's `local` stage environment, its SageMaker client mocked in a fresh module registry.
const start = loadHandler({ name: 'mlops_train', clients: ['sageMaker'], module: () => require('../src/handler') });

function load(changes: Record<string, string | undefined> = {}) {
  const { handler, context, mocks, sdk } = start(changes);
  const sm = mocks.sageMaker;
  sm.on(sdk.sageMaker.CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/mlops-local-abalone-7aa1b19755-train' });
  return { handler, context, sm };
}

describe('mlops_train handler', () => {
  it('starts training for the sample event', async () => {
    const { handler, context, sm } = load();
    await expect(handler(sampleEvent, context)).resolves.toEqual({
      jobName: 'mlops-local-abalone-7aa1b19755-train',
      jobArn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/mlops-local-abalone-7aa1b19755-train',
      adopted: false,
    });
    expect(sm.calls()).toHaveLength(1);
  });

  it.each([
    ['a missing execution ARN', { ...sampleEvent, executionArn: undefined }, 'executionArn'],
    ['an execution ARN of another service', { ...sampleEvent, executionArn: 'arn:aws:lambda:us-east-1:000000000000:function:x' }, 'executionArn'],
    ['an upper-case run id', withValueAt(sampleEvent, ['run', 'runId'], 'Abalone'), 'run.runId'],
    ['a channel that is not an S3 URI', withValueAt(sampleEvent, ['run', 'dataset', 'train'], '/tmp/train'), 'run.dataset.train'],
    ['a non-string hyperparameter override', withValueAt(sampleEvent, ['run', 'overrides'], { hyperparameters: { eta: 0.1 } }), 'run.overrides.hyperparameters.eta'],
    ['an empty training channel', withValueAt(sampleEvent, ['run', 'dataset', 'rows', 'train'], 0), 'run.dataset.rows.train'],
  ])('rejects %s naming the field, before any SageMaker call', async (_case, event, field) => {
    const { handler, context, sm } = load();
    const error = await handler(event, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InputValidationError', message: expect.stringContaining(field) });
    expect(sm.calls()).toHaveLength(0);
  });

  it.each([
    ['TRAINING_IMAGE', { TRAINING_IMAGE: undefined }],
    ['TRAINING_IMAGE', { TRAINING_IMAGE: 'mlops-model:latest' }],
    ['SAGEMAKER_ROLE_ARN', { SAGEMAKER_ROLE_ARN: 'mlops-role' }],
    ['TRAINING_INSTANCE_TYPE', { TRAINING_INSTANCE_TYPE: 'm5.large' }],
    ['HYPERPARAMETERS', { HYPERPARAMETERS: '{eta: 0.2}' }],
    ['NAME_PREFIX', { NAME_PREFIX: 'mlops_local' }],
  ])('fails with a ConfigurationError naming %s, before any SageMaker call', async (variable, change) => {
    const { handler, context, sm } = load(change);
    const error = await handler(sampleEvent, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining(variable) });
    expect(sm.calls()).toHaveLength(0);
  });
});
