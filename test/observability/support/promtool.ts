import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';

/** Where a promtool extracted from Debian's `prometheus` package is kept (git-ignored). */
const CACHE = resolve(__dirname, '..', '..', '..', '.cache', 'promtool');
const CACHED = join(CACHE, 'usr', 'bin', 'promtool');

function runs(path: string): boolean {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/**
 * Provisions promtool without installing anything system-wide: `apt-get download prometheus` (Debian ships
 * promtool in that package) and `dpkg -x` into `.cache/promtool`. Runs `apt-get update` first when the
 * package lists are missing and this is root.
 */
function provision(): string | undefined {
  mkdirSync(CACHE, { recursive: true });
  const download = () => spawnSync('apt-get', ['download', '-qq', 'prometheus'], { cwd: CACHE, encoding: 'utf8' });
  let r = download();
  if ((r.error || r.status !== 0) && process.getuid?.() === 0) {
    spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8' });
    r = download();
  }
  const deb = readdirSync(CACHE).find((f) => /^prometheus_.*\.deb$/.test(f));
  if (!deb) return undefined;
  spawnSync('dpkg', ['-x', deb, '.'], { cwd: CACHE, encoding: 'utf8' });
  return existsSync(CACHED) && runs(CACHED) ? CACHED : undefined;
}

let resolved: string | undefined;

/** Path of promtool: PROMTOOL, else the one on PATH, else one provisioned from Debian's package. */
export function promtoolPath(): string {
  if (resolved) return resolved;
  if (process.env.PROMTOOL) return (resolved = process.env.PROMTOOL);
  if (runs('promtool')) return (resolved = 'promtool');
  if (existsSync(CACHED) && runs(CACHED)) return (resolved = CACHED);
  return (resolved = provision() ?? 'promtool');
}

/** Throws a clear message when promtool is neither installed nor provisionable. */
export function requirePromtool(): void {
  const path = promtoolPath();
  if (!runs(path)) {
    throw new Error(
      `promtool is required for the alert rule tests but '${path}' could not run, and it could not be provisioned with apt-get download. ` +
        'Install it with: apt-get install -y --no-install-recommends prometheus (Debian ships promtool in that package), or set PROMTOOL=/path/to/promtool.',
    );
  }
}

/** Result of a promtool run. */
export interface PromtoolResult {
  status: number | null;
  output: string;
}

/** Writes files into a fresh temp dir, runs `promtool <args>` there, and removes the dir. */
export function runPromtool(args: string[], files: Record<string, unknown>): PromtoolResult {
  const dir = mkdtempSync(join(tmpdir(), 'tetragon-rules-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(dir, name), typeof content === 'string' ? content : stringify(content, { lineWidth: 0 }));
    }
    const r = spawnSync(promtoolPath(), args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
