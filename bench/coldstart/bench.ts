/**
 * Cold start per function: bundle size (what dominates it, from esbuild's metafile) and
 * initialization time in a fresh process (load the bundle, build the SDK clients the function
 * uses) against an empty handler bundled the same way; median of repeated runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeMetafile, type BuildOptions, type Metafile } from 'esbuild';
import { buildBundle, FUNCTIONS, handlerEntry, type FunctionName } from '../lib/bundles';
import { ROOT, RESULTS, WORK } from '../lib/paths';
import { runJson } from '../lib/processes';
import { median } from '../lib/stats';
import { sharedEsbuildOptions } from '@mlops/local-stack';
import { baselineCommit, baselineOptions, envOnlyCredentials } from './variants';

/** The SDK clients each function builds (packages/common/src/clients.ts). */
const CLIENTS: Record<FunctionName, ('s3Client' | 'sageMakerClient' | 'sfnClient')[]> = {
  mlops_ingest: ['s3Client', 'sfnClient'],
  mlops_train: ['sageMakerClient'],
  mlops_await: ['sageMakerClient'],
  mlops_batch: ['sageMakerClient'],
  mlops_eval: ['s3Client'],
  mlops_deploy: ['sageMakerClient'],
};
export const SIZE_TARGET_BYTES = 350 * 1024;
export const INIT_TARGET_MS = 60;

export interface PackageShare {
  name: string;
  bytes: number;
}
export interface InitTimes {
  initMs: number;
  loadMs: number;
  clientsMs: number;
  processMs: number;
  overEmptyMs: number;
}
export interface FunctionResult {
  name: FunctionName;
  bytes: number;
  top: PackageShare[];
  init: InitTimes;
  initNoSourceMaps: InitTimes;
  /** Without source maps, with the Node modules the SDK needs already loaded: the bundle's own initialization. */
  initBundleOnly?: InitTimes;
  variants: Record<string, number>;
  envOnlyInit?: InitTimes;
  baseline?: { bytes: number; init: InitTimes; top: PackageShare[] };
}
export interface ColdStartResult {
  generatedAt: string;
  runs: number;
  baselineCommit?: string;
  empty: { bytes: number; init: InitTimes; initNoSourceMaps: InitTimes };
  functions: FunctionResult[];
  /** Bytes of the default credential chain in each bundle (shipped minus env-only). */
  credentialChainBytes: Record<string, number>;
}

/** Bytes per package (node_modules name, or the repository folder) in the bundle. */
export function packageShares(metafile: Metafile): PackageShare[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint)!;
  const shares = new Map<string, number>();
  for (const [file, input] of Object.entries(output.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(file);
    const name = match ? match[1]! : file.split('/').slice(0, 2).join('/');
    shares.set(name, (shares.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...shares].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** An entry for the init measurement: the function's handler and a way to build its clients. */
function initEntry(fn: FunctionName | 'empty'): string {
  const dir = join(WORK, 'coldstart-entries');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${fn}.ts`);
  const text =
    fn === 'empty'
      ? 'export const handler = async () => ({});\nexport const buildClients = () => undefined;\n'
      : [
          `export { handler } from ${JSON.stringify(handlerEntry(fn).replace(/\.ts$/, ''))};`,
          `import { ${CLIENTS[fn].join(', ')} } from ${JSON.stringify(join(ROOT, 'packages/common/src/clients'))};`,
          `export const buildClients = () => { ${CLIENTS[fn].map((c) => `${c}();`).join(' ')} };`,
          '',
        ].join('\n');
  writeFileSync(file, text);
  return file;
}

const ENV = { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench', POWERTOOLS_LOG_LEVEL: 'WARN' };

interface InitSample {
  loadMs: number;
  clientsMs: number;
  initMs: number;
  sinceProcessStartMs: number;
}

async function measureInit(bundles: Record<string, string>, runs: number, sourceMaps: boolean, preloadBuiltins = false): Promise<Record<string, Omit<InitTimes, 'overEmptyMs'>>> {
  const samples: Record<string, InitSample[]> = Object.fromEntries(Object.keys(bundles).map((k) => [k, []]));
  // Interleaved, so a noisy moment hits every bundle alike.
  for (let i = 0; i < runs; i++) {
    for (const [name, path] of Object.entries(bundles)) {
      samples[name]!.push(await runJson<InitSample>(join(ROOT, 'bench/coldstart/init.cjs'), { nodeArgs: sourceMaps ? ['--enable-source-maps'] : [], args: preloadBuiltins ? [path, '--preload-builtins'] : [path], env: ENV }));
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, s]) => [
      name,
      { initMs: median(s.map((x) => x.initMs)), loadMs: median(s.map((x) => x.loadMs)), clientsMs: median(s.map((x) => x.clientsMs)), processMs: median(s.map((x) => x.sinceProcessStartMs)) },
    ]),
  );
}

export async function runColdStartBench(options: { runs: number; log?: (line: string) => void }): Promise<ColdStartResult> {
  const log = options.log ?? (() => undefined);
  const commit = baselineCommit();
  const plugins = sharedEsbuildOptions(ROOT).plugins ?? [];
  const without = (name: string) => plugins.filter((p) => p.name !== name);
  const ENV_ONLY: BuildOptions = { plugins: [...plugins, envOnlyCredentials] };
  /** One switch of esbuild.config.cjs at a time (bytes only), and the env-only credential chain. */
  const variantOptions: Record<string, BuildOptions> = {
    'keepNames: false': { keepNames: false },
    'without sdk-schema-literal-keys': { plugins: without('sdk-schema-literal-keys') },
    'without sdk-package-version-only': { plugins: without('sdk-package-version-only') },
    'env-only credentials': ENV_ONLY,
  };

  const initBundles: Record<string, string> = {};
  const functions: FunctionResult[] = [];
  const credentialChainBytes: Record<string, number> = {};
  for (const fn of FUNCTIONS) {
    const shipped = await buildBundle(handlerEntry(fn), join(WORK, 'bundles', 'current', fn));
    initBundles[fn] = (await buildBundle(initEntry(fn), join(WORK, 'coldstart', 'current', fn))).path;
    initBundles[`env-only/${fn}`] = (await buildBundle(initEntry(fn), join(WORK, 'coldstart', 'env-only', fn), ENV_ONLY)).path;
    const variants: Record<string, number> = {};
    for (const [name, overrides] of Object.entries(variantOptions)) {
      variants[name] = (await buildBundle(handlerEntry(fn), join(WORK, 'bundles', name.replace(/\W+/g, '-'), fn), overrides)).bytes;
    }
    credentialChainBytes[fn] = shipped.bytes - variants['env-only credentials']!;
    let baseline: FunctionResult['baseline'];
    if (commit) {
      const base = baselineOptions(commit);
      const built = await buildBundle(handlerEntry(fn), join(WORK, 'bundles', 'baseline', fn), base);
      initBundles[`baseline/${fn}`] = (await buildBundle(initEntry(fn), join(WORK, 'coldstart', 'baseline', fn), base)).path;
      baseline = { bytes: built.bytes, init: undefined!, top: packageShares(built.metafile).slice(0, 8) };
    }
    mkdirSync(join(RESULTS, 'metafile'), { recursive: true });
    writeFileSync(join(RESULTS, 'metafile', `${fn}.txt`), await analyzeMetafile(shipped.metafile, { verbose: false }));
    functions.push({ name: fn, bytes: shipped.bytes, top: packageShares(shipped.metafile).slice(0, 12), init: undefined!, initNoSourceMaps: undefined!, variants, ...(baseline ? { baseline } : {}) });
    log(`coldstart: built ${fn}: ${(shipped.bytes / 1024).toFixed(0)} KB`);
  }
  const empty = await buildBundle(initEntry('empty'), join(WORK, 'coldstart', 'empty'));
  initBundles.empty = empty.path;

  const withMaps = await measureInit(initBundles, options.runs, true);
  log('coldstart: init with source maps');
  const withoutMaps = await measureInit(initBundles, options.runs, false);
  log('coldstart: init without source maps');
  const shippedOnly = Object.fromEntries(Object.entries(initBundles).filter(([name]) => !name.includes('/')));
  const preloaded = await measureInit(shippedOnly, options.runs, false, true);
  log('coldstart: init without source maps, Node builtins preloaded');
  const times = (all: typeof withMaps, name: string): InitTimes => ({ ...all[name]!, overEmptyMs: all[name]!.initMs - all.empty!.initMs });
  for (const f of functions) {
    f.init = times(withMaps, f.name);
    f.initNoSourceMaps = times(withoutMaps, f.name);
    f.initBundleOnly = times(preloaded, f.name);
    f.envOnlyInit = times(withMaps, `env-only/${f.name}`);
    if (f.baseline) f.baseline.init = times(withMaps, `baseline/${f.name}`);
  }
  return {
    generatedAt: new Date().toISOString(),
    runs: options.runs,
    baselineCommit: commit,
    empty: { bytes: empty.bytes, init: times(withMaps, 'empty'), initNoSourceMaps: times(withoutMaps, 'empty') },
    functions,
    credentialChainBytes,
  };
}
