import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  KernelFeatures,
  SyscallTable,
  bundledKernelInfo,
  describeFeatures,
  encodeSyscallTable,
  featuresFromConfig,
  kernelTableFromBtf,
  loadKernel,
  mergeSyscallTables,
  parseSyscallMetadata,
  readSyscallTable,
  writeKernelTable,
} from '../kernels';

const USAGE = `usage:
  cdk8s-tetragon kernel add FILE --name NAME [--config CONFIG] [--release X.Y.Z] [--describe TEXT] [--out DIR]
      FILE is raw BTF (/sys/kernel/btf/vmlinux on a node) or an ELF vmlinux with a .BTF section.
      CONFIG is the kernel's config (/proc/config.gz or /boot/config-$(uname -r)): it gives the features that decide
      loading (kprobe_multi, bpf_override_return, fmod_ret, BPF LSM) and the release. Without it they are unknown, and
      check says so wherever a policy depends on them. --release sets the release when the config has no header.
      Writes DIR/NAME.json.br (default DIR: ./kernels) and records it in DIR/index.json.
      Use it with: cdk8s-tetragon check --kernel-file DIR/NAME.json.br ...
  cdk8s-tetragon kernel list
      Lists the bundled kernel tables and their features.
  cdk8s-tetragon kernel show KERNEL FUNCTION...
      Prints the prototypes of functions in a kernel (bundled name or file).
  cdk8s-tetragon kernel syscalls INPUT... --out FILE
      Writes the syscall prototypes of ELF vmlinux images (or of tables written before), merged newest first:
      list the newest kernel first. The bundled kernels/syscalls.json is made this way.`;

function fail(message: string): number {
  process.stderr.write(`cdk8s-tetragon kernel: ${message}\n\n${USAGE}\n`);
  return 2;
}

/** Splits `--flag value` options (the names in `valued`) from positional arguments. */
function parseArgs(rest: string[], valued: readonly string[]): { flags: Map<string, string>; positional: string[] } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (valued.includes(a)) {
      const v = rest[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      flags.set(a, v);
    } else if (a.startsWith('-')) {
      throw new Error(`unknown option ${a}`);
    } else {
      positional.push(a);
    }
  }
  return { flags, positional };
}

/** `cdk8s-tetragon kernel <add|list|show|syscalls>`: builds and inspects kernel tables. */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return sub ? 0 : 2;
  }
  if (sub === 'list') {
    for (const k of bundledKernelInfo()) {
      process.stdout.write(`${k.name}\t${k.functions} functions\t${describeFeatures(k.features ?? {})}\t${k.describe}\n`);
    }
    return 0;
  }
  if (sub === 'show') {
    const [kernel, ...fns] = rest;
    if (!kernel || fns.length === 0) return fail('show needs a kernel and at least one function name');
    let table;
    try {
      table = loadKernel(kernel);
    } catch (e) {
      return fail((e as Error).message);
    }
    let missing = 0;
    for (const fn of fns) {
      const p = table.lookup(fn);
      if (!p) missing++;
      process.stdout.write(p ? `${p.ret} ${fn}(${p.params.join(', ')})\n` : `${fn}: not in ${table.name}\n`);
    }
    return missing ? 1 : 0;
  }
  if (sub === 'syscalls') {
    let parsed;
    try {
      parsed = parseArgs(rest, ['--out']);
    } catch (e) {
      return fail((e as Error).message);
    }
    const out = parsed.flags.get('--out');
    if (parsed.positional.length === 0 || !out) return fail('syscalls needs at least one INPUT and --out FILE');
    const tables: SyscallTable[] = parsed.positional.map((f) => {
      const data = readFileSync(f);
      return data[0] === 0x7b ? readSyscallTable(data.toString('utf8')) : parseSyscallMetadata(data);
    });
    const merged = mergeSyscallTables(tables);
    writeFileSync(out, encodeSyscallTable(merged));
    process.stdout.write(`${resolve(out)}: ${merged.size} syscalls\n`);
    return 0;
  }
  if (sub === 'add') {
    let parsed;
    try {
      parsed = parseArgs(rest, ['--name', '--describe', '--out', '--config', '--release']);
    } catch (e) {
      return fail((e as Error).message);
    }
    const [file, extra] = parsed.positional;
    if (extra) return fail(`one FILE only (got ${file} and ${extra})`);
    if (!file) return fail('add needs a FILE');
    const name = parsed.flags.get('--name');
    if (!name) return fail('add needs --name NAME (e.g. --name my-node-6.8)');
    const release = parsed.flags.get('--release');
    if (release !== undefined && !/^\d+\.\d+(\.\d+)?/.test(release))
      return fail(`--release ${release}: write the kernel release, e.g. 6.8.0`);
    const config = parsed.flags.get('--config');
    let features: KernelFeatures = release ? { release } : {};
    if (config) {
      try {
        features = featuresFromConfig(readFileSync(config), release);
      } catch (e) {
        return fail(`--config ${config}: ${(e as Error).message}`);
      }
    }
    const describe = parsed.flags.get('--describe') ?? `BTF of ${name}, read from ${file}${config ? `, config ${config}` : ''}`;
    let built;
    try {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new Error(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot read it (${code})`);
      }
      built = kernelTableFromBtf(bytes, name, describe, features);
    } catch (e) {
      process.stderr.write(`cdk8s-tetragon kernel add: ${file}: ${(e as Error).message}\n`);
      return 2;
    }
    const { table, encoded } = built;
    const out = parsed.flags.get('--out') ?? 'kernels';
    mkdirSync(out, { recursive: true });
    const written = writeKernelTable(out, name, table.describe, encoded, table.size, features);
    process.stdout.write(`${resolve(written)}: ${table.size} functions, ${encoded.length} bytes\n`);
    process.stdout.write(
      config
        ? `features: ${describeFeatures(features)}\n`
        : `features: unknown: no --config given, so check cannot tell whether this kernel has kprobe_multi, bpf_override_return, fmod_ret or the BPF LSM` +
            `${release ? '' : ', nor its release (version gates: loader 5.19+, sockaddr_un filters 5.11+)'}, and says so for every policy that depends on them.` +
            ' Add --config /proc/config.gz (or /boot/config-$(uname -r)) to know them.\n',
    );
    return 0;
  }
  return fail(`unknown subcommand '${sub}'`);
}
