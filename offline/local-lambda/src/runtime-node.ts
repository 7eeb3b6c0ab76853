/**
 * The functions run on this process's Node, which must be the runtime's (22) and able to run the
 * TypeScript runtime shim (type stripping, 22.6+). Fail here rather than on every invoke.
 */
export function assertRuntimeNode(version: string): void {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 6)) {
    throw new Error(`@mlops/local-lambda runs functions on Node 22 (nodejs22.x), 22.6 or later; this is Node ${version}. Run through pnpm so the workspace's Node 22 is used.`);
  }
}
