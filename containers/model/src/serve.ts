// The `serve` program: `node dist/serve.js` (or `serve` on the image's PATH).
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { loadModel } from './inference';
import { serveUntilStopped, servingConfig } from './sagemaker';
import { createInferenceServer } from './server';

async function main(): Promise<void> {
  const config = servingConfig(process.env);
  const workers = process.env.SAGEMAKER_MODEL_SERVER_WORKERS;
  if (workers) console.log(`ignoring SAGEMAKER_MODEL_SERVER_WORKERS=${workers}: one process serves all requests`);

  const file = path.join(config.modelDir, 'model.json');
  const model = loadModel(JSON.parse(await readFile(file, 'utf8')) as unknown);
  const { algorithm, problemType, featureCount } = model.artifact;
  serveUntilStopped(createInferenceServer(model), config, () => `serving ${algorithm} ${problemType} model (${featureCount} features) from ${file} on ${config.host}:${config.port}`);
}

main().catch((error: unknown) => {
  console.error(`serve: cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
