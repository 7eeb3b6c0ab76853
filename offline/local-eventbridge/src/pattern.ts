// EventBridge event patterns: validation and matching, written by hand.
//
// Why by hand: no event-pattern matcher is installable here. The npm registry mirror has no
// `event-ruler`, `@aws/event-ruler` or `eb-patterns`; the one EventBridge emulator it lists,
// `serverless-offline-aws-eventbridge`, is a Serverless Framework plugin, not a matcher library. The
// engine EventBridge itself runs (aws/event-ruler) is Java. So this file implements the semantics
// AWS documents:
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
//   - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
// and, where the guide is silent, follows aws/event-ruler (JsonRuleCompiler.java for what a valid
// pattern is and the reason texts of InvalidEventPatternException; README "JSON Array Matching" for
// array consistency) and behaviour recorded against AWS's TestEventPattern API (for example: 300.0 in
// an event matches [300]; anything-but matches null, but not a missing field; keys join with dots, so
// {"a": {"b": [..]}} and {"a.b": [..]} are the same field).
//
// Model (the same as event-ruler's): a pattern compiles to one or more sub-rules ($or multiplies
// them out), each a map from a dot-joined field path to the values allowed there (OR). An event is
// flattened to its leaves (string, number, boolean, null), each with its dot-joined path and the
// array elements it sits in. A sub-rule matches when every field has a leaf at its path whose value
// one of the field's values allows (AND across fields), and the leaves chosen never sit in different
// elements of the same array. `exists: false` holds for a field with no leaf at all: objects and
// empty arrays are not leaves, so it also holds where the event has an object at that path.

import { type CidrRange, compareBytes, inRange, parseCidr, parseIp } from './ip';

/** Thrown for a pattern EventBridge would reject; `message` reads as AWS's does. */
export class InvalidEventPatternException extends Error {
  override readonly name = 'InvalidEventPatternException';
  /** The text after "Reason: ". */
  readonly reason: string;
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.reason = reason;
  }
}

type Scalar = string | number | boolean | null;

interface Bound {
  value: number;
  inclusive: boolean;
}

type Matcher =
  | { kind: 'exact'; value: Scalar; ip?: Uint8Array }
  | { kind: 'prefix' | 'suffix' | 'equals-ignore-case'; value: string; ignoreCase: boolean }
  | { kind: 'wildcard'; regex: RegExp }
  | { kind: 'numeric'; lower?: Bound; upper?: Bound }
  | { kind: 'cidr'; range: CidrRange }
  | { kind: 'exists'; value: boolean }
  | { kind: 'anything-but'; excluded: (value: Scalar) => boolean };

type SubRule = Map<string, Matcher[]>;

/** A validated pattern, ready to test events against. */
export interface CompiledPattern {
  /** How many sub-rules the pattern expands to ($or multiplies them out); 1 without $or. */
  readonly subRuleCount: number;
  matches(event: unknown): boolean;
}

/**
 * Documented limit: "APIs that accept an event pattern ... will throw an InvalidEventPatternException
 * if the use of $or results in over 1000 rule combinations" (eb-event-patterns-content-based-filtering).
 */
export const MAX_OR_COMBINATIONS = 1000;

/**
 * Numeric matching "is limited to values between -5.0e9 and +5.0e9 inclusive" (the content-filtering
 * page of the EventBridge guide); the reason text is event-ruler's for a number outside that range.
 */
export const NUMERIC_LIMIT = 5.0e9;
const NUMERIC_LIMIT_REASON = 'Value must be between -5.0E9 and 5.0E9, inclusive';

const ONE_KEY = 'Only one key allowed in match expression';
const TOO_MANY_ELEMENTS = 'Too many elements in numeric expression';
const OR = '$or';
// Field names event-ruler refuses inside a $or branch (Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP).
const RESERVED_IN_OR = new Set([
  'exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr',
  '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case',
  'date-after', 'date-on-or-after', 'date-before', 'date-on-or-before', 'in-date-range',
  'ip-address-in-range', 'ip-address-not-in-range',
]);

function bad(reason: string): never {
  throw new InvalidEventPatternException(reason);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// Compiling (validation)

/**
 * Validates an event pattern (an object, or its JSON text as PutRule takes it) and compiles it.
 * Throws InvalidEventPatternException with EventBridge's reason text for a pattern it would reject.
 */
export function compilePattern(pattern: unknown): CompiledPattern {
  let root = pattern;
  if (typeof root === 'string') {
    try {
      root = JSON.parse(root);
    } catch (e) {
      bad((e as Error).message);
    }
  }
  if (!isObject(root)) bad('Filter is not an object');
  const rules: SubRule[] = [];
  parseObject(rules, [], root, false);
  if (rules.length > MAX_OR_COMBINATIONS) {
    // AWS documents the limit, not its reason text: this wording is ours.
    bad(`The use of ${OR} results in ${rules.length} rule combinations, more than the limit of ${MAX_OR_COMBINATIONS}`);
  }
  return {
    subRuleCount: rules.length,
    matches: (event) => {
      const leaves = flatten(typeof event === 'string' ? JSON.parse(event) : event);
      return rules.some((rule) => matchSubRule(rule, leaves));
    },
  };
}

/** Throws InvalidEventPatternException when EventBridge would reject the pattern (PutRule, TestEventPattern). */
export function validatePattern(pattern: unknown): void {
  compilePattern(pattern);
}

const compiledByObject = new WeakMap<object, CompiledPattern>();
const compiledByText = new Map<string, CompiledPattern>();

/**
 * Whether `event` matches `pattern`, as EventBridge's TestEventPattern answers. Either may be an
 * object or JSON text. An invalid pattern throws InvalidEventPatternException.
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  let compiled: CompiledPattern | undefined;
  if (typeof pattern === 'object' && pattern !== null) {
    compiled = compiledByObject.get(pattern);
    if (!compiled) compiledByObject.set(pattern, (compiled = compilePattern(pattern)));
  } else if (typeof pattern === 'string') {
    compiled = compiledByText.get(pattern);
    if (!compiled) {
      compiled = compilePattern(pattern);
      if (compiledByText.size >= 256) compiledByText.clear();
      compiledByText.set(pattern, compiled);
    }
  } else {
    compiled = compilePattern(pattern);
  }
  return compiled.matches(event);
}

function parseObject(rules: SubRule[], path: string[], obj: Record<string, unknown>, inOr: boolean): void {
  const keys = Object.keys(obj);
  if (keys.length === 0) bad('Empty objects are not allowed');
  for (const key of keys) {
    const value = obj[key];
    if (key === OR) {
      parseOr(rules, path, value);
      continue;
    }
    if (inOr && RESERVED_IN_OR.has(key)) bad(`${key} is Ruler reserved fieldName which cannot be used inside ${OR}.`);
    if (isObject(value)) parseObject(rules, [...path, key], value, inOr);
    else if (Array.isArray(value)) writeField(rules, [...path, key].join('.'), value);
    else bad(`"${key}" must be an object or an array`);
  }
}

function parseOr(rules: SubRule[], path: string[], value: unknown): void {
  if (!Array.isArray(value)) bad(`It must be an Array followed with ${OR}.`);
  const current = rules.map((r) => new Map(r));
  rules.length = 0;
  for (const branch of value) {
    if (!isObject(branch)) bad(`Only JSON object is allowed in array of ${OR} relationship.`);
    const next = current.length > 0 ? current.map((r) => new Map(r)) : [new Map()];
    parseObject(next, path, branch, true);
    rules.push(...next);
    if (rules.length > 100 * MAX_OR_COMBINATIONS) break; // rejected below; stop multiplying
  }
  if (value.length < 2) bad(`There must have at least 2 Objects in ${OR} relationship.`);
}

function writeField(rules: SubRule[], name: string, values: unknown[]): void {
  const matchers = values.map((v): Matcher => {
    if (isObject(v)) return matchExpression(v);
    if (typeof v === 'string') return { kind: 'exact', value: v, ip: parseIp(v) };
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) return { kind: 'exact', value: v };
    return bad('Match value must be String, number, true, false, or null');
  });
  if (matchers.length === 0) bad('Empty arrays are not allowed');
  if (rules.length === 0) rules.push(new Map());
  // A field given twice (a $or branch repeating an outer field) keeps the last one, as the guide says
  // of repeated keys ("the last reference will be the one used to evaluate events").
  for (const rule of rules) rule.set(name, matchers);
}

function matchExpression(expr: Record<string, unknown>): Matcher {
  const keys = Object.keys(expr);
  if (keys.length === 0) bad('Match expression name not found');
  const op = keys[0]!;
  const value = expr[op];
  const extra = keys.length > 1;
  switch (op) {
    case 'exactly': {
      // event-ruler's explicit exact match; not in the EventBridge guide, accepted because the engine does.
      if (typeof value !== 'string') bad('exact match pattern must be a string');
      if (extra) bad(ONE_KEY);
      return { kind: 'exact', value };
    }
    case 'prefix':
    case 'suffix': {
      if (isObject(value)) {
        const m = affixIgnoreCase(op, value);
        if (extra) bad(ONE_KEY);
        return m;
      }
      if (typeof value !== 'string') bad(`${op} match pattern must be a string`);
      if (extra) bad(ONE_KEY);
      return { kind: op, value, ignoreCase: false };
    }
    case 'numeric': {
      if (!Array.isArray(value)) bad('Value of numeric must be an array.');
      const m = numeric(value);
      if (extra) bad(TOO_MANY_ELEMENTS);
      return m;
    }
    case 'anything-but':
      return anythingBut(value, extra);
    case 'exists': {
      if (value !== true && value !== false) bad('exists match pattern must be either true or false.');
      if (extra) bad(ONE_KEY);
      return { kind: 'exists', value };
    }
    case 'cidr': {
      // "prefix match pattern" is what EventBridge answers for a non-string cidr value.
      if (typeof value !== 'string') bad('prefix match pattern must be a string');
      let range: CidrRange;
      try {
        range = parseCidr(value);
      } catch (e) {
        bad((e as Error).message);
      }
      if (extra) bad(ONE_KEY);
      return { kind: 'cidr', range };
    }
    case 'equals-ignore-case': {
      if (typeof value !== 'string') bad('equals-ignore-case match pattern must be a string');
      if (extra) bad(ONE_KEY);
      return { kind: 'equals-ignore-case', value, ignoreCase: true };
    }
    case 'wildcard': {
      if (typeof value !== 'string') bad('wildcard match pattern must be a string');
      const regex = wildcard(value);
      if (extra) bad(ONE_KEY);
      return { kind: 'wildcard', regex };
    }
    default:
      return bad(`Unrecognized match type ${op}`);
  }
}

function affixIgnoreCase(op: 'prefix' | 'suffix', inner: Record<string, unknown>): Matcher {
  const keys = Object.keys(inner);
  const title = op === 'prefix' ? 'Prefix' : 'Suffix';
  if (keys.length === 0) bad(`${title} expression name not found`);
  if (keys[0] !== 'equals-ignore-case') bad(`Unsupported ${op} pattern: ${keys[0]}`);
  const value = inner['equals-ignore-case'];
  if (typeof value !== 'string') bad('equals-ignore-case match pattern must be a string');
  if (keys.length > 1) bad(ONE_KEY);
  return { kind: op, value, ignoreCase: true };
}

type AnythingButKind = 'plain' | 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard';

function anythingBut(raw: unknown, outerExtra: boolean): Matcher {
  let kind: AnythingButKind = 'plain';
  let value = raw;
  let innerExtra = false;
  if (isObject(raw)) {
    const keys = Object.keys(raw);
    if (keys.length === 0) bad('Anything-But expression name not found');
    const inner = keys[0]!;
    if (inner !== 'equals-ignore-case' && inner !== 'prefix' && inner !== 'suffix' && inner !== 'wildcard') {
      bad(`Unsupported anything-but pattern: ${inner}`);
    }
    kind = inner;
    value = raw[inner];
    innerExtra = keys.length > 1;
  }
  if (!Array.isArray(value) && typeof value !== 'string' && typeof value !== 'number') {
    bad('Value of anything-but must be an array or single string/number value.');
  }
  let excluded: (v: Scalar) => boolean;
  if (kind === 'plain') {
    const list = Array.isArray(value) ? value : [value];
    let strings = 0;
    let numbers = 0;
    for (const v of list) {
      if (typeof v === 'string') strings++;
      else if (typeof v === 'number') numbers += checkNumber(v) === v ? 1 : 0;
      else bad('Inside anything but list, start|null|boolean is not supported.');
    }
    if ((strings > 0) === (numbers > 0)) bad('Inside anything but list, either all values are number or string, mixed type is not supported');
    if (numbers > 0) {
      const set = list as number[];
      excluded = (v) => typeof v === 'number' && set.includes(v);
    } else {
      const set = new Set(list as string[]);
      excluded = (v) => typeof v === 'string' && set.has(v);
    }
  } else {
    const list = Array.isArray(value) ? value : [value];
    for (const v of list) {
      if (typeof v !== 'string') {
        bad(
          kind === 'equals-ignore-case'
            ? 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'
            : kind === 'wildcard'
              ? 'wildcard match pattern must be a string'
              : 'prefix/suffix match pattern must be a string',
        );
      }
      if ((kind === 'prefix' || kind === 'suffix') && v === '') bad('Null prefix/suffix not allowed');
    }
    const strings = list as string[];
    if (kind === 'equals-ignore-case') excluded = (v) => typeof v === 'string' && strings.some((s) => equalsIgnoreCase(v, s));
    else if (kind === 'prefix') excluded = (v) => typeof v === 'string' && strings.some((s) => v.startsWith(s));
    else if (kind === 'suffix') excluded = (v) => typeof v === 'string' && strings.some((s) => v.endsWith(s));
    else {
      const regexes = strings.map(wildcard);
      excluded = (v) => typeof v === 'string' && regexes.some((r) => r.test(v));
    }
  }
  if (innerExtra || outerExtra) bad(TOO_MANY_ELEMENTS);
  return { kind: 'anything-but', excluded };
}

function checkNumber(n: number): number {
  if (!(n >= -NUMERIC_LIMIT && n <= NUMERIC_LIMIT)) bad(NUMERIC_LIMIT_REASON);
  return n;
}

/** The text a JSON parser reports for the token at `i` (event-ruler quotes the token in some reasons). */
function tokenText(list: unknown[], i: number): string {
  if (i >= list.length) return ']';
  const v = list[i];
  if (Array.isArray(v)) return '[';
  if (isObject(v)) return '{';
  return String(v);
}

function numeric(list: unknown[]): Matcher {
  const first = list[0];
  if (typeof first !== 'string') bad(`Invalid member in numeric match: ${tokenText(list, 0)}`);
  const isNum = (i: number) => typeof list[i] === 'number';
  const num = (i: number) => list[i] as number;
  switch (first) {
    case '=': {
      if (!isNum(1)) bad('Value of = must be numeric');
      if (list.length > 2) bad(TOO_MANY_ELEMENTS);
      const v = checkNumber(num(1));
      return { kind: 'numeric', lower: { value: v, inclusive: true }, upper: { value: v, inclusive: true } };
    }
    case '>':
    case '>=': {
      if (!isNum(1)) bad(`Value of ${first} must be numeric`);
      const lower = { value: num(1), inclusive: first === '>=' };
      if (list.length === 2) {
        checkNumber(lower.value);
        return { kind: 'numeric', lower };
      }
      const op = list[2];
      if (typeof op !== 'string') bad(`Bad value in numeric range: ${tokenText(list, 2)}`);
      if (op !== '<' && op !== '<=') bad(`Bad numeric range operator: ${op}`);
      if (!isNum(3)) bad(`Value of ${op} must be numeric`);
      if (list.length > 4) bad('Too many terms in numeric range expression');
      const upper = { value: checkNumber(num(3)), inclusive: op === '<=' };
      checkNumber(lower.value);
      if (!(lower.value < upper.value)) bad('Bottom must be less than top');
      return { kind: 'numeric', lower, upper };
    }
    case '<':
    case '<=': {
      if (!isNum(1)) bad(`Value of ${first} must be numeric`);
      if (list.length > 2) bad(TOO_MANY_ELEMENTS);
      return { kind: 'numeric', upper: { value: checkNumber(num(1)), inclusive: first === '<=' } };
    }
    default:
      return bad(`Unrecognized numeric range operator: ${first}`);
  }
}

/**
 * `*` matches any run of characters (none included); `\*` is a literal asterisk and `\\` a literal
 * backslash; two `*` in a row and any other escape are rejected, at the position event-ruler reports
 * (a UTF-8 byte offset into the quoted value, so the first character is at 1).
 */
function wildcard(text: string): RegExp {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x2a && bytes[i + 1] === 0x2a) bad(`Consecutive wildcard characters at pos ${i + 1}`);
    if (b === 0x5c) {
      if (bytes[i + 1] === 0x2a || bytes[i + 1] === 0x5c) i++;
      else bad(`Invalid escape character at pos ${i + 1}`);
    }
  }
  let source = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '*') source += '[\\s\\S]*';
    else if (c === '\\') source += escapeRegex(text[++i]!);
    else source += escapeRegex(c);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function equalsIgnoreCase(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// Matching

interface Leaf {
  value: Scalar;
  /** [array id, element index] for each array this leaf sits in, outermost first. */
  arrays: ReadonlyArray<readonly [number, number]>;
}

function flatten(event: unknown): Map<string, Leaf[]> {
  const leaves = new Map<string, Leaf[]>();
  let nextArray = 0;
  const visit = (node: unknown, path: string | undefined, arrays: ReadonlyArray<readonly [number, number]>): void => {
    if (Array.isArray(node)) {
      const id = nextArray++;
      node.forEach((element, index) => visit(element, path, [...arrays, [id, index]]));
    } else if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) visit(value, path === undefined ? key : `${path}.${key}`, arrays);
    } else if (path !== undefined && (node === null || typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean')) {
      let list = leaves.get(path);
      if (!list) leaves.set(path, (list = []));
      list.push({ value: node, arrays });
    }
  };
  visit(event, undefined, []);
  return leaves;
}

function matchSubRule(rule: SubRule, leaves: Map<string, Leaf[]>): boolean {
  const choices: Leaf[][] = [];
  for (const [path, matchers] of rule) {
    const atPath = leaves.get(path);
    if (!atPath) {
      if (matchers.some((m) => m.kind === 'exists' && !m.value)) continue;
      return false;
    }
    const candidates = atPath.filter((leaf) => matchers.some((m) => matchValue(m, leaf.value)));
    if (candidates.length === 0) return false;
    choices.push(candidates);
  }
  if (choices.every((list) => list.every((leaf) => leaf.arrays.length === 0))) return true;
  choices.sort((a, b) => a.length - b.length);
  return consistent(choices, 0, new Map());
}

/** Picks one leaf per field so that no two sit in different elements of the same array. */
function consistent(choices: Leaf[][], at: number, taken: Map<number, number>): boolean {
  if (at === choices.length) return true;
  for (const leaf of choices[at]!) {
    const added: number[] = [];
    let ok = true;
    for (const [id, index] of leaf.arrays) {
      const seen = taken.get(id);
      if (seen === undefined) {
        taken.set(id, index);
        added.push(id);
      } else if (seen !== index) {
        ok = false;
        break;
      }
    }
    if (ok && consistent(choices, at + 1, taken)) return true;
    for (const id of added) taken.delete(id);
  }
  return false;
}

function matchValue(m: Matcher, v: Scalar): boolean {
  switch (m.kind) {
    case 'exact': {
      if (typeof m.value !== 'string') return v === m.value; // numbers compare as numbers: 300.0 is 300
      if (typeof v !== 'string') return false;
      if (v === m.value) return true;
      if (!m.ip) return false; // an IP address in the pattern also matches the same address written otherwise
      const ip = parseIp(v);
      return ip !== undefined && ip.length === m.ip.length && compareBytes(ip, m.ip) === 0;
    }
    case 'prefix':
      return typeof v === 'string' && (m.ignoreCase ? v.toLowerCase().startsWith(m.value.toLowerCase()) : v.startsWith(m.value));
    case 'suffix':
      return typeof v === 'string' && (m.ignoreCase ? v.toLowerCase().endsWith(m.value.toLowerCase()) : v.endsWith(m.value));
    case 'equals-ignore-case':
      return typeof v === 'string' && equalsIgnoreCase(v, m.value);
    case 'wildcard':
      return typeof v === 'string' && m.regex.test(v);
    case 'numeric':
      if (typeof v !== 'number') return false;
      if (m.lower && !(m.lower.inclusive ? v >= m.lower.value : v > m.lower.value)) return false;
      if (m.upper && !(m.upper.inclusive ? v <= m.upper.value : v < m.upper.value)) return false;
      return true;
    case 'cidr': {
      if (typeof v !== 'string') return false;
      const address = parseIp(v);
      return address !== undefined && inRange(address, m.range);
    }
    case 'exists':
      return m.value; // a leaf is there; `exists: false` only holds where none is
    case 'anything-but':
      return !m.excluded(v);
  }
}
