import { createHash } from 'node:crypto';

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  /** Base64 (JSON protocol) or raw bytes. */
  BinaryValue?: string | Uint8Array;
  StringListValues?: string[];
  BinaryListValues?: (string | Uint8Array)[];
}

export const md5Hex = (data: string | Uint8Array) => createHash('md5').update(data).digest('hex');

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

const binary = (value: string | Uint8Array) => (typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(value));

/**
 * MD5OfMessageAttributes as SQS computes it (and the SDKs and the CLI check it): the attributes sorted
 * by name; for each, the length-prefixed UTF-8 name and data type, a transport byte (1 string, 2
 * binary) and the length-prefixed value.
 */
export function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const value = attributes![name]!;
    parts.push(lengthPrefixed(Buffer.from(name, 'utf8')), lengthPrefixed(Buffer.from(value.DataType, 'utf8')));
    if (value.StringValue !== undefined) parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(value.StringValue, 'utf8')));
    else if (value.BinaryValue !== undefined) parts.push(Buffer.from([2]), lengthPrefixed(binary(value.BinaryValue)));
  }
  return md5Hex(Buffer.concat(parts));
}
