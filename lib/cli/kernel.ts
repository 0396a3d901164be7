import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundledKernelInfo, kernelTableFromBtf, loadKernel, writeKernelTable } from '../kernels';

const USAGE = `usage:
  cdk8s-tetragon kernel add FILE --name NAME [--describe TEXT] [--out DIR]
      FILE is raw BTF (/sys/kernel/btf/vmlinux on a node) or an ELF vmlinux with a .BTF section.
      Writes DIR/NAME.json.br (default DIR: ./kernels) and records it in DIR/index.json.
      Use it with: cdk8s-tetragon check --kernel-file DIR/NAME.json.br ...
  cdk8s-tetragon kernel list
      Lists the bundled kernel tables.
  cdk8s-tetragon kernel show KERNEL FUNCTION...
      Prints the prototypes of functions in a kernel (bundled name or file).`;

function fail(message: string): number {
  process.stderr.write(`cdk8s-tetragon kernel: ${message}\n\n${USAGE}\n`);
  return 2;
}

/** `cdk8s-tetragon kernel <add|list|show>`: builds and inspects kernel function tables. */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(USAGE + '\n');
    return sub ? 0 : 2;
  }
  if (sub === 'list') {
    for (const k of bundledKernelInfo()) process.stdout.write(`${k.name}\t${k.functions} functions\t${k.describe}\n`);
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
  if (sub === 'add') {
    let file: string | undefined;
    let name: string | undefined;
    let describe: string | undefined;
    let out = 'kernels';
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      const value = () => {
        const v = rest[++i];
        if (v === undefined) throw new Error(`${a} needs a value`);
        return v;
      };
      try {
        if (a === '--name') name = value();
        else if (a === '--describe') describe = value();
        else if (a === '--out') out = value();
        else if (a.startsWith('-')) return fail(`unknown option ${a}`);
        else if (file) return fail(`one FILE only (got ${file} and ${a})`);
        else file = a;
      } catch (e) {
        return fail((e as Error).message);
      }
    }
    if (!file) return fail('add needs a FILE');
    if (!name) return fail('add needs --name NAME (e.g. --name my-node-6.8)');
    let built;
    try {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(file);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new Error(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot read it (${code})`);
      }
      built = kernelTableFromBtf(bytes, name, describe ?? `BTF of ${name}, read from ${file}`);
    } catch (e) {
      process.stderr.write(`cdk8s-tetragon kernel add: ${file}: ${(e as Error).message}\n`);
      return 2;
    }
    const { table, encoded } = built;
    mkdirSync(out, { recursive: true });
    const written = writeKernelTable(out, name, table.describe, encoded, table.size);
    process.stdout.write(`${resolve(written)}: ${table.size} functions, ${encoded.length} bytes\n`);
    return 0;
  }
  return fail(`unknown subcommand '${sub}'`);
}
