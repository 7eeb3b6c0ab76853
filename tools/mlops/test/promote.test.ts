import { CreateModelPackageCommand, CreateModelPackageGroupCommand } from '@aws-sdk/client-sagemaker';
import { CopyObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeployRequestSchema } from '@mlops/common';
import { expectRequestsValid, FakeBucket } from '@mlops/testing';
import { copyArtifact } from '../src/core/artifact-copy';
import { PromoteOutputSchema } from '../src';
import { IMAGE, register } from './support/fixtures';
import { harness, s3, sfn, sm } from './support/harness';

afterEach(() => expectRequestsValid(sm));

function sourceVersion(h: ReturnType<typeof harness>, stage: string, status: 'Approved' | 'PendingManualApproval' = 'Approved') {
  register(h.registry, stage, 'abalone', 'Approved', 5.5);
  const v2 = register(h.registry, stage, 'abalone', status, 4.8);
  h.bucket.put('runs/abalone-run2/model/output/model.tar.gz', { body: 'model bytes' });
  return v2;
}

describe('pnpm mlops promote', () => {
  it('to a manual stage: copies the artifact, registers PendingManualApproval with the lineage, starts no deploy, prints the approve command', async () => {
    const h = harness();
    const source = sourceVersion(h, 'local');
    const { code, stdout } = await h.run('promote', 'abalone', '2', '--to', 'localprod', '--json');
    expect(code).toBe(0);

    const key = 'runs/promoted/abalone/local-v2/model.tar.gz';
    expect(h.copies).toEqual([expect.objectContaining({ Bucket: 'mlops-localprod-data', Key: key, CopySource: 'mlops-local-data/runs/abalone-run2/model/output/model.tar.gz' })]);
    expect(h.bucket.text(key)).toBe('model bytes');
    expect(sm).toHaveReceivedCommandWith(CreateModelPackageGroupCommand, { ModelPackageGroupName: 'mlops-localprod-abalone' });
    const request = sm.commandCalls(CreateModelPackageCommand)[0]!.args[0].input;
    expect(request).toMatchObject({
      ModelPackageGroupName: 'mlops-localprod-abalone',
      InferenceSpecification: {
        Containers: [{ Image: IMAGE, ModelDataUrl: `s3://mlops-localprod-data/${key}` }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
        SupportedRealtimeInferenceInstanceTypes: ['ml.t2.medium'],
        SupportedTransformInstanceTypes: ['ml.m5.large'],
      },
      ModelMetrics: source.input.ModelMetrics,
      ModelApprovalStatus: 'PendingManualApproval',
    });
    expect(request.CustomerMetadataProperties).toEqual({
      ...source.input.CustomerMetadataProperties,
      stage: 'localprod',
      sourceStage: 'local',
      sourceVersion: '2',
      sourceRun: 'abalone-run2',
    });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    const doc = PromoteOutputSchema.parse(JSON.parse(stdout));
    expect(doc).toEqual({
      family: 'abalone',
      from: { stage: 'local', version: 2, arn: source.arn },
      to: { stage: 'localprod', group: 'mlops-localprod-abalone', version: 1, arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-localprod-abalone/1', approvalStatus: 'PendingManualApproval', approvalPolicy: 'manual' },
      artifact: { source: 's3://mlops-local-data/runs/abalone-run2/model/output/model.tar.gz', target: `s3://mlops-localprod-data/${key}`, method: 'copy' },
      approveCommand: 'pnpm mlops approve abalone 1 --stage localprod',
    });
    expect((await h.run('promote', 'abalone', '2', '--to', 'localprod')).stdout).toContain('the stage approves manually; to deploy it: pnpm mlops approve abalone 1 --stage localprod');
  });

  it('to an auto stage: registers it Approved and starts the target deploy with {modelPackageArn, reason: promotion}', async () => {
    const h = harness();
    sourceVersion(h, 'localprod');
    register(h.registry, 'local', 'abalone', 'Approved', 6); // the target's group exists: created again is "already exists"
    const { code, stdout } = await h.run('promote', 'abalone', '2', '--stage', 'localprod', '--to', 'local', '--json');
    expect(code).toBe(0);
    const doc = PromoteOutputSchema.parse(JSON.parse(stdout));
    expect(doc.to).toMatchObject({ stage: 'local', version: 2, approvalStatus: 'Approved', approvalPolicy: 'auto' });
    expect(sm).toHaveReceivedCommandWith(CreateModelPackageCommand, { ModelApprovalStatus: 'Approved', ModelPackageDescription: "abalone model promoted from localprod v2 (run abalone-run2); approved by the local stage's auto approval policy" });
    const start = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:mlops-local-deploy');
    expect(DeployRequestSchema.parse(JSON.parse(start.input!))).toEqual({ modelPackageArn: doc.to.arn, reason: 'promotion' });
    expect(doc.deploy).toEqual({ executionArn: expect.stringMatching(/:execution:mlops-local-deploy:promotion-abalone-v2-/), stateMachineArn: start.stateMachineArn });
    expect(doc.approveCommand).toBeUndefined();
  });

  it('promoting the same version again gives back the version registered the first time', async () => {
    const h = harness();
    sourceVersion(h, 'local');
    const first = PromoteOutputSchema.parse((await h.run('promote', 'abalone', '2', '--to', 'localprod', '--json')).json());
    const second = PromoteOutputSchema.parse((await h.run('promote', 'abalone', '2', '--to', 'localprod', '--json')).json());
    expect(second.to.arn).toBe(first.to.arn);
    expect(h.registry.packages.filter((p) => p.group === 'mlops-localprod-abalone')).toHaveLength(1);
  });

  it('refuses a version that is not Approved (exit 1), copying and registering nothing', async () => {
    const h = harness();
    sourceVersion(h, 'local', 'PendingManualApproval');
    const { code, stderr } = await h.run('promote', 'abalone', '2', '--to', 'localprod');
    expect(code).toBe(1);
    expect(stderr).toContain("version not approved: abalone v2 on stage 'local' is PendingManualApproval");
    expect(h.copies).toHaveLength(0);
    expect(sm).not.toHaveReceivedCommand(CreateModelPackageCommand);
  });

  it('names an unknown target stage (exit 1)', async () => {
    const h = harness();
    sourceVersion(h, 'local');
    const { code, stderr } = await h.run('promote', 'abalone', '2', '--to', 'local-qa');
    expect(code).toBe(1);
    expect(stderr).toContain("stage 'local-qa'");
  });
});

describe('copyArtifact across clients (offline → AWS)', () => {
  it('streams GetObject into PutObject when one client cannot reach both buckets', async () => {
    s3.reset();
    const bucket = new FakeBucket(s3).put('runs/r/model.tar.gz', { body: 'the model' });
    const result = await copyArtifact({
      from: { s3: new S3Client({ region: 'us-east-1' }), uri: 's3://mlops-local-data/runs/r/model.tar.gz' },
      to: { s3: new S3Client({ region: 'eu-west-1' }), bucket: 'mlops-prod-data', key: 'runs/promoted/abalone/local-v2/model.tar.gz' },
      sameReach: false,
    });
    expect(result).toEqual({ uri: 's3://mlops-prod-data/runs/promoted/abalone/local-v2/model.tar.gz', method: 'stream' });
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: 'mlops-local-data', Key: 'runs/r/model.tar.gz' });
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'mlops-prod-data', Key: 'runs/promoted/abalone/local-v2/model.tar.gz' });
    expect(s3).not.toHaveReceivedCommand(CopyObjectCommand);
    expect(bucket.text('runs/promoted/abalone/local-v2/model.tar.gz')).toBe('the model');
  });
});
