/** Shared readers of positionals and option values; each mistake names the argument. */
import { UsageError } from '../errors';

export function positional(positionals: string[], index: number, name: string): string {
  const value = positionals[index];
  if (value === undefined || value === '') throw new UsageError(`missing <${name}>`);
  return value;
}

export function noMorePositionals(positionals: string[], count: number): void {
  if (positionals.length > count) throw new UsageError(`unexpected argument '${positionals[count]}'`);
}

/** A model version: a positive integer, `3` or `v3`. */
export function versionNumber(text: string, what: string): number {
  const match = /^v?(\d+)$/.exec(text);
  const value = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`${what}: must be a version number such as 3 (got '${text}')`);
  return value;
}

export function positiveInt(text: string, what: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) throw new UsageError(`${what}: must be a positive integer (got '${text}')`);
  return value;
}

/** SageMaker's ApprovalDescription: at most 1024 characters. */
export function reasonText(text: string | undefined, required: boolean): string | undefined {
  if (text === undefined || text.trim() === '') {
    if (required) throw new UsageError(`--reason <text> is required (it is recorded as the version's ApprovalDescription)`);
    return undefined;
  }
  if (text.length > 1024) throw new UsageError(`--reason: at most 1024 characters (got ${text.length})`);
  return text;
}

export const str = (value: string | boolean | (string | boolean)[] | undefined) => (typeof value === 'string' ? value : undefined);

/** A repeatable option's values (`multiple: true`), in command-line order. */
export const strings = (value: string | boolean | (string | boolean)[] | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string');
