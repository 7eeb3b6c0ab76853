/**
 * How a data row becomes what the model reads: the channel line mlops_ingest writes (the label
 * first, then every feature in column order, categorical ones one-hot expanded, empty numeric cells
 * filled with the column's mean), and the same line without its label, which is what the family's
 * endpoint takes. One definition for both, so a prediction request is encoded exactly as the rows
 * the model was trained on (@mlops/predict encodes with featureEncoder, mlops_ingest with
 * rowEncoder and plainRowEncoder).
 */

/** What encoding needs of a column (mlops_ingest's schema.json columns have it all). */
export interface EncodingColumn {
  name: string;
  /** Its 0-based position in the source row. */
  index: number;
  role: 'label' | 'feature';
  type: 'numeric' | 'categorical';
  /** Categorical columns: the one-hot order. */
  categories?: readonly string[];
  /** Numeric features: the value that fills an empty cell. */
  mean?: number;
}

/** What encoding needs of a dataset's schema: its columns and its label (for classification, its classes). */
export interface EncodingSchema {
  columns: readonly EncodingColumn[];
  label: { index: number; classes?: readonly string[] };
}

/**
 * Whether String(Number(text)) === text for text[start, end), decided without converting: a plain
 * decimal (no sign but a leading minus, no exponent, no leading or trailing zeros that the
 * conversion would drop, not -0) with at most 15 significant digits, which every double
 * round-trips, and not below 1e-6, where the conversion switches to exponent notation. Numbers in
 * uploads almost always are written so, and the conversion was the most expensive step of encoding
 * a row (docs/PERFORMANCE.md).
 */
export function isCanonicalDecimal(text: string, start = 0, end = text.length): boolean {
  const n = end - start;
  if (n === 0 || n > 17) return false;
  let i = text.charCodeAt(start) === 45 ? start + 1 : start; // '-'
  if (i === end) return false;
  let digits = 0;
  if (text.charCodeAt(i) === 48) {
    // '0', '0.x', '-0.x'
    i++;
    if (i === end) return i === start + 1; // "0" (but not "-0")
    if (text.charCodeAt(i) !== 46) return false;
    i++;
    let zeros = 0;
    while (i < end && text.charCodeAt(i) === 48) {
      zeros++;
      i++;
    }
    if (i === end || zeros > 5) return false;
  } else {
    const lead = text.charCodeAt(i);
    if (lead < 49 || lead > 57) return false; // the integer part starts with 1-9
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 46) break;
      if (c < 48 || c > 57) return false;
      digits++;
    }
    if (i === end) return digits <= 15;
    i++; // '.'
    if (i === end) return false;
  }
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
    digits++;
  }
  return digits <= 15 && text.charCodeAt(end - 1) !== 48;
}

/** The channel's text of a number: what String(Number(text)) gives, without the conversion when it is the same. */
export function numberText(text: string): string {
  return isCanonicalDecimal(text) ? text : String(Number(text));
}

/** One encoder per feature column (in column order) and the source index each one reads. */
function featureEncoders(schema: EncodingSchema): { encoders: ((value: string) => string)[]; indexes: number[] } {
  const encoders = schema.columns
    .filter((c) => c.role === 'feature')
    .map((column): ((value: string) => string) => {
      if (column.type === 'numeric') {
        const fill = String(column.mean);
        return (value) => (value === '' ? fill : numberText(value));
      }
      const categories = column.categories ?? [];
      const oneHot = new Map(categories.map((c, i) => [c, categories.map((_, j) => (i === j ? '1' : '0')).join(',')]));
      // An empty cell is no category: all zeros.
      const none = categories.map(() => '0').join(',');
      return (value) => {
        if (value === '') return none;
        const encoded = oneHot.get(value);
        if (encoded === undefined) throw new Error(`value '${value}' of column '${column.name}' was not profiled (did the object change?)`);
        return encoded;
      };
    });
  const indexes = schema.columns.filter((c) => c.role === 'feature').map((c) => c.index);
  return { encoders, indexes };
}

/**
 * Encodes a parsed data row as a channel line (without the newline): the label first (a number,
 * or the class index), then every feature in column order, categorical ones one-hot expanded
 * and empty numeric cells filled with the column mean.
 */
export function rowEncoder(schema: EncodingSchema): (fields: readonly string[]) => string {
  const { label } = schema;
  const classIndex = new Map((label.classes ?? []).map((c, i) => [c, String(i)]));
  const encodeLabel = (value: string): string => {
    const encoded = label.classes ? classIndex.get(value) : numberText(value);
    if (encoded === undefined) throw new Error(`label '${value}' is not one of the profiled classes (did the object change?)`);
    return encoded;
  };
  const { encoders: features, indexes: featureIndexes } = featureEncoders(schema);
  return (fields) => {
    let line = encodeLabel(fields[label.index]!);
    for (let f = 0; f < features.length; f++) line += `,${features[f]!(fields[featureIndexes[f]!]!)}`;
    return line;
  };
}

/**
 * rowEncoder's line without its label: the features as the endpoint takes them (text/csv, one row
 * per line). `fields` is a source row (indexed like the schema's columns); the label's field is not read.
 */
export function featureEncoder(schema: EncodingSchema): (fields: readonly string[]) => string {
  const { encoders: features, indexes: featureIndexes } = featureEncoders(schema);
  return (fields) => {
    let line = '';
    for (let f = 0; f < features.length; f++) line += `${f === 0 ? '' : ','}${features[f]!(fields[featureIndexes[f]!]!)}`;
    return line;
  };
}

/**
 * rowEncoder for a plain CSV line whose fields FieldBounds found: the same channel line, built
 * from slices of the input. A run of numeric feature columns that are next to each other in the
 * source and written canonically (isCanonicalDecimal) is copied as one slice, commas included.
 */
export function plainRowEncoder(schema: EncodingSchema): (line: string, starts: Int32Array, ends: Int32Array) => string {
  const { label } = schema;
  const classIndex = new Map((label.classes ?? []).map((c, i) => [c, String(i)]));
  type Part =
    | { kind: 'run'; from: number; to: number; fills: string[] }
    | { kind: 'categorical'; index: number; name: string; oneHot: Map<string, string>; none: string };
  const parts: Part[] = [];
  for (const column of schema.columns.filter((c) => c.role === 'feature')) {
    if (column.type === 'numeric') {
      const last = parts[parts.length - 1];
      if (last?.kind === 'run' && last.to === column.index - 1) {
        last.to = column.index;
        last.fills.push(String(column.mean));
      } else {
        parts.push({ kind: 'run', from: column.index, to: column.index, fills: [String(column.mean)] });
      }
    } else {
      const categories = column.categories ?? [];
      parts.push({
        kind: 'categorical',
        index: column.index,
        name: column.name,
        oneHot: new Map(categories.map((c, i) => [c, categories.map((_, j) => (i === j ? '1' : '0')).join(',')])),
        none: categories.map(() => '0').join(','),
      });
    }
  }
  const numeric = (line: string, start: number, end: number, fill: string) => (start === end ? fill : isCanonicalDecimal(line, start, end) ? line.slice(start, end) : String(Number(line.slice(start, end))));
  return (line, starts, ends) => {
    const labelStart = starts[label.index]!;
    const labelEnd = ends[label.index]!;
    let out: string;
    if (label.classes) {
      const value = line.slice(labelStart, labelEnd);
      const encoded = classIndex.get(value);
      if (encoded === undefined) throw new Error(`label '${value}' is not one of the profiled classes (did the object change?)`);
      out = encoded;
    } else {
      out = isCanonicalDecimal(line, labelStart, labelEnd) ? line.slice(labelStart, labelEnd) : String(Number(line.slice(labelStart, labelEnd)));
    }
    for (const part of parts) {
      if (part.kind === 'categorical') {
        const start = starts[part.index]!;
        const end = ends[part.index]!;
        if (start === end) {
          out += `,${part.none}`;
          continue;
        }
        const value = line.slice(start, end);
        const encoded = part.oneHot.get(value);
        if (encoded === undefined) throw new Error(`value '${value}' of column '${part.name}' was not profiled (did the object change?)`);
        out += `,${encoded}`;
        continue;
      }
      let whole = true;
      for (let c = part.from; c <= part.to && whole; c++) {
        whole = isCanonicalDecimal(line, starts[c]!, ends[c]!) && (c === part.to || ends[c]! + 1 === starts[c + 1]!);
      }
      if (whole) {
        out += `,${line.slice(starts[part.from]!, ends[part.to]!)}`;
        continue;
      }
      for (let c = part.from; c <= part.to; c++) out += `,${numeric(line, starts[c]!, ends[c]!, part.fills[c - part.from]!)}`;
    }
    return out;
  };
}
