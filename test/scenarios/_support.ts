import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { validateAgainstCrd } from '../../lib/private/crd-schema';
import { SimulatedEvent, SimulatedProcess } from '../../lib/simulate';
import { tetragonMatchers } from '../../lib/testing';

expect.extend(tetragonMatchers);

/** Synthesizes one library policy construct in a fresh chart and checks every object against the pinned CRDs. */
export function synthPolicy(build: (chart: Chart) => Construct): any[] {
  const chart = new Chart(Testing.app(), 'scenario');
  build(chart);
  const manifests = Testing.synth(chart);
  for (const m of manifests) expect(validateAgainstCrd(m)).toEqual([]);
  return manifests;
}

/** A process in a pod of the `shop` namespace (a web shop deployment). */
export function podProcess(binary: string, extra: Partial<SimulatedProcess> = {}): SimulatedProcess {
  return {
    binary,
    uid: 0,
    pid: 31337,
    nsPid: 42,
    pod: {
      namespace: 'shop',
      name: 'web-6b9f7c-x2kqp',
      labels: { app: 'web' },
      container: { name: 'web', image: 'docker.io/library/nginx:1.27' },
    },
    ...extra,
  };
}

/** A process on the node itself. */
export function hostProcess(binary: string, extra: Partial<SimulatedProcess> = {}): SimulatedProcess {
  return { binary, uid: 0, pid: 4321, ...extra };
}

export type { SimulatedEvent };
