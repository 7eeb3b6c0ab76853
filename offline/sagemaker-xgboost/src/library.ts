import fs from 'node:fs';
import path from 'node:path';

import koffi, { type LibraryHandle } from 'koffi';

import { PlatformError } from './errors';

// The real XGBoost, loaded through its C API (xgboost/c_api.h). The image
// emulated is SageMaker's XGBoost 1.7-1, whose Python package is XGBoost
// 1.7.x; 1.7.4 is what Debian bookworm ships, so only that version is accepted:
// the same library gives byte-identical models.

export const REQUIRED_VERSION = '1.7.4';
export const LIBRARY_ENV = 'MLOPS_XGBOOST_LIBRARY';

const INSTALL_HINT =
  `install XGBoost ${REQUIRED_VERSION}: on Debian bookworm or Ubuntu with it, 'apt-get install -y libxgboost0'; ` +
  `on macOS 'brew install xgboost' brings a newer XGBoost, so build v${REQUIRED_VERSION} from source ` +
  `(or 'pip install xgboost==${REQUIRED_VERSION}' and use its lib/libxgboost.dylib); ` +
  `then set ${LIBRARY_ENV} to the library file if it is not in a standard place`;

/** Koffi's named types live as long as the native module, which jest's module reset does not reload. */
function namedPointer(name: string): void {
  try {
    koffi.type(name);
  } catch {
    koffi.pointer(name, koffi.opaque());
  }
}
namedPointer('BoosterHandle');
namedPointer('DMatrixHandle');

/** Opaque handles owned by the library; free them with the matching call. */
export type BoosterHandle = { readonly __booster: unique symbol };
export type DMatrixHandle = { readonly __dmatrix: unique symbol };

/** The C functions used, with XGBoost's own names; each returns 0 or -1 (then see lastError). */
export interface XGBoostApi {
  readonly path: string;
  readonly version: string;
  lastError(): string;
  XGDMatrixCreateFromFile(uri: string, silent: number, out: [DMatrixHandle | null]): number;
  XGDMatrixCreateFromMat(data: Float32Array, rows: number, cols: number, missing: number, out: [DMatrixHandle | null]): number;
  XGDMatrixNumRow(handle: DMatrixHandle, out: [number | bigint]): number;
  XGDMatrixNumCol(handle: DMatrixHandle, out: [number | bigint]): number;
  XGDMatrixGetFloatInfo(handle: DMatrixHandle, field: string, outLen: [number | bigint], out: [unknown]): number;
  XGDMatrixFree(handle: DMatrixHandle): number;
  XGBoosterCreate(cache: DMatrixHandle[], length: number, out: [BoosterHandle | null]): number;
  XGBoosterSetParam(handle: BoosterHandle, name: string, value: string): number;
  XGBoosterUpdateOneIter(handle: BoosterHandle, iteration: number, train: DMatrixHandle): number;
  XGBoosterEvalOneIter(
    handle: BoosterHandle,
    iteration: number,
    dmats: DMatrixHandle[],
    names: string[],
    length: number,
    out: [string | null],
  ): number;
  XGBoosterPredict(
    handle: BoosterHandle,
    dmat: DMatrixHandle,
    optionMask: number,
    ntreeLimit: number,
    training: number,
    outLen: [number | bigint],
    out: [unknown],
  ): number;
  XGBoosterBoostedRounds(handle: BoosterHandle, out: [number]): number;
  XGBoosterSetAttr(handle: BoosterHandle, key: string, value: string): number;
  XGBoosterSaveModel(handle: BoosterHandle, file: string): number;
  XGBoosterSaveModelToBuffer(handle: BoosterHandle, config: string, outLen: [number | bigint], out: [unknown]): number;
  XGBoosterLoadModelFromBuffer(handle: BoosterHandle, buffer: Uint8Array, length: number): number;
  XGBoosterSerializeToBuffer(handle: BoosterHandle, outLen: [number | bigint], out: [unknown]): number;
  XGBoosterUnserializeFromBuffer(handle: BoosterHandle, buffer: Uint8Array, length: number): number;
  XGBoosterSaveJsonConfig(handle: BoosterHandle, outLen: [number | bigint], out: [string | null]): number;
  XGBoosterFree(handle: BoosterHandle): number;
}

export type Env = Record<string, string | undefined>;

/** Where to look, in order: the override alone if set, else the platform's standard names and folders. */
export function candidatePaths(env: Env, platform: NodeJS.Platform = process.platform, arch: string = process.arch): string[] {
  const override = env[LIBRARY_ENV];
  if (override) return [override];
  if (platform === 'darwin') {
    const name = 'libxgboost.dylib';
    return [name, `/opt/homebrew/opt/xgboost/lib/${name}`, `/opt/homebrew/lib/${name}`, `/usr/local/opt/xgboost/lib/${name}`, `/usr/local/lib/${name}`];
  }
  const triplet = arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  // The bare names go through the dynamic loader's own search (LD_LIBRARY_PATH, ld.so.cache).
  return ['libxgboost.so.0', 'libxgboost.so', ...['libxgboost.so.0', 'libxgboost.so'].flatMap((name) => [`/usr/lib/${triplet}/${name}`, `/usr/local/lib/${name}`])];
}

/** Opens the first candidate that loads; tells what to install when none does. */
function open(env: Env): { lib: LibraryHandle; path: string } {
  const tried: string[] = [];
  for (const candidate of candidatePaths(env)) {
    // A missing absolute path needs no dlopen to know it fails.
    if (path.isAbsolute(candidate) && !fs.existsSync(candidate)) {
      tried.push(candidate);
      continue;
    }
    try {
      return { lib: koffi.load(candidate), path: candidate };
    } catch {
      tried.push(candidate);
    }
  }
  throw new PlatformError(`the XGBoost ${REQUIRED_VERSION} library was not found (tried ${tried.join(', ')}); ${INSTALL_HINT}`);
}

function bind(lib: LibraryHandle, file: string): XGBoostApi {
  const f = (signature: string) => lib.func(signature);
  const versionOf = f('void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)');
  const parts: [number[], number[], number[]] = [[0], [0], [0]];
  versionOf(...parts);
  const version = parts.map((p) => p[0]).join('.');
  if (version !== REQUIRED_VERSION) {
    throw new PlatformError(`${file} is XGBoost ${version}, but the SageMaker XGBoost 1.7-1 emulation needs exactly ${REQUIRED_VERSION}; ${INSTALL_HINT}`);
  }
  const api = {
    path: file,
    version,
    lastError: f('const char *XGBGetLastError()') as () => string,
    XGDMatrixCreateFromFile: f('int XGDMatrixCreateFromFile(const char *fname, int silent, _Out_ DMatrixHandle *out)'),
    XGDMatrixCreateFromMat: f('int XGDMatrixCreateFromMat(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ DMatrixHandle *out)'),
    XGDMatrixNumRow: f('int XGDMatrixNumRow(DMatrixHandle handle, _Out_ uint64_t *out)'),
    XGDMatrixNumCol: f('int XGDMatrixNumCol(DMatrixHandle handle, _Out_ uint64_t *out)'),
    XGDMatrixGetFloatInfo: f('int XGDMatrixGetFloatInfo(DMatrixHandle handle, const char *field, _Out_ uint64_t *out_len, _Out_ void **out_dptr)'),
    XGDMatrixFree: f('int XGDMatrixFree(DMatrixHandle handle)'),
    XGBoosterCreate: f('int XGBoosterCreate(DMatrixHandle *dmats, uint64_t len, _Out_ BoosterHandle *out)'),
    XGBoosterSetParam: f('int XGBoosterSetParam(BoosterHandle handle, const char *name, const char *value)'),
    XGBoosterUpdateOneIter: f('int XGBoosterUpdateOneIter(BoosterHandle handle, int iter, DMatrixHandle dtrain)'),
    XGBoosterEvalOneIter: f(
      'int XGBoosterEvalOneIter(BoosterHandle handle, int iter, DMatrixHandle *dmats, const char **evnames, uint64_t len, _Out_ const char **out_result)',
    ),
    XGBoosterPredict: f(
      'int XGBoosterPredict(BoosterHandle handle, DMatrixHandle dmat, int option_mask, unsigned int ntree_limit, int training, _Out_ uint64_t *out_len, _Out_ void **out_result)',
    ),
    XGBoosterBoostedRounds: f('int XGBoosterBoostedRounds(BoosterHandle handle, _Out_ int *out)'),
    XGBoosterSetAttr: f('int XGBoosterSetAttr(BoosterHandle handle, const char *key, const char *value)'),
    XGBoosterSaveModel: f('int XGBoosterSaveModel(BoosterHandle handle, const char *fname)'),
    XGBoosterSaveModelToBuffer: f('int XGBoosterSaveModelToBuffer(BoosterHandle handle, const char *json_config, _Out_ uint64_t *out_len, _Out_ void **out_dptr)'),
    XGBoosterLoadModelFromBuffer: f('int XGBoosterLoadModelFromBuffer(BoosterHandle handle, const void *buf, uint64_t len)'),
    XGBoosterSerializeToBuffer: f('int XGBoosterSerializeToBuffer(BoosterHandle handle, _Out_ uint64_t *out_len, _Out_ void **out_dptr)'),
    XGBoosterUnserializeFromBuffer: f('int XGBoosterUnserializeFromBuffer(BoosterHandle handle, const void *buf, uint64_t len)'),
    XGBoosterSaveJsonConfig: f('int XGBoosterSaveJsonConfig(BoosterHandle handle, _Out_ uint64_t *out_len, _Out_ const char **out_str)'),
    XGBoosterFree: f('int XGBoosterFree(BoosterHandle handle)'),
  };
  return api as unknown as XGBoostApi;
}

const loaded = new Map<string, XGBoostApi>();

/**
 * Loads libxgboost (once per path) and checks its version. Throws a
 * PlatformError that says what to install when it is missing or another version.
 */
export function loadXGBoost(env: Env = process.env): XGBoostApi {
  const key = env[LIBRARY_ENV] ?? '';
  const cached = loaded.get(key);
  if (cached) return cached;
  const { lib, path: file } = open(env);
  const api = bind(lib, file);
  loaded.set(key, api);
  return api;
}

/** The library's version, or the PlatformError's message: for a quick check. */
export function checkXGBoost(env: Env = process.env): { ok: true; version: string; path: string } | { ok: false; reason: string } {
  try {
    const api = loadXGBoost(env);
    return { ok: true, version: api.version, path: api.path };
  } catch (error) {
    if (error instanceof PlatformError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** Throws the library's last error when a call returned non-zero. */
export function check(api: XGBoostApi, code: number, call: string): void {
  if (code !== 0) throw new XGBoostError(`${call}: ${api.lastError()}`);
}

/** An error raised inside libxgboost (XGBoost's own message). */
export class XGBoostError extends Error {
  override name = 'XGBoostError';
}

/** Copies `length` items of XGBoost-owned memory (valid only until the next call). */
export function copyFloats(pointer: unknown, length: number): Float32Array {
  return length === 0 ? new Float32Array(0) : new Float32Array(koffi.view(pointer, length * 4).slice(0));
}

export function copyBytes(pointer: unknown, length: number): Buffer {
  return length === 0 ? Buffer.alloc(0) : Buffer.from(koffi.view(pointer, length).slice(0));
}
