/**
 * Every way to break mlops_record's input contract for a deployment record is refused with an
 * InputValidationError naming the field, before any AWS call (malformed-events.test.ts has runs).
 */
import { RecordInputSchema } from '@mlops/common';
import { describeMalformedEvents } from '@mlops/testing';
import sample from '../events/record-deployment.json';
import { handler } from '../src/handler';

const [, deploymentBranch] = RecordInputSchema._zod.def.options;

describeMalformedEvents({
  name: 'mlops_record',
  handler,
  schema: deploymentBranch,
  samples: { 'record-deployment.json': sample },
  control: 's3',
  expectedPaths: ['kind', 'executionArn', 'startedAt', 'state.modelPackageArn', 'state.reason', 'state.deploy.modelVersion.version', 'state.deploy.runId', 'state.endpointPoll.state', 'state.error.Error'],
  minimumCases: 300,
});
