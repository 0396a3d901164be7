/**
 * The published proof: per-kernel reports trimmed for committing (no machine paths, evidence only where a
 * result needs it) and rendered as a Markdown page: the kernel × policy matrix with `check`'s agreement,
 * the scenario results, the container runtimes, and the timings and memory of each kernel's run.
 */
import { basename, isAbsolute, relative, sep } from 'node:path';
import { KernelReport, PolicyResult, ScenarioResult, kernelCounts, percent } from './report';
import { RUNTIME_ACTIONS, runtimeScenarioParts } from './runtime-scenarios';

/** One kernel's report as committed next to the page. */
export type PublishedKernel = Omit<KernelReport, 'artifacts'> & { readonly agent: string; readonly date: string };

/** Trims a kernel report for publishing: policy files relative to `root`, evidence kept only for non-passing results. */
export function publishKernel(k: KernelReport, agent: string, date: string, root: string): PublishedKernel {
  const { artifacts: _artifacts, ...rest } = k;
  return {
    ...rest,
    agent,
    date,
    policies: k.policies.map((p) => ({
      ...p,
      file: !isAbsolute(p.file) ? p.file : p.file.startsWith(root + sep) ? relative(root, p.file) : basename(p.file),
    })),
    scenarios: k.scenarios.map((s) => {
      if (s.status === 'pass' || s.status === 'not-applicable') {
        const { evidence: _e, ...trimmed } = s;
        return trimmed;
      }
      return { ...s, ...(s.evidence ? { evidence: s.evidence.slice(0, 1) } : {}) };
    }),
  };
}

function mib(bytes?: number): string {
  return bytes === undefined ? '–' : `${Math.round(bytes / 1048576)} MiB`;
}

function minutes(s?: number): string {
  if (s === undefined) return '–';
  return s >= 90 ? `${(s / 60).toFixed(1)} min` : `${Math.round(s)} s`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function short(text: string, max = 90): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function loadCell(p?: PolicyResult): string {
  if (!p) return '–';
  const mark = p.state === 'loaded' ? 'loaded' : p.state === 'not-run' ? 'not run' : `**${p.state}**`;
  const check = p.agreement === 'agree' ? '' : p.agreement === 'disagree' ? ` ≠ check (predicted ${p.predicted})` : '';
  return `${mark}${p.loadSeconds !== undefined ? ` (${Math.round(p.loadSeconds)} s)` : ''}${check}`;
}

const STATUS: Record<ScenarioResult['status'], string> = {
  pass: 'pass',
  fail: '**FAIL**',
  'known-limit': 'known limit',
  unproven: 'unproven (pod scope)',
  'not-applicable': 'n/a (policy refused)',
  'not-run': '**not run**',
};

/** The Markdown page for a set of kernel reports (one per release, oldest first). */
export function renderVerificationPage(kernels: readonly PublishedKernel[]): string {
  const ks = [...kernels].sort((a, b) => a.release.localeCompare(b.release, 'en', { numeric: true }));
  const L: string[] = [];
  L.push('# Verified on the real agent', '');
  L.push(
    'This page is generated from the reports of `cdk8s-tetragon verify` (`npm run e2e -- --kernel …`, then `npm run e2e:docs`);',
    'the reports themselves are in [verification/](verification/). Each kernel was booted once in QEMU with the Tetragon agent;',
    "every policy the library can emit was added with `tetra tracingpolicy add`, one after another, and every scenario's trigger ran",
    'between two marker execs, so each exported event is attributed to the trigger that caused it. How it works and how to run it on',
    'your own policies: [verify.md](verify.md).',
    '',
  );
  L.push('## Kernels', '');
  L.push(
    '| Kernel | Agent | runc | Accelerator | Run | Agent ready | Loading policies | Triggers | Guest memory (peak) | Agent RSS (peak) | QEMU RSS (peak) |',
  );
  L.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const k of ks) {
    L.push(
      `| ${k.title}: \`${k.kernel ?? '?'}\` (${k.kernelVersion ?? '?'}), ${k.date} | ${k.agent} | ${k.runtimes.map((r) => `${r.version.replace(/^runc version /, '')} (${r.suite})`).join(', ')} | ${k.accelerator.toUpperCase()} ` +
        `| ${minutes(k.timings.totalSeconds)} | ${minutes(k.timings.agentReadySeconds)} | ${minutes(k.timings.policiesSeconds)} | ${minutes(k.timings.triggersSeconds)} ` +
        `| ${mib(k.memory.guestPeakUsedBytes)} of ${mib(k.memory.guestTotalBytes)} | ${mib(k.memory.agentPeakRssBytes)} | ${mib(k.memory.qemuPeakRssBytes)} |`,
    );
  }
  L.push('');
  L.push(
    '| Kernel | Policies loaded | refused | ≠ check | Scenarios pass | fail | known limit | unproven | n/a | not run | Simulator = agent | Agent crashes |',
  );
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const k of ks) {
    const c = kernelCounts(k);
    L.push(
      `| ${k.release} | ${c.loaded} | ${c.refused} | ${c.loadDisagreements} | ${c.pass} | ${c.fail} | ${c.knownLimit} | ${c.unproven} | ${c.notApplicable} | ${c.notRun} | ${percent(c.modelAgrees, c.ran)} of ${c.ran} | ${k.crashes.length} |`,
    );
  }
  L.push('');

  // The matrix (variants loaded only for scenario props are listed after it).
  const names = [...new Set(ks.flatMap((k) => k.policies.filter((p) => !p.variantOf).map((p) => p.name)))];
  L.push('## Policies × kernels', '');
  L.push(
    'Load state on the real agent (seconds `tetra tracingpolicy add` took under the accelerator above), and whether `check` predicted it',
    '(`≠ check` marks a disagreement). Pod-scoped policies (†) are loaded as their pod-less variant: an agent outside Kubernetes has no pod',
    'identity and refuses them with `policyfilter is disabled`.',
    '',
  );
  L.push(`| Policy | ${ks.map((k) => k.release).join(' | ')} |`);
  L.push(`|---|${ks.map(() => '---').join('|')}|`);
  for (const n of names) {
    const any = ks.map((k) => k.policies.find((p) => p.name === n)).find(Boolean)!;
    L.push(`| \`${n}\`${any.podLess ? ' †' : ''} | ${ks.map((k) => cell(loadCell(k.policies.find((p) => p.name === n)))).join(' | ')} |`);
  }
  L.push('');
  const variants = [...new Set(ks.flatMap((k) => k.policies.filter((p) => p.variantOf).map((p) => `\`${p.name}\` (${p.file})`)))];
  if (variants.length) {
    L.push(`Loaded as well, for scenarios that need a construct with other props: ${variants.join(', ')}.`, '');
  }
  const refusals = ks.flatMap((k) => k.policies.filter((p) => p.state !== 'loaded' && p.state !== 'not-run').map((p) => ({ k, p })));
  if (refusals.length) {
    L.push('Refusals and errors, as the agent gave them:', '');
    for (const { k, p } of refusals) {
      L.push(
        `- ${k.release}, \`${p.name}\`: ${cell(short(p.error ?? 'no reason given', 240))}${p.agreement === 'agree' ? ` (check predicted it: ${cell(short(p.predictedReasons[0] ?? '', 160))})` : ' — **check predicted a load**'}`,
      );
    }
    L.push('');
  }

  // Scenarios of the catalog.
  const ids = [...new Set(ks.flatMap((k) => k.scenarios.filter((s) => !runtimeScenarioParts(s.id)).map((s) => s.id)))];
  L.push('## Scenarios × kernels', '');
  L.push(
    "Each scenario is one action with the verdict one policy owes it: `catch` (at least one event of the policy in the trigger's",
    'window) or `ignore` (none). `pass` means the agent, the simulator and the expectation agree.',
    '',
  );
  L.push(`| Scenario | Expect | ${ks.map((k) => k.release).join(' | ')} |`);
  L.push(`|---|---|${ks.map(() => '---').join('|')}|`);
  for (const id of ids) {
    const first = ks.map((k) => k.scenarios.find((s) => s.id === id)).find(Boolean)!;
    L.push(
      `| \`${id}\` | ${first.expect} | ${ks
        .map((k) => {
          const s = k.scenarios.find((x) => x.id === id);
          return s ? STATUS[s.status] : '–';
        })
        .join(' | ')} |`,
    );
  }
  L.push('');

  // Runtime noise, compact: one row per policy, one column per runtime action.
  const runtime = ks.flatMap((k) => k.scenarios.map((s) => ({ k, s, parts: runtimeScenarioParts(s.id) }))).filter((x) => x.parts);
  if (runtime.length) {
    const suites = [...new Set(runtime.map((x) => x.parts!.suite))];
    const columns = suites.flatMap((suite) => RUNTIME_ACTIONS.map((action) => ({ suite, action })));
    L.push('## Container runtime noise', '');
    L.push(
      "A container start, `runc exec` as root and as a user, a container whose entrypoint is `sh -c`, and an exec'd shell, with each",
      "runc, judged for every loaded policy: it must stay silent unless it promises the event (the shell monitor on an exec'd shell).",
      'A cell shows the status on every kernel when they all agree, else the kernels per status.',
      '',
    );
    L.push(`| Policy | ${columns.map((c) => `${c.action} (${c.suite})`).join(' | ')} |`);
    L.push(`|---|${columns.map(() => '---').join('|')}|`);
    for (const policy of [...new Set(runtime.map((x) => x.parts!.policy))]) {
      const cells = columns.map(({ suite, action }) => {
        const hits = runtime.filter((x) => x.parts!.policy === policy && x.parts!.suite === suite && x.parts!.action === action);
        const statuses = [...new Set(hits.map((x) => x.s.status))];
        if (statuses.length === 0) return '–';
        if (statuses.length === 1) return STATUS[statuses[0]];
        return statuses
          .map(
            (st) =>
              `${STATUS[st]}: ${hits
                .filter((x) => x.s.status === st)
                .map((x) => x.k.release)
                .join(', ')}`,
          )
          .join('; ');
      });
      L.push(`| \`${policy}\` | ${cells.join(' | ')} |`);
    }
    L.push('');
  }

  // Everything that is not a pass.
  const notes = ks.flatMap((k) => k.scenarios.filter((s) => s.status !== 'pass' && s.status !== 'not-applicable').map((s) => ({ k, s })));
  const crashes = ks.flatMap((k) => k.crashes.map((c) => ({ k, c })));
  const problems = ks.flatMap((k) => k.problems.map((p) => ({ k, p })));
  if (notes.length || crashes.length || problems.length) {
    L.push('## Disagreements and limits', '');
    for (const { k, c } of crashes)
      L.push(
        `- **${k.release}: the agent crashed** at ${c.at}${c.exitCode !== undefined ? ` (exit ${c.exitCode})` : ''}:`,
        '',
        '  ```',
        ...c.excerpt
          .split('\n')
          .slice(0, 8)
          .map((l) => `  ${l}`),
        '  ```',
        '',
      );
    for (const { k, p } of problems) L.push(`- ${k.release}: ${cell(p)}`);
    for (const { k, s } of notes) L.push(`- ${k.release}, \`${s.id}\` (${STATUS[s.status]}): ${cell(s.reason ?? '')}`);
    L.push('');
  }

  // Noise the agent reported outside every trigger.
  const background = ks.filter((k) => Object.keys(k.background).length);
  if (background.length) {
    L.push('## Events outside the triggers', '');
    L.push(
      "Policy events between the triggers: the agent's own start, the `tetra` calls that add policies, the guest's plan and its runc containers.",
      '',
    );
    for (const k of background)
      L.push(
        `- ${k.release}: ${Object.entries(k.background)
          .sort()
          .map(([p, n]) => `\`${p}\` ${n}`)
          .join(', ')}`,
      );
    L.push('');
  }
  return L.join('\n');
}
