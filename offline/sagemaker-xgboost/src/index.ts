// SageMaker's built-in XGBoost 1.7-1, offline: pure pieces for tests and other packages.
export { CsvMatrix, parseEvalLine, train, XGBoostModel, type ModelInfo, type TrainingData, type TrainOptions, type TrainResult } from './booster';
export { channelFiles, checkChannelConfig, checkCsvFiles, type ChannelConfig } from './data';
export { PlatformError, RecordError, UserError } from './errors';
export { pyRepr } from './format';
export { ALIASES, HYPERPARAMETERS, OBJECTIVES, validateHyperparameters, type ValidatedHyperparameters } from './hyperparameters';
export { encodePredictions, invoke, parseCsvRecords, readModelFile, type InvocationRequest, type InvocationResponse } from './inference';
export { candidatePaths, checkXGBoost, LIBRARY_ENV, loadXGBoost, REQUIRED_VERSION, XGBoostError } from './library';
export { customMetric, formatFinalMetrics, formatRound, metricDefinitions, type RoundMetrics } from './metrics';
export { createInferenceServer } from './server';
export { main, MODEL_NAME, runTraining } from './training';
