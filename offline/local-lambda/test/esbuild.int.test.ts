/**
 * The bundles deployment ships are minified esbuild output with linked source maps. Run one
 * built the same way: error names must survive minification and traces must point at the
 * TypeScript source (the runtime runs with --enable-source-maps).
 */
import { build, type BuildOptions } from 'esbuild';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalLambda, LambdaFunctionError, type LocalLambda } from '../src';
import { rejectionOf } from './helpers';

const REPO_CONFIG = path.resolve(__dirname, '../../../esbuild.config.cjs');
// The esbuild options of the shared config; the rest (exclude, packager...) is serverless-esbuild's.
const ESBUILD_KEYS = ['bundle', 'minify', 'keepNames', 'sourcemap', 'sourcesContent', 'target', 'platform', 'format', 'mainFields', 'legalComments'] as const;

function deploymentOptions(): BuildOptions {
  const fallback: BuildOptions = { bundle: true, minify: true, keepNames: true, sourcemap: 'linked', target: 'node22', platform: 'node', format: 'cjs' };
  if (!existsSync(REPO_CONFIG)) return fallback;
  const config = (require(REPO_CONFIG) as () => Record<string, unknown>)();
  return Object.fromEntries(ESBUILD_KEYS.filter((k) => k in config).map((k) => [k, config[k]])) as BuildOptions;
}

describe('a bundle built like the deployed ones', () => {
  let dir: string;
  let lambda: LocalLambda;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'local-lambda-esbuild-'));
    writeFileSync(
      path.join(dir, 'errors.ts'),
      `export class TrainingJobFailed extends Error {\n  override readonly name = 'TrainingJobFailed';\n}\n`,
    );
    writeFileSync(
      path.join(dir, 'train.ts'),
      [
        "import { TrainingJobFailed } from './errors';",
        'let calls = 0;',
        'export const handler = async (event: { fail?: boolean }): Promise<{ calls: number }> => {',
        '  calls += 1;',
        "  if (event.fail) throw new TrainingJobFailed('training job failed: AlgorithmError');",
        '  return { calls };',
        '};',
        '',
      ].join('\n'),
    );
    await build({ ...deploymentOptions(), entryPoints: [path.join(dir, 'train.ts')], outfile: path.join(dir, '.build/mlops_train/index.js'), logLevel: 'silent' });
    lambda = createLocalLambda({ functions: [{ name: 'mlops_train', bundlePath: path.join(dir, '.build/mlops_train/index.js') }] });
  });

  afterAll(async () => {
    await lambda.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs it warm and keeps the error name through minification', async () => {
    await expect(lambda.invoke('mlops_train', {})).resolves.toEqual({ calls: 1 });
    const err = await rejectionOf(lambda.invoke('mlops_train', { fail: true }));
    expect(err).toBeInstanceOf(LambdaFunctionError);
    expect(err).toMatchObject({ name: 'TrainingJobFailed', message: 'training job failed: AlgorithmError' });
    await expect(lambda.invoke('mlops_train', {})).resolves.toEqual({ calls: 3 });
  });

  it('maps the trace back to the TypeScript source', async () => {
    const err = (await rejectionOf(lambda.invoke('mlops_train', { fail: true }))) as unknown as LambdaFunctionError;
    expect(err.payload.trace?.join('\n')).toMatch(/train\.ts:5:\d+/);
  });
});
