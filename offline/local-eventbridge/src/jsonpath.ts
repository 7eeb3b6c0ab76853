// The JSON paths of a target's InputPath and of InputTransformer.InputPathsMap: `$` followed by
// `.name` steps, with `[n]` array indices as the guide's example `$.resources[0]` uses (and `['name']`
// for names a dot step cannot spell). That is the subset the EventBridge docs show; filters,
// wildcards and recursive descent are rejected when the rule is loaded rather than guessed at.

export type PathStep = string | number;

/** Parses a path; throws Error with a description when it is outside the supported subset. */
export function parseJsonPath(path: string): PathStep[] {
  if (typeof path !== 'string' || !path.startsWith('$')) throw new Error(`JSON path ${JSON.stringify(path)} must start with $`);
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    const rest = path.slice(i);
    let m: RegExpMatchArray | null;
    if ((m = rest.match(/^\.([^.[\]*]+)/))) steps.push(m[1]!);
    else if ((m = rest.match(/^\[(\d+)\]/))) steps.push(Number(m[1]));
    else if ((m = rest.match(/^\['((?:[^'\\]|\\.)*)'\]/) ?? rest.match(/^\["((?:[^"\\]|\\.)*)"\]/))) steps.push(m[1]!.replace(/\\(.)/g, '$1'));
    else throw new Error(`JSON path ${JSON.stringify(path)} is not supported here at ${JSON.stringify(rest)} (use $.a.b and [n])`);
    i += m[0].length;
  }
  return steps;
}

/** The value at `path` in `root`, or undefined when the path leads nowhere. */
export function readJsonPath(root: unknown, steps: PathStep[]): unknown {
  let node: unknown = root;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(node) || step >= node.length) return undefined;
      node = node[step];
    } else {
      if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, step)) return undefined;
      node = (node as Record<string, unknown>)[step];
    }
  }
  return node;
}
