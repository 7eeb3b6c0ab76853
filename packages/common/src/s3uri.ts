export interface S3Location {
  bucket: string;
  key: string;
}

const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/;

export function parseS3Uri(uri: string): S3Location {
  const match = S3_URI.exec(uri);
  if (!match) throw new Error(`not an S3 URI: '${uri}' (expected s3://bucket/key)`);
  return { bucket: match[1]!, key: match[2]! };
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** Joins key segments with single slashes; a trailing slash on the last segment is kept (prefixes). */
export function joinKey(...parts: string[]): string {
  const last = parts[parts.length - 1] ?? '';
  const joined = parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p.length > 0)
    .join('/');
  return last.endsWith('/') ? `${joined}/` : joined;
}

/**
 * S3 event notifications URL-encode object keys with `+` for spaces
 * (application/x-www-form-urlencoded), so decode `+` before percent-escapes.
 */
export function decodeS3EventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}
