/**
 * Starts the run's execution exactly once: the name comes from the upload, so a duplicate
 * delivery meets ExecutionAlreadyExists, which is success when the existing run has this input.
 */
import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { DatasetError, MAX_STATE_PAYLOAD_BYTES, PipelineInputSchema, errorName, executionArnFor, executionNameFor, validateInput, type PipelineInput } from '@mlops/common';

/**
 * The state document starts as the execution input and grows by every step's (small) output, and
 * Step Functions fails an execution whose state exceeds 256 KiB: a run may start with a quarter of it.
 * Only the upload's own strings can make it large (the target column's name, the class labels).
 */
export const MAX_EXECUTION_INPUT_BYTES = MAX_STATE_PAYLOAD_BYTES / 4;

export interface StartedRun {
  executionArn: string;
  status: 'started' | 'duplicate';
}

/** Paths where two JSON values differ (for a conflict message), at most `limit` of them. */
export function differingPaths(a: unknown, b: unknown, path = '', limit = 5): string[] {
  if (Object.is(a, b)) return [];
  const bothObjects = typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b);
  if (!bothObjects) return [path || '(root)'];
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const out: string[] = [];
  for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
    if (out.length >= limit) break;
    out.push(...differingPaths(left[key], right[key], path ? `${path}.${key}` : key, limit - out.length));
  }
  return out;
}

/** The same content re-uploaded as a new version is the same run: the version id does not count. */
function comparable(input: PipelineInput): PipelineInput {
  const { versionId: _ignored, ...source } = input.source;
  return { ...input, source };
}

export async function startPipeline(sfn: SFNClient, stateMachineArn: string, run: PipelineInput): Promise<StartedRun> {
  const input = validateInput(PipelineInputSchema, run, 'execution input');
  const name = executionNameFor(input.runId);
  const body = JSON.stringify(input);
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_EXECUTION_INPUT_BYTES) {
    const classes = (input.task.classes ?? []).reduce((sum, c) => sum + c.length, 0);
    throw new DatasetError(
      `the run's execution input would be ${bytes} bytes, over the ${MAX_EXECUTION_INPUT_BYTES} bytes a run may start with: ` +
        `the target column's name has ${input.task.target.length} characters and the class labels ${classes}`,
    );
  }
  try {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: body }));
    return { executionArn: started.executionArn!, status: 'started' };
  } catch (error) {
    if (errorName(error) !== 'ExecutionAlreadyExists') throw error;
  }
  const executionArn = executionArnFor(stateMachineArn, name);
  const existing = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  let existingInput: unknown;
  try {
    existingInput = JSON.parse(existing.input ?? 'null');
  } catch {
    existingInput = existing.input;
  }
  const parsed = PipelineInputSchema.safeParse(existingInput);
  const differences = parsed.success ? differingPaths(comparable(parsed.data), comparable(input)) : ['(not a pipeline input)'];
  if (differences.length === 0) return { executionArn, status: 'duplicate' };
  throw new DatasetError(
    `execution ${name} already exists for this upload with a different input (differs at ${differences.join(', ')}); ` +
      'the upload options (metadata) of an upload cannot change once it ran: upload under a new key to run again',
  );
}
