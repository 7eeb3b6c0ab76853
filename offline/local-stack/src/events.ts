/**
 * EventBridge in the offline stack: every AWS::Events::Rule of each hosted stage on one local bus
 * (@mlops/local-eventbridge), the local SageMaker's events put on it as SageMaker sends them to the
 * default bus, and targets that are state machines started on the local Step Functions with the
 * input the rule's InputPath / InputTransformer builds. Other target types are not emulated: such a
 * delivery fails for good (recorded in `failures()`).
 */
import { createLocalEventBridge, eventTime, type EmittedEvent, type LocalEventBridge, type LocalRule } from '@mlops/local-eventbridge';
import type { SageMakerEvent } from '@mlops/local-sagemaker';

const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[^:]+:\d{12}:stateMachine:[^:]+$/;

export interface StackEventBridgeOptions {
  rules: LocalRule[];
  region: string;
  accountId: string;
  /** StartExecution on the local Step Functions (throws its API error on failure). */
  startExecution(stateMachineArn: string, input: string): Promise<unknown>;
  logger?: { debug?(message: string, details?: Record<string, unknown>): void; info(message: string, details?: Record<string, unknown>): void; warn(message: string, details?: Record<string, unknown>): void; error(message: string, details?: Record<string, unknown>): void };
}

export interface StackEventBridge {
  bus: LocalEventBridge;
  /** The local SageMaker's `onEvent`: puts the event on the bus (never throws). */
  onSageMakerEvent(event: SageMakerEvent): void;
  /** Resolves when every event put so far has been routed and delivered (or failed for good). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** A SageMaker event as SageMaker emits it to EventBridge: envelope fields filled in by the bus. */
export function sageMakerEventEntry(event: SageMakerEvent): EmittedEvent {
  return { source: event.source, 'detail-type': event['detail-type'], detail: event.detail, resources: event.resources, time: eventTime(event.time) };
}

export function startStackEventBridge(options: StackEventBridgeOptions): StackEventBridge {
  const bus = createLocalEventBridge({
    rules: options.rules,
    region: options.region,
    accountId: options.accountId,
    logger: options.logger,
    deliver: async (target, input) => {
      if (!STATE_MACHINE_ARN.test(target.arn)) {
        throw Object.assign(new Error(`target ${target.arn}: only Step Functions state machine targets are emulated offline`), { retryable: false });
      }
      await options.startExecution(target.arn, input);
    },
  });
  const puts = new Set<Promise<unknown>>();
  return {
    bus,
    onSageMakerEvent: (event) => {
      const put: Promise<unknown> = bus
        .putEvents([sageMakerEventEntry(event)])
        .catch((error: Error) => options.logger?.error('local EventBridge: PutEvents failed', { error: error.message }))
        .finally(() => puts.delete(put));
      puts.add(put);
    },
    idle: async () => {
      while (puts.size > 0) await Promise.allSettled([...puts]);
      await bus.idle();
    },
    close: async () => {
      while (puts.size > 0) await Promise.allSettled([...puts]);
      await bus.close();
    },
  };
}
