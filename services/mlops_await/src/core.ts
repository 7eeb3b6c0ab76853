// The function's pure core, for the benchmark and the state-machine tests that drive the real
// poll logic on a virtual clock: the handler itself stays the package's main entry.
export * from './await';
export * from './poll-policy';
