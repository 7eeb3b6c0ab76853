import { invalidArn } from './errors';

/** Where resources live: the service answers for one region and account, like a regional endpoint. */
export interface Scope {
  region: string;
  accountId: string;
}

export const stateMachineArn = (scope: Scope, name: string) => `arn:aws:states:${scope.region}:${scope.accountId}:stateMachine:${name}`;

export const executionArn = (scope: Scope, stateMachineName: string, name: string) =>
  `arn:aws:states:${scope.region}:${scope.accountId}:execution:${stateMachineName}:${name}`;

interface ParsedArn {
  region: string;
  accountId: string;
  resourceType: string;
  /** The resource id after the type, split on `:`. */
  parts: string[];
}

/** Splits an ARN as the service does before it looks anything up; malformed ARNs are InvalidArn. */
function parseStatesArn(arn: string): ParsedArn {
  const fields = arn.split(':');
  if (fields.length < 6 || fields[0] !== 'arn' || !fields[1]) throw invalidArn(`Invalid ARN prefix: ${arn}`);
  if (fields[2] !== 'states') throw invalidArn(`Invalid ARN service: ${fields[2] ?? ''}`);
  const [, , , region = '', accountId = '', resourceType = '', ...parts] = fields;
  if (!region || !/^\d{12}$/.test(accountId)) throw invalidArn(`Invalid ARN: ${arn}`);
  return { region, accountId, resourceType, parts };
}

/** `arn:aws:states:<region>:<account>:stateMachine:<name>` → its parts. */
export function parseStateMachineArn(arn: string): { region: string; accountId: string; name: string } {
  const parsed = parseStatesArn(arn);
  if (parsed.resourceType !== 'stateMachine') throw invalidArn(`Resource type not valid in this context: ${parsed.resourceType}`);
  const [name, ...rest] = parsed.parts;
  // A trailing `:<version or alias>` qualifies the ARN; this service has no versions or aliases.
  if (!name || rest.length > 0) throw invalidArn(`Invalid Arn resource id: ${parsed.parts.join(':')}`);
  return { region: parsed.region, accountId: parsed.accountId, name };
}

/** `arn:aws:states:<region>:<account>:execution:<stateMachine>:<name>` → its parts. */
export function parseExecutionArn(arn: string): { region: string; accountId: string; stateMachineName: string; name: string } {
  const parsed = parseStatesArn(arn);
  if (parsed.resourceType !== 'execution') throw invalidArn(`Resource type not valid in this context: ${parsed.resourceType}`);
  const [stateMachineName, name, ...rest] = parsed.parts;
  if (!stateMachineName || !name || rest.length > 0) throw invalidArn(`Invalid Arn resource id: ${parsed.parts.join(':')}`);
  return { region: parsed.region, accountId: parsed.accountId, stateMachineName, name };
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]`: the Task resources AWS reports as LambdaFunction* events. */
export const isLambdaFunctionArn = (resource: string) => /^arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(resource);

/**
 * Service-integration resources (`arn:aws:states:::sagemaker:createTrainingJob.sync`) as AWS names them in
 * Task* history events: resourceType `sagemaker`, resource `createTrainingJob.sync`.
 */
export function taskResourceParts(resource: string): { resourceType: string; resource: string } {
  const match = /^arn:aws[\w-]*:states:[^:]*:[^:]*:([^:]+):(.+)$/.exec(resource);
  if (match?.[1] && match[2]) return { resourceType: match[1], resource: match[2] };
  return { resourceType: 'unknown', resource };
}
