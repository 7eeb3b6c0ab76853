/**
 * Every way to break mlops_register's input contract (generated from the zod schema, see
 * @mlops/testing's arbitraries.ts) is refused with an InputValidationError naming the field, before
 * any AWS call of any client.
 */
import { RegisterInputSchema } from '@mlops/common';
import { describeMalformedEvents } from '@mlops/testing';
import sample from '../events/register.json';
import { handler } from '../src/handler';

/**
 * The sweep gives every field of the sample a value of each wrong type, but it walks a record's
 * values under the path `<record>.key`, not under the sample's own keys: the metrics record is
 * emptied here (its values are still broken, at `evaluation.metrics.key`).
 */
const swept = { ...sample, evaluation: { ...sample.evaluation, metrics: {} } };

describeMalformedEvents({
  name: 'mlops_register',
  handler,
  schema: RegisterInputSchema,
  samples: { 'register.json': swept },
  control: 'sageMaker',
  expectedPaths: [
    'modelArtifacts',
    'executionArn',
    'evaluation.reportUri',
    'evaluation.gate.passed',
    'evaluation.champion.label',
    'evaluation.metrics.key',
    'batch.transformOutput',
    'batch.champion.modelVersion.arn',
    'run.runId',
    'run.dataset.test',
  ],
  minimumCases: 500,
});
