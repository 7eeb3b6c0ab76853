/**
 * How the offline stack registers this image (offline/local-stack/images.local.json): the bundled
 * programs, and the algorithm's metric definitions matching what `train` prints.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricDefinitions } from '../src';

const registry = JSON.parse(readFileSync(join(__dirname, '../../local-stack/images.local.json'), 'utf8')) as {
  images: Record<string, { train: string[]; serve: string[]; metricDefinitions?: { Name: string; Regex: string }[] }>;
};
const entry = registry.images['sagemaker-xgboost:1.7-1']!;

describe('the image registration', () => {
  it('runs the bundled train and serve programs', () => {
    expect(entry.train.at(-1)).toBe('../sagemaker-xgboost/dist/train.js');
    expect(entry.serve.at(-1)).toBe('../sagemaker-xgboost/dist/serve.js');
  });

  it('declares the metric definitions this package generates, for train and validation', () => {
    const names = [...new Set(entry.metricDefinitions!.map((d) => d.Name.split(':')[1]!))];
    expect(entry.metricDefinitions).toEqual(metricDefinitions(names));
    expect(names).toEqual(expect.arrayContaining(['rmse', 'mae', 'merror', 'mlogloss', 'logloss', 'auc', 'accuracy', 'f1', 'mse', 'r2']));
  });

  it('matches the final metric lines train prints', () => {
    const log = '[49]\ttrain-rmse:1.64757\tvalidation-rmse:2.13928\n#metric train:rmse=1.64757\n#metric validation:rmse=2.13928\n';
    const found = entry.metricDefinitions!.flatMap((d) => {
      const m = new RegExp(d.Regex).exec(log);
      return m ? [[d.Name, Number(m[1])]] : [];
    });
    expect(Object.fromEntries(found)).toEqual({ 'train:rmse': 1.64757, 'validation:rmse': 2.13928 });
  });
});
