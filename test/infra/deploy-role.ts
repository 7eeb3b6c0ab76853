/**
 * Reads deploy/github-deploy-role.yml the way CloudFormation would, for the tests: the YAML short
 * tags (!Sub, !Ref, ...), the AWS::LanguageExtensions transform's Fn::ForEach (one role per stage),
 * and the intrinsic functions the template uses, resolved for one set of parameters. An intrinsic
 * it does not know throws, so the template cannot grow a construct the tests do not read.
 * Also a small IAM evaluator: does a policy allow an action on a resource in a request context.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { projectRoot } from '@mlops/serverless-config';

export const ROLE_TEMPLATE = join(projectRoot(), 'deploy/github-deploy-role.yml');
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

type Json = any;
export type Statement = { Sid?: string; Effect: string; Action?: string | string[]; NotAction?: unknown; Resource?: string | string[]; NotResource?: unknown; Principal?: Json; Condition?: Record<string, Record<string, string | string[]>> };

/** CloudFormation's YAML short forms as their long JSON forms (`!GetAtt a.b` → `{"Fn::GetAtt": ["a", "b"]}`). */
const TAGS = ['Ref', 'Condition', 'Sub', 'GetAtt', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'Join', 'Select', 'Split', 'Base64', 'GetAZs', 'ImportValue', 'Cidr', 'Length', 'ToJsonString'];
const schema = yaml.DEFAULT_SCHEMA.extend(
  TAGS.flatMap((tag) => {
    const key = tag === 'Ref' || tag === 'Condition' ? tag : `Fn::${tag}`;
    const wrap = (data: unknown) => ({ [key]: tag === 'GetAtt' && typeof data === 'string' ? data.split('.') : data });
    return (['scalar', 'sequence', 'mapping'] as const).map((kind) => new yaml.Type(`!${tag}`, { kind, construct: wrap }));
  }),
);

export function loadCfnYaml(text: string): Json {
  return yaml.load(text, { schema });
}

/** Replaces the loop identifier as Fn::ForEach does: in `${Id}` of keys and strings, and `{Ref: Id}`. */
function substitute(node: Json, id: string, value: string): Json {
  if (typeof node === 'string') return node.split('${' + id + '}').join(value);
  if (Array.isArray(node)) return node.map((item) => substitute(item, id, value));
  if (node && typeof node === 'object') {
    if (Object.keys(node).length === 1 && node.Ref === id) return value;
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [substitute(k, id, value), substitute(v, id, value)]));
  }
  return node;
}

/** Expands every `Fn::ForEach::<Name>: [Identifier, [values...], {fragment}]` of a section. */
export function expandForEach(section: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(section)) {
    if (!key.startsWith('Fn::ForEach::')) {
      out[key] = value;
      continue;
    }
    const [id, collection, fragment] = value as [string, string[], Record<string, Json>];
    if (typeof id !== 'string' || !Array.isArray(collection) || collection.some((c) => typeof c !== 'string')) throw new Error(`${key}: only literal string collections are read here`);
    for (const item of collection) {
      for (const [k, v] of Object.entries(substitute(fragment, id, item) as Record<string, Json>)) {
        if (k in out) throw new Error(`${key}: duplicate logical id ${k}`);
        out[k] = v;
      }
    }
  }
  return out;
}

export type Expanded = { Transform?: unknown; Parameters: Record<string, Json>; Conditions: Record<string, Json>; Mappings: Record<string, Json>; Resources: Record<string, Json>; Outputs: Record<string, Json>; [key: string]: Json };

export function roleTemplate(text = readFileSync(ROLE_TEMPLATE, 'utf8')): Expanded {
  const raw = loadCfnYaml(text);
  return { ...raw, Resources: expandForEach(raw.Resources ?? {}), Outputs: expandForEach(raw.Outputs ?? {}) };
}

export type Context = { parameters: Record<string, string>; partition?: string; region?: string; account?: string };

/** Resolves the intrinsic functions the role template uses, for one set of parameters. */
export function resolve(template: Expanded, node: Json, ctx: Context): Json {
  const pseudo: Record<string, string> = { 'AWS::Partition': ctx.partition ?? 'aws', 'AWS::Region': ctx.region ?? REGION, 'AWS::AccountId': ctx.account ?? ACCOUNT, 'AWS::StackName': 'mlops-github-deploy' };
  const parameter = (name: string): string => {
    if (name in pseudo) return pseudo[name]!;
    const declared = template.Parameters[name];
    if (!declared) throw new Error(`Ref to an undeclared parameter ${name}`);
    return ctx.parameters[name] ?? declared.Default ?? (() => { throw new Error(`no value for parameter ${name}`); })();
  };
  const condition = (name: string): boolean => {
    const c = template.Conditions[name];
    if (c === undefined) throw new Error(`unknown condition ${name}`);
    return Boolean(resolve(template, c, ctx));
  };
  const go = (n: Json): Json => {
    if (Array.isArray(n)) return n.map(go);
    if (!n || typeof n !== 'object') return n;
    const keys = Object.keys(n);
    if (keys.length !== 1 || !(keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'))) return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, go(v)]));
    const [fn] = keys as [string];
    const arg = n[fn];
    switch (fn) {
      case 'Ref': {
        const resource = template.Resources[arg];
        if (resource) {
          if (resource.Condition && !condition(resource.Condition)) throw new Error(`Ref to ${arg}, which its condition leaves out`);
          if (resource.Type === 'AWS::IAM::OIDCProvider') return `arn:${pseudo['AWS::Partition']}:iam::${pseudo['AWS::AccountId']}:oidc-provider/${String(resource.Properties.Url).replace(/^https:\/\//, '')}`;
          throw new Error(`Ref to a ${resource.Type} is not read here`);
        }
        return parameter(arg);
      }
      case 'Condition':
        return condition(arg);
      case 'Fn::Equals':
        return go(arg[0]) === go(arg[1]);
      case 'Fn::Not':
        return !go(arg[0]);
      case 'Fn::If':
        return condition(arg[0]) ? go(arg[1]) : go(arg[2]);
      case 'Fn::FindInMap': {
        const [map, top, second] = (arg as Json[]).map(go);
        const value = template.Mappings[map]?.[top]?.[second];
        if (value === undefined) throw new Error(`Fn::FindInMap [${map}, ${top}, ${second}] finds nothing`);
        return value;
      }
      case 'Fn::Sub': {
        const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, Json>]);
        const local = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, go(v)]));
        return text.replace(/\$\{(!?)([^}]+)\}/g, (_all, bang: string, name: string) => {
          if (bang) return '${' + name + '}'; // ${!Literal}
          if (name in local) return String(local[name]);
          if (name.includes('.')) throw new Error(`Fn::Sub of ${name}: GetAtt is not read here`);
          return parameter(name);
        });
      }
      default:
        throw new Error(`intrinsic function ${fn} is not read by test/infra/deploy-role.ts`);
    }
  };
  return go(node);
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** IAM's wildcard match (`*` any run of characters, `?` one), case-sensitive as for resources. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/** Request context keys: single values, or lists for multivalued keys such as aws:CalledVia. */
export type RequestContext = Record<string, string | string[]>;

/** The condition operators the role uses; any other makes the statement not apply (conservative). */
function conditionHolds(condition: Statement['Condition'], context: RequestContext): boolean {
  for (const [operator, entries] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const actual = asList(context[key]);
      const wanted = asList(expected);
      if (actual.length === 0) return false;
      if (operator === 'StringEquals' && !(actual.length === 1 && wanted.includes(actual[0]!))) return false;
      else if (operator === 'ForAnyValue:StringEquals' && !actual.some((a) => wanted.includes(a))) return false;
      else if (operator === 'StringLike' && !(actual.length === 1 && wanted.some((w) => globMatch(w, actual[0]!)))) return false;
      else if (!['StringEquals', 'ForAnyValue:StringEquals', 'StringLike'].includes(operator)) return false;
    }
  }
  return true;
}

/** Whether the Allow statements grant `action` on `resource` (no Deny statements in these policies). */
export function allows(statements: Statement[], action: string, resource: string, context: RequestContext = {}): boolean {
  return statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      asList(s.Action).some((a) => globMatch(a, action, true)) &&
      asList(s.Resource).some((r) => globMatch(r, resource)) &&
      conditionHolds(s.Condition, context),
  );
}

export { asList };
