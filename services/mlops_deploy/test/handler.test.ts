/**
 * The deployed entry point: contract validation before any SageMaker call, configuration errors
 * naming the variable. Modules load in isolation so each case reads its own environment.
 */
import sampleEvent from '../events/deploy.json';
import { awsError, loadHandler, withValueAt } from '@mlops/testing';

// The function's `local` stage environment, its SageMaker client mocked in a fresh module registry.
const start = loadHandler({ name: 'mlops_deploy', clients: ['sageMaker'], module: () => require('../src/handler') });

function load(changes: Record<string, string | undefined> = {}) {
  const { handler, context, mocks, sdk } = start(changes);
  const sm = mocks.sageMaker;
  sm.on(sdk.sageMaker.CreateEndpointConfigCommand).resolves({ EndpointConfigArn: 'arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/mlops-local-abalone-7aa1b19755' });
  sm.on(sdk.sageMaker.DescribeEndpointCommand).rejects(awsError('ValidationException', 'Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlops-local-abalone".'));
  sm.on(sdk.sageMaker.CreateEndpointCommand).resolves({ EndpointArn: 'arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlops-local-abalone' });
  return { handler, context, sm };
}

describe('mlops_deploy handler', () => {
  it('deploys the sample event', async () => {
    const { handler, context, sm } = load();
    await expect(handler(sampleEvent, context)).resolves.toEqual({
      endpointName: 'mlops-local-abalone',
      endpointConfigName: 'mlops-local-abalone-7aa1b19755',
      action: 'created',
    });
    expect(sm.calls()).toHaveLength(3);
  });

  it.each([
    ['a model name SageMaker would reject', { ...sampleEvent, modelName: 'model_1' }, 'modelName'],
    ['a missing model name', { ...sampleEvent, modelName: undefined }, 'modelName'],
    ['a missing execution ARN', { ...sampleEvent, executionArn: undefined }, 'executionArn'],
    ['an unknown problem type', withValueAt(sampleEvent, ['run', 'task', 'problemType'], 'ranking'), 'run.task.problemType'],
  ])('rejects %s naming the field, before any SageMaker call', async (_case, event, field) => {
    const { handler, context, sm } = load();
    const error = await handler(event, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InputValidationError', message: expect.stringContaining(field) });
    expect(sm.calls()).toHaveLength(0);
  });

  it.each([
    ['ENDPOINT_INSTANCE_TYPE', { ENDPOINT_INSTANCE_TYPE: 't2.medium' }],
    ['ENDPOINT_MAX_EXECUTION_SECONDS', { ENDPOINT_MAX_EXECUTION_SECONDS: '60' }],
    ['ENDPOINT_TERMINATION_WAIT_SECONDS', { ENDPOINT_TERMINATION_WAIT_SECONDS: '7200' }],
  ])('fails with a ConfigurationError naming %s, before any SageMaker call', async (variable, change) => {
    const { handler, context, sm } = load(change);
    const error = await handler(sampleEvent, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining(variable) });
    expect(sm.calls()).toHaveLength(0);
  });
});
