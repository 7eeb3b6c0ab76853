import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * One "image": the local programs that stand in for a container's `train` and `serve` commands and
 * for its entrypoint (`process`: what `docker run <image>` runs, as a processing job does).
 * argv items may use `${node}` (the running Node binary) and `${dir}` (the registry file's folder);
 * items that name an existing file or folder relative to that folder are made absolute.
 */
export interface ImageEntry {
  train?: string[];
  serve?: string[];
  /** The image's ENTRYPOINT, run by processing jobs (AppSpecification.ContainerEntrypoint replaces it). */
  process?: string[];
  /** Extra environment of every process started from this image (like the image's ENV lines). */
  env?: Record<string, string>;
  /** Working directory of the processes (like WORKDIR); default: the registry file's folder. */
  cwd?: string;
  /**
   * The algorithm's own metric definitions, as SageMaker applies them to a built-in algorithm's
   * training log (a training job of such an image sends none of its own).
   */
  metricDefinitions?: { Name: string; Regex: string }[];
}

export interface ImageRegistry {
  /**
   * Keys: a full image URI (`<registry>/<repo>:<tag>` or `@sha256:...`), a URI without tag/digest, a
   * repository with its tag in any registry (`sagemaker-xgboost:1.7-1`: AWS publishes the built-in
   * algorithms under one repository name in every region's account), or a bare repository name.
   */
  images: Record<string, ImageEntry>;
  /** Folder that relative paths resolve against; default: the registry file's folder, or process.cwd(). */
  baseDir?: string;
}

export type ImageCommand = 'train' | 'serve' | 'process';
const COMMANDS: readonly ImageCommand[] = ['train', 'serve', 'process'];

/** An image as a process starts from it: its ENV, WORKDIR and digest, and its registered commands. */
export interface ResolvedImage {
  env: Record<string, string>;
  cwd: string;
  /** A stable fake digest, standing in for the resolved image digest in DeployedImages. */
  digest: string;
  commands: Partial<Record<ImageCommand, [string, ...string[]]>>;
}

export interface ResolvedCommand {
  argv: [string, ...string[]];
  env: Record<string, string>;
  cwd: string;
  digest: string;
}

/** `acct.dkr.ecr.region.amazonaws.com/repo/name:tag` → `acct.dkr.ecr.region.amazonaws.com/repo/name`. */
export function stripTagOrDigest(uri: string): string {
  const at = uri.indexOf('@');
  if (at >= 0) return uri.slice(0, at);
  const slash = uri.lastIndexOf('/');
  const colon = uri.lastIndexOf(':');
  return colon > slash ? uri.slice(0, colon) : uri;
}

/** The repository path without the registry host: `acct.dkr.ecr.../team/model:1` → `team/model`. */
export function repositoryName(uri: string): string {
  const bare = stripTagOrDigest(uri);
  const first = bare.indexOf('/');
  if (first < 0) return bare;
  const host = bare.slice(0, first);
  // A registry host has a dot or a port, or is localhost (Docker's own rule).
  return host.includes('.') || host.includes(':') || host === 'localhost' ? bare.slice(first + 1) : bare;
}

function validateRegistry(value: unknown, source: string): ImageRegistry {
  const reg = value as ImageRegistry;
  if (!reg || typeof reg !== 'object' || !reg.images || typeof reg.images !== 'object') {
    throw new Error(`image registry ${source}: expected {"images": {"<image uri>": {"train": [...], "serve": [...]}}}`);
  }
  for (const [key, entry] of Object.entries(reg.images)) {
    for (const mode of COMMANDS) {
      const argv = entry[mode];
      if (argv !== undefined && (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string'))) {
        throw new Error(`image registry ${source}: images["${key}"].${mode} must be a non-empty array of strings`);
      }
    }
  }
  return reg;
}

function entryOf(registry: ImageRegistry, imageUri: string): ImageEntry | undefined {
  const images = registry.images;
  const bare = stripTagOrDigest(imageUri);
  const tag = imageUri.length > bare.length && imageUri[bare.length] === ':' ? imageUri.slice(bare.length) : '';
  return images[imageUri] ?? images[bare] ?? (tag ? images[repositoryName(imageUri) + tag] : undefined) ?? images[repositoryName(imageUri)];
}

/**
 * Resolves `ImageUri` → local command. A registry given as a file path is re-read when the file
 * changes, so images can be registered while the server runs.
 */
export class ImageResolver {
  private cached?: { mtimeMs: number; registry: ImageRegistry };

  constructor(private readonly source: ImageRegistry | string) {
    this.load(); // fail fast on a malformed registry
  }

  private load(): { registry: ImageRegistry; baseDir: string } {
    if (typeof this.source !== 'string') {
      return { registry: validateRegistry(this.source, '(object)'), baseDir: path.resolve(this.source.baseDir ?? process.cwd()) };
    }
    const file = path.resolve(this.source);
    const mtimeMs = fs.statSync(file).mtimeMs;
    if (!this.cached || this.cached.mtimeMs !== mtimeMs) {
      const registry = validateRegistry(JSON.parse(fs.readFileSync(file, 'utf8')), file);
      this.cached = { mtimeMs, registry };
    }
    const reg = this.cached.registry;
    return { registry: reg, baseDir: path.resolve(path.dirname(file), reg.baseDir ?? '.') };
  }

  /** The registry entry of an image URI: exact match, then without tag/digest, then repository:tag, then the bare repository name. */
  lookup(imageUri: string): ImageEntry | undefined {
    return entryOf(this.load().registry, imageUri);
  }

  resolve(imageUri: string, mode: ImageCommand): ResolvedCommand | undefined {
    const image = this.image(imageUri);
    const argv = image?.commands[mode];
    if (!image || !argv) return undefined;
    return { argv, env: image.env, cwd: image.cwd, digest: image.digest };
  }

  /** The image of a URI, whichever commands it registers (undefined when it is not in the registry: ECR would not find it). */
  image(imageUri: string): ResolvedImage | undefined {
    const { registry, baseDir } = this.load();
    const entry = entryOf(registry, imageUri);
    if (!entry) return undefined;
    const expand = (s: string) => s.replaceAll('${node}', process.execPath).replaceAll('${dir}', baseDir);
    const cwd = entry.cwd ? path.resolve(baseDir, expand(entry.cwd)) : baseDir;
    const commands: ResolvedImage['commands'] = {};
    for (const mode of COMMANDS) {
      const argv = entry[mode];
      if (!argv) continue;
      commands[mode] = argv.map((raw, i) => {
        const arg = expand(raw);
        if (i > 0 && arg.startsWith('-')) return arg;
        if (path.isAbsolute(arg)) return arg;
        const candidate = path.resolve(baseDir, arg);
        return fs.existsSync(candidate) ? candidate : arg;
      }) as [string, ...string[]];
    }
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(entry.env ?? {})) env[k] = expand(String(v));
    const digest = 'sha256:' + createHash('sha256').update(imageUri).update(JSON.stringify(entry)).digest('hex');
    return { env, cwd, digest, commands };
  }
}
