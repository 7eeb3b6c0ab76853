/** A Lambda context and JSON-path edits of sample events. */
import { lambdaContextFor } from './lambda-context.cjs';

export { lambdaContextFor };

/** Every path to a value inside a JSON document, root excluded. */
export function jsonPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => [[...prefix, key], ...jsonPaths(child, [...prefix, key])]);
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
