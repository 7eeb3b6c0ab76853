/**
 * mlops_register against the local SageMaker's model registry (its real JSON 1.1 wire protocol,
 * through the SDK client the function uses): the family's group created once, SageMaker assigning
 * the versions, and a retried registration (the same ClientToken) given its version back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DescribeModelPackageCommand, ListModelPackagesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { type LocalSageMaker, startLocalSageMaker } from '@mlops/local-sagemaker';
import { parseConfig, RegisterConfigSchema, type RegisterInput, RegisterInputSchema } from '@mlops/common';
import sampleEvent from '../events/register.json';
import { registerModel } from '../src/register';

jest.setTimeout(60_000);

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const ENV = {
  STAGE: 'local',
  DATA_BUCKET: 'mlops-local-data',
  NAME_PREFIX: 'mlops-local',
  APPROVAL_POLICY: 'auto',
  INFERENCE_IMAGE: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
  TRANSFORM_INSTANCE_TYPE: 'ml.m5.large',
  ENDPOINT_INSTANCE_TYPE: 'ml.t2.medium',
};
let tmp: string;
let local: LocalSageMaker;
let sageMaker: SageMakerClient;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-register-'));
  // Registration reads no S3 object and starts no container: an unreachable S3 and an empty image registry do.
  local = await startLocalSageMaker({ workDir: path.join(tmp, 'work'), s3: { endpoint: 'http://127.0.0.1:9', credentials }, imageRegistry: { images: {} } });
  sageMaker = new SageMakerClient({ endpoint: local.endpoint, region: 'us-east-1', credentials });
});
afterAll(async () => {
  sageMaker?.destroy();
  await local?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const run = (runId: string): RegisterInput =>
  RegisterInputSchema.parse({ ...structuredClone(sampleEvent), run: { ...sampleEvent.run, runId, runPrefix: `s3://mlops-local-data/runs/${runId}/` } });
const deps = (env: Record<string, string> = {}) => ({ sageMaker, config: parseConfig(RegisterConfigSchema, { ...ENV, ...env }) });
const arnOf = (version: number) => `arn:aws:sagemaker:us-east-1:${local.accountId}:model-package/mlops-local-abalone/${version}`;

describe('mlops_register with the local SageMaker registry', () => {
  it('registers the first run as version 1 and a retry of it (the same ClientToken) gets version 1 back', async () => {
    const first = await registerModel(run('abalone-1111111111'), deps());
    expect(first).toEqual({ arn: arnOf(1), group: 'mlops-local-abalone', version: 1, approvalStatus: 'Approved' });
    // The retry finds the group there and SageMaker answers the token with the version it made.
    await expect(registerModel(run('abalone-1111111111'), deps())).resolves.toEqual(first);
  });

  it('registers another run as version 2, with its lineage, metrics and report', async () => {
    const second = await registerModel(run('abalone-2222222222'), deps());
    expect(second).toEqual({ arn: arnOf(2), group: 'mlops-local-abalone', version: 2, approvalStatus: 'Approved' });
    const described = await sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: second.arn }));
    expect(described).toMatchObject({
      ModelPackageGroupName: 'mlops-local-abalone',
      ModelPackageVersion: 2,
      ModelApprovalStatus: 'Approved',
      ModelPackageStatus: 'Completed',
      InferenceSpecification: { Containers: [{ Image: ENV.INFERENCE_IMAGE, ModelDataUrl: sampleEvent.modelArtifacts }] },
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: sampleEvent.evaluation.reportUri } } },
      CustomerMetadataProperties: { family: 'abalone', runId: 'abalone-2222222222', stage: 'local', comparedWith: 'none', 'metric:mse': '4.86' },
    });
  });

  it('registers PendingManualApproval under the manual policy, as the next version', async () => {
    await expect(registerModel(run('abalone-3333333333'), deps({ APPROVAL_POLICY: 'manual' }))).resolves.toEqual({
      arn: arnOf(3),
      group: 'mlops-local-abalone',
      version: 3,
      approvalStatus: 'PendingManualApproval',
    });
    const listed = await sageMaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'mlops-local-abalone' }));
    expect(listed.ModelPackageSummaryList!.map((p) => [p.ModelPackageVersion, p.ModelApprovalStatus])).toEqual(
      expect.arrayContaining([
        [1, 'Approved'],
        [2, 'Approved'],
        [3, 'PendingManualApproval'],
      ]),
    );
    expect(listed.ModelPackageSummaryList).toHaveLength(3);
  });
});
