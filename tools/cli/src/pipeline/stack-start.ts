/**
 * Starts the temporary offline stack in steps the user can see. startLocalStack reports nothing while it works
 * (on a loaded machine it sat silent for 12 s), so the CLI first does, one visible step at a time, the slow parts
 * that the stack caches on disk (serverless.yml resolved through `sls print`, the functions' esbuild bundles, both
 * under .local/cache): startLocalStack then finds them cached, and the time of each step is on screen.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '@mlops/local-stack';
import { printServerlessConfig } from '@mlops/serverless-config';
import type { ProgressView } from './progress';

/** The stage `pnpm pipeline` hosts (startLocalStack's default, named here so both steps read the same one). */
export const STAGE = 'local';

export async function startStackInSteps(progress: ProgressView, options: { root: string; timeScale: number }): Promise<LocalStack> {
  const step = async <T>(text: string, work: () => Promise<T>): Promise<T> => {
    const end = progress.step(text);
    try {
      return await work();
    } finally {
      end();
    }
  };
  // Loaded here, not at the top of main: its module graph (every emulated service) takes a second or more to load.
  const { buildFunctionBundles, startLocalStack } = await step('loading the offline stack', () => import('@mlops/local-stack'));
  const config = await step(`reading serverless.yml for stage ${STAGE} (sls print, cached after the first run)`, () => printServerlessConfig(STAGE, options.root));
  const functions = Object.keys(config.functions);
  await step(`bundling ${functions.length} functions with esbuild (cached until their sources change)`, async () => {
    // The bundles land in the stack's own folder later; this build only fills the cache it copies them from.
    const out = await mkdtemp(join(tmpdir(), 'mlops-bundles-'));
    try {
      await buildFunctionBundles(options.root, config.functions, out);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
  return step('starting S3, SageMaker, Step Functions, Lambda, EventBridge, SQS and CloudWatch', () =>
    startLocalStack({ root: options.root, stage: STAGE, waitScale: 1 / options.timeScale }),
  );
}
