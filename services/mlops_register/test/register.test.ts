import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeModelPackageCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { parseConfig, RegisterConfigSchema, type RegisterInput, RegisterInputSchema, RegisterOutputSchema, SageMakerTransientError } from '@mlops/common';
import { mockClient } from 'aws-sdk-client-mock';
import sampleEvent from '../events/register.json';
import { clientTokenFor, modelPackageRequest, packageMetadata, registerModel } from '../src/register';
import { awsError, expectRequestsValid } from '@mlops/testing';

const sm = mockClient(SageMakerClient);
const ENV = {
  STAGE: 'local',
  DATA_BUCKET: 'mlops-local-data',
  NAME_PREFIX: 'mlops-local',
  APPROVAL_POLICY: 'auto',
  INFERENCE_IMAGE: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
  TRANSFORM_INSTANCE_TYPE: 'ml.m5.large',
  ENDPOINT_INSTANCE_TYPE: 'ml.t2.medium',
};
const config = (env: Record<string, string> = {}) => parseConfig(RegisterConfigSchema, { ...ENV, ...env });
const deps = (env: Record<string, string> = {}) => ({ sageMaker: new SageMakerClient({ region: 'us-east-1' }), config: config(env) });
const GROUP = 'mlops-local-abalone';
const RUN = 'abalone-7aa1b19755';
const V7 = `arn:aws:sagemaker:us-east-1:000000000000:model-package/${GROUP}/7`;
const ARTIFACTS = 's3://mlops-local-data/runs/abalone-7aa1b19755/model/mlops-local-abalone-7aa1b19755-train/output/model.tar.gz';
const REPORT = 's3://mlops-local-data/runs/abalone-7aa1b19755/evaluation/report.json';
const EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:abalone-7aa1b19755';

function event(patch: (e: RegisterInput) => void = () => undefined): RegisterInput {
  const e = RegisterInputSchema.parse(structuredClone(sampleEvent));
  patch(e);
  return e;
}
/** The sample run, compared with the family's v3 (which scored mse 5.1). */
const withChampion = () =>
  event((e) => {
    e.batch.champion = {
      endpointName: GROUP,
      endpointConfigName: 'mlops-local-abalone-v3',
      modelName: 'mlops-local-abalone-v3',
      modelVersion: { arn: `arn:aws:sagemaker:us-east-1:000000000000:model-package/${GROUP}/3`, group: GROUP, version: 3 },
      transformJobName: 'mlops-local-abalone-7aa1b19755-champion',
      transformOutput: 's3://mlops-local-data/runs/abalone-7aa1b19755/champion-predictions/',
    };
    e.evaluation.champion = { label: 'abalone v3', metrics: { mse: 5.1, rmse: 2.2583, mae: 1.62, r2: 0.49 } };
  });
const groupExists = awsError('ValidationException', `Model Package Group already exists: arn:aws:sagemaker:us-east-1:000000000000:model-package-group/${GROUP}`);

beforeEach(() => {
  sm.reset();
  sm.on(CreateModelPackageGroupCommand).resolves({ ModelPackageGroupArn: `arn:aws:sagemaker:us-east-1:000000000000:model-package-group/${GROUP}` });
  sm.on(CreateModelPackageCommand).resolves({ ModelPackageArn: V7 });
  sm.on(DescribeModelPackageCommand).resolves({ ModelPackageArn: V7, ModelApprovalStatus: 'Approved', ModelPackageStatus: 'Completed' });
});
afterEach(() => expectRequestsValid(sm));

describe('clientTokenFor', () => {
  it('is one token per group and run, within SageMaker’s 1-36 [a-zA-Z0-9-]', () => {
    const token = clientTokenFor(GROUP, RUN);
    expect(token).toMatch(/^[a-zA-Z0-9-]{1,36}$/);
    expect(clientTokenFor(GROUP, RUN)).toBe(token);
    expect(clientTokenFor(GROUP, 'abalone-0000000000')).not.toBe(token);
    expect(clientTokenFor('mlops-dev-abalone', RUN)).not.toBe(token);
  });
});

describe('packageMetadata', () => {
  it('carries the run’s lineage and the challenger’s metrics; a first model was compared with none', () => {
    expect(packageMetadata(event(), config())).toEqual({
      family: 'abalone',
      runId: RUN,
      stage: 'local',
      datasetUri: 's3://mlops-local-data/incoming/abalone.csv',
      datasetETag: 'a769fd0119787cac09158fe08971e480',
      comparedWith: 'none',
      'metric:mse': '4.86',
      'metric:rmse': '2.2045',
      'metric:mae': '1.55',
      'metric:r2': '0.52',
    });
  });

  it('names the champion it was compared with and its metrics', () => {
    expect(packageMetadata(withChampion(), config())).toMatchObject({
      comparedWith: 'abalone v3',
      'metric:mse': '4.86',
      'champion:mse': '5.1',
      'champion:rmse': '2.2583',
      'champion:mae': '1.62',
      'champion:r2': '0.49',
    });
  });

  it('keeps values inside SageMaker’s metadata pattern (a champion without a version)', () => {
    const input = withChampion();
    delete input.batch.champion!.modelVersion;
    const metadata = packageMetadata(input, config());
    expect(metadata.comparedWith).toBe('abalone _unregistered_');
    for (const [key, value] of Object.entries(metadata)) {
      expect(key).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u);
      expect(value).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u);
    }
  });
});

describe('registerModel', () => {
  it('creates the family’s group, then the package with the exact request, and returns the version of its ARN', async () => {
    const output = await registerModel(event(), deps());
    expect(output).toEqual({ arn: V7, group: GROUP, version: 7, approvalStatus: 'Approved' });
    expect(RegisterOutputSchema.parse(output)).toEqual(output);

    expect(sm).toHaveReceivedCommandWith(CreateModelPackageGroupCommand, {
      ModelPackageGroupName: GROUP,
      ModelPackageGroupDescription: 'Versions of the abalone model family (local)',
      Tags: [
        { Key: 'mlops:stage', Value: 'local' },
        { Key: 'mlops:family', Value: 'abalone' },
      ],
    });
    expect(sm.commandCalls(CreateModelPackageCommand)[0]!.args[0].input).toEqual({
      ModelPackageGroupName: GROUP,
      ModelPackageDescription: `abalone model of run ${RUN}: mse = 4.86 meets the threshold 6 (must be <= 6)`,
      InferenceSpecification: {
        Containers: [{ Image: ENV.INFERENCE_IMAGE, ModelDataUrl: ARTIFACTS }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
        SupportedRealtimeInferenceInstanceTypes: ['ml.t2.medium'],
        SupportedTransformInstanceTypes: ['ml.m5.large'],
      },
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: REPORT } } },
      // CreateModelPackage has no ApprovalDescription (UpdateModelPackage has): the request carries none.
      ModelApprovalStatus: 'Approved',
      CustomerMetadataProperties: packageMetadata(event(), config()),
      ClientToken: clientTokenFor(GROUP, RUN),
      Tags: [
        { Key: 'mlops:stage', Value: 'local' },
        { Key: 'mlops:run', Value: RUN },
        { Key: 'mlops:execution', Value: EXECUTION },
        { Key: 'mlops:family', Value: 'abalone' },
      ],
    });
    expect(sm).toHaveReceivedCommandWith(DescribeModelPackageCommand, { ModelPackageName: V7 });
    expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual(['CreateModelPackageGroupCommand', 'CreateModelPackageCommand', 'DescribeModelPackageCommand']);
  });

  it('carries the champion comparison into the package’s metadata', async () => {
    await registerModel(withChampion(), deps());
    expect(sm).toHaveReceivedCommandWith(CreateModelPackageCommand, {
      CustomerMetadataProperties: expect.objectContaining({ comparedWith: 'abalone v3', 'champion:mse': '5.1', 'metric:mse': '4.86' }),
    });
  });

  it('goes on when the family’s group exists already (every run after the first)', async () => {
    sm.on(CreateModelPackageGroupCommand).rejects(groupExists);
    await expect(registerModel(event(), deps())).resolves.toMatchObject({ version: 7 });
    expect(sm).toHaveReceivedCommandTimes(CreateModelPackageCommand, 1);
  });

  it('registers PendingManualApproval under the manual policy', async () => {
    sm.on(DescribeModelPackageCommand).resolves({ ModelPackageArn: V7, ModelApprovalStatus: 'PendingManualApproval' });
    await expect(registerModel(event(), deps({ APPROVAL_POLICY: 'manual' }))).resolves.toEqual({ arn: V7, group: GROUP, version: 7, approvalStatus: 'PendingManualApproval' });
    const request = sm.commandCalls(CreateModelPackageCommand)[0]!.args[0].input;
    expect(request.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(request).not.toHaveProperty('ApprovalDescription');
  });

  it('returns the status SageMaker holds, not the one it asked for (a retry after an approval)', async () => {
    // The same ClientToken answers with the earlier attempt's version, which an operator may have rejected since.
    sm.on(DescribeModelPackageCommand).resolves({ ModelPackageArn: V7, ModelApprovalStatus: 'Rejected' });
    await expect(registerModel(event(), deps())).resolves.toMatchObject({ approvalStatus: 'Rejected' });
  });

  it('builds the same request, and so the same ClientToken, on a retry', () => {
    expect(modelPackageRequest(event(), config())).toEqual(modelPackageRequest(event(), config()));
    expect(modelPackageRequest(event((e) => (e.run.runId = 'abalone-0000000000')), config()).ClientToken).not.toBe(clientTokenFor(GROUP, RUN));
  });

  it.each([
    ['CreateModelPackageGroup', CreateModelPackageGroupCommand],
    ['CreateModelPackage', CreateModelPackageCommand],
    ['DescribeModelPackage', DescribeModelPackageCommand],
  ] as const)('re-throws throttling of %s as SageMakerTransientError', async (_op, command) => {
    sm.on(command as typeof CreateModelPackageCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    await expect(registerModel(event(), deps())).rejects.toBeInstanceOf(SageMakerTransientError);
  });

  it('re-throws a 5xx of CreateModelPackage as SageMakerTransientError', async () => {
    sm.on(CreateModelPackageCommand).rejects(awsError('InternalFailure', 'We encountered an internal error', 500));
    await expect(registerModel(event(), deps())).rejects.toBeInstanceOf(SageMakerTransientError);
  });

  it('lets other errors of the group through, before registering anything', async () => {
    const denied = awsError('AccessDeniedException', 'not authorized to perform: sagemaker:CreateModelPackageGroup');
    sm.on(CreateModelPackageGroupCommand).rejects(denied);
    await expect(registerModel(event(), deps())).rejects.toBe(denied);
    expect(sm).not.toHaveReceivedCommand(CreateModelPackageCommand);
  });

  it('lets a refused registration through unchanged', async () => {
    const invalid = awsError('ValidationException', 'Model Package Group does not exist.');
    sm.on(CreateModelPackageCommand).rejects(invalid);
    await expect(registerModel(event(), deps())).rejects.toBe(invalid);
  });
});
