import { assertPayloadSize, EvaluationReportSchema, InputValidationError, MAX_STATE_PAYLOAD_BYTES, PipelineStateSchema, TrainInputSchema, validateInput } from '../src';

describe('validateInput', () => {
  it('returns the parsed value of a valid input', () => {
    expect(validateInput(EvaluationReportSchema.shape.rows, 3, 'rows')).toBe(3);
  });

  it('throws InputValidationError naming every failing field', () => {
    const error = (() => {
      try {
        validateInput(TrainInputSchema, { executionArn: 'x', run: {} }, 'mlops_train input');
      } catch (e) {
        return e as InputValidationError;
      }
    })();
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error!.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['executionArn', 'run.runId']));
    expect(error!.message).toMatch(/^Invalid mlops_train input: /);
  });
});

describe('assertPayloadSize', () => {
  it('accepts a result at the limit and refuses one byte more', () => {
    const at = 'x'.repeat(MAX_STATE_PAYLOAD_BYTES - 2); // JSON adds the two quotes
    expect(() => assertPayloadSize(at, 'fn')).not.toThrow();
    expect(() => assertPayloadSize(`${at}x`, 'fn')).toThrow(expect.objectContaining({ name: 'PayloadTooLargeError' }));
  });
});

describe('PipelineStateSchema', () => {
  it('refuses a state document whose step output has the wrong shape', () => {
    const result = PipelineStateSchema.safeParse({ training: { jobName: 1 } });
    expect(result.success).toBe(false);
  });
});
