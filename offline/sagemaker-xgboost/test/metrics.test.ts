import path from 'node:path';

import { customMetric, formatFinalMetrics, formatRound, metricDefinitions, parseEvalLine, train } from '../src';

const fixture = (name: string) => path.join(__dirname, 'fixtures', name);

describe('metric lines', () => {
  const metrics = parseEvalLine('[3]\ttrain-rmse:2.153724\ttrain-error@0.5:0.1\tvalidation-rmse:2.205131');

  it('reads and prints XGBoost evaluation lines', () => {
    expect(formatRound(3, metrics)).toBe('[3]\ttrain-rmse:2.15372\ttrain-error@0.5:0.10000\tvalidation-rmse:2.20513');
    expect(formatFinalMetrics(metrics)).toEqual(['#metric train:rmse=2.15372', '#metric train:error@0.5=0.10000', '#metric validation:rmse=2.20513']);
  });

  it('offers MetricDefinitions that read the #metric lines', () => {
    const [definition] = metricDefinitions(['rmse']);
    expect(definition).toEqual({ Name: 'train:rmse', Regex: '#metric train:rmse=([-+0-9.eE]+|nan|inf)' });
    expect('#metric train:rmse=2.15372'.match(new RegExp(definition!.Regex))?.[1]).toBe('2.15372');
  });
});

describe('customMetric', () => {
  const labels = new Float32Array([0, 1, 2, 2]);
  // Margins of 3 classes per row: predicted classes 0, 2, 2, 2.
  const margins = new Float32Array([5, 0, 0, 0, 0, 1, 0, 0, 3, 1, 0, 2]);

  it.each([
    ['accuracy', 0.75],
    ['balanced_accuracy', (1 + 0 + 1) / 3],
    ['f1', (1 + 0 + 0.8) / 3],
    ['precision_macro', (1 + 0 + 2 / 3) / 3],
    ['recall_micro', 0.75],
  ])('%s as scikit-learn computes it', (metric, value) => {
    expect(customMetric(metric, margins, labels)).toBeCloseTo(value, 12);
  });

  it('refuses binary averages for several classes', () => {
    expect(() => customMetric('f1_binary', margins, labels)).toThrow("Target is multiclass but average='binary'");
  });

  it('scores regression margins', () => {
    expect(customMetric('mse', new Float32Array([1, 3]), new Float32Array([2, 2]))).toBe(1);
    expect(customMetric('r2', new Float32Array([1, 3]), new Float32Array([1, 3]))).toBe(1);
  });

  it('are logged every round next to XGBoost metrics', () => {
    const { model, history } = train(
      { objective: 'multi:softmax', num_class: '3', num_round: '3', eval_metric: 'merror,accuracy' },
      { train: [fixture('iris-train.csv')], validation: [fixture('iris-validation.csv')] },
    );
    model.free();
    expect([...history[2]!.get('validation')!.keys()]).toEqual(['merror', 'accuracy']);
    const { merror, accuracy } = Object.fromEntries(history[2]!.get('validation')!);
    expect(accuracy).toBeCloseTo(1 - merror!, 5);
  });
});
