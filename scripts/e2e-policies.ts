/**
 * Synthesizes every TracingPolicy the library can emit, for the real-kernel verifier (`npm run e2e`):
 *
 *   monitors/     the module's five policies (the network monitor with example pod and service ranges)
 *   detections/   every detection that creates a policy, with the options the ones that need them require
 *   enforcement/  each detection that can enforce, once per enforcement action, in monitor mode and renamed
 *                 `<name>-sigkill` / `<name>-override` so it loads next to the observing policy
 *
 * Usage: node e2e-policies.js OUTDIR. Prints one line per enforcement variant the library refuses to build.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  DETECTION_CLASSES,
  DetectionName,
  Detections,
  EnforcementAction,
  EnforcementScope,
  KERNELS_CONTEXT,
  NetworkConnectionMonitor,
  PolicyMode,
  PrivilegeEscalationMonitor,
  ProcessExecMonitor,
  SensitiveFileAccessMonitor,
  ShellAccessMonitor,
  synthesizeUnits,
} from '../lib';

const outdir = process.argv[2];
if (!outdir) {
  process.stderr.write('usage: e2e-policies OUTDIR\n');
  process.exit(2);
}

/** Options of detections that cannot run without them. */
const REQUIRED = {
  [DetectionName.KUBERNETES_API_CONTACT]: { apiServerAddresses: ['10.96.0.1', '192.0.2.10'] },
};

const app = new App();
const m = new Chart(app, 'monitors');
new ProcessExecMonitor(m, 'ProcessExec');
new SensitiveFileAccessMonitor(m, 'SensitiveFiles');
new PrivilegeEscalationMonitor(m, 'PrivilegeEscalation');
new ShellAccessMonitor(m, 'ShellAccess');
new NetworkConnectionMonitor(m, 'Network', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
const all = Object.values(DetectionName) as DetectionName[];
// The loader sensor needs 5.19+, so the library refuses a loader policy for a kernel set with Debian 11's 5.10:
// such policies are synthesized for the kernels that can load them, and the run shows Debian 11 refusing them.
const LOADER_KERNELS = ['debian-12-6.1', 'debian-13-6.12', 'debian-sid-7.2'];
const NEEDS_LOADER: readonly DetectionName[] = [DetectionName.SHARED_LIBRARY_LOAD];
/** The scope a detection goes in: `parent`, or a child of it whose kernel set excludes kernels that cannot load it. */
const scopeFor = (parent: Construct, name: DetectionName): Construct => {
  if (!NEEDS_LOADER.includes(name)) return parent;
  const found = parent.node.tryFindChild('Loader');
  if (found) return found as Construct;
  const scope = new Construct(parent, 'Loader');
  scope.node.setContext(KERNELS_CONTEXT, LOADER_KERNELS);
  return scope;
};
const d = new Chart(app, 'detections');
new Detections(d, 'Detections', { include: all.filter((n) => !NEEDS_LOADER.includes(n)), options: REQUIRED });
new Detections(scopeFor(d, NEEDS_LOADER[0]), 'Detections', { include: [...NEEDS_LOADER] });

const v = new Chart(app, 'enforcement');
const actions = { sigkill: EnforcementAction.sigkill(), override: EnforcementAction.override(1) };
for (const name of all) {
  for (const [label, action] of Object.entries(actions)) {
    const props = {
      ...(REQUIRED as Record<string, object>)[name],
      name: `${name}-${label}`,
      enforcement: { action, mode: PolicyMode.MONITOR, scope: EnforcementScope.allPods() },
    };
    // Each variant in its own app first, so one the library refuses is left out alone.
    const probe = new App();
    try {
      new (DETECTION_CLASSES[name] as any)(scopeFor(new Chart(probe, 'probe'), name), name, props);
      const errors = probe.node.findAll().flatMap((c) => c.node.validate());
      if (errors.length) throw new Error(errors[0]);
      if (!probe.charts[0].toJson().some((o: any) => o.kind === 'TracingPolicy')) continue;
    } catch (e) {
      process.stdout.write(
        `${name}-${label}: not emitted: ${(e as Error).message.split('\n').slice(0, 2).join(' ').replace(/\s+/g, ' ')}\n`,
      );
      continue;
    }
    new (DETECTION_CLASSES[name] as any)(scopeFor(v, name), `${name}-${label}`, props);
  }
}
const files = synthesizeUnits(app, outdir);
process.stdout.write(`${files.length} policies written to ${outdir}\n`);
