/**
 * `predict`: rows in the dataset's own columns → the family endpoint's predictions in the dataset's
 * terms, through @mlops/predict (the family's schema from the stage's bucket, the encoding of
 * mlops_ingest, InvokeEndpoint text/csv). The rows come from --row (one CSV row each), a CSV file,
 * or a JSON file of rows (objects by column name, or arrays in column order).
 */
import { readFile } from 'node:fs/promises';
import type { FamilySchemaDocument } from '@mlops/common';
import { parseCsvRows, PredictClient, PredictError, type PredictRow } from '@mlops/predict';
import { OperationError, UsageError } from '../errors';
import type { PredictOutput } from '../output/schemas';
import type { StageTarget } from '../stage/types';
import { familyName } from './family';

export type RowSource = { kind: 'row'; rows: string[] } | { kind: 'file'; path: string } | { kind: 'json'; path: string };

export interface PredictRequest {
  family: string;
  source: RowSource;
}

/** How the source is named in messages: `--row 2`, `--file data.csv`, `--json-rows rows.json`. */
function sourceName(source: RowSource): string {
  return source.kind === 'row' ? '--row' : source.kind === 'file' ? `--file ${source.path}` : `--json-rows ${source.path}`;
}

async function readText(option: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${option}: cannot read '${path}' (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** The rows of the source; CSV is read with the family's schema (a header naming its columns is skipped). */
async function rowsOf(schema: FamilySchemaDocument, source: RowSource): Promise<PredictRow[]> {
  if (source.kind === 'row') {
    return source.rows.map((text, i) => {
      const rows = parseCsvRows(schema, text);
      if (rows.length !== 1) throw new UsageError(`--row ${i + 1} ('${text}'): expected one CSV row of values, ${rows.length === 0 ? 'got none (a header or an empty line)' : `got ${rows.length}`}`);
      return rows[0]!;
    });
  }
  const text = await readText(source.kind === 'file' ? '--file' : '--json-rows', source.path);
  if (source.kind === 'file') {
    const rows = parseCsvRows(schema, text);
    if (rows.length === 0) throw new UsageError(`--file ${source.path}: no rows`);
    return rows;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--json-rows ${source.path}: not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(json) || json.length === 0) throw new UsageError(`--json-rows ${source.path}: expected a non-empty JSON array of rows (objects by column name, or arrays in column order)`);
  return json as PredictRow[];
}

export async function predictRows(target: StageTarget, request: PredictRequest): Promise<PredictOutput> {
  const endpoint = familyName(target, request.family);
  const { s3, runtime } = target.clients;
  const client = new PredictClient({ s3, runtime, bucket: target.outputs.DataBucketName, namePrefix: target.outputs.NamePrefix });
  const where = `stage '${target.stage}'`;
  try {
    const schema = await client.schema(request.family);
    const result = await client.predict(request.family, await rowsOf(schema, request.source));
    return {
      stage: target.stage,
      family: request.family,
      endpoint: result.endpoint,
      schema: result.schemaUri,
      target: result.target,
      problemType: result.problemType,
      predictions: result.predictions.map((p, i) => ({
        row: i + 1,
        value: p.value,
        ...(p.problemType === 'classification' ? { classIndex: p.classIndex, ...(p.probabilities ? { probabilities: p.probabilities } : {}) } : {}),
        encoded: result.encoded[i]!,
      })),
    };
  } catch (error) {
    if (!(error instanceof PredictError)) throw error;
    switch (error.code) {
      case 'invalid-row':
        throw new UsageError(`${sourceName(request.source)}: ${error.message}`);
      case 'unknown-family':
        throw new OperationError('unknown-family', `unknown family '${request.family}' on ${where}: ${error.message}`);
      case 'no-endpoint':
        throw new OperationError(
          'no-live-version',
          `${error.message} (${where}); see \`pnpm mlops models ${request.family} --stage ${target.stage}\` for its versions and which one is approved`,
        );
      case 'invalid-schema':
        throw new OperationError('invalid-schema', `${where}: ${error.message}`);
      case 'model-error':
      case 'invalid-response':
        throw new OperationError('model-error', `${endpoint} on ${where}: ${error.message}`);
    }
  }
}
