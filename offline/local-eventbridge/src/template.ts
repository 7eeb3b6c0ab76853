// AWS::Events::Rule resources of a CloudFormation template -> plain rules.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-rule.html

import { compilePattern, InvalidEventPatternException } from './pattern';
import { validateTarget, ValidationException } from './transform';
import type { InputTransformer, LocalRule, LocalTarget, RetryPolicy, RuleState } from './types';

export interface TemplateResource {
  Type: string;
  Properties?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation properties are untyped JSON
}

/** Turns an intrinsic function object (`{Ref}`, `{'Fn::GetAtt'}`, `{'Fn::Sub'}`...) into its value. */
export type Resolve = (value: unknown) => unknown;

const STATES: readonly RuleState[] = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'];
const MAX_TARGETS = 5;

/** `{Ref: x}` or a one-key object whose key starts with `Fn::`. */
export function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

/**
 * Reads every AWS::Events::Rule of `resources` into a plain rule, in template order. `resolve` is
 * called with each intrinsic function object found in the properties used (Name, State,
 * EventBusName, EventPattern and any intrinsic inside it, each target's Id, Arn, RoleArn, Input,
 * InputPath, InputTransformer values, RetryPolicy and DeadLetterConfig.Arn) and must return plain
 * values. Throws (InvalidEventPatternException, ValidationException) for a rule CloudFormation or
 * EventBridge would refuse, naming its logical id.
 */
export function rulesFromTemplate(resources: Record<string, TemplateResource>, resolve: Resolve): LocalRule[] {
  const rules: LocalRule[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource?.Type !== 'AWS::Events::Rule') continue;
    try {
      rules.push(readRule(logicalId, resource.Properties ?? {}, resolve));
    } catch (e) {
      if (e instanceof Error) e.message = `${logicalId} (AWS::Events::Rule): ${e.message}`;
      throw e;
    }
  }
  return rules;
}

function deepResolve(value: unknown, resolve: Resolve): unknown {
  if (isIntrinsic(value)) return deepResolve(resolve(value), resolve);
  if (Array.isArray(value)) return value.map((v) => deepResolve(v, resolve));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepResolve(v, resolve)]));
  }
  return value;
}

function optionalString(value: unknown, resolve: Resolve, what: string): string | undefined {
  const v = deepResolve(value, resolve);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ValidationException(`${what} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function requiredString(value: unknown, resolve: Resolve, what: string): string {
  const v = optionalString(value, resolve, what);
  if (v === undefined || v === '') throw new ValidationException(`${what} is required`);
  return v;
}

function readRule(logicalId: string, props: Record<string, unknown>, resolve: Resolve): LocalRule {
  const name = optionalString(props.Name, resolve, 'Name') ?? logicalId;
  const state = (optionalString(props.State, resolve, 'State') ?? 'ENABLED') as RuleState;
  if (!STATES.includes(state)) throw new ValidationException(`State must be one of ${STATES.join(', ')}, got ${state}`);
  const busName = optionalString(props.EventBusName, resolve, 'EventBusName');
  const scheduleExpression = optionalString(props.ScheduleExpression, resolve, 'ScheduleExpression');
  const description = optionalString(props.Description, resolve, 'Description');

  let eventPattern: Record<string, unknown> | undefined;
  if (props.EventPattern !== undefined) {
    let pattern = deepResolve(props.EventPattern, resolve);
    if (typeof pattern === 'string') {
      try {
        pattern = JSON.parse(pattern) as unknown;
      } catch (e) {
        throw new InvalidEventPatternException((e as Error).message);
      }
    }
    compilePattern(pattern); // throws InvalidEventPatternException
    eventPattern = pattern as Record<string, unknown>;
  }
  if (!eventPattern && !scheduleExpression) throw new ValidationException('a rule needs an EventPattern or a ScheduleExpression');

  const rawTargets = deepResolveList(props.Targets, resolve);
  if (rawTargets.length > MAX_TARGETS) throw new ValidationException(`a rule can have at most ${MAX_TARGETS} targets, got ${rawTargets.length}`);
  const targets = rawTargets.map((t, i) => readTarget(t, i, resolve));
  const ids = new Set<string>();
  for (const t of targets) {
    if (ids.has(t.id)) throw new ValidationException(`target Id ${t.id} is used twice`);
    ids.add(t.id);
  }

  const rule: LocalRule = { name, logicalId, eventBusName: busNameOf(busName), state, targets };
  if (description !== undefined) rule.description = description;
  if (eventPattern) rule.eventPattern = eventPattern;
  if (scheduleExpression !== undefined) rule.scheduleExpression = scheduleExpression;
  return rule;
}

function deepResolveList(value: unknown, resolve: Resolve): Record<string, unknown>[] {
  const v = isIntrinsic(value) ? deepResolve(value, resolve) : value;
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ValidationException('Targets must be a list');
  return v.map((t) => {
    const r = isIntrinsic(t) ? deepResolve(t, resolve) : t;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new ValidationException('each of Targets must be an object');
    return r as Record<string, unknown>;
  });
}

/** `default`, a bus name, or a bus ARN (arn:aws:events:region:account:event-bus/name) -> the name. */
export function busNameOf(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  const m = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(nameOrArn);
  return m ? m[1]! : nameOrArn;
}

function readTarget(t: Record<string, unknown>, index: number, resolve: Resolve): LocalTarget {
  const where = `Targets[${index}]`;
  const target: LocalTarget = {
    id: requiredString(t.Id, resolve, `${where}.Id`),
    arn: requiredString(t.Arn, resolve, `${where}.Arn`),
  };
  const roleArn = optionalString(t.RoleArn, resolve, `${where}.RoleArn`);
  if (roleArn !== undefined) target.roleArn = roleArn;
  const input = optionalString(t.Input, resolve, `${where}.Input`);
  if (input !== undefined) target.input = input;
  const inputPath = optionalString(t.InputPath, resolve, `${where}.InputPath`);
  if (inputPath !== undefined) target.inputPath = inputPath;
  if (t.InputTransformer !== undefined) {
    const raw = deepResolve(t.InputTransformer, resolve) as Record<string, unknown>;
    const transformer: InputTransformer = { inputTemplate: requiredString(raw?.InputTemplate, resolve, `${where}.InputTransformer.InputTemplate`) };
    if (raw.InputPathsMap !== undefined) {
      const map = raw.InputPathsMap;
      if (typeof map !== 'object' || map === null || Array.isArray(map)) throw new ValidationException(`${where}.InputTransformer.InputPathsMap must be a map`);
      transformer.inputPathsMap = Object.fromEntries(
        Object.entries(map).map(([k, v]) => [k, requiredString(v, resolve, `${where}.InputTransformer.InputPathsMap.${k}`)]),
      );
    }
    target.inputTransformer = transformer;
  }
  if (t.RetryPolicy !== undefined) {
    const raw = deepResolve(t.RetryPolicy, resolve) as Record<string, unknown>;
    const policy: RetryPolicy = {};
    if (raw?.MaximumRetryAttempts !== undefined) policy.maximumRetryAttempts = Number(raw.MaximumRetryAttempts);
    if (raw?.MaximumEventAgeInSeconds !== undefined) policy.maximumEventAgeInSeconds = Number(raw.MaximumEventAgeInSeconds);
    const attempts = policy.maximumRetryAttempts;
    if (attempts !== undefined && !(Number.isInteger(attempts) && attempts >= 0 && attempts <= 185)) {
      throw new ValidationException(`${where}.RetryPolicy.MaximumRetryAttempts must be an integer from 0 to 185`);
    }
    const age = policy.maximumEventAgeInSeconds;
    if (age !== undefined && !(Number.isInteger(age) && age >= 60 && age <= 86400)) {
      throw new ValidationException(`${where}.RetryPolicy.MaximumEventAgeInSeconds must be an integer from 60 to 86400`);
    }
    target.retryPolicy = policy;
  }
  const dlq = deepResolve(t.DeadLetterConfig, resolve) as Record<string, unknown> | undefined;
  if (dlq?.Arn !== undefined) target.deadLetterArn = requiredString(dlq.Arn, resolve, `${where}.DeadLetterConfig.Arn`);
  validateTarget(target);
  return target;
}
