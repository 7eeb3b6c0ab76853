/**
 * Every way to break mlops_record's input contract for a run record (generated from the zod schema,
 * see @mlops/testing's arbitraries.ts) is refused with an InputValidationError naming the field,
 * before any AWS call of any client. The input is a discriminated union, which the generator does
 * not walk: each kind is swept against its own branch (malformed-deployment-events.test.ts has the other).
 */
import { RecordInputSchema } from '@mlops/common';
import { describeMalformedEvents } from '@mlops/testing';
import sample from '../events/record-run.json';
import { handler } from '../src/handler';

const [runBranch] = RecordInputSchema._zod.def.options;

/**
 * Two parts of the sample the generator cannot give wrong types to: a record's own keys (it breaks
 * a record's values under `<record>.key`) and the champion's poll (a union: `{}` for a first model).
 */
const swept = {
  ...sample,
  state: { ...sample.state, evaluation: { ...sample.state.evaluation, metrics: {} }, transforms: { challenger: sample.state.transforms.challenger } },
};

describeMalformedEvents({
  name: 'mlops_record',
  handler,
  schema: runBranch,
  samples: { 'record-run.json': swept },
  control: 's3',
  expectedPaths: [
    'kind',
    'executionArn',
    'startedAt',
    'state.runId',
    'state.runPrefix',
    'state.training.jobName',
    'state.transforms.challenger.elapsedSeconds',
    'state.evaluation.gate.passed',
    'state.evaluation.metrics.key',
    'state.registration.approvalStatus',
    'state.error.Error',
  ],
  minimumCases: 500,
});
