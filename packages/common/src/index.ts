// @mlops/common: the pure side shared by the functions and the tools (contracts, configuration,
// errors, naming, metric math, S3 URIs, line streaming, the row encoding of the channels and the
// endpoint, SageMaker resource helpers with injected clients). No module here builds a client or a
// logger at import time: the Lambda wiring lives in the separate entry '@mlops/common/lambda', as
// Powertools splits its packages' entries.
export * from './batch-operations';
export * from './config';
export * from './contracts';
export * from './encoding';
export * from './errors';
export * from './family';
export * from './hash';
export * from './lifecycle';
export * from './lines';
export * from './metrics';
export * from './naming';
export * from './reports';
export * from './s3uri';
export * from './sagemaker-errors';
export * from './s3-errors';
export * from './sagemaker-resources';
export * from './validation';
export * from './preprocess';
