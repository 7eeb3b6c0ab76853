import { featureEncoder } from '@mlops/common';
import { SchemaDocumentSchema } from '@mlops/mlops_ingest/core';
import { renderReportHtml } from '../src';
import { encodedFeatureNames, fileColumns, missingOf } from '../src/features';
import { abaloneSchema, classificationReport, irisSchema, regressionReport, wideSchema } from './fixtures';
import { rowCells, section, tags, text } from './helpers';

const order = (html: string) => text(html.slice(html.indexOf('<pre class="feature-order"'), html.indexOf('</pre>')));

describe('features and encodings', () => {
  const html = section(renderReportHtml(regressionReport()), 'features');

  it('lists each source column with its role, type, encoding, missing-cell fill and place in the request line', () => {
    expect(tags(html, 'tr').filter((t) => t.attrs['data-column']).map((t) => [t.attrs['data-column'], t.attrs['data-column-role']])).toEqual(
      abaloneSchema().columns.map((c) => [c.name, c.role]),
    );
    expect(rowCells(html, 'data-column', 'sex')).toEqual(['0', 'sex', 'feature', 'categorical', 'one-hot over 3 categoriesFIM→ sex_Fsex_Isex_M', 'all 0', '1–3']);
    expect(rowCells(html, 'data-column', 'length')).toEqual(['1', 'length', 'feature', 'numeric', 'the number, as is → length', '0.523992', '4']);
    expect(rowCells(html, 'data-column', 'shell_weight')).toEqual(['7', 'shell_weight', 'feature', 'numeric', 'the number, as is → shell_weight', '0.238831', '10']);
    expect(rowCells(html, 'data-column', 'rings')).toEqual(['8', 'rings', 'label', 'numeric', "the value, as is (the channel's first value; not sent to the endpoint)", '—', '—']);
    // The exact fill, as the channels were written with it, on hover.
    expect(html).toContain('<td class="num fill" title="0.523992099593009">0.523992</td>');
    expect(html).toContain('9 source columns → 10 model features');
    expect(html).toContain('Split: train / validation / test 70% / 15% / 15%, seed 42.');
  });

  it("gives the endpoint's feature order: the order @mlops/common's featureEncoder writes the request line in", () => {
    const schema = abaloneSchema();
    expect(order(html)).toBe('sex_F,sex_I,sex_M,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight');
    expect(tags(html, 'pre', 'feature-order')[0]!.attrs['data-count']).toBe('10');
    // The names line up with the encoder's values: sex M is the third one-hot column, length the fourth value.
    const line = featureEncoder(schema)(['M', '0.455', '0.365', '0.095', '0.514', '0.2245', '0.101', '0.15', '15']).split(',');
    expect(Object.fromEntries(encodedFeatureNames(schema).map((name, i) => [name, line[i]]))).toMatchObject({ sex_F: '0', sex_I: '0', sex_M: '1', length: '0.455', shell_weight: '0.15' });
  });

  it("shows a classification label's classes by the index the model answers with, and a stratified split", () => {
    const page = section(renderReportHtml(classificationReport()), 'features');
    expect(rowCells(page, 'data-column', 'species')).toEqual([
      '4',
      'species',
      'label',
      'categorical',
      "class index (the channel's first value; the endpoint answers with it)0 setosa1 versicolor2 virginica",
      '—',
      '—',
    ]);
    // Ratios are weights: fractions read the same as the stage's 70,15,15.
    expect(page).toContain('Split: train / validation / test 70% / 15% / 15%, seed 7, stratified by <code>species</code>.');
    expect(order(page)).toBe(irisSchema().columns.slice(0, 4).map((c) => c.name).join(','));
  });

  it('keeps a 200-column dataset readable: every column listed in a scrolling box, the full feature order', () => {
    const r = regressionReport();
    r.schema = wideSchema(200);
    const page = section(renderReportHtml(r), 'features');
    expect(page).toContain('<div class="vscroll"><table class="features">');
    expect(tags(page, 'tr').filter((t) => t.attrs['data-column'])).toHaveLength(200);
    expect(page).toContain('200 source columns → 237 model features');
    expect(order(page).split(',')).toEqual(encodedFeatureNames(r.schema));
    expect(order(page).split(',')).toHaveLength(237);
    // f010 is the first categorical: request positions 10–12; f011 follows at 13.
    expect(rowCells(page, 'data-column', 'f010').at(-1)).toBe('10–12');
    expect(rowCells(page, 'data-column', 'f011').slice(-2)).toEqual(['2.75', '13']);
  });

  it('shows a long category list in part, the rest behind "… N more"', () => {
    const r = regressionReport();
    const schema = abaloneSchema();
    const categories = Array.from({ length: 30 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    schema.columns[0] = { ...schema.columns[0]!, categories, outputColumns: categories.map((c) => `sex_${c}`) };
    schema.featureCount = 37;
    r.schema = schema;
    const page = section(renderReportHtml(r), 'features');
    const cell = page.slice(page.indexOf('<td class="encoding">'), page.indexOf('</td>', page.indexOf('<td class="encoding">')));
    expect(cell).toContain('one-hot over 30 categories');
    expect(cell.slice(0, cell.indexOf('<details')).match(/class="chip"/g)).toHaveLength(12);
    expect(cell).toContain('<summary>… 18 more</summary>');
    expect(cell).toContain('>c29</span>');
    expect(page).not.toContain('class="bad"');
  });

  it("warns when schema.json's featureCount disagrees with its columns", () => {
    const r = regressionReport();
    r.schema = { ...abaloneSchema(), featureCount: 11 };
    expect(section(renderReportHtml(r), 'features')).toContain("schema.json says 11 features, but its feature columns encode to 10.");
  });

  it('fills a missing cell with the mean of a numeric feature, no category for a categorical one, nothing for the label', () => {
    const [sex, length] = abaloneSchema().columns;
    expect(missingOf(length!)).toEqual({ fill: '0.523992099593009' });
    expect(missingOf(sex!)).toEqual({ fill: 'all 0' });
    expect(missingOf(abaloneSchema().columns[8]!)).toEqual({});
    // A document of an earlier release counts no missing cells: the table has no Missing column.
    expect(html).not.toContain('<th class="num">Missing</th>');
  });

  /** The abalone file read with NA values, `id` and `note` dropped by the upload, some cells missing. */
  function readSchema() {
    const doc = abaloneSchema();
    const columns = doc.columns.map((c) => ({ ...c, missing: c.role === 'feature' ? { count: c.name === 'sex' ? 3 : c.name === 'height' ? 12 : 0, fill: c.type === 'categorical' ? 'no-category' : 'mean' } : undefined }));
    return SchemaDocumentSchema.parse({
      ...doc,
      csv: { delimiter: ',', delimiterSource: 'detected', headerSource: 'detected', naValues: ['NA', '?'], dropped: [{ name: 'id', index: 0 }, { name: 'note', index: 5 }] },
      columns,
    });
  }

  it("shows each feature's missing-cell count and fill, and what counted as missing", () => {
    const r = regressionReport();
    r.schema = readSchema();
    const page = section(renderReportHtml(r), 'features');
    expect(page).toContain('<th class="num">Missing</th>');
    expect(rowCells(page, 'data-column', 'sex').slice(-3)).toEqual(['3', 'all 0', '1–3']);
    expect(rowCells(page, 'data-column', 'height').slice(-3)).toEqual(['12', '0.139516', '6']);
    expect(rowCells(page, 'data-column', 'length').slice(-3)).toEqual(['0', '0.523992', '4']);
    expect(rowCells(page, 'data-column', 'rings').slice(-3)).toEqual(['—', '—', '—']);
    expect(page).toContain('Missing: an empty cell or <code>NA</code>, <code>?</code> (any case).');
  });

  it('puts the columns the upload dropped back at their place in the file, marked dropped', () => {
    const r = regressionReport();
    r.schema = readSchema();
    expect(fileColumns(r.schema).map((c) => [c.fileIndex, 'dropped' in c ? `${c.dropped} (dropped)` : c.column.name])).toEqual([
      [0, 'id (dropped)'],
      [1, 'sex'],
      [2, 'length'],
      [3, 'diameter'],
      [4, 'height'],
      [5, 'note (dropped)'],
      [6, 'whole_weight'],
      [7, 'shucked_weight'],
      [8, 'viscera_weight'],
      [9, 'shell_weight'],
      [10, 'rings'],
    ]);
    const page = section(renderReportHtml(r), 'features');
    expect(tags(page, 'tr').filter((t) => t.attrs['data-column-role'] === 'dropped').map((t) => t.attrs['data-column'])).toEqual(['id', 'note']);
    expect(rowCells(page, 'data-column', 'note')).toEqual(['5', 'note', 'dropped', '—', 'dropped by the upload (mlops-drop) before profiling: not in the channels', '—', '—', '—']);
    expect(rowCells(page, 'data-column', 'whole_weight')[0]).toBe('6');
    expect(page).toContain('9 source columns (and 2 dropped) → 10 model features');
    // Dropped columns are not in the request line.
    expect(order(page)).toBe('sex_F,sex_I,sex_M,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight');
  });

  it('has no features section without a schema, and escapes column names', () => {
    const r = regressionReport();
    delete r.schema;
    expect(renderReportHtml(r)).not.toContain('id="features"');
    const schema = abaloneSchema();
    schema.columns[1] = { ...schema.columns[1]!, name: '<img>', outputColumns: ['<img>'] };
    r.schema = schema;
    const page = renderReportHtml(r);
    expect(page).not.toContain('<img>');
    expect(page).toContain('&lt;img&gt;');
  });
});
