/**
 * Documents that outlive a run and are read by other programs: the evaluation report mlops_eval
 * writes to `<runPrefix>evaluation/report.json` (read by the CLI and drawn by the report), and the
 * execution statuses shown to the user. One zod schema each, used by writer and readers alike.
 */
import * as z from 'zod/mini';
import { GateResultSchema, ModelVersionSchema, ProblemTypeSchema } from './contracts';
import './zod-locale';

/** Step Functions' execution statuses (DescribeExecution.status). */
export const ExecutionStatusSchema = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
export type ExecutionStatus = z.infer<typeof ExecutionStatusSchema>;

/** One bin of the residual histogram: `prediction − label` in [from, to) (the last bin is closed). */
export const HistogramBinSchema = z.object({ from: z.number(), to: z.number(), count: z.number().check(z.int(), z.gte(0)) });
export type HistogramBin = z.infer<typeof HistogramBinSchema>;

export const ClassReportSchema = z.object({
  label: z.string(),
  support: z.number(),
  predicted: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
});
export type ClassReport = z.infer<typeof ClassReportSchema>;

export const ConfusionMatrixSchema = z.object({
  labels: z.array(z.string()),
  /** matrix[actual][predicted] over `labels`. */
  matrix: z.array(z.array(z.number())),
  /** Per actual class: predictions that were no class index (always wrong). */
  invalidPredictions: z.array(z.number()),
});

/** What a scorer knows beyond the metrics: the plot sample and the per-class detail. */
export const ScorerReportSchema = z.object({
  /** A deterministic sample of (label, prediction) pairs for plots. */
  sample: z.array(z.object({ actual: z.number(), predicted: z.number() })),
  residualHistogram: z.optional(z.array(HistogramBinSchema)),
  perClass: z.optional(z.array(ClassReportSchema)),
  confusionMatrix: z.optional(ConfusionMatrixSchema),
});
export type ScorerReport = z.infer<typeof ScorerReportSchema>;

export const EvaluationReportSchema = z.extend(ScorerReportSchema, {
  runId: z.string(),
  problemType: ProblemTypeSchema,
  rows: z.number().check(z.int(), z.gte(0)),
  metrics: z.record(z.string(), z.number()),
  gate: GateResultSchema,
  transformOutput: z.string(),
  objects: z.array(z.object({ uri: z.string(), rows: z.number() })),
  /** The family's live model scored on the same rows (absent for a family's first model). */
  champion: z.optional(
    z.extend(ScorerReportSchema, {
      label: z.string(),
      modelVersion: z.optional(ModelVersionSchema),
      metrics: z.record(z.string(), z.number()),
      transformOutput: z.string(),
    }),
  ),
  createdAt: z.string(),
});
export type EvaluationReport = z.infer<typeof EvaluationReportSchema>;
