import { fit, invoke, loadModel, negotiate, parseHyperparameters, type InvocationRequest } from '../src';

// y = 1 + x1 + 2 * x2, fitted exactly.
const features = [
  [0, 0],
  [1, 0],
  [0, 1],
  [2, 3],
];
const model = loadModel(
  JSON.parse(
    JSON.stringify(
      fit({ features, labels: features.map(([a, b]) => 1 + a! + 2 * b!) }, parseHyperparameters({ lambda: '0' }).hyperparameters),
    ),
  ),
);

const request = (overrides: Partial<InvocationRequest>): InvocationRequest => ({
  contentType: 'text/csv',
  accept: undefined,
  body: '1,1\n3,0\n',
  ...overrides,
});

const rounded = (body: string) => body.split('\n').map((v) => Math.round(Number(v) * 1e6) / 1e6);

describe('invoke', () => {
  it('answers one CSV line per record, in order', () => {
    const response = invoke(model, request({}));
    expect(response).toMatchObject({ status: 200, contentType: 'text/csv' });
    expect(rounded(response.body)).toEqual([4, 4]);
  });

  it('accepts a charset parameter and answers JSON when asked', () => {
    const response = invoke(model, request({ contentType: 'text/csv; charset=utf-8', accept: 'application/json' }));
    expect(response.contentType).toBe('application/json');
    const { predictions } = JSON.parse(response.body) as { predictions: number[] };
    expect(predictions.map(Math.round)).toEqual([4, 4]);
  });

  it.each([
    [{ contentType: 'application/json' }, 415, "unsupported Content-Type 'application/json': send text/csv"],
    [{ contentType: undefined }, 415, "unsupported Content-Type '': send text/csv"],
    [{ accept: 'text/html' }, 406, "cannot answer in 'text/html': accept text/csv or application/json"],
    [{ body: '1,1\n1,a' }, 400, "line 2, column 2: value is not a number (got 'a')"],
    [{ body: '1,1,1' }, 400, 'line 1: expected 2 features, got 3 (send features only, no label)'],
  ])('refuses %j with %i', (overrides, status, message) => {
    expect(invoke(model, request(overrides))).toEqual({
      status,
      contentType: 'text/plain; charset=utf-8',
      body: `${message}\n`,
    });
  });
});

describe('negotiate', () => {
  it.each([
    [undefined, 'text/csv'],
    ['', 'text/csv'],
    ['*/*', 'text/csv'],
    ['text/csv; charset=utf-8', 'text/csv'],
    ['application/json', 'application/json'],
    ['text/html, application/json;q=0.9', 'application/json'],
    ['application/x-recordio-protobuf', undefined],
  ])('%j -> %j', (accept, expected) => {
    expect(negotiate(accept)).toBe(expected);
  });
});
