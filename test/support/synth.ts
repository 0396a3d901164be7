import { App, Chart, Testing } from 'cdk8s';

/** A fresh chart for a test. */
export function newChart(): Chart {
  return new Chart(Testing.app(), 'test', { disableResourceNameHashes: true });
}

/** Synthesizes a chart and returns its manifests (validations run first, as in a real synth). */
export function synth(chart: Chart): any[] {
  const app = chart.node.root as App;
  const errors = app.node.findAll().flatMap((c) => c.node.validate());
  if (errors.length) throw new Error(errors.join('\n'));
  return Testing.synth(chart);
}

/** The single TracingPolicy (or namespaced) manifest named `name`. */
export function policyNamed(manifests: any[], name: string): any {
  const found = manifests.filter((m) => m.kind.startsWith('TracingPolicy') && m.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one policy named ${name}, found ${found.length}`);
  return found[0];
}

/** The kprobe of a policy spec probing `call`. */
export function kprobe(policy: any, call: string): any {
  const found = (policy.spec.kprobes ?? []).filter((k: any) => k.call === call);
  if (found.length !== 1) throw new Error(`expected one kprobe on ${call}, found ${found.length}`);
  return found[0];
}
