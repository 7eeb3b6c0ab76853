/**
 * The deployed entry point: contract validation before any SageMaker call, configuration errors
 * naming the variable. Modules load in isolation so each case reads its own environment.
 */
import sampleEvent from '../events/register.json';
import { loadHandler, withValueAt } from '@mlops/testing';

// The function's `local` stage environment, its SageMaker client mocked in a fresh module registry.
const start = loadHandler({ name: 'mlops_register', clients: ['sageMaker'], module: () => require('../src/handler') });
const V1 = 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-local-abalone/1';

function load(changes: Record<string, string | undefined> = {}) {
  const { handler, context, mocks, sdk } = start(changes);
  const sm = mocks.sageMaker;
  sm.on(sdk.sageMaker.CreateModelPackageGroupCommand).resolves({ ModelPackageGroupArn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package-group/mlops-local-abalone' });
  sm.on(sdk.sageMaker.CreateModelPackageCommand).resolves({ ModelPackageArn: V1 });
  sm.on(sdk.sageMaker.DescribeModelPackageCommand).resolves({ ModelPackageArn: V1, ModelApprovalStatus: 'Approved' });
  return { handler, context, sm, sdk };
}

describe('mlops_register handler', () => {
  it('registers the sample event as the next version of the family', async () => {
    const { handler, context, sm, sdk } = load();
    await expect(handler(sampleEvent, context)).resolves.toEqual({ arn: V1, group: 'mlops-local-abalone', version: 1, approvalStatus: 'Approved' });
    expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual(['CreateModelPackageGroupCommand', 'CreateModelPackageCommand', 'DescribeModelPackageCommand']);
    expect(sm.commandCalls(sdk.sageMaker.CreateModelPackageCommand)[0]!.args[0].input).toMatchObject({ ModelPackageGroupName: 'mlops-local-abalone', ModelApprovalStatus: 'Approved' });
  });

  it('registers PendingManualApproval in a stage with the manual policy', async () => {
    const { handler, context, sm, sdk } = load({ APPROVAL_POLICY: 'manual' });
    await handler(sampleEvent, context).catch(() => undefined);
    expect(sm.commandCalls(sdk.sageMaker.CreateModelPackageCommand)[0]!.args[0].input.ModelApprovalStatus).toBe('PendingManualApproval');
  });

  it.each([
    ['model artifacts that are not an S3 URI', { ...sampleEvent, modelArtifacts: 'model.tar.gz' }, 'modelArtifacts'],
    ['no evaluation', { ...sampleEvent, evaluation: undefined }, 'evaluation'],
    ['a report that is not an S3 URI', withValueAt(sampleEvent, ['evaluation', 'reportUri'], '/tmp/report.json'), 'evaluation.reportUri'],
    ['a gate without its verdict', withValueAt(sampleEvent, ['evaluation', 'gate', 'passed'], 'yes'), 'evaluation.gate.passed'],
    ['a champion version that is not a package ARN', withValueAt(sampleEvent, ['batch', 'champion'], { endpointName: 'mlops-local-abalone', endpointConfigName: 'c', modelName: 'm', modelVersion: { arn: 'abalone v3', group: 'mlops-local-abalone', version: 3 }, transformJobName: 'j', transformOutput: 's3://mlops-local-data/x/' }), 'batch.champion.modelVersion.arn'],
    ['a missing execution ARN', { ...sampleEvent, executionArn: undefined }, 'executionArn'],
    ['a run id with capitals', withValueAt(sampleEvent, ['run', 'runId'], 'Abalone-1'), 'run.runId'],
  ])('rejects %s naming the field, before any SageMaker call', async (_case, event, field) => {
    const { handler, context, sm } = load();
    const error = await handler(event, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InputValidationError', message: expect.stringContaining(field) });
    expect(sm.calls()).toHaveLength(0);
  });

  it.each([
    ['APPROVAL_POLICY', { APPROVAL_POLICY: 'sometimes' }],
    ['APPROVAL_POLICY', { APPROVAL_POLICY: 'Auto' }],
    ['APPROVAL_POLICY', { APPROVAL_POLICY: undefined }],
    ['INFERENCE_IMAGE', { INFERENCE_IMAGE: 'sagemaker-xgboost:latest' }],
    ['TRANSFORM_INSTANCE_TYPE', { TRANSFORM_INSTANCE_TYPE: 'm5.large' }],
    ['ENDPOINT_INSTANCE_TYPE', { ENDPOINT_INSTANCE_TYPE: undefined }],
  ])('fails with a ConfigurationError naming %s, before any SageMaker call', async (variable, change) => {
    const { handler, context, sm } = load(change);
    const error = await handler(sampleEvent, context).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConfigurationError', message: expect.stringContaining(variable) });
    expect(sm.calls()).toHaveLength(0);
  });
});
