// The linter holds the rules the code already follows (typescript-eslint's recommended set, no
// skipped or focused tests, no disabled rule without a reason); the architecture rules (entry
// points, cycles, product code never importing the offline twin) live in .dependency-cruiser.cjs.
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.local/**', '.serverless/**', '.build/**', '.esbuild/**', 'bench/results/**', 'coverage/**', '**/test/fixtures/**'] },
  ...tseslint.configs.recommended,
  comments.recommended,
  {
    rules: {
      // A disabled rule says why on the same line: `// eslint-disable-next-line rule -- reason`.
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      // A `let` read by a closure before its one assignment (start-up wiring) stays a `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'skip', message: 'no skipped tests' },
        { object: 'it', property: 'only', message: 'no focused tests' },
        { object: 'describe', property: 'skip', message: 'no skipped tests' },
        { object: 'describe', property: 'only', message: 'no focused tests' },
        { object: 'test', property: 'skip', message: 'no skipped tests' },
        { object: 'test', property: 'only', message: 'no focused tests' },
      ],
      'no-restricted-globals': ['error', { name: 'xit', message: 'no skipped tests' }, { name: 'fit', message: 'no focused tests' }, { name: 'xdescribe', message: 'no skipped tests' }, { name: 'fdescribe', message: 'no focused tests' }],
    },
  },
  {
    // jest.isolateModules loads a fresh module graph only through require().
    files: ['**/test/**/*.ts', 'test/**/*.ts', 'tools/testing/src/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The infrastructure tests walk packaged CloudFormation, which has no types worth writing.
    files: ['test/infra/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // CommonJS configuration and benchmark workers.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
