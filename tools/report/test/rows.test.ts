import { renderReportHtml } from '../src';
import { encodedFeatureNames } from '../src/features';
import { columnLabels, ROW_PREVIEW_VALUES, wideRow } from '../src/rows';
import { classificationReport, regressionReport, wideSchema } from './fixtures';
import { section, tags, text } from './helpers';

/** The name → value pairs a row shows inline. */
function inlinePairs(markup: string): [string, string][] {
  const head = markup.includes('<details') ? markup.slice(0, markup.indexOf('<details')) : markup;
  return [...head.matchAll(/<span class="kvp"><i>([^<]*)<\/i>(.*?)<\/span>(?=<span class="kvp"|<\/div>|$)/g)].map((m) => [text(m[1]!), text(m[2]!)]);
}

/** The full table behind "… N more": its column names and its values. */
function fullTable(markup: string): { names: string[]; values: string[] } {
  const table = markup.slice(markup.indexOf('<table class="wide-row">'), markup.indexOf('</table>', markup.indexOf('<table class="wide-row">')));
  return {
    names: [...table.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => text(m[1]!)),
    values: [...table.matchAll(/<td class="num">(.*?)<\/td>/g)].map((m) => text(m[1]!)),
  };
}

describe('wideRow', () => {
  it('shows a narrow row whole, each value with its column name', () => {
    const markup = wideRow(['a', 'b', 'c'], ['1', '2.5', '']);
    expect(inlinePairs(markup)).toEqual([
      ['a', '1'],
      ['b', '2.5'],
      ['c', '(empty)'],
    ]);
    expect(markup).not.toContain('<details');
    expect(tags(markup, 'div', 'row-values')[0]!.attrs).toMatchObject({ 'data-values': '3', 'data-shown': '3' });
  });

  it('shows a 200-value row as its first values and "… N more", the whole row named in a sideways-scrolling table', () => {
    const names = Array.from({ length: 200 }, (_, i) => `col${i}`);
    const values = names.map((_, i) => String(i * 2));
    const markup = wideRow(names, values, { raw: values.join(',') });
    expect(inlinePairs(markup)).toEqual(names.slice(0, ROW_PREVIEW_VALUES).map((n, i) => [n, values[i]]));
    expect(text(markup.slice(markup.indexOf('<summary>'), markup.indexOf('</summary>')))).toBe(`… ${200 - ROW_PREVIEW_VALUES} more (200 in all)`);
    expect(markup).toContain('<div class="hscroll"><table class="wide-row">');
    expect(fullTable(markup)).toEqual({ names, values });
    expect(markup).toContain(`<code class="wrap">${values.join(',')}</code>`);
    expect(tags(markup, 'div', 'row-values')[0]!.attrs).toMatchObject({ 'data-values': '200', 'data-shown': String(ROW_PREVIEW_VALUES) });
  });

  it('names values by position when the names do not fit the row, rather than misnaming them', () => {
    expect(columnLabels(['a', 'b'], 3)).toEqual(['#1', '#2', '#3']);
    expect(columnLabels(undefined, 2)).toEqual(['#1', '#2']);
    expect(columnLabels(['a', 'b'], 2)).toEqual(['a', 'b']);
    expect(inlinePairs(wideRow(['x'], ['1', '2'], { preview: 1 }))).toEqual([['#1', '1']]);
  });

  it('escapes names and values', () => {
    const markup = wideRow(['<b>'], ['"><script>']);
    expect(markup).not.toContain('<script>');
    expect(markup).not.toContain('<b>');
    expect(inlinePairs(markup)).toEqual([['<b>', '"><script>']]);
  });
});

describe('endpoint checks', () => {
  it("names each value of the request line by the schema's encoded feature order", () => {
    const page = section(renderReportHtml(regressionReport()), 'endpoint');
    const rows = tags(page, 'div', 'row-values');
    expect(rows.map((r) => r.attrs['data-values'])).toEqual(['10', '10', '10']);
    const first = page.slice(page.indexOf('<div class="row-values"'), page.indexOf('</td>', page.indexOf('<div class="row-values"')));
    expect(inlinePairs(first)).toEqual([
      ['sex_F', '0'],
      ['sex_I', '0'],
      ['sex_M', '1'],
      ['length', '0.455'],
      ['diameter', '0.365'],
      ['height', '0.095'],
      ['whole_weight', '0.514'],
      ['shucked_weight', '0.2245'],
      ['viscera_weight', '0.101'],
      ['shell_weight', '0.15'],
    ]);
    expect(page).toContain('<td class="num">11.84</td>');
  });

  it('keeps a check of a 200-column dataset readable: ten named values, the rest one click away', () => {
    const r = regressionReport();
    r.schema = wideSchema(200);
    const names = encodedFeatureNames(r.schema);
    const values = names.map((_, i) => (i % 9 === 0 ? '1' : (i / 8).toFixed(3)));
    r.endpoint!.checks = [{ features: values.join(','), actual: '3.5', predicted: '3.1' }];
    const page = section(renderReportHtml(r), 'endpoint');
    expect(tags(page, 'div', 'row-values')[0]!.attrs).toMatchObject({ 'data-values': '237', 'data-shown': '10' });
    expect(inlinePairs(page)).toEqual(names.slice(0, 10).map((n, i) => [n, values[i]]));
    expect(page).toContain('… 227 more');
    expect(fullTable(page)).toEqual({ names, values });
    expect(page).toContain('<td class="num">3.5</td><td class="num">3.1</td>');
  });

  it('falls back to positions when the report has no schema', () => {
    const r = classificationReport();
    delete r.schema;
    const page = section(renderReportHtml(r), 'endpoint');
    expect(inlinePairs(page.slice(0, page.indexOf('</td>', page.indexOf('row-values'))))).toEqual([
      ['#1', '5.1'],
      ['#2', '3.5'],
      ['#3', '1.4'],
      ['#4', '0.2'],
    ]);
  });
});
