import fs from 'node:fs';
import path from 'node:path';

const MEMORY_LIMIT = 4 * 1024 * 1024;

/**
 * The CloudWatch Logs stand-in: one stream per job or endpoint (containers' stdout/stderr plus
 * the emulator's own `[sagemaker]` lines), kept in memory (the last 4 MiB) and appended to
 * `<workDir>/logs/<name>.log`.
 */
export class LogStore {
  private readonly streams = new Map<string, { chunks: string[]; size: number; dropped: boolean }>();

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private key(name: string): string {
    return name.toLowerCase();
  }

  fileOf(name: string): string {
    return path.join(this.dir, `${this.key(name)}.log`);
  }

  append(name: string, text: string): void {
    if (!text) return;
    const key = this.key(name);
    let s = this.streams.get(key);
    if (!s) this.streams.set(key, (s = { chunks: [], size: 0, dropped: false }));
    s.chunks.push(text);
    s.size += text.length;
    while (s.size > MEMORY_LIMIT && s.chunks.length > 1) {
      s.size -= s.chunks.shift()!.length;
      s.dropped = true;
    }
    try {
      fs.appendFileSync(this.fileOf(name), text);
    } catch {
      /* the work directory may be gone during shutdown */
    }
  }

  /** An emulator line, as SageMaker's own entries in a job's log. */
  system(name: string, message: string): void {
    this.append(name, `[sagemaker ${new Date().toISOString()}] ${message}\n`);
  }

  has(name: string): boolean {
    return this.streams.has(this.key(name));
  }

  read(name: string): string {
    const s = this.streams.get(this.key(name));
    if (!s) return '';
    return (s.dropped ? '[earlier output dropped from memory; see the log file]\n' : '') + s.chunks.join('');
  }

  names(): string[] {
    return [...this.streams.keys()];
  }
}
