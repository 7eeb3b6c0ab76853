/**
 * Every way to break mlops_deploy's input contract (generated from the zod schema, see
 * @mlops/testing's arbitraries.ts) is refused with an InputValidationError naming the field, before
 * any AWS call of any client.
 */
import { DeployInputSchema } from '@mlops/common';
import { describeMalformedEvents } from '@mlops/testing';
import sample from '../events/deploy.json';
import { handler } from '../src/handler';

describeMalformedEvents({
  name: 'mlops_deploy',
  handler,
  schema: DeployInputSchema,
  samples: { 'deploy.json': sample },
  control: 'sageMaker',
  expectedPaths: ['modelPackageArn', 'executionArn'],
  // Two fields only: more generated values per violation.
  runsPerViolation: 40,
  minimumCases: 250,
});
