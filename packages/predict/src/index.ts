// @mlops/predict: a family endpoint's contract, typed (docs/ENDPOINT.md). Pure functions that encode
// rows with the family's schema and decode the endpoint's answer, and a client with injected SDK clients.
export { PredictClient, MAX_REQUEST_BYTES, requestBatches, type PredictClientOptions, type PredictOptions, type PredictResult } from './client';
export {
  CLASSIFICATION_OBJECTIVES,
  decodePredictions,
  type ClassificationObjective,
  type ClassificationPrediction,
  type DecodeOptions,
  type Prediction,
  type RegressionPrediction,
} from './decode';
export { encodeRows, parseCsvRows, type CellValue, type PredictRow } from './encode';
export { PredictError, type PredictErrorCode } from './errors';
export { resolveSchema, type PredictSchema, type ResolvedSchema, type RunSchema } from './schema';
