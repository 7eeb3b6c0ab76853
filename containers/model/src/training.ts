import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { readChannel, type LabelCheck } from './dataset';
import { DataError, ValueError } from './errors';
import { parseHyperparameters, type Hyperparameters } from './hyperparameters';
import { classificationMetrics, formatMetricLines, regressionMetrics, type Metrics } from './metrics';
import { createPredictor, fit, type Dataset, type ModelArtifact } from './model';
import { CHANNELS, checkChannelConfig, trainingPaths, type ChannelConfig, type Env } from './sagemaker';

// The `train` program of the SageMaker training container contract.

export type Log = (line: string) => void;

/** SageMaker writes the FailureReason file's first 1024 characters into the job description. */
const FAILURE_LIMIT = 1024;

async function readJsonObject(file: string, required: boolean): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValueError(`${path.basename(file)} is not valid JSON: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ValueError(`${path.basename(file)} must hold a JSON object`);
  }
  return json as Record<string, unknown>;
}

export function labelCheck(hyperparameters: Hyperparameters): LabelCheck {
  const { numClass } = hyperparameters;
  if (numClass === undefined) return () => undefined;
  return (label) =>
    Number.isInteger(label) && label >= 0 && label < numClass
      ? undefined
      : `label ${label} is not a class index 0..${numClass - 1} (num_class=${numClass})`;
}

export function evaluate(artifact: ModelArtifact, data: Dataset): Metrics {
  const predicted = createPredictor(artifact)(data.features);
  return artifact.hyperparameters.numClass === undefined
    ? regressionMetrics(predicted, data.labels)
    : classificationMetrics(predicted, data.labels, artifact.hyperparameters.numClass);
}

/**
 * Runs a training job: reads the configuration and channels, fits, writes
 * model/model.json and output/data/metrics.json, prints metric lines.
 * Throws on any failure; `main` turns that into the failure file.
 */
export async function runTraining(env: Env, log: Log): Promise<void> {
  const paths = trainingPaths(env);
  const { hyperparameters, ignored } = parseHyperparameters(await readJsonObject(paths.hyperparameters, false));
  for (const name of ignored) log(`ignoring hyperparameter '${name}': not used by this model`);
  log(`hyperparameters: ${JSON.stringify(hyperparameters)}`);

  // Without an inputdataconfig.json (a local run) the channel folders alone decide.
  const config = (await readJsonObject(paths.inputDataConfig, false)) as Record<string, ChannelConfig>;
  for (const [channel, channelConfig] of Object.entries(config)) {
    if (channel !== CHANNELS.train && channel !== CHANNELS.validation) log(`ignoring channel '${channel}'`);
    else checkChannelConfig(channel, channelConfig);
  }

  const checkLabel = labelCheck(hyperparameters);
  const noData = (channel: string) =>
    new DataError(`no training data in channel '${channel}' (${paths.channelDir(channel)} has no CSV rows)`);
  const started = Date.now();
  const train = await readChannel(CHANNELS.train, paths.channelDir(CHANNELS.train), checkLabel);
  if (train.labels.length === 0) throw noData(CHANNELS.train);
  const featureCount = train.features[0]!.length;
  const validationRows = await readChannel(
    CHANNELS.validation,
    paths.channelDir(CHANNELS.validation),
    checkLabel,
    featureCount,
  );
  // Validation is optional, but a channel the job declared must not be empty.
  const validationDeclared = CHANNELS.validation in config || env.SM_CHANNEL_VALIDATION !== undefined;
  if (validationRows.labels.length === 0 && validationDeclared) throw noData(CHANNELS.validation);
  const validation = validationRows.labels.length > 0 ? validationRows : undefined;
  log(
    `read ${train.labels.length} training and ${validationRows.labels.length} validation rows ` +
      `of ${featureCount} features in ${Date.now() - started} ms`,
  );

  const fitStarted = Date.now();
  const artifact = fit(train, hyperparameters);
  log(`fitted ${artifact.algorithm} model in ${Date.now() - fitStarted} ms`);

  const metrics: Record<string, Metrics> = { [CHANNELS.train]: evaluate(artifact, train) };
  if (validation) metrics[CHANNELS.validation] = evaluate(artifact, validation);

  await mkdir(paths.modelDir, { recursive: true });
  await writeFile(path.join(paths.modelDir, 'model.json'), JSON.stringify(artifact));
  await mkdir(paths.outputDataDir, { recursive: true });
  await writeFile(path.join(paths.outputDataDir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  for (const [channel, values] of Object.entries(metrics)) formatMetricLines(channel, values).forEach((line) => log(line));
}

/** Runs the job and returns the process exit code, writing output/failure on error. */
export async function main(env: Env, log: Log = console.log): Promise<number> {
  try {
    await runTraining(env, log);
    return 0;
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    // A user error needs only its message; anything else is a bug worth a stack.
    const userError = error instanceof ValueError || error instanceof DataError;
    console.error(userError || !(error instanceof Error) ? reason : error.stack);
    const failure = trainingPaths(env).failure;
    await mkdir(path.dirname(failure), { recursive: true });
    await writeFile(failure, reason.slice(0, FAILURE_LIMIT));
    return 1;
  }
}
