import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import type { XGBoostModel } from './booster';
import { RecordError } from './errors';
import { pyRepr } from './format';
import type { Env } from './library';
import { MODEL_NAME } from './training';

// /invocations of the 1.7-1 container (algorithm_mode/serve.py), free of HTTP:
// text/csv rows of features only → one prediction per row.

export const SUPPORTED_ACCEPTS = ['application/json', 'application/jsonlines', 'application/x-recordio-protobuf', 'text/csv'];
const EMULATED_ACCEPTS = ['application/json', 'text/csv'];

// The same request/response shapes as the custom-image example's (one contract, two images).
export type { InvocationRequest, InvocationResponse } from '@mlops/model';
import type { InvocationRequest, InvocationResponse } from '@mlops/model';

const mediaType = (header: string | undefined) => (header ?? '').split(';')[0]!.trim().toLowerCase();
const text = (status: number, message: string): InvocationResponse => ({ status, contentType: 'text/plain; charset=utf-8', body: message });

/** A value as numpy's astype(float) reads it: empty is missing (the container writes 'nan'), so is 'nan'. */
function parseCell(field: string): number | undefined {
  const t = field.trim().toLowerCase();
  if (t === '' || t === 'nan' || t === '+nan' || t === '-nan') return Number.NaN;
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : undefined;
}

/** The body's rows (after stripping surrounding whitespace, as the container does), all as wide as the first. */
export function parseCsvRecords(body: string): { rows: number[][]; columns: number } {
  const lines = body.trim().split('\n');
  const columns = lines[0]!.split(',').length;
  const rows = lines.map((line, i) => {
    const fields = line.split(',');
    if (fields.length !== columns) throw new RecordError(`line ${i + 1}: ${fields.length} values, but line 1 has ${columns}`);
    return fields.map((field, j) => {
      const value = parseCell(field);
      if (value === undefined) throw new RecordError(`line ${i + 1}, column ${j + 1}: not a number (got '${field.trim().slice(0, 24)}')`);
      return value;
    });
  });
  return { rows, columns };
}

const pyValue = (p: number | number[]) => (Array.isArray(p) ? `[${p.map(pyRepr).join(', ')}]` : pyRepr(p));

/**
 * The container's answer bodies: batch transform (SAGEMAKER_BATCH set) gets
 * str() of each prediction per line whatever the Accept; JSON is
 * {"predictions": [{"score": ...}]}; CSV is one line per row, a softprob row
 * comma-separated (sagemaker-containers' array_to_csv).
 */
export function encodePredictions(predictions: number[] | number[][], accept: string, batch: boolean): string {
  if (batch) return `${predictions.map(pyValue).join('\n')}\n`;
  if (accept === 'application/json') return `{"predictions": [${predictions.map((p) => `{"score": ${pyValue(p)}}`).join(', ')}]}`;
  return predictions.map((p) => (Array.isArray(p) ? p.map(pyRepr).join(',') : pyRepr(p)) + '\n').join('');
}

export interface Invoker {
  model: XGBoostModel;
  env: Env;
}

export function invoke({ model, env }: Invoker, request: InvocationRequest): InvocationResponse {
  if (request.body.trim() === '') return { status: 204, contentType: 'text/plain; charset=utf-8', body: '' };
  const contentType = mediaType(request.contentType);
  if (contentType !== 'text/csv' && contentType !== 'csv') {
    return text(415, `Content-type ${request.contentType ?? ''} is not supported: the offline SageMaker XGBoost emulation reads text/csv only`);
  }
  let parsed: { rows: number[][]; columns: number };
  try {
    parsed = parseCsvRecords(request.body);
  } catch (error) {
    if (error instanceof RecordError) return text(400, `Loading csv data failed: ${error.message}`);
    throw error;
  }
  const { numFeature } = model.info();
  if (parsed.columns > numFeature) {
    return text(400, `Unable to evaluate payload provided: ${parsed.columns} values per row, but the model has ${numFeature} features (send features only, no label)`);
  }
  const predictions = model.predict(parsed.rows, parsed.columns);

  let accept = mediaType(request.accept);
  if (accept === '' || accept === '*/*') accept = env.SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT || 'text/csv';
  if (!SUPPORTED_ACCEPTS.includes(accept)) {
    return text(406, `Accept type ${accept} is not supported. Please use supported accept types: ['${SUPPORTED_ACCEPTS.join("', '")}'].`);
  }
  const batch = Boolean(env.SAGEMAKER_BATCH);
  if (!batch && !EMULATED_ACCEPTS.includes(accept)) {
    return text(406, `Accept type ${accept} is not emulated offline: use text/csv or application/json`);
  }
  const mime = accept.startsWith('text/') ? `${accept}; charset=utf-8` : accept;
  return { status: 200, contentType: mime, body: encodePredictions(predictions, accept, batch) };
}

/** The model file serve loads: xgboost-model, else the first other non-hidden file, as the container does. */
export async function readModelFile(modelDir: string): Promise<{ file: string; bytes: Buffer }> {
  const names = (await readdir(modelDir, { withFileTypes: true })).filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name).sort();
  const name = names.includes(MODEL_NAME) ? MODEL_NAME : names[0];
  if (name === undefined) throw new Error(`no model file in ${modelDir} (expected ${MODEL_NAME})`);
  const file = path.join(modelDir, name);
  return { file, bytes: await readFile(file) };
}
