// The package's pure part for other packages: the schema.json document (the run's columns, their
// encodings and the split) that the operator's tools read back. The handler stays the main entry.
export { CHANNELS, SchemaDocumentSchema, type Channel, type ColumnDescription, type SchemaDocument } from './schema';
