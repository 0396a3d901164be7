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
