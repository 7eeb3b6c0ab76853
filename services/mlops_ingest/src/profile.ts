/**
 * Pass 1 over the upload: infers the schema (column types, categories, means, classes) and the
 * split's row counts, keeping O(columns) state whatever the file's size (and, for a stratified
 * split, O(classes): at most ~100 KB of hashes per class, see assignment.ts). Everything that can
 * make the dataset unusable is found here, before a single channel byte is written.
 */
import { DatasetError, type ProblemType } from '@mlops/common';
import { FieldBounds, plainFields, type CsvBatches, type PlainLines } from './csv';
import { UPLOAD_METADATA_KEYS as METADATA_KEYS } from '@mlops/common';
import { ROW_HASH, SCHEMA_VERSION, columnNames, parseSimpleDecimal, resolveTarget, rowText, sortValues, type ColumnDescription, type RowCounts, type SchemaDocument } from './schema';
import { HashAtoms, StrataCounter, cutStratum, rowHash } from './assignment';

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
    this.count(Number(value), value, line);
  }

  /**
   * The field line[start, end) without making it a string where it can: a plain decimal is parsed
   * in place (exactly as Number() would, see parseSimpleDecimal), and once a column has more
   * distinct values than it tracks, nothing else needs the text.
   */
  addRange(line: string, start: number, end: number, lineNumber: number): void {
    if (start === end) return;
    const parsed = parseSimpleDecimal(line, start, end);
    if (parsed === parsed && this.overflow) {
      this.numbers++;
      this.mean += (parsed - this.mean) / this.numbers;
      return;
    }
    const value = line.slice(start, end);
    this.count(parsed === parsed ? parsed : Number(value), value, lineNumber);
  }

  private count(number: number, value: string, line: number): void {
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

/** Pass 1's state: fed row by row (as fields, or as a plain CSV line), then turned into the schema. */
class Profiler {
  /** The rows' hashes, for the split's edges (assignment.ts): regression, the whole file's; classification, by class (stratified). */
  private readonly hashes: HashAtoms | undefined;
  private readonly strata: StrataCounter | undefined;
  private names: string[] | undefined;
  private labelIndex = 0;
  private stats: ColumnStats[] = [];
  private dataRows = 0;
  private readonly bounds = new FieldBounds();

  constructor(private readonly options: ProfileOptions) {
    if (options.problemType === 'classification') this.strata = new StrataCounter(options.maxClasses);
    else this.hashes = new HashAtoms();
  }

  /** A data row for the split: its text as hashed (rowText) and, for a stratified split, its label. */
  private split(text: string, label: string): void {
    const hash = rowHash(text, this.options.seed);
    if (this.strata) this.strata.add(label, hash);
    else this.hashes!.add(hash);
  }

  /** One record; `text` is its row text when the reader has it (the fields joined by commas). */
  addFields(fields: string[], line: number, text?: string): void {
    const { header, problemType } = this.options;
    if (this.names === undefined) {
      this.names = columnNames(fields, header, this.options.columnNames);
      this.labelIndex = resolveTarget(this.options.target, this.names);
      this.stats = this.names.map((_, i) => new ColumnStats(i === this.labelIndex && problemType === 'classification' ? this.options.maxClasses : MAX_CATEGORIES));
      if (header) return;
    }
    this.dataRows++;
    this.checkWidth(fields.length, line);
    const label = fields[this.labelIndex]!;
    this.checkLabel(label, label !== '' && Number.isFinite(Number(label)), line);
    for (let i = 0; i < fields.length; i++) this.stats[i]!.add(fields[i]!, line);
    this.split(text ?? rowText(fields), label);
  }

  /** One line of plain CSV (readPlainLines), fields found and parsed in place. */
  addLine(text: string, line: number): void {
    if (this.names === undefined) {
      const { fields, trimmed } = plainFields(text);
      this.addFields(fields, line, trimmed ? undefined : text);
      return;
    }
    const { starts, ends, count, trimmed } = this.bounds.scan(text);
    this.dataRows++;
    this.checkWidth(count, line);
    const labelStart = starts[this.labelIndex]!;
    const labelEnd = ends[this.labelIndex]!;
    if (labelStart === labelEnd) this.checkLabel('', false, line);
    else if (this.options.problemType === 'regression') {
      let number = parseSimpleDecimal(text, labelStart, labelEnd);
      if (number !== number) number = Number(text.slice(labelStart, labelEnd));
      if (!Number.isFinite(number)) this.checkLabel(text.slice(labelStart, labelEnd), false, line);
    }
    for (let i = 0; i < count; i++) this.stats[i]!.addRange(text, starts[i]!, ends[i]!, line);
    this.split(trimmed ? rowText(this.bounds.fields(text)) : text, this.strata ? text.slice(labelStart, labelEnd) : '');
  }

  private checkWidth(width: number, line: number): void {
    const expected = this.names!.length;
    if (width !== expected) {
      throw new DatasetError(`line ${line} (data row ${this.dataRows}) has ${width} fields, expected ${expected} like ${this.options.header ? 'the header' : 'the first row'}`);
    }
  }

  private checkLabel(label: string, numeric: boolean, line: number): void {
    const names = this.names!;
    if (label === '') throw new DatasetError(`line ${line} (data row ${this.dataRows}) has an empty label in column '${names[this.labelIndex]}'`);
    if (this.options.problemType === 'regression' && !numeric) {
      const hint = this.dataRows === 1 && !this.options.header ? ` (if the file has a header row, set ${METADATA_KEYS.header}=true)` : '';
      throw new DatasetError(`line ${line} (data row ${this.dataRows}): the regression label '${label}' in column '${names[this.labelIndex]}' is not a number${hint}`);
    }
  }

  schema(): SchemaDocument {
    const { options, names, labelIndex, stats, dataRows } = this;
    const { header, problemType } = options;
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
    const base = { ratios: [...options.ratios], seed: options.seed, hash: ROW_HASH };
    let split: SchemaDocument['split'];
    let rows: RowCounts;
    if (classes && this.strata) {
      const stratified = this.strata.strata(classes, options.ratios);
      rows = stratified.rows;
      split = { ...base, stratified: true, stratifiedBy: labelName, strata: stratified.strata };
    } else {
      const cut = cutStratum(this.hashes!.atoms(), options.ratios);
      rows = cut.rows;
      split = { ...base, edges: cut.edges, stratified: false };
    }
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
      split,
    };
  }
}

export async function profileCsv(records: CsvBatches, options: ProfileOptions): Promise<SchemaDocument> {
  const profiler = new Profiler(options);
  for await (const batch of records) for (const { fields, line, text } of batch) profiler.addFields(fields, line, text);
  return profiler.schema();
}

/** profileCsv over plain CSV lines (readPlainLines): the same schema, several times faster. */
export async function profilePlain(batches: AsyncIterable<PlainLines>, options: ProfileOptions): Promise<SchemaDocument> {
  const profiler = new Profiler(options);
  for await (const { lines, numbers } of batches) for (let i = 0; i < lines.length; i++) profiler.addLine(lines[i]!, numbers[i]!);
  return profiler.schema();
}
