/** Test helpers: AWS-shaped errors, a fake Lambda context, and request validation against the official API model. */
import { SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { formatValidationMessage, sageMakerModel, validateRequest } from '@mlops/aws-models';
import type { Context } from 'aws-lambda';

/** An error as the SDK throws it for a SageMaker error code (modeled or not). */
export function awsError(name: string, message: string, httpStatusCode = 400): SageMakerServiceException {
  return new SageMakerServiceException({ name, message, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}

/** Asserts every request the mock received is valid for its operation, unknown members included. */
export function expectRequestsValid(mock: { calls(): { args: unknown[] }[] }): void {
  for (const call of mock.calls()) {
    const command = call.args[0] as { constructor: { name: string }; input: unknown };
    const operation = command.constructor.name.replace(/Command$/, '');
    const issues = validateRequest(sageMakerModel, operation, command.input, { rejectUnknownMembers: true });
    expect({ operation, errors: issues.length ? formatValidationMessage(issues) : 'none' }).toEqual({ operation, errors: 'none' });
  }
}

export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'mlops-local-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:mlops-local-test',
  memoryLimitInMB: '512',
  awsRequestId: '00000000-0000-4000-8000-000000000000',
  logGroupName: '/aws/lambda/mlops-local-test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} satisfies Context;

/** Every path (dot-joined) to a value inside a JSON document, root excluded. */
export function jsonPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...jsonPaths(child, [...prefix, key])]);
}

export function valueAt(doc: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], doc);
}

/** A deep copy of `doc` with the value at `path` replaced. */
export function withValueAt(doc: unknown, path: string[], replacement: unknown): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]!] = replacement;
  return copy;
}

/** JSON values of a different type than `value`, so no schema that accepted `value` accepts them. */
export function wrongTypedValues(value: unknown): unknown[] {
  const candidates: unknown[] = [null, 42, 'text', true, [], { unexpected: 1 }];
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  return candidates.filter((c) => kind(c) !== kind(value));
}
