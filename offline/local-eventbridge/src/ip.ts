// IP addresses and CIDR blocks for the `cidr` operator (and for exact string values that are IP
// addresses, which EventBridge compares as addresses: "10.0.0.1" in a pattern is a one-address range).
//
// What counts as an address follows the engine EventBridge uses (aws/event-ruler, CIDR.java): dotted
// decimal IPv4 with four parts, or IPv6 in hex-and-colon form (with `::` compression, without an
// embedded dotted IPv4 tail). The error texts are the ones EventBridge returns for bad `cidr` values
// (recorded against AWS: "Malformed CIDR, one '/' required", "Malformed CIDR, mask bits must be an
// integer", "Nonstandard IP address: xx.11.xx").

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** The address as 4 (IPv4) or 16 (IPv6) bytes; undefined when `text` is not an address. */
export function parseIp(text: string): Uint8Array | undefined {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.').map((p) => Number.parseInt(p, 10));
  if (parts.some((p) => !(p >= 0 && p <= 255))) return undefined;
  return Uint8Array.from(parts);
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = all[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const v = Number.parseInt(g, 16);
    bytes[2 * i] = v >> 8;
    bytes[2 * i + 1] = v & 0xff;
  }
  return bytes;
}

export interface CidrRange {
  readonly min: Uint8Array;
  readonly max: Uint8Array;
}

/** Parses `a.b.c.d/n` or `v6::/n`; throws an Error with EventBridge's reason text when malformed. */
export function parseCidr(text: string): CidrRange {
  const slashed = text.split('/');
  while (slashed.length > 0 && slashed[slashed.length - 1] === '') slashed.pop(); // as Java's String.split does
  if (slashed.length !== 2) throw new Error("Malformed CIDR, one '/' required");
  if (!/^[+-]?[0-9]+$/.test(slashed[1]!)) throw new Error('Malformed CIDR, mask bits must be an integer');
  const maskBits = Number.parseInt(slashed[1]!, 10);
  if (maskBits < 0) throw new Error('Malformed CIDR, mask bits must not be negative');
  const ip = slashed[0]!;
  const shaped = IPV4_SHAPE.test(ip) || IPV6_SHAPE.test(ip);
  const bytes = shaped ? parseIp(ip) : undefined;
  if (shaped && !bytes) throw new Error(`Invalid IP address: ${ip}`);
  if (!bytes) throw new Error(`Nonstandard IP address: ${ip}`);
  if (bytes.length === 4 && maskBits > 31) throw new Error('IPv4 mask bits must be < 32');
  if (bytes.length === 16 && maskBits > 127) throw new Error('IPv6 mask bits must be < 128');
  const min = new Uint8Array(bytes.length);
  const max = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const fixed = Math.max(0, Math.min(8, maskBits - 8 * i)); // leading bits of this byte that are fixed
    const mask = (0xff << (8 - fixed)) & 0xff;
    min[i] = bytes[i]! & mask;
    max[i] = bytes[i]! | (~mask & 0xff);
  }
  return { min, max };
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

export function inRange(address: Uint8Array, range: CidrRange): boolean {
  return address.length === range.min.length && compareBytes(address, range.min) >= 0 && compareBytes(address, range.max) <= 0;
}
