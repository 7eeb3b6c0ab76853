import { MiniBatcher, PayloadTooLargeError, encodeBatch, splitLines, splitResponse } from '../src/batching';

describe('record splitting and mini-batches', () => {
  it('splits lines on LF and CRLF and drops empty lines', () => {
    expect(splitLines('a\r\nb\n\nc\n')).toEqual(['a', 'b', 'c']);
  });

  it('SingleRecord sends each record alone', () => {
    const b = new MiniBatcher('SingleRecord', 100);
    expect(b.push('a', 'a')).toEqual([['a']]);
    expect(b.push('b', 'b')).toEqual([['b']]);
    expect(b.flush()).toEqual([]);
  });

  it('MultiRecord fills a batch up to MaxPayloadInMB (bytes, counting the newline)', () => {
    const b = new MiniBatcher('MultiRecord', 8);
    const out: string[][] = [];
    for (const r of ['aaa', 'bbb', 'ccc', 'd']) out.push(...b.push(r, r));
    out.push(...b.flush());
    expect(out).toEqual([['aaa', 'bbb'], ['ccc', 'd']]);
    expect(out.every((batch) => encodeBatch(batch).length <= 8)).toBe(true);
  });

  it('MultiRecord with a 0 limit puts everything in one batch', () => {
    const b = new MiniBatcher('MultiRecord', 0);
    for (const r of ['a', 'b', 'c']) expect(b.push(r, r)).toEqual([]);
    expect(b.flush()).toEqual([['a', 'b', 'c']]);
  });

  it('a record larger than the limit is an error', () => {
    expect(() => new MiniBatcher('SingleRecord', 4).push('abcdef', 'abcdef')).toThrow(PayloadTooLargeError);
    expect(() => new MiniBatcher('MultiRecord', 4).push('abcdef', 'abcdef')).toThrow(PayloadTooLargeError);
  });

  it('counts bytes, not characters', () => {
    const b = new MiniBatcher('MultiRecord', 6);
    expect(b.push('é', 'éé')).toEqual([]); // 5 bytes with the newline
    expect(b.push('x', 'x')).toEqual([['é']]);
  });

  it('encodes a batch as newline-terminated records', () => {
    expect(encodeBatch(['1,2', '3,4']).toString()).toBe('1,2\n3,4\n');
  });

  it('maps a response back to its records', () => {
    expect(splitResponse('1\n2\n3\n', 3)).toEqual(['1', '2', '3']);
    expect(splitResponse('1\r\n2', 2)).toEqual(['1', '2']);
    expect(splitResponse('0.1,0.9\n', 1)).toEqual(['0.1,0.9']);
    expect(splitResponse('1\n2\n', 3)).toBeUndefined();
  });
});
