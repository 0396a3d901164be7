// examples/enforcement.ts: block /etc/shadow opens in one namespace, rolled out in monitor mode first.
import { App, Chart } from 'cdk8s';
import { Action, Arg, ArgFilter, EnforcementScope, KprobeHook, PolicyMode, Selector, TracingPolicy, synthesizeUnits } from '../lib';

const app = new App();
const chart = new Chart(app, 'policies');
const file = Arg.file(0);
new TracingPolicy(chart, 'NoShadow', {
  name: 'block-shadow-opens',
  // Monitor first: the Override is loaded but only reported; flip to PolicyMode.ENFORCE (or `tetra tp set-mode`).
  enforcement: { mode: PolicyMode.MONITOR, scope: EnforcementScope.namespaces(['shop']) },
  hooks: [
    KprobeHook.function('security_file_open', {
      message: 'Blocked /etc/shadow open',
      tags: ['observability.filesystem', 'mitre.T1003.008'],
      args: [file],
      selectors: [new Selector({ matchArgs: [ArgFilter.equal(file, ['/etc/shadow'])], actions: [Action.override(13)] })], // EACCES
    }),
  ],
});

synthesizeUnits(app, process.env.CDK8S_OUTDIR ?? 'dist/example');
