/**
 * The split's pieces on their own (src/assignment.ts): the row hash against the MurmurHash3
 * reference and its uniformity, the gathering of hashes into atoms, the quota cut, and the
 * schema.json shapes of a split. The statistics of whole splits are in split-statistics.test.ts.
 */
import fc from 'fast-check';
import { EXACT_DISTINCT_HASHES, HASH_RANGE, HashAtoms, StrataCounter, cutStratum, ratioEdges, rowHash, splitter } from '../src/assignment';
import { ROW_HASH, SchemaDocumentSchema, type SchemaDocument } from '../src/schema';
import { abaloneSample } from './helpers';

/**
 * MurmurHash3_x86_32 over bytes, transcribed from Austin Appleby's MurmurHash3.cpp (blocks of 4
 * bytes little-endian, a tail of 1 to 3 bytes, the length, fmix32): the reference rowHash must equal
 * over a string's UTF-16LE bytes.
 */
function murmur3Reference(bytes: Uint8Array, seed: number): number {
  const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
  const imul = Math.imul; // not a global lookup per call: those are slow in jest's vm context
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h1 = seed >>> 0;
  const blocks = Math.floor(bytes.length / 4);
  for (let i = 0; i < blocks; i++) {
    let k1 = bytes[4 * i]! | (bytes[4 * i + 1]! << 8) | (bytes[4 * i + 2]! << 16) | (bytes[4 * i + 3]! << 24);
    k1 = imul(k1, c1);
    k1 = rotl(k1, 15);
    k1 = imul(k1, c2);
    h1 ^= k1;
    h1 = rotl(h1, 13);
    h1 = (imul(h1, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  let k1 = 0;
  const rest = bytes.length & 3;
  if (rest >= 3) k1 ^= bytes[tail + 2]! << 16;
  if (rest >= 2) k1 ^= bytes[tail + 1]! << 8;
  if (rest >= 1) {
    k1 ^= bytes[tail]!;
    k1 = imul(k1, c1);
    k1 = rotl(k1, 15);
    k1 = imul(k1, c2);
    h1 ^= k1;
  }
  h1 ^= bytes.length;
  h1 ^= h1 >>> 16;
  h1 = imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

const utf16le = (text: string) => new Uint8Array(Buffer.from(text, 'utf16le'));
const abaloneRows = abaloneSample().trim().split('\n');

/**
 * Kolmogorov-Smirnov statistic of a sample against the uniform distribution on [0, 1): the largest
 * distance between the sample's empirical CDF and the identity. Under the null hypothesis
 * sqrt(n) D is asymptotically Kolmogorov-distributed: P(sqrt(n) D > 1.628) = 0.01.
 */
function ksUniform(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  let d = 0;
  sorted.forEach((x, i) => {
    d = Math.max(d, (i + 1) / n - x, x - i / n);
  });
  return d;
}

describe('rowHash', () => {
  it('is MurmurHash3_x86_32: the reference gives the published test vectors', () => {
    const ascii = (text: string) => new TextEncoder().encode(text);
    expect(murmur3Reference(ascii(''), 0)).toBe(0);
    expect(murmur3Reference(ascii(''), 1)).toBe(0x514e28b7);
    expect(murmur3Reference(ascii(''), 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3Reference(ascii('abc'), 0)).toBe(0xb3dd93fa);
    expect(murmur3Reference(ascii('aaaa'), 0x9747b28c)).toBe(0x5a97808a);
    expect(murmur3Reference(ascii('Hello, world!'), 0x9747b28c)).toBe(0x24884cba);
    expect(murmur3Reference(ascii('The quick brown fox jumps over the lazy dog'), 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('equals the reference over the text’s UTF-16LE bytes, for any text and seed', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)); // lone surrogates too
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: codeUnit, maxLength: 40 }), fc.string({ maxLength: 80 }));
    fc.assert(
      fc.property(text, fc.integer(), (t, seed) => {
        expect(rowHash(t, seed)).toBe(murmur3Reference(utf16le(t), seed >>> 0));
      }),
      { numRuns: 2000 },
    );
    expect(rowHash('M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15', 42)).toBe(murmur3Reference(utf16le('M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15'), 42));
  });

  it('maps the abalone rows uniformly onto the hash range (Kolmogorov-Smirnov at α = 0.01)', () => {
    for (const seed of [42, 7, -1]) {
      const units = abaloneRows.map((row) => rowHash(row, seed) / HASH_RANGE);
      expect(ksUniform(units)).toBeLessThan(1.628 / Math.sqrt(units.length));
    }
  });

  it('hashes rows that differ only in their last characters independently (the FNV-1a split put abalone labels 1-19 in 0.019-0.069)', () => {
    // The first abalone row with the label 1 to 19, and 300 rows with each of 10 last digits.
    const labels = Array.from({ length: 19 }, (_, i) => rowHash(`M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,${i + 1}`, 42) / HASH_RANGE);
    // The largest gap between the 19 points on the circle [0, 1): for independent uniform points it
    // exceeds 0.5 with probability 19 × 0.5^18 ≈ 7e-5; FNV-1a's clustered ones left a gap of 0.78.
    const sorted = [...labels].sort((a, b) => a - b);
    const gaps = sorted.map((u, i) => (i === 0 ? u + 1 - sorted[sorted.length - 1]! : u - sorted[i - 1]!));
    expect(Math.max(...gaps)).toBeLessThan(0.5);
    const digits = abaloneRows.slice(0, 300).flatMap((row) => Array.from({ length: 10 }, (_, d) => rowHash(`${row.slice(0, -1)}${d}`, 42) / HASH_RANGE));
    expect(ksUniform(digits)).toBeLessThan(1.628 / Math.sqrt(digits.length));
  });

  it('splits like independent draws against the ratios, seed after seed: shares vary as binomials do', () => {
    // Against the ratios' fixed edges (not the split's cuts, which make the shares exact): over
    // 200 seeds, each channel's share of the 4,177 rows has the mean p and the standard deviation
    // sqrt(p (1 - p) / n) of a binomial share, if the hash behaves like independent uniform draws.
    const edges = ratioEdges([70, 15, 15]);
    const n = abaloneRows.length;
    const shares = Array.from({ length: 200 }, (_, seed) => {
      const counts = [0, 0, 0];
      for (const row of abaloneRows) {
        const h = rowHash(row, seed);
        counts[h < edges[0] ? 0 : h < edges[1] ? 1 : 2]!++;
      }
      return counts.map((c) => c / n);
    });
    [0.7, 0.15, 0.15].forEach((p, channel) => {
      const values = shares.map((s) => s[channel]!);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
      const binomialSd = Math.sqrt((p * (1 - p)) / n);
      // The mean of 200 shares has a standard error of binomialSd / sqrt(200); a sample sd of 200 values one of ~5 %.
      expect(Math.abs(mean - p)).toBeLessThan((4 * binomialSd) / Math.sqrt(200));
      expect(sd / binomialSd).toBeGreaterThan(0.8);
      expect(sd / binomialSd).toBeLessThan(1.2);
    });
  });
});

describe('HashAtoms', () => {
  const naive = (hashes: readonly number[]) => {
    const counts = new Map<number, number>();
    for (const h of hashes) counts.set(h, (counts.get(h) ?? 0) + 1);
    const starts = [...counts.keys()].sort((a, b) => a - b);
    return { starts, rows: starts.map((s) => counts.get(s)!) };
  };

  it('gathers the distinct hashes and their rows, in hash order, whatever the repeats', () => {
    const hash = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 30 }), fc.constantFrom(0, 0xffffffff));
    fc.assert(
      fc.property(fc.array(hash, { maxLength: 3 * EXACT_DISTINCT_HASHES }), (hashes) => {
        const distinct = new Set(hashes).size;
        fc.pre(distinct <= EXACT_DISTINCT_HASHES);
        const atoms = new HashAtoms();
        hashes.forEach((h) => atoms.add(h));
        expect(atoms.rows).toBe(hashes.length);
        expect(atoms.atoms()).toEqual(naive(hashes));
      }),
      { numRuns: 60 },
    );
    // Many rows, few distinct hashes: merged again and again, still exact.
    const atoms = new HashAtoms();
    const hashes = Array.from({ length: 50_000 }, (_, i) => rowHash(String(i % 37), 1));
    hashes.forEach((h) => atoms.add(h));
    expect(atoms.atoms()).toEqual(naive(hashes));
  });

  it('counts rows per bin of 2^20 hashes once there are more than EXACT_DISTINCT_HASHES distinct ones', () => {
    const atoms = new HashAtoms();
    const hashes = Array.from({ length: 20_000 }, (_, i) => rowHash(`row ${i % 9000}`, 3));
    hashes.forEach((h) => atoms.add(h));
    const { starts, rows } = atoms.atoms();
    expect(rows.reduce((a, b) => a + b, 0)).toBe(20_000);
    const bins = new Map<number, number>();
    for (const h of hashes) bins.set(Math.floor(h / 2 ** 20) * 2 ** 20, (bins.get(Math.floor(h / 2 ** 20) * 2 ** 20) ?? 0) + 1);
    expect(starts).toEqual([...bins.keys()].sort((a, b) => a - b));
    expect(rows).toEqual(starts.map((s) => bins.get(s)));
  });
});

describe('cutStratum', () => {
  const unique = (n: number) => ({ starts: Array.from({ length: n }, (_, i) => (i + 1) * 1000), rows: Array.from({ length: n }, () => 1) });

  it('gives each channel its quota of distinct rows, exact to one row', () => {
    for (let n = 1; n <= 300; n++) {
      const { rows, edges } = cutStratum(unique(n), [70, 15, 15]);
      expect(rows.train + rows.validation + rows.test).toBe(n);
      expect(Math.abs(rows.train - 0.7 * n)).toBeLessThanOrEqual(n < 10 ? 1.5 : 0.5);
      expect(Math.abs(rows.train + rows.validation - 0.85 * n)).toBeLessThanOrEqual(n < 10 ? 1.5 : 0.5);
      // The edges put exactly those rows on each side.
      const starts = unique(n).starts;
      expect(starts.filter((s) => s < edges[0]).length).toBe(rows.train);
      expect(starts.filter((s) => s >= edges[1]).length).toBe(rows.test);
    }
  });

  it.each([
    [1, { train: 1, validation: 0, test: 0 }],
    [2, { train: 1, validation: 0, test: 1 }],
    [3, { train: 1, validation: 1, test: 1 }],
    [4, { train: 2, validation: 1, test: 1 }],
    [5, { train: 3, validation: 1, test: 1 }],
    [7, { train: 5, validation: 1, test: 1 }],
    [10, { train: 7, validation: 1, test: 2 }],
    [20, { train: 14, validation: 3, test: 3 }],
  ])('puts %i distinct rows in every channel it can (train and test from 2 rows, validation too from 3)', (n, expected) => {
    expect(cutStratum(unique(n), [70, 15, 15]).rows).toEqual(expected);
  });

  it('keeps identical rows together: an atom of many rows is never parted', () => {
    // 19 distinct rows of ~42 copies each (800 rows, the file): cut between atoms, nearest to 560 and 680.
    const rows = Array.from({ length: 19 }, (_, i) => (i < 800 % 19 ? 43 : 42));
    const cut = cutStratum({ starts: rows.map((_, i) => i * 10), rows }, [70, 15, 15]);
    expect(cut.rows).toEqual({ train: 13 * 42 + 2, validation: 3 * 42, test: 3 * 42 });
    // Two distinct rows of 400 copies each: one in train, one in test.
    expect(cutStratum({ starts: [5, 9], rows: [400, 400] }, [70, 15, 15]).rows).toEqual({ train: 400, validation: 0, test: 400 });
  });

  it('leaves validation empty when its ratio is 0, and fills train and test from 2 distinct rows', () => {
    expect(cutStratum(unique(2), [80, 0, 20]).rows).toEqual({ train: 1, validation: 0, test: 1 });
    expect(cutStratum(unique(10), [80, 0, 20]).rows).toEqual({ train: 8, validation: 0, test: 2 });
    const { edges } = cutStratum(unique(10), [80, 0, 20]);
    expect(edges[0]).toBe(edges[1]);
  });

  it('uses the ends of the hash range when a channel takes no atom', () => {
    expect(cutStratum({ starts: [5, 9], rows: [400, 400] }, [70, 15, 15]).edges).toEqual([9, 9]);
    expect(cutStratum({ starts: [5, 9], rows: [1, 1] }, [98, 1, 1]).edges).toEqual([9, 9]);
    expect(cutStratum({ starts: [5, 9, 11], rows: [1, 1, 100] }, [1, 1, 98]).edges).toEqual([9, 11]);
  });

  it('puts a stratum of one distinct row where its hash falls between the ratios’ edges, like an independent draw', () => {
    const edges = ratioEdges([70, 15, 15]);
    expect(cutStratum({ starts: [edges[0] - 1], rows: [5] }, [70, 15, 15])).toEqual({ edges, rows: { train: 5, validation: 0, test: 0 } });
    expect(cutStratum({ starts: [edges[0]], rows: [5] }, [70, 15, 15])).toEqual({ edges, rows: { train: 0, validation: 5, test: 0 } });
    expect(cutStratum({ starts: [edges[1]], rows: [5] }, [70, 15, 15])).toEqual({ edges, rows: { train: 0, validation: 0, test: 5 } });
    // So a file of single-row classes is spread over the channels, not all put in train (and rejected).
    const counter = new StrataCounter(100);
    const labels = Array.from({ length: 60 }, (_, i) => `class ${i}`);
    labels.forEach((label) => counter.add(label, rowHash(`1,2,${label}`, 42)));
    const { rows } = counter.strata(labels, [70, 15, 15]);
    expect(rows.train).toBeGreaterThan(0);
    expect(rows.validation + rows.test).toBeGreaterThan(0);
  });
});

describe('StrataCounter and splitter', () => {
  it('cuts every class on its own; the splitter then puts each row where the counts said', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ text: `${i % 97},${i},${['a', 'b', 'c'][i % 3]}${i % 10 === 0 ? 'x' : ''}`, label: i % 10 === 0 ? 'rare' : ['a', 'b', 'c'][i % 3]! }));
    const counter = new StrataCounter(10);
    for (const { text, label } of rows) counter.add(label, rowHash(text, 9));
    const { strata, rows: totals } = counter.strata(['a', 'b', 'c', 'rare'], [70, 15, 15]);
    expect(strata.map((s) => s.class)).toEqual(['a', 'b', 'c', 'rare']);
    const channelOf = splitter({ ratios: [70, 15, 15], seed: 9, strata });
    const counted = new Map(strata.map((s) => [s.class, { train: 0, validation: 0, test: 0 }]));
    for (const { text, label } of rows) counted.get(label)![channelOf(text, label)]++;
    for (const stratum of strata) expect(counted.get(stratum.class)).toEqual(stratum.rows);
    expect(totals.train + totals.validation + totals.test).toBe(3000);
    // A label without a stratum (the object changed): the ratios' edges, so the encoder can reject the row.
    expect(['train', 'validation', 'test']).toContain(channelOf('1,2,z', 'z'));
  });

  it('without strata puts each row by the split’s edges, or the ratios’ for a split that has none', () => {
    const channelOf = splitter({ ratios: [70, 15, 15], seed: 1, edges: [2 ** 31, 2 ** 31 + 2 ** 30] });
    const row = abaloneRows.find((r) => rowHash(r, 1) >= 2 ** 31 && rowHash(r, 1) < 0.7 * 2 ** 32)!;
    expect(channelOf(row, undefined)).toBe('validation');
    expect(splitter({ ratios: [70, 15, 15], seed: 1 })(row, undefined)).toBe('train');
  });
});

describe('the split in schema.json', () => {
  const document = (split: unknown) => ({
    version: 1,
    source: { bucket: 'b', key: 'incoming/x.csv', etag: 'e' },
    header: false,
    columns: [
      { name: 'x', index: 0, role: 'feature', type: 'numeric', mean: 1, outputColumns: ['x'] },
      { name: 'y', index: 1, role: 'label', type: 'numeric', outputColumns: ['y'] },
    ],
    label: { name: 'y', index: 1, problemType: 'regression' },
    featureCount: 1,
    rows: { train: 7, validation: 2, test: 1 },
    split,
  });
  const stratum = { class: 'a', edges: [10, 20], rows: { train: 7, validation: 2, test: 1 } };

  it('still reads the schema of an earlier release (FNV-1a, ratios and seed only), so its complete split is reused', () => {
    expect(SchemaDocumentSchema.safeParse(document({ ratios: [70, 15, 15], seed: 42 })).success).toBe(true);
  });

  it.each<[string, boolean, unknown]>([
    ['an unstratified split with its edges', true, { ratios: [70, 15, 15], seed: 42, hash: ROW_HASH, edges: [1, 2], stratified: false }],
    ['a stratified split with its strata', true, { ratios: [70, 15, 15], seed: 42, hash: ROW_HASH, stratified: true, stratifiedBy: 'y', strata: [stratum] }],
    ['a stratified split without strata', false, { ratios: [70, 15, 15], seed: 42, hash: ROW_HASH, stratified: true, stratifiedBy: 'y' }],
    ['an unstratified split without edges', false, { ratios: [70, 15, 15], seed: 42, hash: ROW_HASH, stratified: false }],
    ['edges out of order', false, { ratios: [70, 15, 15], seed: 42, hash: ROW_HASH, edges: [3, 2], stratified: false }],
    ['an edge past the hash range', false, { ratios: [70, 15, 15], seed: 42, hash: ROW_HASH, edges: [1, 2 ** 32 + 1], stratified: false }],
    ['another hash', false, { ratios: [70, 15, 15], seed: 42, hash: 'fnv1a32', edges: [1, 2], stratified: false }],
  ])('%s: valid %s', (_name, valid, split) => {
    const parsed = SchemaDocumentSchema.safeParse(document(split));
    expect(parsed.success).toBe(valid);
    if (valid) expect((parsed.data as SchemaDocument).split).toEqual(split);
  });
});
