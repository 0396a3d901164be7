#!/usr/bin/env node
// The fast synth path: bundle main.ts with esbuild (no type-check; `npm test` type-checks) and run it.
// `npm run synth` and `npx cdk8s synth` (cdk8s.yaml `app`) both come here. The bundle includes the
// dependencies (one file loads faster than hundreds of modules) and is rebuilt only when an input changed.
import { buildSync } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = process.argv[2] ?? 'main.ts';
const outfile = join(root, 'build', 'synth', entry.replace(/\.ts$/, '.js'));
const metafile = `${outfile}.inputs.json`;

function upToDate() {
  if (!existsSync(outfile) || !existsSync(metafile)) return false;
  const built = statSync(outfile).mtimeMs;
  const inputs = JSON.parse(readFileSync(metafile, 'utf8'));
  return inputs.every((f) => existsSync(join(root, f)) && statSync(join(root, f)).mtimeMs <= built);
}

if (!upToDate()) {
  mkdirSync(dirname(outfile), { recursive: true });
  const result = buildSync({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    absWorkingDir: root,
    // cdk8s stays a package: its Helm and YAML loading run helper scripts relative to its own files.
    external: ['cdk8s'],
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(metafile, JSON.stringify(Object.keys(result.metafile.inputs).sort()));
}

process.chdir(root);
try {
  createRequire(import.meta.url)(outfile);
} catch (err) {
  // Construct and input errors carry their own explanation; a stack trace would only hide it.
  console.error(`synth failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
