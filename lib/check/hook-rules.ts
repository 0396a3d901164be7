import { LIMITS } from '../model/limits';
import { ArgDeclaration, HookView, PolicyView, arr, str } from '../model/private/policy-reader';
import { ENFORCING_ACTIONS, LSM_ACTIONS, withoutArchPrefix } from '../model/private/vocabulary';
import { FindingSink, brief } from './finding';

/** Rules on one hook's own fields (not its selectors): syscall flag, arg types, return, counts, message, tags, actions per hook kind. */
export function checkHookRules(sink: FindingSink, hook: HookView, policy: PolicyView): void {
  const h = hook.spec;
  const at = (field: string, selector?: number) => ({ hook: hook.label, selector, field: `${hook.path}${field ? '.' + field : ''}` });
  const { args } = hook;
  const { messageLength, tagLength } = LIMITS;

  // message.go: < 2 characters is an error, > 256 is truncated.
  if (typeof h.message === 'string') {
    if (h.message.length > 0 && h.message.length < messageLength.min)
      sink.add('message-too-short', at('message'), `message ${brief(h.message)} is shorter than ${messageLength.min} characters`);
    if (h.message.length > messageLength.max)
      sink.add('message-too-long', at('message'), `message has ${h.message.length} characters and is truncated to ${messageLength.max}`);
  }
  // tags.go: at most 16, each at least 2 characters.
  const tags = arr(h.tags);
  if (tags.length > LIMITS.tagsPerHook) sink.add('tags', at('tags'), `${tags.length} tags given, at most ${LIMITS.tagsPerHook}`);
  tags.forEach((t, i) => {
    if (String(t).length < tagLength.min) sink.add('tags', at(`tags[${i}]`), `tag ${brief(t)} is shorter than ${tagLength.min} characters`);
  });

  if (hook.kind === 'kprobes' || hook.kind === 'fentries') checkKprobe(sink, hook, policy, at);

  if (hook.kind === 'lsmhooks') {
    // genericlsm.go validateLsmArg / isValidLsmSelectors.
    args.forEach((a, i) => {
      if (a.index > LIMITS.maxArgIndex)
        sink.add(
          'arg-index',
          at(`args[${i}].index`),
          `index ${brief(a.spec.index)} is above ${LIMITS.maxArgIndex}; LSM hooks read the first five arguments`,
        );
    });
    hook.selectors.forEach((sel, i) => {
      if (sel.matchReturnArgs.length > 0)
        sink.add('lsm-hook', at(`selectors[${i}].matchReturnArgs`, i), 'matchReturnArgs is not supported on LSM hooks');
      sel.matchActions.forEach((a, j) => {
        if (!a.action || !LSM_ACTIONS.has(a.action)) {
          sink.add(
            'lsm-hook',
            at(`selectors[${i}].matchActions[${j}].action`, i),
            `action ${brief(a.spec.action)} is not supported on LSM hooks; allowed: ${[...LSM_ACTIONS].join(', ')}`,
          );
        } else if (a.action === 'Post' && (a.spec.kernelStackTrace === true || a.spec.userStackTrace === true)) {
          sink.add('lsm-hook', at(`selectors[${i}].matchActions[${j}]`, i), 'stack traces are not supported on LSM hooks');
        }
      });
    });
  }

  if (hook.kind === 'tracepoints') {
    // generictracepoint.go: EventConfigMaxArgs and raw tracepoint argument bound.
    if (args.length > LIMITS.argsPerHook)
      sink.add('tracepoint-args', at('args'), `${args.length} args given, a tracepoint reads at most ${LIMITS.argsPerHook}`);
    if (h.raw === true) {
      args.forEach((a, i) => {
        if (a.index > LIMITS.maxRawTracepointArgIndex)
          sink.add(
            'arg-index',
            at(`args[${i}].index`),
            `raw tracepoint index ${brief(a.spec.index)} is above ${LIMITS.maxRawTracepointArgIndex}`,
          );
      });
    }
  }
}

function checkKprobe(
  sink: FindingSink,
  hook: HookView,
  policy: PolicyView,
  at: (f: string, s?: number) => { hook: string; selector?: number; field: string },
): void {
  const h = hook.spec;
  const { args, data } = hook;
  const call = str(h.call) ?? '';
  const isList = call.startsWith('list:');
  const syscallSet = typeof h.syscall === 'boolean';
  const syscall = h.syscall !== false; // CRD default: true
  const bare = withoutArchPrefix(call);
  const hasPrefix = bare !== call;

  // addKprobe: a list: call must name a list of spec.lists.
  if (isList && !policy.lists.has(call.slice('list:'.length))) {
    sink.add(
      'list-not-found',
      at('call'),
      `${call} names a list that spec.lists does not define: Tetragon refuses the policy ("error list not found")`,
    );
  }

  if (hook.kind === 'kprobes' && !isList && call) {
    if (!syscallSet && !bare.startsWith('sys_')) {
      sink.add(
        'implicit-syscall',
        at('syscall'),
        `syscall is not set and defaults to true, so ${call} is looked up as __x64_${bare} and the policy fails to load`,
        'Set syscall: false',
      );
    } else if (!syscallSet) {
      sink.add('explicit-syscall', at('syscall'), `syscall is not set on ${call}; it defaults to true`);
    } else if (syscall && !bare.startsWith('sys_')) {
      sink.add(
        'syscall-name',
        at('call'),
        `syscall: true on ${brief(call)}: Tetragon looks up __x64_${bare}, which is not a function`,
        `Write sys_${bare} if it is a system call, or set syscall: false`,
      );
    }
    if (hasPrefix && bare.startsWith('sys_')) {
      sink.add(
        'arch-prefix',
        at('call'),
        `${call} carries an architecture prefix; the policy only loads on that architecture`,
        `Write ${bare} with syscall: true`,
      );
    }
    if (h.syscall === false && call.startsWith('sys_')) {
      sink.add(
        'sys-without-syscall',
        at('syscall'),
        `${call} with syscall: false gets no arch prefix, and kernels since 4.17 have no ${call} symbol`,
        'Set syscall: true',
      );
    }
  }

  // validateKprobeType: auto (the CRD default) and syscall64 are refused for kprobes.
  const typeCheck = (list: readonly ArgDeclaration[], name: string) =>
    list.forEach((a, i) => {
      const t = a.spec.type;
      if (t === undefined)
        sink.add('kprobe-arg-type', at(`${name}[${i}].type`), 'type is not set and defaults to auto, which kprobes reject');
      else if (t === 'auto' || t === 'syscall64')
        sink.add('kprobe-arg-type', at(`${name}[${i}].type`), `type ${brief(t)} is invalid for kprobes`);
    });
  if (hook.kind === 'kprobes') typeCheck(args, 'args');
  if (hook.kind === 'kprobes' && hook.returnArg) typeCheck([hook.returnArg], 'returnArg');

  // addKprobe: argument bounds.
  if (args.length + data.length > LIMITS.argsPerHook)
    sink.add('max-args', at('args'), `${args.length} args + ${data.length} data given, at most ${LIMITS.argsPerHook} in total`);
  args.forEach((a, i) => {
    if (a.index > LIMITS.maxArgIndex)
      sink.add('arg-index', at(`args[${i}].index`), `index ${a.index} is out of bounds; kprobes read arguments 0..${LIMITS.maxArgIndex}`);
  });
  if (h.return === true && !hook.returnArg) sink.add('return-arg', at('returnArg'), 'return: true but returnArg is missing');
  if (
    h.returnArgAction !== undefined &&
    !['TrackSock', 'UntrackSock'].includes(String(h.returnArgAction).replace(/^./, (c) => c.toUpperCase()))
  ) {
    sink.add(
      'return-arg-action',
      at('returnArgAction'),
      `returnArgAction ${brief(h.returnArgAction)} is unsupported; use TrackSock or UntrackSock`,
    );
  }

  // validateOverride: only syscalls and security_* functions (what each needs from the kernel is a feature rule).
  const overrides = hook.selectors.flatMap((s, i) => s.matchActions.map((a, j) => ({ i, j, a }))).filter((x) => x.a.action === 'Override');
  if (hook.kind === 'kprobes' && overrides.length > 0 && !isList && !call.startsWith('security_') && !syscall) {
    const o = overrides[0];
    sink.add(
      'override-target',
      at(`selectors[${o.i}].matchActions[${o.j}]`, o.i),
      `Override on ${call}, which is neither a syscall nor a security_* function`,
    );
  }
}

/**
 * Hooks that run on nearly every process all the time: an enforcing selector without a filter there kills or fails
 * calls across the whole node (every `read()`, every exec).
 */
const HOT_SYSCALLS = new Set(
  (
    'read write readv writev pread64 pwrite64 preadv pwritev open openat openat2 creat close close_range mmap munmap ' +
    'mprotect brk fstat newfstat newfstatat stat newstat lstat newlstat statx lseek futex poll ppoll select pselect6 epoll_wait epoll_pwait ' +
    'recvfrom sendto recvmsg sendmsg getpid gettid clock_gettime nanosleep clock_nanosleep execve execveat clone clone3 fork vfork ' +
    'exit exit_group wait4 rt_sigaction rt_sigprocmask rt_sigreturn ioctl fcntl dup dup2 dup3 pipe pipe2 socket connect accept accept4 ' +
    'getdents64 access faccessat faccessat2 readlink readlinkat getuid geteuid getgid getegid'
  ).split(' '),
);
const HOT_FUNCTIONS = new Set([
  'security_file_permission',
  'security_file_open',
  'security_mmap_file',
  'security_file_mprotect',
  'security_bprm_check',
  'security_bprm_creds_for_exec',
  'security_bprm_committing_creds',
  'security_task_alloc',
  'security_inode_permission',
  'security_socket_sendmsg',
  'security_socket_recvmsg',
  'security_socket_connect',
  'fd_install',
  'vfs_read',
  'vfs_write',
  'vfs_open',
  'do_sys_open',
  'do_sys_openat2',
  'do_filp_open',
  'tcp_sendmsg',
  'tcp_recvmsg',
  'tcp_connect',
  'udp_sendmsg',
  'wake_up_new_task',
  'filp_close',
  '__fput',
  'do_exit',
  'commit_creds',
  'file_permission',
  'file_open',
  'mmap_file',
  'file_mprotect',
  'bprm_check_security',
  'bprm_creds_for_exec',
  'task_alloc',
  'inode_permission',
  'socket_sendmsg',
  'socket_recvmsg',
  'socket_connect',
]);

/** Whether a hook is one of the hot ones (syscalls by bare name, kernel functions and LSM hooks by name). */
function isHot(hook: HookView): boolean {
  const name = hook.kind === 'lsmhooks' ? (str(hook.spec.hook) ?? '') : (str(hook.spec.call) ?? '');
  const bare = withoutArchPrefix(name).replace(/^sys_/, '');
  if (hook.kind === 'tracepoints') return /^(sys_enter|sys_exit|raw_syscalls)/.test(`${str(hook.spec.event) ?? ''}`);
  return (withoutArchPrefix(name).startsWith('sys_') && HOT_SYSCALLS.has(bare)) || HOT_FUNCTIONS.has(name);
}

/**
 * An enforcing selector (Sigkill, Signal, Override, NotifyEnforcer, Set) with no filter at all, on a hot hook of a policy
 * that no pod selector, container selector or namespace narrows: every matching call on every node is killed or
 * failed, the node's own services included.
 */
export function checkUnfilteredEnforcement(sink: FindingSink, hook: HookView, scope: 'narrowed' | 'pods' | 'node'): void {
  if (scope === 'narrowed' || !isHot(hook)) return;
  // generic_calls.h: an fd argument whose descriptor FollowFD did not record aborts the event, which filters the hook.
  if (hook.args.some((a) => a.spec.type === 'fd')) return;
  hook.selectors.forEach((sel, i) => {
    if (sel.filtered || arr(sel.spec.macros).length > 0) return;
    const action = sel.matchActions.find((a) => a.action !== undefined && ENFORCING_ACTIONS.has(a.action))?.text;
    if (action === undefined) return;
    sink.add(
      'enforce-unfiltered',
      { hook: hook.label, selector: i, field: `${hook.path}.selectors[${i}].matchActions` },
      `${action} with no filter on ${hook.label.split(' ')[1]}, which nearly every process calls: every call ${scope === 'pods' ? 'in every pod' : 'on every node'} is ` +
        `${action.toLowerCase() === 'override' ? 'failed' : 'killed'}${scope === 'pods' ? '' : ', the kubelet, the container runtime and Tetragon itself included'}`,
    );
  });
}
