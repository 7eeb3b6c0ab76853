/**
 * Every way to break mlops_batch's input contract (generated from the zod schema, see
 * @mlops/testing's arbitraries.ts) is refused with an InputValidationError naming the field, before
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
  samples: { 'batch.json': sample },
  control: 'sageMaker',
  expectedPaths: ['trainingJobName', 'modelArtifacts', 'executionArn', 'run.dataset.test', 'run.task.classes', 'run.overrides.gate.threshold'],
  minimumCases: 500,
});
