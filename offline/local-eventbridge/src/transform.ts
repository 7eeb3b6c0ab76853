// What a target receives: the whole event by default; `Input` (constant JSON); `InputPath` (a part of
// the event); or `InputTransformer` (variables read by JSON path, put into a template).
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html
//
// Placeholder substitution, as the guide documents it and as AWS delivers it:
//   - outside a JSON string, a string value is put in quotes (`"instance": <instance>` gives
//     `"instance": "i-0123456789"`); numbers, booleans, null, objects and arrays go in as JSON;
//   - inside a JSON string, a value goes in as its text, unescaped ("EventBridge doesn't escape values
//     extracted by Input Path"); an object or array inside the string of a plain-string template
//     ("...") goes in as JSON without its double quotes (`{acc_id:0a78,sf_id:baz}`, `[HIGH]`), and
//     inside a string of a JSON-object template as raw JSON, which makes the result invalid JSON;
//   - a variable whose path matched nothing is empty: `""` outside a string, nothing inside one;
//   - the predefined variables aws.events.rule-arn, aws.events.rule-name,
//     aws.events.event.ingestion-time, aws.events.event (the event without `detail`, with
//     `detailType`) and aws.events.event.json (the whole event).
// EventBridge drops an event whose transformed JSON template is not valid JSON; here that is a
// failed delivery, recorded with its reason, so it shows.

import { parseJsonPath, readJsonPath } from './jsonpath';
import type { EventBridgeEvent, LocalTarget } from './types';

/** Thrown for a target AWS would refuse (PutTargets / CloudFormation). */
export class ValidationException extends Error {
  override readonly name = 'ValidationException';
}

export const PREDEFINED_VARIABLES = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event.ingestion-time',
  'aws.events.event',
  'aws.events.event.json',
] as const;

const PREDEFINED = new Set<string>(PREDEFINED_VARIABLES);
const PLACEHOLDER = /^<([^<>\s]+)>/;
const MAX_TEMPLATE = 8192;
const MAX_PATHS = 100;

function placeholders(template: string): string[] {
  return [...template.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
}

/** Throws ValidationException when AWS would refuse this target. */
export function validateTarget(target: LocalTarget): void {
  const id = target.id;
  if (typeof id !== 'string' || !/^[.\-_A-Za-z0-9]{1,64}$/.test(id)) throw new ValidationException(`Target Id ${JSON.stringify(id)} is not valid.`);
  if (typeof target.arn !== 'string' || target.arn === '') throw new ValidationException(`Target ${id} has no Arn.`);
  const kinds = [target.input, target.inputPath, target.inputTransformer].filter((v) => v !== undefined).length;
  if (kinds > 1) throw new ValidationException(`Only one of Input, InputPath, or InputTransformer must be provided for target ${id}.`);
  if (target.input !== undefined) {
    try {
      JSON.parse(target.input);
    } catch {
      throw new ValidationException(`Input for target ${id} is not valid JSON.`);
    }
  }
  if (target.inputPath !== undefined) {
    try {
      parseJsonPath(target.inputPath);
    } catch (e) {
      throw new ValidationException(`InputPath for target ${id}: ${(e as Error).message}.`);
    }
  }
  const transformer = target.inputTransformer;
  if (transformer) {
    const template = transformer.inputTemplate;
    if (typeof template !== 'string' || template.length < 1 || template.length > MAX_TEMPLATE) {
      throw new ValidationException(`InputTemplate for target ${id} must be 1 to ${MAX_TEMPLATE} characters.`);
    }
    const paths = transformer.inputPathsMap ?? {};
    if (Object.keys(paths).length > MAX_PATHS) throw new ValidationException(`InputPathsMap for target ${id} has more than ${MAX_PATHS} entries.`);
    for (const [name, path] of Object.entries(paths)) {
      if (name.toUpperCase().startsWith('AWS.') || PREDEFINED.has(name)) {
        throw new ValidationException(`InputPathsMap for target ${id}: the key ${name} is reserved (keys cannot start with "AWS.").`);
      }
      try {
        parseJsonPath(path);
      } catch (e) {
        throw new ValidationException(`InputPathsMap for target ${id}, key ${name}: ${(e as Error).message}.`);
      }
    }
    for (const name of placeholders(template)) {
      if (!Object.hasOwn(paths, name) && !PREDEFINED.has(name)) {
        throw new ValidationException(`InputTemplate for target ${id} contains invalid placeholder ${name}.`);
      }
    }
    if (template.trimStart().startsWith('{') && placeholderAsKey(template)) {
      throw new ValidationException(`InputTemplate for target ${id} uses a placeholder as an object key, which a JSON template cannot.`);
    }
  }
}

/** Whether a placeholder outside any string is followed by `:` (an object key). */
function placeholderAsKey(template: string): boolean {
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (inString && c === '\\') i++;
    else if (c === '"') inString = !inString;
    else if (!inString && c === '<') {
      const m = PLACEHOLDER.exec(template.slice(i));
      if (m && /^\s*:/.test(template.slice(i + m[0].length))) return true;
    }
  }
  return false;
}

export interface InputContext {
  ruleArn: string;
  ruleName: string;
  /** aws.events.event.ingestion-time */
  ingestionTime: string;
}

export type TargetInput = { ok: true; input: string } | { ok: false; error: string };

/** The text the target receives for this event (a validated target). */
export function targetInput(target: LocalTarget, event: EventBridgeEvent, context: InputContext): TargetInput {
  if (target.input !== undefined) return { ok: true, input: target.input };
  if (target.inputPath !== undefined) {
    const value = readJsonPath(event, parseJsonPath(target.inputPath));
    // AWS does not document what a target gets when InputPath matches nothing; nothing is sent here.
    if (value === undefined) return { ok: false, error: `InputPath ${target.inputPath} matched nothing in the event` };
    return { ok: true, input: JSON.stringify(value) };
  }
  if (target.inputTransformer) {
    const { inputPathsMap = {}, inputTemplate } = target.inputTransformer;
    const values = new Map<string, unknown>();
    for (const [name, path] of Object.entries(inputPathsMap)) values.set(name, readJsonPath(event, parseJsonPath(path)));
    values.set('aws.events.rule-arn', context.ruleArn);
    values.set('aws.events.rule-name', context.ruleName);
    values.set('aws.events.event.ingestion-time', context.ingestionTime);
    values.set('aws.events.event', eventWithoutDetail(event));
    values.set('aws.events.event.json', event);
    const input = renderTemplate(inputTemplate, values);
    if (/^\s*[{["]/.test(inputTemplate)) {
      try {
        JSON.parse(input);
      } catch {
        return { ok: false, error: `InputTemplate produced invalid JSON (EventBridge drops such an event): ${input}` };
      }
    }
    return { ok: true, input };
  }
  return { ok: true, input: JSON.stringify(event) };
}

/** aws.events.event: the envelope without detail, with detail-type spelt detailType (as AWS sends it). */
function eventWithoutDetail(event: EventBridgeEvent): Record<string, unknown> {
  return {
    id: event.id,
    account: event.account,
    detailType: event['detail-type'],
    time: event.time,
    source: event.source,
    region: event.region,
    resources: event.resources,
    version: event.version,
  };
}

/**
 * Fills a template's placeholders. `values` holds every variable the template may use; one whose
 * value is undefined matched nothing in the event.
 */
export function renderTemplate(template: string, values: ReadonlyMap<string, unknown>): string {
  const stringTemplate = template.trimStart().startsWith('"');
  if (!/^\s*[{["]/.test(template)) {
    // Plain text (the API reference's "<instance> is in state <status>"): values go in as text,
    // objects and arrays as JSON. AWS does not document this case further.
    return template.replace(/<([^<>\s]+)>/g, (whole, name: string) => {
      if (!values.has(name)) return whole;
      const v = values.get(name);
      return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; ) {
    const c = template[i]!;
    if (inString && c === '\\') {
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '"') inString = !inString;
    else if (c === '<') {
      const m = PLACEHOLDER.exec(template.slice(i));
      if (m && values.has(m[1]!)) {
        out += substitute(values.get(m[1]!), inString, stringTemplate);
        i += m[0].length;
        continue;
      }
    }
    out += c;
    i++;
  }
  return out;
}

function substitute(value: unknown, inString: boolean, stringTemplate: boolean): string {
  if (value === undefined) return inString ? '' : '""';
  if (inString) {
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null) {
      const json = JSON.stringify(value);
      return stringTemplate ? json.replaceAll('"', '') : json;
    }
    return String(value);
  }
  if (typeof value === 'string') return `"${value}"`;
  return JSON.stringify(value);
}
