import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkPolicy, policyName } from '../check/engine';
import { Finding } from '../check/finding';
import { looksLikeTracingPolicy, readYamlManifests } from '../check/manifests';
import { nameScope } from '../check/name-scope';
import { KernelTable, loadKernel } from '../kernels/kernel-table';

const USAGE = `usage: cdk8s-tetragon check [--kernel NAME ...] [--kernel-file PATH ...] [--min-kernel X.Y] [--format text|json] PATH...
  PATH           YAML files or folders (recursed; *.yaml, *.yml); multi-document files and kind: List are fine,
                 kinds other than TracingPolicy and TracingPolicyNamespaced are ignored.
  --kernel NAME  check against a bundled kernel table (repeatable; default: all bundled, see 'kernel list').
  --kernel-file PATH
                 check against a table written by 'cdk8s-tetragon kernel add', or raw BTF such as
                 /sys/kernel/btf/vmlinux (repeatable; adds to --kernel, replaces the default set).
  --no-kernels   skip kernel compatibility.
  --min-kernel   oldest kernel to support, for string length limits (default: the oldest in the kernel set, else 5.11).
  --format       text (default): one line per finding and a summary; json: {findings, summary}.
Exit status: 0 without errors, 1 when any error is found, 2 on usage errors and when a PATH does
not exist, cannot be read or holds no TracingPolicy (so a wrong path cannot pass CI).`;

function usage(message: string): number {
  process.stderr.write(`cdk8s-tetragon check: ${message}\n\n${USAGE}\n`);
  return 2;
}

function yamlFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => {
      const full = join(path, name);
      const s = statSync(full);
      if (s.isDirectory()) return name.startsWith('.') || name === 'node_modules' ? [] : yamlFiles(full);
      return /\.ya?ml$/.test(name) ? [full] : [];
    });
}

interface FileFinding extends Finding {
  readonly file: string;
}

/** `cdk8s-tetragon check`: checks TracingPolicy YAML against the load rules and kernel tables. */
export async function run(args: string[]): Promise<number> {
  const kernels: string[] = [];
  const kernelFiles: string[] = [];
  const paths: string[] = [];
  let format = 'text';
  let minKernel: string | undefined;
  let noKernels = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string | undefined => args[++i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (a === '--kernel' || a === '--kernel-file' || a === '--format' || a === '--min-kernel') {
      const v = value();
      if (v === undefined) return usage(`${a} needs a value`);
      if (a === '--kernel') kernels.push(v);
      else if (a === '--kernel-file') kernelFiles.push(v);
      else if (a === '--min-kernel') {
        if (!/^\d+\.\d+$/.test(v)) return usage(`--min-kernel ${v}: write major.minor, e.g. 5.10`);
        minKernel = v;
      } else {
        if (v !== 'text' && v !== 'json') return usage(`--format ${v}: allowed text, json`);
        format = v;
      }
    } else if (a === '--no-kernels') {
      noKernels = true;
    } else if (a.startsWith('-')) {
      return usage(`unknown option ${a}`);
    } else {
      paths.push(a);
    }
  }
  if (paths.length === 0) return usage('no PATH given');

  let tables: KernelTable[] | undefined;
  try {
    if (kernels.length || kernelFiles.length) tables = [...kernels, ...kernelFiles].map((k) => loadKernel(k));
  } catch (e) {
    return usage((e as Error).message);
  }

  const findings: FileFinding[] = [];
  let policies = 0;
  const empty: string[] = [];
  for (const p of paths) {
    let files: string[];
    try {
      files = yamlFiles(p);
    } catch {
      return usage(`${p}: no such file or folder`);
    }
    const before = { policies, findings: findings.length };
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        process.stderr.write(
          `cdk8s-tetragon check: ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`,
        );
        return 2;
      }
      // Lists are expanded; a document that does not parse is reported (plainly so for a Helm template).
      const read = readYamlManifests(text);
      findings.push(...read.findings.map((f) => ({ file, ...f })));
      // Names clash within one cluster's folder (or one path given), not across clusters.
      const scope = nameScope(file, p);
      for (const manifest of read.manifests as any[]) {
        if (!looksLikeTracingPolicy(manifest)) continue;
        policies++;
        const key = `${scope}\u0000${manifest.kind}/${policyName(manifest)}`;
        const found = checkPolicy(manifest, { kernels: tables, minKernel, skipKernelChecks: noKernels });
        findings.push(...found.map((f) => ({ file, ...f })));
        const dup = findings.find((f) => f.ruleId === '__seen' && f.policy === key);
        if (dup) {
          findings.push({
            file,
            ruleId: 'duplicate-policy-name',
            severity: 'error',
            policy: policyName(manifest),
            field: 'metadata.name',
            message: `policy '${policyName(manifest)}' metadata.name: another ${String(manifest.kind)} with this name is in ${dup.file}; the later one replaces the earlier`,
            fix: 'Give every policy a unique metadata.name',
          });
        } else {
          findings.push({ file, ruleId: '__seen', severity: 'info', policy: key, field: '', message: '', fix: '' });
        }
      }
    }
    if (policies === before.policies && findings.length === before.findings) {
      empty.push(
        `${p}: holds no TracingPolicy or TracingPolicyNamespaced (${
          files.length === 0 ? 'no *.yaml or *.yml file in it' : `${files.length} file${files.length === 1 ? '' : 's'} read, none holds one`
        })`,
      );
    }
  }
  if (empty.length) {
    // A wrong path would otherwise pass as "0 policies checked".
    for (const line of empty) process.stderr.write(`cdk8s-tetragon check: ${line}; check the path\n`);
    return 2;
  }
  const real = findings.filter((f) => f.ruleId !== '__seen');
  const errors = real.filter((f) => f.severity === 'error').length;
  const warnings = real.filter((f) => f.severity === 'warning').length;
  const infos = real.length - errors - warnings;
  if (format === 'json') {
    process.stdout.write(JSON.stringify({ findings: real, summary: { policies, errors, warnings, infos } }, null, 2) + '\n');
  } else {
    for (const f of real) process.stdout.write(`${f.file}: ${f.severity} ${f.ruleId} ${f.message} (fix: ${f.fix})\n`);
    process.stdout.write(
      `${policies} ${policies === 1 ? 'policy' : 'policies'} checked, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${infos ? `, ${infos} info` : ''}\n`,
    );
  }
  return errors > 0 ? 1 : 0;
}
