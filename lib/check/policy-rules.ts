import { LIMITS } from '../model/limits';
import { PolicyView, arr, obj, str } from '../model/private/policy-reader';
import { GO_BOOLS, KNOWN_OPTIONS, hasArchPrefix } from '../model/private/vocabulary';
import { CheckOptions, FindingSink, brief } from './finding';
import { checkSelector } from './selector-rules';

/** Policy-wide rules: hook kinds, options, enforcement mode, enforcers, duplicate calls, macros. */
export function checkPolicyRules(sink: FindingSink, policy: PolicyView, options: CheckOptions): void {
  const spec = policy.spec;
  // policyhandler_linux.go: only one of kprobes, tracepoints, lsmhooks, uprobes, usdts, fentries.
  const kinds = policy.hookKinds;
  if (kinds.length > 1) {
    sink.add('one-hook-kind', { field: 'spec' }, `has ${kinds.join(' and ')}; Tetragon loads only policies with a single hook kind`);
  }

  // options.go getSpecOptions: unknown names are ignored without a word; known ones must parse.
  arr(spec.options).forEach((o, i) => {
    const e = obj(o) ?? {};
    const name = str(e.name) ?? '';
    const value = e.value === undefined ? '' : String(e.value);
    const at = { field: `spec.options[${i}]` };
    if (name === 'disable-kprobe-multi' || name === 'disable-uprobe-multi') {
      if (!GO_BOOLS.has(value)) sink.add('option-value', at, `${name} = ${brief(e.value)} is not a boolean`, `Write ${name}: "true"`);
    } else if (name === 'override-method') {
      if (value !== 'fmod-ret' && value !== 'override-return')
        sink.add('option-value', at, `override-method = ${brief(e.value)} is invalid; allowed: fmod-ret, override-return`);
    } else if (name === 'policy-mode') {
      if (value !== 'enforce' && value !== 'monitor')
        sink.add('option-value', at, `policy-mode = ${brief(e.value)} is invalid; allowed: enforce, monitor`);
    } else {
      sink.add(
        'unknown-option',
        at,
        `option ${brief(name)} is unknown and Tetragon ignores it silently; known: ${KNOWN_OPTIONS.join(', ')}`,
      );
    }
  });

  // policyconf.go: a policy with no enforcement action is MonitorOnly; absent policy-mode means enforce.
  const enforces = policy.enforces;
  const mode = policy.options.get('policy-mode');
  if (mode === 'enforce' && !enforces) {
    sink.add(
      'policy-mode-without-enforcement',
      { field: 'spec.options' },
      'policy-mode is enforce but no selector has Sigkill, Signal, Override, NotifyEnforcer or Set; the policy stays monitor-only',
    );
  }
  if (enforces && mode !== 'monitor') {
    sink.add(
      'enforcing-policy',
      { field: 'spec.options' },
      `enforces in ${mode === 'enforce' ? 'enforce' : 'the default enforce'} mode: matching processes are killed or calls fail`,
    );
  }

  // preValidateKprobes / preValidateTracepoints: NotifyEnforcer needs spec.enforcers.
  if (arr(spec.enforcers).length === 0) {
    for (const hook of policy.hooks) {
      hook.selectors.forEach((s, i) =>
        s.matchActions.forEach((a, j) => {
          if (a.action === 'NotifyEnforcer') {
            sink.add(
              'notify-enforcer-without-enforcers',
              { hook: hook.label, selector: i, field: `${hook.path}.selectors[${i}].matchActions[${j}]` },
              'NotifyEnforcer is used but spec.enforcers is empty',
            );
          }
        }),
      );
    }
  }

  // enforcer.go createEnforcerSensor: one enforcer, on syscalls and security_* functions only, override-return not on security_*.
  const enforcers = arr(spec.enforcers);
  if (enforcers.length > LIMITS.enforcersPerPolicy)
    sink.add(
      'enforcer-spec',
      { field: 'spec.enforcers' },
      `${enforcers.length} enforcers given; Tetragon supports a single enforcer`,
      'Put all calls into one enforcer',
    );
  const calls = arr(obj(enforcers[0])?.calls).map(String);
  calls.forEach((c, i) => {
    if (c.startsWith('list:') || c.startsWith('sys_') || c.startsWith('security_') || hasArchPrefix(c)) return;
    sink.add(
      'enforcer-spec',
      { field: `spec.enforcers[0].calls[${i}]` },
      `${brief(c)} is neither a syscall nor a security_* function; the enforcer sensor refuses it`,
    );
  });
  if (policy.options.get('override-method') === 'override-return' && calls.some((c) => c.startsWith('security_'))) {
    sink.add(
      'enforcer-spec',
      { field: 'spec.options' },
      'override-method override-return with security_* enforcer calls: Tetragon refuses it ("can\'t override security function with override-return")',
      'Drop override-method, or set it to fmod-ret',
    );
  }

  // generic.go appendMacrosSelectors / useMacro.
  for (const [name, macro] of policy.macros) {
    if (macro.macros.length > 0)
      sink.add(
        'selectors-macros',
        { field: `spec.selectorsMacros.${name}.macros` },
        `macro ${brief(name)} uses other macros, which is not allowed`,
      );
    checkSelector(sink, undefined, macro, undefined, `selectorsMacros.${name}`, options);
  }
  const macroSpecs = obj(spec.selectorsMacros) ?? {};
  for (const hook of policy.hooks) {
    hook.selectors.forEach((sel, i) => {
      for (const [j, used] of arr(sel.spec.macros).entries()) {
        const at = { hook: hook.label, selector: i, field: `${hook.path}.selectors[${i}].macros[${j}]` };
        const macro = obj(macroSpecs[String(used)]);
        if (!macro) {
          sink.add('selectors-macros', at, `macro ${brief(used)} is not defined in spec.selectorsMacros`);
          continue;
        }
        for (const field of Object.keys(macro)) {
          if (field !== 'macros' && arr(sel.spec[field]).length > 0)
            sink.add('selectors-macros', at, `${field} is set both in the selector and in macro ${brief(used)}`);
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
    } else if (
      Object.keys(obj(host) ?? { x: 1 }).some((k) => arr(obj(host)?.[k]).length > 0 || Object.keys(obj(obj(host)?.[k]) ?? {}).length > 0)
    ) {
      sink.add(
        'host-selector',
        { field: 'spec.hostSelector' },
        `hostSelector ${brief(host)} is not supported; only null (default) or {} (all host processes)`,
      );
    }
  }
  // policyfilter/state.go: containers are matched on the fields name and repo only.
  const cs = obj(spec.containerSelector);
  if (cs) {
    const keys = [...Object.keys(obj(cs.matchLabels) ?? {}), ...arr(cs.matchExpressions).map((e) => str(obj(e)?.key) ?? '')];
    for (const key of keys) {
      if (key !== 'name' && key !== 'repo')
        sink.add(
          'container-selector-key',
          { field: 'spec.containerSelector' },
          `key ${brief(key)} never matches; containers have only name and repo`,
        );
    }
  }
}
