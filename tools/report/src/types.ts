/** The data of one pipeline run's report. report.json is exactly this object; report.html is drawn from it. */
import type { DeployOutput, EvaluationReport, ExecutionStatus } from '@mlops/common';
import type { SchemaDocument } from '@mlops/mlops_ingest/core';

export type { EvaluationReport, ExecutionStatus, SchemaDocument };

/** A Choice rule: only Next matters for the drawing; the comparison (if present) labels the edge. */
export interface AslChoiceRule {
  Next: string;
  [key: string]: unknown;
}

export interface AslState {
  Type: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Choices?: AslChoiceRule[];
  Catch?: { Next: string; [key: string]: unknown }[];
  Comment?: string;
  [key: string]: unknown;
}

/** The part of an Amazon States Language definition the report draws. */
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [key: string]: unknown;
}

export interface StepTiming {
  state: string;
  type: string;
  entries: number;
  totalMs: number;
  firstEnteredAt: string;
}

export interface JobTransition {
  status: string;
  start: string;
  end?: string;
  message?: string;
}

export interface JobSummary {
  kind: 'training' | 'transform' | 'endpoint';
  /** Whose job: the run's model (challenger) or the family's live model (champion, its transform of the same rows). */
  role?: 'challenger' | 'champion';
  name: string;
  status: string;
  polls: number;
  seconds?: number;
  transitions?: JobTransition[];
}

export interface Histogram {
  /** counts.length + 1 ascending edges; bin i is [binEdges[i], binEdges[i+1]) (the last bin is closed). */
  binEdges: number[];
  counts: number[];
}

export interface EndpointCheck {
  features: string;
  actual: string;
  predicted: string;
}

export interface RegisteredModel {
  /** `abalone v4` */
  label: string;
  arn: string;
  group: string;
  version: number;
  approvalStatus: 'Approved' | 'Rejected' | 'PendingManualApproval';
}

export interface DeploymentSummary {
  /** The deploy state machine's execution (startExecution.sync:2) and how it ended. */
  executionArn?: string;
  status?: string;
  /** `abalone v4` */
  model: string;
  endpointName: string;
  endpointConfigName: string;
  /** Absent when only the run record is known (it keeps the deploy's outcome, not its action). */
  action?: DeployOutput['action'];
  /** The config the endpoint served before a blue/green update (the champion's). */
  previousConfigName?: string;
}

/**
 * Where a hyperparameter's value came from (mlops_train: the stage's, then the problem's, then the run's):
 * `run`, the run's overrides (upload metadata `mlops-hyperparameters`, `--hyperparameters`); `stage`, the
 * stage's defaults (serverless.yml params `hyperparameters`); `pipeline`, set by mlops_train from the problem
 * type (objective, num_class).
 */
export type HyperparameterSource = 'run' | 'stage' | 'pipeline';

export interface HyperparameterSetting {
  name: string;
  /** The value the training job was given (DescribeTrainingJob's HyperParameters). */
  value: string;
  /** Absent when the stage's defaults are not known to whoever built the report. */
  source?: HyperparameterSource;
  /** The stage's value that the run or the pipeline replaced. */
  stageValue?: string;
}

/** The training job as an ML engineer reads it: what it was given and what it measured. */
export interface TrainingSummary {
  jobName: string;
  /** The algorithm's image (AlgorithmSpecification.TrainingImage). */
  image?: string;
  hyperparameters: HyperparameterSetting[];
  /**
   * FinalMetricDataList: each metric's last logged value, named `<channel>:<metric>` (`train:rmse`,
   * `validation:mlogloss`), in the order SageMaker lists them.
   */
  finalMetrics: { name: string; value: number }[];
}

export interface RunReport {
  /** e.g. "abalone-1a2b3c4d5e — SUCCEEDED" */
  title: string;
  /** ISO timestamp */
  generatedAt: string;
  execution: {
    name: string;
    arn: string;
    status: ExecutionStatus;
    error?: string;
    cause?: string;
    startedAt: string;
    stoppedAt?: string;
    wallSeconds: number;
    /** Waits on the scaled clock, in the state machine's time. */
    virtualSeconds?: number;
  };
  dataset: {
    source: string;
    rows: { train: number; validation: number; test: number };
    featureCount: number;
    problemType: 'regression' | 'classification';
    target: string;
    classes?: string[];
  };
  /**
   * The run's `data/schema.json` as mlops_ingest wrote it (parsed with its SchemaDocumentSchema): each
   * source column's role, type, categories and fill, the encoded columns, the split.
   */
  schema?: SchemaDocument;
  /** The training job's hyperparameters and final metrics (absent when the run stopped before training). */
  training?: TrainingSummary;
  definition: AslDefinition;
  /** State names in the order this execution entered them (repeats for loops). */
  path: string[];
  steps: StepTiming[];
  jobs: JobSummary[];
  evaluation?: EvaluationReport;
  /** The model package version this run registered (absent when the gate failed or the run stopped before). */
  model?: RegisteredModel;
  /** The deploy of this run's model: the deploy state machine's execution and its output. */
  deployment?: DeploymentSummary;
  endpoint?: { name: string; configName?: string; checks: EndpointCheck[] };
  artifacts?: Record<string, string>;
}
