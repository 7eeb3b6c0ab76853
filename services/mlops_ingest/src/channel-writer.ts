import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CHUNK_CHARS, type ChannelSink } from './channel-sink';


/**
 * Streams text lines into one S3 object through a multipart upload, so a channel of any size
 * is never held in memory: at most the upload's queue of 5 MiB parts plus one chunk.
 */
export class ChannelWriter implements ChannelSink {
  private readonly stream = new PassThrough();
  private readonly upload: Upload;
  private readonly done: Promise<unknown>;
  /** Lines not yet written, and their length with newlines (joined once per chunk, not concatenated per line). */
  private pending: string[] = [];
  private pendingChars = 0;
  rows = 0;

  constructor(s3: S3Client, bucket: string, key: string) {
    this.upload = new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: this.stream, ContentType: 'text/csv' }, queueSize: 2 });
    this.done = this.upload.done();
    // Observed here so a failure mid-stream is not an unhandled rejection; it resurfaces in write() or end().
    this.done.catch(() => this.stream.destroy());
  }

  async writeLine(line: string): Promise<void> {
    this.append(line);
    await this.flushIfFull();
  }

  /** Queues a line without waiting; call flushIfFull() after a batch so memory stays bounded. */
  append(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    this.rows++;
  }

  async flushIfFull(): Promise<void> {
    if (this.pendingChars >= CHUNK_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    const chunk = this.pending.length === 0 ? '' : `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.pendingChars = 0;
    if (this.stream.destroyed) await this.done; // the upload failed: rethrow its error
    if (chunk.length === 0 || this.stream.write(chunk)) return;
    // Backpressure: wait until the upload consumed the stream, or failed.
    await Promise.race([once(this.stream, 'drain'), this.done]);
  }

  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
    await this.done;
  }

  /** Stops the upload after a failure elsewhere; the uploader then aborts its multipart upload (no object appears). */
  async abort(): Promise<void> {
    await this.upload.abort();
    this.stream.destroy();
    await this.done.catch(() => undefined);
  }
}
