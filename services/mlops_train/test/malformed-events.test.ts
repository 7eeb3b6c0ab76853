/**
 * Every way to break mlops_train's input contract (generated from the zod schema, see
 * @mlops/testing's arbitraries.ts) is refused with an InputValidationError naming the field, before
 * any AWS call of any client.
 */
import { CreateTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { TrainInputSchema } from '@mlops/common';
import { sweepViolations, mockEveryClient, useFunctionEnvironment, lambdaContextFor } from '@mlops/testing';
import sample from '../events/train.json';
import { handler } from '../src/handler';

const mocks = mockEveryClient();
useFunctionEnvironment('mlops_train');

describe('mlops_train malformed events', () => {
  it('reaches SageMaker through the mocked client with the valid sample (the control)', async () => {
    mocks.sageMaker.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/mlops-local-abalone-7aa1b19755-train' });
    await expect(handler(sample, lambdaContextFor('mlops-local-mlops_train'))).resolves.toMatchObject({ adopted: false });
    expect(mocks.sageMaker.calls()).toHaveLength(1);
  });

  it('refuses every contract violation by field name, with zero SDK calls (property)', async () => {
    const { violations, cases } = await sweepViolations({ name: 'mlops_train', handler, schema: TrainInputSchema, sample, mocks });
    // Every constrained field of the contract is covered, optional ones absent from the sample included.
    const paths = new Set(violations.map((v) => v.path.join('.')));
    for (const p of ['executionArn', 'run.runId', 'run.source.versionId', 'run.dataset.rows.train', 'run.task.classes', 'run.overrides.gate.metric', 'run.overrides.hyperparameters']) expect(paths).toContain(p);
    expect(cases).toBeGreaterThan(500);
  });
});
