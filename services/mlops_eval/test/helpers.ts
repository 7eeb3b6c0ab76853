import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EvalConfigSchema, EvalInputSchema, parseConfig, type EvalConfig, type EvalInput } from '@mlops/common';

export const BUCKET = 'mlops-local-data';

export function sampleInput(patch: (input: EvalInput) => void = () => undefined): EvalInput {
  const input = EvalInputSchema.parse(JSON.parse(readFileSync(path.join(__dirname, '..', 'events', 'eval-regression.json'), 'utf8')));
  patch(input);
  return input;
}

/** The stage's threshold for the sample family, as serverless.yml sets it. */
export const SAMPLE_GATE = '{"abalone":{"metric":"mse","threshold":6.0}}';

export function evalConfig(env: Record<string, string> = {}): EvalConfig {
  return parseConfig(EvalConfigSchema, { STAGE: 'test', DATA_BUCKET: BUCKET, NAME_PREFIX: 'mlops-test', GATE_METRIC: 'mse', GATE_THRESHOLDS: SAMPLE_GATE, ...env });
}

/** A metrics sink that records what evaluate() publishes. */
export function recordingMetrics() {
  const recorded = { dimensions: {} as Record<string, string>, metadata: {} as Record<string, unknown>, metrics: [] as [string, string, number][], published: 0 };
  const sink = {
    addDimension: (name: string, value: string) => {
      recorded.dimensions[name] = value;
      return sink;
    },
    addMetadata: (key: string, value: string) => {
      recorded.metadata[key] = value;
      return sink;
    },
    addMetric: (name: string, unit: string, value: number) => {
      recorded.metrics.push([name, unit, value]);
      return sink;
    },
    publishStoredMetrics: () => {
      recorded.published++;
      return sink;
    },
  };
  return { sink: sink as never, recorded };
}
