/**
 * The scale section's figures on paper for AWS: what the offline measurement (bench.ts) implies for
 * the Lambda path (mlops_ingest in one invocation) and the processing path (two SageMaker Processing
 * jobs and a merge), given AWS's documented limits and a few stated assumptions. Every limit and
 * assumption is a constant here, with its source; nothing else in the projection is a guess.
 */

// ---- AWS's documented limits ----

/** Lambda: an invocation runs at most 900 s (https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html). */
export const LAMBDA_TIMEOUT_S = 900;
/**
 * Lambda: a function has at most 10,240 MB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 * Not the Lambda path's limit: mlops_ingest streams, its peak RSS is flat (section 4).
 */
export const LAMBDA_MAX_MEMORY_MB = 10_240;
/**
 * Lambda: CPU is proportional to memory, one vCPU at 1,769 MB (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html);
 * mlops_ingest has 1,024 MB (serverless.yml), so a CPU-bound invocation gets 1024/1769 of the core it had here.
 */
export const LAMBDA_MB_PER_VCPU = 1_769;
export const LAMBDA_INGEST_MEMORY_MB = 1_024;
/**
 * SageMaker Processing: ProcessingStoppingCondition.MaxRuntimeInSeconds is 1 to 777,600 s (9 days)
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingStoppingCondition.html;
 * the SageMaker model in offline/aws-models says the same, ProcessingMaxRuntimeInSeconds max 777600).
 * Each of the two jobs has its own.
 */
export const PROCESSING_MAX_RUNTIME_S = 777_600;
/**
 * SageMaker Processing: ProcessingClusterConfig.VolumeSizeInGB is at most 16,384 per instance (16 TB),
 * InstanceCount at most 100 (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProcessingClusterConfig.html;
 * offline/aws-models: ProcessingVolumeSizeInGB max 16384, ProcessingInstanceCount max 100). The volume
 * is EBS gp2 (same page); a GB here is 2^30 bytes, as EBS sizes are.
 */
export const PROCESSING_MAX_VOLUME_GB = 16_384;
export const PROCESSING_MAX_INSTANCES = 100;

// ---- Assumptions (not measured here, not documented limits) ----

/**
 * ASSUMPTION: a processing job's start-up (Starting: instances provisioned, the image pulled and
 * started) takes 4 minutes; "a few minutes" in practice. Two jobs run one after the other (profile,
 * then split), so the path pays it twice. Not counted against MaxRuntimeInSeconds.
 */
export const PROCESSING_STARTUP_S = 240;
/**
 * ASSUMPTION: an instance moves data between S3 and its volume at 100 MB/s (File mode downloads the
 * shard before the container starts, in both jobs; EndOfJob uploads the split's channel files when it
 * ends). Counted in the job's runtime.
 */
export const S3_TRANSFER_MB_PER_S = 100;
/**
 * ASSUMPTION: one processing instance (ml.m5.xlarge, the stage's preprocessInstanceType) runs the
 * container as fast as one process did here: the program is one JavaScript thread.
 */
export const INSTANCE_SPEED_FACTOR = 1;

// ---- The stage as configured (serverless.yml defaults when this was written) ----

/** preprocessMaxRuntimeSeconds, preprocessVolumeGb, preprocessInstanceCount, preprocessThresholdBytes of serverless.yml's default stage. */
export const STAGE_DEFAULTS = { maxRuntimeS: 86_400, volumeGb: 30, instances: 2, thresholdBytes: 2 ** 30 } as const;

/** The instance counts projected. */
export const INSTANCE_COUNTS = [1, 2, 4, 8] as const;
/** Dataset sizes (GiB) the end-to-end table shows. */
export const SIZES_GIB = [1, 4, 16, 64, 256] as const;

const GB = 2 ** 30;
const MB = 1e6;

/** What the projection takes from the measurement. MB/s are 10^6 bytes per second, as in section 4. */
export interface Measured {
  /** Per-instance throughput of the profile job's program (one instance, its whole shard). */
  profileMbPerS: number;
  /** Per-instance throughput of the split job's program. */
  splitMbPerS: number;
  /** The merge (Profiler.merged + schema) in the bench process. */
  mergeS: number;
  /** Channel bytes written per input byte. */
  outputRatio: number;
  /** Parts of the dataset: ShardedByS3Key deals whole parts, so an instance gets ceil(parts / N) of them. */
  parts: number;
  /** mlops_ingest's throughput on one invocation (section 4), and where it comes from. */
  lambda?: { mbPerS: number; bytes: number; measuredAt: string };
}

export interface InstanceProjection {
  instances: number;
  /** Input bytes over the processing part of both jobs, all instances (no start-up). */
  mbPerS: number;
  /** The largest dataset whose slower job stays within MaxRuntimeInSeconds / the stage's runtime. */
  maxBytesByRuntime: number;
  maxBytesByStageRuntime: number;
  /** The largest dataset whose shard plus its channel files fit one instance's volume (the limit / the stage's). */
  maxBytesByVolume: number;
  maxBytesByStageVolume: number;
  /** Seconds end to end for each of SIZES_GIB. */
  seconds: number[];
  /** The size from which this path is faster than the Lambda path (measured / CPU-scaled); undefined: never. */
  crossoverBytes?: number;
  crossoverScaledBytes?: number;
}

export interface AwsProjection {
  lambda?: {
    mbPerS: number;
    /** The measured throughput at 1,024 MB's share of a vCPU, if the path is CPU-bound. */
    scaledMbPerS: number;
    maxBytes: number;
    maxBytesScaled: number;
    /** Seconds for each of SIZES_GIB, or null past the timeout. */
    seconds: (number | null)[];
    measuredAt: string;
    measuredBytes: number;
  };
  /** Fixed costs of the processing path: two start-ups and the merge. */
  fixedS: number;
  instances: InstanceProjection[];
  assumptions: { startupS: number; s3MbPerS: number; maxRuntimeS: number; maxVolumeGb: number; stage: typeof STAGE_DEFAULTS; lambdaVcpuShare: number };
}

/** The share of a dataset the busiest of N instances gets: ceil(parts / N) of the parts. */
export const shareOf = (parts: number, instances: number) => Math.ceil(parts / instances) / parts;

export function projectAws(m: Measured): AwsProjection {
  const profileRate = m.profileMbPerS * INSTANCE_SPEED_FACTOR;
  const splitRate = m.splitMbPerS * INSTANCE_SPEED_FACTOR;
  // Seconds per input MB on one instance, each job (download, program, and the split's upload).
  const profileJob = 1 / S3_TRANSFER_MB_PER_S + 1 / profileRate;
  const splitJob = 1 / S3_TRANSFER_MB_PER_S + 1 / splitRate + m.outputRatio / S3_TRANSFER_MB_PER_S;
  const fixedS = 2 * PROCESSING_STARTUP_S + m.mergeS;
  const lambdaShare = LAMBDA_INGEST_MEMORY_MB / LAMBDA_MB_PER_VCPU;
  const crossover = (lambdaMbPerS: number, perMb: number) => {
    const gain = 1 / lambdaMbPerS - perMb;
    return gain > 0 ? (fixedS / gain) * MB : undefined;
  };
  const instances = INSTANCE_COUNTS.map((n): InstanceProjection => {
    const share = shareOf(m.parts, n);
    const perMb = share * (profileJob + splitJob);
    const slowerJob = share * Math.max(profileJob, splitJob);
    const byVolume = (gb: number) => (gb * GB) / (share * (1 + m.outputRatio));
    return {
      instances: n,
      mbPerS: 1 / (share * (1 / profileRate + 1 / splitRate)),
      maxBytesByRuntime: (PROCESSING_MAX_RUNTIME_S / slowerJob) * MB,
      maxBytesByStageRuntime: (STAGE_DEFAULTS.maxRuntimeS / slowerJob) * MB,
      maxBytesByVolume: byVolume(PROCESSING_MAX_VOLUME_GB),
      maxBytesByStageVolume: byVolume(STAGE_DEFAULTS.volumeGb),
      seconds: SIZES_GIB.map((gib) => fixedS + ((gib * GB) / MB) * perMb),
      ...(m.lambda ? { crossoverBytes: crossover(m.lambda.mbPerS, perMb), crossoverScaledBytes: crossover(m.lambda.mbPerS * lambdaShare, perMb) } : {}),
    };
  });
  return {
    ...(m.lambda
      ? {
          lambda: {
            mbPerS: m.lambda.mbPerS,
            scaledMbPerS: m.lambda.mbPerS * lambdaShare,
            maxBytes: m.lambda.mbPerS * LAMBDA_TIMEOUT_S * MB,
            maxBytesScaled: m.lambda.mbPerS * lambdaShare * LAMBDA_TIMEOUT_S * MB,
            seconds: SIZES_GIB.map((gib) => {
              const s = (gib * GB) / MB / m.lambda!.mbPerS;
              return s <= LAMBDA_TIMEOUT_S ? s : null;
            }),
            measuredAt: m.lambda.measuredAt,
            measuredBytes: m.lambda.bytes,
          },
        }
      : {}),
    fixedS,
    instances,
    assumptions: {
      startupS: PROCESSING_STARTUP_S,
      s3MbPerS: S3_TRANSFER_MB_PER_S,
      maxRuntimeS: PROCESSING_MAX_RUNTIME_S,
      maxVolumeGb: PROCESSING_MAX_VOLUME_GB,
      stage: STAGE_DEFAULTS,
      lambdaVcpuShare: lambdaShare,
    },
  };
}
