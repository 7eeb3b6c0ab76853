import { type ApiModel, type Shape, getOperation, getShape } from './model';

export interface ValidationIssue {
  /** AWS-style member path: lowerCamelCase members joined with dots, list items as `N.member` (1-based). */
  path: string;
  value: unknown;
  constraint: string;
}

export interface ValidateOptions {
  /** Report members the shape does not define (AWS ignores them; our own request builders should never send them). */
  rejectUnknownMembers?: boolean;
}

const patternCache = new Map<string, RegExp | null>();

/**
 * The models carry Java regular expressions (AWS validates with java.util.regex, full match).
 * Translate the few Java-only constructs they use into JavaScript; none of this exists in a library.
 */
export function javaPatternToRegExp(pattern: string): RegExp | null {
  if (patternCache.has(pattern)) return patternCache.get(pattern)!;
  const source = pattern
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$')
    .replace(/\\p\{Alnum\}/g, 'a-zA-Z0-9')
    .replace(/\\p\{Print\}/g, '\\x20-\\x7E')
    // `$` followed by a quantifier is an anchor repeated: meaningless in Java, an error in JS.
    .replace(/\$(\{\d+(,\d*)?\})/g, '');
  let re: RegExp | null;
  try {
    re = new RegExp(`^(?:${source})$`, 'u');
  } catch {
    re = null; // an untranslatable pattern is not enforced rather than enforced wrongly
  }
  patternCache.set(pattern, re);
  return re;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function join(path: string, segment: string): string {
  return path ? `${path}.${segment}` : segment;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}

function checkShape(model: ApiModel, shape: Shape, value: unknown, path: string, issues: ValidationIssue[], opts: ValidateOptions): void {
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        issues.push({ path, value, constraint: `Member must be a structure, not ${describeType(value)}` });
        return;
      }
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (record[name] === undefined || record[name] === null) {
          issues.push({ path: join(path, lowerFirst(name)), value: null, constraint: 'Member must not be null' });
        }
      }
      for (const [name, member] of Object.entries(record)) {
        if (member === undefined || member === null) continue;
        const ref = shape.members?.[name];
        if (!ref) {
          if (opts.rejectUnknownMembers) issues.push({ path: join(path, lowerFirst(name)), value: member, constraint: 'Member is not defined by the API model' });
          continue;
        }
        checkShape(model, getShape(model, ref.shape), member, join(path, lowerFirst(name)), issues, opts);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        issues.push({ path, value, constraint: `Member must be a list, not ${describeType(value)}` });
        return;
      }
      checkLength(shape, value.length, value, path, issues);
      const item = getShape(model, shape.member!.shape);
      value.forEach((v, i) => checkShape(model, item, v, join(path, `${i + 1}.member`), issues, opts));
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        issues.push({ path, value, constraint: `Member must be a map, not ${describeType(value)}` });
        return;
      }
      const entries = Object.entries(value as Record<string, unknown>);
      checkLength(shape, entries.length, value, path, issues);
      const keyShape = getShape(model, shape.key!.shape);
      const valueShape = getShape(model, shape.value!.shape);
      for (const [k, v] of entries) {
        checkShape(model, keyShape, k, join(path, 'key'), issues, opts);
        checkShape(model, valueShape, v, join(path, `${k}`), issues, opts);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') {
        issues.push({ path, value, constraint: `Member must be a string, not ${describeType(value)}` });
        return;
      }
      checkLength(shape, [...value].length, value, path, issues);
      if (shape.enum && !shape.enum.includes(value)) {
        issues.push({ path, value, constraint: `Member must satisfy enum value set: [${shape.enum.join(', ')}]` });
      }
      if (shape.pattern) {
        const re = javaPatternToRegExp(shape.pattern);
        if (re && !re.test(value)) issues.push({ path, value, constraint: `Member must satisfy regular expression pattern: ${shape.pattern}` });
      }
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        issues.push({ path, value, constraint: `Member must be an integer` });
        return;
      }
      checkRange(shape, value, path, issues);
      return;
    }
    case 'float':
    case 'double': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        issues.push({ path, value, constraint: `Member must be a number` });
        return;
      }
      checkRange(shape, value, path, issues);
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') issues.push({ path, value, constraint: 'Member must be a boolean' });
      return;
    case 'timestamp':
      if (!(value instanceof Date) && typeof value !== 'number' && typeof value !== 'string') {
        issues.push({ path, value, constraint: 'Member must be a timestamp' });
      }
      return;
    case 'blob':
      if (typeof value !== 'string' && !(value instanceof Uint8Array)) issues.push({ path, value, constraint: 'Member must be a blob' });
      return;
  }
}

function checkLength(shape: Shape, length: number, value: unknown, path: string, issues: ValidationIssue[]): void {
  if (shape.min !== undefined && length < shape.min) {
    issues.push({ path, value, constraint: `Member must have length greater than or equal to ${shape.min}` });
  }
  if (shape.max !== undefined && length > shape.max) {
    issues.push({ path, value, constraint: `Member must have length less than or equal to ${shape.max}` });
  }
}

function checkRange(shape: Shape, value: number, path: string, issues: ValidationIssue[]): void {
  if (shape.min !== undefined && value < shape.min) {
    issues.push({ path, value, constraint: `Member must have value greater than or equal to ${shape.min}` });
  }
  if (shape.max !== undefined && value > shape.max) {
    issues.push({ path, value, constraint: `Member must have value less than or equal to ${shape.max}` });
  }
}

/** Validates a value against a named shape of the model. */
export function validateShape(model: ApiModel, shapeName: string, value: unknown, opts: ValidateOptions = {}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  checkShape(model, getShape(model, shapeName), value, '', issues, opts);
  return issues;
}

/** Validates an operation's request (its input shape) as the AWS front end does. */
export function validateRequest(model: ApiModel, operation: string, input: unknown, opts: ValidateOptions = {}): ValidationIssue[] {
  const op = getOperation(model, operation);
  if (!op.input) return [];
  return validateShape(model, op.input.shape, input ?? {}, opts);
}

function renderValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return `'${String(value)}'`;
  return `'${JSON.stringify(value)}'`;
}

/** AWS's message: "1 validation error detected: Value 'x' at 'trainingJobName' failed to satisfy constraint: ...". */
export function formatValidationMessage(issues: ValidationIssue[]): string {
  const count = issues.length;
  const detail = issues.map((i) => `Value ${renderValue(i.value)} at '${i.path}' failed to satisfy constraint: ${i.constraint}`).join('; ');
  return `${count} validation error${count === 1 ? '' : 's'} detected: ${detail}`;
}
