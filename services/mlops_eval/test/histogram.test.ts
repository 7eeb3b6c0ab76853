import fc from 'fast-check';
import { StreamingHistogram } from '../src/histogram';

describe('StreamingHistogram', () => {
  it('spreads the first values over the bins', () => {
    const histogram = new StreamingHistogram(4, 3);
    for (const v of [0, 3, 1.5]) histogram.add(v);
    // width 1 (span 3 over bins - 1), bins centred on 0, 1, 2, 3
    expect(histogram.result()).toEqual([
      { from: -0.5, to: 0.5, count: 1 },
      { from: 0.5, to: 1.5, count: 0 },
      { from: 1.5, to: 2.5, count: 1 },
      { from: 2.5, to: 3.5, count: 1 },
    ]);
  });

  it('doubles the width upwards and downwards, keeping exact counts', () => {
    const histogram = new StreamingHistogram(4, 3);
    for (const v of [0, 3, 1.5, 6, -5]) histogram.add(v);
    expect(histogram.result()).toEqual([
      { from: -8.5, to: -4.5, count: 1 },
      { from: -4.5, to: -0.5, count: 0 },
      { from: -0.5, to: 3.5, count: 3 },
      { from: 3.5, to: 7.5, count: 1 },
    ]);
  });

  it('bins values seen before the range was fixed (few rows) and constant values', () => {
    const few = new StreamingHistogram(30);
    few.add(2);
    few.add(2);
    expect(few.result()).toEqual([{ from: expect.any(Number), to: expect.any(Number), count: 2 }]);
    expect(new StreamingHistogram(30).result()).toEqual([]);
  });

  it('never degenerates to a zero width on tiny spans', () => {
    const histogram = new StreamingHistogram(30, 2);
    for (const v of [0, 5e-324, 1e6, -1e6]) histogram.add(v);
    expect(histogram.result().reduce((sum, b) => sum + b.count, 0)).toBe(4);
  });

  it('counts every finite value exactly once, within its bin, whatever the order', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(0, -0, 5e-324, -5e-324, 1e-300)), { minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 50 }), (values, seedSize) => {
        const histogram = new StreamingHistogram(30, seedSize);
        for (const v of values) histogram.add(v);
        const bins = histogram.result();
        expect(bins.reduce((sum, b) => sum + b.count, 0)).toBe(values.length);
        expect(bins.length).toBeLessThanOrEqual(30);
        const min = Math.min(...values);
        const max = Math.max(...values);
        expect(bins[0]!.from).toBeLessThanOrEqual(min);
        expect(bins[bins.length - 1]!.to).toBeGreaterThan(max);
      }),
    );
  });
});
