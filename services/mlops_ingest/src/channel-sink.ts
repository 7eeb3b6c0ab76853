import { once } from 'node:events';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';

/** Lines are batched into chunks of about this size before entering a stream (fewer, larger writes). */
export const CHUNK_CHARS = 64 * 1024;

/** Where one channel's lines go, a batch at a time (split.ts). */
export interface ChannelSink {
  readonly rows: number;
  /** Queues a line without waiting; call flushIfFull() after a batch so memory stays bounded. */
  append(line: string): void;
  flushIfFull(): Promise<void>;
  end(): Promise<void>;
  /** After a failure elsewhere: nothing of the channel is left behind. */
  abort(): Promise<void>;
}

/** A sink's batching: lines are joined once per chunk (not concatenated per line) and written a chunk at a time. */
export abstract class BatchedSink implements ChannelSink {
  private pending: string[] = [];
  private pendingChars = 0;
  rows = 0;

  append(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    this.rows++;
  }

  async flushIfFull(): Promise<void> {
    if (this.pendingChars >= CHUNK_CHARS) await this.flush();
  }

  /** Writes what is pending (an empty chunk when nothing is, so a failed stream still reports). */
  protected async flush(): Promise<void> {
    const chunk = this.pending.length === 0 ? '' : `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.pendingChars = 0;
    await this.write(chunk);
  }

  /** Hands a chunk to the stream, waiting while it is full (backpressure). */
  protected abstract write(chunk: string): Promise<void>;
  abstract end(): Promise<void>;
  abstract abort(): Promise<void>;
}

/** A channel written to a local file: a processing instance's output folder, which SageMaker uploads when the job ends. */
export class FileChannelWriter extends BatchedSink {
  private readonly stream: WriteStream;

  constructor(private readonly file: string) {
    super();
    this.stream = createWriteStream(file);
  }

  protected async write(chunk: string): Promise<void> {
    if (chunk.length > 0 && !this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async end(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => this.stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  async abort(): Promise<void> {
    this.stream.destroy();
    rmSync(this.file, { force: true });
  }
}
