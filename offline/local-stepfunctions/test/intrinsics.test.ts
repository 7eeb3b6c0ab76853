import { evaluateIntrinsic } from '../src/intrinsics';

const input = { a: 'x', n: 3, list: [1, 2, 2, { k: 1 }, { k: 1 }], obj: { b: 1, c: [2] }, 'odd key': 'v', s: 'a,b' };
const evaluate = (expression: string) =>
  evaluateIntrinsic(expression, (path) => {
    // Minimal resolver for the tests: $.key and $['key'].
    const key = /^\$\.(\w+)$/.exec(path)?.[1] ?? /^\$\['(.+)'\]$/.exec(path)?.[1];
    if (key === undefined || !(key in input)) throw new Error(`unresolved ${path}`);
    return input[key as keyof typeof input];
  });

describe('intrinsic function parsing', () => {
  it('reads literals, escapes, paths and nested calls', () => {
    expect(evaluate("States.Array('it\\'s', 'a, b)', 1.5, -2, true, null, $.a, $['odd key'], States.MathAdd($.n, 1))")).toEqual([
      "it's",
      'a, b)',
      1.5,
      -2,
      true,
      null,
      'x',
      'v',
      4,
    ]);
  });

  it('tolerates whitespace and empty argument lists', () => {
    expect(evaluate('  States.Array( $.n ,  2 )  ')).toEqual([3, 2]);
    expect(evaluate('States.Array()')).toEqual([]);
  });

  it.each(["States.Format('x'", 'States.Nope(1)', 'Foo.Bar(1)', "States.Array('open)", 'States.Array(1 2)', 'States.Array(undefined)', `States.Format('say \\"hi\\"')`])(
    'rejects %s with States.Runtime',
    (expression) => {
      expect(() => evaluate(expression)).toThrow(expect.objectContaining({ name: 'States.Runtime' }));
    },
  );
});

describe('intrinsic functions', () => {
  it('States.Format: placeholders, escaped braces, value types, count checks', () => {
    expect(evaluate("States.Format('{} {} {} {} \\{\\}', $.a, $.n, true, null)")).toBe('x 3 true null {}');
    expect(() => evaluate("States.Format('{} {}', $.a)")).toThrow(/more placeholders/);
    expect(() => evaluate("States.Format('{}', $.a, $.n)")).toThrow(/more values/);
    // AWS prints JSON objects and arrays the way Java prints maps and lists.
    expect(evaluate("States.Format('{} {}', $.obj, $.list)")).toBe('{b=1, c=[2]} [1, 2, 2, {k=1}, {k=1}]');
  });

  it('array functions', () => {
    expect(evaluate('States.ArrayPartition($.list, 2)')).toEqual([[1, 2], [2, { k: 1 }], [{ k: 1 }]]);
    expect(evaluate("States.ArrayContains($.list, States.StringToJson('{\"k\":1}'))")).toBe(true);
    expect(evaluate('States.ArrayRange(1, 9, 3)')).toEqual([1, 4, 7]);
    expect(evaluate('States.ArrayRange(5, 1, -2)')).toEqual([5, 3, 1]);
    expect(() => evaluate('States.ArrayRange(1, 5000, 1)')).toThrow(/1000 items/);
    expect(evaluate('States.ArrayGetItem($.list, 1)')).toBe(2);
    expect(evaluate('States.ArrayLength($.list)')).toBe(5);
    expect(evaluate('States.ArrayUnique($.list)')).toEqual([1, 2, { k: 1 }]);
  });

  it('encoding, hashing and JSON functions', () => {
    expect(evaluate("States.Base64Encode('héllo')")).toBe(Buffer.from('héllo').toString('base64'));
    expect(evaluate("States.Base64Decode(States.Base64Encode('héllo'))")).toBe('héllo');
    expect(evaluate("States.Hash('abc', 'SHA-256')")).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(evaluate("States.Hash('abc', 'MD5')")).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(() => evaluate("States.Hash('abc', 'SHA-3')")).toThrow(/unsupported algorithm/);
    expect(evaluate('States.JsonMerge($.obj, States.StringToJson(\'{"c":3,"d":4}\'), false)')).toEqual({ b: 1, c: 3, d: 4 });
    expect(() => evaluate('States.JsonMerge($.obj, $.obj, true)')).toThrow(/shallow/);
    expect(evaluate('States.JsonToString($.obj)')).toBe('{"b":1,"c":[2]}');
  });

  it('math, string and UUID functions', () => {
    // AWS rounds non-integer arguments to the nearest integer, halves up.
    expect(evaluate('States.MathAdd(1.5, $.n)')).toBe(5);
    expect(evaluate('States.MathAdd(-1.5, -1.51)')).toBe(-3);
    const seeded = evaluate('States.MathRandom(1, 10, 42)');
    expect(seeded).toBe(evaluate('States.MathRandom(1, 10, 42)'));
    for (let i = 0; i < 50; i++) {
      const r = evaluate('States.MathRandom(1, 3)') as number;
      expect([1, 2, 3]).toContain(r);
    }
    // AWS splits on every character of the delimiter string.
    expect(evaluate("States.StringSplit('This.is+a,test=string', '.+,=')")).toEqual(['This', 'is', 'a', 'test', 'string']);
    expect(evaluate("States.StringSplit($.s, ',')")).toEqual(['a', 'b']);
    expect(evaluate('States.UUID()')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
