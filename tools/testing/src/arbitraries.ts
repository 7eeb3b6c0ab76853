/**
 * Malformed events driven by the zod contracts: walks a function's input schema next to a valid
 * sample event and, for every field the contract constrains, yields the ways to break it (remove a
 * required field, a value of the wrong JSON type, a string its regex / prefix / length refuses, a
 * value outside its enum or literal, a number that is fractional or out of range, an array or a
 * record key that is too short or too long). Each violation carries the dot path zod must report.
 *
 * Only JSON-representable values are produced: events reach a Lambda function as JSON.
 */
import fc from 'fast-check';
import { lambdaContextFor } from './lambda';

/** A zod (v4) schema, structurally: this package does not depend on zod itself. */
export interface ZodSchema {
  safeParse(input: unknown): { success: boolean };
}

export interface Violation {
  /** Where the event is changed; zod must report an issue at this path or below it. */
  path: string[];
  /** What kind of break, for failure messages (`missing`, `wrong type`, `regex`, ...). */
  kind: string;
  /** The replacement values; `REMOVE` deletes the field. */
  values: fc.Arbitrary<unknown>;
}

export const REMOVE = Symbol('remove the field');

/** Zod v4 keeps a schema's definition under `_zod.def`; only what the walk needs is typed here. */
interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  shape?: Record<string, ZodSchema>;
  innerType?: ZodSchema;
  element?: ZodSchema;
  keyType?: ZodSchema;
  valueType?: ZodSchema;
  entries?: Record<string, string | number>;
  values?: unknown[];
}
interface CheckDef {
  check: string;
  format?: string;
  pattern?: RegExp;
  prefix?: string;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
}
const defOf = (schema: ZodSchema) => (schema as unknown as { _zod: { def: Def } })._zod.def;
const checksOf = (def: Def) => (def.checks ?? []).map((c) => c._zod.def);

type Kind = 'null' | 'string' | 'number' | 'boolean' | 'array' | 'object';
const SAMPLES_OF_KIND: Record<Kind, unknown> = { null: null, string: 'text', number: 42, boolean: true, array: [], object: { unexpected: 1 } };
const ACCEPTS: Record<string, Kind[]> = {
  string: ['string'],
  number: ['number'],
  boolean: ['boolean'],
  object: ['object'],
  record: ['object'],
  array: ['array'],
};

/** Characters that break names, URIs and identifiers: separators, whitespace, case, non-ASCII, escapes. */
const HOSTILE = [' ', '_', '/', ':', '%', '\n', '\t', '"', '\\', '..', 'A', 'Ä', '数', '🙂', '\u0000', '-', '.', '*', '$', '{'];

/** Near misses of a valid string: one hostile character inserted, a prefix or suffix cut, or the value repeated past any length. */
function nearMisses(valid: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(fc.nat({ max: valid.length }), fc.constantFrom(...HOSTILE)).map(([at, c]) => valid.slice(0, at) + c + valid.slice(at)),
    fc.nat({ max: valid.length }).map((n) => valid.slice(n)),
    fc.nat({ max: valid.length }).map((n) => valid.slice(0, n)),
    fc.integer({ min: 2, max: 40 }).map((n) => valid.repeat(n)),
    fc.constantFrom('', ' ', valid.toUpperCase(), ` ${valid}`, `${valid}\n`),
  );
}
const anyString = fc.string({ unit: 'grapheme', maxLength: 80 });

function stringViolations(check: CheckDef, sample: unknown): { kind: string; values: fc.Arbitrary<unknown> }[] {
  const valid = typeof sample === 'string' ? sample : 'x';
  switch (check.check) {
    case 'string_format':
      if (check.format === 'starts_with') {
        const prefix = check.prefix!;
        return [{ kind: `not starting with ${prefix}`, values: fc.oneof(nearMisses(valid), anyString).filter((s) => !s.startsWith(prefix)) }];
      }
      if (check.pattern) {
        const pattern = new RegExp(check.pattern.source, check.pattern.flags.replace('g', ''));
        return [{ kind: `not matching ${pattern}`, values: fc.oneof(nearMisses(valid), anyString).filter((s) => !pattern.test(s)) }];
      }
      return [];
    case 'min_length':
      return check.minimum! > 0 ? [{ kind: `shorter than ${check.minimum}`, values: fc.string({ maxLength: check.minimum! - 1 }) }] : [];
    case 'max_length':
      return [{ kind: `longer than ${check.maximum}`, values: fc.string({ minLength: check.maximum! + 1, maxLength: check.maximum! + 20 }) }];
    default:
      return [];
  }
}

function numberViolations(check: CheckDef): { kind: string; values: fc.Arbitrary<unknown> }[] {
  switch (check.check) {
    case 'number_format':
      return check.format === 'safeint' || check.format === 'int32'
        ? [{ kind: 'not an integer', values: fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((x) => !Number.isInteger(x)) }]
        : [];
    case 'greater_than': {
      const min = check.value!;
      return [{ kind: `below ${min}`, values: fc.integer({ min: min - 1_000_000, max: check.inclusive ? min - 1 : min }) }];
    }
    case 'less_than': {
      const max = check.value!;
      return [{ kind: `above ${max}`, values: fc.integer({ min: check.inclusive ? max + 1 : max, max: max + 1_000_000 }) }];
    }
    default:
      return [];
  }
}

function outside(values: readonly unknown[]): fc.Arbitrary<unknown> {
  const strings = values.filter((v): v is string => typeof v === 'string');
  const variants = strings.flatMap((v) => [v.toUpperCase(), v.charAt(0).toUpperCase() + v.slice(1), ` ${v}`, `${v} `, `${v}s`]);
  return fc.oneof(anyString, ...(variants.length ? [fc.constantFrom(...variants)] : [])).filter((v) => !values.includes(v));
}

interface WalkOptions {
  /** Recurse into every element of a sample array (default: only the first). */
  everyElement?: boolean;
}

/**
 * Every violation of `schema` reachable from `sample`. Optional fields absent from the sample are
 * visited too (the mutation creates their parents), so an invalid optional value is caught as well.
 */
export function violationsOf(schema: ZodSchema, sample: unknown, options: WalkOptions = {}): Violation[] {
  const out: Violation[] = [];
  const walk = (node: ZodSchema, value: unknown, path: string[], present: boolean, required: boolean): void => {
    let def = defOf(node);
    let optional = false;
    while (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') {
      optional ||= def.type !== 'nullable';
      node = def.innerType!;
      def = defOf(node);
    }
    if (present && required && !optional && path.length > 0) out.push({ path, kind: 'missing', values: fc.constant(REMOVE) });

    const accepted: Kind[] =
      ACCEPTS[def.type] ?? (def.type === 'enum' ? [...new Set(Object.values(def.entries!).map((v) => typeof v as Kind))] : def.type === 'literal' ? [...new Set(def.values!.map((v) => (v === null ? 'null' : typeof v) as Kind))] : []);
    if (accepted.length > 0) {
      const wrong = (Object.keys(SAMPLES_OF_KIND) as Kind[]).filter((k) => !accepted.includes(k)).map((k) => SAMPLES_OF_KIND[k]);
      out.push({ path, kind: 'wrong type', values: fc.constantFrom(...wrong) });
    }

    switch (def.type) {
      case 'string':
        for (const check of checksOf(def)) for (const v of stringViolations(check, value)) out.push({ path, ...v });
        break;
      case 'number':
        for (const check of checksOf(def)) for (const v of numberViolations(check)) out.push({ path, ...v });
        break;
      case 'enum':
        out.push({ path, kind: 'not in the enum', values: outside(Object.values(def.entries!)) });
        break;
      case 'literal':
        out.push({ path, kind: 'not the literal', values: outside(def.values!) });
        break;
      case 'object':
        for (const [key, child] of Object.entries(def.shape!)) {
          const childValue = present && value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
          walk(child, childValue, [...path, key], present && childValue !== undefined, true);
        }
        break;
      case 'array': {
        const items = Array.isArray(value) ? value : [];
        for (const check of checksOf(def)) {
          if (check.check === 'min_length' && check.minimum! > 0) out.push({ path, kind: `fewer than ${check.minimum} items`, values: fc.constant(items.slice(0, check.minimum! - 1)) });
          if (check.check === 'max_length') {
            const filler = items[0] ?? 'x';
            out.push({ path, kind: `more than ${check.maximum} items`, values: fc.constant(Array.from({ length: check.maximum! + 1 }, () => structuredClone(filler))) });
          }
        }
        const indexes = items.length === 0 ? [0] : options.everyElement ? items.map((_, i) => i) : [0];
        for (const i of indexes) walk(def.element!, items[i], [...path, String(i)], items[i] !== undefined, false);
        break;
      }
      case 'record': {
        // Keys: each key check broken in turn (zod reports the key's path, below the record's).
        const keyDef = defOf(def.keyType!);
        for (const check of checksOf(keyDef)) {
          for (const v of stringViolations(check, 'key')) out.push({ path, kind: `key ${v.kind}`, values: v.values.map((key) => ({ [key as string]: 'value' })) });
        }
        walk(def.valueType!, undefined, [...path, 'key'], false, false);
        break;
      }
      default:
        break;
    }
  };
  walk(schema, sample, [], true, true);
  return out;
}

/** A deep copy of `doc` with `path` set to `value` (or removed), creating missing parents. */
export function mutate(doc: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value === REMOVE ? undefined : value;
  const copy = structuredClone(doc) as Record<string, unknown>;
  let node = copy;
  path.slice(0, -1).forEach((key, i) => {
    if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = /^\d+$/.test(path[i + 1]!) ? [] : {};
    node = node[key] as Record<string, unknown>;
  });
  const last = path[path.length - 1]!;
  if (value === REMOVE) delete node[last];
  else node[last] = value;
  return copy;
}

export interface MalformedEvent {
  event: unknown;
  /** The dot path the validation error must name ('' for the event itself). */
  path: string;
  kind: string;
}

/** One arbitrary over every violation of the contract, each with its expected path. */
export function malformedEvents(schema: ZodSchema, sample: unknown, options: WalkOptions & { extra?: Violation[] } = {}): fc.Arbitrary<MalformedEvent> {
  const violations = [...violationsOf(schema, sample, options), ...(options.extra ?? [])];
  return fc.constantFrom(...violations).chain((v) => v.values.map((value) => ({ event: mutate(sample, v.path, value), path: v.path.join('.'), kind: v.kind })));
}

/** Does a validation error name `path`: an issue at it or below it (a record key, an array element)? */
export function namesPath(issues: readonly { path: string }[], path: string): boolean {
  return issues.some((issue) => issue.path === path || (path !== '' && issue.path.startsWith(`${path}.`)));
}

export interface SdkMock {
  calls(): unknown[];
  resetHistory(): void;
}

export interface ViolationSweep {
  /** The function's name as its errors spell it (`Invalid <name> input: ...`). */
  name: string;
  handler: (event: unknown, context: import('aws-lambda').Context) => Promise<unknown>;
  schema: ZodSchema;
  /** A valid event (the function's sample); every case breaks exactly one thing in it. */
  sample: unknown;
  /** Every SDK client mocked (aws-sdk-client-mock), by name: none may be called. */
  mocks: Record<string, SdkMock>;
  /** Generated values per violation. Default 8. */
  runsPerViolation?: number;
  everyElement?: boolean;
  /** Contract rules zod does not express (checked by the handler before any AWS call). */
  extra?: Violation[];
}

const preview = (value: unknown) => {
  const text = value === REMOVE ? '(removed)' : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 80)}...` : text;
};

/**
 * Invokes the handler with every violation of its contract (each `runsPerViolation` times with
 * generated values) and checks each is refused the same way: an `InputValidationError` whose
 * issues and message name the broken field, and not a single SDK call. Returns what it ran.
 */
export async function sweepViolations(sweep: ViolationSweep): Promise<{ violations: Violation[]; cases: number }> {
  const { name, handler, schema, sample, mocks } = sweep;
  if (!schema.safeParse(sample).success) throw new Error(`the sample event of ${name} does not satisfy its own contract`);
  const violations = [...violationsOf(schema, sample, { everyElement: sweep.everyElement }), ...(sweep.extra ?? [])];
  const context = lambdaContextFor(`mlops-test-${name}`);
  let cases = 0;
  for (const violation of violations) {
    const path = violation.path.join('.');
    const details = await fc.check(
      fc.asyncProperty(violation.values, async (value) => {
        cases++;
        for (const mock of Object.values(mocks)) mock.resetHistory();
        const event = mutate(sample, violation.path, value);
        const error = (await handler(event, context).then(
          () => undefined,
          (e: unknown) => e,
        )) as { name?: string; message?: string; issues?: { path: string; message: string }[] } | undefined;
        const where = `${name}: ${violation.kind} at '${path || '(root)'}' = ${preview(value)}`;
        if (!error) throw new Error(`${where}: the handler accepted it`);
        if (error.name !== 'InputValidationError') throw new Error(`${where}: threw ${error.name}: ${error.message}`);
        if (!namesPath(error.issues ?? [], path)) throw new Error(`${where}: the issues name ${JSON.stringify(error.issues?.map((i) => i.path))}`);
        if (!error.message?.startsWith(`Invalid ${name} input: `) || !error.message.includes(path || '(root)')) throw new Error(`${where}: the message does not name it: ${error.message}`);
        for (const [client, mock] of Object.entries(mocks)) {
          if (mock.calls().length > 0) throw new Error(`${where}: ${mock.calls().length} ${client} call(s) before the rejection`);
        }
      }),
      { numRuns: sweep.runsPerViolation ?? 8 },
    );
    if (details.failed) {
      const reason = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      throw new Error(`${reason} (fast-check seed ${details.seed}, path ${details.counterexamplePath})`);
    }
  }
  return { violations, cases };
}
