import { CheckOptions, FindingSink, HOOK_KINDS, arr, hasEnforcement, hooksOf, obj, show, str } from './finding';
import { checkSelector } from './selector-rules';

const ARCH_PREFIXES = ['__x64_', '__arm64_', '__ia32_'];

// Go strconv.ParseBool.
const GO_BOOLS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Policy-wide rules: hook kinds, options, enforcement mode, enforcers, duplicate calls, macros. */
export function checkPolicyRules(sink: FindingSink, spec: Record<string, unknown>, options: CheckOptions): void {
  // policyhandler_linux.go: only one of kprobes, tracepoints, lsmhooks, uprobes, usdts, fentries.
  const kinds = HOOK_KINDS.filter((k) => arr(spec[k]).length > 0);
  if (kinds.length > 1) {
    sink.add('one-hook-kind', { field: 'spec' }, `has ${kinds.join(' and ')}; Tetragon loads only policies with a single hook kind`);
  }

  // options.go getSpecOptions: unknown names are ignored without a word; known ones must parse.
  const opts = new Map<string, string>();
  arr(spec.options).forEach((o, i) => {
    const e = obj(o) ?? {};
    const name = str(e.name) ?? '';
    const value = e.value === undefined ? '' : String(e.value);
    const at = { field: `spec.options[${i}]` };
    opts.set(name, value);
    if (name === 'disable-kprobe-multi' || name === 'disable-uprobe-multi') {
      if (!GO_BOOLS.has(value)) sink.add('option-value', at, `${name} = ${show(e.value)} is not a boolean`, `Write ${name}: "true"`);
    } else if (name === 'override-method') {
      if (value !== 'fmod-ret' && value !== 'override-return') sink.add('option-value', at, `override-method = ${show(e.value)} is invalid; allowed: fmod-ret, override-return`);
    } else if (name === 'policy-mode') {
      if (value !== 'enforce' && value !== 'monitor') sink.add('option-value', at, `policy-mode = ${show(e.value)} is invalid; allowed: enforce, monitor`);
    } else {
      const near = ['disable-kprobe-multi', 'disable-uprobe-multi', 'override-method', 'policy-mode'];
      sink.add('unknown-option', at, `option ${show(name)} is unknown and Tetragon ignores it silently; known: ${near.join(', ')}`);
    }
  });

  // policyconf.go: a policy with no enforcement action is MonitorOnly; absent policy-mode means enforce.
  const enforces = hasEnforcement(spec);
  const mode = opts.get('policy-mode');
  if (mode === 'enforce' && !enforces) {
    sink.add('policy-mode-without-enforcement', { field: 'spec.options' }, 'policy-mode is enforce but no selector has Sigkill, Signal, Override or NotifyEnforcer; the policy stays monitor-only');
  }
  if (enforces && mode !== 'monitor') {
    sink.add('enforcing-policy', { field: 'spec.options' }, `enforces in ${mode === 'enforce' ? 'enforce' : 'the default enforce'} mode: matching processes are killed or calls fail`);
  }

  // preValidateKprobes / preValidateTracepoints: NotifyEnforcer needs spec.enforcers.
  if (arr(spec.enforcers).length === 0) {
    for (const hook of hooksOf(spec)) {
      arr(hook.spec.selectors).forEach((s, i) => arr(obj(s)?.matchActions).forEach((a, j) => {
        if ((str(obj(a)?.action) ?? '').toLowerCase() === 'notifyenforcer') {
          sink.add('notify-enforcer-without-enforcers', { hook: hook.label, selector: i, field: `${hook.path}.selectors[${i}].matchActions[${j}]` },
            'NotifyEnforcer is used but spec.enforcers is empty');
        }
      }));
    }
  }

  // enforcer.go createEnforcerSensor: one enforcer, on syscalls and security_* functions only, override-return not on security_*.
  const enforcers = arr(spec.enforcers);
  if (enforcers.length > 1) sink.add('enforcer-spec', { field: 'spec.enforcers' }, `${enforcers.length} enforcers given; Tetragon supports a single enforcer`, 'Put all calls into one enforcer');
  const calls = arr(obj(enforcers[0])?.calls).map(String);
  calls.forEach((c, i) => {
    if (c.startsWith('list:') || c.startsWith('sys_') || c.startsWith('security_') || ARCH_PREFIXES.some((p) => c.startsWith(p))) return;
    sink.add('enforcer-spec', { field: `spec.enforcers[0].calls[${i}]` }, `${show(c)} is neither a syscall nor a security_* function; the enforcer sensor refuses it`);
  });
  if (opts.get('override-method') === 'override-return' && calls.some((c) => c.startsWith('security_'))) {
    sink.add('enforcer-spec', { field: 'spec.options' }, 'override-method override-return with security_* enforcer calls: Tetragon refuses it ("can\'t override security function with override-return")', 'Drop override-method, or set it to fmod-ret');
  }

  // generic.go appendMacrosSelectors / useMacro.
  const macros = obj(spec.selectorsMacros) ?? {};
  for (const [name, m] of Object.entries(macros)) {
    const macro = obj(m) ?? {};
    if (arr(macro.macros).length > 0) sink.add('selectors-macros', { field: `spec.selectorsMacros.${name}.macros` }, `macro ${show(name)} uses other macros, which is not allowed`);
    checkSelector(sink, undefined, macro, undefined, `selectorsMacros.${name}`, [], [], options);
  }
  for (const hook of hooksOf(spec)) {
    arr(hook.spec.selectors).forEach((s, i) => {
      const sel = obj(s) ?? {};
      for (const [j, used] of arr(sel.macros).entries()) {
        const at = { hook: hook.label, selector: i, field: `${hook.path}.selectors[${i}].macros[${j}]` };
        const macro = obj(macros[String(used)]);
        if (!macro) { sink.add('selectors-macros', at, `macro ${show(used)} is not defined in spec.selectorsMacros`); continue; }
        for (const field of Object.keys(macro)) {
          if (field !== 'macros' && arr(sel[field]).length > 0) sink.add('selectors-macros', at, `${field} is set both in the selector and in macro ${show(used)}`);
        }
      }
    });
  }
}

/** podSelector / containerSelector / hostSelector rules. */
export function checkScopeRules(sink: FindingSink, kind: string, spec: Record<string, unknown>): void {
  const host = spec.hostSelector;
  if (host !== undefined && host !== null) {
    if (kind === 'TracingPolicyNamespaced') {
      sink.add('namespaced-host-selector', { field: 'spec.hostSelector' }, 'a TracingPolicyNamespaced cannot select host processes');
    } else if (Object.keys(obj(host) ?? { x: 1 }).some((k) => arr(obj(host)?.[k]).length > 0 || Object.keys(obj(obj(host)?.[k]) ?? {}).length > 0)) {
      sink.add('host-selector', { field: 'spec.hostSelector' }, `hostSelector ${show(host)} is not supported; only null (default) or {} (all host processes)`);
    }
  }
  // policyfilter/state.go: containers are matched on the fields name and repo only.
  const cs = obj(spec.containerSelector);
  if (cs) {
    const keys = [...Object.keys(obj(cs.matchLabels) ?? {}), ...arr(cs.matchExpressions).map((e) => str(obj(e)?.key) ?? '')];
    for (const key of keys) {
      if (key !== 'name' && key !== 'repo') sink.add('container-selector-key', { field: 'spec.containerSelector' }, `key ${show(key)} never matches; containers have only name and repo`);
    }
  }
}
