/**
 * The schema a prediction is encoded and decoded with: the family's schema (`families/<family>/schema.json`,
 * FamilySchemaDocument), which every model of the family was trained under, or a run's
 * `runs/<runId>/data/schema.json` (mlops_ingest's SchemaDocument), which also has the means that fill
 * empty numeric cells.
 */
import type { EncodingColumn, EncodingSchema, FamilySchemaDocument, ProblemType } from '@mlops/common';
import { PredictError } from './errors';

/** What this package reads of a run's `data/schema.json` (mlops_ingest's SchemaDocument has all of it). */
export interface RunSchema {
  columns: readonly EncodingColumn[];
  label: { name: string; index: number; problemType: ProblemType; classes?: readonly string[] };
  featureCount: number;
}

/** Either schema document a family's rows are encoded with. */
export type PredictSchema = FamilySchemaDocument | RunSchema;

/** A schema document in the form encoding and decoding read: every column with its source index. */
export interface ResolvedSchema extends EncodingSchema {
  columns: readonly EncodingColumn[];
  features: readonly EncodingColumn[];
  label: { name: string; index: number; problemType: ProblemType; classes?: readonly string[] };
  featureCount: number;
}

const isFamilySchema = (schema: PredictSchema): schema is FamilySchemaDocument => 'establishedBy' in schema;

/** The family schema lists its columns in source order (mlops_ingest sorts them by index), label included. */
export function resolveSchema(schema: PredictSchema): ResolvedSchema {
  const columns: EncodingColumn[] = isFamilySchema(schema)
    ? schema.columns.map((c, index) => ({ name: c.name, index, role: c.role, type: c.type, ...(c.categories ? { categories: c.categories } : {}) }))
    : [...schema.columns].sort((a, b) => a.index - b.index);
  const labels = columns.filter((c) => c.role === 'label');
  if (labels.length !== 1 || labels[0]!.name !== schema.label.name) {
    throw new PredictError('invalid-schema', `the schema names the label '${schema.label.name}' but its columns have ${labels.length === 1 ? `'${labels[0]!.name}'` : `${labels.length} label columns`}`);
  }
  columns.forEach((c, i) => {
    if (c.index !== i) throw new PredictError('invalid-schema', `the schema's columns are not numbered 0 to ${columns.length - 1} (column '${c.name}' has index ${c.index})`);
  });
  const features = columns.filter((c) => c.role === 'feature');
  const { name, problemType, classes } = schema.label;
  if (problemType === 'classification' && (!classes || classes.length < 2)) throw new PredictError('invalid-schema', `the classification label '${name}' lists no classes`);
  return {
    columns,
    features,
    label: { name, index: labels[0]!.index, problemType, ...(classes ? { classes } : {}) },
    featureCount: schema.featureCount,
  };
}
