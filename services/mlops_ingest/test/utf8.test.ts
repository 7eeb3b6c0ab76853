/**
 * Strict UTF-8: where the first ill-formed byte is (against the WHATWG decoder's own replacement of
 * it), and the line and byte offset both readers report, however the bytes are chunked.
 */
import fc from 'fast-check';
import { DatasetError } from '@mlops/common';
import { inBatches, readCsv, readPlainLines } from '../src/csv';
import { Utf8Decoder, illFormedAt } from '../src/utf8';
import { chunked } from './helpers';

const concat = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

async function failureOf(read: () => AsyncIterable<unknown>): Promise<string> {
  try {
    for await (const item of read()) void item;
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetError);
    return (error as Error).message;
  }
  throw new Error('read the whole input without an error');
}

const plain = (bytes: Uint8Array, cuts: number[] = []) => failureOf(() => readPlainLines(chunked(bytes, cuts)));
const viaCsvParse = (bytes: Uint8Array, cuts: number[] = []) => failureOf(() => inBatches(readCsv(chunked(bytes, cuts), { delimiter: ',', delimiterSource: 'detected' })));

describe('illFormedAt', () => {
  // Bytes near the edges of UTF-8's ranges, so every rule of the table is hit.
  const byte = fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.constantFrom(0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff),
  );
  const bytes = fc.array(byte, { maxLength: 24 }).map((b) => Uint8Array.from(b));

  it('finds the first byte the WHATWG decoder replaces, and none where the rest is only cut short', () => {
    fc.assert(
      fc.property(bytes, (input) => {
        // The decoder's own U+FFFD marks where it stopped reading a character; skip inputs holding a real one.
        fc.pre(!Buffer.from(input).includes(Buffer.from('\uFFFD')));
        const streamed = new TextDecoder().decode(input, { stream: true });
        const replaced = streamed.indexOf('\uFFFD');
        expect(illFormedAt(input)).toBe(replaced === -1 ? -1 : Buffer.byteLength(streamed.slice(0, replaced)));
        // Fatal decoding refuses exactly the inputs that have an ill-formed sequence.
        const refused = (() => {
          try {
            new TextDecoder('utf-8', { fatal: true }).decode(input, { stream: true });
            return false;
          } catch {
            return true;
          }
        })();
        expect(refused).toBe(illFormedAt(input) !== -1);
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['a Latin-1 é', [0x63, 0x61, 0x66, 0xe9, 0x2c], 3],
    ['an overlong slash', [0x61, 0xc0, 0xaf], 1],
    ['a surrogate', [0xed, 0xa0, 0x80], 0],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a lone continuation byte', [0x61, 0x62, 0x80], 2],
    ['a lead byte before ASCII', [0xe2, 0x28, 0xa1], 0],
    ['a character cut short at the end', [0x61, 0xe2, 0x82], -1],
    ['a euro sign', [0xe2, 0x82, 0xac], -1],
  ])('%s', (_case, input, at) => {
    expect(illFormedAt(Uint8Array.from(input))).toBe(at);
  });
});

describe('a file that is not UTF-8', () => {
  // "café" written by a Latin-1 editor on line 3: its é (0xe9) is byte 15 of the file (0-based).
  const latin1 = concat('a,b,c\n1,2,3\ncaf', [0xe9], ',4,5\n6,7,8\n');

  it('is rejected with the line and byte offset of the first bad byte, by the fast path and by csv-parse', async () => {
    const message = 'the file is not valid UTF-8: line 3, byte offset 15 (0xe9); save it as UTF-8 (it may be in Latin-1 or Windows-1252)';
    expect(await plain(latin1)).toBe(message);
    expect(await viaCsvParse(latin1)).toBe(message);
  });

  it('says the same wherever the chunks of the stream break', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(latin1.length), { maxLength: 6 }), async (cuts) => {
        const message = 'the file is not valid UTF-8: line 3, byte offset 15 (0xe9); save it as UTF-8 (it may be in Latin-1 or Windows-1252)';
        expect(await plain(latin1, cuts)).toBe(message);
        expect(await viaCsvParse(latin1, cuts)).toBe(message);
      }),
      { numRuns: 200 },
    );
  });

  it('finds a bad byte after multi-byte characters split between chunks, and counts the BOM in the offset', async () => {
    // BOM (3 bytes), then "zoé,ß\n" (é and ß are 2 bytes each): the 0xe2 that 0x28 (not a continuation) cuts short is byte 13, on line 2.
    const bytes = concat([0xef, 0xbb, 0xbf], 'zoé,ß\nx,', [0xe2, 0x28, 0xa1], '\n');
    for (const cuts of [[], [1], [4], [6], [12], [13, 14], [15]]) {
      expect(await plain(bytes, cuts)).toBe('the file is not valid UTF-8: line 2, byte offset 13 (0xe2); save it as UTF-8 (it may be in Latin-1 or Windows-1252)');
    }
  });

  it('is rejected when it ends inside a character', async () => {
    const bytes = concat('a,b\n1,', [0xe2, 0x82]);
    const message = 'the file is not valid UTF-8: it ends inside a character (line 2, byte offset 6: 0xe2); save it as UTF-8 (it may be in Latin-1 or Windows-1252)';
    for (const cuts of [[], [7], [6, 7]]) {
      expect(await plain(bytes, cuts)).toBe(message);
      expect(await viaCsvParse(bytes, cuts)).toBe(message);
    }
  });

  it('keeps accepting a byte order mark, and characters split between any two chunks', async () => {
    const bytes = concat([0xef, 0xbb, 0xbf], 'zoé,€,𝄞\n1,2,3\n');
    const decoder = new Utf8Decoder();
    let text = '';
    for (const b of bytes) text += decoder.decode(Uint8Array.of(b), 0);
    text += decoder.end(2);
    expect(text).toBe('zoé,€,𝄞\n1,2,3\n');
  });
});
