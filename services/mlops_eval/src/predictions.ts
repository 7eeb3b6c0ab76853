/**
 * Reading the batch transform's output: every `*.out` object under the output prefix, each line
 * `label,prediction` (the transform's `OutputFilter: "$[0,-1]"`), streamed with bounded memory.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DatasetError, parseS3Uri, readLineBatches, s3Uri, type S3Location } from '@mlops/common';

/** Every object under the prefix, all pages. */
export async function listObjects(s3: S3Client, prefixUri: string): Promise<S3Location[]> {
  const { bucket, key: prefix } = parseS3Uri(prefixUri);
  const objects: S3Location[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key) objects.push({ bucket, key: object.Key });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

export async function listOutputObjects(s3: S3Client, prefixUri: string): Promise<S3Location[]> {
  return (await listObjects(s3, prefixUri)).filter((object) => object.key.endsWith('.out'));
}

/** `+text` for a field, or NaN when the field is not a finite number (`+''` and `+' '` are 0, so those are checked). */
export function toNumber(line: string, start: number, end: number): number {
  const text = line.slice(start, end);
  const value = +text;
  if (value !== value || value === Infinity || value === -Infinity) return NaN;
  if (value === 0 && text.trim() === '') return NaN;
  return value;
}

export function preview(line: string): string {
  return line.length > 80 ? `${line.slice(0, 80)}...` : line;
}

/**
 * Streams one output object into `add(actual, predicted)`: the label is the first field and the
 * prediction the last, located with indexOf/lastIndexOf (no split, no per-field arrays: this runs
 * on millions of lines). Returns the number of rows. A bad line is a DatasetError naming the
 * object and the line; so is an error `add` throws for a row (e.g. a label that is no class).
 */
export async function streamPairs(s3: S3Client, object: S3Location, add: (actual: number, predicted: number) => void): Promise<number> {
  const response = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
  const where = (line: number) => `${s3Uri(object.bucket, object.key)} line ${line}`;
  let lineNumber = 0;
  let rows = 0;
  for await (const lines of readLineBatches(response.Body as AsyncIterable<Uint8Array>)) for (const line of lines) {
    lineNumber++;
    const first = line.indexOf(',');
    if (first < 0) {
      if (line.trim() === '') continue;
      throw new DatasetError(`${where(lineNumber)}: expected "label,prediction", got '${preview(line)}'`);
    }
    const actual = toNumber(line, 0, first);
    const predicted = toNumber(line, line.lastIndexOf(',') + 1, line.length);
    if (actual !== actual || predicted !== predicted) {
      throw new DatasetError(`${where(lineNumber)}: the ${actual !== actual ? 'label' : 'prediction'} is not a number in '${preview(line)}'`);
    }
    try {
      add(actual, predicted);
    } catch (error) {
      throw new DatasetError(`${where(lineNumber)}: ${(error as Error).message}`, { cause: error });
    }
    rows++;
  }
  return rows;
}
