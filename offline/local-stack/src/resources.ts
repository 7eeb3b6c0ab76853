/**
 * Resolves one stage of serverless.yml into what the offline services need: each function's name,
 * timeout, memory and environment (with CloudFormation intrinsics evaluated against the local
 * account), the bucket names, the queues and topics, every state machine with Lambda ARNs and
 * `Ref`s of state machines in place, the EventBridge rules, and the stack's Outputs evaluated.
 */
import { type LocalRule, rulesFromTemplate } from '@mlops/local-eventbridge';
import {
  evaluateIntrinsics,
  functionKeyOfLogicalId,
  functionLogicalId,
  normalizeName,
  type IntrinsicContext,
  type ResolvedServerlessConfig,
} from '@mlops/serverless-config';
import { LOCAL_ACCOUNT_ID, lambdaArn, roleArn, stateMachineArn } from './account';

export interface LocalFunction {
  key: string;
  name: string;
  timeoutSeconds: number;
  memorySizeMB: number;
  environment: Record<string, string>;
  /** How Lambda handles its asynchronous invocations (S3 notifications, EventBridge targets). */
  asyncConfig: AsyncInvokeConfig;
}

/**
 * A function's asynchronous invocation configuration, from serverless.yml's `maximumRetryAttempts`,
 * `maximumEventAge` and `destinations` (Lambda's defaults: 2 retries, 6 hours).
 */
export interface AsyncInvokeConfig {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
  /** Destination ARNs (evaluated), for invocations that fail every attempt / succeed. */
  onFailure?: string;
  onSuccess?: string;
}

/** An AWS::SQS::Queue of the stage's resources. */
export interface LocalQueue {
  logicalId: string;
  name: string;
  arn: string;
  url: string;
  /** Its CloudFormation properties that are queue attributes (MessageRetentionPeriod...), as strings. */
  attributes: Record<string, string>;
}

/**
 * An AWS::SNS::Topic of the stage's resources (`TopicName`, or `<service>-<stage>-<logicalId>`); `Ref` is
 * its ARN. Offline, what rules publish to it goes to the stack's notification sink (notifications.ts).
 */
export interface LocalTopic {
  logicalId: string;
  name: string;
  arn: string;
}

export interface LocalStateMachine {
  /** Its key under `stepFunctions.stateMachines` (`pipeline`, `deploy`). */
  key: string;
  /** Its CloudFormation logical id (`id`, or serverless-step-functions' default). */
  logicalId: string;
  name: string;
  arn: string;
  definition: Record<string, unknown>;
}

/** An EventBridge Scheduler schedule of the template, its target evaluated. */
export interface LocalSchedule {
  logicalId: string;
  name: string;
  groupName: string;
  expression: string;
  timezone?: string;
  state: 'ENABLED' | 'DISABLED';
  target: { arn: string; input?: string; deadLetterArn?: string; maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number };
}

/** The AWS::Scheduler::Schedule properties the offline stack reads, once evaluated. */
interface ScheduleProperties {
  Name?: string;
  GroupName?: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  State?: string;
  Target: { Arn: string; Input?: string; DeadLetterConfig?: { Arn?: string }; RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number } };
}

/**
 * Whether a template Condition holds, for the functions CloudFormation allows in Conditions that a
 * stage's params can reach (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition); values are evaluated
 * as everywhere else here. Written by hand: nothing offline evaluates CloudFormation conditions.
 */
export function conditionHolds(name: string, conditions: Record<string, unknown>, evaluate: (value: unknown) => unknown): boolean {
  const holds = (expression: unknown): boolean => {
    const e = expression as Record<string, unknown[] | string>;
    if (typeof e !== 'object' || e === null) throw new Error(`condition ${name}: ${JSON.stringify(expression)} is not a condition function`);
    if ('Fn::Equals' in e) {
      const [a, b] = e['Fn::Equals'] as unknown[];
      return JSON.stringify(evaluate(a)) === JSON.stringify(evaluate(b));
    }
    if ('Fn::Not' in e) return !holds((e['Fn::Not'] as unknown[])[0]);
    if ('Fn::And' in e) return (e['Fn::And'] as unknown[]).every(holds);
    if ('Fn::Or' in e) return (e['Fn::Or'] as unknown[]).some(holds);
    if ('Condition' in e) return conditionHolds(e.Condition as string, conditions, evaluate);
    throw new Error(`condition ${name}: ${Object.keys(e).join(', ')} is not supported offline`);
  };
  if (!(name in conditions)) throw new Error(`the template has no condition ${name}`);
  return holds(conditions[name]);
}

export interface LocalResources {
  region: string;
  stage: string;
  /** `<service>-<stage>`, the CloudFormation stack's name. */
  stackName: string;
  functions: LocalFunction[];
  buckets: Record<string, string>; // logical id → bucket name
  /** The AWS::SQS::Queue resources, by logical id. */
  queues: Record<string, LocalQueue>;
  /** The AWS::SNS::Topic resources, by logical id. */
  topics: Record<string, LocalTopic>;
  /** The first state machine of serverless.yml (the pipeline). */
  stateMachine: LocalStateMachine;
  /** Every state machine, by its key in serverless.yml. */
  stateMachines: Record<string, LocalStateMachine>;
  /** Lambda ARN → function key, for the Step Functions task handlers. */
  functionByArn: Map<string, string>;
  /** Every AWS::Events::Rule of the stage's resources (names as CloudFormation gives them, see ruleName). */
  rules: LocalRule[];
  /** Every AWS::Scheduler::Schedule whose Condition holds (e.g. the retraining schedule, when the stage sets one). */
  schedules: LocalSchedule[];
  /** The stack's Outputs, evaluated (`DataBucketName`, `PipelineStateMachineArn`, ...). */
  outputs: Record<string, string>;
  context: IntrinsicContext;
}

const DEFAULT_TIMEOUT_SECONDS = 6; // the framework's default

/** serverless-step-functions' logical id of a state machine without `id`: `<NormalizedKey>StepFunctionsStateMachine`. */
export const stateMachineLogicalId = (key: string, id?: string) => id ?? `${normalizeName(key)}StepFunctionsStateMachine`;

/**
 * CloudFormation names a rule without `Name` `<stack>-<logicalId>-<random suffix>`; the suffix is left out
 * here, so rules of two stages hosted by one offline stack keep distinct names.
 */
export const ruleName = (stackName: string, logicalId: string) => `${stackName}-${logicalId}`.slice(0, 64);

/** Queue properties that are SQS queue attributes of the same name. */
const QUEUE_ATTRIBUTES = ['DelaySeconds', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds', 'VisibilityTimeout', 'SqsManagedSseEnabled'];

/** Lambda's defaults for asynchronous invocation (Lambda developer guide, "Configuring error handling for asynchronous invocation"). */
export const ASYNC_DEFAULTS = { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21_600 } as const;

/**
 * @param options.sqsEndpoint the local SQS's endpoint, for queue URLs (`Ref` of a queue); AWS's form
 * `https://sqs.<region>.amazonaws.com` without it.
 */
export function resolveLocalResources(config: ResolvedServerlessConfig, options: { sqsEndpoint?: string } = {}): LocalResources {
  const region = config.provider.region;
  const stage = config.provider.stage;
  const stackName = `${config.service}-${stage}`;
  const functionKeys = Object.keys(config.functions);
  const functionName = (key: string) => config.functions[key]!.name ?? `${config.service}-${stage}-${key}`;
  const machines = Object.entries(config.stepFunctions.stateMachines).map(([key, sm]) => ({
    key,
    logicalId: stateMachineLogicalId(key, sm.id),
    name: sm.name,
    arn: stateMachineArn(sm.name, region),
    source: sm,
  }));
  if (machines.length === 0) throw new Error('serverless.yml defines no state machine');
  const machineByLogicalId = new Map(machines.map((m) => [m.logicalId, m]));

  const buckets: Record<string, string> = {};
  const queues: Record<string, LocalQueue> = {};
  const topics: Record<string, LocalTopic> = {};
  const sqsBase = (options.sqsEndpoint ?? `https://sqs.${region}.amazonaws.com`).replace(/\/+$/, '');
  const context: IntrinsicContext = {
    region,
    accountId: LOCAL_ACCOUNT_ID,
    ref: (id) => {
      const machine = machineByLogicalId.get(id);
      if (machine) return machine.arn;
      const functionKey = functionKeyOfLogicalId(id, functionKeys);
      if (functionKey) return functionName(functionKey);
      if (buckets[id]) return buckets[id]!;
      if (queues[id]) return queues[id]!.url;
      if (topics[id]) return topics[id]!.arn;
      throw new Error(`offline stack cannot resolve Ref ${id}`);
    },
    getAtt: (id, attribute) => {
      const key = functionKeyOfLogicalId(id, functionKeys);
      if (key && attribute === 'Arn') return lambdaArn(functionName(key), region);
      const machine = machineByLogicalId.get(id);
      if (machine && attribute === 'Arn') return machine.arn;
      if (machine && attribute === 'Name') return machine.name;
      const resource = config.resources.Resources[id];
      if (resource?.Type === 'AWS::IAM::Role' && attribute === 'Arn') return roleArn(id, config.service, stage);
      if (resource?.Type === 'AWS::Logs::LogGroup' && attribute === 'Arn') return `arn:aws:logs:${region}:${LOCAL_ACCOUNT_ID}:log-group:${id}`;
      if (resource?.Type === 'AWS::S3::Bucket' && attribute === 'Arn' && buckets[id]) return `arn:aws:s3:::${buckets[id]}`;
      const queue = queues[id];
      if (queue && attribute === 'Arn') return queue.arn;
      if (queue && attribute === 'QueueName') return queue.name;
      if (queue && attribute === 'QueueUrl') return queue.url;
      const topic = topics[id];
      if (topic && attribute === 'TopicArn') return topic.arn;
      if (topic && attribute === 'TopicName') return topic.name;
      throw new Error(`offline stack cannot resolve Fn::GetAtt ${id}.${attribute}`);
    },
  };
  for (const [id, resource] of Object.entries(config.resources.Resources)) {
    if (resource.Type === 'AWS::S3::Bucket') buckets[id] = String(evaluateIntrinsics(resource.Properties?.BucketName ?? id.toLowerCase(), context));
  }
  for (const [id, resource] of Object.entries(config.resources.Resources)) {
    if (resource.Type !== 'AWS::SQS::Queue') continue;
    const properties = resource.Properties ?? {};
    if (properties.FifoQueue !== undefined && String(evaluateIntrinsics(properties.FifoQueue, context)) === 'true') throw new Error(`${id}: FIFO queues are not emulated offline`);
    // CloudFormation names a queue without QueueName `<stack>-<logicalId>-<suffix>`; the suffix is left out.
    const name = String(evaluateIntrinsics(properties.QueueName ?? `${stackName}-${id}`.slice(0, 80), context));
    const attributes = Object.fromEntries(
      QUEUE_ATTRIBUTES.filter((a) => properties[a] !== undefined).map((a) => [a, String(evaluateIntrinsics(properties[a], context))]),
    );
    queues[id] = { logicalId: id, name, arn: `arn:aws:sqs:${region}:${LOCAL_ACCOUNT_ID}:${name}`, url: `${sqsBase}/${LOCAL_ACCOUNT_ID}/${name}`, attributes };
  }

  for (const [id, resource] of Object.entries(config.resources.Resources)) {
    if (resource.Type !== 'AWS::SNS::Topic') continue;
    const properties = resource.Properties ?? {};
    if (properties.FifoTopic !== undefined && String(evaluateIntrinsics(properties.FifoTopic, context)) === 'true') throw new Error(`${id}: FIFO topics are not emulated offline`);
    // CloudFormation names a topic without TopicName `<stack>-<logicalId>-<suffix>`; the suffix is left out.
    const name = String(evaluateIntrinsics(properties.TopicName ?? `${stackName}-${id}`.slice(0, 256), context));
    topics[id] = { logicalId: id, name, arn: `arn:aws:sns:${region}:${LOCAL_ACCOUNT_ID}:${name}` };
  }

  const functions = functionKeys.map((key): LocalFunction => {
    const fn = config.functions[key]!;
    const merged = { ...(config.provider.environment ?? {}), ...(fn.environment ?? {}) };
    const environment = Object.fromEntries(Object.entries(evaluateIntrinsics(merged, context) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    return {
      key,
      name: functionName(key),
      timeoutSeconds: fn.timeout ?? config.provider.timeout ?? DEFAULT_TIMEOUT_SECONDS,
      memorySizeMB: fn.memorySize ?? config.provider.memorySize ?? 1024,
      environment,
      asyncConfig: asyncConfigOf(fn as AsyncFunctionConfig, (value) => evaluateIntrinsics(value, context), (name) => lambdaArn(config.functions[name] ? functionName(name) : name, region)),
    };
  });

  const stateMachines: Record<string, LocalStateMachine> = {};
  for (const m of machines) {
    stateMachines[m.key] = { key: m.key, logicalId: m.logicalId, name: m.name, arn: m.arn, definition: evaluateIntrinsics(m.source.definition, context) as Record<string, unknown> };
  }
  const rules = rulesFromTemplate(config.resources.Resources, (value) => evaluateIntrinsics(value, context)).map((rule) => {
    const named = (config.resources.Resources[rule.logicalId!]?.Properties as { Name?: unknown } | undefined)?.Name !== undefined;
    return named ? rule : { ...rule, name: ruleName(stackName, rule.logicalId!) };
  });
  const evaluate = (value: unknown) => evaluateIntrinsics(value, context);
  const present = (resource: { Condition?: string }) => !resource.Condition || conditionHolds(resource.Condition, config.resources.Conditions ?? {}, evaluate);
  const schedules = Object.entries(config.resources.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Scheduler::Schedule' && present(resource))
    .map(([logicalId, resource]): LocalSchedule => {
      const p = evaluate(resource.Properties ?? {}) as ScheduleProperties;
      return {
        logicalId,
        name: String(p.Name ?? `${stackName}-${logicalId}`),
        groupName: String(p.GroupName ?? 'default'),
        expression: String(p.ScheduleExpression),
        ...(p.ScheduleExpressionTimezone ? { timezone: String(p.ScheduleExpressionTimezone) } : {}),
        state: p.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
        target: {
          arn: String(p.Target.Arn),
          ...(p.Target.Input !== undefined ? { input: String(p.Target.Input) } : {}),
          ...(p.Target.DeadLetterConfig?.Arn ? { deadLetterArn: String(p.Target.DeadLetterConfig.Arn) } : {}),
          ...(p.Target.RetryPolicy?.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: Number(p.Target.RetryPolicy.MaximumRetryAttempts) } : {}),
          ...(p.Target.RetryPolicy?.MaximumEventAgeInSeconds !== undefined ? { maximumEventAgeInSeconds: Number(p.Target.RetryPolicy.MaximumEventAgeInSeconds) } : {}),
        },
      };
    });
  const outputs = Object.fromEntries(
    Object.entries(config.resources.Outputs ?? {}).map(([key, output]) => [key, String(evaluateIntrinsics((output as { Value: unknown }).Value, context))]),
  );
  const functionByArn = new Map(functions.map((f) => [lambdaArn(f.name, region), f.key]));
  return { region, stage, stackName, functions, buckets, queues, topics, stateMachine: stateMachines[machines[0]!.key]!, stateMachines, functionByArn, rules, schedules, outputs, context };
}

export { functionLogicalId };

/** The framework's asynchronous-invocation settings of a function (not in ResolvedServerlessConfig's type). */
interface AsyncFunctionConfig {
  maximumRetryAttempts?: number;
  maximumEventAge?: number;
  destinations?: { onFailure?: unknown; onSuccess?: unknown };
}

/**
 * A destination as serverless.yml may spell it: an ARN (or intrinsic), a function of the service by
 * name, or `{ type, arn }`.
 */
function destinationArn(value: unknown, evaluate: (v: unknown) => unknown, functionArn: (name: string) => string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const target = typeof value === 'object' && !Array.isArray(value) && 'arn' in value ? (value as { arn: unknown }).arn : value;
  const resolved = String(evaluate(target));
  return resolved.startsWith('arn:') ? resolved : functionArn(resolved);
}

export function asyncConfigOf(fn: AsyncFunctionConfig, evaluate: (v: unknown) => unknown, functionArn: (name: string) => string): AsyncInvokeConfig {
  const onFailure = destinationArn(fn.destinations?.onFailure, evaluate, functionArn);
  const onSuccess = destinationArn(fn.destinations?.onSuccess, evaluate, functionArn);
  return {
    maximumRetryAttempts: fn.maximumRetryAttempts ?? ASYNC_DEFAULTS.maximumRetryAttempts,
    maximumEventAgeInSeconds: fn.maximumEventAge ?? ASYNC_DEFAULTS.maximumEventAgeInSeconds,
    ...(onFailure ? { onFailure } : {}),
    ...(onSuccess ? { onSuccess } : {}),
  };
}
