import { createHash, randomUUID } from 'node:crypto';
import { statesRuntime } from './errors';

/**
 * ASL intrinsic functions (JSONPath query language), evaluated here rather than by aws-local-stepfunctions:
 * the library strips every backslash from string results, so `States.JsonToString` of a value holding a
 * quote yields invalid JSON and `States.Format` loses backslashes from the values it inserts.
 *
 * Grammar (AWS "Intrinsic functions"): `States.Name(arg, ...)`; an argument is a string literal in single
 * quotes (`\'`, `\{`, `\}` and `\\` are the only escapes: "If an open escape backslash \ is found in the
 * intrinsic invocation string, the interpreter will throw"), a number, `true`/`false`/`null`, a path
 * (`$.x`, `$$.x`) or a nested call.
 */

type Arg =
  | { kind: 'literal'; value: unknown; raw?: string }
  | { kind: 'path'; path: string }
  | { kind: 'call'; call: Call };
interface Call {
  name: string;
  args: Arg[];
}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): Call {
    const call = this.call();
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail('unexpected text after the closing parenthesis');
    return call;
  }

  private fail(why: string): never {
    throw statesRuntime(`Invalid intrinsic function '${this.text}': ${why} (at position ${this.pos})`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private call(): Call {
    this.skipSpace();
    const match = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.pos));
    if (!match) this.fail('expected a States.* function name');
    this.pos += match[0].length;
    this.skipSpace();
    if (this.text[this.pos] !== '(') this.fail("expected '('");
    this.pos++;
    const args: Arg[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return { name: match[0], args };
    }
    for (;;) {
      args.push(this.arg());
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ')') return { name: match[0], args };
      if (c !== ',') this.fail("expected ',' or ')'");
    }
  }

  private arg(): Arg {
    this.skipSpace();
    const rest = this.text.slice(this.pos);
    if (rest.startsWith("'")) return this.stringLiteral();
    if (rest.startsWith('States.')) return { kind: 'call', call: this.call() };
    if (rest.startsWith('$')) return { kind: 'path', path: this.pathToken() };
    const token = /^[^,)\s]+/.exec(rest)?.[0];
    if (token === undefined) this.fail('expected an argument');
    this.pos += token.length;
    if (token === 'null') return { kind: 'literal', value: null };
    if (token === 'true' || token === 'false') return { kind: 'literal', value: token === 'true' };
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token)) return { kind: 'literal', value: Number(token) };
    return this.fail(`unsupported argument ${token}`);
  }

  /** Keeps `raw` (escapes intact) so States.Format can tell an escaped `\{\}` from a placeholder. */
  private stringLiteral(): Arg {
    const start = ++this.pos;
    let value = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (c === '\\') {
        const next = this.text[this.pos + 1];
        if (next === undefined) break;
        if (!"'{}\\".includes(next)) this.fail(`illegal escape sequence \\${next}`);
        value += next;
        this.pos += 2;
        continue;
      }
      if (c === "'") {
        const raw = this.text.slice(start, this.pos);
        this.pos++;
        return { kind: 'literal', value, raw };
      }
      value += c;
      this.pos++;
    }
    return this.fail('unterminated string literal');
  }

  /** A path runs to the next top-level `,` or `)`; brackets and quoted keys may contain either. */
  private pathToken(): string {
    const start = this.pos;
    let depth = 0;
    let quote: string | undefined;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!;
      if (quote) {
        if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '[' || c === '(') depth++;
      else if (c === ']' || (c === ')' && depth > 0)) depth--;
      else if ((c === ',' || c === ')') && depth === 0) break;
      this.pos++;
    }
    return this.text.slice(start, this.pos).trim();
  }
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function expect(fn: string, index: number, value: unknown, ...types: string[]): void {
  if (!types.includes(typeOf(value))) {
    throw statesRuntime(`${fn}: argument ${index + 1} must be ${types.join(' or ')}, got ${typeOf(value)}`);
  }
}

function expectInteger(fn: string, index: number, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw statesRuntime(`${fn}: argument ${index + 1} must be an integer`);
  return value;
}

function arity(fn: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    throw statesRuntime(`${fn} takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/** Deterministic PRNG (mulberry32) for a seeded States.MathRandom. */
function seededRandom(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const HASH_ALGORITHMS: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/**
 * A States.Format value as AWS renders it: strings as they are, JSON objects and arrays the way Java prints
 * its maps and lists (`{Arg1=1, Arg2=[]}`: AWS-validated `test_format_2` in LocalStack's intrinsic tests).
 */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${formatValue(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** AWS rounds non-integer arguments of the Math functions "to the nearest integer" (halves up: 1.5 → 2, -1.5 → -1). */
function roundedNumber(fn: string, index: number, value: unknown): number {
  expect(fn, index, value, 'number');
  return Math.round(value as number);
}

/** Renders the Format template: `{}` takes the next value, `\x` is a literal x. */
function format(raw: string, values: unknown[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      out += raw[++i];
    } else if (c === '{' && raw[i + 1] === '}') {
      if (next >= values.length) throw statesRuntime('States.Format: more placeholders than values');
      const value = values[next++];
      out += formatValue(value);
      i++;
    } else {
      out += c;
    }
  }
  if (next !== values.length) throw statesRuntime('States.Format: more values than placeholders');
  return out;
}

type Fn = (args: unknown[], raw: (string | undefined)[]) => unknown;

const FUNCTIONS: Record<string, Fn> = {
  'States.Format': (args, raw) => {
    const fn = 'States.Format';
    if (args.length < 1) throw statesRuntime(`${fn} needs a template`);
    expect(fn, 0, args[0], 'string');
    // A template that came from a path has no escapes to honour.
    const template = raw[0] ?? (args[0] as string).replace(/\\/g, '\\\\');
    return format(template, args.slice(1));
  },
  'States.StringToJson': (args) => {
    arity('States.StringToJson', args, 1);
    expect('States.StringToJson', 0, args[0], 'string');
    // AWS parses an empty or blank string to null (AWS-validated `test_string_to_json`).
    if ((args[0] as string).trim() === '') return null;
    try {
      return JSON.parse(args[0] as string) as unknown;
    } catch (e) {
      throw statesRuntime(`States.StringToJson: ${(e as Error).message}`);
    }
  },
  'States.JsonToString': (args) => {
    arity('States.JsonToString', args, 1);
    return JSON.stringify(args[0]);
  },
  'States.Array': (args) => args,
  'States.ArrayPartition': (args) => {
    arity('States.ArrayPartition', args, 2);
    expect('States.ArrayPartition', 0, args[0], 'array');
    const size = expectInteger('States.ArrayPartition', 1, args[1]);
    if (size <= 0) throw statesRuntime('States.ArrayPartition: chunk size must be positive');
    const array = args[0] as unknown[];
    const out: unknown[][] = [];
    for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
    return out;
  },
  'States.ArrayContains': (args) => {
    arity('States.ArrayContains', args, 2);
    expect('States.ArrayContains', 0, args[0], 'array');
    return (args[0] as unknown[]).some((item) => deepEqual(item, args[1]));
  },
  'States.ArrayRange': (args) => {
    arity('States.ArrayRange', args, 3);
    const [start, end, step] = args.map((a, i) => expectInteger('States.ArrayRange', i, a)) as [number, number, number];
    if (step === 0) throw statesRuntime('States.ArrayRange: step must not be 0');
    const out: number[] = [];
    for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
      out.push(v);
      if (out.length > 1000) throw statesRuntime('States.ArrayRange: the result cannot hold more than 1000 items');
    }
    return out;
  },
  'States.ArrayGetItem': (args) => {
    arity('States.ArrayGetItem', args, 2);
    expect('States.ArrayGetItem', 0, args[0], 'array');
    const index = expectInteger('States.ArrayGetItem', 1, args[1]);
    return (args[0] as unknown[])[index] ?? null;
  },
  'States.ArrayLength': (args) => {
    arity('States.ArrayLength', args, 1);
    expect('States.ArrayLength', 0, args[0], 'array');
    return (args[0] as unknown[]).length;
  },
  'States.ArrayUnique': (args) => {
    arity('States.ArrayUnique', args, 1);
    expect('States.ArrayUnique', 0, args[0], 'array');
    const array = args[0] as unknown[];
    return array.filter((item, i) => array.findIndex((other) => deepEqual(item, other)) === i);
  },
  'States.Base64Encode': (args) => {
    arity('States.Base64Encode', args, 1);
    expect('States.Base64Encode', 0, args[0], 'string');
    if ((args[0] as string).length > 10000) throw statesRuntime('States.Base64Encode: input exceeds 10,000 characters');
    return Buffer.from(args[0] as string, 'utf8').toString('base64');
  },
  'States.Base64Decode': (args) => {
    arity('States.Base64Decode', args, 1);
    expect('States.Base64Decode', 0, args[0], 'string');
    if ((args[0] as string).length > 10000) throw statesRuntime('States.Base64Decode: input exceeds 10,000 characters');
    return Buffer.from(args[0] as string, 'base64').toString('utf8');
  },
  'States.Hash': (args) => {
    arity('States.Hash', args, 2);
    expect('States.Hash', 1, args[1], 'string');
    const algorithm = HASH_ALGORITHMS[args[1] as string];
    if (!algorithm) throw statesRuntime(`States.Hash: unsupported algorithm ${String(args[1])}`);
    const data = typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
    return createHash(algorithm).update(data, 'utf8').digest('hex');
  },
  'States.JsonMerge': (args) => {
    arity('States.JsonMerge', args, 3);
    expect('States.JsonMerge', 0, args[0], 'object');
    expect('States.JsonMerge', 1, args[1], 'object');
    // AWS supports only the shallow mode: the third argument must be false.
    if (args[2] !== false) throw statesRuntime('States.JsonMerge: only shallow merging (false) is supported');
    return { ...(args[0] as object), ...(args[1] as object) };
  },
  'States.MathRandom': (args) => {
    arity('States.MathRandom', args, 2, 3);
    const start = roundedNumber('States.MathRandom', 0, args[0]);
    const end = roundedNumber('States.MathRandom', 1, args[1]);
    const r = args.length === 3 ? seededRandom(roundedNumber('States.MathRandom', 2, args[2])) : Math.random();
    return start + Math.floor(r * (end - start + 1));
  },
  'States.MathAdd': (args) => {
    arity('States.MathAdd', args, 2);
    return roundedNumber('States.MathAdd', 0, args[0]) + roundedNumber('States.MathAdd', 1, args[1]);
  },
  'States.StringSplit': (args) => {
    arity('States.StringSplit', args, 2);
    expect('States.StringSplit', 0, args[0], 'string');
    expect('States.StringSplit', 1, args[1], 'string');
    // AWS splits on each character of the delimiter argument ("This.is+a,test=string" with ".+,=").
    const delimiters = new Set(args[1] as string);
    const out: string[] = [];
    let current = '';
    for (const c of args[0] as string) {
      if (delimiters.has(c)) {
        if (current) out.push(current);
        current = '';
      } else current += c;
    }
    if (current) out.push(current);
    return out;
  },
  'States.UUID': (args) => {
    arity('States.UUID', args, 0);
    return randomUUID();
  },
};

function evaluateCall(call: Call, resolvePath: (path: string) => unknown): unknown {
  const fn = FUNCTIONS[call.name];
  if (!fn) throw statesRuntime(`Unknown intrinsic function ${call.name}`);
  const values = call.args.map((arg) =>
    arg.kind === 'literal' ? arg.value : arg.kind === 'path' ? resolvePath(arg.path) : evaluateCall(arg.call, resolvePath),
  );
  const raw = call.args.map((arg) => (arg.kind === 'literal' ? arg.raw : undefined));
  return fn(values, raw);
}

/** Parses an intrinsic function expression (definition-time check); throws States.Runtime when malformed. */
export function parseIntrinsic(expression: string): void {
  new Parser(expression.trim()).parse();
}

/** Evaluates an intrinsic function expression; paths are resolved by the caller (input and context). */
export function evaluateIntrinsic(expression: string, resolvePath: (path: string) => unknown): unknown {
  return evaluateCall(new Parser(expression.trim()).parse(), resolvePath);
}
