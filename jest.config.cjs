// One jest config for the monorepo. Test kinds are told apart by suffix:
//   *.test.ts      unit (no network, no processes)
//   *.int.test.ts  integration (local servers on loopback, child processes)
//   *.e2e.test.ts  end to end (the whole offline stack)
const swc = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022', keepClassNames: true },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const roots = ['<rootDir>/services', '<rootDir>/packages', '<rootDir>/containers', '<rootDir>/tools', '<rootDir>/offline', '<rootDir>/test'];
const common = {
  rootDir: __dirname,
  roots,
  testEnvironment: 'node',
  // middy v5+ ships ESM only; let swc turn it into CommonJS for jest.
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm|@middy)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/.serverless', '<rootDir>/.build', '<rootDir>/.local'],
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  resolver: '<rootDir>/test/resolver.cjs',
};
module.exports = {
  // A global option (ignored inside projects): integration and e2e tests start servers and processes.
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', setupFiles: ['<rootDir>/test/unit-environment.ts'], testMatch: ['**/test/**/*.test.ts'], testPathIgnorePatterns: ['\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$', '/node_modules/'] },
    { ...common, displayName: 'integration', testMatch: ['**/test/**/*.int.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['**/test/**/*.e2e.test.ts'] },
  ],
};
