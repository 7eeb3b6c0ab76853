/**
 * EventBridge in the offline stack: every AWS::Events::Rule of each hosted stage on one local bus
 * (@mlops/local-eventbridge), the local SageMaker's and the local Step Functions' events put on it as
 * those services send them to the default bus, and targets delivered with the input the rule's
 * InputPath / InputTransformer builds: a state machine is started on the local Step Functions; a
 * Lambda function is invoked asynchronously, as EventBridge invokes functions (the delivery succeeds
 * once Lambda accepts the event; Lambda's own retries and destinations follow, async-invoke.ts); an
 * SNS topic of a hosted stage gets the input as its message (the notification sink, notifications.ts).
 * Other target types are not emulated: such a delivery fails for good (recorded in `failures()`).
 */
import { createLocalEventBridge, eventTime, type EmittedEvent, type LocalEventBridge, type LocalRule } from '@mlops/local-eventbridge';
import type { SageMakerEvent } from '@mlops/local-sagemaker';
import type { ExecutionStatusChangeEvent } from '@mlops/local-stepfunctions';
import { TOPIC_ARN } from './notifications';

const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[^:]+:\d{12}:stateMachine:[^:]+$/;
const FUNCTION_ARN = /^arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:[^:]+(:\$LATEST)?$/;

export interface StackEventBridgeOptions {
  rules: LocalRule[];
  region: string;
  accountId: string;
  /** StartExecution on the local Step Functions (throws its API error on failure). */
  startExecution(stateMachineArn: string, input: string): Promise<unknown>;
  /**
   * Invokes a function asynchronously (InvocationType Event) with the target's input; resolves once
   * Lambda accepted it, throws its API error (e.g. an unknown function) otherwise. Without it, Lambda
   * targets are not emulated (their deliveries fail).
   */
  invokeFunction?(functionArn: string, input: string): Promise<unknown>;
  /**
   * Publishes the target's input as the message of an SNS topic (the rule's name given); throws an
   * error with `retryable: false` for a topic that does not exist. Without it, SNS targets are not
   * emulated (their deliveries fail).
   */
  publish?(topicArn: string, message: string, ruleName: string): unknown;
  /** Deliveries wait for it (the services behind the targets may start after the bus). */
  ready?: Promise<unknown>;
  logger?: { debug?(message: string, details?: Record<string, unknown>): void; info(message: string, details?: Record<string, unknown>): void; warn(message: string, details?: Record<string, unknown>): void; error(message: string, details?: Record<string, unknown>): void };
}

export interface StackEventBridge {
  bus: LocalEventBridge;
  /** The local SageMaker's `onEvent`: puts the event on the bus (never throws). */
  onSageMakerEvent(event: SageMakerEvent): void;
  /** The local Step Functions' `onEvent`: puts the status change on the bus (never throws). */
  onExecutionEvent(event: ExecutionStatusChangeEvent): void;
  /** The local CloudWatch's alarm state changes, as CloudWatch sends them (never throws). */
  onCloudWatchEvent(event: EmittedEvent): void;
  /** Resolves when every event put so far has been routed and delivered (or failed for good). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** A SageMaker event as SageMaker emits it to EventBridge: envelope fields filled in by the bus. */
export function sageMakerEventEntry(event: SageMakerEvent): EmittedEvent {
  return { source: event.source, 'detail-type': event['detail-type'], detail: event.detail, resources: event.resources, time: eventTime(event.time) };
}

/** A Step Functions status change as Step Functions emits it to EventBridge. */
export function executionEventEntry(event: ExecutionStatusChangeEvent): EmittedEvent {
  return { source: event.source, 'detail-type': event['detail-type'], detail: { ...event.detail }, resources: [...event.resources], time: eventTime(event.time) };
}

export function startStackEventBridge(options: StackEventBridgeOptions): StackEventBridge {
  const bus = createLocalEventBridge({
    rules: options.rules,
    region: options.region,
    accountId: options.accountId,
    logger: options.logger,
    deliver: async (target, input, rule) => {
      await options.ready;
      if (STATE_MACHINE_ARN.test(target.arn)) {
        await options.startExecution(target.arn, input);
        return;
      }
      if (FUNCTION_ARN.test(target.arn) && options.invokeFunction) {
        try {
          await options.invokeFunction(target.arn, input);
        } catch (error) {
          // An unknown function stays unknown; a throttle or service error is worth a retry.
          const code = (error as { code?: string }).code;
          throw Object.assign(error as Error, { retryable: code !== 'ResourceNotFoundException' });
        }
        return;
      }
      if (TOPIC_ARN.test(target.arn) && options.publish) {
        await options.publish(target.arn, input, rule.name);
        return;
      }
      throw Object.assign(new Error(`target ${target.arn}: only Step Functions state machine, Lambda function and SNS topic targets are emulated offline`), { retryable: false });
    },
  });
  const puts = new Set<Promise<unknown>>();
  let closing = false;
  const put = (entry: EmittedEvent) => {
    // Services closing after the bus (executions aborted by the shutdown) have no one to tell.
    if (closing) {
      options.logger?.debug?.('local EventBridge: closed, event dropped', { source: entry.source, 'detail-type': entry['detail-type'] });
      return;
    }
    const p: Promise<unknown> = bus
      .putEvents([entry])
      .catch((error: Error) => options.logger?.error('local EventBridge: PutEvents failed', { error: error.message }))
      .finally(() => puts.delete(p));
    puts.add(p);
  };
  return {
    bus,
    onSageMakerEvent: (event) => put(sageMakerEventEntry(event)),
    onExecutionEvent: (event) => put(executionEventEntry(event)),
    onCloudWatchEvent: (event) => put(event),
    idle: async () => {
      while (puts.size > 0) await Promise.allSettled([...puts]);
      await bus.idle();
    },
    close: async () => {
      closing = true;
      while (puts.size > 0) await Promise.allSettled([...puts]);
      await bus.close();
    },
  };
}
