import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DataError, parseLabelledRow, readChannel } from '../src';

const anyLabel = () => undefined;

describe('parseLabelledRow', () => {
  it('splits the label (first) from the features', () => {
    expect(parseLabelledRow('7,1,2', 'row 1', anyLabel, undefined)).toEqual({ label: 7, features: [1, 2] });
  });

  it.each([
    ['x,1,2', undefined, "row 3 of train/a.csv: label is not a number (got 'x')"],
    ['1,2,3,abc', undefined, "row 3 of train/a.csv: feature 3 is not a number (got 'abc')"],
    ['1,2,,4', undefined, 'row 3 of train/a.csv: feature 2 is empty (missing values are not supported)'],
    ['1,2', 3, 'row 3 of train/a.csv: expected 3 features, got 1'],
    ['1', undefined, 'row 3 of train/a.csv: no features, only a label (the label comes first)'],
  ])('rejects %j', (line, width, message) => {
    expect(() => parseLabelledRow(line, 'row 3 of train/a.csv', anyLabel, width)).toThrow(new DataError(message));
  });

  it('reports what the label check finds', () => {
    const check = (label: number) => (label > 1 ? `label ${label} is too big` : undefined);
    expect(() => parseLabelledRow('5,1', 'row 1', check, undefined)).toThrow(new DataError('row 1: label 5 is too big'));
  });
});

describe('readChannel', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'model-channel-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads every file recursively in name order, skipping hidden files and blank lines', async () => {
    await mkdir(path.join(dir, 'part/.hidden'), { recursive: true });
    await writeFile(path.join(dir, 'b.csv'), '3,30\n');
    await writeFile(path.join(dir, 'a.csv'), '1,10\r\n\r\n2,20\r\n');
    await writeFile(path.join(dir, 'part/c'), '4,40');
    await writeFile(path.join(dir, '.DS_Store'), 'junk');
    await writeFile(path.join(dir, 'part/.hidden/x.csv'), 'junk');
    expect(await readChannel('train', dir, anyLabel)).toEqual({
      features: [[10], [20], [30], [40]],
      labels: [1, 2, 3, 4],
    });
  });

  it('names the file and line of a bad row', async () => {
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub/data.csv'), '1,2,3\n\n1,2,x\n');
    await expect(readChannel('train', dir, anyLabel)).rejects.toThrow(
      new DataError("row 3 of train/sub/data.csv: feature 2 is not a number (got 'x')"),
    );
  });

  it('requires the given feature count', async () => {
    await writeFile(path.join(dir, 'v.csv'), '1,2,3\n');
    await expect(readChannel('validation', dir, anyLabel, 3)).rejects.toThrow('row 1 of validation/v.csv: expected 3 features, got 2');
  });

  it('reads a missing directory as no rows', async () => {
    expect(await readChannel('validation', path.join(dir, 'missing'), anyLabel)).toEqual({ features: [], labels: [] });
  });
});
