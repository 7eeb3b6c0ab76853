import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { trainingPaths, type Env } from '@mlops/model';

import { train } from './booster';
import { checkChannelConfig, checkCsvFiles, channelFiles, type ChannelConfig } from './data';
import { PlatformError, UserError } from './errors';
import { validateHyperparameters } from './hyperparameters';
import { loadXGBoost, XGBoostError } from './library';
import { formatFinalMetrics, formatRound } from './metrics';

// The `train` program: algorithm mode of SageMaker's XGBoost 1.7-1 container.

export type Log = (line: string) => void;

/** The model file name the container writes and its serving side reads. */
export const MODEL_NAME = 'xgboost-model';
const CHANNELS = ['train', 'validation'] as const;
/** SageMaker keeps the first 1024 characters of the failure file as FailureReason. */
const FAILURE_LIMIT = 1024;

async function readJsonObject(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path.basename(file)} is not valid JSON: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UserError(`${path.basename(file)} must hold a JSON object`);
  return json as Record<string, unknown>;
}

/** Runs a training job; throws on failure (main turns that into output/failure). */
export async function runTraining(env: Env, log: Log): Promise<void> {
  const paths = trainingPaths(env);
  const hyperparameters = validateHyperparameters((await readJsonObject(paths.hyperparameters)) ?? {});
  for (const key of hyperparameters.ignored) log(`ignoring SageMaker hyperparameter '${key}'`);
  log(`hyperparameters: ${JSON.stringify(hyperparameters.values)}`);

  // Without inputdataconfig.json (a bare local run) the channel folders are read as text/csv.
  const dataConfig = ((await readJsonObject(paths.inputDataConfig)) ?? {}) as Record<string, ChannelConfig>;
  for (const [channel, config] of Object.entries(dataConfig)) {
    if ((CHANNELS as readonly string[]).includes(channel)) checkChannelConfig(channel, config);
    else log(`ignoring channel '${channel}'`);
  }

  // Fail on the library before reading data: the reason says what to install.
  const api = loadXGBoost(env);
  log(`XGBoost ${api.version} from ${api.path}`);

  const trainDir = paths.channelDir('train');
  const trainFiles = await channelFiles(trainDir);
  const trainCsv = await checkCsvFiles('train', trainFiles, hyperparameters.csvWeights);
  if (trainCsv.rows === 0) throw new UserError(`No data in training channel path ${trainDir}`);
  const validationDir = paths.channelDir('validation');
  const validationFiles = await channelFiles(validationDir);
  const validationCsv = await checkCsvFiles('validation', validationFiles, hyperparameters.csvWeights, trainCsv.columns);
  if (validationCsv.rows === 0 && ('validation' in dataConfig || env.SM_CHANNEL_VALIDATION !== undefined)) {
    throw new UserError(`No data in validation channel path ${validationDir}`);
  }

  const started = Date.now();
  const result = train(
    hyperparameters,
    { train: trainFiles, validation: validationCsv.rows > 0 ? validationFiles : [] },
    { env, onRound: (round, metrics) => log(formatRound(round, metrics)) },
  );
  try {
    log(`Train matrix has ${result.trainRows} rows and ${result.features} columns; validation ${result.validationRows} rows`);
    log(`trained ${hyperparameters.numRound} rounds in ${Date.now() - started} ms`);
    await mkdir(paths.modelDir, { recursive: true });
    result.model.save(path.join(paths.modelDir, MODEL_NAME));
  } finally {
    result.model.free();
  }
  const final = result.history.at(-1);
  if (final) formatFinalMetrics(final).forEach((line) => log(line));
}

/** Runs the job and returns the exit code; on failure writes output/failure and logs the reason. */
export async function main(env: Env, log: Log = console.log): Promise<number> {
  try {
    await runTraining(env, log);
    return 0;
  } catch (error) {
    const known = error instanceof UserError || error instanceof PlatformError || error instanceof XGBoostError;
    // XGBoost's own check failures carry a C++ location line first; keep the message on one line.
    const reason = error instanceof Error ? `${error.name}: ${error.message.replace(/\s*\n\s*/g, ' ')}` : String(error);
    console.error(known || !(error instanceof Error) ? reason : error.stack);
    const failure = trainingPaths(env).failure;
    await mkdir(path.dirname(failure), { recursive: true });
    await writeFile(failure, reason.slice(0, FAILURE_LIMIT));
    return 1;
  }
}
