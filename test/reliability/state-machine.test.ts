/**
 * Endpoint and job states the local SageMaker never reaches, run through the real state machines
 * (statemachines/pipeline.asl.yml and the deploy state machine it starts with
 * startExecution.sync:2, statemachines/deploy.asl.yml, both hosted in process by local-stepfunctions'
 * StepFunctionsService as serverless.yml's dev stage defines them) and the real mlops_await core
 * against a mocked SageMaker Describe*:
 *  - an endpoint update whose rollback failed (`UpdateRollbackFailed`: the emulator does not
 *    emulate blue/green rollback), and `Failed`: the deploy execution fails, and the run ends with
 *    the deploy's own Error and Cause (RecordRun reads them out of the nested execution's failure);
 *  - jobs and an endpoint that never finish, with the dev/prod deadlines from serverless.yml (a day
 *    for training): a virtual clock advances by each Wait the state machines make, so a whole day
 *    of polling runs in a moment. It shows the deadline, not the 400-poll budget or the 25,000-event
 *    history limit, ends the run, and that mlops_await stops the job (StopTrainingJob /
 *    StopTransformJob) — which through the stack cannot be waited for: SageMaker enforces
 *    MaxRuntimeInSeconds itself 600 s earlier, and the local stage's deadlines are minutes.
 * The other steps return what their functions return; they are not under test here. mlops_record
 * answers as it does (services/mlops_record/src/record.ts, normalizeFailure): the failure the
 * execution ends with, a failed nested execution's (States.TaskFailed) replaced by the child's own
 * Error and Cause.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeEndpointCommand,
  DescribeTrainingJobCommand,
  DescribeTransformJobCommand,
  SageMakerClient,
  StopTrainingJobCommand,
  StopTransformJobCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { printServerlessConfig, projectRoot } from '@mlops/serverless-config';
import { AwaitConfigSchema, AwaitInputSchema, parseConfig, validateInput, type AwaitConfig } from '@mlops/common';
import { resolveLocalResources, type LocalResources } from '@mlops/local-stack';
import { StepFunctionsService, type ExecutionSnapshot, type HistoryEvent } from '@mlops/local-stepfunctions';
import { pollResource } from '@mlops/mlops_await/core';
import { observationRecorder } from './support/recorder';

const { record } = observationRecorder('state-machine', 'SageMaker states the emulator never reaches, through the real state machines');
const HISTORY_EVENT_LIMIT = 25_000;
const POLL_BUDGET = 400;

const SAMPLE = JSON.parse(readFileSync(join(projectRoot(), 'services/mlops_train/events/train.json'), 'utf8')).run as Record<string, unknown> & { runId: string };
const RUN = SAMPLE.runId;
const BUCKET = 'mlops-dev-data';
const INPUT = JSON.parse(JSON.stringify(SAMPLE).replaceAll('mlops-local-data', BUCKET)) as typeof SAMPLE;
const TRAIN = `mlops-dev-${RUN}-train`;
const BATCH = `mlops-dev-${RUN}-batch`;
const ENDPOINT = 'mlops-dev-abalone';
const GROUP = 'mlops-dev-abalone';
const VERSION = { arn: `arn:aws:sagemaker:us-east-1:000000000000:model-package/${GROUP}/2`, group: GROUP, version: 2 };
const NEW_CONFIG = `${GROUP}-v2`;
const OLD_CONFIG = `${GROUP}-v1`;
const ARTIFACTS = `s3://${BUCKET}/runs/${RUN}/model/${TRAIN}/output/model.tar.gz`;
const PREDICTIONS = `s3://${BUCKET}/runs/${RUN}/predictions/`;

let resources: LocalResources;
let awaitConfig: AwaitConfig;

beforeAll(async () => {
  resources = resolveLocalResources(await printServerlessConfig('dev'));
  const env = resources.functions.find((f) => f.key === 'mlops_await')!.environment;
  awaitConfig = parseConfig(AwaitConfigSchema, { ...env, DATA_BUCKET: BUCKET });
}, 60_000);

const sageMaker = new SageMakerClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const sm = mockClient(sageMaker);
beforeEach(() => sm.reset());

type Failure = { Error: string; Cause?: string };
/** mlops_record's answer: where it wrote the record, and the failure the execution ends with. */
function recordOutput(input: { kind: string; state: { error?: Failure } }): { uri: string; error?: Failure } {
  const uri = input.kind === 'run' ? `s3://${BUCKET}/runs/${RUN}/run.json` : `s3://${BUCKET}/runs/${RUN}/deployments/${RUN}-v2.json`;
  let error = input.state.error;
  if (error?.Error === 'States.TaskFailed' && error.Cause) {
    const child = JSON.parse(error.Cause) as Partial<Failure>;
    if (child.Error) error = { Error: child.Error, ...(child.Cause ? { Cause: child.Cause } : {}) };
  }
  return error ? { uri, error } : { uri };
}

interface Execution {
  snapshot: ExecutionSnapshot;
  history: HistoryEvent[];
}
interface Run extends Execution {
  /** The deploy execution the pipeline started, if it got that far. */
  deploy?: Execution;
  polls: number;
  /** What mlops_record was asked, and answered. */
  records: { kind: string; error?: Failure }[];
}

/** Runs the pipeline with the real mlops_await core; `clock` is SageMaker's time, advanced by every Wait. */
async function run(clock: { now: number }): Promise<Run> {
  let polls = 0;
  const records: Run['records'] = [];
  const outputs: Record<string, unknown> = {
    mlops_train: { jobName: TRAIN, jobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${TRAIN}`, adopted: false },
    mlops_batch: { modelName: `mlops-dev-${RUN}`, transformJobName: BATCH, transformOutput: PREDICTIONS, adopted: false },
    mlops_eval: {
      problemType: 'regression',
      rows: 627,
      metrics: { mse: 4.6 },
      gate: { metric: 'mse', threshold: 6, direction: 'lte', value: 4.6, passed: true, summary: 'mse = 4.6 is within the threshold 6 (must be <= 6)' },
      reportUri: `s3://${BUCKET}/runs/${RUN}/evaluation/report.json`,
    },
    mlops_register: { ...VERSION, approvalStatus: 'Approved' },
    mlops_deploy: { family: 'abalone', modelVersion: VERSION, runId: RUN, modelName: NEW_CONFIG, endpointName: ENDPOINT, endpointConfigName: NEW_CONFIG, action: 'updated', previousConfigName: OLD_CONFIG },
  };
  const service = new StepFunctionsService({
    stateMachines: Object.values(resources.stateMachines).map((m) => ({ name: m.name, definition: m.definition })),
    waitScale: 1e-6, // a 300 s Wait takes 0.3 ms
    taskHandlers: (resource) => {
      const key = resources.functionByArn.get(resource);
      if (key === 'mlops_await') {
        return async (input) => {
          polls++;
          const output = await pollResource(validateInput(AwaitInputSchema, input, 'mlops_await input'), { sageMaker, config: awaitConfig, now: () => new Date(clock.now) });
          clock.now += output.waitSeconds * 1000;
          return output;
        };
      }
      if (key === 'mlops_record') {
        return async (input) => {
          const request = input as Parameters<typeof recordOutput>[0];
          const output = recordOutput(request);
          records.push({ kind: request.kind, ...(output.error ? { error: output.error } : {}) });
          return output;
        };
      }
      return key && key in outputs ? async () => outputs[key] : undefined;
    },
  });
  try {
    const { executionArn } = (await service.call('StartExecution', { stateMachineArn: resources.stateMachines.pipeline!.arn, name: RUN, input: JSON.stringify(INPUT) })) as { executionArn: string };
    const snapshot = await service.executions.waitForCompletion(executionArn, { timeoutMs: 60_000 });
    const child = service.executions.list({ stateMachineName: resources.stateMachines.deploy!.name })[0];
    return {
      snapshot,
      history: service.executions.history(executionArn),
      ...(child ? { deploy: { snapshot: child, history: service.executions.history(child.executionArn) } } : {}),
      polls,
      records,
    };
  } finally {
    await service.shutdown();
  }
}

const START = Date.parse('2026-01-01T00:00:00Z');
const trainingJob = (status: string, patch: object = {}) => ({
  TrainingJobName: TRAIN,
  TrainingJobStatus: status,
  SecondaryStatus: status === 'Completed' ? 'Completed' : 'Training',
  CreationTime: new Date(START),
  StoppingCondition: { MaxRuntimeInSeconds: Number(awaitConfig.TRAINING_MAX_RUNTIME_SECONDS) },
  ...(status === 'Completed' ? { ModelArtifacts: { S3ModelArtifacts: ARTIFACTS } } : {}),
  ...patch,
});
const transformJob = (status: string) => ({
  TransformJobName: BATCH,
  TransformJobStatus: status,
  CreationTime: new Date(START),
  TransformOutput: { S3OutputPath: PREDICTIONS },
});
const endpoint = (status: string, patch: object = {}) => ({
  EndpointName: ENDPOINT,
  EndpointStatus: status,
  EndpointConfigName: status === 'Updating' ? OLD_CONFIG : NEW_CONFIG,
  LastModifiedTime: new Date(START),
  ...patch,
});
const pathOf = (history: HistoryEvent[]) => history.filter((e) => e.type.endsWith('StateEntered')).map((e) => (e.stateEnteredEventDetails as { name: string }).name);

describe('the state machines and mlops_await on states the emulator never reaches', () => {
  it.each([
    ['UpdateRollbackFailed', 'Rollback of endpoint update failed: the previous production variants could not be restored.'],
    ['Failed', 'The primary container for production variant AllTraffic did not pass the ping health check.'],
  ])('endpoint %s after an update: the deploy fails with a clear cause, and so does the run', async (status, reason) => {
    sm.on(DescribeTrainingJobCommand).resolves(trainingJob('Completed') as never);
    sm.on(DescribeTransformJobCommand).resolves(transformJob('Completed') as never);
    sm.on(DescribeEndpointCommand)
      .resolvesOnce(endpoint('Updating') as never)
      .resolves(endpoint(status, { EndpointConfigName: OLD_CONFIG, FailureReason: reason }) as never);
    const result = await run({ now: START });
    const cause = `endpoint ${ENDPOINT} is ${status}: ${reason}`;
    record({
      scenario: `endpoint \`${status}\` (mocked Describe, real state machines, mlops_await and mlops_record)`,
      expected: 'the deploy execution fails with a clear cause; the run ends with its Error and Cause, both recorded',
      observed: `deploy execution ${result.deploy?.snapshot.status} ${result.deploy?.snapshot.error}; run ${result.snapshot.status} ${result.snapshot.error}: ${result.snapshot.cause}; recorded: ${result.records.map((r) => `${r.kind} ${r.error?.Error}`).join(', ')}`,
      counts: { runs: 1 },
    });
    expect(result.deploy?.snapshot).toMatchObject({ status: 'FAILED', error: 'DeploymentFailed', cause });
    expect(pathOf(result.deploy!.history)).toEqual([
      'TurnInit', 'Deploy', 'Rollout', 'EndpointPollInit', 'AwaitEndpoint', 'EndpointDone', 'WaitForEndpoint', 'AwaitEndpoint', 'EndpointDone', 'DeploymentFailed', 'RecordDeployment', 'Outcome', 'DeployFailed',
    ]);
    expect(result.snapshot).toMatchObject({ status: 'FAILED', error: 'DeploymentFailed', cause });
    expect(pathOf(result.history).slice(-4)).toEqual(['Deploy', 'RecordRun', 'Outcome', 'RunFailed']);
    // RecordDeployment, then RecordRun, which turns the nested execution's States.TaskFailed into its Error.
    expect(result.records).toEqual([
      { kind: 'deployment', error: { Error: 'DeploymentFailed', Cause: cause } },
      { kind: 'run', error: { Error: 'DeploymentFailed', Cause: cause } },
    ]);
  });

  it.each([
    { kind: 'training', what: 'a training job', stop: 'StopTrainingJob' },
    { kind: 'transform', what: 'a transform job', stop: 'StopTransformJob' },
    { kind: 'endpoint', what: 'an endpoint update', stop: undefined },
  ])('$what that never finishes, with the dev/prod deadlines: given up at its deadline, far below the history limit', async ({ kind, what, stop }) => {
    sm.on(DescribeTrainingJobCommand).resolves(trainingJob(kind === 'training' ? 'InProgress' : 'Completed') as never);
    sm.on(DescribeTransformJobCommand).resolves(transformJob(kind === 'transform' ? 'InProgress' : 'Completed') as never);
    sm.on(DescribeEndpointCommand).resolves(endpoint('Updating') as never);
    sm.on(StopTrainingJobCommand).resolves({});
    sm.on(StopTransformJobCommand).resolves({});
    const clock = { now: START };
    const result = await run(clock);
    const hours = ((clock.now - START) / 3_600_000).toFixed(1);
    const stopCalls = { StopTrainingJob: sm.commandCalls(StopTrainingJobCommand).length, StopTransformJob: sm.commandCalls(StopTransformJobCommand).length };
    // The endpoint's loop is in the deploy execution; each execution has its own history limit.
    const looped = kind === 'endpoint' ? result.deploy! : result;
    record({
      scenario: `${what} that never finishes (the dev/prod deadlines, virtual clock)`,
      expected: `the poll deadline stops it${stop ? ` (${stop})` : ' (endpoints are left as they are)'} and the execution fails well before the 25,000-event history limit`,
      observed: `${result.snapshot.status} ${result.snapshot.error} after ${result.polls} polls over ${hours} h of SageMaker time, ${looped.history.length} history events${kind === 'endpoint' ? ' in the deploy execution' : ''}; ${stop ? `${stopCalls[stop as keyof typeof stopCalls]} ${stop} call` : 'no stop call'}: ${result.snapshot.cause}`,
      counts: { runs: 1 },
    });
    expect(result.snapshot).toMatchObject({ status: 'FAILED', error: 'PollDeadlineExceededError' });
    expect(pathOf(result.history).slice(-3)).toEqual(['RecordRun', 'Outcome', 'RunFailed']);
    if (kind === 'endpoint') expect(result.deploy!.snapshot).toMatchObject({ status: 'FAILED', error: 'PollDeadlineExceededError', cause: result.snapshot.cause });
    else expect(result.deploy).toBeUndefined();
    expect(stopCalls).toEqual({ StopTrainingJob: stop === 'StopTrainingJob' ? 1 : 0, StopTransformJob: stop === 'StopTransformJob' ? 1 : 0 });
    expect(result.snapshot.cause).toMatch(stop ? /; stopped it$/ : /; left it as it is/);
    expect(result.polls).toBeLessThan(POLL_BUDGET);
    expect(looped.history.length).toBeLessThan(HISTORY_EVENT_LIMIT / 5);
    expect(result.records.map((r) => `${r.kind}:${r.error?.Error}`)).toEqual([...(kind === 'endpoint' ? ['deployment:PollDeadlineExceededError'] : []), 'run:PollDeadlineExceededError']);
  });
});
