import {
  DataProcessingError,
  RecordProcessor,
  evaluateJsonPath,
  filterCsv,
  filterJson,
  formatOf,
  joinCsv,
  joinJson,
  parseJsonPath,
  splitCsvFields,
} from '../src/dataprocessing';

describe('CSV filters (column index forms SageMaker accepts)', () => {
  const row = 'id-7,1.5,2,3,label';

  it.each([
    ['$', 'id-7,1.5,2,3,label'],
    ['$[1:]', '1.5,2,3,label'],
    ['$[0,-1]', 'id-7,label'],
    ['$[1,2]', '1.5,2'],
    ['$[-1]', 'label'],
    ['$[0]', 'id-7'],
    ['$[:-1]', 'id-7,1.5,2,3'],
    ['$[1:3]', '1.5,2'],
    ['$[-2:]', '3,label'],
    ['$[0,2:4]', 'id-7,2,3'],
    [' $[ 1 , 2 ] ', '1.5,2'],
  ])('%s selects %s', (expr, expected) => {
    expect(filterCsv(row, expr)).toBe(expected);
  });

  it('treats an undefined or empty filter as $', () => {
    expect(filterCsv(row, undefined)).toBe(row);
    expect(filterCsv(row, '')).toBe(row);
  });

  it('keeps quoted fields (with commas and escaped quotes) intact', () => {
    expect(splitCsvFields('a,"b,c","say ""hi""",d')).toEqual(['a', '"b,c"', '"say ""hi"""', 'd']);
    expect(filterCsv('a,"b,c",d', '$[1:]')).toBe('"b,c",d');
  });

  it('rejects an index outside the record and non-column paths', () => {
    expect(() => filterCsv('a,b', '$[5]')).toThrow(DataProcessingError);
    expect(() => filterCsv('a,b', '$[-3]')).toThrow(/out of range/);
    expect(() => filterCsv('a,b', '$.features')).toThrow(/cannot be applied to CSV/);
  });

  it('clamps slices like Python/Jayway (end exclusive, out-of-range ends allowed)', () => {
    expect(filterCsv('a,b,c', '$[1:10]')).toBe('b,c');
    expect(filterCsv('a,b,c', '$[5:]')).toBe('');
  });

  it('joins by appending the prediction columns to the input row', () => {
    expect(joinCsv('id-7,1.5,2', '0.93')).toBe('id-7,1.5,2,0.93');
    expect(joinCsv('id-7,1.5', '0.1,0.9')).toBe('id-7,1.5,0.1,0.9');
  });
});

describe('JSON filters', () => {
  const rec = { id: 'r1', features: [1, 2, 3], meta: { source: 's3', weight: 2 } };

  it.each([
    ['$', rec],
    ['$.features', [1, 2, 3]],
    ['$.features[0]', 1],
    ['$.features[1:]', [2, 3]],
    ['$.features[0,-1]', [1, 3]],
    ['$.meta.source', 's3'],
    ["$['id','features']", { id: 'r1', features: [1, 2, 3] }],
    ['$["id"]', 'r1'],
    ['$.meta.*', ['s3', 2]],
    ['$.features[*]', [1, 2, 3]],
  ])('%s', (expr, expected) => {
    expect(evaluateJsonPath(rec, expr)).toEqual(expected);
  });

  it('filters a JSON record as text', () => {
    expect(filterJson(JSON.stringify(rec), '$.features')).toBe('[1,2,3]');
    expect(() => filterJson('{not json', '$.a')).toThrow(DataProcessingError);
    expect(() => filterJson('{"a":1}', '$.missing')).toThrow(/selects nothing/);
  });

  it('joins into SageMakerOutput, or wraps a non-object input in SageMakerInput', () => {
    expect(JSON.parse(joinJson('{"id":1}', '{"score":0.5}'))).toEqual({ id: 1, SageMakerOutput: { score: 0.5 } });
    expect(JSON.parse(joinJson('[1,2]', '0.5'))).toEqual({ SageMakerInput: [1, 2], SageMakerOutput: 0.5 });
    expect(JSON.parse(joinJson('{"id":1}', 'not-json'))).toEqual({ id: 1, SageMakerOutput: 'not-json' });
  });

  it('rejects malformed paths', () => {
    expect(() => parseJsonPath('features')).toThrow(/must start with \$/);
    expect(() => parseJsonPath('$[1')).toThrow(/unclosed/);
    expect(() => parseJsonPath('$[a]')).toThrow(/invalid index/);
    expect(() => parseJsonPath('$[1:2:3]')).toThrow(/slice steps/);
    expect(() => parseJsonPath('$..x')).toThrow();
  });
});

describe('RecordProcessor', () => {
  it('formats follow the MIME types', () => {
    expect(formatOf('text/csv')).toBe('csv');
    expect(formatOf('text/csv; charset=utf-8')).toBe('csv');
    expect(formatOf('application/jsonlines')).toBe('json');
    expect(formatOf('application/json')).toBe('json');
    expect(formatOf('application/x-recordio-protobuf')).toBeUndefined();
  });

  it('CSV: input filter before inference, join with the original row, then output filter', () => {
    const p = new RecordProcessor({ InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' }, 'text/csv', 'text/csv');
    expect(p.perRecordOutput).toBe(true);
    expect(p.input('id-1,3,4')).toBe('3,4');
    expect(p.output('id-1,3,4', '7.5')).toBe('id-1,7.5');
  });

  it('CSV: output filter without join applies to the prediction record', () => {
    const p = new RecordProcessor({ OutputFilter: '$[1]' }, 'text/csv', 'text/csv');
    expect(p.output('ignored', '0.1,0.9')).toBe('0.9');
  });

  it('JSON lines: join then keep the id and the output', () => {
    const p = new RecordProcessor({ InputFilter: '$.features', JoinSource: 'Input', OutputFilter: "$['id','SageMakerOutput']" }, 'application/jsonlines', 'application/jsonlines');
    const rec = '{"id":"a","features":[1,2],"extra":true}';
    expect(p.input(rec)).toBe('[1,2]');
    expect(JSON.parse(p.output(rec, '{"score":3}'))).toEqual({ id: 'a', SageMakerOutput: { score: 3 } });
  });

  it('is a no-op for the defaults', () => {
    const p = new RecordProcessor({ InputFilter: '$', OutputFilter: '$', JoinSource: 'None' }, 'text/csv');
    expect(p.perRecordOutput).toBe(false);
    expect(p.filtersInput).toBe(false);
    expect(p.input('a,b')).toBe('a,b');
  });

  it('guesses the format when ContentType is absent', () => {
    const p = new RecordProcessor({ InputFilter: '$[1:]' });
    expect(p.input('a,b,c')).toBe('b,c');
    expect(p.input('[1,2,3]')).toBe('[2,3]');
  });

  it('fails early on a malformed expression', () => {
    expect(() => new RecordProcessor({ InputFilter: '$[x' })).toThrow(DataProcessingError);
  });
});
