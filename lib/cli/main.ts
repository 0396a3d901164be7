#!/usr/bin/env node
/**
 * `cdk8s-tetragon <command>`: the package's command-line entry.
 * Each command lives in its own module exporting `run(args): Promise<number>` (the exit code),
 * loaded only when called so one command's dependencies do not slow another.
 */
const COMMANDS: Record<string, { summary: string; module: string }> = {
  check: { summary: 'check TracingPolicy YAML against Tetragon load rules and kernel tables', module: './check' },
  kernel: { summary: 'build and inspect kernel function tables (add, list, show)', module: './kernel' },
  simulate: { summary: 'run described events through policies and print matches as JSON Lines', module: './simulate' },
  verify: { summary: 'prove policies on the real Tetragon agent booted in QEMU on Debian kernels', module: './verify' },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return ['usage: cdk8s-tetragon <command> [options]', '', 'commands:', ...lines, '', 'Run a command with --help for its options.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(usage() + '\n');
    return command ? 0 : 2;
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
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
    process.stderr.write(`cdk8s-tetragon: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
}
