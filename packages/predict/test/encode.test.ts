/**
 * encodeRows against schemas the real mlops_ingest wrote for the real abalone data: every row encodes
 * to exactly the line ingest wrote into a channel for it, without its label, whether the row comes as
 * an array, as an array with its label, or as an object by column name.
 */
import { numberText } from '@mlops/common';
import { encodeRows, parseCsvRows } from '../src';
import { ABALONE, abaloneRows, ingester, type Ingested } from './support/pipeline';

const ingest = ingester();
const COLUMNS = ['sex', 'length', 'diameter', 'height', 'whole_weight', 'shucked_weight', 'viscera_weight', 'shell_weight', 'rings'];
const allChannelLines = (ingested: Ingested) => [...ingested.channels.train, ...ingested.channels.validation, ...ingested.channels.test].sort();
const byName = (row: readonly string[]) => Object.fromEntries(COLUMNS.map((c, i) => [c, row[i]!]));

describe('abalone (regression on rings): the family schema ingest wrote', () => {
  let abalone: Ingested;
  const rows = abaloneRows();
  beforeAll(async () => {
    abalone = await ingest({ family: 'abalone', csv: ABALONE });
  });

  it('is the one docs/ENDPOINT.md describes: sex one-hot (F, I, M), then the seven measurements; rings the label', () => {
    expect(abalone.familySchema.columns.map((c) => c.name)).toEqual(COLUMNS);
    expect(abalone.familySchema.columns[0]).toEqual({ name: 'sex', role: 'feature', type: 'categorical', categories: ['F', 'I', 'M'] });
    expect(abalone.familySchema.label).toEqual({ name: 'rings', problemType: 'regression' });
    expect(abalone.familySchema.featureCount).toBe(10);
    expect(encodeRows(abalone.familySchema, [['M', '0.455', '0.365', '0.095', '0.514', '0.2245', '0.101', '0.15']])).toEqual(['0,0,1,0.455,0.365,0.095,0.514,0.2245,0.101,0.15']);
  });

  it('encodes every row of the dataset as the line ingest wrote into its channel, minus the label', () => {
    expect(rows).toHaveLength(4177);
    const encoded = encodeRows(abalone.familySchema, rows.map((r) => r.slice(0, 8)));
    expect(encoded.map((line, i) => `${numberText(rows[i]![8]!)},${line}`).sort()).toEqual(allChannelLines(abalone));
  });

  it('encodes the same from rows that carry the label in its place, from objects by column name, and with the run schema', () => {
    const sample = rows.slice(0, 300);
    const expected = encodeRows(abalone.familySchema, sample.map((r) => r.slice(0, 8)));
    expect(encodeRows(abalone.familySchema, sample)).toEqual(expected);
    expect(encodeRows(abalone.familySchema, sample.map(byName))).toEqual(expected);
    expect(encodeRows(abalone.runSchema, sample.map((r) => r.slice(0, 8)))).toEqual(expected);
  });

  it('takes numbers as numbers, and cells with the spaces ingest trims', () => {
    const [line] = encodeRows(abalone.familySchema, [{ sex: ' F ', length: 0.53, diameter: 0.42, height: '\t0.135', whole_weight: 0.677, shucked_weight: 0.2565, viscera_weight: 0.1415, shell_weight: 0.21 }]);
    expect(line).toBe(encodeRows(abalone.familySchema, [rows[2]!.slice(0, 8)])[0]);
    expect(line).toBe('1,0,0,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21');
  });

  it('writes a number as String(Number(text)) does, as the channels do', () => {
    expect(encodeRows(abalone.familySchema, [['I', '.5', '0.50', '1e-1', '+2', '0.0000001', '-0', '3']])).toEqual(['0,1,0,0.5,0.5,0.1,2,1e-7,0,3']);
  });

  it('reads CSV text as ingest reads an upload: quotes, trimming, blank lines; a header naming the columns is dropped', () => {
    const text = `${COLUMNS.join(',')}\n"M", 0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\n\nF,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21\n`;
    const parsed = parseCsvRows(abalone.familySchema, text);
    expect(parsed).toEqual([rows[0], rows[2]!.slice(0, 8)]);
    expect(parseCsvRows(abalone.familySchema, `${COLUMNS.slice(0, 8).join(',')}\nI,1,1,1,1,1,1,1`)).toEqual([['I', '1', '1', '1', '1', '1', '1', '1']]);
    expect(parseCsvRows(abalone.familySchema, 'I,1,1,1,1,1,1,1')).toEqual([['I', '1', '1', '1', '1', '1', '1', '1']]);
  });
});

describe('empty cells: as ingest fills them', () => {
  // Blanked cells in a real upload: a measurement in every 7th row, the sex in every 11th.
  const blanked = abaloneRows()
    .slice(0, 1500)
    .map((r, i) => r.map((cell, c) => ((c === 1 && i % 7 === 3) || (c === 0 && i % 11 === 5) ? '' : cell)));
  let ingested: Ingested;
  beforeAll(async () => {
    ingested = await ingest({ family: 'gappy', csv: `${blanked.map((r) => r.join(',')).join('\n')}\n` });
  });

  it("with the run's schema, an empty measurement gets the run's mean and an empty sex no category, exactly as in the channels", () => {
    const encoded = encodeRows(ingested.runSchema, blanked.map((r) => r.slice(0, 8)));
    expect(encoded.map((line, i) => `${blanked[i]![8]},${line}`).sort()).toEqual(allChannelLines(ingested));
    expect(encoded[5]!.startsWith('0,0,0,')).toBe(true);
  });

  it("with the family's schema (no means), an empty measurement is refused; an empty sex is no category", () => {
    expect(() => encodeRows(ingested.familySchema, [blanked[3]!.slice(0, 8)])).toThrow("row 1, column 'length': empty, and the family's schema has no value to fill it with");
    expect(encodeRows(ingested.familySchema, [blanked[5]!.slice(0, 8)])).toEqual(encodeRows(ingested.runSchema, [blanked[5]!.slice(0, 8)]));
  });
});

describe('classification: the label is the class, the features the rest', () => {
  it('multiclass (sex from the measurements and rings): every row as ingest wrote it, the class index first', async () => {
    const ingested = await ingest({ family: 'abalone-sex', csv: ABALONE, metadata: { target: 'sex', problem: 'classification' } });
    expect(ingested.familySchema.label).toEqual({ name: 'sex', problemType: 'classification', classes: ['F', 'I', 'M'] });
    const rows = abaloneRows();
    const encoded = encodeRows(ingested.familySchema, rows.map(byName));
    const classIndex = (sex: string) => ingested.familySchema.label.classes!.indexOf(sex);
    expect(encoded.map((line, i) => `${classIndex(rows[i]![0]!)},${line}`).sort()).toEqual(allChannelLines(ingested));
    expect(encoded[0]).toBe('0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15');
    // Rows as in the file, the label first: read in its place and ignored.
    expect(encodeRows(ingested.familySchema, rows.slice(0, 50))).toEqual(encoded.slice(0, 50));
  });

  it('binary (female or male): the same', async () => {
    const rows = abaloneRows().filter((r) => r[0] !== 'I');
    const ingested = await ingest({ family: 'abalone-fm', csv: `${rows.map((r) => r.join(',')).join('\n')}\n`, metadata: { target: 'sex', problem: 'classification' } });
    expect(ingested.familySchema.label.classes).toEqual(['F', 'M']);
    const encoded = encodeRows(ingested.familySchema, rows.map((r) => r.slice(1)));
    expect(encoded.map((line, i) => `${rows[i]![0] === 'F' ? 0 : 1},${line}`).sort()).toEqual(allChannelLines(ingested));
  });
});
