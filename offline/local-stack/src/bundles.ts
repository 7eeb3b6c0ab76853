/**
 * Builds each function's bundle with the same esbuild options serverless-esbuild uses at package
 * time (esbuild.config.cjs), so the offline stack runs what deployment ships, not the TS sources.
 */
import { build, type BuildOptions } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface FunctionBundle {
  key: string;
  bundlePath: string;
  handlerExport: string;
  bytes: number;
}

// Options serverless-esbuild consumes itself rather than passing to esbuild.
const PLUGIN_ONLY_OPTIONS = ['exclude', 'packager', 'packagerOptions', 'config', 'watch', 'installExtraArgs', 'nativeZip', 'outputWorkFolder', 'outputBuildFolder', 'keepOutputDirectory', 'zipConcurrency', 'skipBuild', 'disposeContext'];

export function sharedEsbuildOptions(root: string): BuildOptions {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the config is CommonJS (serverless-esbuild loads it with require)
  const factory = require(join(root, 'esbuild.config.cjs')) as () => Record<string, unknown>;
  const options = { ...factory() };
  for (const key of PLUGIN_ONLY_OPTIONS) delete options[key];
  return options as BuildOptions;
}

/** `services/mlops_train/src/handler.handler` → entry file and export name. */
export function parseHandler(handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  return { file: `${handler.slice(0, dot)}.ts`, exportName: handler.slice(dot + 1) };
}

export async function buildFunctionBundles(root: string, functions: Record<string, { handler: string }>, outDir: string): Promise<FunctionBundle[]> {
  const base = sharedEsbuildOptions(root);
  return Promise.all(
    Object.entries(functions).map(async ([key, fn]) => {
      const { file, exportName } = parseHandler(fn.handler);
      const dir = join(outDir, key);
      mkdirSync(dir, { recursive: true });
      const bundlePath = join(dir, 'index.js');
      const result = await build({ ...base, absWorkingDir: root, entryPoints: [join(root, file)], outfile: bundlePath, logLevel: 'error' });
      const bytes = Object.values(result.metafile?.outputs ?? {}).find((o) => o.entryPoint)?.bytes ?? 0;
      return { key, bundlePath, handlerExport: exportName, bytes };
    }),
  );
}
