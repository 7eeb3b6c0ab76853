/**
 * Resolves one stage of serverless.yml into what the offline services need: each function's name,
 * timeout, memory and environment (with CloudFormation intrinsics evaluated against the local
 * account), the bucket names, every state machine with Lambda ARNs and `Ref`s of state machines in
 * place, the EventBridge rules, and the stack's Outputs evaluated.
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

export interface LocalResources {
  region: string;
  stage: string;
  /** `<service>-<stage>`, the CloudFormation stack's name. */
  stackName: string;
  functions: LocalFunction[];
  buckets: Record<string, string>; // logical id → bucket name
  /** The first state machine of serverless.yml (the pipeline). */
  stateMachine: LocalStateMachine;
  /** Every state machine, by its key in serverless.yml. */
  stateMachines: Record<string, LocalStateMachine>;
  /** Lambda ARN → function key, for the Step Functions task handlers. */
  functionByArn: Map<string, string>;
  /** Every AWS::Events::Rule of the stage's resources (names as CloudFormation gives them, see ruleName). */
  rules: LocalRule[];
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

export function resolveLocalResources(config: ResolvedServerlessConfig): LocalResources {
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
  const context: IntrinsicContext = {
    region,
    accountId: LOCAL_ACCOUNT_ID,
    ref: (id) => {
      const machine = machineByLogicalId.get(id);
      if (machine) return machine.arn;
      if (buckets[id]) return buckets[id]!;
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
      throw new Error(`offline stack cannot resolve Fn::GetAtt ${id}.${attribute}`);
    },
  };
  for (const [id, resource] of Object.entries(config.resources.Resources)) {
    if (resource.Type === 'AWS::S3::Bucket') buckets[id] = String(evaluateIntrinsics(resource.Properties?.BucketName ?? id.toLowerCase(), context));
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
  const outputs = Object.fromEntries(
    Object.entries(config.resources.Outputs ?? {}).map(([key, output]) => [key, String(evaluateIntrinsics((output as { Value: unknown }).Value, context))]),
  );
  const functionByArn = new Map(functions.map((f) => [lambdaArn(f.name, region), f.key]));
  return { region, stage, stackName, functions, buckets, stateMachine: stateMachines[machines[0]!.key]!, stateMachines, functionByArn, rules, outputs, context };
}

export { functionLogicalId };
