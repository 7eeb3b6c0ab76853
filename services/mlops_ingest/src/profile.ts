/**
 * Pass 1 over the upload: infers the schema (column types, categories, means, classes) and the
 * split's row counts, keeping O(columns) state whatever the file's size (and, for a stratified
 * split, O(classes): at most ~100 KB of hashes per class, see assignment.ts). Everything that can
 * make the dataset unusable is found here, before a single channel byte is written.
 */
import { DatasetError, UPLOAD_METADATA_KEYS as METADATA_KEYS, type ProblemType } from '@mlops/common';
import * as z from 'zod/mini';
import { FieldBounds, plainFields, type CsvBatches, type PlainLines } from './csv';
import type { Dialect } from './dialect';
import { MissingValues } from './missing';
import { howToSet } from './options';
import { ROW_HASH, SCHEMA_VERSION, columnNames, parseSimpleDecimal, resolveTarget, rowText, sortValues, type ColumnDescription, type RowCounts, type SchemaDocument } from './schema';
import { HashAtoms, StrataCounter, cutStratum, rowHash, type AtomsState } from './assignment';

/** One-hot encoding past this many categories would swamp the features: the column is rejected. */
export const MAX_CATEGORIES = 50;
/** A categorical value (or a class) longer than this is free text, not a category: the column is rejected. */
export const MAX_CATEGORY_CHARS = 256;
/**
 * schema.json is read whole by every step that maps predictions back (and by the report and
 * @mlops/predict): a dataset whose schema would be larger (thousands of columns, long names) is rejected.
 */
export const MAX_SCHEMA_BYTES = 1024 * 1024;

export interface ProfileOptions {
  source: SchemaDocument['source'];
  /** How the file is read (dialect.ts): its delimiter and whether its first row is a header. */
  dialect: Dialect;
  /** The cells besides an empty one that are missing. */
  naValues: readonly string[];
  /** Columns to leave out, by name. */
  drop: readonly string[];
  target: string;
  problemType: ProblemType;
  columnNames?: readonly string[];
  maxClasses: number;
  ratios: readonly number[];
  seed: number;
}

/** Where a column's rejection says it is: a feature column, or the target (its values are classes). */
interface ColumnRole {
  name: string;
  label: boolean;
  /** A line as a message names it: `line 12`, or in a dataset of parts, `part part-00001.csv line 12`. */
  where: (line: number) => string;
}

const AtomsStateSchema = z.object({ rows: z.number(), exact: z.boolean(), starts: z.array(z.number()), counts: z.array(z.number()) });
const ColumnStateSchema = z.object({
  numbers: z.number(),
  mean: z.number(),
  missing: z.number(),
  firstText: z.optional(z.object({ value: z.string(), at: z.string() })),
  distinct: z.array(z.string()),
  overflow: z.boolean(),
});
/**
 * Pass 1's state over some of a dataset's rows: what a processing instance writes for its shard
 * (`profile-<host>.json`) and the merge reads back (mergeProfiles), so the schema of a dataset
 * profiled in shards is the schema of one pass over all of it.
 */
export const ProfileStateSchema = z.object({
  version: z.literal(1),
  /** The parts read, in order. */
  parts: z.array(z.string()),
  /** The first record (the header, or the first data row) and its part; null: no rows at all. */
  first: z.nullable(z.object({ fields: z.array(z.string()), part: z.optional(z.string()) })),
  dataRows: z.number(),
  missingLabels: z.number(),
  firstMissingLabel: z.optional(z.object({ value: z.string(), at: z.string(), row: z.number() })),
  columns: z.array(ColumnStateSchema),
  hashes: z.optional(AtomsStateSchema),
  strata: z.optional(z.array(z.object({ label: z.string(), atoms: AtomsStateSchema }))),
});
export type ProfileState = z.infer<typeof ProfileStateSchema>;

class ColumnStats {
  numbers = 0;
  mean = 0;
  /** Cells that are empty or an NA value. */
  missing = 0;
  /** The first non-numeric value and where: the column is categorical, and the rejection can show why. */
  firstText: { value: string; at: string } | undefined;
  /** Distinct non-missing values, kept up to the cap only (memory stays flat on numeric columns). */
  readonly distinct = new Set<string>();
  overflow = false;

  constructor(
    private readonly cap: number,
    private readonly na: MissingValues,
    private readonly role: ColumnRole,
  ) {}

  add(value: string, line: number): void {
    if (this.na.is(value)) {
      this.missing++;
      return;
    }
    this.count(Number(value), value, line);
  }

  /**
   * The field line[start, end) without making it a string where it can: a plain decimal is parsed
   * in place (exactly as Number() would, see parseSimpleDecimal), and once a column has more
   * distinct values than it tracks, nothing else needs the text.
   */
  addRange(line: string, start: number, end: number, lineNumber: number): void {
    if (start === end) {
      this.missing++;
      return;
    }
    const parsed = parseSimpleDecimal(line, start, end);
    if (parsed === parsed && this.overflow && !this.na.numeric) {
      this.numbers++;
      this.mean += (parsed - this.mean) / this.numbers;
      return;
    }
    const value = line.slice(start, end);
    // A plain decimal is no NA value unless one of them is a number.
    if ((parsed !== parsed || this.na.numeric) && this.na.is(value)) {
      this.missing++;
      return;
    }
    this.count(parsed === parsed ? parsed : Number(value), value, lineNumber);
  }

  private count(number: number, value: string, line: number): void {
    const text = !Number.isFinite(number);
    if (text) this.firstText ??= { value, at: this.role.where(line) };
    else {
      this.numbers++;
      this.mean += (number - this.mean) / this.numbers; // running mean: no overflow, no precision drift
    }
    if (this.overflow || this.distinct.has(value)) return;
    if (text && value.length > MAX_CATEGORY_CHARS) this.tooLong(value, line);
    if (this.distinct.size === this.cap) this.overflow = true;
    else this.distinct.add(value);
  }

  state(): z.infer<typeof ColumnStateSchema> {
    const { numbers, mean, missing, firstText, overflow } = this;
    return { numbers, mean, missing, ...(firstText ? { firstText } : {}), distinct: [...this.distinct], overflow };
  }

  /** Adds another part's counts: sums, a mean weighted by count, the union of the values up to the cap. */
  merge(other: z.infer<typeof ColumnStateSchema>): void {
    const numbers = this.numbers + other.numbers;
    if (numbers > 0) this.mean = (this.mean * this.numbers + other.mean * other.numbers) / numbers;
    this.numbers = numbers;
    this.missing += other.missing;
    this.firstText ??= other.firstText;
    this.overflow ||= other.overflow;
    for (const value of other.distinct) {
      if (this.overflow || this.distinct.has(value)) continue;
      if (this.distinct.size === this.cap) this.overflow = true;
      else this.distinct.add(value);
    }
  }

  private tooLong(value: string, line: number): never {
    const { name, label } = this.role;
    const where = `a value of ${value.length} characters on ${this.role.where(line)}, over the ${MAX_CATEGORY_CHARS} a ${label ? 'class' : 'category'} may have (MAX_CATEGORY_CHARS)`;
    if (label) throw new DatasetError(`the classification target '${name}' has ${where}`);
    throw new DatasetError(`feature column '${name}' has ${where}: text that long is not a category; to leave the column out, ${howToSet(METADATA_KEYS.drop, name)}`);
  }
}

function describeFeature(name: string, index: number, stats: ColumnStats): ColumnDescription {
  if (stats.numbers === 0 && stats.firstText === undefined) {
    throw new DatasetError(`feature column '${name}' has no values (all ${stats.missing} of its cells are missing); to leave it out, ${howToSet(METADATA_KEYS.drop, name)}`);
  }
  if (stats.firstText === undefined) {
    return { name, index, role: 'feature', type: 'numeric', mean: stats.mean, outputColumns: [name], missing: { count: stats.missing, fill: 'mean' } };
  }
  if (stats.overflow) {
    const { value, at } = stats.firstText;
    throw new DatasetError(
      `feature column '${name}' is not numeric (e.g. '${value}' on ${at}) and has more than ${MAX_CATEGORIES} distinct values, too many to one-hot encode`,
    );
  }
  const categories = sortValues(stats.distinct);
  return { name, index, role: 'feature', type: 'categorical', categories, outputColumns: categories.map((c) => `${name}_${c}`), missing: { count: stats.missing, fill: 'no-category' } };
}

const mib = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

/** Pass 1's state: fed row by row (as fields, or as a plain CSV line), then turned into the schema. */
export class Profiler {
  /** The rows' hashes, for the split's edges (assignment.ts): regression, the whole file's; classification, by class (stratified). */
  private hashes: HashAtoms | undefined;
  private strata: StrataCounter | undefined;
  private readonly missing: MissingValues;
  /** The file's column names. */
  private fileNames: string[] | undefined;
  /** The columns kept (the file's indexes), when some are dropped; the names, stats and label index below are theirs. */
  private keep: number[] | undefined;
  private names: string[] | undefined;
  private labelIndex = 0;
  private stats: ColumnStats[] = [];
  private dataRows = 0;
  /** Rows whose label is missing, and the first of them (a rejection, once every row is counted). */
  private missingLabels = 0;
  private firstMissingLabel: { value: string; at: string; row: number } | undefined;
  private readonly bounds = new FieldBounds();
  /** The first record (header or first data row) and the part it came from. */
  private first: { fields: string[]; part?: string } | undefined;
  /** The part being read (beginPart), its data rows, and whether its own first record is still to come. */
  private part: string | undefined;
  private readonly parts: string[] = [];
  private partRows = 0;
  private partFirstPending = false;

  constructor(private readonly options: ProfileOptions) {
    this.missing = new MissingValues(options.naValues);
    if (options.problemType === 'classification') this.strata = new StrataCounter(options.maxClasses);
    else this.hashes = new HashAtoms();
  }

  /**
   * The next part of a dataset made of several files: each part repeats the header when the dataset
   * has one (the first part's must match), and messages name the part and its own line numbers.
   */
  beginPart(name: string): void {
    this.part = name;
    this.parts.push(name);
    this.partRows = 0;
    this.partFirstPending = this.fileNames !== undefined;
  }

  private where(line: number): string {
    return this.part === undefined ? `line ${line}` : `part ${this.part} line ${line}`;
  }

  /** A part's first record after the first part's: its header must be the dataset's. */
  private checkPartHeader(fields: string[]): void {
    const first = this.first!;
    if (fields.length === first.fields.length && fields.every((f, i) => f === first.fields[i])) return;
    throw new DatasetError(
      `part ${this.part} has other columns than part ${first.part}: its header is ${fields.join(',')}, the first part's ${first.fields.join(',')}; every part of a dataset has the same header`,
    );
  }

  /** A data row for the split: its text as hashed (rowText) and, for a stratified split, its label. */
  private split(text: string, label: string): void {
    const hash = rowHash(text, this.options.seed);
    if (this.strata) this.strata.add(label, hash);
    else this.hashes!.add(hash);
  }

  /** The first record: the column names, the target, the columns dropped. */
  private columns(first: string[]): void {
    const { dialect, problemType, drop } = this.options;
    const fileNames = columnNames(first, dialect.header, this.options.columnNames);
    const label = resolveTarget(this.options.target, fileNames, { present: dialect.header, source: dialect.headerSource, ...(dialect.header ? {} : { firstRow: first }) });
    const dropped = new Set<number>();
    for (const name of drop) {
      const index = fileNames.indexOf(name);
      if (index < 0) throw new DatasetError(`column '${name}' to drop (${METADATA_KEYS.drop}) is not in the file: its ${fileNames.length} columns are ${fileNames.join(', ')}`);
      if (index === label) throw new DatasetError(`column '${name}' cannot be dropped (${METADATA_KEYS.drop}): it is the target; to predict another column, set ${METADATA_KEYS.target}`);
      dropped.add(index);
    }
    this.fileNames = fileNames;
    this.keep = dropped.size > 0 ? fileNames.map((_, i) => i).filter((i) => !dropped.has(i)) : undefined;
    this.names = this.keep ? this.keep.map((i) => fileNames[i]!) : fileNames;
    this.labelIndex = this.keep ? this.keep.indexOf(label) : label;
    const where = (line: number) => this.where(line);
    this.stats = this.names.map((name, i) => {
      const isLabel = i === this.labelIndex;
      return new ColumnStats(isLabel && problemType === 'classification' ? this.options.maxClasses : MAX_CATEGORIES, this.missing, { name, label: isLabel, where });
    });
  }

  /** One record; `text` is its row text when the reader has it (the fields joined by commas). */
  addFields(fields: string[], line: number, text?: string): void {
    if (this.fileNames === undefined) {
      this.columns(fields);
      this.first = { fields: [...fields], ...(this.part === undefined ? {} : { part: this.part }) };
      if (this.options.dialect.header) return;
    } else if (this.partFirstPending) {
      this.partFirstPending = false;
      if (this.options.dialect.header) return this.checkPartHeader(fields);
    }
    this.dataRows++;
    this.partRows++;
    this.checkWidth(fields.length, line);
    if (this.keep) {
      // A dropped column is not part of the row, in its hash either: rows that differ only by an ID are duplicates.
      const keep = this.keep;
      fields = keep.map((i) => fields[i]!);
      text = undefined;
    }
    const label = fields[this.labelIndex]!;
    if (this.missing.is(label)) return this.labelMissing(label, line);
    this.checkLabel(label, Number.isFinite(Number(label)), line);
    for (let i = 0; i < fields.length; i++) this.stats[i]!.add(fields[i]!, line);
    this.split(text ?? rowText(fields), label);
  }

  /** One line of plain CSV (readPlainLines), fields found and parsed in place. */
  addLine(text: string, line: number): void {
    if (this.fileNames === undefined || this.keep || this.partFirstPending) {
      const { fields, trimmed } = plainFields(text);
      this.addFields(fields, line, trimmed ? undefined : text);
      return;
    }
    const { starts, ends, count, trimmed } = this.bounds.scan(text);
    this.dataRows++;
    this.partRows++;
    this.checkWidth(count, line);
    const labelStart = starts[this.labelIndex]!;
    const labelEnd = ends[this.labelIndex]!;
    if (this.missing.isRange(text, labelStart, labelEnd)) return this.labelMissing(text.slice(labelStart, labelEnd), line);
    if (this.options.problemType === 'regression') {
      let number = parseSimpleDecimal(text, labelStart, labelEnd);
      if (number !== number) number = Number(text.slice(labelStart, labelEnd));
      if (!Number.isFinite(number)) this.checkLabel(text.slice(labelStart, labelEnd), false, line);
    }
    for (let i = 0; i < count; i++) this.stats[i]!.addRange(text, starts[i]!, ends[i]!, line);
    this.split(trimmed ? rowText(this.bounds.fields(text)) : text, this.strata ? text.slice(labelStart, labelEnd) : '');
  }

  private checkWidth(width: number, line: number): void {
    const expected = this.fileNames!.length;
    if (width !== expected) {
      const like = this.options.dialect.header ? 'the header' : 'the first row';
      throw new DatasetError(`${this.where(line)} (data row ${this.partRows}) has ${width} fields, expected ${expected} like ${this.first?.part === undefined ? like : `${like} of part ${this.first.part}`}`);
    }
  }

  private labelMissing(value: string, line: number): void {
    this.missingLabels++;
    this.firstMissingLabel ??= { value, at: this.where(line), row: this.partRows };
  }

  private checkLabel(label: string, numeric: boolean, line: number): void {
    if (this.options.problemType === 'regression' && !numeric) {
      const name = this.names![this.labelIndex];
      const hint =
        this.dataRows === 1 && !this.options.dialect.header
          ? `; if the first row names the columns, ${howToSet(METADATA_KEYS.header, 'true')}`
          : `; if '${name}' holds classes, ${howToSet(METADATA_KEYS.problem, 'classification')}`;
      throw new DatasetError(`${this.where(line)} (data row ${this.partRows}): the regression label '${label}' in column '${name}' is not a number${hint}`);
    }
  }

  /** What this profiler counted, for a merge with other parts' (mergeProfiles). */
  state(): ProfileState {
    return {
      version: 1,
      parts: [...this.parts],
      first: this.first ?? null,
      dataRows: this.dataRows,
      missingLabels: this.missingLabels,
      ...(this.firstMissingLabel ? { firstMissingLabel: this.firstMissingLabel } : {}),
      columns: this.stats.map((c) => c.state()),
      ...(this.hashes ? { hashes: this.hashes.state() } : {}),
      ...(this.strata ? { strata: this.strata.state() } : {}),
    };
  }

  /**
   * Several parts' profiles as one, in the order given: the first record of the first that has one
   * names the columns, and every other's must match it (the same header, or as many fields).
   */
  static merged(states: readonly ProfileState[], options: ProfileOptions): Profiler {
    const merged = new Profiler(options);
    const withRows = states.filter((s) => s.first !== null);
    if (withRows.length === 0) return merged;
    const first = withRows[0]!.first!;
    merged.columns(first.fields);
    merged.first = first;
    for (const state of withRows) {
      const { fields, part } = state.first!;
      merged.part = part;
      if (options.dialect.header) merged.checkPartHeader(fields);
      else if (fields.length !== first.fields.length) {
        throw new DatasetError(`part ${part} has ${fields.length} columns, expected ${first.fields.length} like part ${first.part}: every part of a dataset has the same columns`);
      }
      merged.parts.push(...state.parts);
      merged.dataRows += state.dataRows;
      merged.missingLabels += state.missingLabels;
      merged.firstMissingLabel ??= state.firstMissingLabel;
      state.columns.forEach((column, i) => merged.stats[i]!.merge(column));
    }
    merged.part = undefined;
    if (options.problemType === 'classification') {
      merged.strata = StrataCounter.merged(withRows.map((s) => s.strata ?? []), options.maxClasses);
    } else {
      merged.hashes = HashAtoms.merged(withRows.map((s) => s.hashes!).filter((h): h is AtomsState => h !== undefined));
    }
    return merged;
  }

  schema(): SchemaDocument {
    const { options, names, labelIndex, stats, dataRows } = this;
    const { dialect, problemType } = options;
    if (names === undefined) throw new DatasetError('the file is empty');
    if (dataRows === 0) throw new DatasetError('the file has a header but no data rows');

    const labelName = names[labelIndex]!;
    if (this.firstMissingLabel) {
      const { value, at, row } = this.firstMissingLabel;
      const rows = this.missingLabels === 1 ? '1 row' : `${this.missingLabels} rows`;
      const na = value === '' ? 'empty' : `'${value}', an NA value (${METADATA_KEYS.naValues} sets them)`;
      throw new DatasetError(
        `the target column '${labelName}' has no value on ${rows} of ${dataRows}, the first on ${at} (data row ${row}: ${na}); a row without its label can be neither trained on nor scored: fill in or remove those rows`,
      );
    }
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
    const fileNames = this.fileNames!;
    const kept = new Set(this.keep ?? []);
    const schema: SchemaDocument = {
      version: SCHEMA_VERSION,
      source: options.source,
      header: dialect.header,
      csv: {
        delimiter: dialect.delimiter,
        delimiterSource: dialect.delimiterSource,
        headerSource: dialect.headerSource,
        naValues: [...options.naValues],
        dropped: this.keep ? fileNames.flatMap((name, index) => (kept.has(index) ? [] : [{ name, index }])) : [],
      },
      columns,
      label: { name: labelName, index: labelIndex, problemType, ...(classes ? { classes } : {}) },
      featureCount,
      rows,
      split,
    };
    const bytes = Buffer.byteLength(JSON.stringify(schema, null, 2));
    if (bytes > MAX_SCHEMA_BYTES) {
      const categories = columns.reduce((sum, c) => sum + (c.role === 'feature' ? (c.categories?.length ?? 0) : 0), 0);
      // A header line of huge names (a file whose header is data, or garbage) outweighs any category count: name it.
      const longest = columns.reduce((a, c) => (c.name.length > a.name.length ? c : a), columns[0]!);
      const names = longest.name.length > MAX_CATEGORY_CHARS ? ` (column ${longest.index}'s name alone has ${longest.name.length} characters: is the header row a header?)` : '';
      throw new DatasetError(
        `the dataset's schema.json would be ${mib(bytes)}, over the ${mib(MAX_SCHEMA_BYTES)} it may have (MAX_SCHEMA_BYTES): ${columns.length} columns, ${categories} one-hot categories${names}; leave out the columns the model does not need with ${METADATA_KEYS.drop} (pnpm pipeline --drop)`,
      );
    }
    return schema;
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
