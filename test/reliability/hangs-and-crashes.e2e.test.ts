/**
 * What never finishes, dies or is too big, through the whole offline stack: jobs that hang until a
 * deadline stops them, a Lambda handler that crashes or times out, a result over the 256 KiB state
 * limit, and an endpoint that fails. The stack runs with test-only configuration: deadlines of
 * seconds instead of the local stage's 600 s (functionEnvironment), and mlops_train replaced by a
 * wrapper around the real handler that crashes, stalls or oversizes for runs named so
 * (bundleOverrides, fixtures/train-chaos.ts). A failed run passes RecordRun (its run record) and
 * ends in RunFailed with its own Error; an endpoint's rollout runs in the run's deploy execution.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand, DescribeTrainingJobCommand, DescribeTransformJobCommand } from '@aws-sdk/client-sagemaker';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { RunRecordSchema } from '@mlops/common';
import { startLocalStack, type LocalStack } from '@mlops/local-stack';
import { observationRecorder } from './support/recorder';
import { abaloneSlice, awaitStart, buildFixtureBundle, deployExecutionOf, functionName, pathOf, resourcesOfRun, runDataset, SwitchableLambdaFaults, upload, waitFor, type Finished } from './support/pipeline';

const { record } = observationRecorder('hangs-and-crashes', 'Hangs, crashes, oversized results and failed endpoints');
const HISTORY_EVENT_LIMIT = 25_000;
// Emulated seconds (the stack's clock runs 100x): 12 s and 10 s of real time, above what a healthy job takes on a loaded machine.
const TRAINING_MAX_RUNTIME_SECONDS = 1200;
const TRANSFORM_DEADLINE_SECONDS = 1000;
const TRAIN_TIMEOUT_SECONDS = 3;
const lambdaFaults = new SwitchableLambdaFaults();
const buildDir = mkdtempSync(join(tmpdir(), 'mlops-reliability-'));
let stack: LocalStack;

beforeAll(async () => {
  const chaosTrain = await buildFixtureBundle(join(__dirname, 'fixtures/train-chaos.ts'), join(buildDir, 'train-chaos'));
  stack = await startLocalStack({
    waitScale: 0.01,
    lambdaFaults,
    functionEnvironment: {
      // The job's MaxRuntimeInSeconds, which SageMaker enforces by stopping the job.
      mlops_train: { TRAINING_MAX_RUNTIME_SECONDS: String(TRAINING_MAX_RUNTIME_SECONDS) },
      // mlops_await's own deadline for transform jobs (it stops them), on SageMaker's clock.
      mlops_await: { TRAINING_MAX_RUNTIME_SECONDS: String(TRAINING_MAX_RUNTIME_SECONDS), TRANSFORM_DEADLINE_SECONDS: String(TRANSFORM_DEADLINE_SECONDS) },
    },
    bundleOverrides: { mlops_train: { bundlePath: chaosTrain, timeoutSeconds: TRAIN_TIMEOUT_SECONDS } },
    sageMakerTimings: { healthCheckTimeoutMs: 4000, stopGracePeriodMs: 2000 },
  });
}, 120_000);

afterEach(() => {
  lambdaFaults.clear();
  stack.sageMaker.faults.clear();
});

afterAll(async () => {
  await stack?.close();
  rmSync(buildDir, { recursive: true, force: true });
});

/** How a run that fails at its first step ends: caught, recorded, failed with its own error. */
const FAILED_AT_TRAIN = ['Train', 'RecordRun', 'Outcome', 'RunFailed'];

const seconds = (run: Finished) => ((run.snapshot.stopDate!.getTime() - run.snapshot.startDate.getTime()) / 1000).toFixed(2);

describe('hangs and crashes', () => {
  it('a job that never finishes: its deadline stops it and the execution fails far below the history limit', async () => {
    stack.sageMaker.faults.set({ hang: { jobNamePattern: '^mlops-local-stuck-training-.*-train$|^mlops-local-stuck-transform-.*-batch$' } });
    const [training, transform] = await Promise.all([
      runDataset(stack, 'stuck-training.csv', abaloneSlice(0)),
      runDataset(stack, 'stuck-transform.csv', abaloneSlice(300)),
    ]);
    const trainingJob = await stack.clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: training.state.training!.jobName }));
    // StopTransformJob was called by mlops_await: Stopping, then Stopped once the containers are down.
    const transformJob = await waitFor('the transform job to stop', async () => {
      const job = await stack.clients.sageMaker.send(new DescribeTransformJobCommand({ TransformJobName: transform.state.batch!.transformJobName }));
      return job.TransformJobStatus === 'Stopped' ? job : undefined;
    });
    const leftover = await waitFor('the transform containers to exit', () => {
      const procs = stack.sageMaker.state.processes().filter((p) => p.owner.toLowerCase() === transform.state.batch!.transformJobName.toLowerCase());
      return procs.length === 0 ? procs : undefined;
    });
    record({
      scenario: 'a training job that never finishes',
      expected: 'a deadline stops it (StopTrainingJob) and the execution fails well before the 25,000-event history limit',
      observed: `SageMaker stopped it at its ${TRAINING_MAX_RUNTIME_SECONDS} s MaxRuntimeInSeconds (${trainingJob.TrainingJobStatus}/${trainingJob.SecondaryStatus}); ${training.snapshot.status} ${training.snapshot.error} after ${seconds(training)} s with ${training.history.length} history events: ${training.snapshot.cause}`,
      counts: { faultsInjected: 1, runs: 1, leaks: trainingJob.TrainingJobStatus === 'Stopped' ? 0 : 1 },
    });
    record({
      scenario: 'a transform job that never finishes',
      expected: 'the poll deadline stops it (StopTransformJob) and the execution fails well before the 25,000-event history limit',
      observed: `${transform.snapshot.status} ${transform.snapshot.error} after ${seconds(transform)} s with ${transform.history.length} history events: ${JSON.parse(transform.snapshot.cause!).errorMessage}; the job is ${transformJob.TransformJobStatus}`,
      counts: { faultsInjected: 1, runs: 1, leaks: leftover.length },
    });
    expect(trainingJob).toMatchObject({ TrainingJobStatus: 'Stopped', SecondaryStatus: 'MaxRuntimeExceeded' });
    expect(training.snapshot).toMatchObject({ status: 'FAILED', error: 'TrainingJobFailed' });
    expect(training.snapshot.cause).toContain(`was stopped (MaxRuntimeExceeded) after running past its ${TRAINING_MAX_RUNTIME_SECONDS} s MaxRuntimeInSeconds`);
    expect(transform.snapshot).toMatchObject({ status: 'FAILED', error: 'PollDeadlineExceededError' });
    expect(JSON.parse(transform.snapshot.cause!).errorMessage).toMatch(new RegExp(`^transform job ${transform.state.batch!.transformJobName} is still InProgress after \\d+ s, past its ${TRANSFORM_DEADLINE_SECONDS} s deadline; stopped it$`));
    // The challenger's await fails its Parallel branch; the Transforms Parallel catches it (the
    // branches' states interleave in the history, so the one entered last before RecordRun varies).
    expect(pathOf(transform.history)).toEqual(expect.arrayContaining(['Transforms', 'AwaitChallengerTransform']));
    expect(pathOf(transform.history).slice(-3)).toEqual(['RecordRun', 'Outcome', 'RunFailed']);
    for (const run of [training, transform]) {
      expect(run.history.length).toBeLessThan(HISTORY_EVENT_LIMIT / 20);
      expect(run.snapshot.retries).toEqual([]);
    }
  });

  it('an execution aborted while its job runs (no Catch runs): the clean-up rule stops the job and records the run', async () => {
    stack.sageMaker.faults.set({ hang: { jobNamePattern: '^mlops-local-aborted-.*-train$' } });
    const up = await upload(stack, 'aborted.csv', abaloneSlice(900));
    expect(await awaitStart(stack, up)).toBe('started');
    const jobName = `mlops-local-${up.runId}-train`;
    await waitFor('the training job to run', async () => {
      const job = await stack.clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName })).catch(() => undefined);
      return job?.TrainingJobStatus === 'InProgress' ? job : undefined;
    });
    await stack.clients.sfn.send(new StopExecutionCommand({ executionArn: up.executionArn, error: 'Operator', cause: 'stopped by hand' }));
    await stack.settled();
    const job = await waitFor('the training job to stop', async () => {
      const described = await stack.clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
      return described.TrainingJobStatus === 'Stopped' ? described : undefined;
    });
    const recordObject = await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: `runs/${up.runId}/run.json` }));
    const runRecord = RunRecordSchema.parse(JSON.parse(await recordObject.Body!.transformToString()));
    record({
      scenario: 'an execution aborted (StopExecution) while its training job runs',
      expected: 'no Catch runs; the clean-up rule on its status change stops the job and records the run',
      observed: `execution ABORTED; the rule invoked mlops_record, which stopped ${runRecord.stopped?.join(', ') ?? 'nothing'} (the job is ${job.TrainingJobStatus}); runs/${up.runId}/run.json: ${runRecord.status} ${runRecord.error?.Error}`,
      counts: { faultsInjected: 1, runs: 1, leaks: job.TrainingJobStatus === 'Stopped' ? 0 : 1 },
    });
    expect(runRecord).toMatchObject({ status: 'ABORTED', outcome: 'failed', error: { Error: 'States.Aborted' }, stopped: [jobName] });
  });

  it('a handler that crashes: a task failure caught into Fail, not a hang', async () => {
    const train = functionName(stack, 'mlops_train');
    const errorsBefore = stack.lambda.stats()[train]!.errors;
    const run = await runDataset(stack, 'crash.csv', abaloneSlice(600));
    record({
      scenario: 'a handler that crashes',
      expected: 'handled as a task failure, not a hang',
      observed: `${run.snapshot.status} in ${seconds(run)} s through ${pathOf(run.history).join(' → ')}: ${run.snapshot.error}: ${JSON.parse(run.snapshot.cause!).errorMessage}`,
      counts: { faultsInjected: 1, runs: 1 },
    });
    expect(run.snapshot).toMatchObject({ status: 'FAILED', error: 'Runtime.ExitError' });
    expect(JSON.parse(run.snapshot.cause!)).toEqual({ errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Runtime exited with error: exit status 1$/) });
    // Not retried (a crash is not transient), caught into the failure path with the input kept.
    expect(pathOf(run.history)).toEqual(FAILED_AT_TRAIN);
    expect(run.snapshot.retries).toEqual([]);
    expect(run.state.error?.Error).toBe('Runtime.ExitError');
    expect(stack.lambda.stats()[train]!.errors).toBe(errorsBefore + 1);
    expect(await resourcesOfRun(stack.clients.sageMaker, run.upload.runId)).toMatchObject({ trainingJobs: [] });
  });

  it('a handler that times out: a task failure caught into Fail, not a hang', async () => {
    const train = functionName(stack, 'mlops_train');
    const timeoutsBefore = stack.lambda.stats()[train]!.timeouts;
    const run = await runDataset(stack, 'stall.csv', abaloneSlice(900));
    const elapsed = Number(seconds(run));
    record({
      scenario: 'a handler that times out',
      expected: 'handled as a task failure, not a hang',
      observed: `${run.snapshot.status} in ${elapsed} s (function timeout ${TRAIN_TIMEOUT_SECONDS} s) through ${pathOf(run.history).join(' → ')}: ${run.snapshot.error}: ${JSON.parse(run.snapshot.cause!).errorMessage}`,
      counts: { faultsInjected: 1, runs: 1 },
    });
    expect(run.snapshot).toMatchObject({ status: 'FAILED', error: 'Sandbox.Timedout' });
    expect(JSON.parse(run.snapshot.cause!).errorMessage).toMatch(`Task timed out after ${TRAIN_TIMEOUT_SECONDS}.00 seconds`);
    expect(pathOf(run.history)).toEqual(FAILED_AT_TRAIN);
    expect(run.snapshot.retries).toEqual([]);
    expect(elapsed).toBeGreaterThanOrEqual(TRAIN_TIMEOUT_SECONDS);
    expect(elapsed).toBeLessThan(TRAIN_TIMEOUT_SECONDS + 10);
    expect(stack.lambda.stats()[train]!.timeouts).toBe(timeoutsBefore + 1);
  });

  it('a function output over the 256 KB state limit: rejected by the function itself with a clear error', async () => {
    // 1. A pipeline step: the deployed handler wiring (pipelineHandler) refuses its own 300 KiB
    //    result; the state machine does not retry PayloadTooLargeError and ends in Fail.
    const run = await runDataset(stack, 'oversized.csv', abaloneSlice(1200));
    // 2. The real mlops_ingest bundle, invoked directly: an event whose (valid) records it all skips
    //    produces a result listing each of them, over the limit. No pipeline function has a real input
    //    that makes it this big (the state carries S3 pointers only), so this is the deployed check.
    const ingest = functionName(stack, 'mlops_ingest');
    const records = Array.from({ length: 300 }, (_, i) => ({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: stack.bucket }, object: { key: `incoming/${String(i).padStart(4, '0')}-${'n'.repeat(1000)}.txt`, size: 10 } },
    }));
    const direct = await stack.lambda.invoke(ingest, { Records: records }).then(
      () => undefined,
      (error: Error) => error,
    );
    record({
      scenario: 'a function\'s output over the 256 KB state limit',
      expected: 'rejected by the function itself with a clear error',
      observed: `pipeline: ${run.snapshot.status} ${run.snapshot.error} (${JSON.parse(run.snapshot.cause!).errorMessage}); mlops_ingest bundle: ${direct?.name}: ${direct?.message}`,
      counts: { runs: 1 },
    });
    expect(run.snapshot).toMatchObject({ status: 'FAILED', error: 'PayloadTooLargeError' });
    expect(JSON.parse(run.snapshot.cause!).errorMessage).toMatch(/^mlops_train result is \d+ bytes, over the 262144-byte Step Functions state limit$/);
    expect(pathOf(run.history)).toEqual(FAILED_AT_TRAIN);
    expect(run.snapshot.retries).toEqual([]);
    expect(direct?.name).toBe('PayloadTooLargeError');
    expect(direct?.message).toMatch(/^mlops_ingest result is \d+ bytes, over the 262144-byte Step Functions state limit$/);
  });

  it('an endpoint that ends Failed: Fail with a clear cause, and the next deploy refuses to touch it', async () => {
    // Healthy for the batch transform, unhealthy on the endpoint: the fault is turned on when
    // mlops_deploy is invoked (the hook runs synchronously before the function). The endpoint
    // serves the registered version's model, mlops-local-abalone-v<n>, which that deploy creates.
    const deploy = functionName(stack, 'mlops_deploy');
    lambdaFaults.set((fn) => {
      if (fn === deploy) stack.sageMaker.faults.set({ unhealthyModel: { modelNamePattern: '^mlops-local-abalone-v\\d+$' } });
      return undefined;
    });
    const failed = await runDataset(stack, 'endpoint-fails.csv', abaloneSlice(1500));
    const endpoint = await stack.clients.sageMaker.send(new DescribeEndpointCommand({ EndpointName: 'mlops-local-abalone' }));
    lambdaFaults.clear();
    stack.sageMaker.faults.clear();
    const next = await runDataset(stack, 'after-failed-endpoint.csv', abaloneSlice(1800));
    const serving = stack.sageMaker.state.processes().filter((p) => p.kind === 'endpoint');
    // Both deploys ran in their own deploy executions; each run ends with its deploy's Error and Cause.
    const [failedDeploy, nextDeploy] = [deployExecutionOf(stack, failed), deployExecutionOf(stack, next)];
    const nextMessage = (JSON.parse(next.snapshot.cause ?? '{}') as { errorMessage?: string }).errorMessage;
    record({
      scenario: 'endpoint `Failed`',
      expected: 'Fail with a clear cause',
      observed: `${failed.snapshot.status} ${failed.snapshot.error}: ${failed.snapshot.cause} (deploy execution ${failedDeploy.snapshot.status}); the next run: ${next.snapshot.status} ${next.snapshot.error}: ${nextMessage} (deploy execution ${nextDeploy.snapshot.status})`,
      counts: { faultsInjected: 1, runs: 2, leaks: serving.length },
    });
    expect(endpoint).toMatchObject({ EndpointStatus: 'Failed', EndpointConfigName: `mlops-local-abalone-v${failed.state.registration?.version}` });
    expect(failedDeploy.snapshot).toMatchObject({ status: 'FAILED', error: 'DeploymentFailed' });
    expect(pathOf(failedDeploy.history).slice(-3)).toEqual(['RecordDeployment', 'Outcome', 'DeployFailed']);
    expect(failed.snapshot).toMatchObject({ status: 'FAILED', error: 'DeploymentFailed', cause: failedDeploy.snapshot.cause });
    expect(pathOf(failed.history).slice(-4)).toEqual(['Deploy', 'RecordRun', 'Outcome', 'RunFailed']);
    expect(failed.snapshot.cause).toBe(`endpoint mlops-local-abalone is Failed: ${endpoint.FailureReason}`);
    expect(endpoint.FailureReason).toContain('did not pass the ping health check');
    // mlops_deploy refuses the Failed endpoint in the next run's deploy execution.
    expect(nextDeploy.snapshot).toMatchObject({ status: 'FAILED', error: 'EndpointNeedsRepairError' });
    expect(pathOf(nextDeploy.history)).toEqual(['TurnInit', 'Deploy', 'RecordDeployment', 'Outcome', 'DeployFailed']);
    expect(next.snapshot).toMatchObject({ status: 'FAILED', error: 'EndpointNeedsRepairError', cause: nextDeploy.snapshot.cause });
    expect(nextMessage).toContain('endpoint mlops-local-abalone is Failed');
    expect(nextMessage).toContain('an operator must repair it');
    expect(serving).toEqual([]);
  });
});
