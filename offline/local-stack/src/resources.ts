/**
 * Resolves serverless.yml's local stage into what the offline services need: each function's name,
 * timeout, memory and environment (with CloudFormation intrinsics evaluated against the local
 * account), the bucket names, and the state machine definition with Lambda ARNs in place.
 */
import { evaluateIntrinsics, functionKeyOfLogicalId, functionLogicalId, type IntrinsicContext, type ResolvedServerlessConfig } from '@mlops/serverless-config';
import { LOCAL_ACCOUNT_ID, lambdaArn, roleArn, stateMachineArn } from './account';

export interface LocalFunction {
  key: string;
  name: string;
  timeoutSeconds: number;
  memorySizeMB: number;
  environment: Record<string, string>;
}

export interface LocalResources {
  region: string;
  stage: string;
  functions: LocalFunction[];
  buckets: Record<string, string>; // logical id → bucket name
  stateMachine: { name: string; arn: string; definition: Record<string, unknown> };
  /** Lambda ARN → function key, for the Step Functions task handlers. */
  functionByArn: Map<string, string>;
  context: IntrinsicContext;
}

const DEFAULT_TIMEOUT_SECONDS = 6; // the framework's default

export function resolveLocalResources(config: ResolvedServerlessConfig): LocalResources {
  const region = config.provider.region;
  const stage = config.provider.stage;
  const functionKeys = Object.keys(config.functions);
  const functionName = (key: string) => config.functions[key]!.name ?? `${config.service}-${stage}-${key}`;
  const [smKey, sm] = Object.entries(config.stepFunctions.stateMachines)[0] ?? [];
  if (!sm || !smKey) throw new Error('serverless.yml defines no state machine');
  const smLogicalId = sm.id ?? `${smKey}StepFunctionsStateMachine`;
  const smArn = stateMachineArn(sm.name, region);

  const buckets: Record<string, string> = {};
  const context: IntrinsicContext = {
    region,
    accountId: LOCAL_ACCOUNT_ID,
    ref: (id) => {
      if (id === smLogicalId) return smArn;
      if (buckets[id]) return buckets[id]!;
      throw new Error(`offline stack cannot resolve Ref ${id}`);
    },
    getAtt: (id, attribute) => {
      const key = functionKeyOfLogicalId(id, functionKeys);
      if (key && attribute === 'Arn') return lambdaArn(functionName(key), region);
      const resource = config.resources.Resources[id];
      if (resource?.Type === 'AWS::IAM::Role' && attribute === 'Arn') return roleArn(id, config.service, stage);
      if (resource?.Type === 'AWS::Logs::LogGroup' && attribute === 'Arn') return `arn:aws:logs:${region}:${LOCAL_ACCOUNT_ID}:log-group:${id}`;
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

  const definition = evaluateIntrinsics(sm.definition, context) as Record<string, unknown>;
  const functionByArn = new Map(functions.map((f) => [lambdaArn(f.name, region), f.key]));
  return { region, stage, functions, buckets, stateMachine: { name: sm.name, arn: smArn, definition }, functionByArn, context };
}

export { functionLogicalId };
