/** Rows that do not fit the family: each refused with the row, the column and the reason, before any request. */
import { encodeRows, parseCsvRows, PredictError, type PredictRow } from '../src';
import { ABALONE, ingester, type Ingested } from './support/pipeline';

const ingest = ingester();
let abalone: Ingested;
beforeAll(async () => {
  abalone = await ingest({ family: 'abalone', csv: ABALONE });
});

const GOOD = ['M', '0.455', '0.365', '0.095', '0.514', '0.2245', '0.101', '0.15'];
const good = { sex: 'M', length: '0.455', diameter: '0.365', height: '0.095', whole_weight: '0.514', shucked_weight: '0.2245', viscera_weight: '0.101', shell_weight: '0.15' };

function refusal(rows: readonly PredictRow[]): PredictError {
  try {
    encodeRows(abalone.familySchema, rows);
  } catch (error) {
    expect(error).toBeInstanceOf(PredictError);
    return error as PredictError;
  }
  throw new Error('the rows were encoded');
}

describe('encodeRows refuses', () => {
  it.each<[string, PredictRow[], string, { row?: number; column?: string }]>([
    ['an unknown category, listing the known ones', [GOOD, ['X', ...GOOD.slice(1)]], "row 2, column 'sex': 'X' is not one of its categories ('F', 'I', 'M'); the family's models know no other", { row: 2, column: 'sex' }],
    ['a category in another case', [['m', ...GOOD.slice(1)]], "row 1, column 'sex': 'm' is not one of its categories", { row: 1, column: 'sex' }],
    ['a measurement that is not a number', [[...GOOD.slice(0, 3), '0.1o', ...GOOD.slice(4)]], "row 1, column 'height': '0.1o' is not a number", { row: 1, column: 'height' }],
    ['an infinite number', [{ ...good, length: Number.POSITIVE_INFINITY }], "row 1, column 'length': Infinity is not a finite number", { row: 1, column: 'length' }],
    ['the text Infinity', [{ ...good, length: 'Infinity' }], "row 1, column 'length': 'Infinity' is not a number", { row: 1, column: 'length' }],
    [
      'a row of another width, naming the columns expected',
      [GOOD, GOOD, GOOD.slice(0, 7)],
      "row 3: 7 values, expected 8 (sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight) or 9 with the label 'rings' in its place",
      { row: 3 },
    ],
    ['an object without a column', [Object.fromEntries(Object.entries(good).filter(([name]) => name !== 'shell_weight'))], "row 1, column 'shell_weight': missing (give it, or '' for an empty cell)", { row: 1, column: 'shell_weight' }],
    ['an object with a column the family has not', [{ ...good, weight: '1' }], "row 1: 'weight' is not a column of the family (its columns: sex, length, diameter, height, whole_weight, shucked_weight, viscera_weight, shell_weight, rings)", { row: 1, column: 'weight' }],
    ['a cell that is neither text nor a number', [{ ...good, sex: true as unknown as string }], "row 1, column 'sex': a boolean is not a cell value (give a string or a number)", { row: 1, column: 'sex' }],
    ['an empty measurement, the family schema having no mean', [{ ...good, height: '' }], "row 1, column 'height': empty, and the family's schema has no value to fill it with", { row: 1, column: 'height' }],
  ])('%s', (_case, rows, message, where) => {
    const error = refusal(rows);
    expect(error.code).toBe('invalid-row');
    expect(error.message).toContain(message);
    expect(error.where).toEqual(where);
  });

  it('a row that is not an array or an object', () => {
    expect(refusal([GOOD, 'M,0.455' as unknown as PredictRow]).message).toBe("row 2: a string is not a row (give an array or an object by column name)");
  });

  it('lets the label through where it belongs, and ignores it', () => {
    expect(encodeRows(abalone.familySchema, [{ ...good, rings: 'not read' }])).toEqual(encodeRows(abalone.familySchema, [GOOD]));
    expect(encodeRows(abalone.familySchema, [[...GOOD, 'not read']])).toEqual(encodeRows(abalone.familySchema, [GOOD]));
  });

  it('CSV that is not CSV', () => {
    expect(() => parseCsvRows(abalone.familySchema, 'M,"0.455,0.365\n')).toThrow(/^not valid CSV: /);
  });
});
