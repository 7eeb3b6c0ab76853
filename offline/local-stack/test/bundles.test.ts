/**
 * The bundle cache: a start reuses a function's last bundle while every file esbuild read for it is
 * unchanged, and rebuilds as soon as one changes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFunctionBundles } from '../src/bundles';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'bundles-'));
  writeFileSync(join(root, 'esbuild.config.cjs'), "module.exports = () => ({ bundle: true, platform: 'node', format: 'cjs', sourcemap: 'linked' });\n");
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src/handler.ts'), "import { answer } from './answer';\nexport const handler = async () => answer;\n");
  writeFileSync(join(root, 'src/answer.ts'), 'export const answer = 41;\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const functions = { fn: { handler: 'src/handler.handler' } };
const bundleText = async (out: string) => readFileSync((await buildFunctionBundles(root, functions, join(root, out)))[0]!.bundlePath, 'utf8');

describe('buildFunctionBundles', () => {
  it('reuses the cached bundle while its inputs are unchanged, and rebuilds when an imported file changes', async () => {
    expect(await bundleText('first')).toContain('41');
    // Mark the cached copy: a reuse hands the mark back, a rebuild does not.
    appendFileSync(join(root, '.local/cache/bundles/fn/index.js'), '\n// cached\n');
    expect(await bundleText('second')).toContain('// cached');

    writeFileSync(join(root, 'src/answer.ts'), 'export const answer = 42;\n');
    const rebuilt = await bundleText('third');
    expect(rebuilt).toContain('42');
    expect(rebuilt).not.toContain('// cached');
  });

  it('rebuilds when the esbuild configuration changes', async () => {
    await bundleText('first');
    appendFileSync(join(root, '.local/cache/bundles/fn/index.js'), '\n// cached\n');
    appendFileSync(join(root, 'esbuild.config.cjs'), '// another option\n');
    expect(await bundleText('second')).not.toContain('// cached');
  });
});
