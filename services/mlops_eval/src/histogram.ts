import type { HistogramBin } from '@mlops/common';

/**
 * A fixed-size histogram built in one pass without knowing the range in advance: the first
 * values set a fine bin width, and a value outside the range doubles the width (merging bin
 * pairs) until it fits. Counts stay exact; memory is `bins` numbers whatever the row count.
 */
export class StreamingHistogram {
  private readonly counts: number[];
  private readonly seed: number[] = [];
  private start = 0;
  private width = 0;

  constructor(
    private readonly bins = 30,
    private readonly seedSize = 1024,
  ) {
    if (bins < 2 || bins % 2 !== 0) throw new Error('bins must be an even number >= 2');
    this.counts = new Array<number>(bins).fill(0);
  }

  add(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.width === 0) {
      this.seed.push(value);
      if (this.seed.length === this.seedSize) this.fixRange();
      return;
    }
    this.place(value);
  }

  /** Bins from the first non-empty to the last non-empty one. */
  result(): HistogramBin[] {
    if (this.width === 0) this.fixRange();
    if (this.width === 0) return [];
    const first = this.counts.findIndex((c) => c > 0);
    const last = this.counts.findLastIndex((c) => c > 0);
    const out: HistogramBin[] = [];
    for (let i = first; i <= last; i++) out.push({ from: this.start + i * this.width, to: this.start + (i + 1) * this.width, count: this.counts[i]! });
    return out;
  }

  private fixRange(): void {
    if (this.seed.length === 0) return;
    let min = Infinity;
    let max = -Infinity;
    for (const v of this.seed) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    // A constant or near-constant start (e.g. perfect predictions) still needs a width that
    // doubling can grow: never zero or subnormal. Later values widen it.
    const span = Math.max(max - min, Math.abs(min) * 1e-6, Math.abs(max) * 1e-6, 1e-9);
    this.width = span / (this.bins - 1);
    this.start = min - this.width / 2;
    for (const v of this.seed) this.place(v);
    this.seed.length = 0;
  }

  private place(value: number): void {
    for (;;) {
      const i = Math.floor((value - this.start) / this.width);
      // Only when the range itself overflowed the doubles (|values| near 1e308): count at the nearest end.
      if (Number.isNaN(i)) {
        this.counts[value < 0 ? 0 : this.bins - 1]!++;
        return;
      }
      if (i >= 0 && i < this.bins) {
        this.counts[i]!++;
        return;
      }
      this.grow(i < 0);
    }
  }

  /** Doubles the bin width, keeping the range's low end (growing up) or high end (growing down). */
  private grow(down: boolean): void {
    const half = this.bins / 2;
    const merged = new Array<number>(half);
    for (let i = 0; i < half; i++) merged[i] = this.counts[2 * i]! + this.counts[2 * i + 1]!;
    this.counts.fill(0);
    for (let i = 0; i < half; i++) this.counts[down ? half + i : i] = merged[i]!;
    if (down) this.start -= this.bins * this.width;
    this.width *= 2;
  }
}
