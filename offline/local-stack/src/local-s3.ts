/**
 * The offline stack's S3: s3rver keeping its objects in the safe store (s3-store.ts), behind a
 * small HTTP front (the fault proxy's forwarding, fault-proxy.ts) that does what s3rver does not:
 *
 * - credentials: any access key works, as in other AWS emulators. s3rver knows one key pair
 *   (S3RVER) and does not verify SigV4 signatures, so the front checks the Authorization header
 *   or the presigned query for shape only and forwards them with s3rver's access key id;
 * - SigV2 is refused as S3 refuses it for buckets made since 2020;
 * - keys: the path's key is decoded once and sent on with every `/` escaped, so s3rver's router
 *   takes any key S3 accepts (`a//b`, `/x`, `a/../b` as literal keys; unescaped, `a//b` found no
 *   route at all);
 * - `x-amz-copy-source` is decoded as S3 decodes it (s3rver's `decodeURI` kept `%2F`);
 * - ListObjectsV2 pages: s3rver seals its continuation tokens with DES, which Node 17+ (OpenSSL 3)
 *   no longer has, so every truncated V2 listing failed with InternalError. The front asks s3rver
 *   for the equivalent V1 listing (marker = the token's key) and answers it in V2's shape;
 * - a failure to reach s3rver answers S3's 500 InternalError;
 * - requests the functions sign on the emulated clock reach s3rver with wall-clock time and are
 *   answered on the emulated clock (signing-clock.ts).
 *
 * Everything else (key length, bucket names, where objects live, listings) is the store's.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { startFaultProxy, type ProxiedRequest, type ProxyDecision, type UpstreamResponse } from './fault-proxy';
import { s3Error } from './s3-faults';
import type { S3EventRecord } from './s3-trigger';
import { useSafeStore } from './s3-store';
import { answerDate, toWallAmzDate, type EmulatedClock } from './signing-clock';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  on(event: 'event', listener: (event: { Records: S3EventRecord[] }) => void): void;
  logger: { silent: boolean };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- s3rver ships no types and no ESM entry
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

/** The only access key id s3rver knows. */
const S3RVER_ACCESS_KEY_ID = 'S3RVER';

export interface LocalS3 {
  /** The front's endpoint, the one every client uses. */
  endpoint: string;
  port: number;
  /** s3rver's S3 event notifications, with literal keys. */
  onEvent(listener: (event: { Records: S3EventRecord[] }) => void): void;
  close(): Promise<void>;
}

const CREDENTIAL = /^[^/\s]+\/\d{8}\/[a-z0-9-]+\/s3\/aws4_request$/;
const SIGNED_HEADERS = /^[a-z0-9-]+(;[a-z0-9-]+)*$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const CREDENTIAL_SHAPE = 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".';

const fail = (response: ReturnType<typeof s3Error>): ProxyDecision => ({ action: 'fail', response });
const headerMalformed = (detail: string) => fail(s3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; ${detail}`));
const signatureMismatch = () =>
  fail(s3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'));
const sigV2 = () => fail(s3Error(400, 'InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.'));

/** The Authorization header's problem as S3 words it, if its shape is wrong. */
function checkAuthorization(authorization: string): ProxyDecision | undefined {
  const space = authorization.indexOf(' ');
  const scheme = space === -1 ? authorization : authorization.slice(0, space);
  if (scheme === 'AWS') return sigV2();
  if (scheme !== 'AWS4-HMAC-SHA256') {
    return fail(s3Error(400, 'InvalidArgument', 'Unsupported Authorization Type', { ArgumentName: 'Authorization', ArgumentValue: authorization }));
  }
  const components = new Map<string, string>();
  for (const component of authorization.slice(space + 1).split(',').map((c) => c.trim())) {
    const at = component.indexOf('=');
    if (at === -1) return headerMalformed(`the authorization component "${component}" is malformed.`);
    components.set(component.slice(0, at), component.slice(at + 1));
  }
  const [credential, signedHeaders, signature] = ['Credential', 'SignedHeaders', 'Signature'].map((name) => components.get(name));
  if (credential === undefined || signedHeaders === undefined || signature === undefined || components.size !== 3) {
    return headerMalformed('the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  }
  if (!CREDENTIAL.test(credential)) return headerMalformed(CREDENTIAL_SHAPE);
  if (!SIGNED_HEADERS.test(signedHeaders)) return headerMalformed(`the authorization component "SignedHeaders=${signedHeaders}" is malformed.`);
  if (!SIGNATURE.test(signature)) return signatureMismatch();
  return undefined;
}

/** What the front does with a request: S3's error answer, or the request to forward to s3rver. */
export function frontDecision({ path, headers }: ProxiedRequest, clock?: EmulatedClock): ProxyDecision {
  const queryAt = path.indexOf('?');
  const resource = queryAt === -1 ? path : path.slice(0, queryAt);
  let query = queryAt === -1 ? '' : path.slice(queryAt);
  const params = new URLSearchParams(query);
  let forwardHeaders = headers;
  if (headers.authorization !== undefined) {
    const problem = checkAuthorization(headers.authorization);
    if (problem) return problem;
    forwardHeaders = { ...headers, authorization: headers.authorization.replace(/Credential=[^/]*/, `Credential=${S3RVER_ACCESS_KEY_ID}`) };
    const amzDate = headers['x-amz-date'];
    if (typeof amzDate === 'string') forwardHeaders['x-amz-date'] = toWallAmzDate(amzDate, clock);
  } else if (params.has('X-Amz-Algorithm')) {
    // A presigned URL; s3rver itself reports missing parameters, a wrong algorithm or expiry.
    const credential = params.get('X-Amz-Credential');
    if (credential !== null && !CREDENTIAL.test(credential)) {
      return fail(s3Error(400, 'AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; ${CREDENTIAL_SHAPE}`));
    }
    const signature = params.get('X-Amz-Signature');
    if (signature !== null && !SIGNATURE.test(signature)) return signatureMismatch();
    query = query
      .replace(/([?&]X-Amz-Credential=)[^&]*?(?=%2F|\/)/i, `$1${S3RVER_ACCESS_KEY_ID}`)
      .replace(/([?&]X-Amz-Date=)([^&]*)/i, (_all, name: string, value: string) => `${name}${toWallAmzDate(decodeURIComponent(value), clock)}`);
  } else if (params.has('Signature') || params.has('AWSAccessKeyId')) {
    return sigV2();
  }

  // `/<bucket>/<key>`: path-style, as the stack's clients use (s3rver runs without virtual hosts).
  const keyAt = resource.indexOf('/', 1);
  if (keyAt === -1 || keyAt === resource.length - 1) {
    if (params.get('list-type') === '2') return listObjectsV2(resource, params, forwardHeaders);
    return { action: 'forward', path: resource + query, headers: forwardHeaders };
  }
  const copySource = forwardHeaders['x-amz-copy-source'];
  if (typeof copySource === 'string') {
    try {
      forwardHeaders = { ...forwardHeaders, 'x-amz-copy-source': encodeURI(decodeURIComponent(copySource)) };
    } catch {
      return fail(s3Error(400, 'InvalidArgument', 'Invalid copy source encoding', { ArgumentName: 'x-amz-copy-source', ArgumentValue: copySource }));
    }
  }
  let key: string;
  try {
    key = decodeURIComponent(resource.slice(keyAt + 1));
  } catch {
    return fail(s3Error(400, 'InvalidURI', "Couldn't parse the specified URI.", { URI: resource }));
  }
  return { action: 'forward', path: `${resource.slice(0, keyAt)}/${encodeURIComponent(key)}${query}`, headers: forwardHeaders };
}

/** Our continuation token: the last key listed (as escaped in s3rver's XML), opaque to clients. */
const toToken = (xmlKey: string) => Buffer.from(xmlKey).toString('base64url');
const XML_ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#x60;': '`' };
const fromToken = (token: string) => Buffer.from(token, 'base64url').toString().replace(/&(amp|lt|gt|quot|#x27|#x60);/g, (entity) => XML_ENTITIES[entity]!);
const element = (name: string, value: string) => `<${name}>${value.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</${name}>`;

/** ListObjectsV2 as a V1 listing from s3rver, answered in V2's shape. */
function listObjectsV2(resource: string, params: URLSearchParams, headers: IncomingHttpHeaders): ProxyDecision {
  const token = params.get('continuation-token');
  const startAfter = params.get('start-after');
  const v1 = new URLSearchParams([...params].filter(([name]) => !['list-type', 'continuation-token', 'start-after', 'fetch-owner'].includes(name)));
  const marker = token !== null ? fromToken(token) : startAfter;
  if (marker) v1.set('marker', marker);
  const response = ({ status, headers: upstreamHeaders, body }: UpstreamResponse) => {
    const xml = body.toString();
    if (status !== 200) return { status, headers: { 'content-type': String(upstreamHeaders['content-type'] ?? 'application/xml') }, body: xml };
    const truncated = xml.includes('<IsTruncated>true</IsTruncated>');
    const lastKey = /<NextMarker>([^<]*)<\/NextMarker>/.exec(xml)?.[1] ?? [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].pop()?.[1];
    const count = (xml.match(/<Contents>/g) ?? []).length + (xml.match(/<CommonPrefixes>/g) ?? []).length;
    const v2 = [
      startAfter !== null && token === null ? element('StartAfter', startAfter) : '',
      token !== null ? element('ContinuationToken', token) : '',
      truncated && lastKey !== undefined ? element('NextContinuationToken', toToken(lastKey)) : '',
      `<KeyCount>${count}</KeyCount>`,
    ].join('');
    return {
      status,
      headers: { 'content-type': 'application/xml' },
      body: xml
        .replace(/<Marker>[^<]*<\/Marker>|<NextMarker>[^<]*<\/NextMarker>/g, '')
        .replace(/(<Owner>(?:(?!<\/Owner>).)*<\/Owner>)/gs, params.get('fetch-owner') === 'true' ? '$1' : '')
        .replace(/(<Prefix>[^<]*<\/Prefix>|<Prefix\/>)/, `$1${v2}`),
    };
  };
  return { action: 'forward', path: `${resource}?${v1}`, headers, response };
}

export async function startLocalS3(options: { directory: string; port?: number; clock?: EmulatedClock }): Promise<LocalS3> {
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: options.directory, vhostBuckets: false });
  // `silent` only mutes s3rver's console transport: when the server closes it detaches that
  // transport, and a request still in flight (a Lambda the stop cut short) then makes winston
  // warn on console.error. Silencing the logger itself drops every line at the source.
  s3rver.logger.silent = true;
  useSafeStore(s3rver, options.directory);
  const { port: s3rverPort } = await s3rver.run();
  const front = await startFaultProxy({
    target: () => `http://127.0.0.1:${s3rverPort}`,
    decide: (request) => frontDecision(request, options.clock),
    answerHeaders: (request) => answerDate(request, options.clock),
    upstreamError: (_error, request) => s3Error(500, 'InternalError', 'We encountered an internal error. Please try again.', { Resource: request.path.split('?')[0]! }),
    port: options.port,
  }).catch(async (error: Error) => {
    await s3rver.close();
    throw error;
  });
  return {
    endpoint: front.endpoint,
    port: front.port,
    onEvent: (listener) => s3rver.on('event', listener),
    close: async () => {
      await front.close();
      await s3rver.close();
    },
  };
}
