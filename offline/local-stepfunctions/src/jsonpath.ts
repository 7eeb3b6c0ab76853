import { JSONPath } from 'jsonpath-plus';
import { statesRuntime } from './errors';
import { evaluateIntrinsic } from './intrinsics';

/**
 * JSONPath as ASL uses it, with the same engine (jsonpath-plus, unwrapped results) as
 * aws-local-stepfunctions so that paths we evaluate and paths the library evaluates agree.
 * `$$` addresses the context object.
 */
export function queryPath(path: string, input: unknown, context: unknown): unknown {
  const [target, expression] = path.startsWith('$$') ? [context, path.slice(1)] : [input, path];
  const value: unknown = JSONPath({ path: expression, json: target as object, wrap: false });
  // AWS: a path that selects nothing in Parameters/ResultSelector/Wait/Fail fails the execution (States.Runtime).
  if (value === undefined) throw statesRuntime(`The JSONPath '${path}' could not be found in the input '${JSON.stringify(input)}'`);
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
        ? evaluateIntrinsic(value, (path) => queryPath(path, input, context))
        : queryPath(value, input, context);
    } else {
      out[key] = applyPayloadTemplate(value, input, context);
    }
  }
  return out;
}

/** Whether a payload template uses an intrinsic function anywhere. */
export function usesIntrinsics(template: unknown): boolean {
  if (Array.isArray(template)) return template.some(usesIntrinsics);
  if (template === null || typeof template !== 'object') return false;
  return Object.entries(template).some(([key, value]) =>
    key.endsWith('.$') && typeof value === 'string' ? isIntrinsicExpression(value) : usesIntrinsics(value),
  );
}
