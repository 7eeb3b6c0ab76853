import { encodePredictions, parseCsvRecords, pyRepr, RecordError } from '../src';

describe('pyRepr', () => {
  it.each([
    [1, '1.0'],
    [0, '0.0'],
    [-2, '-2.0'],
    [0.1, '0.1'],
    [9.723464965820312, '9.723464965820312'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1234567890123456, '1234567890123456.0'],
    [1e16, '1e+16'],
    [123.456, '123.456'],
    [Number.NaN, 'nan'],
  ])('%p → %s', (value, text) => expect(pyRepr(value)).toBe(text));
});

describe('encodePredictions', () => {
  it('writes one CSV line per record, softprob rows comma-separated', () => {
    expect(encodePredictions([1, 2.5], 'text/csv', false)).toBe('1.0\n2.5\n');
    expect(encodePredictions([[0.25, 0.75]], 'text/csv', false)).toBe('0.25,0.75\n');
  });

  it('answers JSON as {"predictions": [{"score": ...}]}', () => {
    expect(encodePredictions([0.5, 1], 'application/json', false)).toBe('{"predictions": [{"score": 0.5}, {"score": 1.0}]}');
    expect(encodePredictions([[0.5, 0.5]], 'application/json', false)).toBe('{"predictions": [{"score": [0.5, 0.5]}]}');
  });

  it("answers batch transform with str() of each prediction, whatever the Accept", () => {
    expect(encodePredictions([[0.25, 0.75], [1, 0]], 'application/json', true)).toBe('[0.25, 0.75]\n[1.0, 0.0]\n');
  });
});

describe('parseCsvRecords', () => {
  it('reads empty cells and nan as missing values', () => {
    const { rows, columns } = parseCsvRecords('1,,3\nnan,2, 4 \n');
    expect(columns).toBe(3);
    expect(rows).toEqual([[1, Number.NaN, 3], [Number.NaN, 2, 4]]);
  });

  it.each([
    ['a word', '1,abc,3', 'line 1, column 2: not a number'],
    ['a ragged row', '1,2,3\n1,2', 'line 2: 2 values, but line 1 has 3'],
  ])('refuses %s', (_, body, message) => {
    expect(() => parseCsvRecords(body)).toThrow(RecordError);
    expect(() => parseCsvRecords(body)).toThrow(message);
  });
});
