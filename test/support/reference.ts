import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { PINNED } from './pinned-reference';

/**
 * Upstream reference data for tests (CRDs, chart values, example policies).
 * Read from ../shared/reference when it sits beside the checkout (or REFERENCE_DIR), else downloaded
 * once from the pinned commit into .cache/reference and verified against its SHA-256.
 */
const LOCAL = resolve(process.env.REFERENCE_DIR ?? join(__dirname, '..', '..', '..', 'shared', 'reference'));
const CACHE = resolve(process.env.REFERENCE_CACHE_DIR ?? join(__dirname, '..', '..', '.cache', 'reference'));
const DOWNLOAD_BASE = process.env.REFERENCE_DOWNLOAD_BASE ?? 'https://raw.githubusercontent.com';

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Absolute path of a reference file, e.g. `tetragon/v1.7.0/chart/values.yaml`. */
export function referenceFile(path: string): string {
  const local = join(LOCAL, path);
  if (existsSync(local)) return local;
  const pin = PINNED[path];
  if (!pin) throw new Error(`reference file ${path} is neither in ${LOCAL} nor pinned in test/support/pinned-reference.ts`);
  const cached = join(CACHE, path);
  if (!existsSync(cached)) {
    const url = `${DOWNLOAD_BASE}/${pin.repo}/${pin.commit}/${pin.path}`;
    let body: Buffer;
    try {
      // A child process keeps this synchronous for test setup code; it reports a failure as one line.
      body = execFileSync(
        process.execPath,
        [
          '-e',
          `fetch(${JSON.stringify(url)}).then(async r => { if (!r.ok) throw new Error(r.status + ' ' + r.statusText); process.stdout.write(Buffer.from(await r.arrayBuffer())); })` +
            '.catch((e) => { process.stderr.write(String(e.cause?.code ?? e.cause?.message ?? e.message)); process.exit(1); })',
        ],
        { maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
      );
    } catch (e) {
      const reason =
        String((e as { stderr?: Buffer }).stderr ?? '')
          .trim()
          .split('\n')[0] || (e as Error).message.split('\n')[0];
      throw new Error(
        `reference file ${path} is not in ${LOCAL} (put the reference data there or set REFERENCE_DIR) ` +
          `and downloading ${url} failed (${reason}); npm test needs one of the two`,
      );
    }
    const digest = sha256(body);
    if (digest !== pin.sha256) throw new Error(`${url}: SHA-256 ${digest} does not match the pinned ${pin.sha256}`);
    mkdirSync(resolve(cached, '..'), { recursive: true });
    writeFileSync(cached, body);
  }
  return cached;
}

/** Text of a reference file. */
export function readReference(path: string): string {
  return readFileSync(referenceFile(path), 'utf8');
}

/** Reference files below a folder (e.g. `tetragon/v1.7.0/examples`), as paths relative to the reference root. */
export function listReference(folder: string): string[] {
  const local = join(LOCAL, folder);
  if (existsSync(local)) {
    const walk = (dir: string): string[] =>
      readdirSync(dir)
        .sort()
        .flatMap((name) => {
          const full = join(dir, name);
          return statSync(full).isDirectory() ? walk(full) : [relative(LOCAL, full)];
        });
    return walk(local);
  }
  return Object.keys(PINNED)
    .filter((p) => p.startsWith(folder + '/'))
    .sort();
}
