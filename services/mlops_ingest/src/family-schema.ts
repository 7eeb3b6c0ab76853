/**
 * A family's schema: the first dataset of a family fixes it (`<FAMILIES_PREFIX><family>/schema.json`);
 * every later dataset must fit it, checked after profiling and before any channel is written, so a
 * dataset that does not fit leaves nothing behind and starts no SageMaker job. Fitting means the same
 * columns in the same order with the same roles and types, the same one-hot categories, and the same
 * label (name, problem type and, for classification, classes): the family's champion must be able to
 * score the challenger's test rows. A deliberately different schema is a new family (a new key folder).
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DatasetError, FamilySchemaDocumentSchema, isMissingS3Object, isS3PreconditionFailed, type FamilySchemaDocument } from '@mlops/common';
import type { SchemaDocument } from './schema';

export function familySchemaKey(familiesPrefix: string, family: string): string {
  return `${familiesPrefix}${family}/schema.json`;
}

/** The family schema a dataset would establish. */
export function familySchemaOf(schema: SchemaDocument, family: string, establishedBy: FamilySchemaDocument['establishedBy']): FamilySchemaDocument {
  return {
    version: 1,
    family,
    establishedBy,
    columns: [...schema.columns]
      .sort((a, b) => a.index - b.index)
      .map((c) => ({ name: c.name, role: c.role, type: c.type, ...(c.role === 'feature' && c.categories ? { categories: c.categories } : {}) })),
    label: { name: schema.label.name, problemType: schema.label.problemType, ...(schema.label.classes ? { classes: schema.label.classes } : {}) },
    featureCount: schema.featureCount,
  };
}

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** How a dataset differs from its family's schema, in words (at most a few differences), or undefined if it fits. */
export function familySchemaDifferences(family: FamilySchemaDocument, dataset: FamilySchemaDocument): string[] {
  const differences: string[] = [];
  const had = family.columns.map((c) => c.name);
  const now = dataset.columns.map((c) => c.name);
  const missing = had.filter((n) => !now.includes(n));
  const extra = now.filter((n) => !had.includes(n));
  if (missing.length) differences.push(`column${missing.length > 1 ? 's' : ''} ${list(missing)} missing`);
  if (extra.length) differences.push(`column${extra.length > 1 ? 's' : ''} ${list(extra)} not in the family`);
  if (!missing.length && !extra.length && had.join('\u0000') !== now.join('\u0000')) {
    differences.push(`columns in another order (the family's: ${list(had)})`);
  }
  for (const column of family.columns) {
    const other = dataset.columns.find((c) => c.name === column.name);
    if (!other) continue;
    if (other.role !== column.role) differences.push(`column '${column.name}' is the ${other.role} here, the ${column.role} in the family`);
    else if (other.type !== column.type) differences.push(`column '${column.name}' is ${other.type} here, ${column.type} in the family`);
    else if (column.categories && other.categories && column.categories.join('\u0000') !== other.categories.join('\u0000')) {
      const gone = column.categories.filter((c) => !other.categories!.includes(c));
      const added = other.categories.filter((c) => !column.categories!.includes(c));
      const parts = [added.length ? `new categor${added.length > 1 ? 'ies' : 'y'} ${list(added)}` : '', gone.length ? `no ${list(gone)}` : ''].filter(Boolean);
      differences.push(`column '${column.name}' has ${parts.length ? parts.join(' and ') : 'its categories in another order'} (the family's: ${list(column.categories)})`);
    }
  }
  if (family.label.name !== dataset.label.name) differences.push(`the label is '${dataset.label.name}', the family's is '${family.label.name}'`);
  if (family.label.problemType !== dataset.label.problemType) differences.push(`the problem type is ${dataset.label.problemType}, the family's is ${family.label.problemType}`);
  else if (family.label.classes && dataset.label.classes && family.label.classes.join('\u0000') !== dataset.label.classes.join('\u0000')) {
    differences.push(`the classes are ${list(dataset.label.classes)}, the family's are ${list(family.label.classes)}`);
  }
  return differences.slice(0, 6);
}

/** Throws the rejection (a DatasetError) when the dataset does not fit. */
export function assertFitsFamily(family: FamilySchemaDocument, dataset: FamilySchemaDocument, incomingPrefix: string): void {
  const differences = familySchemaDifferences(family, dataset);
  if (differences.length === 0) return;
  throw new DatasetError(
    `the dataset does not fit family '${family.family}' (schema set by run ${family.establishedBy.runId} from ${family.establishedBy.key}): ${differences.join('; ')}. ` +
      `To start a new schema, upload it as a new family: ${incomingPrefix}<new-family>/<file>.csv`,
  );
}

export async function readFamilySchema(s3: S3Client, bucket: string, key: string): Promise<FamilySchemaDocument | undefined> {
  let text: string;
  try {
    text = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
  } catch (error) {
    if (isMissingS3Object(error)) return undefined;
    throw error;
  }
  const parsed = FamilySchemaDocumentSchema.safeParse(JSON.parse(text));
  // Only ingest writes it: an unreadable one must not be silently replaced (the family's models depend on it).
  if (!parsed.success) throw new Error(`the family schema s3://${bucket}/${key} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/**
 * Writes a new family's schema unless one appeared meanwhile (If-None-Match: a concurrent first
 * upload of the same family): then the dataset must fit the one that won.
 */
export async function establishFamilySchema(s3: S3Client, bucket: string, key: string, schema: FamilySchemaDocument, incomingPrefix: string): Promise<void> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(schema, null, 2), ContentType: 'application/json', IfNoneMatch: '*' }));
  } catch (error) {
    if (!isS3PreconditionFailed(error)) throw error;
    const winner = await readFamilySchema(s3, bucket, key);
    if (winner) assertFitsFamily(winner, schema, incomingPrefix);
  }
}
