/**
 * The query protocol (form posts in, XML out), driven by the model's shapes rather than written per
 * operation: `AlarmNames.member.1`, `Dimensions.member.1.Name`,
 * `Metrics.member.1.MetricStat.Metric.Dimensions.member.1.Value` are all the same rule (structures
 * join member names with dots, lists add `member.N`), and answers follow the output shape's members
 * (in the model's `xmlOrder` where it gives one) inside `<XResult>` and `<XResponse>`.
 */
import type { ApiModel } from '@mlops/aws-models';
import type { ModelOperation, ModelShape } from './model';

/** A query request as the input structure the service takes: numbers and booleans typed by the model. */
export function queryInput(model: ApiModel, operation: string, params: URLSearchParams): Record<string, unknown> {
  const op = model.operations[operation] as ModelOperation | undefined;
  if (!op?.input) return {};
  const keys = [...new Set(params.keys())];
  return (readValue(model, op.input.shape, params, keys, '') as Record<string, unknown> | undefined) ?? {};
}

function readValue(model: ApiModel, shapeName: string, params: URLSearchParams, keys: string[], key: string): unknown {
  const shape = model.shapes[shapeName] as ModelShape | undefined;
  if (!shape) return undefined;
  const join = (name: string) => (key ? `${key}.${name}` : name);
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const value = readValue(model, ref.shape, params, keys, join(ref.locationName ?? name));
        if (value !== undefined) out[name] = value;
      }
      return key && Object.keys(out).length === 0 ? undefined : out;
    }
    case 'list': {
      const prefix = shape.flattened ? key : `${key}.${shape.member?.locationName ?? 'member'}`;
      const indexes = new Set<number>();
      for (const k of keys) {
        if (!k.startsWith(`${prefix}.`)) continue;
        const index = /^(\d+)(\.|$)/.exec(k.slice(prefix.length + 1));
        if (index) indexes.add(Number(index[1]));
      }
      // An empty list goes as the bare key with no value (`AlarmActions=`).
      if (indexes.size === 0) return params.get(key) === '' ? [] : undefined;
      return [...indexes].sort((a, b) => a - b).map((i) => readValue(model, shape.member!.shape, params, keys, `${prefix}.${i}`));
    }
    case 'map': {
      const indexes = new Set<number>();
      for (const k of keys) {
        const index = new RegExp(`^${escape(key)}\\.entry\\.(\\d+)\\.`).exec(k);
        if (index) indexes.add(Number(index[1]));
      }
      if (indexes.size === 0) return undefined;
      return Object.fromEntries(
        [...indexes].sort((a, b) => a - b).map((i) => [params.get(`${key}.entry.${i}.key`) ?? '', readValue(model, shape.value!.shape, params, keys, `${key}.entry.${i}.value`)]),
      );
    }
    default: {
      const raw = params.get(key);
      if (raw === null) return undefined;
      // A value that does not parse stays text, for the validation to name.
      if (shape.type === 'integer' || shape.type === 'long') return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      if (shape.type === 'double' || shape.type === 'float') return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
      if (shape.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
      return raw;
    }
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function xml(value: unknown): string {
  return String(value).replace(/[&<>"'\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' })[c]!);
}

function writeValue(model: ApiModel, shapeName: string, value: unknown): string {
  const shape = model.shapes[shapeName] as ModelShape | undefined;
  if (!shape) return xml(value);
  switch (shape.type) {
    case 'structure': {
      const record = value as Record<string, unknown>;
      const members = shape.members ?? {};
      const order = shape.xmlOrder ?? Object.keys(members);
      return order
        .filter((name) => members[name] && record[name] !== undefined && record[name] !== null)
        .map((name) => {
          const tag = members[name]!.locationName ?? name;
          return `<${tag}>${writeValue(model, members[name]!.shape, record[name])}</${tag}>`;
        })
        .join('');
    }
    case 'list':
      return (value as unknown[]).map((item) => `<member>${writeValue(model, shape.member!.shape, item)}</member>`).join('');
    case 'map':
      return Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `<entry><key>${xml(k)}</key><value>${writeValue(model, shape.value!.shape, v)}</value></entry>`)
        .join('');
    case 'timestamp':
      return (value instanceof Date ? value : new Date(value as number)).toISOString();
    default:
      return xml(value);
  }
}

/** The query protocol's XML answer: `<XResponse><XResult>...</XResult><ResponseMetadata>`. */
export function queryResponse(model: ApiModel, operation: string, result: Record<string, unknown>, requestId: string, xmlns: string): string {
  const op = model.operations[operation] as ModelOperation;
  const wrapper = op.output ? (op.output.resultWrapper ?? `${operation}Result`) : undefined;
  const resultXml = wrapper ? `<${wrapper}>${writeValue(model, op.output!.shape, result)}</${wrapper}>` : '';
  return `<?xml version="1.0"?><${operation}Response xmlns="${xmlns}">${resultXml}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}
