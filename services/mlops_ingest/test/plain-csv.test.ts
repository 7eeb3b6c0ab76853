/**
 * The plain-CSV fast path against csv-parse: on any input without quotes it must yield the same
 * records, the same schema and the same channel lines, whatever the chunking; on anything it cannot
 * read the same way it must refuse (NotPlainCsvError) so ingest falls back to csv-parse.
 */
import fc from 'fast-check';
import { CSV_DELIMITERS, type CsvDelimiter } from '@mlops/common';
import { inBatches, NotPlainCsvError, readCsv, readPlainCsv, readPlainLines, FieldBounds } from '../src/csv';
import { profileCsv, profilePlain } from '../src/profile';
import { isCanonicalDecimal, parseSimpleDecimal, plainRowEncoder, rowEncoder } from '../src/schema';
import { COMMA_DIALECT, chunked, profileOptions } from './helpers';

async function collect<T>(items: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of items) out.push(...batch);
  return out;
}

const reading = (delimiter: CsvDelimiter) => ({ delimiter, delimiterSource: 'detected' as const });

async function viaCsvParse(text: string, delimiter: CsvDelimiter = ','): Promise<{ fields: string[]; line: number }[] | string> {
  try {
    return (await collect(inBatches(readCsv(chunked(text, []), reading(delimiter))))).map(({ fields, line }) => ({ fields, line }));
  } catch (error) {
    return (error as Error).name;
  }
}

const cell = fc.stringMatching(/^[ \t\f]{0,2}[a-zé0-9.\-+e]{0,6}[ \t\f]{0,2}$/);
const line = fc.oneof({ weight: 8, arbitrary: fc.array(cell, { minLength: 1, maxLength: 5 }) }, { weight: 1, arbitrary: fc.constantFrom([''], [' '], ['\t \f']) });
const document = fc.record({
  lines: fc.array(line, { minLength: 0, maxLength: 30 }),
  delimiter: fc.constantFrom(...CSV_DELIMITERS),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  trailingNewline: fc.boolean(),
  cuts: fc.array(fc.nat(400), { maxLength: 8 }),
});
const render = (d: { lines: readonly (readonly string[])[]; delimiter: string; crlf: boolean; bom: boolean; trailingNewline: boolean }) =>
  (d.bom ? '\uFEFF' : '') + d.lines.map((cells) => cells.join(d.delimiter)).join(d.crlf ? '\r\n' : '\n') + (d.trailingNewline && d.lines.length ? (d.crlf ? '\r\n' : '\n') : '');

describe('readPlainCsv', () => {
  it('yields exactly csv-parse’s records for plain CSV with any of the delimiters, however the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(document, async (d) => {
        const text = render(d);
        const expected = await viaCsvParse(text, d.delimiter);
        const actual = (await collect(readPlainCsv(chunked(text, d.cuts), d.delimiter))).map(({ fields, line }) => ({ fields, line }));
        expect(actual).toEqual(expected);
      }),
      { numRuns: 600 },
    );
  });

  it('reads another delimiter as commas, so the split hashes and the encoders read what they read in a comma file', async () => {
    const records = await collect(readPlainCsv(chunked('7.4;0.7;5\n7.8;0.88;5\n', [6]), ';'));
    expect(records).toEqual([
      { fields: ['7.4', '0.7', '5'], line: 1, text: '7.4,0.7,5' },
      { fields: ['7.8', '0.88', '5'], line: 2, text: '7.8,0.88,5' },
    ]);
  });

  it.each([
    ['a comma inside a field of a semicolon file', 'a;b\n3,5;x\n', ';'],
    ['a comma inside a field of a tab file', 'a\tb\n3,5\tx\n', '\t'],
    ['a comma inside a field of a pipe file', 'a|b\n3,5|x\n', '|'],
  ] as const)('hands %s to csv-parse, which reads it as one field', async (_case, text, delimiter) => {
    const drain = async () => {
      for await (const batch of readPlainLines(chunked(text, [2]), delimiter)) void batch;
    };
    await expect(drain()).rejects.toBeInstanceOf(NotPlainCsvError);
    expect(await viaCsvParse(text, delimiter)).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['3,5', 'x'], line: 2 },
    ]);
  });

  it('gives each record the text the split hashes (its fields joined), when it has it', async () => {
    const records = await collect(readPlainCsv(chunked('a,b\n c ,d\n', [])));
    expect(records.map((r) => r.text)).toEqual(['a,b', undefined]);
  });

  it.each([
    ['a quoted field', 'a,"b,c"\n'],
    ['a stray quote', 'a,b"c\n'],
    ['a lone CR line end', 'a,b\rc,d\r'],
    ['LF after CRLF', 'a,b\r\nc,d\ne,f\r\n'],
    ['a CR inside a CRLF line', 'a,b\r\nc\rd,e\r\n'],
    ['a CR inside an LF line', 'a,b\nc\rd\n'],
    ['a CR at the end of the last line', 'a,b\r\nc,d\r'],
  ])('refuses %s (csv-parse reads it)', async (_case, text) => {
    const drain = async () => {
      for await (const batch of readPlainLines(chunked(text, [3]))) void batch;
    };
    await expect(drain()).rejects.toBeInstanceOf(NotPlainCsvError);
  });
});

describe('the fast path’s profile and encoding', () => {
  const number = fc.oneof(
    fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(String),
    fc.integer({ min: -999, max: 9999 }).map(String),
    fc.constantFrom('0.5000', '+3', '1e3', '-0', '0.0000001', '007', '.5', '5.', '', ' 4.25 ', '12345678901234567', '0x1A'),
  );
  const dataset = fc.record({
    rows: fc.array(fc.tuple(fc.constantFrom('M', 'F', 'I', ''), number, number, fc.integer({ min: 1, max: 29 }).map(String)), { minLength: 2, maxLength: 60 }),
    problemType: fc.constantFrom('regression' as const, 'classification' as const),
  });
  const options = (problemType: 'regression' | 'classification') => profileOptions({ dialect: COMMA_DIALECT, problemType, ratios: [1, 0, 1] });

  it('profiles to the same schema (or the same rejection) and encodes every row to the same channel line', async () => {
    await fc.assert(
      fc.asyncProperty(dataset, async ({ rows, problemType }) => {
        const text = `${rows.map((r) => r.join(',')).join('\n')}\n`;
        const outcome = async (run: () => Promise<unknown>) => run().catch((error: Error) => `${error.name}: ${error.message}`);
        const generic = await outcome(() => profileCsv(inBatches(readCsv(chunked(text, []), reading(',')), 7), options(problemType)));
        const plain = await outcome(() => profilePlain(readPlainLines(chunked(text, [17, 40])), options(problemType)));
        expect(plain).toEqual(generic);
        if (typeof generic === 'string') return;
        const schema = generic as Awaited<ReturnType<typeof profileCsv>>;
        const slow = rowEncoder(schema);
        const fast = plainRowEncoder(schema);
        const bounds = new FieldBounds();
        for (const record of await collect(inBatches(readCsv(chunked(text, []), reading(','))))) {
          const source = record.fields.join(',');
          const { starts, ends } = bounds.scan(source);
          expect(fast(source, starts, ends)).toBe(slow(record.fields));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('number helpers', () => {
  const decimal = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.stringMatching(/^-?[0-9]{0,9}(\.[0-9]{0,9})?$/),
    fc.integer().map(String),
  );

  it('isCanonicalDecimal only says yes when String(Number(text)) gives the text back', () => {
    fc.assert(fc.property(decimal, (text) => expect(!isCanonicalDecimal(text) || String(Number(text)) === text).toBe(true)), { numRuns: 5000 });
    for (const text of ['0', '5', '-5', '0.5', '-0.5', '10.25', '100', '0.000001', '123456789012345']) expect(isCanonicalDecimal(text)).toBe(true);
    for (const text of ['-0', '0.50', '00.5', '+5', '5.', '.5', '1e3', '0.0000001', '1234567890123456', '']) expect(isCanonicalDecimal(text)).toBe(false);
  });

  it('parseSimpleDecimal is Number() where it answers, NaN where it leaves it to Number()', () => {
    fc.assert(
      fc.property(decimal, (text) => {
        const parsed = parseSimpleDecimal(text, 0, text.length);
        expect(Number.isNaN(parsed) || Object.is(parsed, Number(text))).toBe(true);
      }),
      { numRuns: 5000 },
    );
    expect(parseSimpleDecimal('x0.455,', 1, 6)).toBe(0.455);
  });
});
