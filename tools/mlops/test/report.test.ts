import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, DescribeStateMachineCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import type { RunReport } from '@mlops/report';
import { ReportOutputSchema } from '../src';
import { runRecord } from './support/fixtures';
import { harness, sfn } from './support/harness';

const EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:mlops-local-pipeline:abalone-b';
const at = (s: number) => new Date(Date.UTC(2025, 5, 3, 10, 0, s));

function seed(h: ReturnType<typeof harness>) {
  h.bucket.put('runs/abalone-b/run.json', { body: JSON.stringify(runRecord({ runId: 'abalone-b', family: 'abalone', finishedAt: '2025-06-03T10:00:30.000Z' })) });
  sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION }).resolves({ executionArn: EXECUTION, name: 'abalone-b', status: 'SUCCEEDED', startDate: at(0), stopDate: at(30), stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:mlops-local-pipeline' });
  sfn.on(DescribeStateMachineCommand).resolves({ definition: JSON.stringify({ StartAt: 'Train', States: { Train: { Type: 'Task', Next: 'Done' }, Done: { Type: 'Succeed' } } }) });
  const input = JSON.stringify({ dataset: { featureCount: 10 }, task: { target: 'rings' } });
  sfn
    .on(GetExecutionHistoryCommand)
    .resolvesOnce({
      events: [
        { id: 1, timestamp: at(0), type: 'ExecutionStarted', executionStartedEventDetails: { input } },
        { id: 2, timestamp: at(1), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Train' } },
      ],
      nextToken: 'more',
    })
    .resolvesOnce({
      events: [
        { id: 3, timestamp: at(20), type: 'TaskStateExited', stateExitedEventDetails: { name: 'Train', output: JSON.stringify({ trainingPoll: { kind: 'training', name: 'job', attempt: 4, status: 'Completed', state: 'Succeeded' } }) } },
        { id: 4, timestamp: at(30), type: 'SucceedStateEntered', stateEnteredEventDetails: { name: 'Done' } },
      ],
    });
}

describe('pnpm mlops report', () => {
  it('rebuilds the report of a run from its record, its execution history and definition, and prints the path', async () => {
    const h = harness();
    seed(h);
    const out = await mkdtemp(join(tmpdir(), 'mlops-report-'));
    const { code, stdout } = await h.run('report', 'abalone-b', '--out', out);
    expect(code).toBe(0);
    expect(stdout).toBe(`${join(out, 'report.html')}\n`);
    expect(sfn).toHaveReceivedCommandWith(GetExecutionHistoryCommand, { executionArn: EXECUTION, nextToken: 'more' });
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as RunReport;
    expect(report).toMatchObject({
      title: 'abalone-b — SUCCEEDED',
      execution: { name: 'abalone-b', arn: EXECUTION, status: 'SUCCEEDED', wallSeconds: 30 },
      dataset: { source: 's3://mlops-local-data/incoming/abalone.csv', featureCount: 10, target: 'rings', problemType: 'regression' },
      path: ['Train', 'Done'],
      steps: [expect.objectContaining({ state: 'Train', totalMs: 19_000 }), expect.objectContaining({ state: 'Done' })],
      jobs: [expect.objectContaining({ kind: 'training', polls: 4, status: 'Completed', seconds: 12 }), expect.objectContaining({ kind: 'transform' })],
    });
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('<title>abalone-b — SUCCEEDED</title>');
  });

  it('--json prints where it wrote the report', async () => {
    const h = harness();
    seed(h);
    const out = await mkdtemp(join(tmpdir(), 'mlops-report-'));
    expect(ReportOutputSchema.parse((await h.run('report', 'abalone-b', '--out', out, '--json')).json())).toEqual({ stage: 'local', runId: 'abalone-b', htmlPath: join(out, 'report.html'), jsonPath: join(out, 'report.json') });
  });

  it('a run without a record fails with exit 1 and names where it looked', async () => {
    const { code, stderr } = await harness().run('report', 'nope-123');
    expect(code).toBe(1);
    expect(stderr).toContain("run 'nope-123' has no record on stage 'local' (s3://mlops-local-data/runs/nope-123/run.json)");
  });
});
