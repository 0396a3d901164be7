import { FEATURE_LABELS, FeatureName, VERSION_GATES, atLeast } from '../kernels/kernel-features';
import type { KernelTable } from '../kernels/kernel-table';
import { FindingSink, HookRef, Location, arr, hooksOf, obj, str } from './finding';

const GO_TRUE = /^(1|t|true)$/i;
const ARCH_PREFIXES = ['__x64_', '__arm64_', '__ia32_'];

/** Whether a policy sets `disable-kprobe-multi` to a true value. */
function kprobeMultiDisabled(spec: Record<string, unknown>): boolean {
  const o = arr(spec.options).map((x) => obj(x) ?? {}).find((x) => x.name === 'disable-kprobe-multi');
  return !!o && GO_TRUE.test(String(o.value ?? ''));
}

/** A kernel's answer to a feature question: true, false, or undefined when its table does not know. */
type Answer = boolean | undefined;

/** Whether a kernel's release is at least `version`; undefined when the release is unknown. */
function releaseAtLeast(kernel: KernelTable, version: string): Answer {
  return kernel.features.release ? atLeast(kernel.features.release, version) : undefined;
}

/**
 * Reports, per kernel, a finding where `problem(kernel)` is true and a `kernel-feature-unknown` warning where the
 * kernel's table cannot tell.
 */
function perKernel(sink: FindingSink, kernels: readonly KernelTable[], at: Omit<Location, 'kernel'>, ruleId: string,
  problem: (k: KernelTable) => Answer, detail: (k: KernelTable) => string, unknown: string, fix?: string): void {
  for (const kernel of kernels) {
    const hit = problem(kernel);
    if (hit === true) sink.add(ruleId, { ...at, kernel: kernel.name }, detail(kernel), fix);
    else if (hit === undefined) sink.add('kernel-feature-unknown', { ...at, kernel: kernel.name }, `${unknown}; whether that holds on kernel ${kernel.name} is unknown (its table was made without the kernel config)`);
  }
}

/** Whether a kernel uses kprobe_multi for a policy, as `createGenericKprobeSensor` decides. */
function usesKprobeMulti(kernel: KernelTable): Answer {
  return kernel.features.kprobeMulti;
}

/**
 * Kernel-feature rules of a whole policy: what Tetragon decides from the running kernel rather than from the
 * policy text (kprobe_multi, bpf_override_return, fmod_ret, BPF LSM, version gates).
 */
export function checkFeatureRules(sink: FindingSink, spec: Record<string, unknown>, kernels: readonly KernelTable[]): void {
  if (kernels.length === 0) return;
  const multiOff = kprobeMultiDisabled(spec);

  // addKprobe: with kprobe_multi the same symbol cannot be attached twice.
  if (!multiOff) {
    const seen = new Map<string, string>();
    for (const hook of hooksOf(spec).filter((h) => h.kind === 'kprobes')) {
      const call = str(hook.spec.call);
      if (!call || call.startsWith('list:')) continue;
      const prev = seen.get(call);
      if (!prev) { seen.set(call, hook.label); continue; }
      perKernel(sink, kernels, { hook: hook.label, field: `${hook.path}.call` }, 'duplicate-call', usesKprobeMulti,
        (k) => `${call} is already hooked by ${prev}; kprobe_multi, which attaches each symbol once, is used on kernel ${k.name}: the policy fails to load there`,
        `${call} is hooked twice, which fails where kprobe_multi is used`);
    }
  }

  // loader_linux.go hasLoaderEvents: 5.19+ with build ids.
  if (spec.loader === true) {
    perKernel(sink, kernels, { field: 'spec.loader' }, 'loader-kernel', (k) => { const ok = releaseAtLeast(k, VERSION_GATES.loader); return ok === undefined ? undefined : !ok; },
      (k) => `the loader sensor needs kernel ${VERSION_GATES.loader}+: the policy fails to load on kernel ${k.name}, which is older ("loader event are not supported on running kernel")`,
      `the loader sensor needs kernel ${VERSION_GATES.loader}+`);
  }

  // enforcer.go createEnforcerSensor / selectOverrideMethod.
  const enforcer = obj(arr(spec.enforcers)[0]);
  if (enforcer) {
    const calls = arr(enforcer.calls).map(String);
    const lists = arr(spec.lists).map((l) => obj(l) ?? {});
    const isSyscall = (c: string) => {
      if (c.startsWith('list:')) return str(lists.find((l) => l.name === c.slice(5))?.type) === 'syscalls';
      return c.startsWith('sys_') || ARCH_PREFIXES.some((p) => c.startsWith(p));
    };
    const hasSyscall = calls.some(isSyscall);
    const hasSecurity = calls.some((c) => c.startsWith('security_'));
    const method = str(arr(spec.options).map((x) => obj(x) ?? {}).find((x) => x.name === 'override-method')?.value);
    // security_* forces fmod_ret; then syscalls need fmod_ret on syscalls (error injection) too.
    const needs: FeatureName[] = hasSecurity ? ['modifyReturn', ...(hasSyscall ? ['errorInjection' as const] : [])]
      : method === 'override-return' ? ['overrideReturn'] : method === 'fmod-ret' ? ['modifyReturn', 'errorInjection'] : [];
    const missing = (k: KernelTable): Answer => {
      if (needs.length > 0) {
        const vals = needs.map((n) => k.features[n]);
        return vals.includes(false) ? true : vals.includes(undefined) ? undefined : false;
      }
      if (!hasSyscall) return false;
      const { overrideReturn: o, errorInjection: e } = k.features;
      return o === true || e === true ? false : o === false && e === false ? true : undefined;
    };
    const what = needs.length ? needs.map((n) => FEATURE_LABELS[n]).join(' and ') : `${FEATURE_LABELS.overrideReturn} or ${FEATURE_LABELS.errorInjection}`;
    perKernel(sink, kernels, { field: 'spec.enforcers[0].calls' }, 'enforcer-unsupported', missing,
      (k) => `the enforcer on ${calls.join(', ')} needs ${what}, which is missing on kernel ${k.name}: the policy fails to load there`,
      `the enforcer needs ${what}`);
  }

  for (const hook of hooksOf(spec)) checkHookFeatures(sink, hook, spec, kernels, multiOff);
}

function checkHookFeatures(sink: FindingSink, hook: HookRef, spec: Record<string, unknown>, kernels: readonly KernelTable[], multiOff: boolean): void {
  const h = hook.spec;

  // genericlsm.go createGenericLsmSensor: the BPF LSM must be active, which it is by default only where CONFIG_LSM lists bpf.
  if (hook.kind === 'lsmhooks' && hook.index === 0) {
    perKernel(sink, kernels, { hook: hook.label, field: `${hook.path}.hook` }, 'lsm-not-default', (k) => (k.features.bpfLsmByDefault === undefined ? undefined : !k.features.bpfLsmByDefault),
      (k) => `the BPF LSM is not enabled by default on kernel ${k.name} (CONFIG_LSM has no bpf): the policy loads there only on nodes booted with lsm=...,bpf`,
      'lsmhooks need the BPF LSM enabled');
  }

  // validateOverride: syscalls need bpf_override_return, security_* need fmod_ret (and no kprobe_multi).
  if (hook.kind === 'kprobes') {
    const override = arr(h.selectors).flatMap((s, i) => arr(obj(s)?.matchActions).map((a, j) => ({ i, j, a: obj(a) ?? {} })))
      .find((x) => (str(x.a.action) ?? '').toLowerCase() === 'override');
    if (override) {
      const at = { hook: hook.label, selector: override.i, field: `${hook.path}.selectors[${override.i}].matchActions[${override.j}]` };
      const call = str(h.call) ?? '';
      const list = call.startsWith('list:') ? arr(spec.lists).map((l) => obj(l) ?? {}).find((l) => l.name === call.slice(5)) : undefined;
      const calls = list ? arr(list.values).map(String) : [call];
      const syscall = h.syscall !== false || str(list?.type) === 'syscalls';
      if (calls.some((c) => c.startsWith('security_'))) {
        perKernel(sink, kernels, at, 'override-unsupported', (k) => (k.features.modifyReturn === undefined ? undefined : !k.features.modifyReturn),
          (k) => `Override on ${call} uses ${FEATURE_LABELS.modifyReturn}, which is missing on kernel ${k.name}: the policy fails to load there`,
          `Override on ${call} needs fmod_ret`, 'Use Sigkill, or an LSM hook (lsmhooks) with Override');
        if (!multiOff) {
          perKernel(sink, kernels, at, 'override-kprobe-multi', usesKprobeMulti,
            (k) => `Override on ${call} uses fmod_ret, which kprobe_multi cannot attach, and kprobe_multi is used on kernel ${k.name}: the policy fails to load there`,
            `Override on ${call} fails where kprobe_multi is used`);
        }
      } else if (syscall) {
        perKernel(sink, kernels, at, 'override-unsupported', (k) => (k.features.overrideReturn === undefined ? undefined : !k.features.overrideReturn),
          (k) => `Override on the syscall ${call} needs ${FEATURE_LABELS.overrideReturn}, which is missing on kernel ${k.name}: the policy fails to load there`,
          `Override on the syscall ${call} needs bpf_override_return`);
      }
    }
  }

  // basic.h filter_sockaddr_un is compiled into the _v511 objects only: before 5.11 such a filter passes every call.
  const args = arr(h.args).map((a) => obj(a) ?? {});
  arr(h.selectors).forEach((s, i) => arr(obj(s)?.matchArgs).forEach((m, j) => {
    const e = obj(m) ?? {};
    const byPosition = arr(e.args);
    const declared = byPosition.length > 0 ? args[Number(byPosition[0])] : args.find((a) => Number(a.index ?? 0) === Number(e.index ?? 0));
    if (str(declared?.type) !== 'sockaddr_un') return;
    perKernel(sink, kernels, { hook: hook.label, selector: i, field: `${hook.path}.selectors[${i}].matchArgs[${j}]` }, 'sockaddr-un-filter',
      (k) => { const ok = releaseAtLeast(k, VERSION_GATES.sockaddrUn); return ok === undefined ? undefined : !ok; },
      (k) => `Tetragon reads and filters sockaddr_un arguments only from kernel ${VERSION_GATES.sockaddrUn} (its _v511 BPF objects); on kernel ${k.name}, which is older, this filter passes every call`,
      `a sockaddr_un filter needs kernel ${VERSION_GATES.sockaddrUn}+`);
  }));
}
