/**
 * Endpoint and job states the local SageMaker never reaches, run through the real state machine
 * (statemachines/pipeline.asl.yml, in process with local-stepfunctions' runStateMachine) and the
 * real mlops_await core against a mocked SageMaker Describe*:
 *  - an endpoint update whose rollback failed (`UpdateRollbackFailed`: the emulator does not
 *    emulate blue/green rollback), and `Failed`;
 *  - jobs and an endpoint that never finish, with the dev/prod deadlines from serverless.yml (a day
 *    for training): a virtual clock advances by each Wait the state machine makes, so a whole day
 *    of polling runs in a moment. It shows the deadline, not the 400-poll budget or the 25,000-event
 *    history limit, ends the run, and that mlops_await stops the job (StopTrainingJob /
 *    StopTransformJob) — which through the stack cannot be waited for: SageMaker enforces
 *    MaxRuntimeInSeconds itself 600 s earlier, and the local stage's deadlines are minutes.
 * The other steps return what their functions return; they are not under test here.
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
import yaml from 'js-yaml';
import { functionKeyOfLogicalId, printServerlessConfig, projectRoot, type ResolvedServerlessConfig } from '@mlops/serverless-config';
import { AwaitConfigSchema, AwaitInputSchema, parseConfig, validateInput, type AwaitConfig } from '@mlops/common';
import { runStateMachine, type RunResult } from '@mlops/local-stepfunctions';
import { pollResource } from '@mlops/mlops_await/core';
import { observationRecorder } from './support/recorder';

const { record } = observationRecorder('state-machine', 'SageMaker states the emulator never reaches, through the real state machine');
const HISTORY_EVENT_LIMIT = 25_000;
const POLL_BUDGET = 400;

const RUN = 'abalone-7aa1b19755';
const TRAIN = `mlops-dev-${RUN}-train`;
const BATCH = `mlops-dev-${RUN}-batch`;
const ENDPOINT = 'mlops-dev-abalone';
const NEW_CONFIG = `mlops-dev-${RUN}`;
const OLD_CONFIG = 'mlops-dev-abalone-9999999999';
const ARTIFACTS = `s3://mlops-dev-data/runs/${RUN}/model/${TRAIN}/output/model.tar.gz`;
const PREDICTIONS = `s3://mlops-dev-data/runs/${RUN}/predictions/`;

let config: ResolvedServerlessConfig;
let awaitConfig: AwaitConfig;
const definition = yaml.load(readFileSync(join(projectRoot(), 'statemachines/pipeline.asl.yml'), 'utf8')) as object;
// The framework puts each function's ARN where the definition has Fn::GetAtt [<logical id>, Arn].
const runnable = JSON.parse(JSON.stringify(definition), (key, value) =>
  key === 'Resource' && value?.['Fn::GetAtt'] ? `arn:aws:lambda:us-east-1:000000000000:function:${value['Fn::GetAtt'][0]}` : value,
) as object;

beforeAll(async () => {
  config = await printServerlessConfig('dev');
  const env = config.functions.mlops_await!.environment as Record<string, string>;
  awaitConfig = parseConfig(AwaitConfigSchema, {
    STAGE: 'dev',
    DATA_BUCKET: 'mlops-dev-data',
    NAME_PREFIX: 'mlops-dev',
    TRAINING_MAX_RUNTIME_SECONDS: String(env.TRAINING_MAX_RUNTIME_SECONDS),
    TRANSFORM_DEADLINE_SECONDS: String(env.TRANSFORM_DEADLINE_SECONDS),
    ENDPOINT_DEADLINE_SECONDS: String(env.ENDPOINT_DEADLINE_SECONDS),
  });
}, 60_000);

const sageMaker = new SageMakerClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const sm = mockClient(sageMaker);
beforeEach(() => sm.reset());

/** Runs the pipeline with the real mlops_await core; `clock` is SageMaker's time, advanced by every Wait. */
async function run(clock: { now: number }): Promise<RunResult & { polls: number }> {
  let polls = 0;
  const outputs: Record<string, unknown> = {
    mlops_train: { jobName: TRAIN, jobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${TRAIN}`, adopted: false },
    mlops_batch: { modelName: NEW_CONFIG, transformJobName: BATCH, transformOutput: PREDICTIONS, adopted: false },
    mlops_eval: {
      problemType: 'regression',
      rows: 627,
      metrics: { mse: 4.6 },
      gate: { metric: 'mse', threshold: 6, direction: 'lte', value: 4.6, passed: true, summary: 'mse = 4.6 is within the threshold 6 (must be <= 6)' },
      reportUri: `s3://mlops-dev-data/runs/${RUN}/evaluation/report.json`,
    },
    mlops_deploy: { endpointName: ENDPOINT, endpointConfigName: NEW_CONFIG, action: 'updated', previousConfigName: OLD_CONFIG },
  };
  const result = await runStateMachine(runnable, { runId: RUN }, {
    waitScale: 1e-6, // a 300 s Wait takes 0.3 ms
    timeoutMs: 60_000,
    taskHandlers: (resource) => {
      const key = functionKeyOfLogicalId(resource.split(':').pop()!, Object.keys(config.functions));
      if (key === 'mlops_await') {
        return async (input) => {
          polls++;
          const output = await pollResource(validateInput(AwaitInputSchema, input, 'mlops_await input'), { sageMaker, config: awaitConfig, now: () => new Date(clock.now) });
          clock.now += output.waitSeconds * 1000;
          return output;
        };
      }
      return key && key in outputs ? async () => outputs[key] : undefined;
    },
  });
  return { ...result, polls };
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

describe('the state machine and mlops_await on states the emulator never reaches', () => {
  it.each([
    ['UpdateRollbackFailed', 'Rollback of endpoint update failed: the previous production variants could not be restored.'],
    ['Failed', 'The primary container for production variant AllTraffic did not pass the ping health check.'],
  ])('endpoint %s after an update: Fail with a clear cause', async (status, reason) => {
    sm.on(DescribeTrainingJobCommand).resolves(trainingJob('Completed') as never);
    sm.on(DescribeTransformJobCommand).resolves(transformJob('Completed') as never);
    sm.on(DescribeEndpointCommand)
      .resolvesOnce(endpoint('Updating') as never)
      .resolves(endpoint(status, { EndpointConfigName: OLD_CONFIG, FailureReason: reason }) as never);
    const result = await run({ now: START });
    record({
      scenario: `endpoint \`${status}\` (mocked Describe, real state machine and mlops_await)`,
      expected: 'Fail with a clear cause',
      observed: `${result.status} ${result.error}: ${result.cause}`,
      counts: { runs: 1 },
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'DeploymentFailed', cause: `endpoint ${ENDPOINT} is ${status}: ${reason}` });
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
    record({
      scenario: `${what} that never finishes (the dev/prod deadlines, virtual clock)`,
      expected: `the poll deadline stops it${stop ? ` (${stop})` : ' (endpoints are left as they are)'} and the execution fails well before the 25,000-event history limit`,
      observed: `${result.status} ${result.error} after ${result.polls} polls over ${hours} h of SageMaker time, ${result.history.length} history events; ${stop ? `${stopCalls[stop as keyof typeof stopCalls]} ${stop} call` : 'no stop call'}: ${result.cause}`,
      counts: { runs: 1 },
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'PollDeadlineExceededError' });
    expect(stopCalls).toEqual({ StopTrainingJob: stop === 'StopTrainingJob' ? 1 : 0, StopTransformJob: stop === 'StopTransformJob' ? 1 : 0 });
    expect(result.cause).toMatch(stop ? /; stopped it$/ : /; left it as it is/);
    expect(result.polls).toBeLessThan(POLL_BUDGET);
    expect(result.history.length).toBeLessThan(HISTORY_EVENT_LIMIT / 5);
  });
});
