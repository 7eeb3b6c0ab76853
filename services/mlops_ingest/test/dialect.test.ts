/** Reading an upload's dialect from its first bytes: the delimiter, the header, and the sample itself. */
import { DEFAULT_NA_VALUES, DatasetError } from '@mlops/common';
import { detectDialect, detectHeader, peek, type DialectOptions } from '../src/dialect';
import { MissingValues } from '../src/missing';

const encode = (text: string) => new TextEncoder().encode(text);
const missing = new MissingValues(DEFAULT_NA_VALUES);
const options = (overrides: Partial<DialectOptions> = {}): DialectOptions => ({ target: 'last', missing, ...overrides });
const dialectOf = (text: string, overrides: Partial<DialectOptions> = {}, complete = true) => detectDialect(encode(text), complete, options(overrides));
const lines = (n: number, row: (i: number) => string) => `${Array.from({ length: n }, (_, i) => row(i)).join('\n')}\n`;

describe('the delimiter', () => {
  it.each([
    ['the UCI wine quality layout: quoted names, semicolons', `"fixed acidity";"volatile acidity";"quality"\n${lines(20, (i) => `7.${i};0.${i + 1};${5 + (i % 3)}`)}`, ';'],
    // A comma reads these lines as 3 or 4 fields (an integer has no decimal comma), a semicolon as 4 on every line.
    ['semicolons and decimal commas', lines(20, (i) => `7,${i};0,${i + 1};${i % 2 ? '1,5' : '2'};${5 + (i % 3)}`), ';'],
    ['tabs', `a\tb\tc\n${lines(20, (i) => `${i}\t${i}.5\tx`)}`, '\t'],
    ['pipes', `id|name|score\n${lines(20, (i) => `${i}|n ${i}|${i * 2}`)}`, '|'],
    ['commas, with semicolons inside quoted fields', `a,b,c\n${lines(20, (i) => `${i},"x;y;z",${i}`)}`, ','],
    ['commas, with a pipe in every row of one field', `a,b\n${lines(20, (i) => `${i},x|y`)}`, ','],
    ['a single column', lines(20, (i) => `${i}`), ','],
  ])('%s', (_case, text, delimiter) => {
    expect(dialectOf(text)).toMatchObject({ delimiter, delimiterSource: 'detected' });
  });

  it('takes the one that gives the most fields when several read every line alike', () => {
    // Two fields by comma on every line, four by semicolon.
    expect(dialectOf(lines(20, (i) => `${i};a,b;c;${i}`)).delimiter).toBe(';');
  });

  it('reads a sample with a ragged row by the delimiter most lines agree with, so the pass names that row', () => {
    const text = `${lines(10, (i) => `${i};${i};${i}`)}1;2\n${lines(10, (i) => `${i};${i};${i}`)}`;
    expect(dialectOf(text).delimiter).toBe(';');
  });

  it('reads only whole lines of a cut sample, and a quoted field cut by its end is no error', () => {
    const text = `a;b;c\n${lines(20, (i) => `${i};"x\ny";${i}`)}5;"cut here`;
    expect(dialectOf(text, {}, false)).toMatchObject({ delimiter: ';', header: true });
  });

  it('uses the one the upload gives', () => {
    expect(dialectOf(lines(20, (i) => `${i};${i}`), { delimiter: '|' })).toMatchObject({ delimiter: '|', delimiterSource: 'upload' });
  });
});

describe('the header', () => {
  const detected = (text: string, target = 'last') => dialectOf(text, { target });

  it('is absent from a file of numbers', () => {
    expect(detected(lines(20, (i) => `${i},${i / 2},${i % 3}`))).toMatchObject({ header: false, headerSource: 'detected' });
  });

  it('is the first row of text above columns of numbers', () => {
    expect(detected(`length,width,rings\n${lines(20, (i) => `${i},${i / 2},${i % 3}`)}`)).toMatchObject({ header: true, headerSource: 'detected' });
  });

  it('is absent when the first row is the file’s data: text where the column is text too', () => {
    expect(detected(lines(20, (i) => `${'MFI'[i % 3]},${i / 2},${i % 3}`))).toMatchObject({ header: false });
  });

  it('is absent when only one cell of the first row is text (a typo), present when at least half are', () => {
    const rows = lines(20, (i) => `${i},${i / 2},${i % 3},${i * 3}`);
    expect(detected(`0,abc,1,2\n${rows}`).header).toBe(false);
    expect(detected(`id,2019,2020,total\n${rows}`).header).toBe(true);
  });

  it('is the first row when it names the target, even over columns of text', () => {
    const rows = lines(20, (i) => `${'xyz'[i % 3]},${'pq'[i % 2]}`);
    expect(detected(`colour,species\n${rows}`, 'species')).toMatchObject({ header: true, headerSource: 'detected' });
    expect(detected(`colour,species\n${rows}`)).toMatchObject({ header: false });
  });

  it('ignores missing values on either side', () => {
    expect(detected(`a,b\n${lines(20, (i) => `${i % 4 ? i : 'NA'},${i}`)}`).header).toBe(true);
    expect(detected(`NA,1\n${lines(20, (i) => `${i},${i}`)}`).header).toBe(false);
  });

  it('is whatever the upload or the stage says', () => {
    const text = `length,width\n${lines(20, (i) => `${i},${i}`)}`;
    expect(dialectOf(text, { header: { present: false, source: 'upload' } })).toMatchObject({ header: false, headerSource: 'upload' });
    expect(dialectOf(lines(20, (i) => `${i},${i}`), { header: { present: true, source: 'stage' } })).toMatchObject({ header: true, headerSource: 'stage' });
  });

  it('is absent when the sample holds a single row', () => {
    expect(detectHeader([['a', 'b']], 'last', missing)).toBe(false);
    expect(detectHeader([], 'last', missing)).toBe(false);
  });
});

describe('the sample', () => {
  async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
    for (const part of parts) yield encode(part);
  }
  const text = async (body: AsyncIterable<Uint8Array>) => {
    let all = '';
    for await (const chunk of body) all += Buffer.from(chunk).toString();
    return all;
  };

  it('is the first chunks up to the size, and the body still starts at the first byte', async () => {
    const peeked = await peek(chunks('abc', 'def', 'ghi', 'jkl'), 5);
    expect(Buffer.from(peeked.sample).toString()).toBe('abcdef');
    expect(peeked.complete).toBe(false);
    expect(await text(peeked.body)).toBe('abcdefghijkl');
  });

  it('says when it is the whole object', async () => {
    const peeked = await peek(chunks('abc', 'def'), 100);
    expect(peeked).toMatchObject({ complete: true });
    expect(await text(peeked.body)).toBe('abcdef');
  });

  it('ends the stream when the body will not be read', async () => {
    let closed = false;
    async function* stream(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) yield encode('x'.repeat(10));
      } finally {
        closed = true;
      }
    }
    const peeked = await peek(stream(), 25);
    await peeked.cancel();
    expect(closed).toBe(true);
  });

  it('rejects bytes that are not UTF-8 with their place', () => {
    expect(() => detectDialect(Uint8Array.from([0x61, 0x2c, 0x62, 0x0a, 0xff]), true, options())).toThrow(
      new DatasetError('the file is not valid UTF-8: line 2, byte offset 4 (0xff); save it as UTF-8 (it may be in Latin-1 or Windows-1252)'),
    );
  });
});
