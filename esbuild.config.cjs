// One esbuild configuration for every function, used by serverless-esbuild at package time and by
// the offline stack, so local runs execute the same bundles deployment ships.
// The AWS SDK is bundled (pinned in package.json) rather than taken from the runtime, so a bundle
// behaves the same in every region and on every runtime patch.
// Sizes and what each option saves: docs/PERFORMANCE.md (`pnpm bench -- --only coldstart`).
const { readFile } = require('node:fs/promises');

/**
 * The AWS SDK's generated schemas (`schemas/schemas_0.js`) describe every operation of a service as
 * array literals, and tree-shaking would keep only the ones a bundle uses, but their traits are
 * written with computed keys (`{ [_h]: ["GET", "/{Key+}", 200] }`, `_h` a string constant), which
 * esbuild must assume may run code. So every schema of the service stays: S3's 138 KB file kept
 * 68 KB in every S3 bundle. Writing those keys as the string literals they are lets it go
 * (17 KB remain: the operations used and the registered error types). Nothing else changes.
 */
const sdkSchemaLiteralKeys = {
  name: 'sdk-schema-literal-keys',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/].*[\\/]dist-es[\\/](?:.*[\\/])?schemas[\\/]schemas_\d+\.js$/ }, async (args) => {
      let text = await readFile(args.path, 'utf8');
      const constants = new Map();
      for (const m of text.matchAll(/^const (_\w+|n\d+) = ("(?:[^"\\\n]|\\.)*");$/gm)) constants.set(m[1], m[2]);
      text = text.replace(/([{,]\s*)\[(_\w+)\]\s*:/g, (all, before, name) => (constants.has(name) ? `${before}${constants.get(name)}:` : all));
      return { contents: text, loader: 'js' };
    });
  },
};

/**
 * Every SDK client imports its whole package.json for one field, `version` (the user agent), and
 * esbuild inlines the whole manifest (2-4 KB each, five or more per bundle). Give it just that field.
 */
const sdkPackageVersionOnly = {
  name: 'sdk-package-version-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/ }, async (args) => {
      const { name, version } = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

module.exports = () => ({
  bundle: true,
  minify: true,
  // Step Functions matches errors by name. Every error class the state machine matches also declares
  // a literal `name` (packages/common/src/errors.ts), but keepNames keeps that true of any class a
  // future change adds, and keeps names readable in logs; it costs about 6 % of a bundle
  // (docs/PERFORMANCE.md has the figure per function).
  keepNames: true,
  sourcemap: 'linked',
  sourcesContent: false,
  target: 'node22',
  platform: 'node',
  format: 'cjs',
  // ES module builds of the SDK (dist-es) tree-shake; its CommonJS builds do not.
  mainFields: ['module', 'main'],
  plugins: [sdkSchemaLiteralKeys, sdkPackageVersionOnly],
  exclude: [],
  packager: 'pnpm',
  legalComments: 'none',
});
