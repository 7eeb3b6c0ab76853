/**
 * Strict UTF-8: an upload whose bytes are not UTF-8 (a file saved as Latin-1 or Windows-1252) is
 * rejected with the line and byte offset of the first bad byte, where a lenient decoder would turn
 * it into U+FFFD and profile it as a new category. A leading byte order mark is dropped, as
 * csv-parse's `bom` does.
 */
import { DatasetError } from '@mlops/common';

const LF = 10;

/**
 * Where the first ill-formed sequence starts in bytes[from..], or -1. A sequence cut short by the end
 * of `bytes` is not ill-formed: the next chunk completes it. Written out because TextDecoder's error
 * says nothing of where (Unicode §3.9, table 3-7: the well-formed byte sequences); it runs only once
 * TextDecoder has refused a chunk.
 */
export function illFormedAt(bytes: Uint8Array, from = 0): number {
  let i = from;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0; // no overlong forms
      if (lead === 0xed) high = 0x9f; // no surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f; // nothing past U+10FFFF
    } else return i;
    for (let k = 1; k < length; k++) {
      if (i + k >= bytes.length) return -1;
      const next = bytes[i + k]!;
      if (k === 1 ? next < low || next > high : next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return -1;
}

/** Where a character cut short at the end of `tail` starts (tail.length if none is). */
function incompleteStart(tail: Uint8Array): number {
  for (let j = tail.length - 1; j >= Math.max(0, tail.length - 3); j--) {
    const b = tail[j]!;
    if ((b & 0xc0) === 0x80) continue;
    if (b < 0xc0) return tail.length;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    return tail.length - j < length ? j : tail.length;
  }
  return tail.length;
}

function countLines(bytes: Uint8Array, end: number): number {
  let lines = 0;
  for (let i = bytes.indexOf(LF); i !== -1 && i < end; i = bytes.indexOf(LF, i + 1)) lines++;
  return lines;
}

const hex = (byte: number) => `0x${byte.toString(16).padStart(2, '0')}`;
const SAVE_AS_UTF8 = 'save it as UTF-8 (it may be in Latin-1 or Windows-1252)';

/**
 * TextDecoder with fatal: true in streaming mode, which also knows where it is: `decode` takes each
 * chunk and the number of lines (LF) in the bytes before it, which its callers count anyway, so the
 * hot path counts nothing.
 */
export class Utf8Decoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** Bytes decoded before the current chunk. */
  private offset = 0;
  /** The last (up to 3) bytes so far: a character cut there continues in the next chunk. */
  private tail = new Uint8Array(0);

  decode(chunk: Uint8Array, linesBefore: number): string {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw this.invalid(chunk, linesBefore);
    }
    this.offset += chunk.length;
    if (chunk.length >= 3) this.tail = chunk.slice(chunk.length - 3);
    else {
      const joined = new Uint8Array(this.tail.length + chunk.length);
      joined.set(this.tail);
      joined.set(chunk, this.tail.length);
      this.tail = joined.slice(-3);
    }
    return text;
  }

  /** The end of the input: throws if it ends inside a character. */
  end(linesBefore: number): string {
    try {
      return this.decoder.decode();
    } catch {
      const start = incompleteStart(this.tail);
      const offset = this.offset - (this.tail.length - start);
      throw new DatasetError(`the file is not valid UTF-8: it ends inside a character (line ${linesBefore + 1}, byte offset ${offset}: ${hex(this.tail[start] ?? 0)}); ${SAVE_AS_UTF8}`);
    }
  }

  private invalid(chunk: Uint8Array, linesBefore: number): DatasetError {
    const bytes = new Uint8Array(this.tail.length + chunk.length);
    bytes.set(this.tail);
    bytes.set(chunk, this.tail.length);
    const at = illFormedAt(bytes, incompleteStart(this.tail));
    // TextDecoder refused the chunk, so there is an ill-formed sequence; -1 would be a decoder this code does not know.
    if (at === -1) return new DatasetError(`the file is not valid UTF-8 (after byte offset ${this.offset}); ${SAVE_AS_UTF8}`);
    const inChunk = at - this.tail.length;
    const line = linesBefore + 1 + (inChunk > 0 ? countLines(chunk, inChunk) : 0);
    return new DatasetError(`the file is not valid UTF-8: line ${line}, byte offset ${this.offset + inChunk} (${hex(bytes[at]!)}); ${SAVE_AS_UTF8}`);
  }
}

/**
 * The body's bytes unchanged, checked as they pass (for csv-parse, which decodes leniently): the
 * first bytes that are not UTF-8 end the stream with the DatasetError saying where.
 */
export async function* checkedUtf8(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const decoder = new Utf8Decoder();
  let lines = 0;
  for await (const chunk of body) {
    decoder.decode(chunk, lines);
    lines += countLines(chunk, chunk.length);
    yield chunk;
  }
  decoder.end(lines);
}
