/**
 * 32-bit FNV-1a over a string's UTF-16 code units, seeded. Hand-written because the split
 * needs a tiny, fast, dependency-free and stable hash per row (crypto digests cost ~10x more
 * per short row, and the result must never change between releases or the split would).
 */
export function fnv1a32(text: string, seed = 0): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * fnv1a32(String(n), seed) for a non-negative safe integer n, without building the string: the
 * evaluation hashes every row's index to pick its plot sample (millions of rows).
 */
export function fnv1a32OfIndex(n: number, seed = 0): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  let scale = 1;
  while (scale * 10 <= n) scale *= 10;
  for (; scale >= 1; scale /= 10) {
    const digit = Math.floor(n / scale) % 10;
    hash ^= 48 + digit;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Short hex digest for names (not security relevant). */
export function shortHash(text: string, length = 8): string {
  let out = '';
  for (let seed = 0; out.length < length; seed++) out += fnv1a32(text, seed).toString(16).padStart(8, '0');
  return out.slice(0, length);
}
