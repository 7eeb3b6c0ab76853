/**
 * The offline pipeline end to end: one local stack (s3rver, local SageMaker, local Step Functions,
 * local Lambda running the deployment bundles) and several runs through it, each started the way
 * it starts in AWS, by an upload into the incoming prefix.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwaitOutputSchema, deployOutputOf } from '@mlops/common';
import { DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { startLocalStack, type LocalStack } from '@mlops/local-stack';
import { runPipeline, type RunOutcome } from '@mlops/cli';
import { createProgressView } from '@mlops/cli';
import type { PipelineOptions } from '@mlops/cli';
import { projectRoot } from '@mlops/serverless-config';

const root = projectRoot();
const dataDir = mkdtempSync(join(tmpdir(), 'mlops-e2e-'));
const abalone = readFileSync(join(root, 'data/abalone.csv'), 'utf8');
let stack: LocalStack;
/** The flowers dataset (a classification family of its own), once its test made it. */
let flowers = '';

function dataset(name: string, content: string): string {
  const path = join(dataDir, name);
  writeFileSync(path, content);
  return path;
}

/** Every run this file made, for the clock test at the end. */
const finished: RunOutcome[] = [];

async function run(data: string, options: Partial<PipelineOptions> = {}): Promise<RunOutcome> {
  const outcome = await runPipeline(stack, { data, json: false, timeScale: 100, outDir: dataDir, ...options }, createProgressView(process.stderr, true));
  finished.push(outcome);
  return outcome;
}

async function executionCount(): Promise<number> {
  const page = await stack.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.resources.stateMachine.arn, maxResults: 1000 }));
  return page.executions?.length ?? 0;
}

async function endpointConfigName(): Promise<string | undefined> {
  const endpoint = await stack.clients.sageMaker.send(new DescribeEndpointCommand({ EndpointName: 'mlops-local-abalone' }));
  return endpoint.EndpointConfigName;
}

beforeAll(async () => {
  stack = await startLocalStack({ waitScale: 0.01 });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('offline pipeline', () => {
  let first: RunOutcome;

  it('runs the abalone sample from upload to a deployed endpoint with a sane MSE', async () => {
    first = await run(dataset('abalone.csv', abalone));
    expect({ status: first.status, error: first.error, cause: first.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    const evaluation = first.state!.evaluation!;
    expect(evaluation.gate).toMatchObject({ metric: 'mse', threshold: 6, direction: 'lte', passed: true, rule: { kind: 'threshold', source: 'stage' } });
    expect(evaluation.metrics.mse).toBeGreaterThan(1);
    expect(evaluation.metrics.mse).toBeLessThan(6);
    expect(evaluation.metrics.r2).toBeGreaterThan(0.3);
    expect(evaluation.rows).toBe(first.state!.dataset.rows.test);
    expect(deployOutputOf(first.state)).toMatchObject({ endpointName: 'mlops-local-abalone', action: 'created' });
    expect(await endpointConfigName()).toBe(deployOutputOf(first.state)!.endpointConfigName);
    // Held-out rows answered by the live endpoint, close to their labels.
    expect(first.endpointChecks).toHaveLength(5);
    for (const check of first.endpointChecks) expect(Math.abs(Number(check.predicted) - Number(check.actual))).toBeLessThan(8);
    // Trained by the built-in XGBoost 1.7-1 image (the dev image), with its final metrics.
    const job = await stack.clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: first.state!.training!.jobName }));
    expect(job.AlgorithmSpecification?.TrainingImage).toBe('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1');
    expect(job.HyperParameters).toMatchObject({ num_round: '50', max_depth: '5', objective: 'reg:squarederror' });
    expect((job.FinalMetricDataList ?? []).map((m) => m.MetricName)).toEqual(expect.arrayContaining(['train:rmse', 'validation:rmse']));
    // The path went through every stage, in order.
    const order = ['Train', 'AwaitTraining', 'Batch', 'Transforms', 'AwaitChallengerTransform', 'NoChampion', 'Evaluate', 'QualityGate', 'Register', 'Deploy', 'RecordRun', 'Deployed'];
    const firstSeen = order.map((s) => first.tracker.path.indexOf(s));
    expect(firstSeen.every((i, n) => i >= 0 && (n === 0 || i > firstSeen[n - 1]!))).toBe(true);
  });

  it('starts no second run when the same object is uploaded again', async () => {
    const before = await executionCount();
    const again = await run(dataset('abalone.csv', abalone));
    expect(again.executionName).toBe(first.executionName);
    await stack.settled();
    expect(stack.ingestOutcome('incoming/abalone.csv')?.result?.runs).toEqual([expect.objectContaining({ status: 'duplicate' })]);
    expect(await executionCount()).toBe(before);
  });

  it('updates the live endpoint blue/green with a second dataset, answering throughout', async () => {
    const previousConfig = await endpointConfigName();
    const features = first.endpointChecks[0]!.features;
    let answered = 0;
    const failures: string[] = [];
    let probing = true;
    const probe = (async () => {
      while (probing) {
        try {
          await stack.clients.runtime.send(new InvokeEndpointCommand({ EndpointName: 'mlops-local-abalone', ContentType: 'text/csv', Body: Buffer.from(features) }));
          answered++;
        } catch (error) {
          failures.push(`${(error as Error).name}: ${(error as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // The same rows under another name: a new run whose model scores exactly as the champion (not worse passes).
    const second = await run(dataset('abalone-again.csv', abalone), { family: 'abalone' });
    probing = false;
    await probe;
    expect(second.status).toBe('SUCCEEDED');
    expect(second.executionName).not.toBe(first.executionName);
    expect(second.state!.evaluation!.gate.champion).toMatchObject({ label: 'abalone v1', passed: true });
    expect(deployOutputOf(second.state)).toMatchObject({ action: 'updated', previousConfigName: previousConfig, endpointConfigName: 'mlops-local-abalone-v2' });
    expect(await endpointConfigName()).toBe(deployOutputOf(second.state)!.endpointConfigName);
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThan(10);
  });

  it('ends in the Fail state naming metric, value and threshold when the gate is unreachable, deploying nothing', async () => {
    const liveConfig = await endpointConfigName();
    const outcome = await run(dataset('abalone-strict.csv', abalone), { threshold: 0.01 });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('QualityGateFailed');
    expect(outcome.cause).toMatch(/^mse = \d+(\.\d+)? is above the threshold 0\.01 \(must be <= 0\.01; set by the upload\)$/);
    expect(outcome.tracker.path).not.toContain('Deploy');
    expect(await endpointConfigName()).toBe(liveConfig);
    // Deploy never ran, so this run's endpoint config was never created.
    await expect(stack.clients.sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: `mlops-local-${outcome.state!.runId}` }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('ends in Fail with SageMaker\'s FailureReason when training rejects a hyperparameter', async () => {
    const outcome = await run(dataset('abalone-badhp.csv', abalone), { hyperparameters: { objective: 'reg:nonsense' } });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('TrainingJobFailed');
    const job = await stack.clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: outcome.state!.training!.jobName }));
    expect(job.TrainingJobStatus).toBe('Failed');
    // The built-in algorithm's own wording, naming the hyperparameter.
    expect(job.FailureReason).toMatch(/^AlgorithmError: UserError: Hyperparameter objective: reg:nonsense is not in \[/);
    expect(outcome.cause).toContain(job.FailureReason);
  });

  it('classifies a CSV with a header row and string labels in any column', async () => {
    // Three well separated classes named by strings, the label in the middle column.
    const rows = ['width,species,height,colour'];
    const species = ['setosa', 'versicolor', 'virginica'];
    for (let i = 0; i < 600; i++) {
      const c = i % 3;
      const jitter = ((i * 7919) % 100) / 100;
      rows.push(`${(c * 3 + jitter).toFixed(2)},${species[c]},${(c * 2 + jitter / 2).toFixed(2)},${['red', 'blue'][i % 2]}`);
    }
    const outcome = await run(dataset('flowers.csv', `${rows.join('\n')}\n`), { header: true, target: 'species', problem: 'classification' });
    expect({ status: outcome.status, cause: outcome.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(outcome.state!.task).toMatchObject({ problemType: 'classification', target: 'species', classes: species });
    // The stage sets no threshold for family flowers: it must beat the majority class by the stage's margin.
    expect(outcome.state!.evaluation!.gate).toMatchObject({ metric: 'f1_macro', passed: true, rule: { kind: 'baseline', baseline: { predicts: 'majority-class' }, margin: 0.1 } });
    expect(outcome.state!.evaluation!.metrics.accuracy).toBeGreaterThan(0.9);
    for (const check of outcome.endpointChecks) expect(species).toContain(check.predicted);
    flowers = rows.join('\n');
  });

  it("keeps families apart: flowers got its own endpoint, and abalone's endpoint still serves abalone's model", async () => {
    const abaloneConfig = await endpointConfigName();
    const flowersEndpoint = await stack.clients.sageMaker.send(new DescribeEndpointCommand({ EndpointName: 'mlops-local-flowers' }));
    expect(flowersEndpoint.EndpointStatus).toBe('InService');
    expect(flowersEndpoint.EndpointConfigName).toMatch(/^mlops-local-flowers-/);
    expect(abaloneConfig).toBe('mlops-local-abalone-v2');
  });

  it("rejects a dataset that does not fit its family's schema, naming the difference, and starts nothing", async () => {
    const before = await executionCount();
    const outcome = await run(dataset('flowers-as-abalone.csv', `${flowers}\n`), { family: 'abalone', header: true, target: 'species', problem: 'classification' });
    expect(outcome.status).toBe('REJECTED');
    expect(outcome.rejection).toMatch(/^the dataset does not fit family 'abalone' \(schema set by run abalone-[0-9a-f]+ from incoming\/abalone\.csv\): columns 'sex', .* missing; columns 'width', 'species', 'colour' not in the family; the label is 'species', the family's is 'rings'; the problem type is classification, the family's is regression\. To start a new schema, upload it as a new family: incoming\/<new-family>\/<file>\.csv$/);
    expect(await executionCount()).toBe(before);
  });

  it('rejects an unusable dataset with a clear reason and starts nothing', async () => {
    const before = await executionCount();
    const outcome = await run(dataset('abalone-unknown-target.csv', abalone), { target: 'no_such_column' });
    expect(outcome.status).toBe('REJECTED');
    expect(outcome.rejection).toContain('no_such_column');
    expect(await executionCount()).toBe(before);
  });
  it("keeps one clock: each poll sees the time the scaled waits stand for, as an AWS run would (not the wall clock's 1/100)", () => {
    // Every await loop's polls in order, from the state each AwaitX task wrote. Between two polls of a
    // resource still in progress (elapsed counts from its creation, or an endpoint's last change), the
    // Wait state slept `waitSeconds` emulated seconds (1/100 of them in real time); the resource's clock
    // must have moved by that much, plus the poll's own cost (well under 60 emulated seconds, 0.6 s real).
    let pairs = 0;
    // Every run of this file (the loops of one run may all finish between two polls). The endpoint's
    // loop runs in the deploy state machine's execution, which the pipeline started.
    type Exit = { type?: string; stateExitedEventDetails?: { name?: string; output?: string } };
    const loops = finished.flatMap((outcome) => {
      const deployArn = outcome.state?.deployment?.ExecutionArn;
      return [
        [outcome.history as Exit[], 'AwaitTraining', 'trainingPoll'],
        [outcome.history as Exit[], 'AwaitChallengerTransform', 'poll'],
        [outcome.history as Exit[], 'AwaitChampionTransform', 'poll'],
        ...(deployArn ? [[stack.stepFunctions.executions.history(deployArn) as Exit[], 'AwaitEndpoint', 'endpointPoll'] as const] : []),
      ] as const;
    });
    for (const [history, state, key] of loops) {
      const polls = history
        .filter((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === state)
        .map((e) => AwaitOutputSchema.parse((JSON.parse(e.stateExitedEventDetails!.output!) as Record<string, unknown>)[key]));
      for (let i = 1; i < polls.length; i++) {
        if (polls[i - 1]!.state !== 'InProgress' || polls[i]!.state !== 'InProgress') continue;
        pairs++;
        const seen = polls[i]!.elapsedSeconds - polls[i - 1]!.elapsedSeconds;
        const waited = polls[i - 1]!.waitSeconds;
        expect({ state, poll: i, waited, seen, consistent: seen >= waited - 1 && seen < waited + 60 }).toMatchObject({ consistent: true });
      }
    }
    expect(pairs).toBeGreaterThan(0);
  });

});
