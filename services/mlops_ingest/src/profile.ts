/**
 * Pass 1 over the upload: infers the schema (column types, categories, means, classes) and the
 * split's row counts, keeping O(columns) state whatever the file's size. Everything that can make
 * the dataset unusable is found here, before a single channel byte is written.
 */
import { DatasetError, type ProblemType } from '@mlops/common';
import type { CsvRecord } from './csv';
import { METADATA_KEYS } from './options';
import { SCHEMA_VERSION, columnNames, resolveTarget, rowText, sortValues, splitter, type ColumnDescription, type RowCounts, type SchemaDocument } from './schema';

/** One-hot encoding past this many categories would swamp the features: the column is rejected. */
export const MAX_CATEGORIES = 50;

export interface ProfileOptions {
  source: SchemaDocument['source'];
  header: boolean;
  target: string;
  problemType: ProblemType;
  columnNames?: readonly string[];
  maxClasses: number;
  ratios: readonly number[];
  seed: number;
}

function isNumber(value: string): boolean {
  return value !== '' && Number.isFinite(Number(value));
}

class ColumnStats {
  numbers = 0;
  mean = 0;
  /** The first non-numeric value and its line: the column is categorical, and the rejection can show why. */
  firstText: { value: string; line: number } | undefined;
  /** Distinct non-empty values, kept up to the cap only (memory stays flat on numeric columns). */
  readonly distinct = new Set<string>();
  overflow = false;

  constructor(private readonly cap: number) {}

  add(value: string, line: number): void {
    if (value === '') return;
    const number = Number(value);
    if (Number.isFinite(number)) {
      this.numbers++;
      this.mean += (number - this.mean) / this.numbers; // running mean: no overflow, no precision drift
    } else {
      this.firstText ??= { value, line };
    }
    if (this.overflow || this.distinct.has(value)) return;
    if (this.distinct.size === this.cap) this.overflow = true;
    else this.distinct.add(value);
  }
}

function describeFeature(name: string, index: number, stats: ColumnStats): ColumnDescription {
  if (stats.numbers === 0 && stats.firstText === undefined) throw new DatasetError(`feature column '${name}' has no values (every cell is empty)`);
  if (stats.firstText === undefined) return { name, index, role: 'feature', type: 'numeric', mean: stats.mean, outputColumns: [name] };
  if (stats.overflow) {
    const { value, line } = stats.firstText;
    throw new DatasetError(
      `feature column '${name}' is not numeric (e.g. '${value}' on line ${line}) and has more than ${MAX_CATEGORIES} distinct values, too many to one-hot encode`,
    );
  }
  const categories = sortValues(stats.distinct);
  return { name, index, role: 'feature', type: 'categorical', categories, outputColumns: categories.map((c) => `${name}_${c}`) };
}

export async function profileCsv(records: AsyncIterable<CsvRecord>, options: ProfileOptions): Promise<SchemaDocument> {
  const { header, problemType } = options;
  const channelOf = splitter(options.ratios, options.seed);
  const rows: RowCounts = { train: 0, validation: 0, test: 0 };
  let names: string[] | undefined;
  let labelIndex = 0;
  let stats: ColumnStats[] = [];
  let dataRows = 0;

  for await (const { fields, line } of records) {
    if (names === undefined) {
      names = columnNames(fields, header, options.columnNames);
      labelIndex = resolveTarget(options.target, names);
      stats = names.map((_, i) => new ColumnStats(i === labelIndex && problemType === 'classification' ? options.maxClasses : MAX_CATEGORIES));
      if (header) continue;
    }
    dataRows++;
    if (fields.length !== names.length) {
      throw new DatasetError(`line ${line} (data row ${dataRows}) has ${fields.length} fields, expected ${names.length} like ${header ? 'the header' : 'the first row'}`);
    }
    const label = fields[labelIndex]!;
    if (label === '') throw new DatasetError(`line ${line} (data row ${dataRows}) has an empty label in column '${names[labelIndex]}'`);
    if (problemType === 'regression' && !isNumber(label)) {
      const hint = dataRows === 1 && !header ? ` (if the file has a header row, set ${METADATA_KEYS.header}=true)` : '';
      throw new DatasetError(`line ${line} (data row ${dataRows}): the regression label '${label}' in column '${names[labelIndex]}' is not a number${hint}`);
    }
    for (let i = 0; i < fields.length; i++) stats[i]!.add(fields[i]!, line);
    rows[channelOf(rowText(fields))]++;
  }

  if (names === undefined) throw new DatasetError('the file is empty');
  if (dataRows === 0) throw new DatasetError('the file has a header but no data rows');

  const labelName = names[labelIndex]!;
  let classes: string[] | undefined;
  if (problemType === 'classification') {
    const labelStats = stats[labelIndex]!;
    if (labelStats.overflow) throw new DatasetError(`the classification target '${labelName}' has more than ${options.maxClasses} classes (MAX_CLASSES)`);
    if (labelStats.distinct.size < 2) {
      throw new DatasetError(`the classification target '${labelName}' has a single class ('${[...labelStats.distinct][0]}'): there is nothing to learn`);
    }
    classes = sortValues(labelStats.distinct);
  }
  const columns = names.map((name, index): ColumnDescription => {
    if (index !== labelIndex) return describeFeature(name, index, stats[index]!);
    return classes
      ? { name, index, role: 'label', type: 'categorical', categories: classes, outputColumns: [name] }
      : { name, index, role: 'label', type: 'numeric', outputColumns: [name] };
  });
  const featureCount = columns.reduce((sum, c) => sum + (c.role === 'feature' ? c.outputColumns.length : 0), 0);
  if (featureCount === 0) throw new DatasetError(`the file has no feature columns besides the target '${labelName}'`);
  if (rows.train === 0 || rows.test === 0) {
    throw new DatasetError(
      `too few rows for the split: ${dataRows} rows gave train=${rows.train}, validation=${rows.validation}, test=${rows.test}; at least one train and one test row are needed`,
    );
  }
  return {
    version: SCHEMA_VERSION,
    source: options.source,
    header,
    columns,
    label: { name: labelName, index: labelIndex, problemType, ...(classes ? { classes } : {}) },
    featureCount,
    rows,
    split: { ratios: [...options.ratios], seed: options.seed },
  };
}
