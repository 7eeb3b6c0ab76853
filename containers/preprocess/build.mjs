// Bundles the container program into one self-contained file (mlops_ingest's passes, csv-parse and
// zod included), so the image needs only dist/ and a Node.js runtime (no node_modules).
import { build } from 'esbuild';

await build({
  entryPoints: { preprocess: 'src/main.ts' },
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
