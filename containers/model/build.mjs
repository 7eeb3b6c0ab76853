// Bundles the two container programs into self-contained files, so the image
// needs only dist/ and a Node.js runtime (no node_modules).
import { build } from 'esbuild';

await build({
  entryPoints: { train: 'src/train.ts', serve: 'src/serve.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  keepNames: true,
  sourcemap: true,
  logLevel: 'info',
});
