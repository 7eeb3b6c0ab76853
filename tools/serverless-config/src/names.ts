/** The framework's logical ids: `mlops_train` → `MlopsUnderscoretrainLambdaFunction`. */
export function normalizeName(name: string): string {
  const n = name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return n.charAt(0).toUpperCase() + n.slice(1);
}

export function functionLogicalId(functionKey: string): string {
  return `${normalizeName(functionKey)}LambdaFunction`;
}

/** Inverse of functionLogicalId over a known set of function keys. */
export function functionKeyOfLogicalId(logicalId: string, functionKeys: string[]): string | undefined {
  return functionKeys.find((key) => functionLogicalId(key) === logicalId);
}
