/** The human form of `predict`: one line per row, the prediction named by the target. */
import type { PredictOutput } from './schemas';
import { formatValue, table } from './table';

export function formatPredict(doc: PredictOutput): string {
  const header = `${doc.family} on stage '${doc.stage}' (endpoint ${doc.endpoint}): ${doc.target}, ${doc.problemType}`;
  const probabilities = doc.predictions.some((p) => p.probabilities);
  const rows = doc.predictions.map((p) => [
    String(p.row),
    typeof p.value === 'number' ? formatValue(p.value) : p.value,
    ...(probabilities
      ? [
          Object.entries(p.probabilities ?? {})
            .map(([name, value]) => `${name} ${formatValue(value)}`)
            .join(', ') || '-',
        ]
      : []),
  ]);
  return `${header}\n\n${table(['ROW', doc.target.toUpperCase(), ...(probabilities ? ['PROBABILITIES'] : [])], rows)}`;
}
