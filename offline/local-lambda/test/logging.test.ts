import { LineSplitter } from '../src/line-splitter';
import { LogStore, prefixedLogSink } from '../src/log-store';
import { logStreamName, parseFunctionIdentifier, traceHeader } from '../src/naming';
import { billedDurationMs, endLine, reportLine, startLine, timeoutLine } from '../src/platform-log';
import type { LogEvent } from '../src/types';

describe('LineSplitter', () => {
  it('splits on \\n only, keeping \\r inside a message, across chunk boundaries', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('one\rstill one\ntw'))).toEqual(['one\rstill one']);
    expect(s.push(Buffer.from('o\nthree'))).toEqual(['two']);
    expect(s.end()).toEqual(['three']);
    expect(s.end()).toEqual([]);
  });

  it('does not break a multi-byte character split between chunks', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('\u20ac\n');
    expect(s.push(bytes.subarray(0, 1))).toEqual([]);
    expect(s.push(bytes.subarray(1))).toEqual(['\u20ac']);
  });
});

describe('LogStore', () => {
  const event = (n: number): LogEvent => ({ timestamp: n, functionName: 'f', logStreamName: 's', source: 'stdout', message: String(n) });

  it('keeps the newest events up to its capacity', () => {
    const store = new LogStore(10);
    for (let i = 0; i < 25; i++) store.add(event(i));
    expect(store.all().map((e) => e.message)).toEqual(['15', '16', '17', '18', '19', '20', '21', '22', '23', '24']);
  });
});

describe('prefixedLogSink', () => {
  it('prefixes each line with the function name', () => {
    const out: string[] = [];
    prefixedLogSink((t) => out.push(t))('mlops_train', 'hello');
    expect(out).toEqual(['[mlops_train] hello\n']);
  });
});

describe('platform log lines', () => {
  const id = '6bc28136-f2b5-4f39-9d4c-1a2b3c4d5e6f';

  it('match the Lambda formats', () => {
    expect(startLine(id)).toBe(`START RequestId: ${id} Version: $LATEST`);
    expect(endLine(id)).toBe(`END RequestId: ${id}`);
    expect(reportLine({ requestId: id, durationMs: 12.345, memorySizeMB: 256, maxMemoryUsedMB: 70, initDurationMs: 180.5 })).toBe(
      `REPORT RequestId: ${id}\tDuration: 12.35 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 70 MB\tInit Duration: 180.50 ms`,
    );
    expect(reportLine({ requestId: id, durationMs: 1000.2, memorySizeMB: 128, status: 'timeout' })).toMatch(/\tStatus: timeout$/);
    expect(timeoutLine(new Date('2024-01-31T10:00:00.000Z'), id, 3)).toBe(`2024-01-31T10:00:00.000Z ${id} Task timed out after 3.00 seconds`);
    expect(billedDurationMs(0.2)).toBe(1);
  });

  it('names log streams and trace headers as Lambda does', () => {
    expect(logStreamName(new Date('2024-01-31T23:59:59Z'), Buffer.alloc(16, 0xab))).toBe(`2024/01/31/[$LATEST]${'ab'.repeat(16)}`);
    expect(traceHeader(new Date(0x65ba1234 * 1000), Buffer.alloc(20, 0x01))).toBe(
      `Root=1-65ba1234-${'01'.repeat(12)};Parent=${'01'.repeat(8)};Sampled=0`,
    );
  });
});

describe('parseFunctionIdentifier', () => {
  it.each([
    ['mlops_train', { name: 'mlops_train' }],
    ['mlops_train:$LATEST', { name: 'mlops_train', qualifier: '$LATEST' }],
    ['123456789012:function:mlops_train', { name: 'mlops_train', accountId: '123456789012' }],
    [
      'arn:aws:lambda:eu-west-1:123456789012:function:mlops_train:prod',
      { name: 'mlops_train', region: 'eu-west-1', accountId: '123456789012', qualifier: 'prod' },
    ],
  ])('reads %s', (identifier, expected) => {
    expect(parseFunctionIdentifier(identifier)).toEqual(expected);
  });

  it('rejects what is not a function identifier', () => {
    expect(parseFunctionIdentifier('arn:aws:s3:::bucket')).toBeUndefined();
    expect(parseFunctionIdentifier('has space')).toBeUndefined();
  });
});
