import { assertRuntimeNode } from '../src/runtime-node';

describe('assertRuntimeNode', () => {
  it('accepts Node 22.6 and later', () => {
    expect(() => assertRuntimeNode('22.23.3')).not.toThrow();
    expect(() => assertRuntimeNode('22.6.0')).not.toThrow();
    expect(() => assertRuntimeNode('24.1.0')).not.toThrow();
  });

  it('refuses older Node, naming the version found', () => {
    expect(() => assertRuntimeNode('22.5.1')).toThrow(/Node 22/);
    expect(() => assertRuntimeNode('20.20.2')).toThrow(/this is Node 20\.20\.2/);
  });
});
