/**
 * The poll loops on a virtual clock, exactly: the real state machines (statemachines/pipeline.asl.yml,
 * and statemachines/deploy.asl.yml, which the pipeline runs as a nested execution with
 * startExecution.sync:2) run on the local Step Functions engine with Wait states taking no real
 * time, and every Await task
 * is the real `pollResource` of mlops_await (status mapping, elapsed time, deadlines, the real
 * `nextWaitSeconds`) against a fake SageMaker that answers from the virtual clock. State transitions
 * and history events are counted from the execution history the engine writes, so they follow the
 * ASL as it is (Task → Choice → Wait per poll, 5 + 2 + 2 events), not a formula. The training loop
 * is in the pipeline, the transform loop is the challenger's branch of the Transforms Parallel (the
 * sample has no champion, so the other branch ends at once), the endpoint loop is in the deploy
 * execution.
 *
 * A baseline policy runs the very same code and ASL; only the wait the Await task returns is replaced
 * (a fixed 60 s, or an SDK waiter's delay).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { load } from 'js-yaml';
import { AwaitConfigSchema, parseConfig, type AwaitOutput } from '@mlops/common';
import { StepFunctionsService } from '@mlops/local-stepfunctions';
import type { ExecutionSnapshot, HistoryEvent } from '@mlops/local-stepfunctions';
import { pollResource } from '@mlops/mlops_await/core';
import { DEFAULT_POLL_POLICY, nextWaitSeconds, pollPolicy, type PollPolicyParameters } from '@mlops/mlops_await/core';

export const ROOT = join(__dirname, '..', '..');
export type Kind = 'training' | 'transform' | 'endpoint';
export const KINDS: readonly Kind[] = ['training', 'transform', 'endpoint'];

/** What the Await task returns as the next wait, given the real poll's output (state InProgress). */
export type WaitDecision = (poll: AwaitOutput) => number;

export interface Policy {
  id: string;
  label: string;
  decide: WaitDecision;
  /** The policy cannot live within the ASL's 400-poll budget for long jobs: run with the budget lifted and flag it. */
  liftPollBudget?: boolean;
}

/**
 * The SDK waiters' delays (aws-models: TrainingJobCompletedOrStopped 120 s, TransformJobCompletedOrStopped
 * 60 s, ProcessingJobCompletedOrStopped 60 s, EndpointInService 30 s). The simulated pipeline has no
 * processing loop (the scale path's split is not simulated); its delay keeps the table total.
 */
export const WAITER_DELAY_SECONDS: Readonly<Record<AwaitOutput['kind'], number>> = { training: 120, transform: 60, processing: 60, endpoint: 30 };

export const POLICY: Policy = { id: 'policy', label: 'mlops_await policy', decide: (poll) => poll.waitSeconds };
export const FIXED_60: Policy = { id: 'fixed60', label: 'fixed 60 s loop', decide: () => 60, liftPollBudget: true };
export const WAITER: Policy = { id: 'waiter', label: 'SDK waiter delay', decide: (poll) => WAITER_DELAY_SECONDS[poll.kind], liftPollBudget: true };

/** The policy this work replaced (commit a3fc58e): clamp(ceil(0.1 × elapsed), floor, 300 s), floors 30/20/30 s throughout. */
export const PREVIOUS: Policy = {
  id: 'previous',
  label: 'previous policy',
  liftPollBudget: true,
  decide: (poll) => {
    const floor = { training: 30, transform: 20, processing: 30, endpoint: 30 }[poll.kind];
    if (poll.kind !== 'endpoint' && (poll.status === 'Stopping' || (poll.kind === 'training' && ['Uploading', 'Completed', 'Failed', 'Stopping', 'Stopped', 'MaxRuntimeExceeded', 'MaxWaitTimeExceeded'].includes(poll.secondaryStatus ?? '')))) return 10;
    return Math.min(300, Math.max(floor, Math.ceil(0.1 * Math.max(0, poll.elapsedSeconds))));
  },
};

/** The policy with other parameters (same code path: the decision is recomputed from the poll's own inputs). */
export function policyVariant(id: string, label: string, parameters: Partial<PollPolicyParameters>): Policy {
  const decide = pollPolicy({ ...DEFAULT_POLL_POLICY, ...parameters });
  return {
    id,
    label,
    liftPollBudget: true,
    decide: (poll) => decide({ kind: poll.kind, status: poll.status, secondaryStatus: poll.secondaryStatus, elapsedSeconds: poll.elapsedSeconds, deadlineSeconds: undefined }),
  };
}

export interface Scenario {
  policy: Policy;
  /** Seconds from creation to the resource being done; Infinity: never (it runs into its deadline). */
  durations: Readonly<Record<Kind, number>>;
  /** Virtual seconds each poll takes between its Describe and its Wait (Lambda + transitions). Default 1. */
  pollOverheadSeconds?: number;
  /** Virtual seconds of every other Task (train, batch, evaluate, deploy). Default 1. */
  taskSeconds?: number;
  /** The await function's configuration (deadlines). Default: dev/prod (serverless.yml). */
  deadlines?: { trainingMaxRuntimeSeconds: number; transformDeadlineSeconds: number; endpointDeadlineSeconds: number };
}

export interface Poll {
  kind: Kind;
  /** Virtual seconds since the resource was created (the Describe). */
  at: number;
  /** Virtual seconds since the execution started. */
  time: number;
  state: string;
  waitSeconds: number;
}

export interface LoopCounts {
  polls: number;
  transitions: number;
  events: number;
}

export interface ExecutionResult {
  status: string;
  error?: string;
  polls: Poll[];
  /** The pipeline execution's history. */
  history: HistoryEvent[];
  /** The nested deploy execution's history (absent when the run did not deploy). */
  deployHistory?: HistoryEvent[];
  /** State transitions (states entered) of both executions: what Step Functions bills. */
  transitions: number;
  /** History events of the larger of the two executions: each has its own 25,000-event limit. */
  events: number;
  /** Per execution: its history events and state transitions. */
  executions: Record<Machine, { events: number; transitions: number } | undefined>;
  loops: Record<Kind, LoopCounts>;
  /** Whether a loop reached the ASL's poll budget (only possible with liftPollBudget). */
  overBudget: Partial<Record<Kind, number>>;
}

/** serverless.yml `params.default` (dev and prod). */
export const STAGE_DEADLINES = { trainingMaxRuntimeSeconds: 86_400, transformDeadlineSeconds: 7200, endpointDeadlineSeconds: 3600 };
const NO_DEADLINES = { trainingMaxRuntimeSeconds: 10 * 86_400, transformDeadlineSeconds: 10 * 86_400, endpointDeadlineSeconds: 10 * 86_400 };
export { NO_DEADLINES };

type State = Record<string, unknown> & {
  Type: string;
  Next?: string;
  Default?: string;
  Resource?: unknown;
  Parameters?: Record<string, unknown>;
  Choices?: Record<string, unknown>[];
  Branches?: { StartAt: string; States: Record<string, State> }[];
};
type Definition = Record<string, unknown> & { States: Record<string, State> };
/** The two state machines of a run: the pipeline, and the deploy it starts (nested, .sync:2). */
export type Machine = 'pipeline' | 'deploy';
export interface PipelineAsl {
  definition: Definition;
  /** statemachines/deploy.asl.yml, where the endpoint's loop is. */
  deployDefinition: Definition;
  /** Per kind, the names of its loop's states and the state machine they are in, read from the ASL. */
  loops: Record<Kind, { machine: Machine; init: string; task: string; choice: string; wait: string }>;
  /** The Choice rule's poll budget (400). */
  pollBudget: number;
}

const lambdaArn = (logicalId: string) => `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`;

function resolveGetAtt(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(resolveGetAtt);
  if (node && typeof node === 'object') {
    const getAtt = (node as Record<string, unknown>)['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return lambdaArn(String(getAtt[0]));
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolveGetAtt(v)]));
  }
  return node;
}

/** Every States map of a definition: its own and those of its Parallel states' branches, recursively. */
function stateMaps(states: Record<string, State>): Record<string, State>[] {
  return [states, ...Object.values(states).flatMap((state) => (state.Branches ?? []).flatMap((branch) => stateMaps(branch.States)))];
}

/** Where the simulated pipeline's nested deploy runs (the definition's Fn::Sub ARN, resolved here). */
const DEPLOY_MACHINE = 'mlops-dev-deploy';
const PIPELINE_MACHINE = 'mlops-dev-pipeline';
const stateMachineArn = (name: string) => `arn:aws:states:us-east-1:000000000000:stateMachine:${name}`;

/** The pipeline's startExecution tasks start the simulated deploy state machine. */
function withDeployArn(definition: Definition): Definition {
  const copy = structuredClone(definition);
  for (const states of stateMaps(copy.States)) {
    for (const state of Object.values(states)) {
      if (state.Type === 'Task' && typeof state.Resource === 'string' && state.Resource.startsWith('arn:aws:states:::states:startExecution')) {
        state.Parameters = { ...state.Parameters, StateMachineArn: stateMachineArn(DEPLOY_MACHINE) };
      }
    }
  }
  return copy;
}

/**
 * Reads both state machines and finds each kind's poll loop (Pass → Task(kind) → Choice → Wait →
 * Task) in them, Parallel branches included. The transform loop is the challenger's (the first
 * transform Await task in the definition).
 */
export function loadPipelineAsl(root = ROOT): PipelineAsl {
  const read = (file: string) => resolveGetAtt(load(readFileSync(join(root, 'statemachines', file), 'utf8'))) as Definition;
  const definition = withDeployArn(read('pipeline.asl.yml'));
  const deployDefinition = read('deploy.asl.yml');
  const loops = {} as PipelineAsl['loops'];
  let pollBudget = 0;
  for (const kind of KINDS) {
    let found: { machine: Machine; states: Record<string, State>; task: string } | undefined;
    for (const [machine, def] of [['pipeline', definition], ['deploy', deployDefinition]] as const) {
      for (const states of stateMaps(def.States)) {
        const task = Object.keys(states).find((name) => states[name]!.Type === 'Task' && states[name]!.Parameters?.kind === kind);
        if (task && !found) found = { machine, states, task };
      }
    }
    if (!found) throw new Error(`the ASL has no Await task for ${kind}`);
    const { machine, states, task } = found;
    const choice = states[task]!.Next!;
    const wait = states[choice]!.Default!;
    const init = Object.keys(states).find((name) => states[name]!.Type === 'Pass' && states[name]!.Next === task)!;
    if (states[choice]!.Type !== 'Choice' || states[wait]!.Type !== 'Wait' || states[wait]!.Next !== task || !init) {
      throw new Error(`the ${kind} loop is not Pass → Task → Choice → Wait → Task any more; update the simulator`);
    }
    for (const rule of states[choice]!.Choices ?? []) if (typeof rule.NumericGreaterThanEquals === 'number') pollBudget = rule.NumericGreaterThanEquals;
    loops[kind] = { machine, init, task, choice, wait };
  }
  return { definition, deployDefinition, loops, pollBudget };
}

/** The poll budgets lifted (Choice rules on an attempt count, which the deploy's turn rule is not: it never runs here). */
function withoutPollBudget(definition: Definition): Definition {
  const copy = structuredClone(definition);
  for (const states of stateMaps(copy.States)) {
    for (const state of Object.values(states)) {
      for (const rule of state.Choices ?? []) if (typeof rule.NumericGreaterThanEquals === 'number') rule.NumericGreaterThanEquals = Number.MAX_SAFE_INTEGER;
    }
  }
  return copy;
}

const EPOCH = Date.UTC(2026, 0, 1);
const at = (seconds: number) => new Date(EPOCH + seconds * 1000);
const SAMPLE_RUN = JSON.parse(readFileSync(join(ROOT, 'services/mlops_train/events/train.json'), 'utf8')).run as Record<string, unknown>;
const MODEL = 's3://mlops-local-data/runs/abalone-7aa1b19755/model/output/model.tar.gz';
const PREDICTIONS = 's3://mlops-local-data/runs/abalone-7aa1b19755/predictions/';
const VERSION = { arn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/mlops-dev-abalone/1', group: 'mlops-dev-abalone', version: 1 };

/** mlops_record's answer: a failed child execution (States.TaskFailed, its description as the Cause) ends the run with its own Error. */
function recordOutput(state: { error?: { Error: string; Cause?: string } }): { uri: string; error?: { Error: string; Cause?: string } } {
  const uri = 's3://mlops-local-data/runs/abalone-7aa1b19755/run.json';
  let error = state.error;
  if (error?.Error === 'States.TaskFailed' && error.Cause) {
    const child = JSON.parse(error.Cause) as { Error?: string; Cause?: string };
    if (child.Error) error = { Error: child.Error, ...(child.Cause ? { Cause: child.Cause } : {}) };
  }
  return error ? { uri, error } : { uri };
}

/** Runs one execution of the pipeline (and the deploy execution it starts) on the virtual clock. */
export async function simulateExecution(scenario: Scenario, asl = loadPipelineAsl()): Promise<ExecutionResult> {
  const overhead = scenario.pollOverheadSeconds ?? 1;
  const taskSeconds = scenario.taskSeconds ?? 1;
  const deadlines = scenario.deadlines ?? STAGE_DEADLINES;
  const config = parseConfig(AwaitConfigSchema, {
    STAGE: 'dev',
    DATA_BUCKET: 'mlops-local-data',
    NAME_PREFIX: 'mlops-dev',
    TRAINING_MAX_RUNTIME_SECONDS: String(deadlines.trainingMaxRuntimeSeconds),
    TRANSFORM_DEADLINE_SECONDS: String(deadlines.transformDeadlineSeconds),
    ENDPOINT_DEADLINE_SECONDS: String(deadlines.endpointDeadlineSeconds),
  });

  let now = 0;
  const created: Partial<Record<Kind, number>> = {};
  const pendingWait: Partial<Record<Kind, number>> = {};
  const polls: Poll[] = [];
  const endpointConfig = 'mlops-dev-abalone-v1';
  const done = (kind: Kind) => now - created[kind]! >= scenario.durations[kind];

  const sageMaker = {
    send: async (command: { input: Record<string, unknown> }) => {
      const input = command.input;
      if ('TrainingJobName' in input && !('StoppingCondition' in input)) {
        if (command.constructor.name === 'StopTrainingJobCommand') return {};
        const complete = done('training');
        return {
          TrainingJobName: input.TrainingJobName,
          TrainingJobStatus: complete ? 'Completed' : 'InProgress',
          SecondaryStatus: complete ? 'Completed' : 'Training',
          CreationTime: at(created.training!),
          StoppingCondition: { MaxRuntimeInSeconds: deadlines.trainingMaxRuntimeSeconds },
          ...(complete ? { ModelArtifacts: { S3ModelArtifacts: MODEL } } : {}),
        };
      }
      if ('TransformJobName' in input) {
        if (command.constructor.name === 'StopTransformJobCommand') return {};
        const complete = done('transform');
        return {
          TransformJobName: input.TransformJobName,
          TransformJobStatus: complete ? 'Completed' : 'InProgress',
          CreationTime: at(created.transform!),
          ...(complete ? { TransformOutput: { S3OutputPath: PREDICTIONS } } : {}),
        };
      }
      if ('EndpointName' in input) {
        return { EndpointName: input.EndpointName, EndpointStatus: done('endpoint') ? 'InService' : 'Creating', EndpointConfigName: endpointConfig, LastModifiedTime: at(created.endpoint!) };
      }
      throw new Error(`the simulated SageMaker does not answer ${command.constructor.name}`);
    },
  } as unknown as SageMakerClient;

  const functions: Record<string, (input: Record<string, unknown>) => Promise<unknown>> = {
    MlopsUnderscoretrainLambdaFunction: async () => {
      created.training = now += taskSeconds;
      return { jobName: 'mlops-dev-abalone-7aa1b19755-train', jobArn: 'arn:aws:sagemaker:us-east-1:000000000000:training-job/mlops-dev-abalone-7aa1b19755-train', adopted: false };
    },
    MlopsUnderscorebatchLambdaFunction: async () => {
      created.transform = now += taskSeconds;
      return { modelName: 'mlops-dev-abalone-7aa1b19755', transformJobName: 'mlops-dev-abalone-7aa1b19755-batch', transformOutput: PREDICTIONS, adopted: false };
    },
    MlopsUnderscoreevalLambdaFunction: async () => {
      now += taskSeconds;
      const gate = { metric: 'mse', threshold: 6, direction: 'lte', value: 4.9, passed: true, summary: 'mse = 4.9 meets the threshold 6 (must be <= 6)' };
      return { problemType: 'regression', rows: 627, metrics: { mse: 4.9 }, gate, reportUri: 's3://mlops-local-data/runs/abalone-7aa1b19755/evaluation/report.json' };
    },
    MlopsUnderscoreregisterLambdaFunction: async () => {
      now += taskSeconds;
      return { ...VERSION, approvalStatus: 'Approved' };
    },
    MlopsUnderscoredeployLambdaFunction: async () => {
      created.endpoint = now += taskSeconds;
      return { family: 'abalone', modelVersion: VERSION, runId: 'abalone-7aa1b19755', modelName: endpointConfig, endpointName: 'mlops-dev-abalone', endpointConfigName: endpointConfig, action: 'created' };
    },
    MlopsUnderscorerecordLambdaFunction: async (input) => {
      now += taskSeconds;
      return recordOutput(input.state as { error?: { Error: string; Cause?: string } });
    },
    MlopsUnderscoreawaitLambdaFunction: async (input) => {
      const kind = input.kind as Kind;
      // The Wait state between two polls of a loop is the only thing that ran since the last one.
      now += pendingWait[kind] ?? 0;
      pendingWait[kind] = undefined;
      const describedAt = now;
      const poll = await pollResource(
        { kind, name: String(input.name), attempt: Number(input.attempt ?? 0), ...(input.expectedConfigName ? { expectedConfigName: String(input.expectedConfigName) } : {}) },
        { sageMaker, config, now: () => at(describedAt) },
      );
      if (poll.state === 'InProgress') poll.waitSeconds = scenario.policy.decide(poll);
      polls.push({ kind, at: describedAt - created[kind]!, time: describedAt, state: poll.state, waitSeconds: poll.waitSeconds });
      pendingWait[kind] = poll.state === 'InProgress' ? poll.waitSeconds : undefined;
      now += overhead;
      return poll;
    },
  };

  const lift = (definition: Definition) => (scenario.policy.liftPollBudget ? withoutPollBudget(definition) : definition);
  const service = new StepFunctionsService({
    stateMachines: [
      { name: PIPELINE_MACHINE, definition: lift(asl.definition) },
      { name: DEPLOY_MACHINE, definition: lift(asl.deployDefinition) },
    ],
    waitScale: 1e-12, // Wait states take (almost) no real time; the virtual clock advances by their seconds
    taskHandlers: (resource) => {
      const fn = functions[resource.split(':').pop()!];
      return fn ? (input) => fn(input as Record<string, unknown>) : undefined;
    },
  });
  let result: ExecutionSnapshot;
  let history: HistoryEvent[];
  let deploy: ExecutionSnapshot | undefined;
  let deployHistory: HistoryEvent[] | undefined;
  try {
    const started = (await service.call('StartExecution', { stateMachineArn: stateMachineArn(PIPELINE_MACHINE), input: JSON.stringify(SAMPLE_RUN) })) as { executionArn: string };
    result = await service.executions.waitForCompletion(started.executionArn);
    history = service.executions.history(started.executionArn);
    deploy = service.executions.list({ stateMachineName: DEPLOY_MACHINE })[0];
    deployHistory = deploy ? service.executions.history(deploy.executionArn) : undefined;
  } finally {
    await service.shutdown();
  }

  // Attribute every history event to the state it belongs to (the last one entered), per execution.
  const loops = Object.fromEntries(KINDS.map((k) => [k, { polls: polls.filter((p) => p.kind === k).length, transitions: 0, events: 0 }])) as Record<Kind, LoopCounts>;
  const count = (machine: Machine, events: HistoryEvent[]) => {
    const loopOf = new Map<string, Kind>();
    for (const kind of KINDS) if (asl.loops[kind].machine === machine) for (const name of [asl.loops[kind].init, asl.loops[kind].task, asl.loops[kind].choice, asl.loops[kind].wait]) loopOf.set(name, kind);
    let current: string | undefined;
    let transitions = 0;
    for (const event of events) {
      if (event.type.endsWith('StateEntered')) {
        current = (event.stateEnteredEventDetails as { name?: string } | undefined)?.name;
        transitions++;
        if (current && loopOf.has(current)) loops[loopOf.get(current)!].transitions++;
      }
      const kind = current ? loopOf.get(current) : undefined;
      if (kind && !event.type.startsWith('Execution')) loops[kind].events++;
    }
    return { events: events.length, transitions };
  };
  const executions: ExecutionResult['executions'] = { pipeline: count('pipeline', history), deploy: deployHistory ? count('deploy', deployHistory) : undefined };
  const overBudget: ExecutionResult['overBudget'] = {};
  for (const kind of KINDS) if (loops[kind].polls > asl.pollBudget) overBudget[kind] = loops[kind].polls;
  return {
    status: result.status,
    error: result.error,
    polls,
    history,
    ...(deployHistory ? { deployHistory } : {}),
    transitions: executions.pipeline!.transitions + (executions.deploy?.transitions ?? 0),
    events: Math.max(executions.pipeline!.events, executions.deploy?.events ?? 0),
    executions,
    loops,
    overBudget,
  };
}

/** Durations for one kind under test; the others are done at their first poll. */
export function only(kind: Kind, seconds: number): Record<Kind, number> {
  return { training: 0, transform: 0, endpoint: 0, [kind]: seconds };
}

/** Poll times (elapsed seconds at each Describe) of a kind whose resource never finishes before `until`. */
export async function pollSchedule(policy: Policy, kind: Kind, until: number, asl = loadPipelineAsl(), pollOverheadSeconds = 1): Promise<number[]> {
  const result = await simulateExecution({ policy, durations: only(kind, until), deadlines: NO_DEADLINES, pollOverheadSeconds }, asl);
  return result.polls.filter((p) => p.kind === kind).map((p) => p.at);
}

/** Detection latency of a resource finishing at `finish`: the first Describe at or after it, minus it. */
export function latencyAt(schedule: readonly number[], finish: number): number {
  let lo = 0;
  let hi = schedule.length - 1;
  if (schedule[hi]! < finish) throw new Error(`the schedule ends at ${schedule[hi]} s, before ${finish} s`);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (schedule[mid]! >= finish) hi = mid;
    else lo = mid + 1;
  }
  return schedule[lo]! - finish;
}

export { nextWaitSeconds };
