/**
 * Missing values: an empty cell, or one of the upload's NA values (DEFAULT_NA_VALUES unless
 * `mlops-na-values` gives others), matched whole and ignoring case. A missing feature cell is filled
 * (numeric: the column's mean; categorical: no category, every one-hot column 0) and counted per
 * column in schema.json; a missing label rejects the dataset (profile.ts).
 */
import { parseSimpleDecimal } from './schema';

export class MissingValues {
  /** The NA values in lower case. */
  private readonly lower: Set<string>;
  /** The longest NA value: a longer cell is not one, whatever it holds (no slice, no lower-casing). */
  private readonly longest: number;
  /** Whether an NA value reads as a number (`-999`): then numeric cells must be compared too. */
  readonly numeric: boolean;

  constructor(readonly values: readonly string[]) {
    this.lower = new Set(values.map((v) => v.toLowerCase()));
    this.longest = Math.max(0, ...values.map((v) => v.length));
    this.numeric = values.some((v) => Number.isFinite(Number(v)));
  }

  is(value: string): boolean {
    return value === '' || (value.length <= this.longest && this.lower.has(value.toLowerCase()));
  }

  /** `is` for text[start, end), without a slice for the cells that cannot be one. */
  isRange(text: string, start: number, end: number): boolean {
    if (start === end) return true;
    if (end - start > this.longest) return false;
    // A plain number is an NA value only when some NA value is a number.
    if (!this.numeric && !Number.isNaN(parseSimpleDecimal(text, start, end))) return false;
    return this.lower.has(text.slice(start, end).toLowerCase());
  }
}
