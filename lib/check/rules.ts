import { LIMITS } from '../model/limits';

const equal = LIMITS.equalStringLengthByKernel;

/**
 * How bad a finding is: `error` = Tetragon refuses the policy (or the API server does), `warning` = it loads but not as written,
 * `info` = worth knowing.
 */
export type Severity = 'error' | 'warning' | 'info';

/** One rule of the checker, exported as data so docs and tools can list them. */
export interface RuleInfo {
  /** Stable id, used in findings and in `test/fixtures/broken-policies/<id>.yaml`. */
  readonly id: string;
  readonly severity: Severity;
  /** What the rule catches, in one line. */
  readonly title: string;
  /** The usual fix. */
  readonly fix: string;
  /** Where Tetragon v1.7.0 implements the behaviour the rule models. */
  readonly source: string;
}

const r = (id: string, severity: Severity, title: string, fix: string, source: string): RuleInfo => ({ id, severity, title, fix, source });

/** Every rule the checker applies, grouped by family (schema, policy, hook, selector, action, filter, scope, kernel). */
export const RULES: readonly RuleInfo[] = [
  // schema
  r(
    'crd-schema',
    'error',
    'The object does not validate against the pinned TracingPolicy CRD schema (unknown fields included)',
    'Fix the field named in the message; unknown fields are pruned by the API server and never reach Tetragon',
    'pkg/k8s/apis/cilium.io/client/crds/v1alpha1/*.yaml',
  ),
  r(
    'api-version',
    'error',
    'A TracingPolicy-like object with an apiVersion or kind no CRD serves (only cilium.io/v1alpha1 TracingPolicy and TracingPolicyNamespaced exist)',
    'Write apiVersion: cilium.io/v1alpha1 and kind: TracingPolicy or TracingPolicyNamespaced',
    'pkg/k8s/apis/cilium.io/client/crds/v1alpha1/*.yaml',
  ),
  r('yaml-syntax', 'error', 'A YAML document does not parse', 'Fix the YAML syntax at the line named', 'YAML 1.2'),
  r(
    'helm-template',
    'warning',
    'The file is a Helm template ({{ ... }} actions): it is not checked as written',
    'Render it with `helm template` and check the output',
    'helm template',
  ),
  // policy
  r(
    'one-hook-kind',
    'error',
    'A policy mixes kprobes, tracepoints, lsmhooks, uprobes, usdts or fentries',
    'Split the policy: one TracingPolicy per hook kind',
    'pkg/sensors/tracing/policyhandler_linux.go',
  ),
  r(
    'unknown-option',
    'warning',
    'spec.options holds a name Tetragon does not know; it is silently ignored',
    'Use disable-kprobe-multi, disable-uprobe-multi, override-method or policy-mode',
    'pkg/sensors/tracing/options.go (getSpecOptions)',
  ),
  r(
    'option-value',
    'error',
    'A known spec.options entry has a value Tetragon cannot parse',
    'Booleans: true/false/1/0; override-method: fmod-ret|override-return; policy-mode: enforce|monitor',
    'pkg/sensors/tracing/options.go, pkg/policyconf/policyconf.go',
  ),
  r(
    'policy-mode-without-enforcement',
    'warning',
    'policy-mode: enforce on a policy with no enforcement action (it is pinned to monitor-only)',
    'Drop the option, or add a Sigkill, Signal, Override, NotifyEnforcer or Set action',
    'pkg/policyconf/policyconf.go, policyhandler_linux.go',
  ),
  r(
    'enforcing-policy',
    'info',
    'The policy enforces (Sigkill, Signal, Override, NotifyEnforcer or Set) and runs in enforce mode',
    'Set spec.options policy-mode: monitor to dry-run it first',
    'pkg/selectors/kernel.go (HasEnforcementAction)',
  ),
  r(
    'notify-enforcer-without-enforcers',
    'error',
    'NotifyEnforcer is used but spec.enforcers is empty',
    'Add spec.enforcers with the syscalls to enforce, or use Sigkill/Override',
    'pkg/sensors/tracing/generickprobe.go (preValidateKprobes)',
  ),
  r(
    'duplicate-policy-name',
    'error',
    'Two policies of the same kind share a name in one scope; one overwrites the other',
    'Give every policy a unique metadata.name',
    'Kubernetes object identity',
  ),
  r(
    'enforcer-spec',
    'error',
    'spec.enforcers holds more than one enforcer, a call that is neither a syscall nor a security_* function, or security_* calls with override-method override-return',
    'One enforcer, on syscalls and security_* functions; leave override-method out or use fmod-ret',
    'pkg/sensors/tracing/enforcer.go (createEnforcerSensor)',
  ),
  r(
    'selectors-macros',
    'error',
    'A selector uses an undefined macro, a macro uses macros, or a field is set both by a macro and the selector',
    'Define the macro in spec.selectorsMacros and set each field in one place',
    'pkg/sensors/tracing/generic.go (appendMacrosSelectors, useMacro)',
  ),
  // scope
  r(
    'host-selector',
    'error',
    'hostSelector is neither null nor {}',
    'Use hostSelector: {} to include host processes, or leave it out',
    'pkg/policyfilter/state.go',
  ),
  r(
    'namespaced-host-selector',
    'error',
    'A TracingPolicyNamespaced sets hostSelector',
    'Remove hostSelector; a namespaced policy only applies to pods of its namespace',
    'pkg/k8s/apis/cilium.io/v1alpha1/tracing_policy_types.go (XValidation)',
  ),
  r(
    'container-selector-key',
    'warning',
    'containerSelector uses a key other than name or repo; it never matches',
    'Select containers by name or repo (image repository)',
    'pkg/policyfilter/state.go (containerMatches)',
  ),
  // hook
  r(
    'implicit-syscall',
    'error',
    'A kprobe on a non-syscall function leaves out syscall, which defaults to true: the arch prefix is added and the function is not found',
    'Set syscall: false',
    'pkg/sensors/tracing/generickprobe.go (preValidateKprobe), pkg/arch/arch.go',
  ),
  r(
    'explicit-syscall',
    'info',
    'A kprobe on sys_* leaves out syscall (it defaults to true, which is right here)',
    'Write syscall: true so the intent is visible',
    'pkg/k8s/apis/cilium.io/v1alpha1/types.go (+kubebuilder:default=true)',
  ),
  r(
    'syscall-name',
    'error',
    'syscall: true on a name that is not sys_*; Tetragon prefixes it blindly (__x64_<name>) and it is not found',
    'Write sys_<name>, or set syscall: false for a kernel function',
    'pkg/arch/arch.go (AddSyscallPrefix)',
  ),
  r(
    'arch-prefix',
    'warning',
    'A syscall is written with an arch prefix (__x64_sys_*); it fails on other architectures',
    'Write sys_<name> with syscall: true; Tetragon adds the prefix of the node',
    'pkg/arch/arch.go (addSyscallPrefix)',
  ),
  r(
    'sys-without-syscall',
    'error',
    'sys_* with syscall: false: no prefix is added and modern x86/arm64 kernels have no such symbol',
    'Set syscall: true',
    'pkg/btf/validation.go',
  ),
  r(
    'list-not-found',
    'error',
    'A hook calls list:NAME but spec.lists defines no list of that name',
    'Define the list in spec.lists, or fix the name after list:',
    'pkg/sensors/tracing/generickprobe.go (addKprobe, isList)',
  ),
  r(
    'kprobe-arg-type',
    'error',
    'A kprobe argument has no type (defaults to auto) or type auto/syscall64, which kprobes reject',
    'Give every argument an explicit type (int, string, file, ...)',
    'pkg/sensors/tracing/generickprobe.go (validateKprobeType)',
  ),
  r(
    'return-arg',
    'error',
    'return: true without returnArg',
    'Add returnArg (e.g. {index: 0, type: int}) or drop return',
    'pkg/btf/validation.go, generickprobe.go',
  ),
  r(
    'return-arg-action',
    'error',
    'returnArgAction is not TrackSock or UntrackSock',
    'Use TrackSock/UntrackSock or remove returnArgAction',
    'pkg/sensors/tracing/generickprobe.go (addKprobe)',
  ),
  r(
    'max-args',
    'error',
    `More than ${LIMITS.argsPerHook} args + data on one hook`,
    `Read at most ${LIMITS.argsPerHook} values per hook; split the hook`,
    'pkg/api/tracingapi/client_kprobe.go (EventConfigMaxArgs), addKprobe',
  ),
  r(
    'arg-index',
    'error',
    `An argument index above ${LIMITS.maxArgIndex} (kprobe/LSM) or above ${LIMITS.maxRawTracepointArgIndex} (raw tracepoint)`,
    'Only the first five function arguments can be read',
    'generickprobe.go (addKprobe), genericlsm.go (validateLsmArg), generictracepoint.go',
  ),
  r(
    'message-too-short',
    'error',
    'message is 1 character long (minimum 2)',
    'Write a real message or leave it out',
    'pkg/sensors/tracing/message.go',
  ),
  r(
    'message-too-long',
    'warning',
    `message is longer than ${LIMITS.messageLength.max} characters and is truncated`,
    `Shorten the message to ${LIMITS.messageLength.max} characters`,
    'pkg/sensors/tracing/message.go',
  ),
  r(
    'tags',
    'error',
    `More than ${LIMITS.tagsPerHook} tags, or a tag shorter than ${LIMITS.tagLength.min} characters`,
    `Keep at most ${LIMITS.tagsPerHook} tags of ${LIMITS.tagLength.min}..${LIMITS.tagLength.max} characters`,
    'pkg/sensors/tracing/tags.go',
  ),
  r(
    'override-target',
    'error',
    'Override on a kprobe that is neither a syscall nor a security_* function',
    'Hook the syscall (syscall: true) or the security_* LSM function instead',
    'pkg/sensors/tracing/generickprobe.go (validateOverride)',
  ),
  r(
    'enforce-unfiltered',
    'warning',
    'A Sigkill, Signal, Override, NotifyEnforcer or Set selector with no filter on a hot hook (read, write, open, exec, mmap, ...) of a policy no pod selector narrows: every call on every node is killed or failed',
    'Add a filter (matchArgs, matchBinaries, matchNamespaces, ...) or a podSelector to the policy',
    'pkg/selectors/kernel.go (selectors without filters match every call)',
  ),
  r(
    'lsm-hook',
    'error',
    'An LSM hook uses matchReturnArgs, stack traces or an action other than Post, NoPost, Sigkill, Signal, Override',
    'Keep LSM selectors to the supported actions and filters',
    'pkg/sensors/tracing/genericlsm.go (isValidLsmSelectors)',
  ),
  r(
    'tracepoint-args',
    'error',
    `A tracepoint reads more than ${LIMITS.argsPerHook} arguments`,
    `Read at most ${LIMITS.argsPerHook} fields per tracepoint`,
    'pkg/sensors/tracing/generictracepoint.go',
  ),
  // selectors
  r(
    'max-selectors',
    'error',
    `More than ${LIMITS.selectorsPerHook} selectors on one hook`,
    'Merge selectors, or split the hook into two policies',
    'pkg/selectors/kernel.go (createKernelSelectorState, MaxSelectors)',
  ),
  r(
    'max-match-args',
    'error',
    `More than ${LIMITS.matchArgsPerSelector} matchArgs + matchData filters in one selector`,
    'Move filters into another selector (selectors are ORed, filters inside one are ANDed)',
    'pkg/selectors/kernel.go (ParseMatchArgs)',
  ),
  r(
    'match-args-index',
    'error',
    'matchArgs refers to an argument index that the hook does not read',
    'Add the argument to args, or fix the index (it is the function argument index, not the position in args)',
    'pkg/selectors/kernel.go (argIndexType)',
  ),
  r(
    'operator-type',
    'error',
    'The operator does not apply to the argument type (e.g. DPort on a string, Prefix on an int, FileType on a string)',
    'Use an operator of the argument type: strings Equal/Prefix/Postfix, numbers Equal/GT/LT/Mask/InRange, sockets SAddr/DPort/...',
    'pkg/selectors/kernel.go (parseMatchArg)',
  ),
  r(
    'max-values',
    'error',
    `More than ${LIMITS.numericValuesPerFilter} values for a numeric operator (Equal/NotEqual/GT/LT/Mask on numbers, InRange, FileType)`,
    'Split the values over several selectors, or use InMap/NotInMap',
    'pkg/selectors/kernel.go (writeMatchValues, writeMatchValuesRange)',
  ),
  r(
    'value-syntax',
    'error',
    'A value cannot be parsed for its operator and type (number, range min:max within the type width, address, port, file type, capability)',
    'Write numbers as strings in Go base-0 syntax ("0", "0x10"), ranges as "min:max", addresses as IP or CIDR',
    'pkg/selectors/kernel.go (writeMatchValues, writeMatchAddrsInMap, ...)',
  ),
  r(
    'string-length',
    'error',
    `A string value is too long: Equal > ${equal[0].bytes} bytes (${equal[1].bytes} before ${equal[0].from}, ${equal[2].bytes} before ${equal[1].from}; the oldest kernel of the set decides), Prefix > ${LIMITS.prefixLengthAccepted}, Postfix > ${LIMITS.postfixLength}`,
    'Shorten the value or match with Prefix/Postfix',
    'pkg/selectors/selectors.go (ArgStringSelectorValue), kernel.go (writePrefix, writePostfix)',
  ),
  r(
    'ipv4-mapped',
    'warning',
    'An address filter on a socket lists IPv4 addresses without their IPv4-mapped forms (::ffff:a.b.c.d): IPv6 sockets (dual-stack clients) are compared with the IPv6 values only',
    'Add ::ffff:<address>/<96 + prefix> for each IPv4 value (10.0.0.0/8 → ::ffff:10.0.0.0/104)',
    'bpf/process/types/basic.h (filter_addr_map, filter_inet)',
  ),
  r(
    'never-matches',
    'warning',
    `A filter Tetragon loads but whose BPF side can never match: a ${LIMITS.prefixLengthAccepted}-byte Prefix (BPF compares at most ${LIMITS.prefixLength} bytes), Postfix on sockaddr_un (no such case)`,
    `Shorten the prefix to ${LIMITS.prefixLength} bytes; for sockaddr_un use Equal or Prefix`,
    'bpf/process/types/basic.h (filter_char_buf_prefix, filter_sockaddr_un)',
  ),
  r(
    'substring-kprobe',
    'warning',
    'SubString/SubStringIgnCase is only wired for uprobes in 1.7.0 and needs the bpf_strnstr kfunc',
    'Use Prefix/Postfix/Equal on kprobes',
    'pkg/selectors/kernel.go, pkg/sensors/tracing/genericuprobe.go',
  ),
  // actions
  r(
    'max-actions',
    'error',
    `More than ${LIMITS.actionsPerSelector} matchActions in one selector`,
    `Keep at most ${LIMITS.actionsPerSelector} actions per selector`,
    'pkg/selectors/kernel.go (ParseMatchActions)',
  ),
  r(
    'rate-limit',
    'error',
    'rateLimit on an action other than Post, or a rateLimit/rateLimitScope Tetragon cannot parse',
    'rateLimit only on Post, as N, Ns, Nm or Nh; rateLimitScope thread|process|global',
    'pkg/selectors/kernel.go (ParseMatchAction, parseRateLimit)',
  ),
  r(
    'stack-trace-post-only',
    'error',
    'kernelStackTrace/userStackTrace on an action other than Post',
    'Move the stack trace flags to the Post action',
    'pkg/sensors/tracing/generickprobe.go (preValidateKprobe)',
  ),
  // filters
  r(
    'match-binaries',
    'error',
    `matchBinaries/matchParentBinaries: more than one per selector, an unsupported operator, a path > ${LIMITS.binaryPathLength} chars, or followChildren with an operator other than In/NotIn`,
    'One matchBinaries per selector; In/NotIn/Prefix/NotPrefix/Postfix/NotPostfix; followChildren only with In/NotIn',
    'pkg/selectors/kernel.go (ParseMatchBinary, ParseMatchBinaries)',
  ),
  r(
    'relative-path',
    'warning',
    'A relative path in matchBinaries (In, NotIn, Prefix, NotPrefix) or in Equal/Prefix on a file, path, fd or dentry argument: those are absolute, so it never matches (a Not operator never excludes)',
    'Write the absolute path, or use Postfix',
    'bpf/process/bpf_execve_event.c (read_exe), bpf/lib/bpf_d_path.h',
  ),
  r(
    'match-parent-binaries',
    'info',
    'matchParentBinaries needs the agent flag --parents-map-enabled',
    'Set tetragon.extraArgs parents-map-enabled: "true" in the Helm values',
    'pkg/selectors/kernel.go (ParseMatchBinaries)',
  ),
  r(
    'match-namespaces',
    'error',
    `matchNamespaces: more than ${LIMITS.namespaceFiltersPerSelector} filters, more than ${LIMITS.namespaceValuesPerFilter} values, values not numeric or host_ns`,
    `Use In/NotIn with up to ${LIMITS.namespaceValuesPerFilter} inode numbers or host_ns per filter`,
    'pkg/selectors/kernel.go (ParseMatchNamespace, namespaceSelectorValue)',
  ),
  r(
    'match-capabilities',
    'error',
    'matchCapabilities/matchCapabilityChanges: operator other than In/NotIn, or a capability name Tetragon does not know (it spells capability 1 DAC_OVERRIDE, so CAP_DAC_OVERRIDE is refused)',
    "Use In/NotIn with Tetragon's names: CAP_SYS_ADMIN, CAP_NET_RAW, ..., and DAC_OVERRIDE without CAP_",
    'pkg/selectors/kernel.go (ParseMatchCaps, capsStrToUint64), api/v1/tetragon/capabilities.proto',
  ),
  r(
    'match-namespace-changes',
    'error',
    'matchNamespaceChanges: more than one filter, an operator other than In/NotIn, or a namespace Tetragon does not know',
    'Use a single filter with In/NotIn and namespace names (Mnt, Net, Pid, ...)',
    'pkg/selectors/kernel.go (ParseMatchNamespaceChanges)',
  ),
  // kernel
  r(
    'kernel-missing-function',
    'error',
    'A hooked function does not exist in a kernel of the set; the whole policy fails to load there',
    'Set ignore: {callNotFound: true} on the hook, hook a function that exists, or split the policy per kernel',
    'pkg/btf/validation.go (ValidateKprobeSpec), genericlsm.go (preValidateLsm)',
  ),
  r(
    'kernel-ignored-missing',
    'info',
    'A hooked function is missing in a kernel but the hook sets ignore.callNotFound, so it is skipped there',
    'Nothing to do if the hook is optional on that kernel',
    'pkg/sensors/tracing/generickprobe.go (preValidateKprobe)',
  ),
  r(
    'kernel-arg-type',
    'warning',
    'A declared argument type does not fit the kernel parameter at that index (Tetragon only logs a warning)',
    'Change the argument type to match the kernel prototype, or hook a function whose prototype fits',
    'pkg/btf/validation.go (typesCompatible)',
  ),
  r(
    'kernel-arg-index',
    'warning',
    'An argument index is beyond the function prototype in a kernel',
    'Use an index below the number of parameters',
    'pkg/btf/validation.go (ValidateKprobeSpec)',
  ),
  r(
    'kernel-return-type',
    'warning',
    'returnArg type does not fit the function return type in a kernel',
    'Change returnArg.type to match the return type',
    'pkg/btf/validation.go (ValidateKprobeSpec)',
  ),
  r(
    'post-action-pre-511',
    'error',
    'On kernels before 5.11 a Post action followed by another action or selector is misread: the agent crashes on the first match, or later actions never run',
    'Keep a Post only in the last selector of a hook, or write it as [Post (with its rateLimit), Post, Post]; put other actions before Post, or leave matchActions out (the default Post has no rate limit)',
    'bpf/process/generic_calls.h (do_action, ima_hash under __V511_BPF_PROG), pkg/selectors/kernel.go (ParseMatchAction)',
  ),
  // kernel features (from each kernel's config and release)
  r(
    'duplicate-call',
    'error',
    'The same kprobe call appears twice in one policy, on a kernel with kprobe_multi (CONFIG_FPROBE), which attaches each symbol once',
    'Merge the hooks (selectors are ORed), or set option disable-kprobe-multi: "true"',
    'pkg/sensors/tracing/generickprobe.go (addKprobe, createGenericKprobeSensor)',
  ),
  r(
    'string-map-slots',
    'error',
    'More than 8 string filters of one family (Postfix, Prefix, or Equal on strings and paths) in one BPF program: a hook on its own, or every kprobe of the policy together on a kernel with kprobe_multi',
    'Set option disable-kprobe-multi: "true" (TracingPolicy prop disableKprobeMulti) so each kprobe gets its own maps, or split the policy',
    'bpf/process/string_maps.h (STRING_MAPS_OUTER_MAX_ENTRIES), pkg/selectors/kernel.go',
  ),
  r(
    'override-kprobe-multi',
    'error',
    'Override on a security_* function without option disable-kprobe-multi, on a kernel with kprobe_multi (fmod_ret cannot attach through it)',
    'Add spec.options: [{name: disable-kprobe-multi, value: "true"}]',
    'pkg/sensors/tracing/generickprobe.go (validateOverride)',
  ),
  r(
    'override-unsupported',
    'error',
    'Override on a kernel without the helper it needs: bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE) for syscalls, fmod_ret for security_* functions',
    'Override the security_* function that guards the call (with disable-kprobe-multi), use an LSM hook, or use Sigkill',
    'pkg/sensors/tracing/generickprobe.go (validateOverride), pkg/bpf/detect_linux.go (HasOverrideHelper, HasModifyReturn)',
  ),
  r(
    'enforcer-unsupported',
    'error',
    'spec.enforcers on a kernel without what the enforcer needs: bpf_override_return or fmod_ret on syscalls (CONFIG_FUNCTION_ERROR_INJECTION) for syscalls, fmod_ret for security_*',
    'Enforce with Sigkill, or with Override on security_* functions',
    'pkg/sensors/tracing/enforcer.go (createEnforcerSensor, selectOverrideMethod)',
  ),
  r(
    'loader-kernel',
    'error',
    'spec.loader on a kernel older than 5.19: the loader sensor is refused there',
    'Leave loader policies off older nodes, or name only kernels 5.19+ in the kernel set',
    'pkg/sensors/tracing/loader_linux.go (hasLoaderEvents)',
  ),
  r(
    'lsm-not-default',
    'warning',
    'lsmhooks on a kernel whose default LSM list (CONFIG_LSM) has no bpf: it loads only where the node boots with lsm=...,bpf',
    'Add bpf to the lsm= kernel parameter on those nodes, or hook the security_* function with a kprobe',
    'pkg/sensors/tracing/genericlsm.go (createGenericLsmSensor), pkg/bpf/detect_linux.go (detectLSM)',
  ),
  r(
    'sockaddr-un-filter',
    'warning',
    'A filter on a sockaddr_un argument on a kernel older than 5.11, where Tetragon compiles it out: it passes every call',
    'Add another filter that narrows the hook on those kernels, or leave them out of the kernel set',
    'bpf/process/types/basic.h (filter_sockaddr_un under __V511_BPF_PROG)',
  ),
  r(
    'kernel-feature-unknown',
    'warning',
    'The policy depends on a kernel feature (kprobe_multi, bpf_override_return, fmod_ret, BPF LSM, release) that the kernel table does not know',
    'Rebuild the table with `cdk8s-tetragon kernel add ... --config /proc/config.gz`',
    'lib/kernels/kernel-features.ts',
  ),
];

const BY_ID = new Map(RULES.map((x) => [x.id, x]));

/** The rule with this id. @throws on an unknown id (a programming error). */
export function rule(id: string): RuleInfo {
  const found = BY_ID.get(id);
  if (!found) throw new Error(`unknown check rule '${id}'`);
  return found;
}
