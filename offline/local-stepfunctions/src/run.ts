import { StepFunctionsService } from './service';
import type { ExecutionSnapshot, HistoryEvent, Logger, TaskHandlerResolver } from './types';

export interface RunOptions {
  taskHandlers: TaskHandlerResolver;
  waitScale?: number;
  stateMachineName?: string;
  executionName?: string;
  /** Reject if the execution is still running after this long (real time). */
  timeoutMs?: number;
  logger?: Logger;
}

export interface RunResult extends ExecutionSnapshot {
  history: HistoryEvent[];
}

/**
 * Runs one execution of a definition in process (no HTTP) through the same service the server uses,
 * and returns its closed state and history. Throws if the definition is invalid.
 */
export async function runStateMachine(definition: object, input: unknown, options: RunOptions): Promise<RunResult> {
  const name = options.stateMachineName ?? 'local';
  const service = new StepFunctionsService({
    stateMachines: [{ name, definition }],
    taskHandlers: options.taskHandlers,
    waitScale: options.waitScale,
    logger: options.logger,
  });
  const started = await service.call('StartExecution', {
    stateMachineArn: service.stateMachineArn(name),
    input: JSON.stringify(input),
    ...(options.executionName === undefined ? {} : { name: options.executionName }),
  });
  const arn = started.executionArn as string;
  try {
    const snapshot = await service.executions.waitForCompletion(arn, { timeoutMs: options.timeoutMs });
    return { ...snapshot, history: service.executions.history(arn) };
  } finally {
    await service.shutdown();
  }
}
