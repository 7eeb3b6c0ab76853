/**
 * PredictClient: rows in, predictions out, against a stage's family endpoint. It reads the family's
 * schema from the stage's data bucket (`<familiesPrefix><family>/schema.json`, once per family),
 * encodes the rows with it, sends them to `<namePrefix>-<family>` (InvokeEndpoint, text/csv, at most
 * MAX_REQUEST_BYTES per request) and decodes the answer. The clients are injected (tests pass mocks).
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { FAMILY_NAME_MAX, FAMILY_NAME_PATTERN, FamilySchemaDocumentSchema, familyResourceName, isMissingS3Object, type FamilySchemaDocument } from '@mlops/common';
import { decodePredictions, type ClassificationObjective, type Prediction } from './decode';
import { encodeRows, type PredictRow } from './encode';
import { PredictError } from './errors';

/** Below SageMaker's 6 MB InvokeEndpoint payload limit: more rows than this go in several requests. */
export const MAX_REQUEST_BYTES = 5 * 1024 * 1024;

export interface PredictClientOptions {
  s3: S3Client;
  runtime: SageMakerRuntimeClient;
  /** The stage's data bucket (its DataBucketName output). */
  bucket: string;
  /** The stage's NamePrefix: the family's endpoint is `<namePrefix>-<family>`. */
  namePrefix: string;
  /** mlops_ingest's FAMILIES_PREFIX (default `families/`). */
  familiesPrefix?: string;
  /** The most bytes one request carries (default MAX_REQUEST_BYTES); more rows go in several requests. */
  maxRequestBytes?: number;
}

export interface PredictOptions {
  /** The classification model's objective, when a run overrode the pipeline's (see decodePredictions). */
  objective?: ClassificationObjective;
}

export interface PredictResult {
  family: string;
  endpoint: string;
  /** Where the schema the rows were encoded with came from (`s3://bucket/families/<family>/schema.json`). */
  schemaUri: string;
  /** The label's name and the problem type: what the predictions are of. */
  target: string;
  problemType: FamilySchemaDocument['label']['problemType'];
  /** The lines sent, one per row (features only, encoded). */
  encoded: string[];
  predictions: Prediction[];
}

export class PredictClient {
  private readonly schemas = new Map<string, Promise<FamilySchemaDocument>>();

  constructor(private readonly options: PredictClientOptions) {}

  schemaKey(family: string): string {
    return `${this.options.familiesPrefix ?? 'families/'}${family}/schema.json`;
  }

  endpointName(family: string): string {
    if (!FAMILY_NAME_PATTERN.test(family) || family.length > FAMILY_NAME_MAX) {
      throw new PredictError('unknown-family', `'${family}' is not a family name: lowercase letters, digits and single hyphens, at most ${FAMILY_NAME_MAX} characters`);
    }
    return familyResourceName(this.options.namePrefix, family);
  }

  /** The family's schema (read once per client). */
  schema(family: string): Promise<FamilySchemaDocument> {
    this.endpointName(family);
    let schema = this.schemas.get(family);
    if (!schema) {
      schema = this.readSchema(family);
      this.schemas.set(family, schema);
      schema.catch(() => this.schemas.delete(family));
    }
    return schema;
  }

  private async readSchema(family: string): Promise<FamilySchemaDocument> {
    const { s3, bucket } = this.options;
    const key = this.schemaKey(family);
    let text: string;
    try {
      text = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
    } catch (error) {
      if (!isMissingS3Object(error)) throw error;
      throw new PredictError('unknown-family', `family '${family}' has no schema: s3://${bucket}/${key} does not exist (a family's first ingested dataset writes it)`, {}, { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new PredictError('invalid-schema', `s3://${bucket}/${key} is not JSON: ${(error as Error).message}`, {}, { cause: error });
    }
    const parsed = FamilySchemaDocumentSchema.safeParse(json);
    if (!parsed.success) {
      throw new PredictError('invalid-schema', `s3://${bucket}/${key} is not a family schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    return parsed.data;
  }

  /** Encodes the rows with the family's schema, sends them to its endpoint, answers in the dataset's terms. */
  async predict(family: string, rows: readonly PredictRow[], options: PredictOptions = {}): Promise<PredictResult> {
    const endpoint = this.endpointName(family);
    const schema = await this.schema(family);
    const encoded = encodeRows(schema, rows);
    const predictions: Prediction[] = [];
    for (const batch of requestBatches(encoded, this.options.maxRequestBytes)) {
      const body = await this.invoke(endpoint, `${batch.join('\n')}\n`);
      predictions.push(...decodePredictions(schema, body, { rows: batch.length, objective: options.objective }));
    }
    return {
      family,
      endpoint,
      schemaUri: `s3://${this.options.bucket}/${this.schemaKey(family)}`,
      target: schema.label.name,
      problemType: schema.label.problemType,
      encoded,
      predictions,
    };
  }

  private async invoke(endpoint: string, body: string): Promise<string> {
    let response;
    try {
      response = await this.options.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'text/csv', Accept: 'text/csv', Body: Buffer.from(body, 'utf8') }));
    } catch (error) {
      const e = error as Error & { OriginalMessage?: string };
      if (e.name === 'ValidationError' && /not found/i.test(e.message)) {
        throw new PredictError('no-endpoint', `endpoint ${endpoint} does not exist: the family has no model deployed on this stage`, {}, { cause: error });
      }
      if (e.name === 'ModelError') throw new PredictError('model-error', `endpoint ${endpoint}'s model failed: ${e.OriginalMessage ?? e.message}`, {}, { cause: error });
      throw error;
    }
    return Buffer.from(response.Body ?? new Uint8Array()).toString('utf8');
  }
}

/** The encoded lines in requests of at most MAX_REQUEST_BYTES (a line never split). */
export function* requestBatches(lines: readonly string[], maxBytes = MAX_REQUEST_BYTES): Generator<string[]> {
  let batch: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 1;
    if (batch.length > 0 && bytes + size > maxBytes) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(line);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
