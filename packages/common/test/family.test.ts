import { FAMILY_NAME_MAX, FAMILY_NAME_PATTERN, familyOfKey, familyResourceName } from '../src';

describe('familyOfKey', () => {
  it.each([
    ['incoming/abalone.csv', 'abalone'],
    ['incoming/iris/2026-12.csv', 'iris'],
    ['incoming/Wine_Quality/red.csv', 'wine-quality'],
    ['incoming/churn/exports/part-0001.csv', 'churn'],
    ['incoming/my data.v2.csv', 'my-data-v2'],
  ])('%s belongs to family %s', (key, family) => {
    expect(familyOfKey(key, 'incoming/')).toMatchObject({ family });
  });

  it('caps a long family name and keeps it valid', () => {
    const result = familyOfKey(`incoming/${'a-'.repeat(40)}x.csv`, 'incoming/');
    expect('family' in result && result.family.length).toBeLessThanOrEqual(FAMILY_NAME_MAX);
    expect('family' in result && FAMILY_NAME_PATTERN.test(result.family)).toBe(true);
  });

  it('rejects a key whose family has no letter or digit, with the reason', () => {
    expect(familyOfKey('incoming/___/x.csv', 'incoming/')).toEqual({ rejection: expect.stringContaining("the family name '___'") });
    expect(familyOfKey('incoming/.csv', 'incoming/')).toEqual({ rejection: expect.stringContaining('has no letter or digit') });
  });

  it('names the endpoint and registry group <namePrefix>-<family>', () => {
    expect(familyResourceName('mlops-local', 'abalone')).toBe('mlops-local-abalone');
    expect(() => familyResourceName('mlops-local', 'Bad_Name')).toThrow("'Bad_Name' is not a valid family name");
  });
});
