import { CsvFieldError, parseNumbers } from './csv';
import { RecordError } from './errors';
import { createPredictor, parseModelArtifact, type ModelArtifact, type Predictor } from './model';

// Request handling of the SageMaker inference contract, free of HTTP so it
// can be tested directly: /invocations takes text/csv records of features
// only (XGBoost's convention) and answers one prediction per record.

export interface LoadedModel {
  artifact: ModelArtifact;
  predict: Predictor;
}

export function loadModel(json: unknown): LoadedModel {
  const artifact = parseModelArtifact(json);
  return { artifact, predict: createPredictor(artifact) };
}

export interface InvocationRequest {
  contentType: string | undefined;
  accept: string | undefined;
  body: string;
}

export interface InvocationResponse {
  status: number;
  contentType: string;
  body: string;
}

type ResponseType = 'text/csv' | 'application/json';

function mediaType(header: string): string {
  return header.split(';')[0]!.trim().toLowerCase();
}

/** First acceptable type in the order listed (q-values are not weighed); undefined if none is. */
export function negotiate(accept: string | undefined): ResponseType | undefined {
  if (accept === undefined || accept.trim() === '') return 'text/csv';
  for (const part of accept.split(',')) {
    const type = mediaType(part);
    if (type === 'text/csv' || type === 'text/*' || type === '*/*') return 'text/csv';
    if (type === 'application/json' || type === 'application/*') return 'application/json';
  }
  return undefined;
}

/**
 * Parses a text/csv body into feature rows. Trailing newlines are allowed, a
 * blank line inside is not: batch transform matches output lines to input
 * lines by position.
 */
export function parseCsvRecords(body: string, featureCount: number): number[][] {
  const text = body.trimEnd();
  if (text === '') throw new RecordError('the request body has no records');
  const lines = text.split('\n');
  const rows = new Array<number[]>(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') throw new RecordError(`line ${i + 1}: empty record`);
    let values: number[];
    try {
      values = parseNumbers(line);
    } catch (error) {
      if (!(error instanceof CsvFieldError)) throw error;
      throw new RecordError(`line ${i + 1}, column ${error.index + 1}: value ${error.reason}`);
    }
    if (values.length !== featureCount) {
      throw new RecordError(`line ${i + 1}: expected ${featureCount} features, got ${values.length} (send features only, no label)`);
    }
    rows[i] = values;
  }
  return rows;
}

function text(status: number, message: string): InvocationResponse {
  return { status, contentType: 'text/plain; charset=utf-8', body: `${message}\n` };
}

export function invoke(model: LoadedModel, request: InvocationRequest): InvocationResponse {
  if (request.contentType === undefined || mediaType(request.contentType) !== 'text/csv') {
    return text(415, `unsupported Content-Type '${request.contentType ?? ''}': send text/csv`);
  }
  const responseType = negotiate(request.accept);
  if (responseType === undefined) {
    return text(406, `cannot answer in '${request.accept}': accept text/csv or application/json`);
  }
  let rows: number[][];
  try {
    rows = parseCsvRecords(request.body, model.artifact.featureCount);
  } catch (error) {
    if (error instanceof RecordError) return text(400, error.message);
    throw error;
  }
  const predictions = model.predict(rows);
  return responseType === 'text/csv'
    ? { status: 200, contentType: 'text/csv', body: predictions.join('\n') }
    : { status: 200, contentType: 'application/json', body: JSON.stringify({ predictions }) };
}
