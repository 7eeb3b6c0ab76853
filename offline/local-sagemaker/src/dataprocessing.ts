/**
 * Batch transform DataProcessing (InputFilter, JoinSource, OutputFilter), pure.
 *
 * SageMaker evaluates the filters as JSONPath. For CSV records the path addresses columns of the
 * row: `$` (the whole row), `$[i]`, `$[i,j,...]` and slices `$[a:b]`, `$[a:]`, `$[:b]` with
 * negative indexes counting from the end (slice ends are exclusive, as in Jayway JsonPath and
 * Python). Index lists may mix indexes and slices (`$[0,2:4]`). For JSON records: `$`, `.name`,
 * `['a','b']` (an object with those members), `[i]`, `[i,j]`, slices, `*` / `[*]`.
 * `JoinSource: Input` joins each output record with its original input record: for CSV the
 * prediction columns are appended to the input row; for JSON the output is added to the input
 * object as `SageMakerOutput` (or, for a non-object input, `{SageMakerInput, SageMakerOutput}`).
 * OutputFilter then selects from the joined record.
 */

export class DataProcessingError extends Error {}

type IndexItem = { index: number } | { start?: number; end?: number };
type Step = { type: 'names'; names: string[] } | { type: 'indexes'; items: IndexItem[] } | { type: 'wildcard' };

export interface JsonPath {
  source: string;
  steps: Step[];
}

export type RecordFormat = 'csv' | 'json';

function parseInteger(text: string, expr: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new DataProcessingError(`invalid index "${text}" in JSONPath ${expr}`);
  return Number(text.trim());
}

function parseIndexItems(body: string, expr: string): IndexItem[] {
  return body.split(',').map((part) => {
    const p = part.trim();
    if (p.includes(':')) {
      const [a, b, extra] = p.split(':');
      if (extra !== undefined) throw new DataProcessingError(`slice steps are not supported in JSONPath ${expr}`);
      const item: { start?: number; end?: number } = {};
      if (a!.trim() !== '') item.start = parseInteger(a!, expr);
      if (b!.trim() !== '') item.end = parseInteger(b!, expr);
      return item;
    }
    return { index: parseInteger(p, expr) };
  });
}

function parseNames(body: string, expr: string): string[] {
  const names: string[] = [];
  const re = /\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*(,|$)/y;
  let pos = 0;
  while (pos < body.length) {
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m) throw new DataProcessingError(`invalid member list [${body}] in JSONPath ${expr}`);
    names.push((m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'));
    pos = re.lastIndex;
    if (m[3] === '') break;
  }
  return names;
}

/** Parses the JSONPath subset SageMaker documents for DataProcessing. */
export function parseJsonPath(expr: string): JsonPath {
  const src = expr.trim();
  if (!src.startsWith('$')) throw new DataProcessingError(`JSONPath ${expr} must start with $`);
  const steps: Step[] = [];
  let i = 1;
  while (i < src.length) {
    const c = src[i];
    if (c === '.') {
      if (src[i + 1] === '*') {
        steps.push({ type: 'wildcard' });
        i += 2;
        continue;
      }
      const m = /^[A-Za-z0-9_$-]+/.exec(src.slice(i + 1));
      if (!m) throw new DataProcessingError(`invalid member name at position ${i + 1} in JSONPath ${expr}`);
      steps.push({ type: 'names', names: [m[0]] });
      i += 1 + m[0].length;
    } else if (c === '[') {
      const close = findClose(src, i);
      if (close < 0) throw new DataProcessingError(`unclosed [ in JSONPath ${expr}`);
      const body = src.slice(i + 1, close).trim();
      if (body === '*') steps.push({ type: 'wildcard' });
      else if (body.startsWith("'") || body.startsWith('"')) steps.push({ type: 'names', names: parseNames(body, expr) });
      else steps.push({ type: 'indexes', items: parseIndexItems(body, expr) });
      i = close + 1;
    } else {
      throw new DataProcessingError(`unexpected "${c}" at position ${i} in JSONPath ${expr}`);
    }
  }
  return { source: src, steps };
}

function findClose(src: string, open: number): number {
  let quote: string | undefined;
  for (let j = open + 1; j < src.length; j++) {
    const ch = src[j];
    if (quote) {
      if (ch === '\\') j++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === ']') return j;
  }
  return -1;
}

export function isIdentity(expr: string | undefined): boolean {
  return expr === undefined || expr.trim() === '' || expr.trim() === '$';
}

/** Positions selected by index items over a sequence of `length` elements. */
export function selectIndexes(items: IndexItem[], length: number, expr: string): number[] {
  const out: number[] = [];
  for (const item of items) {
    if ('index' in item) {
      const idx = item.index < 0 ? length + item.index : item.index;
      if (idx < 0 || idx >= length) throw new DataProcessingError(`index ${item.index} of JSONPath ${expr} is out of range for a record of ${length} fields`);
      out.push(idx);
    } else {
      const norm = (v: number) => Math.min(Math.max(v < 0 ? length + v : v, 0), length);
      const start = item.start === undefined ? 0 : norm(item.start);
      const end = item.end === undefined ? length : norm(item.end);
      for (let k = start; k < end; k++) out.push(k);
    }
  }
  return out;
}

// ---------------------------------------------------------------- CSV

/** Splits one CSV line into its raw fields (quotes kept, so re-joining preserves the text). */
export function splitCsvFields(line: string): string[] {
  const fields: string[] = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      if (inQuotes && line[i + 1] === '"') i++;
      else inQuotes = !inQuotes;
    } else if (ch === ',' && !inQuotes) {
      fields.push(line.slice(start, i));
      start = i + 1;
    }
  }
  fields.push(line.slice(start));
  return fields;
}

export function filterCsv(line: string, expr: string | undefined): string {
  if (isIdentity(expr)) return line;
  const path = parseJsonPath(expr!);
  if (path.steps.length !== 1 || path.steps[0]!.type !== 'indexes') {
    throw new DataProcessingError(`JSONPath ${expr} cannot be applied to CSV data: use $ or a column index form such as $[1:] or $[0,-1]`);
  }
  const fields = splitCsvFields(line);
  const picked = selectIndexes(path.steps[0]!.items, fields.length, expr!);
  return picked.map((i) => fields[i]).join(',');
}

export function joinCsv(input: string, output: string): string {
  return `${input},${output}`;
}

// ---------------------------------------------------------------- JSON

function applySteps(value: unknown, steps: Step[], expr: string): { value: unknown; multi: boolean } {
  let nodes: unknown[] = [value];
  let multi = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if (step.type === 'wildcard') {
        multi = true;
        if (Array.isArray(node)) next.push(...node);
        else if (node && typeof node === 'object') next.push(...Object.values(node));
      } else if (step.type === 'names') {
        if (!node || typeof node !== 'object' || Array.isArray(node)) continue;
        const obj = node as Record<string, unknown>;
        if (step.names.length === 1) {
          if (step.names[0]! in obj) next.push(obj[step.names[0]!]);
        } else {
          const picked: Record<string, unknown> = {};
          for (const n of step.names) if (n in obj) picked[n] = obj[n];
          next.push(picked);
        }
      } else {
        if (!Array.isArray(node)) continue;
        const single = step.items.length === 1 && 'index' in step.items[0]!;
        if (!single) multi = true;
        for (const idx of selectIndexes(step.items, node.length, expr)) next.push(node[idx]);
      }
    }
    nodes = next;
  }
  if (multi) return { value: nodes, multi };
  if (nodes.length === 0) throw new DataProcessingError(`JSONPath ${expr} selects nothing from the record`);
  return { value: nodes[0], multi };
}

export function evaluateJsonPath(value: unknown, expr: string): unknown {
  if (isIdentity(expr)) return value;
  return applySteps(value, parseJsonPath(expr).steps, expr).value;
}

export function filterJson(record: string, expr: string | undefined): string {
  if (isIdentity(expr)) return record;
  return JSON.stringify(evaluateJsonPath(parseJsonRecord(record), expr!));
}

function parseJsonRecord(record: string): unknown {
  try {
    return JSON.parse(record);
  } catch {
    throw new DataProcessingError(`record is not valid JSON: ${record.length > 80 ? record.slice(0, 80) + '...' : record}`);
  }
}

export function joinJson(input: string, output: string): string {
  const inValue = parseJsonRecord(input);
  let outValue: unknown;
  try {
    outValue = JSON.parse(output);
  } catch {
    outValue = output;
  }
  if (inValue && typeof inValue === 'object' && !Array.isArray(inValue)) {
    return JSON.stringify({ ...(inValue as Record<string, unknown>), SageMakerOutput: outValue });
  }
  return JSON.stringify({ SageMakerInput: inValue, SageMakerOutput: outValue });
}

// ---------------------------------------------------------------- records

/** The record format a MIME type implies (CSV or JSON), undefined for anything else. */
export function formatOf(mime: string | undefined): RecordFormat | undefined {
  const m = mime?.split(';')[0]?.trim().toLowerCase();
  if (!m) return undefined;
  if (m === 'text/csv' || m === 'application/csv') return 'csv';
  if (m === 'application/json' || m === 'application/jsonlines' || m === 'application/x-jsonlines' || m === 'application/jsonl') return 'json';
  return undefined;
}

function guessFormat(record: string): RecordFormat {
  const t = record.trimStart();
  return t.startsWith('{') || t.startsWith('[') ? 'json' : 'csv';
}

export interface DataProcessingSpec {
  InputFilter?: string;
  OutputFilter?: string;
  JoinSource?: string;
}

/** Applies a job's DataProcessing to records: `input()` before inference, `output()` after. */
export class RecordProcessor {
  private readonly inputFilter?: string;
  private readonly outputFilter?: string;
  readonly join: boolean;

  constructor(
    spec: DataProcessingSpec | undefined,
    private readonly contentType?: string,
    private readonly accept?: string,
  ) {
    this.inputFilter = isIdentity(spec?.InputFilter) ? undefined : spec!.InputFilter;
    this.outputFilter = isIdentity(spec?.OutputFilter) ? undefined : spec!.OutputFilter;
    this.join = spec?.JoinSource === 'Input';
    // Fail early on a malformed expression.
    if (this.inputFilter) parseJsonPath(this.inputFilter);
    if (this.outputFilter) parseJsonPath(this.outputFilter);
  }

  /** True when outputs must be matched record by record to inputs (join or output filter). */
  get perRecordOutput(): boolean {
    return this.join || this.outputFilter !== undefined;
  }

  get filtersInput(): boolean {
    return this.inputFilter !== undefined;
  }

  input(record: string): string {
    if (!this.inputFilter) return record;
    const format = formatOf(this.contentType) ?? guessFormat(record);
    return format === 'csv' ? filterCsv(record, this.inputFilter) : filterJson(record, this.inputFilter);
  }

  output(inputRecord: string, outputRecord: string): string {
    let record = outputRecord;
    let format: RecordFormat;
    if (this.join) {
      format = formatOf(this.contentType) ?? guessFormat(inputRecord);
      record = format === 'csv' ? joinCsv(inputRecord, outputRecord) : joinJson(inputRecord, outputRecord);
    } else {
      format = formatOf(this.accept) ?? guessFormat(outputRecord);
    }
    if (!this.outputFilter) return record;
    return format === 'csv' ? filterCsv(record, this.outputFilter) : filterJson(record, this.outputFilter);
  }
}
