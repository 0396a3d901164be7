#!/usr/bin/env node
// The fast synth path: bundle main.ts with esbuild (no type-check; `npm test` type-checks) and run it.
// `npm run synth` and `npx cdk8s synth` (cdk8s.yaml `app`) both come here.
import { buildSync } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = process.argv[2] ?? 'main.ts';
const outfile = join(root, 'build', 'synth', entry.replace(/\.ts$/, '.js'));
mkdirSync(dirname(outfile), { recursive: true });
buildSync({
  entryPoints: [join(root, entry)],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  logLevel: 'warning',
});
process.chdir(root);
try {
  createRequire(import.meta.url)(outfile);
} catch (err) {
  // Construct and input errors carry their own explanation; a stack trace would only hide it.
  console.error(`synth failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
