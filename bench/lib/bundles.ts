/** Function bundles built exactly as deployment builds them (esbuild.config.cjs, via the offline stack's builder). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { sharedEsbuildOptions } from '@mlops/local-stack';
import { ROOT, WORK } from './paths';

export const FUNCTIONS = ['mlops_ingest', 'mlops_train', 'mlops_await', 'mlops_batch', 'mlops_eval', 'mlops_deploy'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export interface BuiltBundle {
  entry: string;
  path: string;
  bytes: number;
  metafile: Metafile;
}

/** Builds one entry with the shared options (plus overrides, for the variants the report compares). */
export async function buildBundle(entry: string, outDir: string, overrides: BuildOptions = {}): Promise<BuiltBundle> {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, 'index.js');
  const result = await build({ ...sharedEsbuildOptions(ROOT), ...overrides, absWorkingDir: ROOT, entryPoints: [entry], outfile: path, metafile: true, logLevel: 'error' });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint)!;
  return { entry, path, bytes: output.bytes, metafile: result.metafile };
}

export function handlerEntry(fn: FunctionName): string {
  return join(ROOT, 'services', fn, 'src', 'handler.ts');
}

export function buildFunction(fn: FunctionName, variant = 'current', overrides: BuildOptions = {}): Promise<BuiltBundle> {
  return buildBundle(handlerEntry(fn), join(WORK, 'bundles', variant, fn), overrides);
}
