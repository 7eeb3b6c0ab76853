// CSV as SageMaker's built-in algorithms read it: one record per line, plain
// comma-separated numbers, no header and no quoting.

/** One field of a record is not a usable number; `index` is 0-based. */
export class CsvFieldError extends Error {
  override name = 'CsvFieldError';
  constructor(
    readonly index: number,
    readonly reason: string,
  ) {
    super(`field ${index + 1} ${reason}`);
  }
}

const MAX_QUOTED = 24;

function quote(field: string): string {
  const shown = field.length > MAX_QUOTED ? `${field.slice(0, MAX_QUOTED)}...` : field;
  return `'${shown}'`;
}

/**
 * Parses one record into numbers. `Number()` alone would read '' and ' ' as 0,
 * so empty fields are rejected explicitly: XGBoost treats them as missing
 * values, which the models here cannot use.
 */
export function parseNumbers(line: string): number[] {
  const fields = line.split(',');
  const values = new Array<number>(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const value = Number(field);
    if (value === 0 && field.trim() === '') {
      throw new CsvFieldError(i, 'is empty (missing values are not supported)');
    }
    if (!Number.isFinite(value)) throw new CsvFieldError(i, `is not a number (got ${quote(field.trim())})`);
    values[i] = value;
  }
  return values;
}
