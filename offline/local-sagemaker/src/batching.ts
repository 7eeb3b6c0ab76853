/** Record splitting and mini-batching of batch transform (SplitType, BatchStrategy, MaxPayloadInMB), pure. */

export class PayloadTooLargeError extends Error {}

/** Splits text into lines (`\n` or `\r\n`), dropping empty lines. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.length > 0);
}

/** The request body of a mini-batch: every record followed by a newline. */
export function encodeBatch(records: string[]): Buffer {
  return Buffer.from(records.map((r) => r + '\n').join(''), 'utf8');
}

/**
 * Groups records into mini-batches. `SingleRecord`: one record per request. `MultiRecord`: as many
 * records as fit in `maxBytes` (0 = no limit). A single record larger than the limit is an error,
 * as it is for SageMaker. Items carry whatever the caller needs (e.g. the original input record);
 * `text` is what is sent.
 */
export class MiniBatcher<T = string> {
  private current: T[] = [];
  private currentBytes = 0;

  constructor(
    private readonly strategy: 'SingleRecord' | 'MultiRecord',
    private readonly maxBytes: number,
  ) {}

  push(item: T, text: string): T[][] {
    const size = Buffer.byteLength(text, 'utf8') + 1;
    if (this.maxBytes > 0 && size > this.maxBytes) {
      throw new PayloadTooLargeError(`a record of ${size} bytes exceeds MaxPayloadInMB (${this.maxBytes} bytes)`);
    }
    if (this.strategy === 'SingleRecord') return [[item]];
    const done: T[][] = [];
    if (this.maxBytes > 0 && this.currentBytes + size > this.maxBytes && this.current.length > 0) {
      done.push(this.current);
      this.current = [];
      this.currentBytes = 0;
    }
    this.current.push(item);
    this.currentBytes += size;
    return done;
  }

  flush(): T[][] {
    if (this.current.length === 0) return [];
    const out = [this.current];
    this.current = [];
    this.currentBytes = 0;
    return out;
  }
}

/** Splits a model response into one output per record of the request it answered. */
export function splitResponse(body: string, recordCount: number): string[] | undefined {
  if (recordCount === 1) return [body.replace(/\r?\n$/, '')];
  const lines = body.replace(/\r?\n$/, '').split(/\r?\n/);
  return lines.length === recordCount ? lines : undefined;
}
