/**
 * The deployed entry point: contract validation before any SageMaker call, configuration errors
 * naming the variable. Modules load in isolation so each case reads its own environment.
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import sampleEvent from '../events/deploy.json';
import { jsonPaths, lambdaContext, valueAt, withValueAt, wrongTypedValues } from '../../../test/support/lambda';
import { awsError } from '../../../test/support/sagemaker';

const ENV = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_REGION: 'us-east-1',
  STAGE: 'local',
  DATA_BUCKET: 'mlops-local-data',
  NAME_PREFIX: 'mlops-local',
  ENDPOINT_NAME: 'mlops-local-endpoint',
  ENDPOINT_INSTANCE_TYPE: 'ml.t2.medium',
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
    sm.on(sdk.CreateEndpointConfigCommand).resolves({ EndpointConfigArn: 'arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/mlops-local-abalone-7aa1b19755' });
    sm.on(sdk.DescribeEndpointCommand).rejects(awsError('ValidationException', 'Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlops-local-endpoint".'));
    sm.on(sdk.CreateEndpointCommand).resolves({ EndpointArn: 'arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlops-local-endpoint' });
    loaded = { handler: (require('../src/handler') as typeof import('../src/handler')).handler, sm: sm as never };
  });
  return loaded;
}

describe('mlops_deploy handler', () => {
  it('deploys the sample event', async () => {
    const { handler, sm } = load();
    await expect(handler(sampleEvent, lambdaContext)).resolves.toEqual({
      endpointName: 'mlops-local-endpoint',
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
    ['ENDPOINT_NAME', { ENDPOINT_NAME: undefined }],
    ['ENDPOINT_NAME', { ENDPOINT_NAME: 'mlops_local_endpoint' }],
    ['ENDPOINT_INSTANCE_TYPE', { ENDPOINT_INSTANCE_TYPE: 't2.medium' }],
    ['ENDPOINT_MAX_EXECUTION_SECONDS', { ENDPOINT_MAX_EXECUTION_SECONDS: '60' }],
    ['ENDPOINT_TERMINATION_WAIT_SECONDS', { ENDPOINT_TERMINATION_WAIT_SECONDS: '7200' }],
  ])('fails with a ConfigurationError naming %s, before any SageMaker call', async (variable, change) => {
    const { handler, sm } = load({ ...ENV, ...change });
    const error = await handler(sampleEvent, lambdaContext).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining(variable) });
    expect(sm.calls()).toHaveLength(0);
  });
});
