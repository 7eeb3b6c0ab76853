import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The SageMaker container contract, mapped onto a per-process folder that stands in for /opt/ml.
 * Programs find it in SAGEMAKER_BASE_DIR (a container written for /opt/ml reads that variable,
 * defaulting to /opt/ml).
 */

export interface TrainingLayout {
  root: string;
  inputDir: string;
  configDir: string;
  dataDir: string;
  modelDir: string;
  outputDir: string;
  outputDataDir: string;
  failureFile: string;
  checkpointDir: string;
}

export function trainingLayout(root: string): TrainingLayout {
  return {
    root,
    inputDir: path.join(root, 'input'),
    configDir: path.join(root, 'input', 'config'),
    dataDir: path.join(root, 'input', 'data'),
    modelDir: path.join(root, 'model'),
    outputDir: path.join(root, 'output'),
    outputDataDir: path.join(root, 'output', 'data'),
    failureFile: path.join(root, 'output', 'failure'),
    checkpointDir: path.join(root, 'checkpoints'),
  };
}

export interface ChannelSpec {
  ChannelName: string;
  ContentType?: string;
  CompressionType?: string;
  RecordWrapperType?: string;
  InputMode?: string;
  DataSource?: { S3DataSource?: { S3DataType?: string; S3Uri?: string; S3DataDistributionType?: string } };
}

export interface TrainingSpec {
  jobName: string;
  jobArn: string;
  hyperParameters: Record<string, string>;
  channels: ChannelSpec[];
  trainingInputMode: string;
  instanceType: string;
  environment: Record<string, string>;
}

export const CURRENT_HOST = 'algo-1';

/** SageMaker names a job's instances algo-1, algo-2, ... (index 0 is algo-1). */
export function hostName(index: number): string {
  return `algo-${index + 1}`;
}

/** `resourceconfig.json`, as SageMaker writes it on each host of a job (one host unless told otherwise). */
export function resourceConfig(instanceType: string, currentHost = CURRENT_HOST, hosts: string[] = [CURRENT_HOST]): Record<string, unknown> {
  return {
    current_host: currentHost,
    current_instance_type: instanceType,
    current_group_name: 'homogeneousCluster',
    hosts: [...hosts],
    instance_groups: [{ instance_group_name: 'homogeneousCluster', instance_type: instanceType, hosts: [...hosts] }],
    network_interface_name: 'eth0',
  };
}

/** `inputdataconfig.json`: per channel, the settings SageMaker passes to the container. */
export function inputDataConfig(spec: TrainingSpec): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const c of spec.channels) {
    const entry: Record<string, string> = {
      TrainingInputMode: c.InputMode ?? spec.trainingInputMode,
      S3DistributionType: c.DataSource?.S3DataSource?.S3DataDistributionType ?? 'FullyReplicated',
      RecordWrapperType: c.RecordWrapperType ?? 'None',
    };
    if (c.ContentType) entry.ContentType = c.ContentType;
    out[c.ChannelName] = entry;
  }
  return out;
}

/** Writes input/config/{hyperparameters,inputdataconfig,resourceconfig}.json and creates the folders. */
export function writeTrainingConfig(layout: TrainingLayout, spec: TrainingSpec): void {
  for (const dir of [layout.configDir, layout.dataDir, layout.modelDir, layout.outputDataDir, layout.checkpointDir]) fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(layout.configDir, 'hyperparameters.json'), JSON.stringify(spec.hyperParameters));
  fs.writeFileSync(path.join(layout.configDir, 'inputdataconfig.json'), JSON.stringify(inputDataConfig(spec)));
  fs.writeFileSync(path.join(layout.configDir, 'resourceconfig.json'), JSON.stringify(resourceConfig(spec.instanceType)));
  for (const c of spec.channels) fs.mkdirSync(path.join(layout.dataDir, c.ChannelName), { recursive: true });
}

/** Hyperparameter values as the training toolkit exposes them in SM_HPS: JSON-decoded where possible. */
export function decodeHyperParameters(hps: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(hps)) {
    try {
      out[k] = JSON.parse(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}

/** The SM_* variables the SageMaker training toolkit sets, pointing into the job's root. */
export function trainingEnvironment(layout: TrainingLayout, spec: TrainingSpec): Record<string, string> {
  const channels = spec.channels.map((c) => c.ChannelName).sort();
  const hps = decodeHyperParameters(spec.hyperParameters);
  const channelDirs: Record<string, string> = {};
  for (const c of channels) channelDirs[c] = path.join(layout.dataDir, c);
  const rc = resourceConfig(spec.instanceType);
  const userArgs = Object.entries(spec.hyperParameters).flatMap(([k, v]) => [`--${k}`, v]);
  const env: Record<string, string> = {
    SAGEMAKER_BASE_DIR: layout.root,
    TRAINING_JOB_NAME: spec.jobName,
    TRAINING_JOB_ARN: spec.jobArn,
    SM_MODEL_DIR: layout.modelDir,
    SM_INPUT_DIR: layout.inputDir,
    SM_INPUT_CONFIG_DIR: layout.configDir,
    SM_OUTPUT_DIR: layout.outputDir,
    SM_OUTPUT_DATA_DIR: layout.outputDataDir,
    SM_OUTPUT_INTERMEDIATE_DIR: path.join(layout.outputDir, 'intermediate'),
    SM_CHANNELS: JSON.stringify(channels),
    SM_HPS: JSON.stringify(hps),
    SM_HOSTS: JSON.stringify([CURRENT_HOST]),
    SM_CURRENT_HOST: CURRENT_HOST,
    SM_CURRENT_INSTANCE_TYPE: spec.instanceType,
    SM_CURRENT_INSTANCE_GROUP: 'homogeneousCluster',
    SM_CURRENT_INSTANCE_GROUP_HOSTS: JSON.stringify([CURRENT_HOST]),
    SM_INSTANCE_GROUPS: JSON.stringify(['homogeneousCluster']),
    SM_IS_HETERO: 'false',
    SM_NUM_CPUS: String(os.cpus().length),
    SM_NUM_GPUS: '0',
    SM_NUM_NEURONS: '0',
    SM_NETWORK_INTERFACE_NAME: 'eth0',
    SM_LOG_LEVEL: '20',
    SM_RESOURCE_CONFIG: JSON.stringify(rc),
    SM_INPUT_DATA_CONFIG: JSON.stringify(inputDataConfig(spec)),
    SM_USER_ARGS: JSON.stringify(userArgs),
    SM_FRAMEWORK_PARAMS: '{}',
  };
  for (const c of channels) env[`SM_CHANNEL_${c.toUpperCase()}`] = channelDirs[c]!;
  for (const [k, v] of Object.entries(spec.hyperParameters)) env[`SM_HP_${k.toUpperCase()}`] = v;
  env.SM_TRAINING_ENV = JSON.stringify({
    job_name: spec.jobName,
    channel_input_dirs: channelDirs,
    current_host: CURRENT_HOST,
    hosts: [CURRENT_HOST],
    hyperparameters: hps,
    input_config_dir: layout.configDir,
    input_data_config: inputDataConfig(spec),
    input_dir: layout.inputDir,
    model_dir: layout.modelDir,
    output_data_dir: layout.outputDataDir,
    output_dir: layout.outputDir,
    num_cpus: os.cpus().length,
    num_gpus: 0,
    resource_config: rc,
  });
  return env;
}

/** The variables a serving container gets (SAGEMAKER_BIND_TO_PORT & co.). */
export function servingEnvironment(root: string, port: number): Record<string, string> {
  return {
    SAGEMAKER_BIND_TO_PORT: String(port),
    SAGEMAKER_BIND_HOST: '127.0.0.1',
    SAGEMAKER_BASE_DIR: root,
    SM_MODEL_DIR: path.join(root, 'model'),
  };
}

/** A processing instance's root (its /opt/ml): `config/` holds processingjobconfig.json and resourceconfig.json. */
export interface ProcessingLayout {
  root: string;
  configDir: string;
  /** `output/message`: its text becomes the job's ExitMessage. */
  messageFile: string;
}

export function processingLayout(root: string): ProcessingLayout {
  return { root, configDir: path.join(root, 'config'), messageFile: path.join(root, 'output', 'message') };
}

/** Where the container contract puts every processing path: LocalPath must begin with it. */
export const PROCESSING_PREFIX = '/opt/ml/processing/';
const OPT_ML = '/opt/ml';

/**
 * A container path under /opt/ml mapped into the instance's root (as a bind mount would); undefined
 * for paths elsewhere. `..` segments cannot climb out of the root.
 */
export function hostPath(root: string, containerPath: string): string | undefined {
  if (containerPath !== OPT_ML && !containerPath.startsWith(OPT_ML + '/')) return undefined;
  const rest = containerPath.slice(OPT_ML.length).replace(/^\/+/, '');
  const resolved = path.resolve(root, rest);
  if (resolved !== path.resolve(root) && !resolved.startsWith(path.resolve(root) + path.sep)) return undefined;
  return resolved;
}

/**
 * A command line as the container would see it: every argument naming a path under /opt/ml points
 * into the instance's root, so `python3 /opt/ml/processing/input/code/run.py` runs the downloaded
 * code. Other arguments are passed as they are.
 */
export function mapContainerPaths(root: string, argv: readonly string[]): string[] {
  return argv.map((arg) => hostPath(root, arg) ?? arg);
}

/** Writes config/resourceconfig.json and config/processingjobconfig.json, as SageMaker Processing does on each instance. */
export function writeProcessingConfig(layout: ProcessingLayout, jobConfig: Record<string, unknown>, resource: Record<string, unknown>): void {
  fs.mkdirSync(layout.configDir, { recursive: true });
  fs.mkdirSync(path.dirname(layout.messageFile), { recursive: true });
  fs.writeFileSync(path.join(layout.configDir, 'processingjobconfig.json'), JSON.stringify(jobConfig, null, 2));
  fs.writeFileSync(path.join(layout.configDir, 'resourceconfig.json'), JSON.stringify(resource));
}
