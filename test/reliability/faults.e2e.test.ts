/**
 * Fault injection through the whole offline stack: Lambda service faults, SageMaker throttling and
 * 5xx, duplicate S3 deliveries, a lost CreateTrainingJob response, failed and stopped training
 * jobs, a model that fails its health check during a blue/green update, and the output prefixes.
 * One stack; scenarios run one after another, each with its own dataset, so the Lambda fault hook
 * and the SageMaker fault configuration belong to one scenario at a time. Every run is recorded
 * (RecordRun) before it ends; a run's deploy is its own execution of the deploy state machine
 * (started with startExecution.sync:2), whose failure ends the run with the deploy's own Error.
 */
import { deployOutputOf } from '@mlops/common';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeTrainingJobCommand,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { startFaultProxy, type FaultProxy } from '@mlops/local-stack';
import { startLocalStack, type LocalStack } from '@mlops/local-stack';
import { observationRecorder } from './support/recorder';
import {
  abaloneSlice,
  awaitFinish,
  awaitStart,
  deployExecutionOf,
  functionName,
  heldOutFeatures,
  invocations,
  keysUnder,
  pathOf,
  resourcesOfRun,
  runDataset,
  s3EventFor,
  SwitchableLambdaFaults,
  upload,
  waitFor,
  type Finished,
} from './support/pipeline';

const { record } = observationRecorder('faults', 'Fault injection through the offline stack');
const lambdaFaults = new SwitchableLambdaFaults();
let stack: LocalStack;

// mlops_train reaches SageMaker through this proxy, which can lose the answer to one
// CreateTrainingJob after SageMaker created the job.
let sageMakerProxy: FaultProxy;
let loseNextCreateTrainingJob = false;
const lostResponses: { upstreamStatus: number }[] = [];

const PIPELINE_FUNCTIONS = ['mlops_train', 'mlops_await', 'mlops_batch', 'mlops_eval', 'mlops_register', 'mlops_deploy', 'mlops_record'];

beforeAll(async () => {
  sageMakerProxy = await startFaultProxy({
    target: () => stack.endpoints.sagemaker,
    decide: ({ headers }) => {
      if (!loseNextCreateTrainingJob || headers['x-amz-target'] !== 'SageMaker.CreateTrainingJob') return { action: 'forward' };
      loseNextCreateTrainingJob = false;
      return {
        action: 'lose-response',
        response: ({ status }) => {
          lostResponses.push({ upstreamStatus: status });
          return {
            status: 500,
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'InternalFailure' },
            body: JSON.stringify({ __type: 'InternalFailure', message: 'We encountered an internal error. Please try again.' }),
          };
        },
      };
    },
  });
  stack = await startLocalStack({
    waitScale: 0.01,
    lambdaFaults,
    functionEnvironment: { mlops_train: { AWS_ENDPOINT_URL_SAGEMAKER: sageMakerProxy.endpoint } },
    // A model that never turns healthy is given up on after 4 s instead of 60 s.
    sageMakerTimings: { healthCheckTimeoutMs: 4000, stopGracePeriodMs: 2000 },
  });
}, 120_000);

afterEach(() => {
  lambdaFaults.clear();
  stack.sageMaker.faults.clear();
});

afterAll(async () => {
  await stack?.close();
  await sageMakerProxy?.close();
});

/** The state retries of the run's execution and of its deploy execution. */
const retriesOf = (run: Finished) => [...run.snapshot.retries, ...deployExecutionOf(stack, run).snapshot.retries].map((r) => `${r.stateName}:${r.error}`);
const countBy = (items: string[]) => items.reduce<Record<string, number>>((acc, item) => ({ ...acc, [item]: (acc[item] ?? 0) + 1 }), {});

async function liveConfig(): Promise<string | undefined> {
  try {
    return (await stack.clients.sageMaker.send(new DescribeEndpointCommand({ EndpointName: 'mlops-local-abalone' }))).EndpointConfigName;
  } catch {
    return undefined;
  }
}

async function predict(features: string): Promise<string> {
  const response = await stack.clients.runtime.send(new InvokeEndpointCommand({ EndpointName: 'mlops-local-abalone', ContentType: 'text/csv', Body: Buffer.from(features) }));
  return new TextDecoder().decode(response.Body).trim();
}

describe('fault injection', () => {
  let serviceExceptionRun: Finished | undefined;
  let ingestInvocationsBefore = 0;

  it('Lambda.ServiceException on the first two attempts of every task: the execution succeeds after retries', async () => {
    const names = new Set(PIPELINE_FUNCTIONS.map((key) => functionName(stack, key)));
    lambdaFaults.set((fn, attempt) => (names.has(fn) && attempt <= 2 ? { name: 'Lambda.ServiceException', message: 'Service error. (injected)' } : undefined));
    ingestInvocationsBefore = invocations(stack, 'mlops_ingest');
    const run = await runDataset(stack, 'service-exception.csv', abaloneSlice(0));
    serviceExceptionRun = run;
    const retries = countBy(retriesOf(run));
    const resources = await resourcesOfRun(stack.clients.sageMaker, run.upload.runId);
    record({
      scenario: 'Lambda.ServiceException on the first two attempts of a task',
      expected: 'execution succeeds after retries',
      observed: `${run.snapshot.status}; retried ${Object.entries(retries).map(([k, n]) => `${k} ×${n}`).join(', ')}; ${resources.trainingJobs.length} training job, ${resources.transformJobs.length} transform job`,
      counts: { faultsInjected: lambdaFaults.injected, runs: 1, duplicates: resources.trainingJobs.length - 1 + resources.transformJobs.length - 1 },
    });
    expect({ status: run.snapshot.status, error: run.snapshot.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
    // Each of the seven functions failed twice at its first state, then succeeded there: five in the
    // pipeline, mlops_deploy in the deploy execution, and mlops_record first at the deploy's end.
    expect(retries).toEqual({
      'Train:Lambda.ServiceException': 2,
      'AwaitTraining:Lambda.ServiceException': 2,
      'Batch:Lambda.ServiceException': 2,
      'Evaluate:Lambda.ServiceException': 2,
      'Register:Lambda.ServiceException': 2,
      'Deploy:Lambda.ServiceException': 2,
      'RecordDeployment:Lambda.ServiceException': 2,
    });
    expect(lambdaFaults.injected).toBe(14);
    expect(pathOf(run.history).slice(-4)).toEqual(['Deploy', 'RecordRun', 'Outcome', 'Deployed']);
    expect(resources.trainingJobs).toHaveLength(1);
    expect(resources.transformJobs).toHaveLength(1);
    expect(deployOutputOf(run.state)?.endpointName).toBe('mlops-local-abalone');
  });

  it('writes under the output prefixes never trigger ingestion', async () => {
    const run = serviceExceptionRun;
    if (!run) throw new Error('needs the previous test\'s run');
    await stack.settled();
    const written = await keysUnder(stack, `runs/${run.upload.runId}/`);
    const csvWritten = written.filter((k) => k.endsWith('.csv'));
    const ingestInvocations = invocations(stack, 'mlops_ingest') - ingestInvocationsBefore;
    record({
      scenario: 'writes under the output prefixes',
      expected: 'never trigger ingestion',
      observed: `the run wrote ${written.length} objects under runs/${run.upload.runId}/ (${csvWritten.length} of them .csv); mlops_ingest was invoked ${ingestInvocations} time(s), for the upload`,
      // The run is the previous test's: counted there.
      counts: { duplicates: ingestInvocations - 1 },
    });
    // Channels, schema, model artifact, predictions, evaluation report.
    expect(written.some((k) => k.includes('/model/') && k.endsWith('model.tar.gz'))).toBe(true);
    expect(written.some((k) => k.includes('/predictions/') && k.endsWith('.out'))).toBe(true);
    expect(written.some((k) => k.endsWith('evaluation/report.json'))).toBe(true);
    expect(csvWritten.length).toBeGreaterThanOrEqual(3);
    expect(ingestInvocations).toBe(1);
  });

  it('Lambda.TooManyRequestsException beyond the retry budget: Catch, failure path, Fail with $.error and the input kept', async () => {
    const train = functionName(stack, 'mlops_train');
    lambdaFaults.set((fn) => (fn === train ? { name: 'Lambda.TooManyRequestsException', message: 'Rate Exceeded. (injected)' } : undefined));
    const run = await runDataset(stack, 'too-many-requests.csv', abaloneSlice(300));
    // The state RunFailed entered: the run's input, the Catch's $.error and RecordRun's result.
    const { error, record: runRecord, ...kept } = run.state as typeof run.state & { record?: { uri?: string; error?: unknown } };
    const resources = await resourcesOfRun(stack.clients.sageMaker, run.upload.runId);
    record({
      scenario: 'Lambda.TooManyRequestsException beyond the retry budget',
      expected: 'Catch → failure path → Fail; $.error recorded, the run\'s input kept',
      observed: `${run.snapshot.status} through ${pathOf(run.history).join(' → ')} with ${run.snapshot.error} after ${run.snapshot.retries.length} retries of Train; $.error = {Error: ${error?.Error}}; input kept: ${JSON.stringify(kept) === JSON.stringify(run.snapshot.input)}; run record ${runRecord?.uri}`,
      counts: { faultsInjected: lambdaFaults.injected, runs: 1 },
    });
    expect(run.snapshot.status).toBe('FAILED');
    expect(run.snapshot.error).toBe('Lambda.TooManyRequestsException');
    expect(run.snapshot.cause).toContain('Rate Exceeded');
    // The Retry budget for throttling (MaxAttempts 8), then the Catch.
    expect(run.snapshot.retries).toHaveLength(8);
    expect(new Set(run.snapshot.retries.map((r) => `${r.stateName}:${r.error}`))).toEqual(new Set(['Train:Lambda.TooManyRequestsException']));
    expect(lambdaFaults.injected).toBe(9);
    // The Catch goes to RecordRun, which records the failed run and hands its error to the Fail state.
    expect(pathOf(run.history)).toEqual(['Train', 'RecordRun', 'Outcome', 'RunFailed']);
    expect(error).toEqual({ Error: 'Lambda.TooManyRequestsException', Cause: run.snapshot.cause });
    expect(runRecord).toEqual({ uri: `s3://${stack.bucket}/runs/${run.upload.runId}/run.json`, error });
    expect(kept).toEqual(run.snapshot.input);
    expect(resources.trainingJobs).toEqual([]);
  });

  it('SageMaker ThrottlingException and HTTP 500 on Create*/Describe* at a 30% rate: retries absorb them, no duplicate resources', async () => {
    const rate = { throttleRate: 0.2, errorRate: 0.1 };
    const operations = [
      'CreateTrainingJob',
      'DescribeTrainingJob',
      'CreateModel',
      'DescribeModel',
      'CreateTransformJob',
      'DescribeTransformJob',
      'CreateEndpointConfig',
      'DescribeEndpointConfig',
      'CreateEndpoint',
      'DescribeEndpoint',
    ];
    const rates = Object.fromEntries(operations.map((op) => [op, rate]));
    const before = stack.sageMaker.faults.stats();
    // The draws are seeded and the run's first calls are sequential, so with seed 6 both kinds of
    // fault land among its first calls (E.ET..ET), whatever the timing of the later polls.
    stack.sageMaker.faults.set({ seed: 6, api: rates });
    // And one fault outlasts the SDK: during the first Batch attempt every CreateModel answers 500,
    // so after its five attempts mlops_batch raises SageMakerTransientError and the state machine
    // retries the step (the hook runs synchronously before each invocation).
    const batch = functionName(stack, 'mlops_batch');
    lambdaFaults.set((fn, attempt) => {
      if (fn === batch) stack.sageMaker.faults.set({ seed: 6 + attempt, api: attempt === 1 ? { ...rates, CreateModel: { errorRate: 1 } } : rates });
      return undefined;
    });
    const run = await runDataset(stack, 'sagemaker-throttling.csv', abaloneSlice(600));
    stack.sageMaker.faults.clear();
    const after = stack.sageMaker.faults.stats();
    const injected = after.total - before.total;
    const throttled = operations.reduce((n, op) => n + (after.api[op]?.throttled ?? 0) - (before.api[op]?.throttled ?? 0), 0);
    const errors = operations.reduce((n, op) => n + (after.api[op]?.errors ?? 0) - (before.api[op]?.errors ?? 0), 0);
    const resources = await resourcesOfRun(stack.clients.sageMaker, run.upload.runId);
    // The endpoint config is the registered version's (the deploy execution creates it).
    const config = await stack.clients.sageMaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: `mlops-local-abalone-v${run.state.registration?.version}` }));
    const retries = [...run.snapshot.retries, ...deployExecutionOf(stack, run).snapshot.retries];
    const stateRetries = retries.filter((r) => r.error === 'SageMakerTransientError');
    // The run's transform, and the champion's over the same rows (an earlier test deployed one).
    const transforms = [run.state.batch!.transformJobName, ...(run.state.batch?.champion ? [run.state.batch.champion.transformJobName] : [])];
    record({
      scenario: 'SageMaker ThrottlingException / HTTP 500 on Create*/Describe* at a configured rate (20% + 10%)',
      expected: 'SDK and state-machine retries absorb it; no duplicate resources',
      observed: `${run.snapshot.status}; ${throttled} ThrottlingException + ${errors} InternalFailure injected, ${stateRetries.length} outlasted the SDK's five attempts and the state machine retried ${stateRetries.map((r) => r.stateName).join(', ')}; ${resources.trainingJobs.length} training job, ${resources.models.length} model, ${resources.transformJobs.length} transform jobs (the run's and the champion's), endpoint config ${config.EndpointConfigName ? 'created once' : 'missing'}`,
      counts: { faultsInjected: injected, runs: 1, duplicates: resources.trainingJobs.length + resources.models.length + resources.transformJobs.length - 2 - transforms.length },
    });
    expect({ status: run.snapshot.status, error: run.snapshot.error, cause: run.snapshot.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    expect(throttled).toBeGreaterThan(0);
    expect(errors).toBeGreaterThanOrEqual(5);
    // Batch for certain; another step only if random faults happened to outlast the SDK too.
    expect(stateRetries.map((r) => r.stateName)).toContain('Batch');
    expect(retries.every((r) => r.error === 'SageMakerTransientError')).toBe(true);
    expect(resources.trainingJobs).toEqual([{ name: run.state.training!.jobName, status: 'Completed' }]);
    expect(resources.models).toEqual([run.state.batch!.modelName]);
    expect(run.state.batch?.champion).toBeDefined();
    expect(resources.transformJobs.sort((a, b) => a.name.localeCompare(b.name))).toEqual(transforms.sort().map((name) => ({ name, status: 'Completed' })));
    expect(await liveConfig()).toBe(config.EndpointConfigName);
  });

  it('the same S3 event delivered twice, also concurrently: exactly one execution', async () => {
    const ingest = functionName(stack, 'mlops_ingest');
    const up = await upload(stack, 'delivered-twice.csv', abaloneSlice(900));
    // S3 delivers at least once: three more copies of the notification arrive while the first
    // delivery (the bucket trigger's) is still being handled, and one more after the run ended.
    const event = await s3EventFor(stack, up.key);
    const concurrent = (await Promise.all([1, 2, 3].map(() => stack.lambda.invoke(ingest, event)))) as { runs: { status: string; executionArn: string }[] }[];
    expect(await awaitStart(stack, up)).toBe('started');
    const run = await awaitFinish(stack, up);
    await stack.settled();
    const late = (await stack.lambda.invoke(ingest, event)) as { runs: { status: string; executionArn: string }[] };
    const statuses = [...concurrent.flatMap((r) => r.runs), ...(stack.ingestOutcome(up.key)?.result?.runs ?? []), ...late.runs];
    const listed = await stack.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.resources.stateMachine.arn, maxResults: 1000 }));
    const executions = (listed.executions ?? []).filter((e) => e.name === up.executionName);
    const resources = await resourcesOfRun(stack.clients.sageMaker, up.runId);
    record({
      scenario: 'the same S3 event delivered twice, also concurrently',
      expected: 'exactly one execution',
      // StartExecution with the same name and input while the execution runs returns it (AWS's
      // idempotency for STANDARD workflows), so concurrent deliveries may all answer 'started'.
      observed: `5 deliveries (1 trigger + 3 concurrent + 1 late) answered ${Object.entries(countBy(statuses.map((s) => s.status))).map(([k, n]) => `${k} ×${n}`).join(', ')}; ${executions.length} execution (${run.snapshot.status}), ${resources.trainingJobs.length} training job`,
      counts: { runs: executions.length, duplicates: executions.length - 1 + resources.trainingJobs.length - 1 },
    });
    expect(statuses).toHaveLength(5);
    expect(new Set(statuses.map((s) => s.executionArn))).toEqual(new Set([up.executionArn]));
    expect(late.runs).toEqual([expect.objectContaining({ status: 'duplicate' })]);
    expect(executions).toHaveLength(1);
    expect(run.snapshot.status).toBe('SUCCEEDED');
    expect(resources.trainingJobs).toHaveLength(1);
  });

  it('CreateTrainingJob answers ResourceInUse for the run\'s own job after a lost response: the job is adopted, the run goes on', async () => {
    // SageMaker creates the job, but mlops_train gets a 500 instead of the answer (lost on the way
    // back). The SDK retries; the retry meets ResourceInUse for the run's own job name, and
    // createOrAdopt adopts it because output path and image match this run.
    loseNextCreateTrainingJob = true;
    const lostBefore = lostResponses.length;
    const run = await runDataset(stack, 'lost-response.csv', abaloneSlice(1200));
    const lost = lostResponses.slice(lostBefore);
    const resources = await resourcesOfRun(stack.clients.sageMaker, run.upload.runId);
    record({
      scenario: 'CreateTrainingJob answers ResourceInUse for this run\'s own job (a retry after a lost response)',
      expected: 'the job is adopted, the run goes on',
      observed: `first CreateTrainingJob answered ${lost[0]?.upstreamStatus} by SageMaker, 500 to the function; training.adopted = ${run.state.training?.adopted}; ${run.snapshot.status}; ${resources.trainingJobs.length} training job`,
      counts: { faultsInjected: lost.length, runs: 1, duplicates: resources.trainingJobs.length - 1 },
    });
    expect(lost).toEqual([{ upstreamStatus: 200 }]);
    expect(run.snapshot.status).toBe('SUCCEEDED');
    expect(run.state.training).toMatchObject({ adopted: true, jobName: `mlops-local-${run.upload.runId}-train` });
    expect(run.snapshot.retries).toEqual([]);
    expect(resources.trainingJobs).toEqual([{ name: run.state.training!.jobName, status: 'Completed' }]);
  });

  it('a training job that fails: Fail with its FailureReason', async () => {
    const reason = 'AlgorithmError: injected failure in the training container';
    stack.sageMaker.faults.set({ trainingFailure: { jobNamePattern: '^mlops-local-training-fails-.*-train$', reason } });
    const run = await runDataset(stack, 'training-fails.csv', abaloneSlice(1500));
    const job = await stack.clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: `mlops-local-${run.upload.runId}-train` }));
    record({
      scenario: 'a training job that fails',
      expected: 'Fail with the FailureReason',
      observed: `${run.snapshot.status} ${run.snapshot.error}: ${run.snapshot.cause}`,
      counts: { faultsInjected: 1, runs: 1 },
    });
    expect(job).toMatchObject({ TrainingJobStatus: 'Failed', FailureReason: reason });
    expect(run.snapshot).toMatchObject({ status: 'FAILED', error: 'TrainingJobFailed' });
    expect(run.snapshot.cause).toBe(`training job ${job.TrainingJobName} failed: ${reason}`);
    expect(pathOf(run.history).slice(-4)).toEqual(['TrainingFailed', 'RecordRun', 'Outcome', 'RunFailed']);
  });

  it('a training job that is stopped: Fail saying so', async () => {
    stack.sageMaker.faults.set({ hang: { jobNamePattern: '^mlops-local-training-stopped-.*-train$' } });
    const up = await upload(stack, 'training-stopped.csv', abaloneSlice(1800));
    const jobName = `mlops-local-${up.runId}-train`;
    // An operator stops the job while it runs.
    await waitFor('the training job to run', async () => {
      const job = await stack.clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName })).catch(() => undefined);
      return job?.SecondaryStatus === 'Training' ? job : undefined;
    });
    await stack.clients.sageMaker.send(new StopTrainingJobCommand({ TrainingJobName: jobName }));
    const run = await awaitFinish(stack, up);
    const job = await stack.clients.sageMaker.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
    record({
      scenario: 'a training job that is stopped',
      expected: 'Fail with the reason',
      observed: `${run.snapshot.status} ${run.snapshot.error}: ${run.snapshot.cause}`,
      counts: { faultsInjected: 1, runs: 1 },
    });
    expect(job.TrainingJobStatus).toBe('Stopped');
    expect(run.snapshot).toMatchObject({ status: 'FAILED', error: 'TrainingJobFailed', cause: `training job ${jobName} was stopped (Stopped)` });
  });

  it('the new model fails its health check during UpdateEndpoint: deploy fails, the previous model keeps serving', async () => {
    const previousConfig = await liveConfig();
    if (!previousConfig || !serviceExceptionRun) throw new Error('needs the endpoint deployed by an earlier test');
    const features = await heldOutFeatures(stack, serviceExceptionRun.state);
    const before = await predict(features);
    // The model must be healthy for the batch transform and unhealthy on the endpoint: turn the
    // fault on when mlops_deploy is invoked (the hook runs synchronously before the function). The
    // endpoint serves the registered version's model (mlops-local-abalone-v<n>), created by that
    // deploy; the previous version's model is serving already and is not health-checked again.
    const deploy = functionName(stack, 'mlops_deploy');
    lambdaFaults.set((fn) => {
      if (fn === deploy) stack.sageMaker.faults.set({ unhealthyModel: { modelNamePattern: '^mlops-local-abalone-v\\d+$' } });
      return undefined;
    });
    const answers: string[] = [];
    const failures: string[] = [];
    let probing = true;
    const probe = (async () => {
      while (probing) {
        await predict(features).then(
          (p) => answers.push(p),
          (e: Error) => failures.push(`${e.name}: ${e.message}`),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const run = await runDataset(stack, 'unhealthy-model.csv', abaloneSlice(2100));
    probing = false;
    await probe;
    const child = deployExecutionOf(stack, run);
    const endpoint = await stack.clients.sageMaker.send(new DescribeEndpointCommand({ EndpointName: 'mlops-local-abalone' }));
    const after = await predict(features);
    const servingProcesses = stack.sageMaker.state.processes().filter((p) => p.kind === 'endpoint');
    const unhealthy = stack.sageMaker.faults.stats().unhealthyModels;
    record({
      scenario: 'the new model fails health during UpdateEndpoint',
      expected: 'deploy fails; the previous model keeps serving, checked by invoking the endpoint during and after',
      observed: `${run.snapshot.status} ${run.snapshot.error}: ${run.snapshot.cause} (its deploy execution ${child.snapshot.status} ${child.snapshot.error}); endpoint ${endpoint.EndpointStatus} on ${endpoint.EndpointConfigName}; ${answers.length} invocations during the deploy all answered ${[...new Set(answers)].join(', ')} (the previous model's ${before}), ${failures.length} failed; after: ${after}`,
      counts: { faultsInjected: unhealthy, runs: 1, leaks: servingProcesses.length - 1 },
    });
    // The deploy execution fails; the run ends with its Error and Cause (RecordRun normalizes the
    // States.TaskFailed of the nested execution).
    // SageMaker rolled the update back (the new fleet never passed its health check).
    expect(child.snapshot).toMatchObject({ status: 'FAILED', error: 'DeploymentRolledBack' });
    expect(pathOf(child.history).slice(-5)).toEqual(['EndpointDone', 'DeploymentRolledBack', 'RecordDeployment', 'Outcome', 'DeployFailed']);
    expect(run.snapshot).toMatchObject({ status: 'FAILED', error: 'DeploymentRolledBack', cause: child.snapshot.cause });
    expect(pathOf(run.history).slice(-4)).toEqual(['Deploy', 'RecordRun', 'Outcome', 'RunFailed']);
    expect(run.snapshot.cause).toContain(`update rolled back: endpoint mlops-local-abalone still serves config ${previousConfig}, not mlops-local-abalone-v${run.state.registration?.version}`);
    expect(endpoint).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: previousConfig });
    expect(endpoint.FailureReason).toContain('did not pass the ping health check');
    expect(failures).toEqual([]);
    expect(answers.length).toBeGreaterThan(10);
    expect(new Set(answers)).toEqual(new Set([before]));
    expect(after).toBe(before);
    // The failed fleet was torn down; the old one (one instance) serves.
    expect(servingProcesses).toHaveLength(1);
  });
});
