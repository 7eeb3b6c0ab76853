/**
 * Every way to break mlops_batch's input contract (generated from the zod schema, see
 * test/bad-input/arbitraries.ts) is refused with an InputValidationError naming the field, before
 * any AWS call of any client.
 */
import { BatchInputSchema } from '@mlops/common';
import { describeMalformedEvents } from '@mlops/testing';
import sample from '../events/batch.json';
import { handler } from '../src/handler';

describeMalformedEvents({
  name: 'mlops_batch',
  handler,
  schema: BatchInputSchema,
  environment: {
    SAGEMAKER_ROLE_ARN: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker',
    INFERENCE_IMAGE: '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlops-model:1.0.0',
    TRANSFORM_INSTANCE_TYPE: 'ml.m5.large',
  },
  samples: { 'batch.json': sample },
  control: 'sageMaker',
  expectedPaths: ['trainingJobName', 'modelArtifacts', 'executionArn', 'run.dataset.test', 'run.task.classes', 'run.overrides.gate.threshold'],
  minimumCases: 500,
});
