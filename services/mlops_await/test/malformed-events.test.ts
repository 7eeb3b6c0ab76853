/**
 * Every way to break mlops_await's input contract (generated from the zod schema, see
 * @mlops/testing's arbitraries.ts) is refused with an InputValidationError naming the field, before
 * any AWS call of any client.
 */
import { AwaitInputSchema } from '@mlops/common';
import { describeMalformedEvents } from '@mlops/testing';
import awaitEndpoint from '../events/await-endpoint.json';
import awaitTraining from '../events/await-training.json';
import awaitTransform from '../events/await-transform.json';
import { handler } from '../src/handler';

describeMalformedEvents({
  name: 'mlops_await',
  handler,
  schema: AwaitInputSchema,
  samples: { 'await-training.json': awaitTraining, 'await-transform.json': awaitTransform, 'await-endpoint.json': awaitEndpoint },
  control: 'sageMaker',
  expectedPaths: ['', 'kind', 'name', 'attempt', 'expectedConfigName'],
  minimumCases: 250,
  runsPerViolation: 25,
});
