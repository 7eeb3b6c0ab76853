/**
 * Every way to break mlops_eval's input contract (generated from the zod schema, see
 * @mlops/testing's arbitraries.ts) is refused with an InputValidationError naming the field, before
 * any AWS call of any client.
 */
import { EvalInputSchema } from '@mlops/common';
import { describeMalformedEvents } from '@mlops/testing';
import sample from '../events/eval-regression.json';
import { handler } from '../src/handler';

describeMalformedEvents({
  name: 'mlops_eval',
  handler,
  schema: EvalInputSchema,
  samples: { 'eval-regression.json': sample },
  control: 's3',
  expectedPaths: ['batch.transformOutput', 'batch.champion.transformOutput', 'batch.champion.modelVersion.version', 'run.dataset.rows.test', 'run.task.classes', 'run.overrides.gate.metric', 'run.overrides.gate.threshold'],
  minimumCases: 500,
});
