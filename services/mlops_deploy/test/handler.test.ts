/**
 * The deployed entry point: contract validation before any SageMaker call, configuration errors
 * naming the variable. Modules load in isolation so each case reads its own environment.
 */
import sampleEvent from '../events/deploy.json';
import { awsError, loadHandler, withValueAt } from '@mlops/testing';

// The function's `local` stage environment, its SageMaker client mocked in a fresh module registry.
const start = loadHandler({ name: 'mlops_deploy', clients: ['sageMaker', 'cloudWatch'], module: () => require('../src/handler') });

function load(changes: Record<string, string | undefined> = {}) {
  const { handler, context, mocks, sdk } = start(changes);
  const sm = mocks.sageMaker;
  sm.on(sdk.sageMaker.DescribeModelPackageCommand).resolves({
    ModelPackageArn: sampleEvent.modelPackageArn,
    ModelPackageStatus: 'Completed',
    ModelApprovalStatus: 'Approved',
    CustomerMetadataProperties: { family: 'abalone', runId: 'abalone-7aa1b19755' },
  });
  // v1 is the family's newest version: v2 does not exist.
  sm.on(sdk.sageMaker.DescribeModelPackageCommand, { ModelPackageName: sampleEvent.modelPackageArn.replace(/\/1$/, '/2') }).rejects(
    awsError('ValidationException', 'ModelPackage arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/2 does not exist.'),
  );
  sm.on(sdk.sageMaker.CreateModelCommand).resolves({ ModelArn: 'arn:aws:sagemaker:us-east-1:000000000000:model/mlops-local-abalone-v1' });
  sm.on(sdk.sageMaker.CreateEndpointConfigCommand).resolves({ EndpointConfigArn: 'arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/mlops-local-abalone-v1' });
  sm.on(sdk.sageMaker.DescribeEndpointCommand).rejects(awsError('ValidationException', 'Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlops-local-abalone".'));
  sm.on(sdk.sageMaker.CreateEndpointCommand).resolves({ EndpointArn: 'arn:aws:sagemaker:us-east-1:000000000000:endpoint/mlops-local-abalone' });
  mocks.cloudWatch.on(sdk.cloudWatch.PutMetricAlarmCommand).resolves({});
  return { handler, context, sm, cw: mocks.cloudWatch };
}

describe('mlops_deploy handler', () => {
  it('deploys the sample event', async () => {
    const { handler, context, sm, cw } = load();
    await expect(handler(sampleEvent, context)).resolves.toEqual({
      family: 'abalone',
      modelVersion: { arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/1', group: 'mlops-local-abalone', version: 1 },
      runId: 'abalone-7aa1b19755',
      modelName: 'mlops-local-abalone-v1',
      endpointName: 'mlops-local-abalone',
      endpointConfigName: 'mlops-local-abalone-v1',
      action: 'created',
    });
    expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'DescribeModelPackageCommand',
      'DescribeEndpointCommand',
      'DescribeModelPackageCommand',
      'CreateModelCommand',
      'CreateEndpointConfigCommand',
      'DescribeEndpointCommand',
      'CreateEndpointCommand',
    ]);
    expect(cw.calls().map((c) => (c.args[0] as { input: { AlarmName: string } }).input.AlarmName)).toEqual(['mlops-local-abalone-v1-invocation-5xx', 'mlops-local-abalone-v1-model-latency-p99']);
  });

  it.each([
    ['a missing model package ARN', { ...sampleEvent, modelPackageArn: undefined }, 'modelPackageArn'],
    ['a model package group without a version', { ...sampleEvent, modelPackageArn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package-group/mlops-local-abalone' }, 'modelPackageArn'],
    ['an unversioned model package', { ...sampleEvent, modelPackageArn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone' }, 'modelPackageArn'],
    ['a model ARN instead of a package', withValueAt(sampleEvent, ['modelPackageArn'], 'arn:aws:sagemaker:us-east-1:000000000000:model/mlops-local-abalone-v1'), 'modelPackageArn'],
    ['the pipeline input of before (a run and a model name)', { run: {}, modelName: 'mlops-local-abalone-7aa1b19755', executionArn: sampleEvent.executionArn }, 'modelPackageArn'],
    ['a missing execution ARN', { ...sampleEvent, executionArn: undefined }, 'executionArn'],
  ])('rejects %s naming the field, before any SageMaker call', async (_case, event, field) => {
    const { handler, context, sm } = load();
    const error = await handler(event, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InputValidationError', message: expect.stringContaining(field) });
    expect(sm.calls()).toHaveLength(0);
  });

  it.each([
    ['SAGEMAKER_ROLE_ARN', { SAGEMAKER_ROLE_ARN: undefined }],
    ['SAGEMAKER_ROLE_ARN', { SAGEMAKER_ROLE_ARN: 'mlops-local-sagemaker-execution' }],
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
