/**
 * The safe store's key encoding (src/s3-store.ts): every key S3 accepts maps to path components a
 * filesystem holds (no `.`, `..` or empty component, none over 255 bytes with s3rver's suffixes)
 * and decodes back to the same key; ordinary keys keep s3rver's layout.
 */
import fc from 'fast-check';
import { decodeKeyPath, encodeSegment } from '../src/s3-store';

/** What the store does for a key: each segment encoded, the last one as the file name. */
const encodeKey = (key: string) => key.split('/').flatMap((segment, i, all) => encodeSegment(segment, i === all.length - 1));

const segment = fc.oneof(
  fc.constantFrom('', '.', '..', '%', '%=', '%+x', 'x._S3rver_object', '\u0000', 'a\nb'),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.integer({ min: 195, max: 1024 }).map((n) => 'é'.repeat(Math.ceil(n / 2))),
);
const key = fc.array(segment, { minLength: 1, maxLength: 12 }).map((segments) => segments.join('/')).filter((k) => k !== '' && Buffer.byteLength(k) <= 1024);

describe('the safe store key encoding', () => {
  it('keeps ordinary keys as s3rver lays them out', () => {
    expect(encodeKey('incoming/nested/dir/file.csv')).toEqual(['incoming', 'nested', 'dir', 'file.csv']);
    expect(encodeKey('incoming/100% ünïcødé-数据.csv')).toEqual(['incoming', '100% ünïcødé-数据.csv']);
    expect(encodeKey('incoming/folder/')).toEqual(['incoming', 'folder', '']);
  });

  it('encodes dot, empty and overlong segments', () => {
    expect(encodeKey('incoming/../evil.csv')).toEqual(['incoming', '%=%2E%2E', 'evil.csv']);
    expect(encodeKey('a//b')).toEqual(['a', '%=', 'b']);
    const long = encodeKey(`a/${'b'.repeat(241)}/c`);
    expect(long).toEqual(['a', `%+${'b'.repeat(200)}`, `%=${'b'.repeat(41)}`, 'c']);
  });

  it('round-trips every key and never makes a component a filesystem would misread or refuse', () => {
    fc.assert(
      fc.property(key, (k) => {
        const components = encodeKey(k);
        for (const [i, c] of components.entries()) {
          expect(c).not.toMatch(/^\.{1,2}$/);
          expect(c.includes('\u0000')).toBe(false);
          if (i < components.length - 1) expect(c).not.toBe('');
          expect(Buffer.byteLength(`${c}._S3rver_metadata.json`)).toBeLessThanOrEqual(255);
        }
        expect(decodeKeyPath(components.join('/'))).toBe(k);
      }),
      { numRuns: 2000 },
    );
  });
});
