/** Text helpers shared by the HTML and the SVG: escaping and number/duration formatting. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/**
 * Escapes text for HTML/SVG element content and for quoted attribute values. Every string that comes from
 * run data (names, causes, labels, URIs) goes through this before it lands in the page.
 */
export function escapeHtml(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] ?? c);
}

/** A number for people: up to `digits` significant digits, no exponent for ordinary magnitudes. */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-4) return value.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, 'e');
  if (Number.isInteger(value) && abs < 1e6) return String(value);
  return String(Number(value.toPrecision(digits)));
}

/** Integer with thousands separators. */
export function formatInt(value: number): string {
  if (!Number.isFinite(value)) return formatNumber(value);
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Seconds as "850 ms", "12.3 s", "4m 05s", "2h 03m", "3d 04h". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, seconds);
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${Number(s.toPrecision(3))} s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) {
    const m = Math.floor(s / 60);
    return `${m}m ${pad(Math.floor(s - m * 60))}s`;
  }
  if (s < 86400) {
    const h = Math.floor(s / 3600);
    return `${h}h ${pad(Math.floor((s - h * 3600) / 60))}m`;
  }
  const d = Math.floor(s / 86400);
  return `${d}d ${pad(Math.floor((s - d * 86400) / 3600))}h`;
}

/** Percent with one decimal, e.g. "12.5%". */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(1)}%`;
}

/** An ISO timestamp shown as "2024-05-01 12:34:56Z"; anything unparsable is shown as given. */
export function formatTimestamp(iso: string | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** Shortens text to `max` characters with an ellipsis (the full text goes in a <title>). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** Number for SVG coordinates: 2 decimals, no "-0". */
export function n(value: number): string {
  const r = Math.round(value * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}
