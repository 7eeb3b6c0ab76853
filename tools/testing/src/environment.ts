/**
 * Each function's environment in the `local` stage, as serverless.yml resolves it (provider
 * environment, then the function's own). A table rather than `printServerlessConfig('local')`
 * because that runs the framework (seconds, a child process) and unit tests start none;
 * test/local-environment.int.test.ts checks this table equals what the framework resolves.
 */
export const LOCAL_REGION = 'us-east-1';

export const LOCAL_PROVIDER_ENVIRONMENT = {
  NODE_OPTIONS: '--enable-source-maps',
  STAGE: 'local',
  DATA_BUCKET: 'mlops-local-data',
  RUNS_PREFIX: 'runs/',
  NAME_PREFIX: 'mlops-local',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  POWERTOOLS_METRICS_NAMESPACE: 'MlopsPipeline',
  AWS_MAX_ATTEMPTS: '5',
};

export const LOCAL_FUNCTION_ENVIRONMENTS = {
  mlops_ingest: {
    POWERTOOLS_SERVICE_NAME: 'mlops_ingest',
    INCOMING_PREFIX: 'incoming/',
    FAMILIES_PREFIX: 'families/',
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:mlops-local-pipeline',
    SPLIT_RATIOS: '70,15,15',
    CSV_HEADER: 'false',
    COLUMN_NAMES: 'sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight,rings',
    LABEL_COLUMN: 'last',
    PROBLEM_TYPE: 'regression',
    PREPROCESS_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:mlops-local-preprocess',
    PREPROCESS_THRESHOLD_BYTES: '1073741824',
    PREPROCESS_INSTANCE_COUNT: '2',
    PREPROCESS_INSTANCE_TYPE: 'ml.m5.large',
    PREPROCESS_VOLUME_GB: '1',
    PREPROCESS_MAX_RUNTIME_SECONDS: '86400',
    PREPROCESS_IMAGE: '000000000000.dkr.ecr.us-east-1.amazonaws.com/mlops-preprocess:1.0.0',
    SAGEMAKER_ROLE_ARN: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker-execution',
  },
  mlops_train: {
    POWERTOOLS_SERVICE_NAME: 'mlops_train',
    SAGEMAKER_ROLE_ARN: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker-execution',
    TRAINING_IMAGE: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    TRAINING_INSTANCE_TYPE: 'ml.m5.large',
    TRAINING_INSTANCE_COUNT: '1',
    TRAINING_VOLUME_GB: '1',
    TRAINING_MAX_RUNTIME_SECONDS: '86400',
    HYPERPARAMETERS: '{"objective":"reg:squarederror","num_round":"50","max_depth":"5","eta":"0.2","gamma":"4","min_child_weight":"6","subsample":"0.7"}',
  },
  mlops_await: {
    POWERTOOLS_SERVICE_NAME: 'mlops_await',
    TRAINING_MAX_RUNTIME_SECONDS: '86400',
    TRANSFORM_DEADLINE_SECONDS: '7200',
    ENDPOINT_DEADLINE_SECONDS: '3600',
  },
  mlops_batch: {
    POWERTOOLS_SERVICE_NAME: 'mlops_batch',
    SAGEMAKER_ROLE_ARN: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker-execution',
    INFERENCE_IMAGE: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    TRANSFORM_INSTANCE_TYPE: 'ml.m5.large',
    TRANSFORM_INSTANCE_COUNT: '1',
  },
  mlops_eval: {
    POWERTOOLS_SERVICE_NAME: 'mlops_eval',
    GATE_METRIC: 'mse',
    GATE_THRESHOLDS: '{"abalone":{"metric":"mse","threshold":6.0}}',
    GATE_BASELINE_MARGIN: '0.1',
    GATE_TOLERANCE: '0',
    CLASSIFICATION_GATE_METRIC: 'f1_macro',
  },
  mlops_register: {
    POWERTOOLS_SERVICE_NAME: 'mlops_register',
    APPROVAL_POLICY: 'auto',
    INFERENCE_IMAGE: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
    TRANSFORM_INSTANCE_TYPE: 'ml.m5.large',
    ENDPOINT_INSTANCE_TYPE: 'ml.t2.medium',
  },
  mlops_deploy: {
    POWERTOOLS_SERVICE_NAME: 'mlops_deploy',
    SAGEMAKER_ROLE_ARN: 'arn:aws:iam::000000000000:role/mlops-local-sagemaker-execution',
    ENDPOINT_INSTANCE_TYPE: 'ml.t2.medium',
    ENDPOINT_INSTANCE_COUNT: '1',
    ENDPOINT_TERMINATION_WAIT_SECONDS: '0',
    DEPLOYMENT_POLICY: 'all-at-once',
    CANARY_PERCENT: '25',
    CANARY_BAKE_SECONDS: '600',
    ALARM_LATENCY_P99_MS: '1000',
    ALARM_5XX_PER_MINUTE: '0',
  },
  mlops_record: {
    POWERTOOLS_SERVICE_NAME: 'mlops_record',
  },
};

export type FunctionName = keyof typeof LOCAL_FUNCTION_ENVIRONMENTS;

/**
 * The process environment a test runs `name`'s handler with: its local-stage environment, the
 * region Lambda's runtime adds, and no logs (the tests assert on errors, not on log lines).
 */
export function functionEnvironment(name: FunctionName): Record<string, string> {
  return { ...LOCAL_PROVIDER_ENVIRONMENT, ...LOCAL_FUNCTION_ENVIRONMENTS[name], AWS_REGION: LOCAL_REGION, POWERTOOLS_LOG_LEVEL: 'SILENT' };
}
