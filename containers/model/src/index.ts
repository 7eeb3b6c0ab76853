// Pure pieces of the model container, for tests and other packages.
export { CsvFieldError, parseNumbers } from './csv';
export { parseLabelledRow, readChannel, type LabelCheck } from './dataset';
export { DataError, RecordError, ValueError } from './errors';
export {
  ALGORITHMS,
  OBJECTIVES,
  parseHyperparameters,
  type Algorithm,
  type Hyperparameters,
  type Objective,
  type ParsedHyperparameters,
  type ProblemType,
} from './hyperparameters';
export {
  invoke,
  loadModel,
  negotiate,
  parseCsvRecords,
  type InvocationRequest,
  type InvocationResponse,
  type LoadedModel,
} from './inference';
export { classificationMetrics, formatMetricLines, regressionMetrics, type Metrics } from './metrics';
export {
  MODEL_FORMAT,
  createPredictor,
  fit,
  parseModelArtifact,
  type Dataset,
  type ModelArtifact,
  type Predictor,
} from './model';
export { modelDir, serveUntilStopped, servingConfig, trainingPaths, type Env } from './sagemaker';
