/**
 * Builds of the function bundles that the cold-start report compares with the shipped one:
 * - baseline: the sources and esbuild configuration of BASELINE_COMMIT (before this work), read
 *   with `git show` (nothing in the working tree changes);
 * - env-only credentials: the shipped bundle with the SDK's default credential chain replaced by the
 *   environment provider alone, to measure what the default chain costs (not shipped: see the report);
 * - one switch at a time of esbuild.config.cjs, to attribute each saving.
 */
import { execFileSync } from 'node:child_process';
import { dirname, relative } from 'node:path';
import { runInNewContext } from 'node:vm';
import type { BuildOptions, Plugin } from 'esbuild';
import { ROOT } from '../lib/paths';

/** The last commit before the performance work. */
export const BASELINE_COMMIT = 'a3fc58e';

const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });

export function baselineCommit(): string | undefined {
  try {
    return git(['rev-parse', '--verify', `${BASELINE_COMMIT}^{commit}`]).trim();
  } catch {
    return undefined;
  }
}

/** The esbuild options of the baseline commit's esbuild.config.cjs (minus serverless-esbuild's own). */
export function baselineOptions(commit: string): BuildOptions {
  const source = git(['show', `${commit}:esbuild.config.cjs`]);
  const module = { exports: {} as unknown };
  runInNewContext(source, { module, exports: module.exports, require });
  const options = (module.exports as () => Record<string, unknown>)();
  for (const key of ['exclude', 'packager']) delete options[key];
  return { ...options, plugins: [baselineSources(commit)] } as BuildOptions;
}

/** Serves the repository's own sources as they were at `commit`. */
function baselineSources(commit: string): Plugin {
  return {
    name: 'baseline-sources',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const path = relative(ROOT, args.path);
        if (path.startsWith('..') || path.includes('node_modules')) return undefined;
        try {
          return { contents: git(['show', `${commit}:${path}`]), loader: 'ts' };
        } catch {
          return undefined; // not in the baseline: as it is now
        }
      });
    },
  };
}

/** The default credential chain replaced by the environment provider alone. */
export const envOnlyCredentials: Plugin = {
  name: 'env-only-credentials',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, async (args) => {
      if (args.pluginData === 'inner') return undefined;
      const real = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'inner' });
      return { path: real.path, namespace: 'env-only', pluginData: dirname(real.path) };
    });
    build.onLoad({ filter: /.*/, namespace: 'env-only' }, (args) => ({
      contents: "import { fromEnv } from '@aws-sdk/credential-provider-env';\nexport const defaultProvider = (init) => fromEnv(init);\n",
      resolveDir: args.pluginData as string,
      loader: 'js',
    }));
  },
};
