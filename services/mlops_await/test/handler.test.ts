/**
 * The deployed entry point: contract validation before any SageMaker call, configuration errors
 * naming the variable. Modules load in isolation so each case reads its own environment.
 */
import awaitEndpoint from '../events/await-endpoint.json';
import awaitTraining from '../events/await-training.json';
import awaitTransform from '../events/await-transform.json';
import { loadHandler } from '@mlops/testing';

// The function's `local` stage environment, its SageMaker client mocked in a fresh module registry.
const start = loadHandler({ name: 'mlops_await', clients: ['sageMaker'], module: () => require('../src/handler') });

function load(changes: Record<string, string | undefined> = {}) {
  const { handler, context, mocks, sdk } = start(changes);
  const sm = mocks.sageMaker;
  const recent = new Date(Date.now() - 60_000);
  sm.on(sdk.sageMaker.DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'InProgress', SecondaryStatus: 'Training', CreationTime: recent, StoppingCondition: { MaxRuntimeInSeconds: 600 } });
  sm.on(sdk.sageMaker.DescribeTransformJobCommand).resolves({ TransformJobStatus: 'Completed', TransformOutput: { S3OutputPath: 's3://mlops-local-data/runs/abalone-7aa1b19755/predictions/' }, CreationTime: recent });
  sm.on(sdk.sageMaker.DescribeEndpointCommand).resolves({ EndpointStatus: 'InService', EndpointConfigName: 'mlops-local-abalone-7aa1b19755', LastModifiedTime: recent });
  return { handler, context, sm };
}

describe('mlops_await handler', () => {
  it.each([
    ['await-training.json', awaitTraining, { state: 'InProgress', waitSeconds: 30, attempt: 1 }],
    ['await-transform.json', awaitTransform, { state: 'Succeeded', waitSeconds: 0, outputs: { transformOutput: 's3://mlops-local-data/runs/abalone-7aa1b19755/predictions/' } }],
    ['await-endpoint.json', awaitEndpoint, { state: 'Succeeded', outputs: { endpointConfigName: 'mlops-local-abalone-7aa1b19755' } }],
  ])('polls for the sample event %s', async (_file, event, expected) => {
    const { handler, context, sm } = load();
    await expect(handler(event, context)).resolves.toMatchObject(expected);
    expect(sm.calls()).toHaveLength(1);
  });

  it('defaults the attempt counter to 0 when the state machine does not pass one', async () => {
    const { handler, context } = load();
    await expect(handler({ kind: 'training', name: 'mlops-local-abalone-7aa1b19755-train' }, context)).resolves.toMatchObject({ attempt: 1 });
  });

  it.each([
    ['an unknown kind', { ...awaitTraining, kind: 'hyperparameter-tuning' }, 'kind'],
    ['a name SageMaker would reject', { ...awaitTraining, name: 'mlops_local_train' }, 'name'],
    ['a negative attempt', { ...awaitTraining, attempt: -1 }, 'attempt'],
    ['a fractional attempt', { ...awaitTraining, attempt: 1.5 }, 'attempt'],
    ['an invalid expected config name', { ...awaitEndpoint, expectedConfigName: '-config' }, 'expectedConfigName'],
    ['no event at all', null, '(root)'],
  ])('rejects %s naming the field, before any SageMaker call', async (_case, event, field) => {
    const { handler, context, sm } = load();
    const error = await handler(event, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InputValidationError', message: expect.stringContaining(field) });
    expect(sm.calls()).toHaveLength(0);
  });

  it.each([
    ['TRANSFORM_DEADLINE_SECONDS', { TRANSFORM_DEADLINE_SECONDS: 'two hours' }],
    ['TRAINING_MAX_RUNTIME_SECONDS', { TRAINING_MAX_RUNTIME_SECONDS: '0' }],
    ['ENDPOINT_DEADLINE_SECONDS', { ENDPOINT_DEADLINE_SECONDS: '-5' }],
    ['STAGE', { STAGE: undefined }],
  ])('fails with a ConfigurationError naming %s, before any SageMaker call', async (variable, change) => {
    const { handler, context, sm } = load(change);
    const error = await handler(awaitTraining, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining(variable) });
    expect(sm.calls()).toHaveLength(0);
  });
});
