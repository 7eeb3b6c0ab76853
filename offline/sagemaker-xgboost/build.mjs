// Bundles the two programs of the emulated image (dist/train.js, dist/serve.js) so a job's process
// starts in a fraction of the time a TypeScript loader needs. koffi stays external: it loads a
// native binary from its own package folder, next to which dist/ sits.
import { build } from 'esbuild';

await build({
  entryPoints: { train: 'src/train.ts', serve: 'src/serve.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  external: ['koffi'],
  keepNames: true,
  sourcemap: true,
  logLevel: 'warning',
});
