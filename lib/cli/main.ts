#!/usr/bin/env node
/**
 * `cdk8s-tetragon <command>`: the package's command-line entry.
 * Each command lives in its own module exporting `run(args): Promise<number>` (the exit code),
 * loaded only when called so one command's dependencies do not slow another.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const COMMANDS: Record<string, { summary: string; module: string }> = {
  check: { summary: 'check TracingPolicy YAML against Tetragon load rules and kernel tables', module: './check' },
  kernel: { summary: 'build and inspect kernel function tables (add, list, show)', module: './kernel' },
  simulate: { summary: 'run described events through policies and print matches as JSON Lines', module: './simulate' },
  verify: { summary: 'prove policies on the real Tetragon agent booted in QEMU on Debian kernels', module: './verify' },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return [
    'usage: cdk8s-tetragon <command> [options]',
    '       cdk8s-tetragon --version',
    '',
    'commands:',
    ...lines,
    '',
    'Run a command with --help for its options.',
  ].join('\n');
}

/** The package's version, from its package.json (two or three levels up, from lib/ or build/lib/). */
export function version(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'cdk8s-tetragon' && pkg.version) return pkg.version;
  }
  return 'unknown';
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage() + '\n');
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-V') {
    process.stdout.write(`cdk8s-tetragon ${version()}\n`);
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    process.stderr.write(`cdk8s-tetragon: unknown command '${command}'\n\n${usage()}\n`);
    return 2;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(entry.module) as { run(args: string[]): Promise<number> };
  return mod.run(rest);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`cdk8s-tetragon: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
