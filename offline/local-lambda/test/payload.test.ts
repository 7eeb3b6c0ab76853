import { LambdaServiceError } from '../src/errors';
import { MAX_REQUEST_PAYLOAD_BYTES, MAX_RESPONSE_PAYLOAD_BYTES } from '../src/limits';
import { oversizedResponse, serializeEvent } from '../src/payload';

describe('serializeEvent', () => {
  it('sends JSON text, undefined as null', () => {
    expect(serializeEvent({ a: [1, 'b'] })).toBe('{"a":[1,"b"]}');
    expect(serializeEvent(undefined)).toBe('null');
    expect(serializeEvent(() => 1)).toBe('null');
  });

  it('refuses what cannot be JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => serializeEvent(cyclic)).toThrow(LambdaServiceError);
    expect(() => serializeEvent({ n: 1n })).toThrow(expect.objectContaining({ name: 'Lambda.InvalidRequestContentException' }));
  });

  it('enforces the 6 MB synchronous request limit to the byte', () => {
    const overhead = 2; // the quotes of a JSON string
    expect(() => serializeEvent('x'.repeat(MAX_REQUEST_PAYLOAD_BYTES - overhead))).not.toThrow();
    expect(() => serializeEvent('x'.repeat(MAX_REQUEST_PAYLOAD_BYTES - overhead + 1))).toThrow(
      expect.objectContaining({ name: 'Lambda.RequestEntityTooLargeException' }),
    );
  });

  it('counts bytes, not characters', () => {
    const euro = '\u20ac'; // 3 bytes in UTF-8
    expect(() => serializeEvent(euro.repeat(Math.ceil(MAX_REQUEST_PAYLOAD_BYTES / 3)))).toThrow(/byte payload is too large/);
  });
});

describe('oversizedResponse', () => {
  it('accepts up to 6291556 bytes', () => {
    expect(oversizedResponse('x'.repeat(MAX_RESPONSE_PAYLOAD_BYTES))).toBeUndefined();
    expect(oversizedResponse('x'.repeat(MAX_RESPONSE_PAYLOAD_BYTES + 1))?.errorType).toBe('Function.ResponseSizeTooLarge');
  });
});
