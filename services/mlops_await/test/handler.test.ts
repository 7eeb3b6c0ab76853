/**
 * The deployed entry point: contract validation before any SageMaker call, configuration errors
 * naming the variable. Modules load in isolation so each case reads its own environment.
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import awaitEndpoint from '../events/await-endpoint.json';
import awaitTraining from '../events/await-training.json';
import awaitTransform from '../events/await-transform.json';
import { jsonPaths, lambdaContext, valueAt, withValueAt, wrongTypedValues } from '../../../test/support/lambda';

const ENV = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_REGION: 'us-east-1',
  STAGE: 'local',
  DATA_BUCKET: 'mlops-local-data',
  NAME_PREFIX: 'mlops-local',
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
    const recent = new Date(Date.now() - 60_000);
    sm.on(sdk.DescribeTrainingJobCommand).resolves({ TrainingJobStatus: 'InProgress', SecondaryStatus: 'Training', CreationTime: recent, StoppingCondition: { MaxRuntimeInSeconds: 600 } });
    sm.on(sdk.DescribeTransformJobCommand).resolves({ TransformJobStatus: 'Completed', TransformOutput: { S3OutputPath: 's3://mlops-local-data/runs/abalone-7aa1b19755/predictions/' }, CreationTime: recent });
    sm.on(sdk.DescribeEndpointCommand).resolves({ EndpointStatus: 'InService', EndpointConfigName: 'mlops-local-abalone-7aa1b19755', LastModifiedTime: recent });
    loaded = { handler: (require('../src/handler') as typeof import('../src/handler')).handler, sm: sm as never };
  });
  return loaded;
}

describe('mlops_await handler', () => {
  it.each([
    ['await-training.json', awaitTraining, { state: 'InProgress', waitSeconds: 30, attempt: 1 }],
    ['await-transform.json', awaitTransform, { state: 'Succeeded', waitSeconds: 0, outputs: { transformOutput: 's3://mlops-local-data/runs/abalone-7aa1b19755/predictions/' } }],
    ['await-endpoint.json', awaitEndpoint, { state: 'Succeeded', outputs: { endpointConfigName: 'mlops-local-abalone-7aa1b19755' } }],
  ])('polls for the sample event %s', async (_file, event, expected) => {
    const { handler, sm } = load();
    await expect(handler(event, lambdaContext)).resolves.toMatchObject(expected);
    expect(sm.calls()).toHaveLength(1);
  });

  it('defaults the attempt counter to 0 when the state machine does not pass one', async () => {
    const { handler } = load();
    await expect(handler({ kind: 'training', name: 'mlops-local-abalone-7aa1b19755-train' }, lambdaContext)).resolves.toMatchObject({ attempt: 1 });
  });

  it.each([
    ['an unknown kind', { ...awaitTraining, kind: 'processing' }, 'kind'],
    ['a name SageMaker would reject', { ...awaitTraining, name: 'mlops_local_train' }, 'name'],
    ['a negative attempt', { ...awaitTraining, attempt: -1 }, 'attempt'],
    ['a fractional attempt', { ...awaitTraining, attempt: 1.5 }, 'attempt'],
    ['an invalid expected config name', { ...awaitEndpoint, expectedConfigName: '-config' }, 'expectedConfigName'],
    ['no event at all', null, '(root)'],
  ])('rejects %s naming the field, before any SageMaker call', async (_case, event, field) => {
    const { handler, sm } = load();
    const error = await handler(event, lambdaContext).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InputValidationError', message: expect.stringContaining(field) });
    expect(sm.calls()).toHaveLength(0);
  });

  it('rejects any event with one value of the wrong type or a required field missing, naming it, with zero SDK calls (property)', async () => {
    const { handler, sm } = load();
    const optional = new Set(['attempt', 'expectedConfigName']);
    const mutations = [awaitTraining, awaitTransform, awaitEndpoint].flatMap((event) =>
      jsonPaths(event).flatMap((path) => [
        ...wrongTypedValues(valueAt(event, path)).map((value) => ({ event, path, value })),
        ...(optional.has(path.join('.')) ? [] : [{ event, path, value: undefined }]),
      ]),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...mutations), async ({ event, path, value }) => {
        sm.resetHistory();
        const error = (await handler(withValueAt(event, path, value), lambdaContext).catch((e: unknown) => e)) as { name: string; issues: { path: string }[] };
        expect(error.name).toBe('InputValidationError');
        expect(error.issues.map((i) => i.path)).toContain(path.join('.'));
        expect(sm.calls()).toHaveLength(0);
      }),
      { numRuns: 100 },
    );
  });

  it.each([
    ['TRANSFORM_DEADLINE_SECONDS', { TRANSFORM_DEADLINE_SECONDS: 'two hours' }],
    ['TRAINING_MAX_RUNTIME_SECONDS', { TRAINING_MAX_RUNTIME_SECONDS: '0' }],
    ['ENDPOINT_DEADLINE_SECONDS', { ENDPOINT_DEADLINE_SECONDS: '-5' }],
    ['STAGE', { STAGE: undefined }],
  ])('fails with a ConfigurationError naming %s, before any SageMaker call', async (variable, change) => {
    const { handler, sm } = load({ ...ENV, ...change });
    const error = await handler(awaitTraining, lambdaContext).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining(variable) });
    expect(sm.calls()).toHaveLength(0);
  });
});
