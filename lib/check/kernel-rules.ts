import type { KernelTable } from '../kernels/kernel-table';
import { bundledSyscallTable } from '../kernels/syscall-metadata';
import { ArgDeclaration, HookView, PolicyView, obj, str } from '../model/private/policy-reader';
import { hasArchPrefix, withoutArchPrefix } from '../model/private/vocabulary';
import { FindingSink } from './finding';

/** Integer widths of kernel base types and common typedefs: [bits, signed]. Unknown typedefs are not judged. */
const INTS: Record<string, [number, boolean]> = {
  char: [8, true],
  'signed char': [8, true],
  'unsigned char': [8, false],
  _Bool: [8, false],
  bool: [8, false],
  'short int': [16, true],
  'short unsigned int': [16, false],
  int: [32, true],
  'unsigned int': [32, false],
  'long int': [64, true],
  'long unsigned int': [64, false],
  'long long int': [64, true],
  'long long unsigned int': [64, false],
  u8: [8, false],
  u16: [16, false],
  u32: [32, false],
  u64: [64, false],
  s8: [8, true],
  s16: [16, true],
  s32: [32, true],
  s64: [64, true],
  __u8: [8, false],
  __u16: [16, false],
  __u32: [32, false],
  __u64: [64, false],
  __s8: [8, true],
  __s16: [16, true],
  __s32: [32, true],
  __s64: [64, true],
  uid_t: [32, false],
  gid_t: [32, false],
  pid_t: [32, true],
  umode_t: [16, false],
  fmode_t: [32, false],
  size_t: [64, false],
  ssize_t: [64, true],
  loff_t: [64, true],
  off_t: [64, true],
  dev_t: [32, false],
  gfp_t: [32, false],
  key_serial_t: [32, true],
  qid_t: [32, false],
  clockid_t: [32, true],
  time64_t: [64, true],
  timer_t: [32, true],
  mqd_t: [32, true],
  rwf_t: [32, true],
  aio_context_t: [64, false],
  kernel_ulong_t: [64, false],
  sector_t: [64, false],
  key_perm_t: [32, false],
  key_t: [32, true],
  old_uid_t: [16, false],
  old_gid_t: [16, false],
  slab_flags_t: [32, false],
  vm_fault_t: [32, false],
  blk_opf_t: [32, false],
  projid_t: [32, false],
  nlink_t: [32, false],
  ino_t: [64, false],
  dma_addr_t: [64, false],
  phys_addr_t: [64, false],
  resource_size_t: [64, false],
  pgoff_t: [64, false],
  ktime_t: [64, true],
  u_int: [32, false],
  uint: [32, false],
  ulong: [64, false],
  __kernel_size_t: [64, false],
  __kernel_ssize_t: [64, true],
  __kernel_pid_t: [32, true],
  socklen_t: [32, false],
  // C source spellings, as the syscall table writes them.
  long: [64, true],
  'unsigned long': [64, false],
  unsigned: [32, false],
  'long long': [64, true],
  'unsigned long long': [64, false],
  short: [16, true],
  'unsigned short': [16, false],
  time_t: [64, true],
  old_time32_t: [32, true],
  __kernel_old_time_t: [64, true],
};

type Shape = { kind: 'int'; bits: number; signed: boolean } | { kind: 'ptr'; target: string } | { kind: 'other'; text: string };

/** What a kernel type is, with qualifiers dropped (Tetragon ignores const too). */
export function shapeOf(kernelType: string): Shape {
  const t = kernelType
    .replace(/\b(const|volatile|restrict)\b/g, '')
    .replace(/\s+/g, ' ')
    .replace(/ \*/g, ' *')
    .trim()
    .replace(/\*\s+\*/g, '**');
  const en = /^enum (?:\S+)(?: \/([su])(\d+)\/)?$/.exec(t);
  if (en) return { kind: 'int', bits: en[2] ? Number(en[2]) : 32, signed: en[1] === 's' };
  if (t.endsWith('*') && !t.includes('(')) return { kind: 'ptr', target: t.slice(0, -1).trim() };
  const i = INTS[t];
  if (i) return { kind: 'int', bits: i[0], signed: i[1] };
  return { kind: 'other', text: t };
}

/** Tetragon argument types read through a pointer to one of these targets. */
const POINTER_TYPES: Record<string, string[]> = {
  file: ['struct file'],
  path: ['struct path'],
  sock: ['struct sock'],
  skb: ['struct sk_buff'],
  socket: ['struct socket'],
  sockaddr: ['struct sockaddr'],
  sockaddr_un: ['struct sockaddr_un', 'struct sockaddr'],
  linux_binprm: ['struct linux_binprm'],
  cred: ['struct cred'],
  user_namespace: ['struct user_namespace'],
  bpf_attr: ['union bpf_attr'],
  perf_event: ['struct perf_event'],
  bpf_map: ['struct bpf_map'],
  bpf_prog: ['struct bpf_prog'],
  module: ['struct module'],
  load_info: ['struct load_info'],
  kiocb: ['struct kiocb'],
  iov_iter: ['struct iov_iter'],
  net_device: ['struct net_device'],
  dentry: ['struct dentry'],
  filename: ['struct filename'],
  char_iovec: ['struct iovec'],
  kernel_cap_t: ['kernel_cap_t'],
  cap_inheritable: ['kernel_cap_t'],
  cap_permitted: ['kernel_cap_t'],
  cap_effective: ['kernel_cap_t'],
  string: ['char'],
  char_buf: ['char', 'void', 'unsigned char', 'u8', '__u8'],
};
/** Tetragon integer types and the widest kernel integer they fit. */
const INT_TYPES: Record<string, number> = {
  int: 32,
  sint32: 32,
  int32: 32,
  uint32: 32,
  capability: 32,
  bpf_cmd: 32,
  sint16: 16,
  int16: 16,
  uint16: 16,
  sint8: 8,
  int8: 8,
  uint8: 8,
  uint64: 64,
  ulong: 64,
  long: 64,
  sint64: 64,
  int64: 64,
  size_t: 64,
  fd: 64,
  syscall64: 64,
};

/**
 * Whether a Tetragon argument type fits a kernel parameter type. Returns undefined when it fits (or
 * cannot be judged), else a sentence on what the probe would read.
 */
export function typeMismatch(specType: string, kernelType: string, forReturn = false): string | undefined {
  if (specType === 'nop' || specType === 'auto' || specType === 'data_loc') return undefined;
  const k = shapeOf(kernelType);
  if (specType === 'const_buf')
    return k.kind === 'ptr'
      ? undefined
      : `const_buf reads a buffer behind a pointer, but the parameter is ${kernelType}: the probe would read garbage`;
  const targets = POINTER_TYPES[specType];
  if (targets) {
    if (k.kind === 'ptr') {
      if (targets.includes(k.target)) return undefined;
      return `the kernel passes ${kernelType} where ${specType} expects ${targets.map((t) => t + ' *').join(' or ')}: the probe would read that memory as the wrong structure (garbage values)`;
    }
    if (k.kind === 'int')
      return `the kernel passes an integer (${kernelType}) where ${specType} expects a pointer: the probe would dereference a number (garbage or empty values)`;
    return `the kernel passes ${kernelType} where ${specType} expects ${targets.map((t) => t + ' *').join(' or ')}`;
  }
  const width = INT_TYPES[specType];
  if (width !== undefined) {
    if (k.kind === 'int') {
      if (k.bits <= width || (forReturn && width >= 32)) return undefined;
      return `the kernel passes a ${k.bits}-bit integer (${kernelType}) and ${specType} keeps only ${width} bits: large values are truncated`;
    }
    if (k.kind === 'ptr') {
      if (width === 64 && !specType.startsWith('s') && specType !== 'long' && specType !== 'int64') return undefined; // an address as u64
      return `the kernel passes a pointer (${kernelType}) where ${specType} expects an integer: the event shows an address, not a value`;
    }
    return undefined; // unknown typedef or struct by value: not judged
  }
  return undefined;
}

interface Target {
  /** Name as written (for messages). */
  readonly call: string;
  /** Symbol looked up in BTF. */
  readonly symbol: string;
  readonly syscall: boolean;
}

/** The symbols a hook attaches to, resolved as Tetragon does on amd64; empty when this hook cannot be checked against BTF. */
function targetsOf(hook: HookView, policy: PolicyView): Target[] {
  const h = hook.spec;
  if (hook.kind === 'lsmhooks') {
    const name = str(h.hook);
    return name ? [{ call: name, symbol: `bpf_lsm_${name}`, syscall: false }] : [];
  }
  if (hook.kind !== 'kprobes' && hook.kind !== 'fentries') return [];
  const call = str(h.call);
  if (!call) return [];
  const syscall = hook.kind === 'kprobes' && h.syscall !== false;
  const prefixed = (c: string) => (hasArchPrefix(c) ? c : `__x64_${c}`);
  if (call.startsWith('list:')) {
    const list = policy.lists.get(call.slice('list:'.length));
    if (!list) return [];
    if (list.type.startsWith('generated')) return []; // expanded by the agent from the node's own tables
    const isSys = list.type === 'syscalls' || syscall;
    return list.values.filter((v) => !v.includes('/')).map((v) => ({ call: v, symbol: isSys ? prefixed(v) : v, syscall: isSys }));
  }
  const bare = withoutArchPrefix(call);
  // A non-sys_ name with syscall true, or sys_ with syscall false, is already an error of the load rules.
  if (syscall && !bare.startsWith('sys_')) return [];
  if (!syscall && call.startsWith('sys_')) return [];
  return [{ call, symbol: syscall ? prefixed(call) : call, syscall }];
}

/** Kernel compatibility of one hook against each kernel table. */
export function checkKernelRules(sink: FindingSink, hook: HookView, policy: PolicyView, kernels: readonly KernelTable[]): void {
  const targets = targetsOf(hook, policy);
  if (targets.length === 0) return;
  const ignore = obj(hook.spec.ignore)?.callNotFound === true && hook.kind === 'kprobes';
  const { args, returnArg: ret } = hook;
  for (const kernel of kernels) {
    for (const t of targets) {
      const at = (field: string) => ({ hook: hook.label, field: `${hook.path}.${field}`, kernel: kernel.name });
      const proto = kernel.lookup(t.symbol);
      if (!proto) {
        const what =
          hook.kind === 'lsmhooks' ? `LSM hook ${t.call} (${t.symbol})` : t.symbol === t.call ? t.call : `${t.call} (${t.symbol})`;
        if (ignore)
          sink.add(
            'kernel-ignored-missing',
            at('call'),
            `${what} is not in kernel ${kernel.name}; the hook is skipped there (ignore.callNotFound)`,
          );
        else
          sink.add(
            'kernel-missing-function',
            at(hook.kind === 'lsmhooks' ? 'hook' : 'call'),
            `${what} is not in kernel ${kernel.name}: the whole policy fails to load there`,
          );
        continue;
      }
      // Syscall arguments are checked once below, against the syscall table (the same on every kernel).
      if (t.syscall || args.some((a) => a.spec.resolve !== undefined)) continue;
      const where = `${t.symbol}(${proto.params.join(', ')})`;
      args.forEach((a, i) => {
        const { index: idx, type } = a;
        if (idx >= proto.params.length) {
          sink.add('kernel-arg-index', at(`args[${i}].index`), `index ${idx} is beyond ${where} in kernel ${kernel.name}`);
          return;
        }
        const kt = proto.params[idx];
        const why = typeMismatch(type, kt);
        if (why)
          sink.add(
            'kernel-arg-type',
            at(`args[${i}].type`),
            `argument ${idx} is declared ${type} but in kernel ${kernel.name} ${where} has ${kt} there; ${why}. Tetragon only logs a warning and loads the hook`,
          );
      });
      if (hook.spec.return === true && ret) {
        const type = ret.type;
        const why = typeMismatch(type, proto.ret, true);
        if (why)
          sink.add(
            'kernel-return-type',
            at('returnArg.type'),
            `returnArg is declared ${type} but ${t.symbol} returns ${proto.ret} in kernel ${kernel.name}; ${why}`,
          );
      }
    }
  }
  for (const t of targets.filter((x) => x.syscall)) checkSyscallArgs(sink, hook, t.call, args);
}

/**
 * Syscall arguments against the syscall table. Tetragon hooks `__x64_sys_<name>`, which only takes the saved
 * registers, and checks the declared types against its own table of syscall prototypes (`pkg/syscallinfo`); a
 * mismatch is logged as a warning and the probe reads the register as the declared type.
 */
function checkSyscallArgs(sink: FindingSink, hook: HookView, call: string, args: readonly ArgDeclaration[]): void {
  if (args.some((a) => a.spec.resolve !== undefined)) return;
  const bare = withoutArchPrefix(call).replace(/^sys_/, '');
  const proto = bundledSyscallTable().get(bare);
  if (!proto) return; // Tetragon: "missing information for syscall: arguments will not be verified"
  const where = `sys_${bare}(${proto.map((p) => `${p.type}${p.type.endsWith('*') ? '' : ' '}${p.name}`).join(', ')})`;
  const at = (field: string) => ({ hook: hook.label, field: `${hook.path}.${field}` });
  args.forEach((a, i) => {
    const { index: idx, type } = a;
    if (idx >= proto.length) {
      sink.add(
        'kernel-arg-index',
        at(`args[${i}].index`),
        `index ${idx} is beyond ${where}; Tetragon logs a warning and the probe reads an unused register`,
      );
      return;
    }
    const why = typeMismatch(type, proto[idx].type);
    if (why) {
      sink.add(
        'kernel-arg-type',
        at(`args[${i}].type`),
        `argument ${idx} (${proto[idx].name}) is declared ${type} but ${where} has ${proto[idx].type} there; ${why}. ` +
          'Tetragon checks syscall arguments against its own syscall table, only logs a warning and loads the hook',
      );
    }
  });
}
