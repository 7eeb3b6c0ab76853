/**
 * Every way to break mlops_await's input contract (generated from the zod schema, see
 * test/bad-input/arbitraries.ts) is refused with an InputValidationError naming the field, before
 * any AWS call of any client.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { AwaitInputSchema, logger } from '@mlops/common';
import { sweepViolations } from '../../../test/bad-input/arbitraries';
import { lambdaContextFor } from '../../../test/support/lambda';
import awaitEndpoint from '../events/await-endpoint.json';
import awaitTraining from '../events/await-training.json';
import awaitTransform from '../events/await-transform.json';
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
  };
});
afterAll(() => {
  process.env = savedEnv;
});

describe('mlops_await malformed events', () => {
  it('reaches sageMaker through the mocked client with the valid sample (the control)', async () => {
    await handler(awaitTraining, lambdaContextFor('mlops-local-mlops_await')).catch(() => undefined);
    expect(mocks.sageMaker.calls().length).toBeGreaterThan(0);
  });

  it.each([
    ['await-training.json', awaitTraining],
    ['await-transform.json', awaitTransform],
    ['await-endpoint.json', awaitEndpoint],
  ])('refuses every contract violation of %s by field name, with zero SDK calls (property)', async (_file, sample) => {
    const { violations, cases } = await sweepViolations({ name: 'mlops_await', handler, schema: AwaitInputSchema, sample, mocks, runsPerViolation: 25 });
    const paths = new Set(violations.map((v) => v.path.join('.')));
    for (const p of ['', 'kind', 'name', 'attempt', 'expectedConfigName']) expect(paths).toContain(p);
    expect(cases).toBeGreaterThan(250);
  });
});
