import { FindingSink, HookRef, arr, obj, show, str } from './finding';

const ARCH_PREFIXES = ['__x64_', '__arm64_', '__ia32_'];

/** Rules on one hook's own fields (not its selectors): syscall flag, arg types, return, counts, message, tags, actions per hook kind. */
export function checkHookRules(sink: FindingSink, hook: HookRef, spec: Record<string, unknown>): void {
  const h = hook.spec;
  const at = (field: string, selector?: number) => ({ hook: hook.label, selector, field: `${hook.path}${field ? '.' + field : ''}` });
  const args = arr(h.args);
  const data = arr(h.data);

  // message.go: < 2 characters is an error, > 256 is truncated.
  if (typeof h.message === 'string') {
    if (h.message.length === 1) sink.add('message-too-short', at('message'), `message ${show(h.message)} is shorter than 2 characters`);
    if (h.message.length > 256) sink.add('message-too-long', at('message'), `message has ${h.message.length} characters and is truncated to 256`);
  }
  // tags.go: at most 16, each at least 2 characters.
  const tags = arr(h.tags);
  if (tags.length > 16) sink.add('tags', at('tags'), `${tags.length} tags given, at most 16`);
  tags.forEach((t, i) => { if (String(t).length < 2) sink.add('tags', at(`tags[${i}]`), `tag ${show(t)} is shorter than 2 characters`); });

  if (hook.kind === 'kprobes' || hook.kind === 'fentries') checkKprobe(sink, hook, spec, at, args, data);

  if (hook.kind === 'lsmhooks') {
    // genericlsm.go validateLsmArg / isValidLsmSelectors.
    args.forEach((a, i) => {
      if (Number(obj(a)?.index ?? 0) > 4) sink.add('arg-index', at(`args[${i}].index`), `index ${show(obj(a)?.index)} is above 4; LSM hooks read the first five arguments`);
    });
    arr(h.selectors).forEach((s, i) => {
      const sel = obj(s) ?? {};
      if (arr(sel.matchReturnArgs).length > 0) sink.add('lsm-hook', at(`selectors[${i}].matchReturnArgs`, i), 'matchReturnArgs is not supported on LSM hooks');
      arr(sel.matchActions).forEach((a, j) => {
        const e = obj(a) ?? {};
        const action = (str(e.action) ?? '').toLowerCase();
        if (!['sigkill', 'signal', 'nopost', 'override', 'post'].includes(action)) {
          sink.add('lsm-hook', at(`selectors[${i}].matchActions[${j}].action`, i), `action ${show(e.action)} is not supported on LSM hooks; allowed: Post, NoPost, Sigkill, Signal, Override`);
        } else if (action === 'post' && (e.kernelStackTrace === true || e.userStackTrace === true)) {
          sink.add('lsm-hook', at(`selectors[${i}].matchActions[${j}]`, i), 'stack traces are not supported on LSM hooks');
        }
      });
    });
  }

  if (hook.kind === 'tracepoints') {
    // generictracepoint.go: EventConfigMaxArgs and raw tracepoint argument bound.
    if (args.length > 5) sink.add('tracepoint-args', at('args'), `${args.length} args given, a tracepoint reads at most 5`);
    if (h.raw === true) {
      args.forEach((a, i) => {
        if (Number(obj(a)?.index ?? 0) > 5) sink.add('arg-index', at(`args[${i}].index`), `raw tracepoint index ${show(obj(a)?.index)} is above 5`);
      });
    }
  }
}

function checkKprobe(sink: FindingSink, hook: HookRef, _spec: Record<string, unknown>, at: (f: string, s?: number) => { hook: string; selector?: number; field: string },
  args: unknown[], data: unknown[]): void {
  const h = hook.spec;
  const call = str(h.call) ?? '';
  const isList = call.startsWith('list:');
  const syscallSet = typeof h.syscall === 'boolean';
  const syscall = h.syscall !== false; // CRD default: true
  const bare = ARCH_PREFIXES.reduce((c, p) => (c.startsWith(p) ? c.slice(p.length) : c), call);
  const hasPrefix = bare !== call;

  if (hook.kind === 'kprobes' && !isList && call) {
    if (!syscallSet && !bare.startsWith('sys_')) {
      sink.add('implicit-syscall', at('syscall'), `syscall is not set and defaults to true, so ${call} is looked up as __x64_${bare} and the policy fails to load`, 'Set syscall: false');
    } else if (!syscallSet) {
      sink.add('explicit-syscall', at('syscall'), `syscall is not set on ${call}; it defaults to true`);
    } else if (syscall && !bare.startsWith('sys_')) {
      sink.add('syscall-name', at('call'), `syscall: true on ${show(call)}: Tetragon looks up __x64_${bare}, which is not a function`, `Write sys_${bare} if it is a system call, or set syscall: false`);
    }
    if (hasPrefix && bare.startsWith('sys_')) {
      sink.add('arch-prefix', at('call'), `${call} carries an architecture prefix; the policy only loads on that architecture`, `Write ${bare} with syscall: true`);
    }
    if (h.syscall === false && call.startsWith('sys_')) {
      sink.add('sys-without-syscall', at('syscall'), `${call} with syscall: false gets no arch prefix, and kernels since 4.17 have no ${call} symbol`, 'Set syscall: true');
    }
  }

  // validateKprobeType: auto (the CRD default) and syscall64 are refused for kprobes.
  const typeCheck = (list: unknown[], name: string) => list.forEach((a, i) => {
    const t = obj(a)?.type;
    if (t === undefined) sink.add('kprobe-arg-type', at(`${name}[${i}].type`), 'type is not set and defaults to auto, which kprobes reject');
    else if (t === 'auto' || t === 'syscall64') sink.add('kprobe-arg-type', at(`${name}[${i}].type`), `type ${show(t)} is invalid for kprobes`);
  });
  if (hook.kind === 'kprobes') typeCheck(args, 'args');
  if (hook.kind === 'kprobes' && obj(h.returnArg)) typeCheck([h.returnArg], 'returnArg');

  // addKprobe: argument bounds.
  if (args.length + data.length > 5) sink.add('max-args', at('args'), `${args.length} args + ${data.length} data given, at most 5 in total`);
  args.forEach((a, i) => {
    const idx = Number(obj(a)?.index ?? 0);
    if (idx > 4) sink.add('arg-index', at(`args[${i}].index`), `index ${idx} is out of bounds; kprobes read arguments 0..4`);
  });
  if (h.return === true && !obj(h.returnArg)) sink.add('return-arg', at('returnArg'), 'return: true but returnArg is missing');
  if (h.returnArgAction !== undefined && !['TrackSock', 'UntrackSock'].includes(String(h.returnArgAction).replace(/^./, (c) => c.toUpperCase()))) {
    sink.add('return-arg-action', at('returnArgAction'), `returnArgAction ${show(h.returnArgAction)} is unsupported; use TrackSock or UntrackSock`);
  }

  // validateOverride: only syscalls and security_* functions (what each needs from the kernel is a feature rule).
  const overrides = arr(h.selectors).flatMap((s, i) => arr(obj(s)?.matchActions).map((a, j) => ({ i, j, a: obj(a) ?? {} })))
    .filter((x) => (str(x.a.action) ?? '').toLowerCase() === 'override');
  if (hook.kind === 'kprobes' && overrides.length > 0 && !isList && !call.startsWith('security_') && !syscall) {
    const o = overrides[0];
    sink.add('override-target', at(`selectors[${o.i}].matchActions[${o.j}]`, o.i), `Override on ${call}, which is neither a syscall nor a security_* function`);
  }
}

/**
 * Hooks that run on nearly every process all the time: an enforcing selector without a filter there kills or fails
 * calls across the whole node (every `read()`, every exec).
 */
const HOT_SYSCALLS = new Set(('read write readv writev pread64 pwrite64 preadv pwritev open openat openat2 creat close close_range mmap munmap '
  + 'mprotect brk fstat newfstat newfstatat stat newstat lstat newlstat statx lseek futex poll ppoll select pselect6 epoll_wait epoll_pwait '
  + 'recvfrom sendto recvmsg sendmsg getpid gettid clock_gettime nanosleep clock_nanosleep execve execveat clone clone3 fork vfork '
  + 'exit exit_group wait4 rt_sigaction rt_sigprocmask rt_sigreturn ioctl fcntl dup dup2 dup3 pipe pipe2 socket connect accept accept4 '
  + 'getdents64 access faccessat faccessat2 readlink readlinkat getuid geteuid getgid getegid').split(' '));
const HOT_FUNCTIONS = new Set(['security_file_permission', 'security_file_open', 'security_mmap_file', 'security_file_mprotect',
  'security_bprm_check', 'security_bprm_creds_for_exec', 'security_bprm_committing_creds', 'security_task_alloc', 'security_inode_permission',
  'security_socket_sendmsg', 'security_socket_recvmsg', 'security_socket_connect', 'fd_install', 'vfs_read', 'vfs_write', 'vfs_open',
  'do_sys_open', 'do_sys_openat2', 'do_filp_open', 'tcp_sendmsg', 'tcp_recvmsg', 'tcp_connect', 'udp_sendmsg', 'wake_up_new_task',
  'filp_close', '__fput', 'do_exit', 'commit_creds', 'file_permission', 'file_open', 'mmap_file', 'file_mprotect', 'bprm_check_security',
  'bprm_creds_for_exec', 'task_alloc', 'inode_permission', 'socket_sendmsg', 'socket_recvmsg', 'socket_connect']);
const SELECTOR_FILTERS = ['matchArgs', 'matchData', 'matchReturnArgs', 'matchBinaries', 'matchParentBinaries', 'matchNamespaces', 'matchPIDs',
  'matchCapabilities', 'matchCapabilityChanges', 'matchNamespaceChanges'];

/** Whether a hook is one of the hot ones (syscalls by bare name, kernel functions and LSM hooks by name). */
function isHot(hook: HookRef): boolean {
  const name = hook.kind === 'lsmhooks' ? str(hook.spec.hook) ?? '' : str(hook.spec.call) ?? '';
  const bare = ARCH_PREFIXES.reduce((c, p) => (c.startsWith(p) ? c.slice(p.length) : c), name).replace(/^sys_/, '');
  if (hook.kind === 'tracepoints') return /^(sys_enter|sys_exit|raw_syscalls)/.test(`${str(hook.spec.event) ?? ''}`);
  return (name.replace(/^__(x64|arm64|ia32)_/, '').startsWith('sys_') && HOT_SYSCALLS.has(bare)) || HOT_FUNCTIONS.has(name);
}

/**
 * An enforcing selector (Sigkill, Signal, Override, NotifyEnforcer) with no filter at all, on a hot hook of a policy
 * that no pod selector, container selector or namespace narrows: every matching call on every node is killed or
 * failed, the node's own services included.
 */
export function checkUnfilteredEnforcement(sink: FindingSink, hook: HookRef, scope: 'narrowed' | 'pods' | 'node'): void {
  if (scope === 'narrowed' || !isHot(hook)) return;
  // generic_calls.h: an fd argument whose descriptor FollowFD did not record aborts the event, which filters the hook.
  if (arr(hook.spec.args).some((a) => str(obj(a)?.type) === 'fd')) return;
  arr(hook.spec.selectors).forEach((s, i) => {
    const sel = obj(s) ?? {};
    if (SELECTOR_FILTERS.some((f) => arr(sel[f]).length > 0) || arr(sel.macros).length > 0) return;
    const action = arr(sel.matchActions).map((a) => str(obj(a)?.action) ?? '').find((a) => ['sigkill', 'signal', 'override', 'notifyenforcer'].includes(a.toLowerCase()));
    if (!action) return;
    sink.add('enforce-unfiltered', { hook: hook.label, selector: i, field: `${hook.path}.selectors[${i}].matchActions` },
      `${action} with no filter on ${hook.label.split(' ')[1]}, which nearly every process calls: every call ${scope === 'pods' ? 'in every pod' : 'on every node'} is `
      + `${action.toLowerCase() === 'override' ? 'failed' : 'killed'}${scope === 'pods' ? '' : ', the kubelet, the container runtime and Tetragon itself included'}`);
  });
}
