// examples/custom-policy.ts: a custom policy next to the library's: report reads of an application's secret file in one namespace.
import { App, Chart } from 'cdk8s';
import { Arg, ArgFilter, KprobeHook, Selector, TracingPolicy, synthesizeUnits } from '../lib';

const app = new App();
const policies = new Chart(app, 'policies');

const file = Arg.file(0);
new TracingPolicy(policies, 'PaymentsSecret', {
  name: 'payments-secret-access',
  namespace: 'payments', // a TracingPolicyNamespaced: only pods of this namespace
  hooks: [
    KprobeHook.function('security_file_open', {
      message: 'Payments API key opened',
      tags: ['observability.filesystem', 'mitre.T1552.001'],
      args: [file],
      selectors: [new Selector({ matchArgs: [ArgFilter.equal(file, ['/etc/payments/api-key'])] })],
    }),
  ],
});

synthesizeUnits(app, process.env.CDK8S_OUTDIR ?? 'dist/example');
