import { isLambdaFunctionArn, taskResourceParts } from './arn';
import type { EngineEvent, Invocation } from './engine';
import type { ExecutionRunFields, HistoryEvent } from './types';

/**
 * AWS execution history from two ordered records: the engine's events (the library's states entered,
 * exited, failed, retried, and our Map/Parallel events) and our task invocations (scheduled / succeeded /
 * failed / timed out). The library logs StateEntered before a task's first attempt and StateRetried before
 * each further attempt, and the attempt's outcome before StateFailed/StateExited, so invocations are placed
 * by pairing them, per run (execution, branch or iteration) and state, with those events.
 */
export interface HistoryInput {
  events: readonly EngineEvent[];
  invocations: readonly Invocation[];
  /** Original Type of every state (the runnable definition turned Wait/Pass/Fail into tasks). */
  stateTypes: ReadonlyMap<string, string>;
  region: string;
  execution: ExecutionRunFields & { roleArn: string };
}

type Draft = Omit<HistoryEvent, 'id' | 'previousEventId'>;

const NO_TRUNCATION = { truncated: false };
const json = (value: unknown) => JSON.stringify(value ?? null);
const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function invocationStart(inv: Invocation, region: string): Draft[] {
  const at = inv.scheduledAt;
  if (isLambdaFunctionArn(inv.resource)) {
    return [
      {
        timestamp: at,
        type: 'LambdaFunctionScheduled',
        lambdaFunctionScheduledEventDetails: defined({
          resource: inv.resource,
          input: json(inv.input),
          inputDetails: NO_TRUNCATION,
          timeoutInSeconds: inv.timeoutSeconds,
        }),
      },
      { timestamp: at, type: 'LambdaFunctionStarted' },
    ];
  }
  const parts = taskResourceParts(inv.resource);
  return [
    {
      timestamp: at,
      type: 'TaskScheduled',
      taskScheduledEventDetails: defined({ ...parts, region, parameters: json(inv.input), timeoutInSeconds: inv.timeoutSeconds }),
    },
    { timestamp: at, type: 'TaskStarted', taskStartedEventDetails: parts },
  ];
}

function invocationEnd(inv: Invocation): Draft[] {
  const end = inv.end;
  if (!end) return [];
  const lambda = isLambdaFunctionArn(inv.resource);
  const parts = taskResourceParts(inv.resource);
  if (end.kind === 'succeeded') {
    const details = { output: json(end.output), outputDetails: NO_TRUNCATION };
    return lambda
      ? [{ timestamp: end.at, type: 'LambdaFunctionSucceeded', lambdaFunctionSucceededEventDetails: details }]
      : [{ timestamp: end.at, type: 'TaskSucceeded', taskSucceededEventDetails: { ...parts, ...details } }];
  }
  // AWS: a task timeout carries the error only.
  const details = defined({ error: end.error, cause: end.kind === 'failed' ? end.cause : undefined });
  if (end.kind === 'timedOut') {
    return lambda
      ? [{ timestamp: end.at, type: 'LambdaFunctionTimedOut', lambdaFunctionTimedOutEventDetails: details }]
      : [{ timestamp: end.at, type: 'TaskTimedOut', taskTimedOutEventDetails: { ...parts, ...details } }];
  }
  return lambda
    ? [{ timestamp: end.at, type: 'LambdaFunctionFailed', lambdaFunctionFailedEventDetails: details }]
    : [{ timestamp: end.at, type: 'TaskFailed', taskFailedEventDetails: { ...parts, ...details } }];
}

/** States whose interruption by StopExecution AWS records as `<Type>StateAborted`. */
const ABORTABLE = new Set(['Task', 'Wait', 'Map', 'Parallel']);

export function buildHistory(source: HistoryInput): HistoryEvent[] {
  const { execution } = source;
  const drafts: Draft[] = [
    {
      timestamp: execution.startDate,
      type: 'ExecutionStarted',
      executionStartedEventDetails: { input: execution.input, inputDetails: NO_TRUNCATION, roleArn: execution.roleArn },
    },
  ];
  const key = (scope: number, name: string) => `${scope}:${name}`;
  const queues = new Map<string, Invocation[]>();
  for (const inv of source.invocations) {
    const k = key(inv.scope, inv.stateName);
    queues.set(k, [...(queues.get(k) ?? []), inv]);
  }
  const current = new Map<string, Invocation>();
  const open: string[] = [];

  const startAttempt = (k: string) => {
    const inv = queues.get(k)?.shift();
    if (!inv) return;
    current.set(k, inv);
    drafts.push(...invocationStart(inv, source.region));
  };
  const endAttempt = (k: string) => {
    const inv = current.get(k);
    if (!inv) return;
    current.delete(k);
    drafts.push(...invocationEnd(inv));
  };

  for (const event of source.events) {
    const timestamp = new Date(event.timestamp);
    switch (event.type) {
      case 'StateEntered': {
        const type = source.stateTypes.get(event.state.name) ?? event.state.type;
        drafts.push({
          timestamp,
          type: `${type}StateEntered`,
          stateEnteredEventDetails: { name: event.state.name, input: json(event.state.input), inputDetails: NO_TRUNCATION },
        });
        open.push(event.state.name);
        if (type === 'Task') startAttempt(key(event.scope, event.state.name));
        break;
      }
      case 'StateRetried':
        startAttempt(key(event.scope, event.state.name));
        break;
      case 'StateFailed':
        endAttempt(key(event.scope, event.state.name));
        break;
      case 'StateExited': {
        const type = source.stateTypes.get(event.state.name) ?? event.state.type;
        endAttempt(key(event.scope, event.state.name));
        open.splice(open.lastIndexOf(event.state.name), 1);
        drafts.push({
          timestamp,
          type: `${type}StateExited`,
          stateExitedEventDetails: { name: event.state.name, output: json(event.state.output), outputDetails: NO_TRUNCATION },
        });
        break;
      }
      case 'MapStateStarted':
        drafts.push({ timestamp, type: event.type, mapStateStartedEventDetails: { length: event.length } });
        break;
      case 'MapStateSucceeded':
      case 'MapStateFailed':
      case 'ParallelStateStarted':
      case 'ParallelStateSucceeded':
      case 'ParallelStateFailed':
        drafts.push({ timestamp, type: event.type });
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
      case 'MapIterationAborted': {
        const detailsKey = `mapIteration${event.type.slice('MapIteration'.length)}EventDetails`;
        drafts.push({ timestamp, type: event.type, [detailsKey]: { name: event.parentState.name, index: event.index } });
        break;
      }
      default:
        // Execution* events come from the execution record (or belong to nested runs); StateCaught has no AWS counterpart.
        break;
    }
  }

  const stopDate = execution.stopDate ?? new Date();
  switch (execution.status) {
    case 'SUCCEEDED':
      drafts.push({
        timestamp: stopDate,
        type: 'ExecutionSucceeded',
        executionSucceededEventDetails: { output: execution.output ?? 'null', outputDetails: NO_TRUNCATION },
      });
      break;
    case 'FAILED':
      drafts.push({ timestamp: stopDate, type: 'ExecutionFailed', executionFailedEventDetails: defined({ error: execution.error, cause: execution.cause }) });
      break;
    case 'TIMED_OUT':
      drafts.push({ timestamp: stopDate, type: 'ExecutionTimedOut', executionTimedOutEventDetails: defined({ error: execution.error, cause: execution.cause }) });
      break;
    case 'ABORTED': {
      const interrupted = open.at(-1);
      const type = interrupted === undefined ? undefined : source.stateTypes.get(interrupted);
      if (interrupted !== undefined && type && ABORTABLE.has(type)) {
        drafts.push({ timestamp: stopDate, type: `${type}StateAborted` });
      }
      drafts.push({ timestamp: stopDate, type: 'ExecutionAborted', executionAbortedEventDetails: defined({ error: execution.error, cause: execution.cause }) });
      break;
    }
    case 'RUNNING':
      break;
  }
  return drafts.map((d, i) => ({ ...d, id: i + 1, previousEventId: i }) as HistoryEvent);
}

/** `includeExecutionData: false`: the same events without inputs and outputs. */
export function withoutExecutionData(events: HistoryEvent[]): HistoryEvent[] {
  return events.map((event) => {
    const out: HistoryEvent = { ...event };
    for (const [key, value] of Object.entries(event)) {
      if (key.endsWith('EventDetails') && value && typeof value === 'object') {
        const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
        out[key] = rest;
      }
    }
    return out;
  });
}
