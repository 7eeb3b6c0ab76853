/**
 * Every way to break mlops_deploy's input contract (generated from the zod schema, see
 * test/bad-input/arbitraries.ts) is refused with an InputValidationError naming the field, before
 * any AWS call of any client.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { DeployInputSchema, logger } from '@mlops/common';
import { sweepViolations } from '../../../test/bad-input/arbitraries';
import { lambdaContextFor } from '../../../test/support/lambda';
import sample from '../events/deploy.json';
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
    ENDPOINT_NAME: 'mlops-local-endpoint',
    ENDPOINT_INSTANCE_TYPE: 'ml.t2.medium',
  };
});
afterAll(() => {
  process.env = savedEnv;
});

describe('mlops_deploy malformed events', () => {
  it('reaches sageMaker through the mocked client with the valid sample (the control)', async () => {
    await handler(sample, lambdaContextFor('mlops-local-mlops_deploy')).catch(() => undefined);
    expect(mocks.sageMaker.calls().length).toBeGreaterThan(0);
  });

  it('refuses every contract violation by field name, with zero SDK calls (property)', async () => {
    const { violations, cases } = await sweepViolations({ name: 'mlops_deploy', handler, schema: DeployInputSchema, sample, mocks });
    const paths = new Set(violations.map((v) => v.path.join('.')));
    for (const p of ['modelName', 'executionArn', 'run.runId', 'run.task.problemType', 'run.overrides.hyperparameters']) expect(paths).toContain(p);
    expect(cases).toBeGreaterThan(500);
  });
});
