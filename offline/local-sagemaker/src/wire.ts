/** Response encoding for the JSON protocols: timestamps as epoch seconds (fractional), no undefined members. */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      out[k] = toWire(v);
    }
    return out;
  }
  return value;
}

/** Request timestamps: the SDKs send epoch seconds for JSON 1.1; accept ISO strings too. */
export function parseTimestamp(value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string') {
    if (/^\d+(\.\d+)?$/.test(value)) return new Date(Number(value) * 1000);
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

/** Deep copy of a plain JSON request (so stored resources never alias caller objects). */
export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
