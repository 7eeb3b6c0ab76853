/**
 * Which channel (train, validation, test) each row goes to.
 *
 * Every row is hashed, text and seed, to a point on [0, 2^32) (rowHash), and two edges cut that
 * range into the channels: train below the first, validation up to the second, test above. Pass 1
 * (profile.ts) gathers the hashes and places the edges at the quota cut points in hash order
 * (cutStratum), so the channels get the ratios' shares of the rows, exactly to one distinct row;
 * the edges go into schema.json, and pass 2 (split.ts) puts each row by them, so both passes agree
 * row for row (ingest.ts checks the counts).
 *
 * - Regression is not stratified: one pair of edges for the whole file.
 * - Classification is stratified by the label: each class is cut on its own (split.strata), so
 *   every class is split by the ratios, and every class with at least MIN_STRATUM_DISTINCT_ROWS
 *   distinct rows has a row in every channel whose ratio is not zero.
 *
 * Properties:
 * - Identical rows hash alike and so always share a channel: a duplicate is never in train and in
 *   test at once (no leakage through duplicates). Hence shares are exact to one distinct row: a
 *   file of 800 rows with only 19 distinct ones is split 19 atoms at a time.
 * - Deterministic: a row's channel depends on its text, the seed and the file's edges (recorded),
 *   not on the order of rows or the chunking of the stream.
 * - Rows are spread like independent draws: rows that differ in one character hash independently.
 * - Stable between uploads: the edges sit where the file's hashes reach the quotas, within about
 *   1/sqrt(rows) of the ratios; adding k rows to a file moves at most about k rows across an edge,
 *   and a row never moves from train to test unless the file is tiny.
 */
import { CHANNELS, type Channel, type RowCounts, type Stratum } from './schema';

/**
 * Math.imul read once: a global looked up in a hot loop is ~40x slower inside a vm context (jest runs
 * tests in one), and a module constant costs nothing anywhere.
 */
const imul = Math.imul;

/**
 * MurmurHash3 x86_32 (Austin Appleby's reference, public domain) of the text's UTF-16LE bytes with
 * the seed's low 32 bits: two UTF-16 code units make one 32-bit block, so the text needs no
 * encoding step. test/assignment.test.ts checks it against the reference over those bytes and the
 * published test vectors.
 *
 * Why this hash: the split used FNV-1a, which has no final mixing step, so rows differing only in
 * their last characters hashed close together and landed in one channel. MurmurHash3's finalizer
 * (fmix32) has full avalanche: every input bit flips every output bit with probability about 1/2,
 * and the function passes SMHasher's distribution tests. Written out, with no dependency, because
 * it runs twice per row: on Node 22, per 48-character abalone row, it costs what FNV-1a did
 * (100-200 ns), where SHA-256 from node:crypto costs ~1.1 µs (crypto.hash) to ~2.4 µs
 * (createHash), as much as the rest of the ingest's work on the row, and xxhash-wasm's h32
 * (~0.1 µs) would add a dependency and an asynchronous WebAssembly start for a few percent.
 * 32 bits are plenty to cut the rows in three; distinct rows that share a hash (about n²/2^33 pairs
 * among n rows) share a channel, as duplicates do.
 */
export function rowHash(text: string, seed: number): number {
  let h = seed | 0;
  const n = text.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let k = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
    k = imul(k, 0xcc9e2d51);
    k = imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    // The tail: one code unit, two bytes.
    const k = imul(text.charCodeAt(i), 0xcc9e2d51);
    h ^= imul((k << 15) | (k >>> 17), 0x1b873593);
  }
  h ^= n * 2; // the length in bytes
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The end of the hash range (exclusive): an edge here puts every row on its left. */
export const HASH_RANGE = 2 ** 32;

/** The cumulative ratios scaled to the hash range: the edges independent draws would use (and a split of a schema.json without its own). */
export function ratioEdges(ratios: readonly number[]): [number, number] {
  const total = ratios[0]! + ratios[1]! + ratios[2]!;
  return [Math.round((ratios[0]! / total) * HASH_RANGE), Math.round(((ratios[0]! + ratios[1]!) / total) * HASH_RANGE)];
}

/** The channel of a hash between two edges. */
export function channelOfHash(hash: number, edges: readonly [number, number]): Channel {
  return hash < edges[0] ? 'train' : hash < edges[1] ? 'validation' : 'test';
}

/**
 * The channel of a row from its text and, for a stratified split, its label, as schema.json's split
 * says. A label the split has no stratum for (the object changed between the passes) gets the
 * ratios' edges; the row encoder then rejects it with its message.
 */
export function splitter(split: { ratios: readonly number[]; seed: number; edges?: readonly [number, number]; strata?: readonly Stratum[] }): (rowText: string, label: string | undefined) => Channel {
  const { seed } = split;
  const edges = split.edges ?? ratioEdges(split.ratios);
  const [trainEdge, validationEdge] = edges;
  if (!split.strata) {
    return (rowText) => {
      const h = rowHash(rowText, seed);
      return h < trainEdge ? 'train' : h < validationEdge ? 'validation' : 'test';
    };
  }
  const byClass = new Map(split.strata.map((s) => [s.class, s.edges]));
  return (rowText, label) => channelOfHash(rowHash(rowText, seed), (label === undefined ? undefined : byClass.get(label)) ?? edges);
}

/**
 * A stratum (the file, or a class) keeps its rows' exact hashes up to this many distinct ones (its
 * quotas are then exact to one distinct row); past it, rows per bin of 2^32 / 4096 hashes (quotas
 * exact to one bin, about 1/4096 of the stratum's rows). Under ~100 KB per stratum either way.
 */
export const EXACT_DISTINCT_HASHES = 4096;
const BIN_SHIFT = 20;
const BINS = HASH_RANGE / 2 ** BIN_SHIFT;

/**
 * Every class with at least this many distinct rows has a row in every channel (with a non-zero
 * ratio): one per channel is the least that can be, since identical rows share a channel.
 */
export const MIN_STRATUM_DISTINCT_ROWS = 3;

/**
 * The hashes of one stratum's rows, gathered in pass 1: the atoms of its split, the groups of rows
 * an edge cannot part (the rows of one hash, or of one bin past EXACT_DISTINCT_HASHES).
 */
export class HashAtoms {
  rows = 0;

  /**
   * The hashes of several parts of one stratum (the processing path's instances, each over its shard)
   * as one: the same atoms a single pass over all the rows gathers, since a stratum is exact exactly
   * when it has at most EXACT_DISTINCT_HASHES distinct hashes, and bins are sums.
   */
  static merged(states: readonly AtomsState[]): HashAtoms {
    const merged = new HashAtoms();
    merged.raw = new Uint32Array(0);
    for (const s of states) merged.rows += s.rows;
    if (states.every((s) => s.exact)) {
      const counts = new Map<number, number>();
      for (const s of states) s.starts.forEach((hash, i) => counts.set(hash, (counts.get(hash) ?? 0) + s.counts[i]!));
      if (counts.size <= EXACT_DISTINCT_HASHES) {
        const values = Uint32Array.from(counts.keys()).sort();
        merged.values = values;
        merged.counts = Float64Array.from(values, (v) => counts.get(v)!);
        return merged;
      }
    }
    const bins = new Float64Array(BINS);
    for (const s of states) s.starts.forEach((hash, i) => (bins[hash >>> BIN_SHIFT]! += s.counts[i]!));
    merged.bins = bins;
    return merged;
  }

  /** What a merge needs: the atoms, and whether they are exact hashes or bins. */
  state(): AtomsState {
    const { starts, rows } = this.atoms();
    return { rows: this.rows, exact: this.bins === undefined, starts, counts: rows };
  }

  /** Hashes not merged yet, repeats included. */
  private raw = new Uint32Array(16);
  private rawLength = 0;
  /** The merged distinct hashes, ascending, and their rows. */
  private values = new Uint32Array(0);
  private counts = new Float64Array(0);
  /** Rows per bin, once the class has more than EXACT_DISTINCT_HASHES distinct hashes. */
  private bins: Float64Array | undefined;

  add(hash: number): void {
    this.rows++;
    if (this.bins === undefined && this.rawLength === this.raw.length) {
      if (this.raw.length < 2 * EXACT_DISTINCT_HASHES) {
        const grown = new Uint32Array(this.raw.length * 2);
        grown.set(this.raw);
        this.raw = grown;
      } else {
        this.merge();
      }
    }
    if (this.bins !== undefined) this.bins[hash >>> BIN_SHIFT]!++;
    else this.raw[this.rawLength++] = hash;
  }

  /** Sorts the raw hashes into the distinct ones; switches to bins when there are too many. */
  private merge(): void {
    const raw = this.raw.subarray(0, this.rawLength).sort();
    const values = new Uint32Array(this.values.length + raw.length);
    const counts = new Float64Array(values.length);
    let n = 0;
    const put = (value: number, count: number) => {
      if (n > 0 && values[n - 1] === value) counts[n - 1]! += count;
      else {
        values[n] = value;
        counts[n++] = count;
      }
    };
    let a = 0;
    let b = 0;
    while (a < this.values.length || b < raw.length) {
      if (b === raw.length || (a < this.values.length && this.values[a]! <= raw[b]!)) {
        put(this.values[a]!, this.counts[a]!);
        a++;
      } else put(raw[b++]!, 1);
    }
    this.rawLength = 0;
    if (n > EXACT_DISTINCT_HASHES) {
      const bins = new Float64Array(BINS);
      for (let i = 0; i < n; i++) bins[values[i]! >>> BIN_SHIFT]! += counts[i]!;
      this.bins = bins;
      this.raw = new Uint32Array(0);
      this.values = new Uint32Array(0);
      this.counts = new Float64Array(0);
    } else {
      this.values = values.slice(0, n);
      this.counts = counts.slice(0, n);
    }
  }

  /** The atoms in hash order: the hash each starts at and its rows. */
  atoms(): { starts: number[]; rows: number[] } {
    if (this.bins === undefined) {
      this.merge();
      if (this.bins === undefined) return { starts: Array.from(this.values), rows: Array.from(this.counts) };
    }
    const starts: number[] = [];
    const rows: number[] = [];
    this.bins.forEach((count, bin) => {
      if (count > 0) {
        starts.push(bin * 2 ** BIN_SHIFT);
        rows.push(count);
      }
    });
    return { starts, rows };
  }
}

/**
 * Splits one stratum by the ratios: its atoms in hash order, the first ones train, the next
 * validation, the rest test, each cut placed at the atom boundary whose cumulative row count is
 * nearest to the channel's cumulative quota (ties: the lower cut). Largest-remainder-like: each
 * channel's rows are within one atom of ratio × rows. Where the stratum has atoms enough, the cuts
 * keep at least one atom in train and test (two atoms) and in validation when its ratio is not zero
 * (three atoms): MIN_STRATUM_DISTINCT_ROWS.
 *
 * The edges are hash values: the first atom on a cut's right starts there (0 and 2^32 at the ends).
 * A stratum of one distinct row has no quota to meet: it goes where its hash falls between the
 * ratios' edges, as an independent draw would (the nearest quota would put every such class in train).
 */
export function cutStratum(atoms: { starts: readonly number[]; rows: readonly number[] }, ratios: readonly number[]): { edges: [number, number]; rows: RowCounts } {
  const m = atoms.rows.length;
  const cumulative = [0];
  for (const rows of atoms.rows) cumulative.push(cumulative[cumulative.length - 1]! + rows);
  const n = cumulative[m]!;
  if (m === 1) {
    const edges = ratioEdges(ratios);
    const rows: RowCounts = { train: 0, validation: 0, test: 0 };
    rows[channelOfHash(atoms.starts[0]!, edges)] = n;
    return { edges, rows };
  }
  const total = ratios[0]! + ratios[1]! + ratios[2]!;
  const withValidation = ratios[1]! > 0;
  // Atoms kept on each side of a cut so that train and test (then validation) are never empty.
  const ends = m >= 2 ? 1 : 0;
  const middle = withValidation && m >= 3 ? 1 : 0;
  const nearest = (target: number, lo: number, hi: number) => {
    let best = lo;
    for (let i = lo + 1; i <= hi; i++) if (Math.abs(cumulative[i]! - target) < Math.abs(cumulative[best]! - target)) best = i;
    return best;
  };
  const first = nearest((n * ratios[0]!) / total, ends, m - ends - middle);
  const second = withValidation ? nearest((n * (ratios[0]! + ratios[1]!)) / total, first + middle, m - ends) : first;
  const edge = (cut: number) => (cut === 0 ? 0 : cut === m ? HASH_RANGE : atoms.starts[cut]!);
  return {
    edges: [edge(first), edge(second)],
    rows: { train: cumulative[first]!, validation: cumulative[second]! - cumulative[first]!, test: n - cumulative[second]! },
  };
}

/** A HashAtoms as a processing instance's profile carries it (profile.ts ProfileStateSchema). */
export interface AtomsState {
  rows: number;
  exact: boolean;
  starts: number[];
  counts: number[];
}

/** Pass 1 of a stratified split: every row's hash, by class; then each class's edges and counts. */
export class StrataCounter {
  private readonly byClass = new Map<string, HashAtoms>();

  /** Several parts' strata as one (HashAtoms.merged per class); classes past `maxClasses` are not kept, as in add(). */
  static merged(states: readonly (readonly { label: string; atoms: AtomsState }[])[], maxClasses: number): StrataCounter {
    const byLabel = new Map<string, AtomsState[]>();
    for (const state of states) for (const { label, atoms } of state) byLabel.set(label, [...(byLabel.get(label) ?? []), atoms]);
    const merged = new StrataCounter(maxClasses);
    for (const [label, atoms] of byLabel) if (merged.byClass.size < maxClasses) merged.byClass.set(label, HashAtoms.merged(atoms));
    return merged;
  }

  state(): { label: string; atoms: AtomsState }[] {
    return [...this.byClass].map(([label, atoms]) => ({ label, atoms: atoms.state() }));
  }

  /** Classes past `maxClasses` are not kept: the profile rejects such a target anyway. */
  constructor(private readonly maxClasses: number) {}

  add(label: string, hash: number): void {
    let atoms = this.byClass.get(label);
    if (atoms === undefined) {
      if (this.byClass.size >= this.maxClasses) return;
      atoms = new HashAtoms();
      this.byClass.set(label, atoms);
    }
    atoms.add(hash);
  }

  /** The strata of the classes, in their order, and the rows of each channel over all of them. */
  strata(classes: readonly string[], ratios: readonly number[]): { strata: Stratum[]; rows: RowCounts } {
    const rows: RowCounts = { train: 0, validation: 0, test: 0 };
    const strata = classes.map((label): Stratum => {
      const atoms = this.byClass.get(label);
      if (atoms === undefined) throw new Error(`class '${label}' has no rows`);
      const cut = cutStratum(atoms.atoms(), ratios);
      for (const channel of CHANNELS) rows[channel] += cut.rows[channel];
      return { class: label, edges: cut.edges, rows: cut.rows };
    });
    return { strata, rows };
  }
}
