// The architecture, checked in CI (`pnpm lint`):
// - what deploys (services/, packages/, containers/) never imports the operator's tools or the offline twin;
// - a package is used through its entry points (its package.json `exports`), never by reaching into another package's files;
// - no import cycles.
const PACKAGE = '^(services|packages|containers|tools|offline)/([^/]+)/';
// The files package.json `exports` maps name; everything else in src/ is private to its package.
// mlops_ingest's `./processing` export is named on its own (other packages' processing.ts are private):
// the preprocess container (containers/preprocess) is built from the Lambda's own passes, one implementation.
const ENTRY = '(/src/((index|lambda|core|handler)\\.ts|lambda-context\\.cjs)|^services/mlops_ingest/src/processing\\.ts)$';

module.exports = {
  forbidden: [
    {
      name: 'product-imports-twin-or-tools',
      severity: 'error',
      comment: 'Code that deploys must not depend on the offline twin or the operator tools.',
      from: { path: '^(services|packages|containers)/', pathNot: '/test/' },
      to: { path: '^(offline|tools)/' },
    },
    {
      name: 'deep-import',
      severity: 'error',
      comment: "Import another package through its entry point ('@mlops/<name>' or an `exports` subpath), not its files.",
      from: { path: PACKAGE },
      to: { path: `${PACKAGE}src/`, pathNot: ['^$1/$2/', ENTRY] },
    },
    {
      name: 'deep-import-from-root',
      severity: 'error',
      comment: 'Root tests, benchmarks and scripts use packages through their entry points too.',
      from: { path: '^(test|bench|scripts)/' },
      to: { path: `${PACKAGE}src/`, pathNot: ENTRY },
    },
    { name: 'no-circular', severity: 'error', comment: 'Cycles make load order matter.', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.local|\\.serverless|\\.build|bench/results)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
