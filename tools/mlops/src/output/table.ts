/** Plain-text tables: a header row, columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** A metric value for reading: five significant digits. */
export function formatValue(value: number | undefined): string {
  return value === undefined ? '-' : Number(value.toPrecision(5)).toString();
}

/** `2025-06-01 12:34` (UTC) from an ISO timestamp. */
export function formatTime(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').slice(0, 16) : '-';
}
