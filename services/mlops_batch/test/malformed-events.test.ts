/**
 * Every way to break mlops_batch's input contract (generated from the zod schema, see
 * test/bad-input/arbitraries.ts) is refused with an InputValidationError naming the field, before
 * any AWS call of any client.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchInputSchema, logger } from '@mlops/common';
import { sweepViolations } from '../../../test/bad-input/arbitraries';
import { lambdaContextFor } from '../../../test/support/lambda';
import sample from '../events/batch.json';
import { handler } from '../src/handler';

const mocks = { s3: mockClient(S3Client), sfn: mockClient(SFNClient), sageMaker: mockClient(SageMakerClient) };
const savedEnv = process.env;
beforeAll(() => {
  logger.setLogLevel('SILENT');
  process.env = {
    ...savedEnv,
    AWS_REGION: 'us-east-1',
    STAGE: 'local',
    DATA_BUCKET: 'mlops-local-data',
    NAME_PREFIX: 'mlops-local',
    SAGEMAKER_ROLE_ARN: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker',
    INFERENCE_IMAGE: '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlops-model:1.0.0',
    TRANSFORM_INSTANCE_TYPE: 'ml.m5.large',
  };
});
afterAll(() => {
  process.env = savedEnv;
});

describe('mlops_batch malformed events', () => {
  it('reaches sageMaker through the mocked client with the valid sample (the control)', async () => {
    await handler(sample, lambdaContextFor('mlops-local-mlops_batch')).catch(() => undefined);
    expect(mocks.sageMaker.calls().length).toBeGreaterThan(0);
  });

  it('refuses every contract violation by field name, with zero SDK calls (property)', async () => {
    const { violations, cases } = await sweepViolations({ name: 'mlops_batch', handler, schema: BatchInputSchema, sample, mocks });
    const paths = new Set(violations.map((v) => v.path.join('.')));
    for (const p of ['trainingJobName', 'modelArtifacts', 'executionArn', 'run.dataset.test', 'run.task.classes', 'run.overrides.gate.threshold']) expect(paths).toContain(p);
    expect(cases).toBeGreaterThan(500);
  });
});
