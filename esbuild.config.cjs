// One esbuild configuration for every function, used by serverless-esbuild at package time and by
// the offline stack, so local runs execute the same bundles deployment ships.
// The AWS SDK is bundled (pinned in package.json) rather than taken from the runtime, so a bundle
// behaves the same in every region and on every runtime patch.
module.exports = () => ({
  bundle: true,
  minify: true,
  keepNames: true, // Step Functions matches errors by name; minified class names would break that
  sourcemap: 'linked',
  sourcesContent: false,
  target: 'node22',
  platform: 'node',
  format: 'cjs',
  mainFields: ['module', 'main'],
  exclude: [],
  packager: 'pnpm',
  legalComments: 'none',
});
