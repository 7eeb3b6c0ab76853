import { CsvFieldError, parseCsvRecords, parseNumbers, RecordError } from '../src';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('parseNumbers', () => {
  it('parses plain, signed, exponent and CRLF-terminated fields', () => {
    expect(parseNumbers('1,-2.5,3e2, 4 ,0\r')).toEqual([1, -2.5, 300, 4, 0]);
  });

  it.each([
    ['1,,3', 1, 'is empty (missing values are not supported)'],
    ['1, ,3', 1, 'is empty (missing values are not supported)'],
    ['1,2,abc', 2, "is not a number (got 'abc')"],
    ['NaN,2', 0, "is not a number (got 'NaN')"],
    ['1,Infinity', 1, "is not a number (got 'Infinity')"],
    ['"1",2', 0, `is not a number (got '"1"')`],
  ])('rejects %j at field index %i', (line, index, reason) => {
    const error = thrown(() => parseNumbers(line));
    expect(error).toBeInstanceOf(CsvFieldError);
    expect(error).toMatchObject({ index, reason });
  });

  it('shortens long bad fields in messages', () => {
    expect(() => parseNumbers('x'.repeat(100))).toThrow(`got '${'x'.repeat(24)}...'`);
  });
});

describe('parseCsvRecords', () => {
  it('parses records in order, allowing trailing newlines and CRLF', () => {
    expect(parseCsvRecords('1,2\r\n3,4\r\n\n', 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it.each([
    ['', 2, 'the request body has no records'],
    ['\n\n', 2, 'the request body has no records'],
    ['1,2\n\n3,4', 2, 'line 2: empty record'],
    ['1,2\n3,4,5', 2, 'line 2: expected 2 features, got 3 (send features only, no label)'],
    ['1,2\n3,x', 2, "line 2, column 2: value is not a number (got 'x')"],
    ['1,\n', 2, 'line 1, column 2: value is empty (missing values are not supported)'],
  ])('rejects %j with a message naming line and column', (body, width, message) => {
    expect(() => parseCsvRecords(body, width)).toThrow(new RecordError(message));
  });
});
