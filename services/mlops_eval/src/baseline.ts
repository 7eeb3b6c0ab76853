/**
 * The gate's baseline (gate.ts: the baseline rule): a model that predicts one value for every row,
 * learnt from the training channel's labels: their mean (regression) or the most frequent class
 * (classification; a tie goes to the lowest class index). It is scored on the same test rows as the
 * challenger, in the same pass over the challenger's predictions (each line carries the row's label).
 *
 * Ingest's schema.json (runs/<runId>/data/schema.json, SchemaDocumentSchema) records no label mean per
 * channel (columns, label, row counts, the split's parameters), so the statistics are computed here:
 * the training channel is streamed once, reading only the first field of each line (the channels are
 * label-first and headerless), with O(1) memory (O(K) for K classes). Only runs judged by the
 * baseline rule read it. (A stratified split's class counts per channel, once ingest records them,
 * could spare classification runs the read: not used yet, both problem types read the channel.)
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ClassificationAccumulator, DatasetError, readLineBatches, RegressionAccumulator, s3Uri, withS3TransientAsRetryable, type MetricName, type S3Location, type Task } from '@mlops/common';
import { listObjects, preview, toNumber } from './predictions';

export interface Baseline {
  predicts: 'training-mean' | 'majority-class';
  /** The training mean, or the majority class's index. */
  prediction: number;
  /** majority-class: the class's label. */
  label?: string;
  trainingRows: number;
}

/** The labels of the training channel, one at a time. */
export class TrainingLabels {
  private rows = 0;
  // Neumaier's compensated sum: the mean of millions of labels without drift.
  private sum = 0;
  private compensation = 0;
  private readonly counts: number[] | undefined;

  constructor(private readonly task: Task) {
    this.counts = task.problemType === 'classification' ? (task.classes ?? []).map(() => 0) : undefined;
  }

  add(label: number): void {
    if (this.counts) {
      if (!Number.isInteger(label) || label < 0 || label >= this.counts.length) throw new Error(`label ${label} is not a class index in [0, ${this.counts.length - 1}]`);
      this.counts[label]!++;
    } else {
      const t = this.sum + label;
      this.compensation += Math.abs(this.sum) >= Math.abs(label) ? this.sum - t + label : label - t + this.sum;
      this.sum = t;
    }
    this.rows++;
  }

  get count(): number {
    return this.rows;
  }

  baseline(): Baseline {
    if (this.rows === 0) throw new Error('no training labels');
    if (!this.counts) return { predicts: 'training-mean', prediction: (this.sum + this.compensation) / this.rows, trainingRows: this.rows };
    let majority = 0;
    for (let c = 1; c < this.counts.length; c++) if (this.counts[c]! > this.counts[majority]!) majority = c;
    return { predicts: 'majority-class', prediction: majority, label: this.task.classes![majority]!, trainingRows: this.rows };
  }
}

async function readLabels(s3: S3Client, object: S3Location, labels: TrainingLabels): Promise<void> {
  const response = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
  let lineNumber = 0;
  for await (const lines of readLineBatches(response.Body as AsyncIterable<Uint8Array>)) for (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const comma = line.indexOf(',');
    const label = toNumber(line, 0, comma < 0 ? line.length : comma);
    const where = `${s3Uri(object.bucket, object.key)} line ${lineNumber}`;
    if (label !== label) throw new DatasetError(`${where}: the label is not a number in '${preview(line)}'`);
    try {
      labels.add(label);
    } catch (error) {
      throw new DatasetError(`${where}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/** Streams the training channel (every object under its prefix, as SageMaker's S3Prefix input reads it) into the baseline. */
export async function trainingBaseline(s3: S3Client, trainUri: string, task: Task): Promise<Baseline> {
  return withS3TransientAsRetryable(`reading the training labels under ${trainUri}`, async () => {
    // A retry starts over: nothing is counted twice.
    const labels = new TrainingLabels(task);
    const objects = (await listObjects(s3, trainUri)).filter((o) => !o.key.endsWith('/'));
    for (const object of objects) await readLabels(s3, object, labels);
    if (labels.count === 0) throw new DatasetError(`the training channel under ${trainUri} has no rows: the gate's baseline needs its labels`);
    return labels.baseline();
  });
}

/** The baseline's score: its one prediction against each test label, in the scorer's metrics. */
export class BaselineScorer {
  private readonly accumulator: RegressionAccumulator | ClassificationAccumulator;

  constructor(
    readonly baseline: Baseline,
    task: Task,
  ) {
    this.accumulator = task.problemType === 'regression' ? new RegressionAccumulator() : new ClassificationAccumulator(task.classes ?? []);
  }

  add(actual: number): void {
    this.accumulator.add(actual, this.baseline.prediction);
  }

  metrics(): Partial<Record<MetricName, number>> {
    return { ...this.accumulator.result() };
  }
}
