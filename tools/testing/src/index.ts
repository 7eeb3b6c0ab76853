export * from './arbitraries';
export * from './environment';
export * from './fake-bucket';
export * from './handler';
export * from './lambda';
export * from './malformed-suite';
export * from './sagemaker';
export * from './serve-program';
