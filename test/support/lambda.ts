/** Test helpers shared by the services' tests: a Lambda context and JSON-path edits of sample events. */
import type { Context } from 'aws-lambda';

export function lambdaContextFor(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: '00000000-0000-4000-8000-000000000000',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export const lambdaContext = lambdaContextFor('mlops-local-test');

/** Every path to a value inside a JSON document, root excluded. */
export function jsonPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...jsonPaths(child, [...prefix, key])]);
}

export function valueAt(doc: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], doc);
}

/** A deep copy of `doc` with the value at `path` replaced (removed when `replacement` is undefined). */
export function withValueAt(doc: unknown, path: string[], replacement: unknown): unknown {
  const copy = structuredClone(doc) as Record<string, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
}

/** JSON values of a different type than `value`, so no schema that accepted `value` accepts them. */
export function wrongTypedValues(value: unknown): unknown[] {
  const candidates: unknown[] = [null, 42, 'text', true, [], { unexpected: 1 }];
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  return candidates.filter((c) => kind(c) !== kind(value));
}
