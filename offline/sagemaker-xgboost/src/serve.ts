// The `serve` program: `node --import tsx offline/sagemaker-xgboost/src/serve.ts`.
import { servingConfig } from '@mlops/model';

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
  const server = createInferenceServer({ model, env: process.env });
  server.on('error', (error) => {
    console.error(`serve: ${error.message}`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    console.log(`serving XGBoost ${model.api.version} ${objective} model (${numFeature} features) from ${file} on ${config.host}:${config.port}`);
  });

  // SageMaker stops the container with SIGTERM: finish in-flight requests, then exit 0.
  const shutdown = (signal: NodeJS.Signals) => {
    console.log(`${signal} received, shutting down`);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(`serve: cannot start: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  process.exitCode = 1;
});
