import { JSONPath } from 'jsonpath-plus';
import { statesRuntime } from './errors';
import { evaluateIntrinsic } from './intrinsics';

/**
 * A path with a wildcard or slice array access (`$.items[*]`, `$.a[1:3].b`, `$[*]`): AWS answers such a
 * path with an array, `[]` when nothing matches, instead of failing (observed AWS behaviour, recorded by
 * LocalStack's AWS-validated JSONPath tests: `_contains_slice_or_wildcard_array`).
 */
const ARRAY_QUERY = /\[(\*|-?\d*:-?\d*)\]/;

/**
 * JSONPath as ASL uses it, with the same engine (jsonpath-plus) as aws-local-stepfunctions so that paths
 * we evaluate and paths the library evaluates agree. `$$` addresses the context object. `field` names the
 * definition field for AWS's error wording.
 */
export function queryPath(path: string, input: unknown, context: unknown, field?: string): unknown {
  const [target, expression] = path.startsWith('$$') ? [context, path.slice(1)] : [input, path];
  if (ARRAY_QUERY.test(path)) return JSONPath({ path: expression, json: target as object, wrap: true }) as unknown[];
  const value: unknown = JSONPath({ path: expression, json: target as object, wrap: false });
  // AWS: a path that selects nothing fails the execution (States.Runtime).
  if (value === undefined) {
    const where = field === undefined ? '' : ` specified for the field '${field}'`;
    throw statesRuntime(`The JSONPath '${path}'${where} could not be found in the input '${JSON.stringify(input)}'`);
  }
  return value;
}

/** True when the value of a `.$` field is an intrinsic function call rather than a path. */
export const isIntrinsicExpression = (value: string) => !value.startsWith('$');

/**
 * Payload template (Parameters, ResultSelector, ItemSelector): fields named `x.$` are replaced by `x`
 * holding the path's value or the intrinsic function's result; everything else is copied as is.
 */
export function applyPayloadTemplate(template: unknown, input: unknown, context: unknown): unknown {
  if (Array.isArray(template)) return template.map((item) => applyPayloadTemplate(item, input, context));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && typeof value === 'string') {
      out[key.slice(0, -2)] = isIntrinsicExpression(value)
        ? evaluateIntrinsic(value, (path) => queryPath(path, input, context, key))
        : queryPath(value, input, context, key);
    } else {
      out[key] = applyPayloadTemplate(value, input, context);
    }
  }
  return out;
}

/** Every `.$` field of a payload template, with its location, for definition-time checks. */
export function templateExpressions(template: unknown, at: string): { field: string; expression: string; at: string }[] {
  if (Array.isArray(template)) return template.flatMap((item) => templateExpressions(item, at));
  if (template === null || typeof template !== 'object') return [];
  return Object.entries(template).flatMap(([key, value]) =>
    key.endsWith('.$') && typeof value === 'string' ? [{ field: key, expression: value, at }] : templateExpressions(value, at),
  );
}

/**
 * Jayway JsonPath's (AWS's engine) account of a reference path that selects nothing: "Missing property in
 * path $['a']" when an intermediate property is absent, "No results for path: $['a']['b']" when the last one is.
 * Without the data, the last-property form.
 */
export function missingPathDetail(path: string, data?: unknown): string {
  const segments = [...path.matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g)].map((m) =>
    m[2] === undefined ? { key: (m[1] ?? m[3] ?? m[4])!, text: `['${m[1] ?? m[3] ?? m[4]}']` } : { key: Number(m[2]), text: `[${m[2]}]` },
  );
  const root = path.startsWith('$$') ? '$$' : '$';
  let node = data;
  for (let i = 0; i < segments.length - 1 && data !== undefined; i++) {
    const { key } = segments[i]!;
    node = node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
    if (node === undefined) return `Missing property in path ${root}${segments.slice(0, i + 1).map((s) => s.text).join('')}`;
  }
  return `No results for path: ${root}${segments.map((s) => s.text).join('')}`;
}
