// The `serve` program: `node dist/serve.js` (or `node --import tsx offline/sagemaker-xgboost/src/serve.ts`).
import { serveUntilStopped, servingConfig } from '@mlops/model';

import { XGBoostModel } from './booster';
import { readModelFile } from './inference';
import { createInferenceServer } from './server';

async function main(): Promise<void> {
  const config = servingConfig(process.env);
  const { file, bytes } = await readModelFile(config.modelDir);
  const model = XGBoostModel.load(bytes, process.env);
  // As the container: one thread per worker process.
  model.setParam('nthread', '1');
  const { objective, numFeature } = model.info();
  serveUntilStopped(createInferenceServer({ model, env: process.env }), config, () => `serving XGBoost ${model.api.version} ${objective} model (${numFeature} features) from ${file} on ${config.host}:${config.port}`);
}

main().catch((error: unknown) => {
  console.error(`serve: cannot start: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 1;
});
