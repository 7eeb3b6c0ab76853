import type { Server } from 'node:http';
import path from 'node:path';

import { ValueError } from './errors';

// Where the SageMaker container contract puts things. Everything lives under
// one root (/opt/ml in a container; SAGEMAKER_BASE_DIR lets the offline
// emulator run the programs as plain processes), and the SM_* variables
// SageMaker's own toolkits set take precedence when present.

export type Env = Record<string, string | undefined>;

export const CHANNELS = { train: 'train', validation: 'validation' } as const;

export interface TrainingPaths {
  hyperparameters: string;
  inputDataConfig: string;
  modelDir: string;
  outputDataDir: string;
  /** Its content becomes the training job's FailureReason. */
  failure: string;
  channelDir(channel: string): string;
}

export function rootDir(env: Env): string {
  return env.SAGEMAKER_BASE_DIR || '/opt/ml';
}

export function modelDir(env: Env): string {
  return env.SM_MODEL_DIR || path.join(rootDir(env), 'model');
}

export function trainingPaths(env: Env): TrainingPaths {
  const root = rootDir(env);
  return {
    hyperparameters: path.join(root, 'input/config/hyperparameters.json'),
    inputDataConfig: path.join(root, 'input/config/inputdataconfig.json'),
    modelDir: modelDir(env),
    outputDataDir: env.SM_OUTPUT_DATA_DIR || path.join(root, 'output/data'),
    failure: path.join(root, 'output/failure'),
    channelDir: (channel) => env[`SM_CHANNEL_${channel.toUpperCase()}`] || path.join(root, 'input/data', channel),
  };
}

export interface ChannelConfig {
  ContentType?: string;
  TrainingInputMode?: string;
}

/** Checks one channel of inputdataconfig.json can be read as File-mode CSV. */
export function checkChannelConfig(channel: string, config: ChannelConfig): void {
  const contentType = config.ContentType?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== undefined && contentType !== 'text/csv' && contentType !== 'csv') {
    throw new ValueError(`channel '${channel}' has ContentType '${config.ContentType}'; only text/csv is supported`);
  }
  if (config.TrainingInputMode === 'Pipe') {
    throw new ValueError(`channel '${channel}' uses Pipe input mode; only File and FastFile are supported`);
  }
}

/** SageMaker's server settings for serve. */
export interface ServingConfig {
  host: string;
  port: number;
  modelDir: string;
}

export function servingConfig(env: Env): ServingConfig {
  const rawPort = env.SAGEMAKER_BIND_TO_PORT || '8080';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ValueError(`SAGEMAKER_BIND_TO_PORT must be a port number 1-65535 (got '${rawPort}')`);
  }
  return { host: env.SAGEMAKER_BIND_HOST || '0.0.0.0', port, modelDir: modelDir(env) };
}

/**
 * The serving process's life under SageMaker: listen where the contract says, exit 1 if the port
 * cannot be had, and on SIGTERM (how SageMaker stops a container) finish in-flight requests, then
 * exit 0. `describe` is the line logged once the server listens.
 */
export function serveUntilStopped(server: Server, config: ServingConfig, describe: () => string): void {
  server.on('error', (error) => {
    console.error(`serve: ${error.message}`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => console.log(describe()));
  const shutdown = (signal: NodeJS.Signals) => {
    console.log(`${signal} received, shutting down`);
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
