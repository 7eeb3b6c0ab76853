import { InvokeCommand } from '@aws-sdk/client-lambda';
import { RetrainRequestSchema } from '@mlops/common';
import { RetrainOutputSchema } from '../src';
import { harness, lambda } from './support/harness';

const answer = (payload: unknown, functionError?: string) => ({ StatusCode: 200, Payload: Buffer.from(JSON.stringify(payload)) as never, ...(functionError ? { FunctionError: functionError } : {}) });
const RUN = { runId: 'abalone-7aa1b19755-r20250701t000000', key: 'incoming/abalone.csv', executionArn: 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:abalone-7aa1b19755-r20250701t000000' };

describe('pnpm mlops retrain', () => {
  it("invokes the stage's ingest function with the schedule's request for the family, the tick being now", async () => {
    const h = harness();
    lambda.on(InvokeCommand).resolves(answer({ runs: [{ ...RUN, status: 'started' }], skipped: [], rejected: [] }));
    const { code, stdout } = await h.run('retrain', 'abalone', '--json');
    expect(code).toBe(0);
    const call = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(call).toMatchObject({ FunctionName: 'mlops-local-mlops_ingest', InvocationType: 'RequestResponse' });
    // The very request the schedule sends (the harness's clock: 2025-07-01T00:00:00Z).
    expect(RetrainRequestSchema.parse(JSON.parse(Buffer.from(call.Payload as Uint8Array).toString()))).toEqual({ retrain: { scheduledTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), families: ['abalone'] } });
    const doc = RetrainOutputSchema.parse(JSON.parse(stdout));
    expect(doc).toMatchObject({ stage: 'local', family: 'abalone', functionName: 'mlops-local-mlops_ingest', started: 1, runs: [{ ...RUN, status: 'started' }] });
    expect(doc.message).toBe(`abalone: run ${RUN.runId} on incoming/abalone.csv started`);
  });

  it('passes --at as the tick, and says when that tick already ran', async () => {
    const h = harness();
    lambda.on(InvokeCommand).resolves(answer({ runs: [{ ...RUN, status: 'duplicate' }], skipped: [], rejected: [] }));
    const { code, stdout } = await h.run('retrain', 'abalone', '--at', '2025-07-01T00:00:00Z');
    expect(code).toBe(0);
    expect(JSON.parse(Buffer.from(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array).toString()).retrain.scheduledTime).toBe('2025-07-01T00:00:00Z');
    expect(stdout).toContain('already exists (this tick ran before)');
  });

  it('says why nothing ran for a family without a dataset', async () => {
    const h = harness();
    lambda.on(InvokeCommand).resolves(answer({ runs: [], skipped: [{ key: 'incoming/iris/', reason: 'family iris has no dataset under incoming/ to retrain on' }], rejected: [] }));
    const { code, stdout } = await h.run('retrain', 'iris');
    expect(code).toBe(0);
    expect(stdout).toContain('iris: nothing to retrain: family iris has no dataset under incoming/ to retrain on');
  });

  it('fails with the function’s own error when ingest fails', async () => {
    const h = harness();
    lambda.on(InvokeCommand).resolves(answer({ errorType: 'AccessDenied', errorMessage: 'Access Denied' }, 'Unhandled'));
    const { code, stderr } = await h.run('retrain', 'abalone');
    expect(code).toBe(1);
    expect(stderr).toContain('mlops-local-mlops_ingest failed: AccessDenied: Access Denied');
  });

  it.each([
    [['retrain'], 'family'],
    [['retrain', 'Not A Family'], "<family> 'Not A Family' is not a family name"],
    [['retrain', 'abalone', '--at', 'tomorrow'], "--at 'tomorrow' is not an ISO 8601 time"],
    [['retrain', 'abalone', 'extra'], 'extra'],
  ])('refuses %j as a usage error, invoking nothing', async (argv, message) => {
    const h = harness();
    const { code, stderr } = await h.run(...argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});
