import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { servingEnvironment } from './contract';
import { type Context, errorMessage, sleep } from './context';
import { containerEnvironment } from './environment';
import { httpRequest } from './http-client';
import type { ModelRecord } from './models';
import { type ManagedProcess, type ProcessKind } from './processes';
import { parseS3Uri, resolveInside, unpackArchive } from './s3';

export type ServingFailure = 'unsupported' | 'image' | 'modelData' | 'modelArchive' | 'health' | 'aborted';

export class ServingError extends Error {
  constructor(
    readonly kind: ServingFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface ServingInstance {
  id: string;
  proc: ManagedProcess;
  port: number;
  root: string;
  url: string;
  image: string;
  digest: string;
}

export interface StartServingOptions {
  kind: ProcessKind;
  /** Job or endpoint name (log stream and folder). */
  owner: string;
  /** Unique per instance within the owner (e.g. `AllTraffic-1-<n>`). */
  instanceId: string;
  model: ModelRecord;
  extraEnv?: Record<string, string>;
  healthTimeoutMs: number;
  signal: AbortSignal;
}

/** Downloads the model's artifacts into `<root>/model`: ModelDataUrl (a tar.gz) or ModelDataSource. */
async function provisionModel(ctx: Context, model: ModelRecord, modelDir: string, signal: AbortSignal): Promise<void> {
  const c = model.containers[0]!;
  const source = c.ModelDataSource?.S3DataSource;
  const archiveUri = c.ModelDataUrl ?? (source && source.CompressionType === 'Gzip' ? source.S3Uri : undefined);
  if (archiveUri) {
    const { bucket, key } = parseS3Uri(archiveUri);
    const archive = path.join(path.dirname(modelDir), 'model.tar.gz');
    try {
      await ctx.s3.download(bucket, key, archive, signal);
    } catch (e) {
      if (signal.aborted) throw new ServingError('aborted', 'aborted');
      throw new ServingError(
        'modelData',
        `Failed to download model data(bucket: ${bucket}, key: ${key}). Please ensure that there is an object located at the URL and that the role passed to CreateModel has permissions to download the model. (${errorMessage(e)})`,
      );
    }
    try {
      await unpackArchive(archive, modelDir);
    } catch {
      throw new ServingError('modelArchive', `Failed to extract model data archive from URL "${archiveUri}". Please ensure that the object located at the URL is a valid tar.gz archive.`);
    } finally {
      fs.rmSync(archive, { force: true });
    }
    return;
  }
  if (source) {
    try {
      if (source.S3DataType === 'S3Object') {
        const { bucket, key } = parseS3Uri(source.S3Uri);
        await ctx.s3.download(bucket, key, resolveInside(modelDir, path.basename(key)), signal);
      } else {
        await ctx.s3.downloadPrefix(source.S3Uri, modelDir, signal);
      }
    } catch (e) {
      if (signal.aborted) throw new ServingError('aborted', 'aborted');
      throw new ServingError('modelData', `Failed to download model data from ${source.S3Uri}: ${errorMessage(e)}`);
    }
  }
}

/** Polls GET /ping until 200; false on timeout, process exit or abort. */
export async function waitHealthy(
  url: string,
  proc: ManagedProcess,
  opts: { timeoutMs: number; intervalMs: number; signal: AbortSignal; forceUnhealthy?: boolean },
): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline && proc.running && !opts.signal.aborted) {
    if (!opts.forceUnhealthy) {
      try {
        const res = await httpRequest(`${url}/ping`, { timeoutMs: Math.min(2000, Math.max(100, deadline - Date.now())), signal: opts.signal, keepAlive: false });
        if (res.status === 200) return true;
      } catch {
        /* not listening yet */
      }
    }
    await sleep(opts.intervalMs, opts.signal);
  }
  return false;
}

/**
 * Starts one serving container for a model (`serve` program of its image) and waits until it
 * answers /ping. Throws ServingError with the reason; never leaves a process behind on failure.
 */
export async function startServing(ctx: Context, opts: StartServingOptions): Promise<ServingInstance> {
  const { model } = opts;
  if (model.containers.length > 1) {
    throw new ServingError('unsupported', 'local-sagemaker does not emulate inference pipelines: the model must have exactly one container.');
  }
  const container = model.containers[0]!;
  const image = container.Image!;
  const cmd = ctx.images.resolve(image, 'serve');
  if (!cmd) throw new ServingError('image', image);
  const root = path.join(ctx.workDir, opts.kind === 'endpoint' ? 'endpoints' : 'transform', opts.owner.toLowerCase(), opts.instanceId);
  fs.rmSync(root, { recursive: true, force: true });
  const modelDir = path.join(root, 'model');
  fs.mkdirSync(modelDir, { recursive: true });
  ctx.logs.system(opts.owner, `${opts.instanceId}: provisioning model ${model.name} (image ${image})`);
  await provisionModel(ctx, model, modelDir, opts.signal);
  // A port picked free can still be taken by another program before the container binds it:
  // when the container died and something else now listens there, start it again on a new port.
  for (let attempt = 1; ; attempt++) {
    const port = await ctx.procs.reservePort();
    if (opts.signal.aborted || ctx.closing) {
      ctx.procs.releasePort(port);
      throw new ServingError('aborted', 'aborted');
    }
    const env = {
      ...containerEnvironment(ctx),
      ...cmd.env,
      ...(container.Environment ?? {}),
      ...(opts.extraEnv ?? {}),
      ...servingEnvironment(root, port),
    };
    let proc: ManagedProcess;
    try {
      proc = ctx.procs.spawn({ kind: opts.kind, owner: opts.owner, argv: cmd.argv, env, cwd: cmd.cwd, root, port });
    } catch (e) {
      ctx.procs.releasePort(port);
      throw e;
    }
    ctx.logs.system(opts.owner, `${opts.instanceId}: started ${cmd.argv.join(' ')} (pid ${proc.pid}) on port ${port}`);
    const url = `http://127.0.0.1:${port}`;
    const healthy = await waitHealthy(url, proc, {
      timeoutMs: opts.healthTimeoutMs,
      intervalMs: ctx.timings.healthCheckIntervalMs,
      signal: opts.signal,
      forceUnhealthy: ctx.faults.unhealthy(model.name),
    });
    if (healthy) {
      ctx.logs.system(opts.owner, `${opts.instanceId}: passed the ping health check`);
      return { id: opts.instanceId, proc, port, root, url, image, digest: cmd.digest };
    }
    const aborted = opts.signal.aborted;
    const exited = !proc.running;
    await proc.stop(ctx.timings.stopGracePeriodMs);
    if (!aborted && exited && attempt < MAX_PORT_CLASHES && (await portTaken(port))) {
      ctx.logs.system(opts.owner, `${opts.instanceId}: port ${port} was taken by another program before the container bound it; starting it again on another port`);
      continue;
    }
    const why = aborted ? 'aborted' : exited ? 'the process exited' : `no 200 from GET /ping within ${opts.healthTimeoutMs} ms`;
    ctx.logs.system(opts.owner, `${opts.instanceId}: health check failed (${why})`);
    throw new ServingError(aborted ? 'aborted' : 'health', why);
  }
}

const MAX_PORT_CLASHES = 3;

/** True when something listens on the port (a bind to it fails with EADDRINUSE). */
function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE'));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}
