import { FEATURE_LABELS, FeatureName, VERSION_GATES, atLeast } from '../kernels/kernel-features';
import type { KernelTable } from '../kernels/kernel-table';
import { HookView, PolicyView, arr, filterTarget, obj, optionIsTrue, str } from '../model/private/policy-reader';
import { STRING_MAP_SLOTS, stringMapSlots } from '../model/private/string-map-slots';
import { hasArchPrefix } from '../model/private/vocabulary';
import { FindingSink, Location } from './finding';

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
function perKernel(
  sink: FindingSink,
  kernels: readonly KernelTable[],
  at: Omit<Location, 'kernel'>,
  ruleId: string,
  problem: (k: KernelTable) => Answer,
  detail: (k: KernelTable) => string,
  unknown: string,
  fix?: string,
): void {
  for (const kernel of kernels) {
    const hit = problem(kernel);
    if (hit === true) sink.add(ruleId, { ...at, kernel: kernel.name }, detail(kernel), fix);
    else if (hit === undefined)
      sink.add(
        'kernel-feature-unknown',
        { ...at, kernel: kernel.name },
        `${unknown}; whether that holds on kernel ${kernel.name} is unknown (its table was made without the kernel config)`,
      );
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
export function checkFeatureRules(sink: FindingSink, policy: PolicyView, kernels: readonly KernelTable[]): void {
  if (kernels.length === 0) return;
  const spec = policy.spec;
  const multiOff = optionIsTrue(policy, 'disable-kprobe-multi');

  // addKprobe: with kprobe_multi the same symbol cannot be attached twice.
  if (!multiOff) {
    const seen = new Map<string, string>();
    for (const hook of policy.hooks.filter((h) => h.kind === 'kprobes')) {
      const call = str(hook.spec.call);
      if (!call || call.startsWith('list:')) continue;
      const prev = seen.get(call);
      if (!prev) {
        seen.set(call, hook.label);
        continue;
      }
      perKernel(
        sink,
        kernels,
        { hook: hook.label, field: `${hook.path}.call` },
        'duplicate-call',
        usesKprobeMulti,
        (k) =>
          `${call} is already hooked by ${prev}; kprobe_multi, which attaches each symbol once, is used on kernel ${k.name}: the policy fails to load there`,
        `${call} is hooked twice, which fails where kprobe_multi is used`,
      );
    }
  }

  // string_maps.h: each string filter takes one slot of an 8-entry array of maps. A kprobe on its own has its own
  // maps; with kprobe_multi every kprobe of the policy shares one program, so the slots add up across the kprobes.
  const kprobes = policy.hooks.filter((h) => h.kind === 'kprobes');
  for (const hook of policy.hooks) {
    for (const [family, count] of stringMapSlots([hook])) {
      if (count > STRING_MAP_SLOTS) {
        sink.add(
          'string-map-slots',
          { hook: hook.label, field: `${hook.path}.selectors` },
          `${count} ${family} filters in one hook; Tetragon has ${STRING_MAP_SLOTS} ${family} map slots per program: the policy fails to load ("key too big for map")`,
        );
      }
    }
  }
  if (!multiOff && kprobes.length > 1) {
    for (const [family, count] of stringMapSlots(kprobes)) {
      if (count <= STRING_MAP_SLOTS) continue;
      perKernel(
        sink,
        kernels,
        { field: 'spec.kprobes' },
        'string-map-slots',
        usesKprobeMulti,
        (k) =>
          `the ${kprobes.length} kprobes hold ${count} ${family} filters; kprobe_multi, used on kernel ${k.name}, puts them in one program with ${STRING_MAP_SLOTS} ${family} map slots: the policy fails to load there ("failed to insert string_${family}_map_${STRING_MAP_SLOTS}: key too big for map")`,
        `the kprobes hold ${count} ${family} filters, more than the ${STRING_MAP_SLOTS} slots of one kprobe_multi program`,
      );
    }
  }

  // loader_linux.go hasLoaderEvents: 5.19+ with build ids.
  if (spec.loader === true) {
    perKernel(
      sink,
      kernels,
      { field: 'spec.loader' },
      'loader-kernel',
      (k) => {
        const ok = releaseAtLeast(k, VERSION_GATES.loader);
        return ok === undefined ? undefined : !ok;
      },
      (k) =>
        `the loader sensor needs kernel ${VERSION_GATES.loader}+: the policy fails to load on kernel ${k.name}, which is older ("loader event are not supported on running kernel")`,
      `the loader sensor needs kernel ${VERSION_GATES.loader}+`,
    );
  }

  // enforcer.go createEnforcerSensor / selectOverrideMethod.
  const enforcer = obj(arr(spec.enforcers)[0]);
  if (enforcer) {
    const calls = arr(enforcer.calls).map(String);
    const isSyscall = (c: string) => {
      if (c.startsWith('list:')) return policy.lists.get(c.slice('list:'.length))?.type === 'syscalls';
      return c.startsWith('sys_') || hasArchPrefix(c);
    };
    const hasSyscall = calls.some(isSyscall);
    const hasSecurity = calls.some((c) => c.startsWith('security_'));
    const method = policy.options.get('override-method');
    // security_* forces fmod_ret; then syscalls need fmod_ret on syscalls (error injection) too.
    const needs: FeatureName[] = hasSecurity
      ? ['modifyReturn', ...(hasSyscall ? ['errorInjection' as const] : [])]
      : method === 'override-return'
        ? ['overrideReturn']
        : method === 'fmod-ret'
          ? ['modifyReturn', 'errorInjection']
          : [];
    const missing = (k: KernelTable): Answer => {
      if (needs.length > 0) {
        const vals = needs.map((n) => k.features[n]);
        return vals.includes(false) ? true : vals.includes(undefined) ? undefined : false;
      }
      if (!hasSyscall) return false;
      const { overrideReturn: o, errorInjection: e } = k.features;
      return o === true || e === true ? false : o === false && e === false ? true : undefined;
    };
    const what = needs.length
      ? needs.map((n) => FEATURE_LABELS[n]).join(' and ')
      : `${FEATURE_LABELS.overrideReturn} or ${FEATURE_LABELS.errorInjection}`;
    perKernel(
      sink,
      kernels,
      { field: 'spec.enforcers[0].calls' },
      'enforcer-unsupported',
      missing,
      (k) => `the enforcer on ${calls.join(', ')} needs ${what}, which is missing on kernel ${k.name}: the policy fails to load there`,
      `the enforcer needs ${what}`,
    );
  }

  for (const hook of policy.hooks) checkHookFeatures(sink, hook, policy, kernels, multiOff);
}

function checkHookFeatures(
  sink: FindingSink,
  hook: HookView,
  policy: PolicyView,
  kernels: readonly KernelTable[],
  multiOff: boolean,
): void {
  const h = hook.spec;

  // genericlsm.go createGenericLsmSensor: the BPF LSM must be active, which it is by default only where CONFIG_LSM lists bpf.
  if (hook.kind === 'lsmhooks' && hook.index === 0) {
    perKernel(
      sink,
      kernels,
      { hook: hook.label, field: `${hook.path}.hook` },
      'lsm-not-default',
      (k) => (k.features.bpfLsmByDefault === undefined ? undefined : !k.features.bpfLsmByDefault),
      (k) =>
        `the BPF LSM is not enabled by default on kernel ${k.name} (CONFIG_LSM has no bpf): the policy loads there only on nodes booted with lsm=...,bpf`,
      'lsmhooks need the BPF LSM enabled',
    );
  }

  // validateOverride: syscalls need bpf_override_return, security_* need fmod_ret (and no kprobe_multi).
  if (hook.kind === 'kprobes') {
    const override = hook.selectors.flatMap((s, i) => s.matchActions.map((a, j) => ({ i, j, a }))).find((x) => x.a.action === 'Override');
    if (override) {
      const at = { hook: hook.label, selector: override.i, field: `${hook.path}.selectors[${override.i}].matchActions[${override.j}]` };
      const call = str(h.call) ?? '';
      const list = call.startsWith('list:') ? policy.lists.get(call.slice('list:'.length)) : undefined;
      const calls = list ? list.values : [call];
      const syscall = h.syscall !== false || list?.type === 'syscalls';
      if (calls.some((c) => c.startsWith('security_'))) {
        perKernel(
          sink,
          kernels,
          at,
          'override-unsupported',
          (k) => (k.features.modifyReturn === undefined ? undefined : !k.features.modifyReturn),
          (k) =>
            `Override on ${call} uses ${FEATURE_LABELS.modifyReturn}, which is missing on kernel ${k.name}: the policy fails to load there`,
          `Override on ${call} needs fmod_ret`,
          'Use Sigkill, or an LSM hook (lsmhooks) with Override',
        );
        if (!multiOff) {
          perKernel(
            sink,
            kernels,
            at,
            'override-kprobe-multi',
            usesKprobeMulti,
            (k) =>
              `Override on ${call} uses fmod_ret, which kprobe_multi cannot attach, and kprobe_multi is used on kernel ${k.name}: the policy fails to load there`,
            `Override on ${call} fails where kprobe_multi is used`,
          );
        }
      } else if (syscall) {
        perKernel(
          sink,
          kernels,
          at,
          'override-unsupported',
          (k) => (k.features.overrideReturn === undefined ? undefined : !k.features.overrideReturn),
          (k) =>
            `Override on the syscall ${call} needs ${FEATURE_LABELS.overrideReturn}, which is missing on kernel ${k.name}: the policy fails to load there`,
          `Override on the syscall ${call} needs bpf_override_return`,
        );
      }
    }
  }

  // basic.h filter_sockaddr_un is compiled into the _v511 objects only: before 5.11 such a filter passes every call.
  const args = hook.args;
  hook.selectors.forEach((s, i) =>
    s.matchArgs.forEach((e, j) => {
      const declared = filterTarget(e, args, { tracepoint: hook.kind === 'tracepoints' });
      if (declared?.type !== 'sockaddr_un') return;
      perKernel(
        sink,
        kernels,
        { hook: hook.label, selector: i, field: `${hook.path}.selectors[${i}].matchArgs[${j}]` },
        'sockaddr-un-filter',
        (k) => {
          const ok = releaseAtLeast(k, VERSION_GATES.sockaddrUn);
          return ok === undefined ? undefined : !ok;
        },
        (k) =>
          `Tetragon reads and filters sockaddr_un arguments only from kernel ${VERSION_GATES.sockaddrUn} (its _v511 BPF objects); on kernel ${k.name}, which is older, this filter passes every call`,
        `a sockaddr_un filter needs kernel ${VERSION_GATES.sockaddrUn}+`,
      );
    }),
  );
}
