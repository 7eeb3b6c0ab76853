import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a byte stream into lines on '\n' only. Lambda's log format turns newlines inside one
 * message into '\r', so a '\r' must not end a line (readline would split on it).
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  push(chunk: Buffer | string): string[] {
    const text = this.rest + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    return lines;
  }

  /** The unterminated last line, if any, once the stream has ended. */
  end(): string[] {
    const last = this.rest + this.decoder.end();
    this.rest = '';
    return last === '' ? [] : [last];
  }
}
