/**
 * Builds each function's bundle with the same esbuild options serverless-esbuild uses at package
 * time (esbuild.config.cjs), so the offline stack runs what deployment ships, not the TS sources.
 *
 * Every start used to rebuild all six bundles (about a second and a half of each start). A build
 * now leaves its bundle in `.local/cache/bundles/<function>/` with the list of the files esbuild
 * read (its metafile's inputs) and a hash of their contents and of the options; the next start
 * reuses it when that hash is unchanged. A change to any input, the config or the entry changes it.
 */
import { createHash } from 'node:crypto';
import { build, type BuildOptions } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

interface CacheManifest {
  inputs: string[];
  hash: string;
  bytes: number;
}

function contentHash(root: string, inputs: readonly string[], settings: string): string | undefined {
  const hash = createHash('sha256').update(settings);
  for (const input of inputs) {
    const file = join(root, input);
    if (!existsSync(file)) return undefined;
    hash.update(input).update('\0').update(readFileSync(file));
  }
  return hash.digest('hex');
}

const BUNDLE_FILES = ['index.js', 'index.js.map'];

export async function buildFunctionBundles(root: string, functions: Record<string, { handler: string }>, outDir: string): Promise<FunctionBundle[]> {
  const base = sharedEsbuildOptions(root);
  const config = readFileSync(join(root, 'esbuild.config.cjs'), 'utf8');
  return Promise.all(
    Object.entries(functions).map(async ([key, fn]) => {
      const { file, exportName } = parseHandler(fn.handler);
      const dir = join(outDir, key);
      mkdirSync(dir, { recursive: true });
      const bundlePath = join(dir, 'index.js');
      const cacheDir = join(root, '.local', 'cache', 'bundles', key);
      const manifestFile = join(cacheDir, 'manifest.json');
      const settings = `${file}\n${config}`;
      if (existsSync(manifestFile)) {
        const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as CacheManifest;
        if (contentHash(root, manifest.inputs, settings) === manifest.hash && BUNDLE_FILES.every((f) => existsSync(join(cacheDir, f)))) {
          for (const f of BUNDLE_FILES) copyFileSync(join(cacheDir, f), join(dir, f));
          return { key, bundlePath, handlerExport: exportName, bytes: manifest.bytes };
        }
      }
      const result = await build({ ...base, absWorkingDir: root, entryPoints: [join(root, file)], outfile: bundlePath, logLevel: 'error', metafile: true });
      const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
      const inputs = Object.keys(result.metafile.inputs).sort();
      const hash = contentHash(root, inputs, settings);
      if (hash) {
        mkdirSync(cacheDir, { recursive: true });
        // Each file lands by rename, so a stack starting meanwhile reads a whole file or the previous one.
        const tmp = `.${process.pid}.tmp`;
        for (const f of BUNDLE_FILES) {
          if (!existsSync(join(dir, f))) continue;
          copyFileSync(join(dir, f), join(cacheDir, f + tmp));
          renameSync(join(cacheDir, f + tmp), join(cacheDir, f));
        }
        writeFileSync(manifestFile + tmp, JSON.stringify({ inputs, hash, bytes } satisfies CacheManifest));
        renameSync(manifestFile + tmp, manifestFile);
      }
      return { key, bundlePath, handlerExport: exportName, bytes };
    }),
  );
}
