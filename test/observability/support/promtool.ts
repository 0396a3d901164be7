import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** Path of promtool: PROMTOOL, else the one on PATH. */
export function promtoolPath(): string {
  return process.env.PROMTOOL ?? 'promtool';
}

/** Throws a clear message when promtool is not installed. */
export function requirePromtool(): void {
  const r = spawnSync(promtoolPath(), ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`promtool is required for the alert rule tests but '${promtoolPath()}' could not run (${r.error?.message ?? r.stderr}). `
      + 'Install it with: apt-get install -y --no-install-recommends prometheus (Debian ships promtool in that package), or set PROMTOOL=/path/to/promtool.');
  }
}

/** Result of a promtool run. */
export interface PromtoolResult { status: number | null; output: string }

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
