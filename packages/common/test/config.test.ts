/** mlops_eval's configuration: the gate's metrics, the stage's thresholds per family, the baseline margin. */
import { ConfigurationError, EvalConfigSchema, parseConfig } from '../src';

const BASE = { STAGE: 'local', DATA_BUCKET: 'mlops-local-data', NAME_PREFIX: 'mlops-local', GATE_METRIC: 'mse' };
const parse = (env: Record<string, string>) => parseConfig(EvalConfigSchema, { ...BASE, ...env });

describe('EvalConfigSchema', () => {
  it('defaults to no threshold for any family, a 10 % baseline margin, f1_macro for classification and tolerance 0', () => {
    expect(parse({})).toEqual({ ...BASE, RUNS_PREFIX: 'runs/', GATE_THRESHOLDS: {}, GATE_BASELINE_MARGIN: 0.1, CLASSIFICATION_GATE_METRIC: 'f1_macro', GATE_TOLERANCE: 0 });
  });

  it("reads the stage's thresholds per family (serverless.yml's gateThresholds) and the margin", () => {
    const config = parse({ GATE_THRESHOLDS: '{"abalone":{"metric":"mse","threshold":6.0},"iris":{"metric":"accuracy","threshold":0.9}}', GATE_BASELINE_MARGIN: '0.25' });
    expect(config.GATE_THRESHOLDS).toEqual({ abalone: { metric: 'mse', threshold: 6 }, iris: { metric: 'accuracy', threshold: 0.9 } });
    expect(config.GATE_BASELINE_MARGIN).toBe(0.25);
    expect(parse({ GATE_BASELINE_MARGIN: '0' }).GATE_BASELINE_MARGIN).toBe(0);
  });

  it.each([
    ['not JSON', { GATE_THRESHOLDS: '{abalone: 6}' }, 'GATE_THRESHOLDS: must be valid JSON'],
    ['a threshold without its metric', { GATE_THRESHOLDS: '{"abalone":{"threshold":6}}' }, 'GATE_THRESHOLDS.abalone.metric'],
    ['an unknown metric', { GATE_THRESHOLDS: '{"abalone":{"metric":"mape","threshold":6}}' }, 'GATE_THRESHOLDS.abalone.metric'],
    ['a threshold that is not a number', { GATE_THRESHOLDS: '{"abalone":{"metric":"mse","threshold":"6"}}' }, 'GATE_THRESHOLDS.abalone.threshold'],
    ['a misspelt field', { GATE_THRESHOLDS: '{"abalone":{"metric":"mse","threshold":6,"treshold":5}}' }, 'GATE_THRESHOLDS.abalone'],
    ['a name that is no family', { GATE_THRESHOLDS: '{"Sea Snails":{"metric":"mse","threshold":6}}' }, 'GATE_THRESHOLDS'],
    ['a margin of 1 (only a perfect model would pass)', { GATE_BASELINE_MARGIN: '1' }, 'GATE_BASELINE_MARGIN'],
    ['a negative margin', { GATE_BASELINE_MARGIN: '-0.1' }, 'GATE_BASELINE_MARGIN'],
    ['a margin that is not a number', { GATE_BASELINE_MARGIN: 'ten percent' }, 'GATE_BASELINE_MARGIN'],
  ])('rejects %s, naming the variable', (_name, env, path) => {
    const parseIt = () => parse(env);
    expect(parseIt).toThrow(ConfigurationError);
    expect(parseIt).toThrow(path);
  });
});
